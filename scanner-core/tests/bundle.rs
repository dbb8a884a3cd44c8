//! The advisory bundle: compile, round trip, integrity and signatures, details on demand, and
//! a build over the real corpus.

use std::path::PathBuf;

use scanner_core::advisory::bundle::{self, BundleError, Source, Trust};
use scanner_core::advisory::db::AdvisoryDb;
use scanner_core::advisory::osv::{self, Record};
use scanner_core::advisory::severity::{self, Level};
use scanner_core::version::Scheme;

fn load(dir: &str) -> Vec<Record> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/advisories")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", d.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| osv::parse(&std::fs::read(f).expect("read")).expect("parse"))
        .collect()
}

const SECRET: [u8; 32] = [7; 32];
const OTHER: [u8; 32] = [9; 32];

fn open(bytes: &[u8]) -> Result<(bundle::Header, AdvisoryDb), BundleError> {
    bundle::read(bytes, Trust::SignatureOptional(&[]))
}

#[test]
fn round_trip_keeps_what_matching_needs_and_drops_withdrawn() {
    let records = load("PyPI");
    let withdrawn = records.iter().filter(|r| r.withdrawn.is_some()).count();
    assert_eq!(
        withdrawn, 10,
        "the corpus README says 10 PyPI records are withdrawn"
    );
    let compiled = AdvisoryDb::compile(&records);
    assert!(compiled.problems.is_empty(), "{:?}", compiled.problems);
    assert_eq!(compiled.withdrawn, 10);
    let source = Source {
        name: "PyPI".into(),
        snapshot: Some("2024-10-10T17:35:05Z".into()),
        records: records.len() as u64,
    };
    let bytes = bundle::write(
        &compiled,
        "2026-11-22T00:00:00Z",
        std::slice::from_ref(&source),
        &Default::default(),
        None,
    )
    .expect("write");
    let (header, db) = open(&bytes).expect("read");
    assert_eq!(db.record_count(), records.len() - withdrawn);
    assert_eq!(header.records as usize, db.record_count());
    assert_eq!(header.counts.get("PyPI"), Some(&(db.record_count() as u64)));
    assert_eq!(header.built, "2026-11-22T00:00:00Z");
    assert_eq!(header.sources, vec![source]);
    assert_eq!(header.signature, "unsigned");
    assert_eq!(header.digest.len(), 64);
    assert!(db.find("PYSEC-2017-27").is_some() || db.record_count() > 2000);
    // A withdrawn record is gone; a kept one has its ids, summary and references.
    let gone = records
        .iter()
        .find(|r| r.withdrawn.is_some())
        .expect("withdrawn");
    assert!(db.find(&gone.id).is_none());
    let original = records
        .iter()
        .find(|r| r.id == "GHSA-j8r2-6x86-q33q")
        .expect("record");
    let copy = db.find("GHSA-j8r2-6x86-q33q").expect("in bundle");
    assert_eq!(copy.aliases, original.aliases);
    assert_eq!(copy.summary, original.summary.as_deref());
    assert_eq!(copy.references.len(), original.references.len());
    // Ranges come back sorted, ready to match: requests [2.3.0, 2.31.0).
    let hits = db.lookup("PyPI", "requests");
    let entry = hits
        .iter()
        .find(|a| db.record_of(a).id == "GHSA-j8r2-6x86-q33q")
        .expect("requests entry");
    assert_eq!(db.ranges(entry), vec![vec![(0, "2.3.0"), (1, "2.31.0")]]);
    assert!(db
        .is_affected(Scheme::Pep440, "2.25.0", entry)
        .expect("cmp"));
    assert!(!db
        .is_affected(Scheme::Pep440, "2.31.0", entry)
        .expect("cmp"));
    // Details are not in the records part; they are read on demand.
    let details = bundle::details(&bytes, "GHSA-j8r2-6x86-q33q")
        .expect("details")
        .expect("present");
    assert_eq!(Some(details.as_str()), original.details.as_deref());
}

