//! `tarsier scan --format cyclonedx|spdx|sarif|csv`: every document validated with its format's
//! official tooling (cyclonedx-python-lib's strict schema validator, spdx-tools, the SARIF
//! 2.1.0 schema and Microsoft's SARIF Multitool), on an image with OS and language packages and
//! real findings. The validators are installed by scripts/setup.sh; missing ones fail the test.

mod common;
use common::{add, repo, shared, tarsier};

use std::path::{Path, PathBuf};
use std::process::Command;

fn validator_python() -> PathBuf {
    let p = PathBuf::from(std::env::var("TARSIER_VALIDATORS").unwrap_or_else(|_| {
        format!(
            "{}/.cache/tarsier/validators",
            std::env::var("HOME").unwrap_or_default()
        )
    }))
    .join("bin/python");
    assert!(
        p.exists(),
        "{} is missing: run scripts/setup.sh, which installs the validators",
        p.display()
    );
    p
}

fn image(dir: &Path) -> PathBuf {
    let mut l = tar::Builder::new(Vec::new());
    add(
        &mut l,
        "etc/os-release",
        b"ID=debian\nVERSION_ID=\"11\"\nPRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\n",
    );
    add(&mut l, "var/lib/dpkg/status", b"Package: libssl1.1\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 1.1.1n-0+deb11u3\nLicense: x\n\n");
    add(
        &mut l,
        "srv/node_modules/lodash/package.json",
        br#"{"name": "lodash", "version": "4.17.19", "license": "MIT"}"#,
    );
    add(
        &mut l,
        "srv/node_modules/evil/package.json",
        br#"{"name": "=cmd|' /C calc'!A0", "version": "1.0.0"}"#,
    );
    add(
        &mut l,
        "usr/lib/python3/dist-packages/requests-2.25.0.dist-info/METADATA",
        b"Name: requests\nVersion: 2.25.0\nLicense: Apache 2.0\n",
    );
    let l = l.into_inner().expect("layer");
    let mut outer = tar::Builder::new(Vec::new());
    add(&mut outer, "l0/layer.tar", &l);
    add(
        &mut outer,
        "c.json",
        br#"{"os":"linux","architecture":"amd64","history":[{"created_by":"base"}]}"#,
    );
    add(
        &mut outer,
        "manifest.json",
        br#"[{"Config":"c.json","RepoTags":["export:1"],"Layers":["l0/layer.tar"]}]"#,
    );
    let p = dir.join("export.tar");
    std::fs::write(&p, outer.into_inner().expect("image")).expect("write");
    p
}

fn validate(kind: &str, file: &Path) {
    let schema = repo("node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json");
    let mut cmd = Command::new(validator_python());
    cmd.arg(repo("tests/validate/validate.py"))
        .arg(kind)
        .arg(file);
    if kind == "sarif" {
        cmd.arg(&schema);
    }
    let out = cmd.output().expect("validator");
    assert!(
        out.status.success(),
        "{kind} is invalid:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_export_validates_and_carries_the_report() {
    let dir = std::env::temp_dir().join(format!("tarsier-exports-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let img = image(&dir);
    let bundle = dir.join("b.trsb");
    tarsier(&[
        "bundle",
        "build",
        "--out",
        bundle.to_str().expect("utf-8"),
        "--osv",
        shared("advisories/npm").to_str().expect("utf-8"),
        "--osv",
        shared("advisories/PyPI").to_str().expect("utf-8"),
        "--osv",
        shared("advisories/debian-security-tracker")
            .to_str()
            .expect("utf-8"),
    ]);
    let scan = |format: &str| {
        tarsier(&[
            "scan",
            img.to_str().expect("utf-8"),
            "--bundle",
            bundle.to_str().expect("utf-8"),
            "--format",
            format,
        ])
    };
    let report: serde_json::Value = serde_json::from_slice(&scan("json")).expect("json");
    let packages = report["packages"].as_array().expect("packages").len();
    let findings = report["findings"].as_array().expect("findings").len();
    // libssl1.1, requests, lodash, and a package whose name is a spreadsheet formula.
    assert_eq!(packages, 4);
    assert!(findings >= 4, "{findings}");

    let cdx_path = dir.join("bom.cdx.json");
    std::fs::write(&cdx_path, scan("cyclonedx")).expect("write");
    validate("cyclonedx", &cdx_path);
    let cdx: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cdx_path).expect("read")).expect("json");
    assert_eq!(cdx["specVersion"], "1.6");
    assert_eq!(
        cdx["components"].as_array().expect("components").len(),
        packages
    );
    assert_eq!(
        cdx["vulnerabilities"].as_array().expect("vulns").len(),
        findings
    );
    let lodash = cdx["vulnerabilities"]
        .as_array()
        .expect("v")
        .iter()
        .find(|v| v["id"] == "CVE-2021-23337")
        .expect("lodash CVE");
    assert_eq!(lodash["ratings"][0]["severity"], "high");
    assert_eq!(lodash["recommendation"], "Upgrade lodash to 4.17.21");
    let target = lodash["affects"][0]["ref"].as_str().expect("ref");
    assert!(cdx["components"]
        .as_array()
        .expect("c")
        .iter()
        .any(|c| c["bom-ref"] == target && c["purl"] == "pkg:npm/lodash@4.17.19"));
    // Same report, same document (no randomness): only the timestamp may differ.
    let again: serde_json::Value = serde_json::from_slice(&scan("cyclonedx")).expect("json");
    assert_eq!(again["serialNumber"], cdx["serialNumber"]);

    let spdx_path = dir.join("sbom.spdx.json");
    std::fs::write(&spdx_path, scan("spdx")).expect("write");
    validate("spdx", &spdx_path);
    let spdx: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&spdx_path).expect("read")).expect("json");
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    assert_eq!(
        spdx["packages"].as_array().expect("p").len(),
        packages + 1,
        "the image and its packages"
    );

    let sarif_path = dir.join("findings.sarif");
    std::fs::write(&sarif_path, scan("sarif")).expect("write");
    validate("sarif", &sarif_path);
    let multitool = repo("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    assert!(
        multitool.exists(),
        "{} is missing: run scripts/setup.sh",
        multitool.display()
    );
    let out = Command::new(&multitool)
        .arg("validate")
        .arg(&sarif_path)
        .output()
        .expect("multitool");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !text.contains(": error "),
        "SARIF Multitool:\n{text}"
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif_path).expect("read")).expect("json");
    assert_eq!(
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .len(),
        findings
    );

    let csv = String::from_utf8(scan("csv")).expect("utf-8");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), findings + 1);
    assert!(lines[0].starts_with(
        "id,aliases,severity,severity_source,score,kev_date_added,kev_due_date,kev_known_ransomware,epss,epss_percentile,package"
    ));
    assert!(
        lines.iter().any(|l| l.starts_with("CVE-2021-23337,")
            && l.contains(",lodash,npm,4.17.19,4.17.21,fixed,")),
        "{csv}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
