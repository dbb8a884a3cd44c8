//! Language packages from the real fixtures in `../shared/fixtures/lang`: each extractor on its
//! files, the binary sink fed in chunks of several sizes, and a whole image holding them.

use std::path::PathBuf;

use scanner_core::extract::lang::binary::BinarySink;
use scanner_core::extract::lang::{dotnet, java, npm, php, python, ruby};
use scanner_core::extract::{ExtractInput, Extracted, Extractor};
use scanner_core::layer::BodySink;

fn fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/lang")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{} is missing: {e}", p.display()))
}

fn run(e: &dyn Extractor, path: &str, data: &[u8]) -> Extracted {
    assert!(
        e.file_required(path, data.len() as u64),
        "{} does not want {path}",
        e.name()
    );
    e.extract(&ExtractInput {
        path,
        data,
        distro: None,
    })
}

fn names(x: &Extracted) -> Vec<String> {
    let mut v: Vec<String> = x
        .packages
        .iter()
        .map(|p| format!("{} {} {}", p.ecosystem, p.name, p.version))
        .collect();
    v.sort();
    v
}

#[test]
fn python_metadata_files() {
    let site = "usr/lib/python3/dist-packages";
    for (file, path, want) in [
        (
            "distinfo_meta",
            format!("{site}/pip-22.2.2.dist-info/METADATA"),
            "PyPI pip 22.2.2",
        ),
        (
            "egginfo",
            format!("{site}/pycups-2.0.1.egg-info"),
            "PyPI pycups 2.0.1",
        ),
        (
            "egginfo_pkginfo",
            format!("{site}/setuptools.egg-info/PKG-INFO"),
            "PyPI setuptools 57.4.0",
        ),
        (
            "pkginfo",
            "opt/venv/lib/python3.9/site-packages/httplib2.egg-info/PKG-INFO".to_string(),
            "PyPI httplib2 0.20.4",
        ),
        // Lower-case header names are accepted.
        (
            "mixed_case",
            format!("{site}/httplib2-1.0.dist-info/METADATA"),
            "PyPI httplib2 1.0",
        ),
        (
            "malformed_pkginfo",
            format!("{site}/passlib.egg-info/PKG-INFO"),
            "PyPI passlib 1.7.4",
        ),
        (
            "pyopenssl-26.0.0.dist-info",
            format!("{site}/pyOpenSSL-26.0.0.dist-info/METADATA"),
            "PyPI pyOpenSSL 26.0.0",
        ),
        (
            "special_chars",
            format!("{site}/x.dist-info/METADATA"),
            "PyPI backports.ssl_match_hostname",
        ),
    ] {
        let found = run(
            &python::PythonMetadata,
            &path,
            &fixture(&format!("python/{file}")),
        );
        assert_eq!(found.packages.len(), 1, "{file}: {:?}", found.warnings);
        assert!(
            names(&found)[0].starts_with(want),
            "{file}: {:?}",
            names(&found)
        );
    }
    // The purl uses the PEP 503 name; the name keeps its spelling.
    let found = run(
        &python::PythonMetadata,
        "x/pyOpenSSL-26.0.0.dist-info/METADATA",
        &fixture("python/pyopenssl-26.0.0.dist-info"),
    );
    assert_eq!(found.packages[0].purl, "pkg:pypi/pyopenssl@26.0.0");
    // A file without the headers is a warning, not a package.
    let bad = run(
        &python::PythonMetadata,
        "x/a.dist-info/METADATA",
        b"Summary: nothing\n",
    );
    assert!(bad.packages.is_empty() && bad.warnings.len() == 1);
}

#[test]
fn python_egg_archive() {
    let found = run(
        &python::PythonEgg,
        "usr/lib/python3.10/site-packages/monotonic-1.6-py3.10.egg",
        &fixture("python/monotonic-1.6-py3.10.egg"),
    );
    assert_eq!(names(&found), vec!["PyPI monotonic 1.6"]);
    let broken = run(&python::PythonEgg, "x/broken.egg", b"PK\x03\x04 not really");
    assert!(broken.packages.is_empty() && !broken.warnings.is_empty());
}

