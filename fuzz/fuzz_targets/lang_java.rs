//! Java archives (the zip reader, pom.properties, MANIFEST.MF, nesting): any bytes, under each path the extractor reads, give packages or warnings, never a
//! panic or unbounded work.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::extract::{ExtractInput, Extractor};

fuzz_target!(|data: &[u8]| {
    let cases: &[(&dyn Extractor, &str)] = &[(&scanner_core::extract::lang::java::JavaArchive, "a/x.jar")];
    for (extractor, path) in cases {
        if extractor.file_required(path, data.len() as u64) {
            let _ = extractor.extract(&ExtractInput { path, data, distro: None });
        }
    }
});
