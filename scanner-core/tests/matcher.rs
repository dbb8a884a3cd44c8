//! Matching packages to advisories: each rule on records written here (expected results worked
//! out by hand in the comments), and real PyPI records from `../shared/advisories`.

use std::path::PathBuf;

use scanner_core::advisory::db::AdvisoryDb;
use scanner_core::advisory::osv::{self, Record};
use scanner_core::advisory::severity::Level;
use scanner_core::matcher::match_packages;
use scanner_core::Package;

fn record(json: serde_json::Value) -> Record {
    serde_json::from_value(json).expect("record")
}

fn package(ecosystem: &str, name: &str, version: &str, source: (&str, &str)) -> Package {
    Package {
        purl: format!("pkg:test/{name}@{version}"),
        ecosystem: ecosystem.into(),
        name: name.into(),
        version: version.into(),
        source_name: source.0.into(),
        source_version: source.1.into(),
        arch: None,
        license: None,
        layer: 1,
        path: "/var/lib/dpkg/status".into(),
        found_by: "test".into(),
        notes: vec![],
    }
}

fn range(eco: &str, name: &str, events: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"package": {"ecosystem": eco, "name": name}, "ranges": [{"type": "ECOSYSTEM", "events": events}]})
}

#[test]
fn debian_matches_by_source_package_and_release_only() {
    let records = vec![
        // openssl in Debian 12, fixed in 3.0.16-1~deb12u1.
        record(
            serde_json::json!({"id": "DSA-1", "aliases": ["CVE-2024-0001"],
            "affected": [range("Debian:12", "openssl", serde_json::json!([{"introduced": "0"}, {"fixed": "3.0.16-1~deb12u1"}]))]}),
        ),
        // The same source in Debian 11: must not match a Debian 12 package.
        record(
            serde_json::json!({"id": "DLA-2", "affected": [range("Debian:11", "openssl", serde_json::json!([{"introduced": "0"}]))]}),
        ),
        // An upstream range for "openssl" in another ecosystem: never for OS packages.
        record(
            serde_json::json!({"id": "OSV-3", "affected": [range("crates.io", "openssl", serde_json::json!([{"introduced": "0"}]))]}),
        ),
    ];
    let index = AdvisoryDb::compile(&records).db;
    // Binary libssl3 from source openssl 3.0.11-1~deb12u1 < 3.0.16-1~deb12u1: affected by DSA-1 only.
    let r = match_packages(
        &index,
        &[package(
            "Debian:12",
            "libssl3",
            "3.0.11-1~deb12u1",
            ("openssl", "3.0.11-1~deb12u1"),
        )],
    );
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.id, "CVE-2024-0001");
    assert_eq!(f.aliases, vec!["CVE-2024-0001", "DSA-1"]);
    assert_eq!(f.fixed_versions, vec!["3.0.16-1~deb12u1"]);
    assert_eq!(
        (f.status.as_str(), f.layer, f.package_name.as_str()),
        ("fixed", 1, "libssl3")
    );
    // At the fixed version: nothing.
    let r = match_packages(
        &index,
        &[package(
            "Debian:12",
            "libssl3",
            "3.0.16-1~deb12u1",
            ("openssl", "3.0.16-1~deb12u1"),
        )],
    );
    assert!(r.findings.is_empty());
}

#[test]
fn binnmu_versions_match_by_source_version() {
    // bash 5.2.15-2+b13 is a rebuild of source bash 5.2.15-2; fixed in 5.2.15-3: affected.
    let records = vec![record(serde_json::json!({"id": "DSA-9",
        "affected": [range("Debian:12", "bash", serde_json::json!([{"introduced": "0"}, {"fixed": "5.2.15-3"}]))]}))];
    let index = AdvisoryDb::compile(&records).db;
    let r = match_packages(
        &index,
        &[package(
            "Debian:12",
            "bash",
            "5.2.15-2+b13",
            ("bash", "5.2.15-2+b13"),
        )],
    );
    assert_eq!(r.findings.len(), 1);
}

#[test]
fn ubuntu_lts_and_pro_variants_count_as_the_release() {
    let records = vec![
        record(
            serde_json::json!({"id": "USN-1", "affected": [range("Ubuntu:22.04:LTS", "curl", serde_json::json!([{"introduced": "0"}, {"fixed": "7.81.0-1ubuntu1.15"}]))]}),
        ),
        record(
            serde_json::json!({"id": "USN-2", "affected": [range("Ubuntu:Pro:22.04:LTS", "curl", serde_json::json!([{"introduced": "0"}]))]}),
        ),
        record(
            serde_json::json!({"id": "USN-3", "affected": [range("Ubuntu:20.04:LTS", "curl", serde_json::json!([{"introduced": "0"}]))]}),
        ),
    ];
    let index = AdvisoryDb::compile(&records).db;
    let r = match_packages(
        &index,
        &[package(
            "Ubuntu:22.04",
            "libcurl4",
            "7.81.0-1ubuntu1.14",
            ("curl", "7.81.0-1ubuntu1.14"),
        )],
    );
    let ids: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, vec!["USN-1", "USN-2"]);
}

