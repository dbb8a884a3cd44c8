//! OS package databases: the shared dpkg and apk fixtures, distro-aware purls, and attribution of
//! each package to the layer that introduced it at its version.

use std::path::PathBuf;

use scanner_core::distro::{detect, Distro};
use scanner_core::extract::os::{apk::ApkInstalled, dpkg::DpkgStatus};
use scanner_core::extract::{ExtractInput, Extracted, Extractor, Selector};
use scanner_core::source::reader::{ChunkSizes, ChunkedReader};
use scanner_core::{scan_image, InspectOptions, Limits};

fn fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/os")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("fixture {} is missing: {e}", p.display()))
}

fn debian12() -> Distro {
    detect(&|p| (p == "etc/os-release").then(|| b"ID=debian\nVERSION_ID=\"12\"\n".to_vec()))
        .expect("distro")
}

fn run(e: &dyn Extractor, path: &str, data: &[u8], distro: Option<&Distro>) -> Extracted {
    e.extract(&ExtractInput { path, data, distro })
}

fn names(x: &Extracted) -> Vec<String> {
    x.packages
        .iter()
        .map(|p| format!("{}={}", p.name, p.version))
        .collect()
}

#[test]
fn dpkg_valid_status_lists_every_installed_package() {
    let data = fixture("dpkg/valid");
    let text = String::from_utf8_lossy(&data);
    // Expected: every paragraph whose Status ends in "installed", read straight from the file.
    let expected: Vec<String> = text
        .split("\n\n")
        .filter(|p| {
            p.lines()
                .any(|l| l.starts_with("Status:") && l.trim_end().ends_with(" installed"))
        })
        .map(|p| {
            let field = |k: &str| {
                p.lines()
                    .find_map(|l| l.strip_prefix(k))
                    .map(str::trim)
                    .unwrap_or("")
                    .to_string()
            };
            format!("{}={}", field("Package:"), field("Version:"))
        })
        .collect();
    let d = debian12();
    let x = run(&DpkgStatus, "var/lib/dpkg/status", &data, Some(&d));
    assert!(!expected.is_empty());
    assert_eq!(names(&x), expected);
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    let acl = x.packages.iter().find(|p| p.name == "acl").expect("acl");
    assert_eq!(
        acl.purl,
        "pkg:deb/debian/acl@2.3.1-3?arch=amd64&distro=debian-12"
    );
    assert_eq!(acl.ecosystem, "Debian:12");
    assert_eq!(
        (acl.source_name.as_str(), acl.source_version.as_str()),
        ("acl", "2.3.1-3")
    );
}

#[test]
fn dpkg_status_field_and_source_versions() {
    // The fixture names each entry for its state: want*_installed are installed, the rest not.
    let x = run(
        &DpkgStatus,
        "var/lib/dpkg/status",
        &fixture("dpkg/statusfield"),
        None,
    );
    assert_eq!(
        names(&x),
        vec![
            "wantinstall_installed=1.0",
            "wantdeinstall_installed=1.0",
            "wantpurge_installed=1.0"
        ]
    );
    let x = run(
        &DpkgStatus,
        "var/lib/dpkg/status",
        &fixture("dpkg/transitional"),
        None,
    );
    let p = &x.packages[0];
    assert_eq!(
        (p.name.as_str(), p.source_name.as_str()),
        ("iceweasel", "firefox-esr")
    );
    assert_eq!(p.source_version, "78.13.0esr-1~deb10u1");
    assert_eq!(p.notes, vec!["transitional"]);
    // `Source: name (version)` gives a different source version.
    let para = b"Package: libfoo1\nStatus: install ok installed\nVersion: 1.2-3+b1\nSource: foo (1.2-3)\nArchitecture: amd64\n";
    let x = run(&DpkgStatus, "var/lib/dpkg/status", para, None);
    assert_eq!(
        (
            x.packages[0].source_name.as_str(),
            x.packages[0].source_version.as_str()
        ),
        ("foo", "1.2-3")
    );
}

#[test]
fn dpkg_distroless_status_d_and_bad_files() {
    let x = run(
        &DpkgStatus,
        "var/lib/dpkg/status.d/foo",
        &fixture("dpkg/status.d/foo"),
        None,
    );
    // foo has no Status (distroless: installed); bar says deinstall.
    assert_eq!(names(&x), vec!["foo=1.2.3"]);
    assert!(DpkgStatus.file_required("var/lib/dpkg/status.d/foo", 1));
    assert!(!DpkgStatus.file_required("var/lib/dpkg/status.d/foo.md5sums", 1));
    assert!(!DpkgStatus.file_required("var/lib/dpkg/status-old", 1));
    for bad in ["dpkg/invalid", "dpkg/nopackage", "dpkg/noversion"] {
        let x = run(&DpkgStatus, "var/lib/dpkg/status", &fixture(bad), None);
        assert!(!x.warnings.is_empty(), "{bad}: expected a warning");
    }
    let x = run(
        &DpkgStatus,
        "var/lib/dpkg/status",
        &fixture("dpkg/nopackage"),
        None,
    );
    assert_eq!(
        names(&x),
        vec!["foo=1.0", "bar=2.0"],
        "what did parse is kept"
    );
    assert!(run(
        &DpkgStatus,
        "var/lib/dpkg/status",
        &fixture("dpkg/empty"),
        None
    )
    .packages
    .is_empty());
    let x = run(
        &DpkgStatus,
        "var/lib/dpkg/status",
        &fixture("dpkg/trailingnewlines"),
        None,
    );
    assert_eq!(x.packages.len(), 1);
}

