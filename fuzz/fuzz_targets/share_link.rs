//! Any text as a share link, and any bytes as the inflated payload of one: an error or a report,
//! never a panic. Whatever decodes is turned into a report.
#![no_main]

use std::io::Write;

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use scanner_core::share::{SharedReport, PREFIX};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(r) = SharedReport::decode(text) {
            let _ = r.to_report();
        }
    }
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(data).expect("in memory");
    let link = format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(z.finish().expect("in memory"))
    );
    if let Ok(r) = SharedReport::decode(&link) {
        let _ = r.to_report();
    }
});
