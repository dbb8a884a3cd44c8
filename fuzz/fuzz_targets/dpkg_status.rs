//! Any bytes as a dpkg status file: packages and warnings come back, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::extract::os::dpkg::DpkgStatus;
use scanner_core::extract::{ExtractInput, Extractor};

fuzz_target!(|data: &[u8]| {
    let _ = DpkgStatus.extract(&ExtractInput { path: "var/lib/dpkg/status", data, distro: None });
});
