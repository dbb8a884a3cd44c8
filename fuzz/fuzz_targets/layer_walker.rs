//! Any bytes as a layer, plain, gzip- and zstd-decoded: the walk returns a (possibly partial)
//! result and the squash of it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::layer::input::StreamInput;
use scanner_core::layer::{decode, squash, walk_layer};
use scanner_core::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_layer_bytes: 64 << 20,
        ..Limits::default()
    };
    let want = |p: &str, _: u64| p.ends_with("status") || p.ends_with("os-release");
    let plain = walk_layer(&mut StreamInput::new(data), &limits, &want);
    let gz = walk_layer(&mut StreamInput::new(decode::gzip(data)), &limits, &want);
    let zst = walk_layer(&mut StreamInput::new(decode::zstd(data)), &limits, &want);
    let (tree, _) = squash(&[plain, gz, zst]);
    for (path, _) in tree.iter().take(64) {
        let _ = tree.resolve(path, limits.max_link_depth);
    }
});
