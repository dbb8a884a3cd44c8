//! Any bytes as an advisory bundle: rejected with a message or read whole, never a panic. Bytes
//! that pass the SHA-256 checks are rare, so the input is also framed as a well-formed,
//! unsigned bundle whose records part is the zlib of the input: mutations then reach the
//! decoder and the structure check, and whatever loads is matched against.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use scanner_core::advisory::bundle::{self, Trust};
use sha2::Digest;

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(bytes).expect("in memory");
    z.finish().expect("in memory")
}

fuzz_target!(|data: &[u8]| {
    let _ = bundle::read(data, Trust::SignatureOptional(&[]));
    let main = zlib(data);
    let details = zlib(&0u64.to_le_bytes());
    let mut framed = Vec::new();
    framed.extend_from_slice(bundle::MAGIC);
    framed.extend_from_slice(&bundle::FORMAT_VERSION.to_le_bytes());
    framed.extend_from_slice(&(main.len() as u64).to_le_bytes());
    framed.extend_from_slice(&sha2::Sha256::digest(&main));
    framed.extend_from_slice(&(details.len() as u64).to_le_bytes());
    framed.extend_from_slice(&sha2::Sha256::digest(&details));
    framed.extend_from_slice(&[0u8; 64]);
    framed.extend_from_slice(&main);
    framed.extend_from_slice(&details);
    if let Ok((_, db)) = bundle::read(&framed, Trust::SignatureOptional(&[])) {
        let p = scanner_core::Package {
            purl: String::new(),
            ecosystem: "PyPI".into(),
            name: "a".into(),
            version: "1.0".into(),
            source_name: "a".into(),
            source_version: "1.0".into(),
            arch: None,
            license: None,
            layer: 0,
            path: String::new(),
            found_by: String::new(),
            notes: Vec::new(),
        };
        let _ = scanner_core::matcher::match_packages(&db, &[p]);
    }
    let _ = bundle::details(&framed, "x");
});
