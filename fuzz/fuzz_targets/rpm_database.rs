//! Any bytes as an rpm database (Berkeley DB, NDB or SQLite, chosen by magic bytes): packages and warnings come back, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::extract::os::rpm::RpmDatabase;
use scanner_core::extract::{ExtractInput, Extractor};

fuzz_target!(|data: &[u8]| {
    let _ = RpmDatabase.extract(&ExtractInput { path: "var/lib/rpm/Packages", data, distro: None });
});
