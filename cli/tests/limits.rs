//! Every `tarsier scan` limit flag takes effect: at exactly the limit nothing is lost, one below
//! it the hit is a warning naming the layer (or the path), and the rest of the image is still
//! scanned. Images are built here; the streamed (compressed as a whole) path is covered by the
//! same cases in `scanner-core/tests/layers.rs`.

mod common;
use common::{add, s, scan_json, temp};

use std::path::{Path, PathBuf};

/// A package database (`var/lib/dpkg/status`) with one package, longer than [`STATUS_D`].
const STATUS: &str = "Package: foo\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\nDescription: the package in layer 0, described at some length\n";
/// A distroless-style database entry (`var/lib/dpkg/status.d/bar`), for the layer after.
const STATUS_D: &str = "Package: bar\nVersion: 2.0\nArchitecture: amd64\n";
const OS_RELEASE: &str = "ID=debian\nVERSION_ID=12\n";

fn symlink(b: &mut tar::Builder<Vec<u8>>, path: &str, target: &str) {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    h.set_mode(0o777);
    h.set_mtime(0);
    b.append_link(&mut h, path, target).expect("symlink");
}

/// A layer of regular files.
fn layer(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        add(&mut b, path, data);
    }
    b.into_inner().expect("layer")
}

/// The layer every image here ends with: one more package, to show it is still scanned.
fn last_layer() -> Vec<u8> {
    layer(&[("var/lib/dpkg/status.d/bar", STATUS_D.as_bytes())])
}

/// A docker-archive (`docker save`) of these layers, written to a fresh folder.
fn archive(name: &str, layers: &[Vec<u8>]) -> PathBuf {
    let mut outer = tar::Builder::new(Vec::new());
    let mut paths = Vec::new();
    let mut history = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let p = format!("l{i}/layer.tar");
        add(&mut outer, &p, l);
        paths.push(p);
        history.push(serde_json::json!({ "created_by": format!("step {i}") }));
    }
    let config = serde_json::json!({ "os": "linux", "architecture": "amd64", "history": history });
    add(
        &mut outer,
        "c.json",
        &serde_json::to_vec(&config).expect("config"),
    );
    let manifest =
        serde_json::json!([{ "Config": "c.json", "RepoTags": ["limits:1"], "Layers": paths }]);
    add(
        &mut outer,
        "manifest.json",
        &serde_json::to_vec(&manifest).expect("manifest"),
    );
    let path = temp(&format!("limits-{name}")).join("image.tar");
    std::fs::write(&path, outer.into_inner().expect("image")).expect("write the image");
    path
}

fn scan(image: &Path, flag: &str, value: u64) -> serde_json::Value {
    scan_json(&[s(image), flag, &value.to_string(), "--list-files"])
}

