//! `tarsier bundle build` and `tarsier scan --bundle`: findings for an image built here from a
//! dpkg database, against advisories written here (expected results worked out by hand).

mod common;
use common::{add, run as tarsier};

use std::path::{Path, PathBuf};

fn image(dir: &Path) -> PathBuf {
    let mut layer = tar::Builder::new(Vec::new());
    add(
        &mut layer,
        "etc/os-release",
        b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
    );
    add(
        &mut layer,
        "var/lib/dpkg/status",
        b"Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u1\n\n\
Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n\n",
    );
    let layer = layer.into_inner().expect("layer");
    let mut outer = tar::Builder::new(Vec::new());
    add(&mut outer, "l0/layer.tar", &layer);
    add(
        &mut outer,
        "c.json",
        br#"{"os":"linux","architecture":"amd64","history":[{"created_by":"base"}]}"#,
    );
    add(
        &mut outer,
        "manifest.json",
        br#"[{"Config":"c.json","RepoTags":["t:1"],"Layers":["l0/layer.tar"]}]"#,
    );
    let path = dir.join("image.tar");
    std::fs::write(&path, outer.into_inner().expect("image")).expect("write");
    path
}

#[test]
fn bundle_build_then_scan_reports_findings() {
    let dir = std::env::temp_dir().join(format!("tarsier-findings-{}", std::process::id()));
    let osv = dir.join("osv");
    std::fs::create_dir_all(osv.join("nested")).expect("mkdir");
    // openssl in Debian 12 fixed in 3.0.13-1~deb12u1: libssl3 3.0.11-1~deb12u1 is affected.
    std::fs::write(
        osv.join("DEBIAN-CVE-2024-0727.json"),
        r#"{"id":"DEBIAN-CVE-2024-0727","aliases":["CVE-2024-0727"],"summary":"openssl: denial of service via null dereference",
            "database_specific":{"severity":"MEDIUM"},
            "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.13-1~deb12u1"}]}]}]}"#,
    )
    .expect("write");
    // zlib fixed at 1:1.2.13.dfsg-1 exactly: zlib1g at that version is not affected.
    std::fs::write(
        osv.join("nested/DEBIAN-CVE-2022-37434.json"),
        r#"{"id":"DEBIAN-CVE-2022-37434","affected":[{"package":{"ecosystem":"Debian:12","name":"zlib"},
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:1.2.13.dfsg-1"}]}]}]}"#,
    )
    .expect("write");
    // A malformed file is skipped and counted, not fatal.
    std::fs::write(osv.join("broken.json"), "{ not json").expect("write");
    let bundle = dir.join("test.bundle");
    let out = tarsier(&[
        "bundle",
        "build",
        "--osv",
        osv.to_str().expect("path"),
        "--out",
        bundle.to_str().expect("path"),
        "--built",
        "2026-11-22T00:00:00Z",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2 records") && text.contains("malformed records skipped: 1"),
        "{text}"
    );

    let img = image(&dir);
    let out = tarsier(&[
        "scan",
        img.to_str().expect("path"),
        "--bundle",
        bundle.to_str().expect("path"),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["id"], "CVE-2024-0727");
    assert_eq!(f["package_name"], "libssl3");
    assert_eq!(f["installed_version"], "3.0.11-1~deb12u1");
    assert_eq!(f["fixed_versions"][0], "3.0.13-1~deb12u1");
    assert_eq!(f["severity"], "MEDIUM");
    assert_eq!(f["layer"], 0);
    assert_eq!(v["bundle"]["built"], "2026-11-22T00:00:00Z");

    // A damaged bundle is refused with a message, before any scanning.
    let mut bytes = std::fs::read(&bundle).expect("read");
    let n = bytes.len();
    bytes[n - 3] ^= 0xff;
    std::fs::write(&bundle, bytes).expect("write");
    let out = tarsier(&[
        "scan",
        img.to_str().expect("path"),
        "--bundle",
        bundle.to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("damaged"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}
