//! Feeds that are not OSV, converted to OSV records: the real Alpine secdb and Debian tracker
//! files from `../shared/advisories`, then matched against packages.

use std::path::PathBuf;

use scanner_core::advisory::db::AdvisoryDb;
use scanner_core::advisory::feeds;
use scanner_core::advisory::osv::Event;
use scanner_core::matcher::match_packages;
use scanner_core::Package;

fn shared(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/advisories")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{} is missing: {e}", p.display()))
}

fn package(
    ecosystem: &str,
    name: &str,
    version: &str,
    source: &str,
    source_version: &str,
) -> Package {
    Package {
        purl: format!("pkg:test/{name}@{version}"),
        ecosystem: ecosystem.into(),
        name: name.into(),
        version: version.into(),
        source_name: source.into(),
        source_version: source_version.into(),
        arch: None,
        license: None,
        layer: 0,
        path: "/x".into(),
        found_by: "test".into(),
        notes: vec![],
    }
}

#[test]
fn alpine_secdb_becomes_fixed_ranges_per_release() {
    let c = feeds::alpine_secdb(&shared("alpine-secdb/v3.11/main.yaml"), "v3.11/main.yaml")
        .expect("convert");
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    // openssl: 1.1.1d-r3 fixes CVE-2019-1551 in v3.11.
    let r = c
        .records
        .iter()
        .find(|r| r.id == "ALPINE-CVE-2019-1551")
        .expect("record");
    assert_eq!(r.aliases, vec!["CVE-2019-1551"]);
    let a = r
        .affected
        .iter()
        .find(|a| a.package.name == "openssl")
        .expect("openssl");
    assert_eq!(a.package.ecosystem, "Alpine:v3.11");
    assert_eq!(
        a.ranges[0].events,
        vec![
            Event::Introduced("0".into()),
            Event::Fixed("1.1.1d-r3".into())
        ]
    );
    // Matching: origin openssl at 1.1.1d-r2 is affected, at 1.1.1d-r3 it is not; v3.10 is not
    // this record's release.
    let db = AdvisoryDb::compile(&c.records).db;
    let hit = |eco: &str, v: &str| {
        match_packages(&db, &[package(eco, "libcrypto1.1", v, "openssl", v)])
            .findings
            .iter()
            .any(|f| f.id == "CVE-2019-1551")
    };
    assert!(hit("Alpine:v3.11", "1.1.1d-r2"));
    assert!(!hit("Alpine:v3.11", "1.1.1d-r3"));
    assert!(!hit("Alpine:v3.10", "1.1.1d-r2"));
}

#[test]
fn an_empty_secdb_file_is_not_an_error_and_a_foreign_yaml_is() {
    let c = feeds::alpine_secdb(
        &shared("alpine-secdb/v3.3/community.yaml"),
        "community.yaml",
    )
    .expect("empty packages list");
    assert!(c.records.is_empty());
    assert!(feeds::alpine_secdb("id: PYSEC-1\n", "x.yaml").is_err());
    assert!(feeds::alpine_secdb("{{{{", "x.yaml").is_err());
}

#[test]
fn debian_dsa_list_becomes_one_record_per_advisory() {
    let c = feeds::debian_tracker(&shared("debian-security-tracker/DSA/list"), "DSA/list");
    // The README counts 5,406 DSA entries; those whose every line is <not-affected> or similar
    // name no fixed version and are left out.
    assert!(
        c.records.len() > 5_300 && c.records.len() <= 5_406,
        "{}",
        c.records.len()
    );
    assert!(c.skipped.len() < 20, "{:?}", c.skipped);
    assert_eq!(c.snapshot.as_deref(), Some("2023-03-29T00:00:00Z"));
    let r = c
        .records
        .iter()
        .find(|r| r.id == "DSA-5343-1")
        .expect("DSA-5343-1");
    assert_eq!(r.summary.as_deref(), Some("openssl - security update"));
    assert_eq!(r.published.as_deref(), Some("2023-02-07T00:00:00Z"));
    assert_eq!(
        r.aliases,
        vec![
            "CVE-2022-2097",
            "CVE-2022-4304",
            "CVE-2022-4450",
            "CVE-2023-0215",
            "CVE-2023-0286"
        ]
    );
    assert_eq!(r.affected.len(), 1);
    assert_eq!(r.affected[0].package.ecosystem, "Debian:11");
    assert_eq!(r.affected[0].package.name, "openssl");
    // Matched by source package and release: libssl1.1 from openssl 1.1.1n-0+deb11u3.
    let db = AdvisoryDb::compile(&c.records).db;
    let found = match_packages(
        &db,
        &[package(
            "Debian:11",
            "libssl1.1",
            "1.1.1n-0+deb11u3",
            "openssl",
            "1.1.1n-0+deb11u3",
        )],
    );
    let f = found
        .findings
        .iter()
        .find(|f| f.aliases.iter().any(|a| a == "DSA-5343-1"))
        .expect("DSA-5343-1 matches");
    assert_eq!(f.fixed_versions, vec!["1.1.1n-0+deb11u4"]);
    assert_eq!(f.status, "fixed");
    let fixed = match_packages(
        &db,
        &[package(
            "Debian:11",
            "libssl1.1",
            "1.1.1n-0+deb11u4",
            "openssl",
            "1.1.1n-0+deb11u4",
        )],
    );
    assert!(!fixed
        .findings
        .iter()
        .any(|f| f.aliases.iter().any(|a| a == "DSA-5343-1")));
}