#[test]
fn npm_package_json_installed_and_application() {
    let installed = run(
        &npm::NpmPackageJson,
        "app/node_modules/testdata/package.json",
        &fixture("npm/package.json"),
    );
    assert_eq!(names(&installed), vec!["npm testdata 10.46.8"]);
    assert!(installed.packages[0].notes.is_empty());
    let app = run(
        &npm::NpmPackageJson,
        "app/package.json",
        &fixture("npm/duplicate-keys.json"),
    );
    assert_eq!(names(&app), vec!["npm duplicate-keys 1.0.0"]);
    assert_eq!(app.packages[0].notes, vec!["application"]);
    let undici = run(
        &npm::NpmPackageJson,
        "usr/lib/node_modules/undici/package.json",
        &fixture("npm/undici-package.json"),
    );
    assert_eq!(undici.packages.len(), 1);
    assert_eq!(undici.packages[0].name, "undici");
    // A placeholder without a version, and a file that is not JSON: no packages.
    let invalid = run(
        &npm::NpmPackageJson,
        "app/node_modules/x/package.json",
        &fixture("npm/invalid"),
    );
    assert!(invalid.packages.is_empty() && !invalid.warnings.is_empty());
    // Files inside a package that are not its own package.json are not read.
    assert!(!npm::NpmPackageJson.file_required("app/node_modules/x/lib/package.json", 10));
    // Scoped packages get a purl namespace.
    let scoped = run(
        &npm::NpmPackageJson,
        "app/node_modules/@babel/core/package.json",
        br#"{"name": "@babel/core", "version": "7.1.0"}"#,
    );
    assert_eq!(scoped.packages[0].purl, "pkg:npm/%40babel/core@7.1.0");
}

#[test]
fn npm_lockfiles_are_declared_dependencies() {
    let v3 = br#"{"lockfileVersion": 3, "packages": {
        "": {"name": "app", "version": "1.0.0"},
        "node_modules/lodash": {"version": "4.17.19"},
        "node_modules/a/node_modules/ms": {"version": "2.0.0"},
        "node_modules/local": {"resolved": "../local", "link": true}}}"#;
    let found = run(&npm::NpmLockfile, "srv/app/package-lock.json", v3);
    assert_eq!(names(&found), vec!["npm lodash 4.17.19", "npm ms 2.0.0"]);
    assert!(found
        .packages
        .iter()
        .all(|p| p.notes == vec![npm::DECLARED]));
    let v1 = br#"{"lockfileVersion": 1, "dependencies": {
        "express": {"version": "4.16.0", "dependencies": {"qs": {"version": "6.5.1"}}}}}"#;
    assert_eq!(
        names(&run(&npm::NpmLockfile, "app/package-lock.json", v1)),
        vec!["npm express 4.16.0", "npm qs 6.5.1"]
    );
    let yarn = b"# yarn lockfile v1\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.12.13\"\n  resolved \"x\"\n\nlodash@^4.17.0:\n  version \"4.17.21\"\n";
    assert_eq!(
        names(&run(&npm::NpmLockfile, "app/yarn.lock", yarn)),
        vec!["npm @babel/code-frame 7.12.13", "npm lodash 4.17.21"]
    );
    let pnpm = b"lockfileVersion: '6.0'\n\ndependencies:\n  ws:\n    specifier: 7.4.0\n\npackages:\n\n  /ws@7.4.0:\n    resolution: {integrity: x}\n\n  /@types/node@20.1.0:\n    dev: true\n";
    assert_eq!(
        names(&run(&npm::NpmLockfile, "app/pnpm-lock.yaml", pnpm)),
        vec!["npm @types/node 20.1.0", "npm ws 7.4.0"]
    );
    // npm's own cache of the installed tree is not a declaration.
    assert!(!npm::NpmLockfile.file_required("app/node_modules/.package-lock.json", 10));
}

