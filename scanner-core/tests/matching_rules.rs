//! The range rules, each on a record written here with the expected answer worked out by hand,
//! and the OSV model over every real record in `../shared/advisories`.

use std::path::PathBuf;

use scanner_core::advisory::{is_affected, osv};
use scanner_core::version::Scheme;

fn affected(json: &str) -> osv::Affected {
    serde_json::from_str(json).expect("affected entry")
}

fn check(scheme: Scheme, entry: &osv::Affected, cases: &[(&str, bool)]) {
    for (v, want) in cases {
        assert_eq!(
            is_affected(scheme, v, entry).expect("parse"),
            *want,
            "version {v}"
        );
    }
}

#[test]
fn introduced_opens_fixed_closes_exclusively() {
    // [1.2.0, 1.4.0): 1.2.0 and 1.3.9 are in, 1.1.9 and 1.4.0 out.
    let e = affected(
        r#"{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.2.0"},{"fixed":"1.4.0"}]}]}"#,
    );
    check(
        Scheme::Pep440,
        &e,
        &[
            ("1.1.9", false),
            ("1.2.0", true),
            ("1.3.9", true),
            ("1.4.0", false),
            ("2.0", false),
        ],
    );
}

#[test]
fn last_affected_closes_inclusively() {
    // [0, 2.0]: 2.0 is in, 2.0.1 out.
    let e = affected(
        r#"{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"last_affected":"2.0.0"}]}]}"#,
    );
    check(
        Scheme::SemVer,
        &e,
        &[("0.0.1", true), ("2.0.0", true), ("2.0.1", false)],
    );
}

#[test]
fn introduced_zero_is_below_every_version_and_unfixed_ranges_stay_open() {
    let e = affected(
        r#"{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}"#,
    );
    check(
        Scheme::SemVer,
        &e,
        &[("0.0.0-alpha", true), ("99.0.0", true)],
    );
}

#[test]
fn events_are_taken_in_version_order_not_written_order() {
    // Two windows written out of order: [1.0, 1.1) and [2.0, 2.2). 1.5 is between them.
    let e = affected(
        r#"{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.0"},{"fixed":"2.2"},{"introduced":"1.0"},{"fixed":"1.1"}]}]}"#,
    );
    check(
        Scheme::Pep440,
        &e,
        &[
            ("0.9", false),
            ("1.0.5", true),
            ("1.5", false),
            ("2.1", true),
            ("2.2", false),
        ],
    );
}

#[test]
fn limit_bounds_the_range() {
    // introduced 0, limit 3.0: versions >= 3.0 are outside whatever else says.
    let e = affected(
        r#"{"package":{"ecosystem":"crates.io","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"limit":"3.0.0"}]}]}"#,
    );
    check(
        Scheme::SemVer,
        &e,
        &[("2.9.9", true), ("3.0.0", false), ("3.1.0", false)],
    );
}

#[test]
fn versions_list_matches_exactly_and_git_ranges_are_skipped_without_skipping_others() {
    let e = affected(
        r#"{"package":{"ecosystem":"PyPI","name":"x"},"versions":["0.5"],
        "ranges":[{"type":"GIT","repo":"https://example.invalid/x","events":[{"introduced":"abc123"},{"fixed":"def456"}]},
                  {"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"fixed":"1.2"}]}]}"#,
    );
    // 0.5 only through versions[]; 0.50 is the same PEP 440 version; 1.1 through the ECOSYSTEM range.
    check(
        Scheme::Pep440,
        &e,
        &[
            ("0.5", true),
            ("0.50", false),
            ("0.5.0", true),
            ("1.1", true),
            ("1.3", false),
        ],
    );
}

#[test]
fn debian_epochs_and_tildes_decide_fixed() {
    // fixed 1:2.3-1~deb12u1. The backport 1:2.3-1~deb12u1 is fixed, 1:2.3-1~deb12u0 and
    // 2.9 (epoch 0 < 1) are affected.
    let e = affected(
        r#"{"package":{"ecosystem":"Debian:12","name":"src"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:2.3-1~deb12u1"}]}]}"#,
    );
    check(
        Scheme::Dpkg,
        &e,
        &[
            ("1:2.3-1~deb12u0", true),
            ("1:2.3-1~deb12u1", false),
            ("1:2.3-1", false),
            ("2.9", true),
        ],
    );
}

#[test]
fn unparseable_versions_are_errors_not_matches() {
    let e = affected(
        r#"{"package":{"ecosystem":"Debian:12","name":"src"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"x:1"}]}]}"#,
    );
    assert!(is_affected(Scheme::Dpkg, "1.0", &e).is_err());
}

fn corpus(dir: &str) -> Vec<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/advisories")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", d.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_real_osv_record_parses() {
    // Counts from ../shared/advisories/README.md.
    for (dir, count) in [
        ("PyPI", 2672),
        ("Go", 4291),
        ("crates.io", 1206),
        ("npm", 62),
        ("AlmaLinux", 1783),
    ] {
        let files = corpus(dir);
        assert_eq!(files.len(), count, "{dir}");
        for f in files {
            let bytes = std::fs::read(&f).expect("read");
            let r = osv::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert!(!r.id.is_empty());
        }
    }
}

#[test]
fn a_real_advisory_matches_by_hand() {
    // GHSA-248v-346w-9cwc: certifi [2021.05.30, 2024.07.4).
    let f = corpus("PyPI")
        .into_iter()
        .find(|p| p.ends_with("GHSA-248v-346w-9cwc.json"))
        .expect("record");
    let r = osv::parse(&std::fs::read(f).expect("read")).expect("parse");
    let a = &r.affected[0];
    assert_eq!(a.package.name, "certifi");
    check(
        Scheme::Pep440,
        a,
        &[
            ("2021.5.30", true),
            ("2024.7.4", false),
            ("2024.07.04", false),
            ("2020.12.5", false),
            ("2023.7.22", true),
        ],
    );
}