#[test]
fn apk_installed_database() {
    let data = fixture("apk/installed");
    let text = String::from_utf8_lossy(&data);
    let expected: Vec<String> = text
        .split("\n\n")
        .filter(|r| r.contains("P:"))
        .map(|r| {
            let f = |k: &str| {
                r.lines()
                    .find_map(|l| l.strip_prefix(k))
                    .unwrap_or("")
                    .to_string()
            };
            format!("{}={}", f("P:"), f("V:"))
        })
        .collect();
    let d =
        detect(&|p| (p == "etc/os-release").then(|| b"ID=alpine\nVERSION_ID=3.18.4\n".to_vec()))
            .expect("alpine");
    let x = run(&ApkInstalled, "lib/apk/db/installed", &data, Some(&d));
    assert_eq!(names(&x), expected);
    assert!(x.packages.len() > 10);
    let musl = x.packages.iter().find(|p| p.name == "musl").expect("musl");
    assert_eq!(musl.ecosystem, "Alpine:v3.18");
    assert!(
        musl.purl.starts_with("pkg:apk/alpine/musl@"),
        "{}",
        musl.purl
    );
    assert!(musl.purl.contains("distro=alpine-3.18.4"));
    let data_pkg = x
        .packages
        .iter()
        .find(|p| p.name == "alpine-baselayout-data")
        .expect("data");
    assert_eq!(data_pkg.source_name, "alpine-baselayout");
    assert!(data_pkg.license.is_some());

    let x = run(
        &ApkInstalled,
        "lib/apk/db/installed",
        &fixture("apk/no-origin"),
        None,
    );
    assert_eq!(x.packages[0].source_name, "pkgname");
    let x = run(
        &ApkInstalled,
        "lib/apk/db/installed",
        &fixture("apk/invalid"),
        None,
    );
    assert!(x.packages.is_empty() && !x.warnings.is_empty());
    let x = run(
        &ApkInstalled,
        "lib/apk/db/installed",
        &fixture("apk/different-arch"),
        None,
    );
    assert!(x
        .packages
        .iter()
        .any(|p| p.arch.as_deref() == Some("noarch")));
}

// ---- attribution in a built image ----------------------------------------------------------

fn layer(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (p, d) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(d.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, p, *d).expect("append");
    }
    b.into_inner().expect("layer")
}

fn image(layers: &[Vec<u8>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |path: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, data).expect("member");
    };
    let mut paths = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let p = format!("l{i}/layer.tar");
        add(&p, l);
        paths.push(p);
    }
    add("config.json", br#"{"os":"linux","architecture":"amd64"}"#);
    add(
        "manifest.json",
        serde_json::to_vec(
            &serde_json::json!([{"Config": "config.json", "RepoTags": ["t:1"], "Layers": paths}]),
        )
        .expect("json")
        .as_slice(),
    );
    b.into_inner().expect("image")
}

fn status(pkgs: &[(&str, &str)]) -> Vec<u8> {
    pkgs.iter()
        .map(|(n, v)| {
            format!(
                "Package: {n}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {v}\n\n"
            )
        })
        .collect::<String>()
        .into_bytes()
}

#[test]
fn packages_are_attributed_to_the_layer_that_introduced_their_version() {
    let os = b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
    let bytes = image(&[
        layer(&[
            ("usr/lib/os-release", os),
            (
                "var/lib/dpkg/status",
                &status(&[("libc6", "2.36-9"), ("openssl", "3.0.11-1~deb12u1")]),
            ),
        ]),
        // An unrelated layer: the database is untouched.
        layer(&[("srv/app.py", b"print(1)")]),
        // An upgrade of openssl and a new package.
        layer(&[(
            "var/lib/dpkg/status",
            &status(&[
                ("libc6", "2.36-9"),
                ("openssl", "3.0.16-1~deb12u1"),
                ("curl", "7.88.1-10"),
            ]),
        )]),
        // Rewritten again with nothing changed.
        layer(&[(
            "var/lib/dpkg/status",
            &status(&[
                ("libc6", "2.36-9"),
                ("openssl", "3.0.16-1~deb12u1"),
                ("curl", "7.88.1-10"),
            ]),
        )]),
    ]);
    let mut r = ChunkedReader::new(bytes, ChunkSizes::NATIVE);
    let s = scan_image(
        &mut r,
        &InspectOptions::default(),
        &Limits::default(),
        &Selector::default(),
        &mut |_| {},
    )
    .expect("scan");
    let d = s.distro.as_ref().expect("distro from usr/lib/os-release");
    assert_eq!((d.id.as_str(), d.release().as_str()), ("debian", "12"));
    let layer_of = |n: &str| {
        s.packages
            .iter()
            .find(|p| p.name == n)
            .map(|p| (p.version.clone(), p.layer))
    };
    assert_eq!(layer_of("libc6"), Some(("2.36-9".into(), 0)));
    assert_eq!(layer_of("openssl"), Some(("3.0.16-1~deb12u1".into(), 2)));
    assert_eq!(layer_of("curl"), Some(("7.88.1-10".into(), 2)));
    assert!(s
        .packages
        .iter()
        .all(|p| p.path == "/var/lib/dpkg/status" && p.found_by == "os/dpkg"));
}

