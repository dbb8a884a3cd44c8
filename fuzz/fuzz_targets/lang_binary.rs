//! Executables as they stream by (Go build info, ELF sections, cargo-auditable JSON): any bytes,
//! in chunks whose size the input picks, give packages or warnings, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::extract::lang::binary::BinarySink;
use scanner_core::layer::BodySink;

fuzz_target!(|data: &[u8]| {
    let Some((&size, rest)) = data.split_first() else { return };
    // Give the parsers a real header often: ELF magic, or the Go build-info magic.
    let mut bytes = match size % 3 {
        0 => b"\x7fELF\x02\x01\x01\0".to_vec(),
        1 => b"\x7fELF\x02\x01\x01\0\xff Go buildinf:\x08\x02".to_vec(),
        _ => Vec::new(),
    };
    bytes.extend_from_slice(rest);
    let mut sink = Box::new(BinarySink::new("x"));
    for chunk in bytes.chunks(usize::from(size).max(1)) {
        if !sink.feed(chunk) {
            break;
        }
    }
    let _ = sink.finish();
});