#[test]
fn alpine_by_origin_and_rpm_with_epoch() {
    let records = vec![
        record(
            serde_json::json!({"id": "ALPINE-1", "affected": [range("Alpine:v3.18", "openssl", serde_json::json!([{"introduced": "0"}, {"fixed": "3.1.4-r1"}]))]}),
        ),
        // AlmaLinux fixed at epoch 1.
        record(
            serde_json::json!({"id": "ALSA-1", "affected": [range("AlmaLinux:9", "openssl-libs", serde_json::json!([{"introduced": "0"}, {"fixed": "1:3.0.7-25.el9_3"}]))]}),
        ),
    ];
    let index = AdvisoryDb::compile(&records).db;
    let r = match_packages(
        &index,
        &[
            // libcrypto3 from origin openssl 3.1.4-r0 < 3.1.4-r1: affected.
            package(
                "Alpine:v3.18",
                "libcrypto3",
                "3.1.4-r0",
                ("openssl", "3.1.4-r0"),
            ),
            // 1:3.0.7-24.el9 < 1:3.0.7-25.el9_3: affected.
            package(
                "AlmaLinux:9",
                "openssl-libs",
                "1:3.0.7-24.el9",
                ("openssl", "1:3.0.7-24.el9"),
            ),
            // 1:3.0.7-27.el9 >= fixed: not affected.
            package(
                "AlmaLinux:9",
                "openssl-libs",
                "1:3.0.7-27.el9",
                ("openssl", "1:3.0.7-27.el9"),
            ),
        ],
    );
    let got: Vec<(&str, &str)> = r
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.installed_version.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![("ALPINE-1", "3.1.4-r0"), ("ALSA-1", "1:3.0.7-24.el9")]
    );
}

