//! Only what is in the image (issue 14), end to end through `tarsier scan` on images built here:
//!
//! - npm lockfiles against installed packages: a project with `node_modules` reports each package
//!   once, from `node_modules` (for `package-lock.json`, `yarn.lock` and `pnpm-lock.yaml`); a
//!   package a later layer deleted from `node_modules` is gone, with its findings, though the
//!   lockfile still names it; a lockfile with nothing installed beside it is still reported,
//!   declared, and matched.
//! - binaries whatever their mode: a Go binary and a cargo-auditable binary stored 0644 are read.
//!
//! Advisories are the real ones in `../shared/advisories/npm`: lodash 4.17.19 is affected by
//! GHSA-35jh-r3h4-6jhm (fixed 4.17.21), minimist 1.2.0 by GHSA-xvch-5gv4-984h (fixed 1.2.6).

mod common;
use common::{add, add_mode, s, scan_json, shared, tarsier, temp};

use std::path::{Path, PathBuf};

/// A docker-archive of `layers` (bottom first).
fn image(dir: &Path, name: &str, layers: &[Vec<u8>]) -> PathBuf {
    let mut outer = tar::Builder::new(Vec::new());
    let mut names = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        let n = format!("l{i}/layer.tar");
        add(&mut outer, &n, layer);
        names.push(format!("\"{n}\""));
    }
    let history = vec![r#"{"created_by":"x"}"#; layers.len()].join(",");
    add(
        &mut outer,
        "c.json",
        format!(r#"{{"os":"linux","architecture":"amd64","history":[{history}]}}"#).as_bytes(),
    );
    add(
        &mut outer,
        "manifest.json",
        format!(
            r#"[{{"Config":"c.json","RepoTags":["t:1"],"Layers":[{}]}}]"#,
            names.join(",")
        )
        .as_bytes(),
    );
    let path = dir.join(name);
    std::fs::write(&path, outer.into_inner().expect("image")).expect("write");
    path
}

fn symlink(b: &mut tar::Builder<Vec<u8>>, path: &str, target: &str) {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    h.set_mode(0o777);
    h.set_mtime(0);
    b.append_link(&mut h, path, target).expect("symlink");
}

fn package_json(name: &str, version: &str) -> Vec<u8> {
    format!(r#"{{"name": "{name}", "version": "{version}"}}"#).into_bytes()
}

/// Three projects installed with npm, yarn and pnpm (lockfile and `node_modules`), and one
/// bundled application whose lockfile has nothing installed beside it.
fn base_layer() -> Vec<u8> {
    let mut l = tar::Builder::new(Vec::new());
    add(&mut l, "etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n");
    // npm: package-lock.json v3.
    add(
        &mut l,
        "srv/app/package.json",
        &package_json("app", "1.0.0"),
    );
    add(
        &mut l,
        "srv/app/package-lock.json",
        br#"{"name": "app", "lockfileVersion": 3, "packages": {
            "": {"name": "app", "version": "1.0.0"},
            "node_modules/lodash": {"version": "4.17.19"},
            "node_modules/ws": {"version": "7.4.0"},
            "node_modules/debug/node_modules/ms": {"version": "2.0.0"},
            "node_modules/debug": {"version": "2.6.9"}}}"#,
    );
    for (dir, name, version) in [
        ("lodash", "lodash", "4.17.19"),
        ("ws", "ws", "7.4.0"),
        ("debug", "debug", "2.6.9"),
        ("debug/node_modules/ms", "ms", "2.0.0"),
    ] {
        add(
            &mut l,
            &format!("srv/app/node_modules/{dir}/package.json"),
            &package_json(name, version),
        );
    }
    // npm's record of the installed tree is not a package of its own.
    add(
        &mut l,
        "srv/app/node_modules/.package-lock.json",
        br#"{"lockfileVersion": 3, "packages": {"node_modules/lodash": {"version": "4.17.19"}}}"#,
    );
    // yarn v1.
    add(
        &mut l,
        "srv/yarn-app/yarn.lock",
        b"# yarn lockfile v1\n\n\"@babel/code-frame@^7.0.0\":\n  version \"7.12.13\"\n\nchalk@^2.0.0:\n  version \"2.4.2\"\n",
    );
    add(
        &mut l,
        "srv/yarn-app/node_modules/@babel/code-frame/package.json",
        &package_json("@babel/code-frame", "7.12.13"),
    );
    add(
        &mut l,
        "srv/yarn-app/node_modules/chalk/package.json",
        &package_json("chalk", "2.4.2"),
    );
    // pnpm: packages in the .pnpm store, linked from node_modules.
    add(
        &mut l,
        "srv/pnpm-app/pnpm-lock.yaml",
        b"lockfileVersion: '6.0'\n\ndependencies:\n  semver:\n    specifier: 7.5.0\n\npackages:\n\n  /semver@7.5.0:\n    resolution: {integrity: x}\n",
    );
    add(
        &mut l,
        "srv/pnpm-app/node_modules/.pnpm/semver@7.5.0/node_modules/semver/package.json",
        &package_json("semver", "7.5.0"),
    );
    symlink(
        &mut l,
        "srv/pnpm-app/node_modules/semver",
        ".pnpm/semver@7.5.0/node_modules/semver",
    );
    // A bundled application: a lockfile, nothing installed.
    add(
        &mut l,
        "srv/bundled/package-lock.json",
        br#"{"lockfileVersion": 3, "packages": {
            "": {"name": "bundled", "version": "2.0.0"},
            "node_modules/minimist": {"version": "1.2.0"}}}"#,
    );
    l.into_inner().expect("layer")
}

