//! Any bytes as an NDB Packages.db, then every blob found through the rpm header parser: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::extract::os::rpm::{header, ndb};

fuzz_target!(|data: &[u8]| {
    let (blobs, _warnings) = ndb::blobs(data);
    for blob in blobs.iter() {
        let _ = header::parse(blob);
    }
});