#[test]
fn unknown_release_is_a_warning_never_a_match_of_every_release() {
    let records = vec![record(
        serde_json::json!({"id": "DSA-1", "affected": [range("Debian:12", "zlib", serde_json::json!([{"introduced": "0"}]))]}),
    )];
    let index = AdvisoryDb::compile(&records).db;
    let r = match_packages(
        &index,
        &[package(
            "Debian",
            "zlib1g",
            "1:1.2.13",
            ("zlib", "1:1.2.13"),
        )],
    );
    assert!(r.findings.is_empty());
    assert!(
        r.warnings.iter().any(|w| w.contains("release is unknown")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn kernel_headers_are_marked_not_applicable_and_withdrawn_records_ignored() {
    let records = vec![
        record(
            serde_json::json!({"id": "DSA-7", "affected": [range("Debian:12", "linux", serde_json::json!([{"introduced": "0"}]))]}),
        ),
        record(
            serde_json::json!({"id": "DSA-8", "withdrawn": "2024-01-01T00:00:00Z", "affected": [range("Debian:12", "linux", serde_json::json!([{"introduced": "0"}]))]}),
        ),
    ];
    let index = AdvisoryDb::compile(&records).db;
    let r = match_packages(
        &index,
        &[package(
            "Debian:12",
            "linux-libc-dev",
            "6.1.76-1",
            ("linux", "6.1.76-1"),
        )],
    );
    assert_eq!(r.findings.len(), 1);
    assert!(r.findings[0].not_applicable);
    assert_eq!(r.findings[0].status, "no_fix_yet");
}

fn pypi_records() -> Vec<Record> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/advisories/PyPI");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| osv::parse(&std::fs::read(e.path()).expect("read")).expect("parse"))
        .collect()
}

#[test]
fn real_pypi_records_for_requests_2_25_0_merge_aliases() {
    // By hand from the records: GHSA-j8r2-6x86-q33q and PYSEC-2023-74 are both CVE-2023-32681
    // ([2.3.0, 2.31.0)); GHSA-9wx4-h78v-vm56 is CVE-2024-35195 ([0, 2.32.0)). CVE-2018-18074
    // (fixed 2.20.0), the 2014 ones (fixed 2.3.0) and CVE-2015-2296 ([2.1.0, 2.6.0)) do not apply.
    let records = pypi_records();
    let index = AdvisoryDb::compile(&records).db;
    let mut p = package("PyPI", "Requests", "2.25.0", ("Requests", "2.25.0"));
    p.path = "/usr/local/lib/python3.11/dist-packages/requests-2.25.0.dist-info/METADATA".into();
    let r = match_packages(&index, &[p]);
    let mut got: Vec<(String, Vec<String>, Vec<String>)> = r
        .findings
        .iter()
        .map(|f| (f.id.clone(), f.aliases.clone(), f.fixed_versions.clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "CVE-2023-32681".to_string(),
                vec![
                    "CVE-2023-32681".to_string(),
                    "GHSA-j8r2-6x86-q33q".into(),
                    "PYSEC-2023-74".into()
                ],
                vec!["2.31.0".to_string()]
            ),
            (
                "CVE-2024-35195".to_string(),
                vec!["CVE-2024-35195".to_string(), "GHSA-9wx4-h78v-vm56".into()],
                vec!["2.32.0".to_string()]
            ),
        ]
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // Severity from the CVSS vectors, scored at compile time (GitHub shows 6.1 and 5.6 too).
    let by_id = |id: &str| r.findings.iter().find(|f| f.id == id).expect("finding");
    let f = by_id("CVE-2023-32681");
    assert_eq!(f.severity, Level::Medium);
    assert_eq!(f.score, Some(6.1));
    assert_eq!(f.severity_source, "CVSS_V3");
    assert_eq!(
        f.vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N")
    );
    assert_eq!(by_id("CVE-2024-35195").score, Some(5.6));
}

/// An affected entry with a Debian urgency, as osv.dev's Debian export writes it.
fn debian(name: &str, fixed: Option<&str>, urgency: &str) -> serde_json::Value {
    let mut events = vec![serde_json::json!({"introduced": "0"})];
    if let Some(f) = fixed {
        events.push(serde_json::json!({"fixed": f}));
    }
    serde_json::json!({"package": {"ecosystem": "Debian:12", "name": name},
        "ranges": [{"type": "ECOSYSTEM", "events": events}],
        "ecosystem_specific": {"urgency": urgency}})
}

const CRITICAL_VECTOR: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

#[test]
fn os_findings_take_the_distributions_rating_with_the_cvss_beside_it() {
    let records = vec![
        // Debian: unimportant beats NVD's 9.8; the CVSS is still shown.
        record(
            serde_json::json!({"id": "CVE-2019-1", "severity": [{"type": "CVSS_V3", "score": CRITICAL_VECTOR}],
            "affected": [debian("glibc", None, "unimportant"), {"package": {}, "ranges": [{"type": "GIT", "repo": "x", "events": [{"introduced": "0"}]}]}]}),
        ),
        // "not yet assigned" and "end-of-life" are no rating: the CVSS decides.
        record(
            serde_json::json!({"id": "CVE-2019-2", "severity": [{"type": "CVSS_V3", "score": CRITICAL_VECTOR}],
            "affected": [debian("glibc", None, "not yet assigned")]}),
        ),
        record(
            serde_json::json!({"id": "CVE-2019-3", "severity": [{"type": "CVSS_V3", "score": CRITICAL_VECTOR}],
            "affected": [debian("glibc", None, "end-of-life")]}),
        ),
        // Ubuntu's priority, beside NVD's CVSS.
        record(
            serde_json::json!({"id": "UBUNTU-CVE-2019-4", "aliases": ["CVE-2019-4"],
            "severity": [{"type": "Ubuntu", "score": "negligible"}, {"type": "CVSS_V3", "score": CRITICAL_VECTOR}],
            "affected": [range("Ubuntu:22.04:LTS", "glibc", serde_json::json!([{"introduced": "0"}]))]}),
        ),
        // The Red Hat family: "Important:" in the summary.
        record(
            serde_json::json!({"id": "ALSA-2024:1", "summary": "Moderate: glibc security update",
            "severity": [{"type": "CVSS_V3", "score": CRITICAL_VECTOR}],
            "affected": [range("AlmaLinux:9", "glibc", serde_json::json!([{"introduced": "0"}, {"fixed": "2.34-100.el9"}]))]}),
        ),
    ];
    let db = AdvisoryDb::compile(&records).db;
    let deb = match_packages(
        &db,
        &[package("Debian:12", "libc6", "2.36-9", ("glibc", "2.36-9"))],
    );
    let by_id = |id: &str| {
        deb.findings
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("{id} in {:?}", deb.findings))
    };
    let f = by_id("CVE-2019-1");
    assert_eq!(
        (f.severity, f.severity_source.as_str()),
        (Level::Low, "Debian")
    );
    assert_eq!(f.score, Some(9.8));
    assert_eq!(f.vector.as_deref(), Some(CRITICAL_VECTOR));
    assert!(f
        .severity_note
        .as_deref()
        .is_some_and(|n| n.contains("unimportant")));
    for id in ["CVE-2019-2", "CVE-2019-3"] {
        let f = by_id(id);
        assert_eq!(
            (f.severity, f.severity_source.as_str()),
            (Level::Critical, "CVSS_V3"),
            "{id}"
        );
        assert!(f.severity_note.is_none());
    }
    let ubuntu = match_packages(
        &db,
        &[package(
            "Ubuntu:22.04",
            "libc6",
            "2.35-0ubuntu3",
            ("glibc", "2.35-0ubuntu3"),
        )],
    );
    assert_eq!(ubuntu.findings.len(), 1, "{:?}", ubuntu.findings);
    let f = &ubuntu.findings[0];
    assert_eq!(
        (f.severity, f.severity_source.as_str(), f.score),
        (Level::Low, "Ubuntu", Some(9.8))
    );
    let alma = match_packages(
        &db,
        &[package(
            "AlmaLinux:9",
            "glibc",
            "2.34-60.el9",
            ("glibc", "2.34-60.el9"),
        )],
    );
    let f = &alma.findings[0];
    assert_eq!(
        (f.severity, f.severity_source.as_str(), f.score),
        (Level::Medium, "AlmaLinux", Some(9.8))
    );
}

#[test]
fn unrated_records_take_the_rating_of_a_record_sharing_an_id_and_say_so() {
    let records = vec![
        // Go's vulndb carries no rating; osv.dev's merged CVE record (GIT ranges only) does.
        record(
            serde_json::json!({"id": "GO-2022-1", "aliases": ["CVE-2022-9", "GHSA-aaaa-bbbb-cccc"],
            "affected": [{"package": {"ecosystem": "Go", "name": "golang.org/x/net"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.7.0"}]}]}]}),
        ),
        record(
            serde_json::json!({"id": "CVE-2022-9", "severity": [{"type": "CVSS_V3", "score": CRITICAL_VECTOR}],
            "affected": [{"package": {}, "ranges": [{"type": "GIT", "repo": "r", "events": [{"introduced": "0"}]}]},
                debian("golang-x-net", None, "low")]}),
        ),
        // A record with its own aliases including itself: listed once.
        record(
            serde_json::json!({"id": "PYSEC-1", "aliases": ["PYSEC-1", "CVE-2000-1"],
            "affected": [range("PyPI", "x", serde_json::json!([{"introduced": "0"}]))]}),
        ),
    ];
    let db = AdvisoryDb::compile(&records).db;
    let go = db.find("GO-2022-1").expect("GO record");
    assert_eq!(go.rated_by, Some("CVE-2022-9"));
    let r = match_packages(
        &db,
        &[
            package(
                "Go",
                "golang.org/x/net",
                "v0.6.0",
                ("golang.org/x/net", "v0.6.0"),
            ),
            package("PyPI", "x", "1.0", ("x", "1.0")),
        ],
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.package_name == "golang.org/x/net")
        .expect("go finding");
    assert_eq!((f.severity, f.score), (Level::Critical, Some(9.8)));
    assert_eq!(f.severity_source, "CVSS_V3");
    assert_eq!(f.severity_from.as_deref(), Some("CVE-2022-9"));
    let py = r
        .findings
        .iter()
        .find(|f| f.package_name == "x")
        .expect("pypi finding");
    assert_eq!(
        py.aliases,
        vec!["CVE-2000-1".to_string(), "PYSEC-1".to_string()]
    );
    assert_eq!(r.findings.len(), 2);
}

#[test]
fn the_same_id_from_two_exports_is_kept_once_the_newest_revision() {
    let old = record(
        serde_json::json!({"id": "CVE-2024-5", "modified": "2024-01-01T00:00:00Z",
        "affected": [debian("zlib", Some("1.0-1"), "low")]}),
    );
    let new = record(
        serde_json::json!({"id": "CVE-2024-5", "modified": "2024-06-01T00:00:00.5Z",
        "affected": [debian("zlib", Some("1.0-2"), "high"), range("Alpine:v3.20", "zlib", serde_json::json!([{"introduced": "0"}, {"fixed": "1.3-r0"}]))]}),
    );
    for order in [
        vec![old.clone(), new.clone()],
        vec![new.clone(), old.clone()],
    ] {
        let c = AdvisoryDb::compile(&order);
        assert_eq!(c.db.record_count(), 1);
        assert_eq!(c.duplicates, 1);
        let r = match_packages(
            &c.db,
            &[package("Debian:12", "zlib1g", "1.0-1", ("zlib", "1.0-1"))],
        );
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].fixed_versions, vec!["1.0-2".to_string()]);
        assert_eq!(r.findings[0].severity, Level::High);
        assert_eq!(c.db.lookup("Alpine:v3.20", "zlib").len(), 1);
    }
    // A withdrawn newest revision removes the id.
    let mut gone = new.clone();
    gone.modified = Some("2025-01-01T00:00:00Z".into());
    gone.withdrawn = Some("2025-01-01T00:00:00Z".into());
    let c = AdvisoryDb::compile(&[old, new, gone]);
    assert_eq!(c.db.record_count(), 0);
    assert_eq!(c.withdrawn, 1);
}