#[test]
fn events_are_pre_sorted_and_covered_versions_dropped() {
    // Events written out of order, and a versions[] list the ranges cover except for 1.1.
    let r: Record = serde_json::from_value(serde_json::json!({"id": "X-1", "affected": [
        {"package": {"ecosystem": "PyPI", "name": "Foo_Bar"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1.10"}, {"introduced": "1.2"}, {"introduced": "0"}, {"fixed": "1.1"}]},
                    {"type": "GIT", "repo": "x", "events": [{"introduced": "abc"}]}],
         "versions": ["1.1", "1.2", "1.9"]}
    ]}))
    .expect("record");
    let compiled = AdvisoryDb::compile(&[r]);
    assert!(compiled.problems.is_empty());
    assert_eq!(
        compiled.versions_dropped, 2,
        "1.2 and 1.9 are inside [1.2, 1.10)"
    );
    let db = compiled.db;
    let hits = db.lookup("PyPI", "foo-bar");
    assert_eq!(hits.len(), 1, "found by the PEP 503 name");
    assert_eq!(
        db.ranges(&hits[0]),
        vec![vec![(0, "0"), (1, "1.1"), (0, "1.2"), (1, "1.10")]]
    );
    assert_eq!(db.listed_versions(&hits[0]), vec!["1.1"]);
    for (v, want) in [
        ("0.9", true),
        ("1.0", true),
        ("1.1", true),
        ("1.1.1", false),
        ("1.5", true),
        ("1.10", false),
    ] {
        assert_eq!(
            db.is_affected(Scheme::Pep440, v, &hits[0]).expect("cmp"),
            want,
            "{v}"
        );
    }
}

#[test]
fn damaged_bundles_are_rejected_whole() {
    let compiled = AdvisoryDb::compile(&load("npm"));
    let good = bundle::write(&compiled, "t", &[], &Default::default(), None).expect("write");
    assert!(matches!(
        open(b"not a bundle at all, clearly"),
        Err(BundleError::NotABundle)
    ));
    // A flipped bit in the records part, in the details part, in a stored hash.
    for at in [bundle::HEADER_LEN + 10, good.len() - 10, 20] {
        let mut flipped = good.clone();
        flipped[at] ^= 1;
        assert!(
            matches!(open(&flipped), Err(BundleError::Damaged(_))),
            "bit at {at}"
        );
    }
    assert!(matches!(
        open(&good[..good.len() - 1]),
        Err(BundleError::Damaged(_))
    ));
    assert!(matches!(open(&good[..100]), Err(BundleError::Damaged(_))));
    let mut longer = good.clone();
    longer.push(0);
    assert!(matches!(open(&longer), Err(BundleError::Damaged(_))));
    let mut future = good.clone();
    future[4] = 99;
    assert!(matches!(open(&future), Err(BundleError::Version(99))));
    assert!(open(&good).is_ok());
}

#[test]
fn signatures_are_checked_against_trusted_keys() {
    let compiled = AdvisoryDb::compile(&load("npm"));
    let public = bundle::public_key(&SECRET);
    let other = bundle::public_key(&OTHER);
    let unsigned = bundle::write(&compiled, "t", &[], &Default::default(), None).expect("write");
    let signed =
        bundle::write(&compiled, "t", &[], &Default::default(), Some(&SECRET)).expect("write");

    let (h, _) = bundle::read(&signed, Trust::SignatureRequired(&[public])).expect("good");
    assert_eq!(h.signature, "signed");
    assert!(matches!(
        bundle::read(&signed, Trust::SignatureRequired(&[other])),
        Err(BundleError::BadSignature)
    ));
    assert!(matches!(
        bundle::read(&unsigned, Trust::SignatureRequired(&[public])),
        Err(BundleError::Unsigned)
    ));
    // Optional: unsigned is fine, a signature that fails is not.
    assert!(bundle::read(&unsigned, Trust::SignatureOptional(&[public])).is_ok());
    assert!(matches!(
        bundle::read(&signed, Trust::SignatureOptional(&[other])),
        Err(BundleError::BadSignature)
    ));
    // Signing afterwards gives the same bytes as signing while writing.
    let mut later = unsigned.clone();
    bundle::sign(&mut later, &SECRET).expect("sign");
    assert_eq!(later, signed);
    // Changing a byte of the signed header (the build time sits in the hashed part, so change
    // the details length) breaks the signature or the lengths, never passes.
    let mut tampered = signed.clone();
    tampered[48] ^= 1;
    assert!(bundle::read(&tampered, Trust::SignatureRequired(&[public])).is_err());
    // A re-hashed, altered records part with the old signature: the signature fails.
    let other_compiled = AdvisoryDb::compile(&load("PyPI")[..5]);
    let mut forged =
        bundle::write(&other_compiled, "t", &[], &Default::default(), None).expect("write");
    forged[88..152].copy_from_slice(&signed[88..152]);
    assert!(matches!(
        bundle::read(&forged, Trust::SignatureRequired(&[public])),
        Err(BundleError::BadSignature)
    ));
}

