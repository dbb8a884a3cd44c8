//! The advisory bundle: round trip, integrity checks, and a build over the real corpus.

use std::path::PathBuf;

use scanner_core::advisory::bundle::{self, BundleError};
use scanner_core::advisory::osv::{self, Record};

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

#[test]
fn round_trip_keeps_what_matching_needs_and_drops_withdrawn() {
    let records = load("PyPI");
    let withdrawn = records.iter().filter(|r| r.withdrawn.is_some()).count();
    assert_eq!(
        withdrawn, 10,
        "the corpus README says 10 PyPI records are withdrawn"
    );
    let bytes =
        bundle::write(&records, "2026-11-22T00:00:00Z", &["PyPI test".into()]).expect("write");
    let (header, back) = bundle::read(&bytes).expect("read");
    assert_eq!(back.len(), records.len() - withdrawn);
    assert_eq!(header.counts.get("PyPI"), Some(&(back.len() as u64)));
    assert_eq!(header.built, "2026-11-22T00:00:00Z");
    let original = records
        .iter()
        .find(|r| r.id == "GHSA-j8r2-6x86-q33q")
        .expect("record");
    let copy = back
        .iter()
        .find(|r| r.id == "GHSA-j8r2-6x86-q33q")
        .expect("in bundle");
    assert_eq!(copy.aliases, original.aliases);
    assert_eq!(copy.summary, original.summary);
    assert_eq!(
        copy.affected[0].ranges[0].events,
        original.affected[0].ranges[0].events
    );
}

#[test]
fn damaged_bundles_are_rejected_whole() {
    let records = load("npm");
    let good = bundle::write(&records, "t", &[]).expect("write");
    assert!(matches!(
        bundle::read(b"not a bundle at all, clearly"),
        Err(BundleError::NotABundle)
    ));
    let mut flipped = good.clone();
    let last = flipped.len() - 10;
    flipped[last] ^= 1;
    assert!(matches!(
        bundle::read(&flipped),
        Err(BundleError::Damaged(_))
    ));
    assert!(matches!(
        bundle::read(&good[..good.len() - 1]),
        Err(BundleError::Damaged(_))
    ));
    let mut future = good.clone();
    future[4] = 99;
    assert!(matches!(
        bundle::read(&future),
        Err(BundleError::Version(99))
    ));
    assert!(bundle::read(&good).is_ok());
}

#[test]
fn every_osv_corpus_validates_and_builds() {
    let mut all = Vec::new();
    for dir in ["PyPI", "Go", "crates.io", "npm", "AlmaLinux"] {
        let records = load(dir);
        let problems = bundle::validate(&records);
        assert!(
            problems.is_empty(),
            "{dir}: {:?}",
            &problems[..problems.len().min(10)]
        );
        all.extend(records);
    }
    let bytes = bundle::write(&all, "t", &[]).expect("write");
    let (header, back) = bundle::read(&bytes).expect("read");
    assert!(back.len() > 9000, "{}", back.len());
    assert!(header.counts.contains_key("Go") && header.counts.contains_key("AlmaLinux"));
}

#[test]
fn unparseable_versions_fail_validation_with_the_record_id() {
    let r: Record = serde_json::from_value(serde_json::json!({"id": "BAD-1", "affected": [
        {"package": {"ecosystem": "Debian:12", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "x:1"}]}]}
    ]}))
    .expect("record");
    let problems = bundle::validate(&[r]);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with("BAD-1:"), "{problems:?}");
}
