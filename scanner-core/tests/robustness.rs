//! Damaged real archives never panic: random byte flips and truncations of the fixtures, plain
//! and gzip-compressed as a whole, each scanned fully. (The cargo-fuzz targets in `fuzz/` explore
//! further; this bounded run happens on every CI run.)

use std::io::Write;
use std::path::PathBuf;

use proptest::prelude::*;
use scanner_core::layer::NoFiles;
use scanner_core::source::reader::{ChunkSizes, ChunkedReader};
use scanner_core::{scan_image, InspectOptions, Limits};

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/images")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("fixture {} is missing: {e}", p.display()))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

fn scan(bytes: Vec<u8>) {
    let limits = Limits {
        max_layer_bytes: 32 << 20,
        ..Limits::default()
    };
    let mut r = ChunkedReader::new(bytes, ChunkSizes::NATIVE);
    let want = |p: &str, _: u64| p.contains("etc/");
    match scan_image(
        &mut r,
        &InspectOptions::default(),
        &limits,
        &want,
        &mut |_| {},
    ) {
        Ok(s) => {
            // Whatever survived is consistent: every file's layer exists.
            for (_, node) in s.tree.iter() {
                assert!(node.layer < s.summary.layers.len());
            }
        }
        Err(e) => assert!(!e.to_string().is_empty() && !e.hint().is_empty()),
    }
}

const NAMES: [&str; 6] = [
    "test-docker-image.tar",
    "test-kaniko-image.tar",
    "test-oci-gzip-image.tar",
    "test-oci-zstd-image.tar",
    "test-oci-uncompressed-image.tar",
    "test-oci-estargz-image.tar",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn flipped_bytes_never_panic(
        which in 0usize..6,
        flips in proptest::collection::vec((any::<u64>(), any::<u8>()), 1..24),
        compress in any::<bool>(),
    ) {
        let mut bytes = fixture(NAMES[which]);
        for (at, x) in flips {
            let i = (at % bytes.len() as u64) as usize;
            bytes[i] ^= x | 1;
        }
        scan(if compress { gzip(&bytes) } else { bytes });
    }

    #[test]
    fn truncation_never_panics(which in 0usize..6, keep in 0.0f64..1.0, compress in any::<bool>()) {
        let bytes = fixture(NAMES[which]);
        let n = (bytes.len() as f64 * keep) as usize;
        if compress {
            let gz = gzip(&bytes);
            let n = (gz.len() as f64 * keep) as usize;
            scan(gz[..n].to_vec());
        } else {
            scan(bytes[..n].to_vec());
        }
    }
}

/// Flipping bytes in the middle of each layer blob of the docker archive (not the headers):
/// the scan succeeds and reports the damage as warnings, or reads the bytes as (wrong) data.
#[test]
fn damaged_layer_bodies_are_warnings_not_errors() {
    let bytes = fixture("test-kaniko-image.tar");
    let mut damaged = bytes.clone();
    // The first layer blob is the 0.76 MB gzip stream after the config: damage its middle.
    for b in &mut damaged[300_000..300_064] {
        *b ^= 0xa5;
    }
    let mut r = ChunkedReader::new(damaged, ChunkSizes::NATIVE);
    let s = scan_image(
        &mut r,
        &InspectOptions::default(),
        &Limits::default(),
        &NoFiles,
        &mut |_| {},
    )
    .expect("the rest of the image is still scanned");
    assert!(
        s.summary.warnings.iter().any(|w| w.starts_with("layer 0")),
        "{:?}",
        s.summary.warnings
    );
    assert_eq!(s.summary.layers.len(), 14);
}

fn os_fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/os")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("fixture {} is missing: {e}", p.display()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// Damaged package databases of every format never panic.
    #[test]
    fn damaged_package_databases_never_panic(
        which in 0usize..6,
        flips in proptest::collection::vec((any::<u64>(), any::<u8>()), 0..32),
        keep in 0.0f64..1.0,
    ) {
        use scanner_core::extract::{default_extractors, ExtractInput};
        let (rel, path) = [
            ("rpm/cbl-mariner-2.0-rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite"),
            ("rpm/sle15-bci-ndb-Packages.db", "var/lib/rpm/Packages.db"),
            ("rpm/libuuid-bdb-Packages", "var/lib/rpm/Packages"),
            ("rpm/epoch-bdb-Packages", "var/lib/rpm/Packages"),
            ("dpkg/valid", "var/lib/dpkg/status"),
            ("apk/installed", "lib/apk/db/installed"),
        ][which];
        let mut data = os_fixture(rel);
        for (at, x) in flips {
            let i = (at % data.len() as u64) as usize;
            data[i] ^= x | 1;
        }
        data.truncate((data.len() as f64 * keep) as usize + 1);
        for e in default_extractors() {
            if e.file_required(path, data.len() as u64) {
                let _ = e.extract(&ExtractInput { path, data: &data, distro: None });
            }
        }
    }
}