fn npm_bundle(dir: &Path) -> PathBuf {
    let bundle = dir.join("npm.trsb");
    tarsier(&[
        "bundle",
        "build",
        "--out",
        s(&bundle),
        "--osv",
        s(&shared("advisories/npm")),
    ]);
    bundle
}

/// `ecosystem name version found_by notes` of every language package, sorted.
fn npm_packages(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = report["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["ecosystem"] == "npm")
        .map(|p| {
            format!(
                "{} {} {} {}{}",
                p["name"].as_str().unwrap_or(""),
                p["version"].as_str().unwrap_or(""),
                p["path"].as_str().unwrap_or(""),
                p["found_by"].as_str().unwrap_or(""),
                p["notes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|n| n.as_str())
                    .map(|n| format!(" ({n})"))
                    .collect::<String>()
            )
        })
        .collect();
    v.sort();
    v
}

fn finding_packages(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["package_name"].as_str().unwrap_or(""),
                f["installed_version"].as_str().unwrap_or("")
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn installed_projects_report_node_modules_once_and_bundled_lockfiles_stay_declared() {
    let dir = temp("only-npm");
    let bundle = npm_bundle(&dir);
    let img = image(&dir, "npm.tar", &[base_layer()]);
    let report = scan_json(&[s(&img), "--bundle", s(&bundle)]);
    assert_eq!(
        npm_packages(&report),
        vec![
            "@babel/code-frame 7.12.13 /srv/yarn-app/node_modules/@babel/code-frame/package.json npm/package.json",
            "app 1.0.0 /srv/app/package.json npm/package.json (application)",
            "chalk 2.4.2 /srv/yarn-app/node_modules/chalk/package.json npm/package.json",
            "debug 2.6.9 /srv/app/node_modules/debug/package.json npm/package.json",
            "lodash 4.17.19 /srv/app/node_modules/lodash/package.json npm/package.json",
            "minimist 1.2.0 /srv/bundled/package-lock.json npm/lockfile (declared in lockfile)",
            "ms 2.0.0 /srv/app/node_modules/debug/node_modules/ms/package.json npm/package.json",
            "semver 7.5.0 /srv/pnpm-app/node_modules/.pnpm/semver@7.5.0/node_modules/semver/package.json npm/package.json",
            "ws 7.4.0 /srv/app/node_modules/ws/package.json npm/package.json",
        ],
        "each installed package once, from node_modules; the bundled lockfile declared"
    );
    let findings = finding_packages(&report);
    for want in ["lodash 4.17.19", "minimist 1.2.0"] {
        assert!(
            findings.iter().any(|f| f == want),
            "no finding on {want}: {findings:?}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_package_deleted_from_node_modules_is_gone_though_the_lockfile_names_it() {
    let dir = temp("only-npm-deleted");
    let bundle = npm_bundle(&dir);
    let mut top = tar::Builder::new(Vec::new());
    add(&mut top, "srv/app/node_modules/.wh.lodash", b"");
    let img = image(
        &dir,
        "deleted.tar",
        &[base_layer(), top.into_inner().expect("layer")],
    );
    let report = scan_json(&[s(&img), "--bundle", s(&bundle)]);
    let packages = npm_packages(&report);
    assert!(
        !packages.iter().any(|p| p.starts_with("lodash ")),
        "lodash was deleted by layer 1: {packages:#?}"
    );
    // The rest of the project is still installed, once each.
    assert_eq!(
        packages.iter().filter(|p| p.contains("/srv/app/")).count(),
        4,
        "{packages:#?}"
    );
    let findings = finding_packages(&report);
    assert!(
        !findings.iter().any(|f| f.starts_with("lodash ")),
        "a finding on the deleted lodash: {findings:?}"
    );
    assert!(
        findings.iter().any(|f| f == "minimist 1.2.0"),
        "{findings:?}"
    );

    // Deleting the whole node_modules leaves a project with nothing installed: its lockfile is
    // what remains, declared.
    let mut top = tar::Builder::new(Vec::new());
    add(&mut top, "srv/app/.wh.node_modules", b"");
    let img = image(
        &dir,
        "no-modules.tar",
        &[base_layer(), top.into_inner().expect("layer")],
    );
    let report = scan_json(&[s(&img)]);
    let app: Vec<String> = npm_packages(&report)
        .into_iter()
        .filter(|p| p.contains("/srv/app/"))
        .collect();
    assert_eq!(
        app,
        vec![
            "app 1.0.0 /srv/app/package.json npm/package.json (application)",
            "debug 2.6.9 /srv/app/package-lock.json npm/lockfile (declared in lockfile)",
            "lodash 4.17.19 /srv/app/package-lock.json npm/lockfile (declared in lockfile)",
            "ms 2.0.0 /srv/app/package-lock.json npm/lockfile (declared in lockfile)",
            "ws 7.4.0 /srv/app/package-lock.json npm/lockfile (declared in lockfile)",
        ]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn binaries_without_the_execute_bit_are_read() {
    let dir = temp("only-binaries");
    let go = std::fs::read(shared(
        "fixtures/lang/go/binary_with_module_replacement-linux-amd64",
    ))
    .expect("go fixture");
    let rust = std::fs::read(shared("fixtures/lang/rust/uses_serde_json")).expect("rust fixture");
    let mut l = tar::Builder::new(Vec::new());
    add_mode(&mut l, "opt/tools/goapp", &go, 0o644);
    add_mode(&mut l, "opt/tools/uses_serde_json", &rust, 0o600);
    // The same bytes under a data file's name are not looked at unless executable.
    add_mode(&mut l, "opt/data/blob.json", &go, 0o644);
    add_mode(&mut l, "opt/data/run.dat", &go, 0o755);
    // Data files of any size: not binaries, nothing found, no warning.
    add_mode(&mut l, "opt/data/big", &vec![b'x'; 100_000], 0o644);
    let img = image(&dir, "binaries.tar", &[l.into_inner().expect("layer")]);
    let report = scan_json(&[s(&img)]);
    let mut got: Vec<String> = report["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {}",
                p["path"].as_str().unwrap_or(""),
                p["ecosystem"].as_str().unwrap_or(""),
                p["name"].as_str().unwrap_or(""),
                p["version"].as_str().unwrap_or("")
            )
        })
        .collect();
    got.sort();
    let mut want = Vec::new();
    for path in ["/opt/data/run.dat", "/opt/tools/goapp"] {
        for m in [
            "Go binary_with_module_replacement ",
            "Go github.com/golang/xerrors v0.0.0-20220907171357-04be3eba64a2",
            "Go stdlib v1.22.0",
        ] {
            want.push(format!("{path} {m}"));
        }
    }
    for c in [
        "itoa 1.0.14",
        "memchr 2.7.4",
        "proc-macro2 1.0.92",
        "quote 1.0.38",
        "ryu 1.0.18",
        "serde 1.0.217",
        "serde_derive 1.0.217",
        "serde_json 1.0.135",
        "syn 2.0.95",
        "unicode-ident 1.0.14",
        "uses_json 0.1.0",
    ] {
        want.push(format!("/opt/tools/uses_serde_json crates.io {c}"));
    }
    want.sort();
    assert_eq!(got, want);
    assert_eq!(
        report["warnings"].as_array().map(Vec::len),
        Some(0),
        "{}",
        report["warnings"]
    );
    std::fs::remove_dir_all(&dir).ok();
}