fn warnings(v: &serde_json::Value) -> Vec<String> {
    v["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w.as_str().expect("a warning is a string").to_string())
        .collect()
}

/// Warnings that mention `flag`.
fn hits(v: &serde_json::Value, flag: &str) -> Vec<String> {
    warnings(v)
        .into_iter()
        .filter(|w| w.contains(flag))
        .collect()
}

fn has_file(v: &serde_json::Value, path: &str) -> bool {
    v["files"]
        .as_array()
        .expect("files (--list-files)")
        .iter()
        .any(|f| f["path"] == path)
}

fn has_package(v: &serde_json::Value, name: &str) -> bool {
    v["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .any(|p| p["name"] == name)
}

#[test]
fn max_link_depth_is_followed_and_a_longer_chain_is_a_warning() {
    // /etc/os-release → /chain/1 → /chain/2 → /chain/3 → /usr/lib/os-release: four links.
    let mut b = tar::Builder::new(Vec::new());
    add(&mut b, "usr/lib/os-release", OS_RELEASE.as_bytes());
    symlink(&mut b, "etc/os-release", "/chain/1");
    symlink(&mut b, "chain/1", "2");
    symlink(&mut b, "chain/2", "../chain/3");
    symlink(&mut b, "chain/3", "/usr/lib/os-release");
    let image = archive("links", &[b.into_inner().expect("layer"), last_layer()]);

    let v = scan(&image, "--max-link-depth", 4);
    assert!(
        hits(&v, "--max-link-depth").is_empty(),
        "{:?}",
        warnings(&v)
    );
    assert_eq!(v["distro"]["id"], "debian");
    assert_eq!(v["distro"]["version"], "12");

    let v = scan(&image, "--max-link-depth", 3);
    let hit = hits(&v, "--max-link-depth");
    assert!(
        hit.len() == 1 && hit[0].contains("`/etc/os-release`") && hit[0].contains("more than 3"),
        "{:?}",
        warnings(&v)
    );
    // Nothing else is lost: the distro comes from /usr/lib/os-release itself, and the next
    // layer's package is there.
    assert_eq!(v["distro"]["id"], "debian");
    assert!(has_package(&v, "bar"), "{v}");
}

#[test]
fn max_entries_allows_exactly_n_and_warns_past_it() {
    let image = archive(
        "entries",
        &[
            layer(&[
                ("a0", b"0"),
                ("a1", b"1"),
                ("a2", b"2"),
                ("a3", b"3"),
                ("a4", b"4"),
            ]),
            last_layer(),
        ],
    );
    let v = scan(&image, "--max-entries", 5);
    assert!(hits(&v, "--max-entries").is_empty(), "{:?}", warnings(&v));
    assert!(has_file(&v, "/a4"));

    let v = scan(&image, "--max-entries", 4);
    let hit = hits(&v, "--max-entries");
    assert!(
        hit.len() == 1 && hit[0].starts_with("layer 0 (") && hit[0].contains("more than 4 entries"),
        "{:?}",
        warnings(&v)
    );
    assert!(has_file(&v, "/a3") && !has_file(&v, "/a4"), "{v}");
    assert!(
        has_package(&v, "bar"),
        "the next layer is still scanned: {v}"
    );
}

#[test]
fn max_layer_bytes_allows_exactly_n_and_warns_past_it() {
    let first = layer(&[("big", &[b'x'; 4096]), ("after", b"a")]);
    // The entries end where the end-of-archive marker (two zero blocks) begins.
    let end = first.len() as u64 - 1024;
    let image = archive("layer-bytes", &[first, last_layer()]);
    let v = scan(&image, "--max-layer-bytes", end);
    assert!(
        hits(&v, "--max-layer-bytes").is_empty(),
        "{:?}",
        warnings(&v)
    );
    assert!(has_file(&v, "/after"));

    let v = scan(&image, "--max-layer-bytes", end - 1);
    let hit = hits(&v, "--max-layer-bytes");
    assert!(
        hit.len() == 1 && hit[0].starts_with("layer 0 ("),
        "{:?}",
        warnings(&v)
    );
    assert!(has_file(&v, "/big") && !has_file(&v, "/after"), "{v}");
    assert!(
        has_package(&v, "bar"),
        "the next layer is still scanned: {v}"
    );
}

#[test]
fn max_file_bytes_allows_exactly_n_and_warns_past_it() {
    let size = STATUS.len() as u64;
    let image = archive(
        "file-bytes",
        &[
            layer(&[("var/lib/dpkg/status", STATUS.as_bytes())]),
            last_layer(),
        ],
    );
    let v = scan(&image, "--max-file-bytes", size);
    assert!(
        hits(&v, "--max-file-bytes").is_empty(),
        "{:?}",
        warnings(&v)
    );
    assert!(has_package(&v, "foo") && has_package(&v, "bar"), "{v}");

    let v = scan(&image, "--max-file-bytes", size - 1);
    let hit = hits(&v, "--max-file-bytes");
    assert!(
        hit.len() == 1
            && hit[0].starts_with("layer 0 (")
            && hit[0].contains("`/var/lib/dpkg/status`"),
        "{:?}",
        warnings(&v)
    );
    assert!(!has_package(&v, "foo"), "{v}");
    assert!(
        has_package(&v, "bar"),
        "the next layer is still scanned: {v}"
    );
}

#[test]
fn max_captured_bytes_allows_exactly_n_and_warns_past_it() {
    let total = (OS_RELEASE.len() + STATUS.len()) as u64;
    let image = archive(
        "captured-bytes",
        &[
            layer(&[
                ("etc/os-release", OS_RELEASE.as_bytes()),
                ("var/lib/dpkg/status", STATUS.as_bytes()),
            ]),
            last_layer(),
        ],
    );
    let v = scan(&image, "--max-captured-bytes", total);
    assert!(
        hits(&v, "--max-captured-bytes").is_empty(),
        "{:?}",
        warnings(&v)
    );
    assert!(has_package(&v, "foo"), "{v}");

    let v = scan(&image, "--max-captured-bytes", total - 1);
    let hit = hits(&v, "--max-captured-bytes");
    assert!(
        hit.len() == 1
            && hit[0].starts_with("layer 0 (")
            && hit[0].contains("`/var/lib/dpkg/status`"),
        "{:?}",
        warnings(&v)
    );
    // What fit was read (the distro), what did not is missing, the next layer is scanned.
    assert_eq!(v["distro"]["id"], "debian");
    assert!(!has_package(&v, "foo"), "{v}");
    assert!(has_package(&v, "bar"), "{v}");
}
