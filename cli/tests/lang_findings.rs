//! Language packages end to end: an image built here from the shared fixtures, scanned with a
//! bundle built from the real advisories in `../shared/advisories`. Checks the final-filesystem
//! rules (a later layer's deletion or rewrite wins, the writing layer is attributed) and that
//! real advisories match: Go stdlib 1.22.0 (GO-2024-2598, fixed 1.22.1), lodash 4.17.19
//! (GHSA-35jh-r3h4-6jhm, fixed 4.17.21), requests 2.25.0 (CVE-2023-32681, fixed 2.31.0).

mod common;
use common::{add_mode as add, shared};

use std::path::{Path, PathBuf};
use std::process::Command;

fn image(dir: &Path) -> PathBuf {
    let site = "usr/local/lib/python3.11/site-packages";
    let mut l0 = tar::Builder::new(Vec::new());
    add(
        &mut l0,
        "etc/os-release",
        b"ID=debian\nVERSION_ID=\"12\"\n",
        0o644,
    );
    add(
        &mut l0,
        "usr/local/bin/app",
        &std::fs::read(shared(
            "fixtures/lang/go/binary_with_module_replacement-linux-amd64",
        ))
        .expect("go"),
        0o755,
    );
    add(
        &mut l0,
        &format!("{site}/requests-2.25.0.dist-info/METADATA"),
        b"Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\n",
        0o644,
    );
    add(
        &mut l0,
        &format!("{site}/pip-22.2.2.dist-info/METADATA"),
        &std::fs::read(shared("fixtures/lang/python/distinfo_meta")).expect("pip"),
        0o644,
    );
    add(
        &mut l0,
        "srv/node_modules/lodash/package.json",
        br#"{"name": "lodash", "version": "4.17.19", "license": "MIT"}"#,
        0o644,
    );
    add(
        &mut l0,
        "srv/node_modules/ws/package.json",
        br#"{"name": "ws", "version": "7.4.0"}"#,
        0o644,
    );
    let l0 = l0.into_inner().expect("l0");
    // Layer 1: removes pip, upgrades ws, and adds a JAR.
    let mut l1 = tar::Builder::new(Vec::new());
    add(
        &mut l1,
        &format!("{site}/.wh.pip-22.2.2.dist-info"),
        b"",
        0o644,
    );
    add(
        &mut l1,
        "srv/node_modules/ws/package.json",
        br#"{"name": "ws", "version": "7.5.10"}"#,
        0o644,
    );
    add(
        &mut l1,
        "opt/lib/simple.jar",
        &std::fs::read(shared("fixtures/lang/java/simple.jar")).expect("jar"),
        0o644,
    );
    let l1 = l1.into_inner().expect("l1");
    let mut outer = tar::Builder::new(Vec::new());
    add(&mut outer, "l0/layer.tar", &l0, 0o644);
    add(&mut outer, "l1/layer.tar", &l1, 0o644);
    add(&mut outer, "c.json", br#"{"os":"linux","architecture":"amd64","history":[{"created_by":"base"},{"created_by":"upgrade"}]}"#, 0o644);
    add(
        &mut outer,
        "manifest.json",
        br#"[{"Config":"c.json","RepoTags":["lang:1"],"Layers":["l0/layer.tar","l1/layer.tar"]}]"#,
        0o644,
    );
    let path = dir.join("lang.tar");
    std::fs::write(&path, outer.into_inner().expect("image")).expect("write");
    path
}

#[test]
fn language_packages_follow_the_final_filesystem_and_match_real_advisories() {
    let dir = std::env::temp_dir().join(format!("tarsier-lang-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let img = image(&dir);
    let bundle = dir.join("b.trsb");
    let mut build = Command::new(env!("CARGO_BIN_EXE_tarsier"));
    build.args(["bundle", "build", "--out", bundle.to_str().expect("utf-8")]);
    for eco in ["Go", "npm", "PyPI"] {
        build.args([
            "--osv",
            shared(&format!("advisories/{eco}"))
                .to_str()
                .expect("utf-8"),
        ]);
    }
    let out = build.output().expect("build");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = Command::new(env!("CARGO_BIN_EXE_tarsier"))
        .args([
            "scan",
            img.to_str().expect("utf-8"),
            "--bundle",
            bundle.to_str().expect("utf-8"),
            "--format",
            "json",
        ])
        .output()
        .expect("scan");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut packages: Vec<String> = v["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            format!(
                "{} {} {} layer {} by {}",
                p["ecosystem"].as_str().unwrap_or(""),
                p["name"].as_str().unwrap_or(""),
                p["version"].as_str().unwrap_or(""),
                p["layer"],
                p["found_by"].as_str().unwrap_or("")
            )
        })
        .collect();
    packages.sort();
    assert_eq!(
        packages,
        vec![
            "Go binary_with_module_replacement  layer 0 by go/binary",
            "Go github.com/golang/xerrors v0.0.0-20220907171357-04be3eba64a2 layer 0 by go/binary",
            "Go stdlib v1.22.0 layer 0 by go/binary",
            "Maven com.some.package:package-name 1.2.3 layer 1 by java/archive",
            "PyPI requests 2.25.0 layer 0 by python/metadata",
            "npm lodash 4.17.19 layer 0 by npm/package.json",
            "npm ws 7.5.10 layer 1 by npm/package.json",
        ],
        "pip was deleted by layer 1; ws was rewritten by it"
    );
    let lodash = v["packages"]
        .as_array()
        .expect("p")
        .iter()
        .find(|p| p["name"] == "lodash")
        .expect("lodash");
    assert_eq!(lodash["purl"], "pkg:npm/lodash@4.17.19");
    assert_eq!(lodash["path"], "/srv/node_modules/lodash/package.json");
    assert_eq!(lodash["license"], "MIT");

    let findings = v["findings"].as_array().expect("findings");
    let find = |id: &str| {
        findings
            .iter()
            .find(|f| {
                f["aliases"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == id))
            })
            .unwrap_or_else(|| {
                panic!(
                    "{id} not found in {:?}",
                    findings.iter().map(|f| f["id"].clone()).collect::<Vec<_>>()
                )
            })
    };
    let go = find("GO-2024-2598");
    assert_eq!(go["package_name"], "stdlib");
    assert!(go["fixed_versions"]
        .as_array()
        .expect("fixed")
        .iter()
        .any(|x| x == "1.22.1"));
    let lodash = find("GHSA-35jh-r3h4-6jhm");
    assert_eq!(lodash["id"], "CVE-2021-23337");
    assert_eq!(lodash["fixed_versions"][0], "4.17.21");
    assert_eq!(lodash["severity"], "HIGH");
    assert!(lodash["vector"]
        .as_str()
        .is_some_and(|s| s.starts_with("CVSS:3.1/")));
    let requests = find("CVE-2023-32681");
    assert_eq!(requests["package_name"], "requests");
    assert_eq!(requests["fixed_versions"][0], "2.31.0");
    // ws 7.5.10 carries the fix for CVE-2024-37890 (GHSA-3h5v-q93c-6h6q); 7.4.0 was replaced.
    assert!(!findings
        .iter()
        .any(|f| f["package_name"] == "ws" && f["installed_version"] == "7.4.0"));
    std::fs::remove_dir_all(&dir).ok();
}
