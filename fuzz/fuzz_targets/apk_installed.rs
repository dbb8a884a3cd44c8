//! Any bytes as an apk installed database: packages and warnings come back, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::extract::os::apk::ApkInstalled;
use scanner_core::extract::{ExtractInput, Extractor};

fuzz_target!(|data: &[u8]| {
    let _ = ApkInstalled.extract(&ExtractInput { path: "lib/apk/db/installed", data, distro: None });
});