#[test]
fn java_archives_pom_properties_and_nesting() {
    let simple = run(
        &java::JavaArchive,
        "app/lib/simple.jar",
        &fixture("java/simple.jar"),
    );
    assert_eq!(
        names(&simple),
        vec!["Maven com.some.package:package-name 1.2.3"]
    );
    assert_eq!(
        simple.packages[0].purl,
        "pkg:maven/com.some.package/package-name@1.2.3"
    );
    let no_group = run(
        &java::JavaArchive,
        "a.jar",
        &fixture("java/pom_missing_group_id.jar"),
    );
    assert_eq!(
        names(&no_group),
        vec!["Maven package-name:package-name 1.2.3"]
    );
    let nested = run(
        &java::JavaArchive,
        "app/nested.jar",
        &fixture("java/nested_at_10.jar"),
    );
    assert_eq!(
        names(&nested),
        vec!["Maven com.some.package:package-name 1.2.3"]
    );
    assert!(nested.packages[0].notes[0].starts_with("inside /app/nested.jar!/nested.jar!/"));
    // 100 deep: stops at the nesting limit with a warning, no panic, no stack overflow.
    let deep = run(
        &java::JavaArchive,
        "deep.jar",
        &fixture("java/nested_at_100.jar"),
    );
    assert!(deep.packages.is_empty());
    assert!(
        deep.warnings
            .iter()
            .any(|w| w.contains("nested deeper than")),
        "{:?}",
        deep.warnings
    );
    for bad in ["no_pom_properties.jar", "empty.jar", "invalid_jar.jar"] {
        let found = run(&java::JavaArchive, bad, &fixture(&format!("java/{bad}")));
        assert!(found.packages.is_empty(), "{bad}");
    }
    assert!(!run(
        &java::JavaArchive,
        "i.jar",
        &fixture("java/invalid_jar.jar")
    )
    .warnings
    .is_empty());
}

#[test]
fn java_zip_bomb_is_bounded() {
    // One entry declaring 1 KiB that inflates to 100 MiB of zeros.
    use std::io::Write;
    let zeros = vec![0u8; 100 << 20];
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&zeros).expect("deflate");
    let deflated = z.finish().expect("deflate");
    let name = b"a.jar";
    let mut zip = Vec::new();
    zip.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00");
    zip.extend_from_slice(&(deflated.len() as u32).to_le_bytes());
    zip.extend_from_slice(&1024u32.to_le_bytes());
    zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    zip.extend_from_slice(name);
    zip.extend_from_slice(&deflated);
    let cd = zip.len();
    zip.extend_from_slice(
        b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00",
    );
    zip.extend_from_slice(&(deflated.len() as u32).to_le_bytes());
    zip.extend_from_slice(&1024u32.to_le_bytes());
    zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
    zip.extend_from_slice(&[0u8; 12]);
    zip.extend_from_slice(&0u32.to_le_bytes());
    zip.extend_from_slice(name);
    let cd_len = zip.len() - cd;
    zip.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00");
    zip.extend_from_slice(&(cd_len as u32).to_le_bytes());
    zip.extend_from_slice(&(cd as u32).to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    let found = run(&java::JavaArchive, "bomb.war", &zip);
    assert!(found.packages.is_empty());
    assert!(
        found.warnings.iter().any(|w| w.contains("inflates")),
        "{:?}",
        found.warnings
    );
}

#[test]
fn ruby_php_dotnet() {
    let gemspec = b"# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = \"rake\".freeze\n  s.version = \"13.0.6\"\n  s.licenses = [\"MIT\".freeze]\nend\n";
    let found = run(
        &ruby::Gemspec,
        "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec",
        gemspec,
    );
    assert_eq!(names(&found), vec!["RubyGems rake 13.0.6"]);
    assert_eq!(found.packages[0].license.as_deref(), Some("MIT"));
    let composer2 = br#"{"packages": [{"name": "symfony/http-foundation", "version": "v5.4.0", "license": ["MIT"]}]}"#;
    let found = run(
        &php::ComposerInstalled,
        "var/www/vendor/composer/installed.json",
        composer2,
    );
    assert_eq!(
        names(&found),
        vec!["Packagist symfony/http-foundation v5.4.0"]
    );
    assert_eq!(
        found.packages[0].purl,
        "pkg:composer/symfony/http-foundation@v5.4.0"
    );
    let composer1 = br#"[{"name": "monolog/monolog", "version": "1.25.0"}]"#;
    assert_eq!(
        names(&run(
            &php::ComposerInstalled,
            "app/vendor/composer/installed.json",
            composer1
        )),
        vec!["Packagist monolog/monolog 1.25.0"]
    );
    let deps = br#"{"libraries": {"App/1.0.0": {"type": "project"}, "Newtonsoft.Json/12.0.1": {"type": "package"}}}"#;
    assert_eq!(
        names(&run(&dotnet::DepsJson, "app/App.deps.json", deps)),
        vec!["NuGet Newtonsoft.Json 12.0.1"]
    );
}

