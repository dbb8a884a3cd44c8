//! Any bytes as the advisory inputs a bundle builder reads: an OSV record (JSON), a CISA KEV
//! catalog and an EPSS CSV (plain and gzipped). Each is refused with a message or read; what
//! reads compiles, with the KEV and EPSS data, into a database that writes, reads back and
//! matches. Never a panic.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use scanner_core::advisory::bundle::{self, Trust};
use scanner_core::advisory::db::Compiler;
use scanner_core::advisory::{exploit, osv};

fuzz_target!(|data: &[u8]| {
    let kev = exploit::parse_kev(data).map(|(c, _)| c.entries).unwrap_or_default();
    let epss = exploit::parse_epss(data, |_| true)
        .map(|s| s.scores)
        .unwrap_or_default();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).expect("in memory");
    let _ = exploit::parse_epss(&gz.finish().expect("in memory"), |_| true);
    let mut compiler = Compiler::new();
    if let Ok(record) = osv::parse(data) {
        compiler.add(record.clone());
        compiler.add(record);
    }
    let compiled = compiler.finish(&kev, &epss);
    let Ok(bytes) = bundle::write(&compiled, "t", &[], &Default::default(), None) else {
        return;
    };
    let (_, db) = bundle::read(&bytes, Trust::SignatureOptional(&[])).expect("a written bundle reads");
    let p = scanner_core::Package {
        purl: String::new(),
        ecosystem: "Debian:12".into(),
        name: "a".into(),
        version: "1.0-1".into(),
        source_name: "a".into(),
        source_version: "1.0-1".into(),
        arch: None,
        license: None,
        layer: 0,
        path: String::new(),
        found_by: String::new(),
        notes: Vec::new(),
    };
    let _ = scanner_core::matcher::match_packages(&db, &[p]);
});
