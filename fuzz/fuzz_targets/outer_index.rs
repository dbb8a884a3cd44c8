//! Any bytes as an image archive: indexing, manifests, configs, and a full scan (which streams
//! archives compressed as a whole) must return, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::layer::NoFiles;
use scanner_core::source::reader::{ChunkSizes, ChunkedReader};
use scanner_core::{InspectOptions, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_layer_bytes: 64 << 20,
        ..Limits::default()
    };
    let mut reader = ChunkedReader::new(data.to_vec(), ChunkSizes::NATIVE);
    let _ = scanner_core::inspect(&mut reader, &InspectOptions::default(), &mut |_| {});
    let mut reader = ChunkedReader::new(data.to_vec(), ChunkSizes::NATIVE);
    let _ = scanner_core::scan_image(&mut reader, &InspectOptions::default(), &limits, &NoFiles, &mut |_| {});
});