#[test]
fn every_osv_corpus_validates_and_builds() {
    let mut all = Vec::new();
    for dir in ["PyPI", "Go", "crates.io", "npm", "AlmaLinux"] {
        let records = load(dir);
        let compiled = AdvisoryDb::compile(&records);
        assert!(
            compiled.problems.is_empty(),
            "{dir}: {:?}",
            &compiled.problems[..compiled.problems.len().min(10)]
        );
        all.extend(records);
    }
    let compiled = AdvisoryDb::compile(&all);
    let bytes = bundle::write(&compiled, "t", &[], &Default::default(), None).expect("write");
    let (header, db) = open(&bytes).expect("read");
    assert!(db.record_count() > 9000, "{}", db.record_count());
    assert!(header.counts.contains_key("Go") && header.counts.contains_key("AlmaLinux"));
    // Interning: far fewer distinct strings than string slots.
    assert!(db.string_count() < 200_000, "{}", db.string_count());
    // AlmaLinux's own rating ("Important: ...") becomes the severity when there is no CVSS.
    let alsa = db.find("ALSA-2022:5099").expect("ALSA-2022:5099");
    assert_eq!(alsa.severity.level, Level::High);
    assert_eq!(alsa.severity.source, "ALSA");
    assert_eq!(alsa.severity.score, None);
}

#[test]
fn an_unparseable_version_skips_its_entry_not_the_record() {
    let r: Record = serde_json::from_value(serde_json::json!({"id": "BAD-1", "affected": [
        {"package": {"ecosystem": "Debian:12", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "x:1"}]}]},
        {"package": {"ecosystem": "Debian:12", "name": "y"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2-1"}]}]}
    ]}))
    .expect("record");
    let compiled = AdvisoryDb::compile(&[r]);
    assert_eq!(compiled.problems.len(), 1, "{:?}", compiled.problems);
    assert!(
        compiled.problems[0].starts_with("BAD-1: Debian:12/x:"),
        "{:?}",
        compiled.problems
    );
    assert_eq!(compiled.db.record_count(), 1);
    assert!(compiled.db.lookup("Debian:12", "x").is_empty());
    assert_eq!(compiled.db.lookup("Debian:12", "y").len(), 1);
    let bytes = bundle::write(&compiled, "t", &[], &Default::default(), None).expect("write");
    assert!(open(&bytes).is_ok());
}

#[test]
fn cvss_scores_match_the_published_ones() {
    // Scores as NVD/FIRST publish them for these vectors.
    for (vector, score, level) in [
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            9.8,
            Level::Critical,
        ),
        (
            "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
            6.1,
            Level::Medium,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            9.3,
            Level::Critical,
        ),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, Level::High),
        ("AV:N/AC:M/Au:N/C:P/I:P/A:N", 5.8, Level::Medium),
    ] {
        let (s, l) = severity::score_vector(vector).expect(vector);
        assert!((s - score).abs() < 0.05, "{vector}: {s}");
        assert_eq!(l, level, "{vector}");
    }
    assert!(severity::score_vector("CVSS:3.1/AV:Q").is_none());
    assert!(severity::score_vector("").is_none());
}

#[test]
fn every_cvss_vector_in_the_corpus_scores() {
    let mut seen = 0;
    for dir in ["PyPI", "Go", "crates.io", "npm", "AlmaLinux"] {
        for r in load(dir) {
            for s in r.severity.iter().filter(|s| s.kind.starts_with("CVSS")) {
                seen += 1;
                assert!(
                    severity::score_vector(&s.score).is_some(),
                    "{}: {}",
                    r.id,
                    s.score
                );
            }
        }
    }
    assert!(seen > 600, "{seen}");
}
