//! Any bytes as each OS package database (dpkg status, apk installed, rpm BDB/NDB/SQLite):
//! packages and warnings come back, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::extract::{default_extractors, ExtractInput};

fuzz_target!(|data: &[u8]| {
    for extractor in default_extractors() {
        for path in ["var/lib/dpkg/status", "lib/apk/db/installed", "var/lib/rpm/Packages"] {
            if extractor.file_required(path, data.len() as u64) {
                let _ = extractor.extract(&ExtractInput { path, data, distro: None });
            }
        }
    }
});