// ---- rpm: all three backends against what real `rpm -qa` printed ------------------------------

fn rpm_rows(db: &str) -> (Vec<String>, Extracted) {
    use scanner_core::extract::os::rpm::RpmDatabase;
    let data = fixture(&format!("rpm/{db}"));
    let x = run(&RpmDatabase, "var/lib/rpm/rpmdb.sqlite", &data, None);
    // NAME EPOCH VERSION RELEASE ARCH SOURCERPM MODULARITYLABEL, as the fixture lists them.
    let mut rows: Vec<String> = x
        .packages
        .iter()
        .map(|p| {
            let (epoch, vr) = match p.version.split_once(':') {
                Some((e, vr)) => (e.to_string(), vr.to_string()),
                None => ("0".to_string(), p.version.clone()),
            };
            let (version, release) = vr.rsplit_once('-').expect("version-release");
            let srpm = p
                .purl
                .split_once('?')
                .map(|_| format!("{}-{}.src.rpm", p.source_name, p.source_version))
                .unwrap_or_default();
            let module = p
                .notes
                .iter()
                .find_map(|n| n.strip_prefix("modularitylabel="))
                .unwrap_or("(none)");
            format!(
                "{}\t{epoch}\t{version}\t{release}\t{}\t{srpm}\t{module}",
                p.name,
                p.arch.as_deref().unwrap_or("")
            )
        })
        .collect();
    rows.sort();
    (rows, x)
}

fn expected_rows(db: &str) -> Vec<String> {
    let text = String::from_utf8(fixture(&format!("rpm/{db}.expected.tsv"))).expect("utf-8");
    let mut rows: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    rows.sort();
    rows
}

#[test]
fn rpm_sqlite_matches_rpm_qa() {
    let (rows, x) = rpm_rows("cbl-mariner-2.0-rpmdb.sqlite");
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    assert_eq!(rows, expected_rows("cbl-mariner-2.0-rpmdb.sqlite"));
}

#[test]
fn rpm_ndb_matches_rpm_qa() {
    let (rows, x) = rpm_rows("sle15-bci-ndb-Packages.db");
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    assert_eq!(rows, expected_rows("sle15-bci-ndb-Packages.db"));
}

#[test]
fn rpm_berkeley_db_matches_rpm_qa() {
    for db in ["libuuid-bdb-Packages", "epoch-bdb-Packages"] {
        let (rows, x) = rpm_rows(db);
        assert!(x.warnings.is_empty(), "{db}: {:?}", x.warnings);
        assert_eq!(rows, expected_rows(db), "{db}");
    }
}

#[test]
fn rpm_epoch_is_put_back_into_the_version_and_purl() {
    let (_, x) = rpm_rows("epoch-bdb-Packages");
    let p = &x.packages[0];
    assert_eq!(p.version, "1:0.0.1-rls");
    assert!(p.purl.contains("epoch=1"), "{}", p.purl);
}

#[test]
fn damaged_rpm_databases_are_warnings() {
    use scanner_core::extract::os::rpm::RpmDatabase;
    for db in [
        "cbl-mariner-2.0-rpmdb.sqlite",
        "sle15-bci-ndb-Packages.db",
        "libuuid-bdb-Packages",
    ] {
        let mut data = fixture(&format!("rpm/{db}"));
        let n = data.len();
        data.truncate(n * 2 / 3);
        let x = run(&RpmDatabase, "var/lib/rpm/Packages", &data, None);
        assert!(!x.warnings.is_empty() || !x.packages.is_empty(), "{db}");
        let mut data = fixture(&format!("rpm/{db}"));
        for b in data.iter_mut().skip(200).step_by(97) {
            *b ^= 0x5a;
        }
        let _ = run(&RpmDatabase, "var/lib/rpm/Packages", &data, None);
    }
    let x = run(
        &RpmDatabase,
        "var/lib/rpm/Packages",
        b"definitely not a database",
        None,
    );
    assert!(x.packages.is_empty() && !x.warnings.is_empty());
}
