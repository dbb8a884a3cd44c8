//! Share links: a report survives the round trip through a link, and hostile links (malformed,
//! truncated, oversized, bombs, dangling indexes) are errors, never panics.

use std::io::Write;

use base64::Engine;
use scanner_core::share::{Changes, ShareError, SharedReport, MAX_INFLATED, MAX_PAYLOAD, PREFIX};
use scanner_core::{Package, Report};

fn package(eco: &str, name: &str, version: &str, purl: &str, layer: usize) -> Package {
    Package {
        purl: purl.into(),
        ecosystem: eco.into(),
        name: name.into(),
        version: version.into(),
        source_name: name.into(),
        source_version: version.into(),
        arch: Some("amd64".into()),
        license: Some("MIT".into()),
        layer,
        path: "/var/lib/dpkg/status".into(),
        found_by: "os/dpkg".into(),
        notes: Vec::new(),
    }
}

fn report() -> Report {
    let mut r = SharedReport {
        image: "app:1".into(),
        digest: "sha256:abc".into(),
        distro: None,
        bundle: None,
        table: Vec::new(),
        packages: Vec::new(),
        findings: Vec::new(),
    }
    .to_report();
    let mut libssl = package(
        "Debian:11",
        "libssl1.1",
        "1.1.1n-0+deb11u3",
        "pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=debian-11",
        0,
    );
    libssl.source_name = "openssl".into();
    let mut go = package("Go", "stdlib", "1.22.0", "pkg:golang/stdlib@1.22.0", 2);
    go.path = "/usr/local/bin/app".into();
    let mut unversioned = package("Go", "example.com/app", "", "pkg:golang/example.com/app", 2);
    unversioned.path = "/usr/local/bin/app".into();
    // A purl that does not follow the usual shape is carried whole.
    let odd = package(
        "npm",
        "<img src=x onerror=alert(1)>",
        "1.0.0",
        "pkg:npm/odd",
        1,
    );
    r.packages = vec![libssl, go, unversioned, odd];
    r
}

fn key(
    p: &Package,
) -> (
    String,
    String,
    String,
    String,
    String,
    usize,
    String,
    String,
) {
    (
        p.ecosystem.clone(),
        p.name.clone(),
        p.version.clone(),
        p.source_name.clone(),
        p.source_version.clone(),
        p.layer,
        p.purl.clone(),
        p.path.clone(),
    )
}

#[test]
fn a_report_survives_the_round_trip() {
    let r = report();
    let link = SharedReport::from_report(&r).encode();
    assert!(link.starts_with(PREFIX));
    assert!(
        link.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
        "URL-safe: {link}"
    );
    let back = SharedReport::decode(&format!("#{link}")).expect("decode");
    let reopened = back.to_report();
    assert_eq!(
        reopened.packages.iter().map(key).collect::<Vec<_>>(),
        r.packages.iter().map(key).collect::<Vec<_>>()
    );
    assert_eq!(reopened.image.tags, vec!["app:1".to_string()]);
    assert_eq!(reopened.image.config_digest, "sha256:abc");
}

fn payload(raw: &[u8]) -> String {
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(raw).expect("deflate");
    format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(z.finish().expect("deflate"))
    )
}

#[test]
fn hostile_links_are_errors() {
    let good = SharedReport::from_report(&report()).encode();
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("another fragment", "#section-2".into()),
        ("not base64", format!("{PREFIX}!!!*")),
        ("truncated", good[..good.len() / 2].to_string()),
        (
            "garbage inflated",
            payload(b"\xff\xff\xff\xff\xff\xff\xff\xff"),
        ),
        (
            "oversized",
            format!("{PREFIX}{}", "A".repeat(MAX_PAYLOAD + 1)),
        ),
        (
            "a bomb",
            payload(&vec![0u8; (MAX_INFLATED as usize) + 4096]),
        ),
        ("newer format", "r7.AAAA".into()),
    ];
    for (what, link) in &cases {
        let err = SharedReport::decode(link).expect_err(what);
        assert!(!err.to_string().is_empty(), "{what}");
        assert!(!err.hint().is_empty(), "{what}");
        match *what {
            "a bomb" => assert_eq!(err, ShareError::Bomb),
            "oversized" => assert!(matches!(err, ShareError::TooLong(_))),
            "newer format" => assert!(matches!(err, ShareError::NewerFormat(_))),
            "empty" | "another fragment" => assert_eq!(err, ShareError::NotALink),
            _ => assert!(matches!(err, ShareError::Damaged(_)), "{what}: {err}"),
        }
    }
    // A well-formed payload whose packages point past the string table.
    let mut bad = SharedReport::from_report(&report());
    bad.packages[0].path = 999;
    let err = SharedReport::decode(&bad.encode()).expect_err("dangling");
    assert!(err.to_string().contains("refers to a string"), "{err}");
}

#[test]
fn every_truncation_of_a_link_is_an_error_or_a_report() {
    let good = SharedReport::from_report(&report()).encode();
    for end in 0..good.len() {
        let _ = SharedReport::decode(&good[..end]);
    }
}

#[test]
fn changes_name_new_and_gone_ids() {
    let then = vec!["CVE-1".to_string(), "CVE-2".to_string()];
    let now = vec![
        "CVE-2".to_string(),
        "CVE-3".to_string(),
        "CVE-4".to_string(),
    ];
    let c = Changes::between(&then, &now, None);
    assert_eq!(c.new, vec!["CVE-3", "CVE-4"]);
    assert_eq!(c.gone, vec!["CVE-1"]);
}