#[test]
fn debian_dla_list_converts() {
    let c = feeds::debian_tracker(&shared("debian-security-tracker/DLA/list"), "DLA/list");
    assert!(
        c.records.len() > 3_400 && c.records.len() <= 3_534,
        "{}",
        c.records.len()
    );
    assert!(c.records.iter().all(|r| r.id.starts_with("DLA-")));
    assert!(c
        .records
        .iter()
        .flat_map(|r| &r.affected)
        .all(|a| a.package.ecosystem.starts_with("Debian:")));
}

#[test]
fn hostile_tracker_text_is_skipped_not_fatal() {
    let text = "[99 Foo 2023] DSA-1-1 x - y\n\t[bullseye] - x\n\t[nowhere] - x 1.0\n[no bracket\n\t{CVE-1}\n[01 Jan 2023] DSA-2-1 y - z\n\t[bookworm] - y a:1\n\t[bookworm] - y 1.0-1\n";
    let c = feeds::debian_tracker(text, "list");
    assert_eq!(c.records.len(), 1, "{:#?} {:?}", c.records, c.skipped);
    assert_eq!(c.records[0].id, "DSA-2-1");
    assert_eq!(c.records[0].affected.len(), 1);
    assert!(c.skipped.len() >= 3, "{:?}", c.skipped);
}

#[test]
fn yaml_records_keep_versions_as_written() {
    let yaml = b"id: PYSEC-0000-1\naliases: [CVE-2000-1]\naffected:\n- package:\n    ecosystem: PyPI\n    name: foo\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: \"0\"\n    - fixed: 1.10\n  versions:\n  - 1.0\n  - 1.9\n";
    let r = feeds::parse_yaml(yaml).expect("parse");
    assert_eq!(r.id, "PYSEC-0000-1");
    assert_eq!(
        r.affected[0].ranges[0].events[1],
        Event::Fixed("1.10".into())
    );
    assert_eq!(r.affected[0].versions, vec!["1.0", "1.9"]);
    assert!(feeds::parse_yaml(b"id: [unterminated").is_err());
}

#[test]
fn azure_linux_and_mariner_oval_become_records_per_definition() {
    let c = feeds::azure_linux_oval(
        &shared("AzureLinux-oval/azurelinux-3.0-oval.xml"),
        "AzureLinux-oval/azurelinux-3.0-oval.xml",
    )
    .expect("convert");
    assert_eq!(
        c.records.len(),
        1222,
        "every definition (the README counts 1,222)"
    );
    assert!(
        c.skipped.is_empty(),
        "{:?}",
        &c.skipped[..c.skipped.len().min(5)]
    );
    let r = c
        .records
        .iter()
        .find(|r| r.id == "AZL-3.0-50124")
        .expect("AZL-3.0-50124");
    assert_eq!(r.aliases, vec!["CVE-2024-47191"]);
    assert_eq!(r.affected[0].package.ecosystem, "Azure Linux:3.0");
    assert_eq!(r.affected[0].package.name, "oath-toolkit");
    assert_eq!(
        r.affected[0].ranges[0].events,
        vec![
            Event::Introduced("0".into()),
            Event::Fixed("0:2.6.7-3.azl3".into())
        ]
    );
    let compiled = AdvisoryDb::compile(&c.records);
    assert!(compiled.problems.is_empty(), "{:?}", compiled.problems);
    let db = compiled.db;
    assert_eq!(
        db.find("AZL-3.0-50124").expect("in db").severity.level,
        scanner_core::advisory::severity::Level::High,
        "the OVAL's own rating"
    );
    // rpm packages are matched by binary name, epoch put back (none here: epoch 0).
    let hit = |v: &str| {
        match_packages(
            &db,
            &[package(
                "Azure Linux:3.0",
                "oath-toolkit",
                v,
                "oath-toolkit",
                v,
            )],
        )
        .findings
        .iter()
        .any(|f| f.id == "CVE-2024-47191")
    };
    assert!(hit("2.6.7-2.azl3"));
    assert!(!hit("2.6.7-3.azl3"));

    // CBL-Mariner 2.0: `less than or equal` is the last affected version, with no fix.
    let m = feeds::azure_linux_oval(
        &shared("AzureLinux-oval/cbl-mariner-2.0-oval.xml"),
        "AzureLinux-oval/cbl-mariner-2.0-oval.xml",
    )
    .expect("convert");
    assert_eq!(m.records.len(), 2436);
    let open = m
        .records
        .iter()
        .find(|r| {
            matches!(
                r.affected[0].ranges[0].events.get(1),
                Some(Event::LastAffected(_))
            )
        })
        .expect("a definition without a fix");
    assert_eq!(open.affected[0].package.ecosystem, "Mariner:2.0");
    let db = AdvisoryDb::compile(std::slice::from_ref(open)).db;
    let Some(Event::LastAffected(last)) = open.affected[0].ranges[0].events.get(1).cloned() else {
        unreachable!()
    };
    let name = open.affected[0].package.name.clone();
    let found = match_packages(&db, &[package("Mariner:2.0", &name, &last, &name, &last)]);
    assert_eq!(
        found.findings.len(),
        1,
        "the last affected version itself is affected"
    );
    assert_eq!(found.findings[0].status, "no_fix_yet");

    assert!(
        feeds::azure_linux_oval("<oval_definitions><definitions>", "azurelinux-3.0-oval.xml")
            .is_ok()
    );
    assert!(feeds::azure_linux_oval("<a></b>", "azurelinux-3.0-oval.xml").is_err());
    assert!(feeds::azure_linux_oval("<a/>", "other-oval.xml").is_err());
}
