//! Python metadata and eggs: any bytes, under each path the extractor reads, give packages or warnings, never a
//! panic or unbounded work.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::extract::{ExtractInput, Extractor};

fuzz_target!(|data: &[u8]| {
    let cases: &[(&dyn Extractor, &str)] = &[(&scanner_core::extract::lang::python::PythonMetadata, "x/a-1.dist-info/METADATA"), (&scanner_core::extract::lang::python::PythonEgg, "x/a-1.egg")];
    for (extractor, path) in cases {
        if extractor.file_required(path, data.len() as u64) {
            let _ = extractor.extract(&ExtractInput { path, data, distro: None });
        }
    }
});