/// Feeds a whole file to a BinarySink in chunks of `chunk` bytes.
fn sink(path: &str, data: &[u8], chunk: usize) -> Extracted {
    let mut s = Box::new(BinarySink::new(path, data.len() as u64));
    for piece in data.chunks(chunk) {
        if !s.feed(piece) {
            break;
        }
    }
    s.finish()
}

#[test]
fn go_binaries_in_any_chunking() {
    for arch in ["amd64", "arm64"] {
        let data = fixture(&format!("go/binary_with_module_replacement-linux-{arch}"));
        // 7 bytes splits the magic across chunks; 64 KiB is what the walk uses.
        for chunk in [7, 4096, 65_536, data.len()] {
            let found = sink("usr/bin/app", &data, chunk);
            assert_eq!(
                names(&found),
                vec![
                    // The main module, built as (devel) with no -ldflags version: no version.
                    "Go binary_with_module_replacement ",
                    "Go github.com/golang/xerrors v0.0.0-20220907171357-04be3eba64a2",
                    "Go stdlib v1.22.0",
                ],
                "{arch} in chunks of {chunk}: {:?}",
                found.warnings
            );
            let replaced = found
                .packages
                .iter()
                .find(|p| p.name.contains("xerrors"))
                .expect("dep");
            assert_eq!(
                replaced.notes,
                vec!["replaces golang.org/x/xerrors v0.0.0-20220907171357-04be3eba64a2"]
            );
            assert_eq!(
                replaced.purl,
                "pkg:golang/github.com/golang/xerrors@v0.0.0-20220907171357-04be3eba64a2"
            );
        }
    }
}

#[test]
fn rust_cargo_auditable_binaries() {
    let data = fixture("rust/uses_serde_json");
    for chunk in [1000, 65_536] {
        let found = sink("usr/local/bin/uses_serde_json", &data, chunk);
        let got = names(&found);
        // The 11 crates of the dependency list: ten from crates.io and the binary's own.
        assert_eq!(
            got,
            [
                "crates.io itoa 1.0.14",
                "crates.io memchr 2.7.4",
                "crates.io proc-macro2 1.0.92",
                "crates.io quote 1.0.38",
                "crates.io ryu 1.0.18",
                "crates.io serde 1.0.217",
                "crates.io serde_derive 1.0.217",
                "crates.io serde_json 1.0.135",
                "crates.io syn 2.0.95",
                "crates.io unicode-ident 1.0.14",
                "crates.io uses_json 0.1.0",
            ],
            "in chunks of {chunk}"
        );
        let own = found
            .packages
            .iter()
            .find(|p| p.name == "uses_json")
            .expect("own crate");
        assert_eq!(own.notes, vec!["the binary's own crate"]);
    }
    // Only the binary's own crate.
    let none = sink("usr/local/bin/no_deps", &fixture("rust/no_deps"), 65_536);
    assert_eq!(names(&none).len(), 1, "{:?}", names(&none));
    // Not an executable format: the sink stops at the first chunk.
    let mut s = Box::new(BinarySink::new("x.sh", 21));
    assert!(!s.feed(b"#!/bin/sh\necho hello\n"));
    assert!(s.finish().packages.is_empty());
    // Truncated and corrupt binaries: warnings or nothing, never a panic.
    for cut in [10, 100, 5000, data.len() / 2] {
        let _ = sink("x", &data[..cut], 4096);
    }
    let mut corrupt = data.clone();
    let n = corrupt.len();
    for b in &mut corrupt[n - 3000..] {
        *b = 0xff;
    }
    let _ = sink("x", &corrupt, 65_536);
}

#[test]
fn a_walked_layer_with_language_packages_survives_bincode() {
    // The page passes walked layers between workers as bincode; every field must round-trip.
    use scanner_core::layer::{FoundInFile, LayerScan};
    let found = run(
        &npm::NpmPackageJson,
        "srv/node_modules/lodash/package.json",
        br#"{"name": "lodash", "version": "4.17.19"}"#,
    );
    let mut with_notes = found.packages[0].clone();
    with_notes.notes.push("application".into());
    let scan = LayerScan {
        found: vec![FoundInFile {
            path: "srv/node_modules/lodash/package.json".into(),
            packages: vec![found.packages[0].clone(), with_notes],
        }],
        ..LayerScan::default()
    };
    let bytes = bincode::serialize(&scan).expect("serialize");
    let back: LayerScan = bincode::deserialize(&bytes).expect("deserialize");
    assert_eq!(back, scan);
}
