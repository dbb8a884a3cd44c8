//! Layer walking and squashing: images built here for each hard case, and the real fixtures
//! checked against plain extraction with GNU tar (whiteouts applied by hand).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use scanner_core::layer::{EntryKind, ResolveError};
use scanner_core::source::reader::{ChunkSizes, ChunkedReader};
use scanner_core::{scan_image, ImageScan, InspectOptions, Limits};
use sha2::{Digest, Sha256};

#[path = "support/gnu_tar.rs"]
mod gnu_tar;

// ---- building layers and images ------------------------------------------------------------

#[derive(Clone)]
enum E {
    File(&'static str, Vec<u8>),
    Dir(&'static str),
    Symlink(&'static str, &'static str),
    Hardlink(&'static str, &'static str),
    /// A raw name, written with a GNU long-name record when long.
    RawFile(String, Vec<u8>),
    /// A file whose name is carried by a PAX `path` record.
    PaxFile(String, Vec<u8>),
}

fn layer(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        match e {
            E::File(p, d) => {
                let mut h = tar::Header::new_gnu();
                h.set_size(d.len() as u64);
                h.set_mode(0o644);
                b.append_data(&mut h, p, d.as_slice()).expect("file");
            }
            E::RawFile(p, d) if p.contains("..") => {
                // The tar crate refuses `..`; hostile archives do not.
                let mut h = tar::Header::new_gnu();
                h.as_mut_bytes()[..p.len()].copy_from_slice(p.as_bytes());
                h.set_size(d.len() as u64);
                h.set_mode(0o644);
                h.set_cksum();
                b.append(&h, d.as_slice()).expect("raw file");
            }
            E::RawFile(p, d) => {
                let mut h = tar::Header::new_gnu();
                h.set_size(d.len() as u64);
                h.set_mode(0o644);
                b.append_data(&mut h, p, d.as_slice()).expect("raw file");
            }
            E::Dir(p) => {
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                b.append_data(&mut h, p, &[][..]).expect("dir");
            }
            E::Symlink(p, t) | E::Hardlink(p, t) => {
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(if matches!(e, E::Symlink(..)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                });
                h.set_size(0);
                b.append_link(&mut h, p, t).expect("link");
            }
            E::PaxFile(p, d) => {
                let mut rec = String::new();
                for _ in 0..4 {
                    rec = format!("{} path={p}\n", rec.len().max(1));
                }
                let mut h = tar::Header::new_ustar();
                h.set_path("PaxHeaders/f").expect("pax name");
                h.set_entry_type(tar::EntryType::XHeader);
                h.set_size(rec.len() as u64);
                h.set_cksum();
                b.append(&h, rec.as_bytes()).expect("pax");
                let mut h = tar::Header::new_ustar();
                h.set_path("short-name").expect("name");
                h.set_size(d.len() as u64);
                h.set_mode(0o644);
                h.set_cksum();
                b.append(&h, d.as_slice()).expect("pax file");
            }
        }
    }
    b.into_inner().expect("layer")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

fn sha256(bytes: &[u8]) -> String {
    format!(
        "sha256:{}",
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// A legacy docker-archive with the given layer blobs (any compression).
fn image(layers: &[Vec<u8>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let add = |b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, data).expect("member");
    };
    let mut paths = Vec::new();
    let mut history = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let p = format!("{i:064}/layer.tar");
        add(&mut b, &p, l);
        paths.push(p);
        history.push(serde_json::json!({"created_by": format!("step {i}")}));
    }
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "history": history,
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| sha256(l)).collect::<Vec<_>>()}
    }))
    .expect("config");
    add(&mut b, "config.json", &config);
    let manifest = serde_json::to_vec(&serde_json::json!([
        {"Config": "config.json", "RepoTags": ["test:1"], "Layers": paths}
    ]))
    .expect("manifest");
    add(&mut b, "manifest.json", &manifest);
    b.into_inner().expect("image")
}

fn scan_with(bytes: Vec<u8>, limits: &Limits) -> ImageScan {
    let mut r = ChunkedReader::new(bytes, ChunkSizes::NATIVE);
    let want = |p: &str, _size: u64| p.ends_with("os-release") || p.starts_with("captured/");
    scan_image(
        &mut r,
        &InspectOptions::default(),
        limits,
        &want,
        &mut |_| {},
    )
    .expect("scan")
}

fn scan(bytes: Vec<u8>) -> ImageScan {
    scan_with(bytes, &Limits::default())
}

fn files(s: &ImageScan) -> Vec<String> {
    s.tree
        .iter()
        .filter(|(_, n)| n.kind != EntryKind::Dir)
        .map(|(p, _)| p.to_string())
        .collect()
}

fn f(p: &'static str, d: &str) -> E {
    E::File(p, d.as_bytes().to_vec())
}

// ---- the hard cases ------------------------------------------------------------------------

#[test]
fn whiteout_deletes_a_lower_file() {
    let s = scan(image(&[
        layer(&[E::Dir("a/"), f("a/x", "1"), f("a/y", "2")]),
        layer(&[f("a/.wh.x", "")]),
    ]));
    assert_eq!(files(&s), vec!["a/y"]);
    let c = s.summary.layers[1].changes.as_ref().expect("changes");
    assert_eq!((c.added, c.changed, c.removed), (0, 0, 1));
}

#[test]
fn whiteout_of_a_directory_deletes_its_contents() {
    let s = scan(image(&[
        layer(&[
            f("root/example/a", "1"),
            f("root/example/deep/b", "2"),
            f("root/keep", "3"),
        ]),
        layer(&[f("root/.wh.example", "")]),
    ]));
    assert_eq!(files(&s), vec!["root/keep"]);
    assert_eq!(
        s.summary.layers[1].changes.as_ref().map(|c| c.removed),
        Some(2)
    );
}

#[test]
fn opaque_directory_hides_lower_contents_but_keeps_its_own() {
    let s = scan(image(&[
        layer(&[f("d/1", "1"), f("d/2", "2"), f("e/3", "3")]),
        layer(&[E::Dir("d/"), f("d/.wh..wh..opq", ""), f("d/new", "4")]),
    ]));
    assert_eq!(files(&s), vec!["d/new", "e/3"]);
    let c = s.summary.layers[1].changes.as_ref().expect("changes");
    assert_eq!((c.added, c.changed, c.removed), (1, 0, 2));
}

#[test]
fn recreated_file_survives_its_own_layers_whiteout() {
    let s = scan(image(&[
        layer(&[f("etc/conf", "old")]),
        layer(&[f("etc/.wh.conf", ""), f("etc/conf", "new!")]),
    ]));
    let node = s.tree.get("etc/conf").expect("conf");
    assert_eq!((node.layer, node.size), (1, 4));
    let c = s.summary.layers[1].changes.as_ref().expect("changes");
    assert_eq!((c.added, c.changed, c.removed), (0, 1, 0));
}

#[test]
fn directory_replaced_by_file_and_back() {
    let s = scan(image(&[
        layer(&[E::Dir("p/"), f("p/q", "1"), f("r", "file")]),
        layer(&[f("p", "now a file")]),
        layer(&[E::Dir("r/"), f("r/inside", "x")]),
    ]));
    assert_eq!(files(&s), vec!["p", "r/inside"]);
    assert_eq!(s.tree.get("p").map(|n| n.kind), Some(EntryKind::File));
    assert_eq!(s.tree.get("r").map(|n| n.kind), Some(EntryKind::Dir));
}

#[test]
fn same_path_twice_in_a_layer_keeps_the_later() {
    let s = scan(image(&[layer(&[f("x", "first"), f("x", "second!")])]));
    assert_eq!(s.tree.get("x").map(|n| n.size), Some(7));
    assert_eq!(
        s.summary.layers[0].changes.as_ref().map(|c| c.added),
        Some(1)
    );
}

#[test]
fn symlinks_resolve_inside_the_image_and_cycles_stop() {
    let s = scan(image(&[layer(&[
        f("usr/lib/os-release", "ID=debian\n"),
        E::Symlink("etc/os-release", "../usr/lib/os-release"),
        E::Symlink("lib", "usr/lib"),
        E::Symlink("abs", "/usr/lib/os-release"),
        E::Symlink("escape", "../../../../usr/lib/os-release"),
        E::Symlink("loop1", "loop2"),
        E::Symlink("loop2", "loop1"),
    ])]));
    let max = Limits::default().max_link_depth;
    assert_eq!(
        s.tree.resolve("etc/os-release", max),
        Ok("usr/lib/os-release".into())
    );
    assert_eq!(
        s.tree.resolve("/lib/os-release", max),
        Ok("usr/lib/os-release".into())
    );
    assert_eq!(s.tree.resolve("abs", max), Ok("usr/lib/os-release".into()));
    // `..` never leaves the image root.
    assert_eq!(
        s.tree.resolve("escape", max),
        Ok("usr/lib/os-release".into())
    );
    assert_eq!(
        s.tree.resolve("loop1", max),
        Err(ResolveError::TooManyLinks)
    );
    assert_eq!(s.tree.resolve("nothing", max), Err(ResolveError::NotFound));
}

#[test]
fn escaping_names_stay_inside_the_root_with_a_warning() {
    let s = scan(image(&[layer(&[E::RawFile(
        "../../etc/evil".into(),
        b"x".to_vec(),
    )])]));
    assert_eq!(files(&s), vec!["etc/evil"]);
    assert!(
        s.summary.warnings.iter().any(|w| w.contains("climb out")),
        "{:?}",
        s.summary.warnings
    );
}

#[test]
fn long_names_gnu_and_pax() {
    let gnu = format!("{}/gnu-file", "g".repeat(180));
    let pax = format!("{}/pax-file", "p".repeat(200));
    let s = scan(image(&[layer(&[
        E::RawFile(gnu.clone(), b"1".to_vec()),
        E::PaxFile(pax.clone(), b"22".to_vec()),
    ])]));
    assert!(s.tree.get(&gnu).is_some(), "{:?}", files(&s));
    assert_eq!(s.tree.get(&pax).map(|n| n.size), Some(2), "{:?}", files(&s));
    assert!(s.tree.get("short-name").is_none());
}

#[test]
fn hardlinks_are_recorded_with_their_target() {
    let s = scan(image(&[layer(&[
        f("captured/orig", "data"),
        E::Hardlink("captured/link", "captured/orig"),
    ])]));
    let n = s.tree.get("captured/link").expect("link");
    assert_eq!(n.kind, EntryKind::Hardlink);
    assert_eq!(n.link.as_deref(), Some("captured/orig"));
    assert_eq!(
        s.captured.get("captured/link").map(|(_, d)| d.as_slice()),
        Some(&b"data"[..])
    );
}

#[test]
fn captured_files_are_those_that_survive() {
    let s = scan(image(&[
        layer(&[f("etc/os-release", "ID=alpine\n"), f("captured/gone", "x")]),
        gzip(&layer(&[
            f("etc/os-release", "ID=debian\n"),
            f("captured/.wh.gone", ""),
        ])),
    ]));
    assert_eq!(
        s.captured.get("etc/os-release"),
        Some(&(1, b"ID=debian\n".to_vec()))
    );
    assert!(!s.captured.contains_key("captured/gone"));
    assert!(!s.captured.contains_key("usr/bin/ignored"));
}

#[test]
fn truncated_layers_keep_what_was_read() {
    let full = layer(&[f("a", "1"), f("b", &"2".repeat(5000)), f("c", "3")]);
    // Uncompressed, cut inside b's body.
    let cut = full[..2000].to_vec();
    // Gzip, cut in the middle of the stream.
    let gz = gzip(&full);
    let gz_cut = gz[..gz.len() / 2].to_vec();
    let s = scan(image(&[cut, gz_cut]));
    assert!(s.tree.get("a").is_some());
    let w = s.summary.warnings.join("\n");
    assert!(w.contains("layer 0") && w.contains("truncated"), "{w}");
    assert!(w.contains("layer 1"), "{w}");
}

#[test]
fn corrupt_gzip_and_bad_checksums_are_warnings() {
    let full = layer(&[f("a", "1"), f("b", "2")]);
    let mut gz = gzip(&full);
    let mid = gz.len() / 2;
    for b in &mut gz[mid..mid + 8] {
        *b ^= 0x5a;
    }
    let mut bad_sum = full.clone();
    bad_sum[512 + 512 + 3] ^= 0xff; // second header's name
    let s = scan(image(&[gz, bad_sum]));
    let w = s.summary.warnings.join("\n");
    assert!(w.contains("layer 0"), "{w}");
    assert!(w.contains("layer 1") && w.contains("checksum"), "{w}");
    // The first entry of the checksum-damaged layer was read.
    assert!(s.tree.get("a").is_some());
}

#[test]
fn decompression_bomb_stops_at_the_layer_byte_limit() {
    // 64 MiB of zeros in one entry, about 64 KiB compressed.
    let bomb = gzip(&layer(&[
        E::File("zeros", vec![0u8; 64 << 20]),
        f("after", "x"),
    ]));
    assert!(bomb.len() < 1 << 20);
    let limits = Limits {
        max_layer_bytes: 8 << 20,
        ..Limits::default()
    };
    let s = scan_with(image(&[bomb]), &limits);
    let w = s.summary.warnings.join("\n");
    assert!(w.contains("--max-layer-bytes"), "{w}");
    assert!(s.tree.get("after").is_none());
    // A gzip stream of zeros is an empty tar: read instantly, no warning.
    let zeros = gzip(&vec![0u8; 32 << 20]);
    let s = scan(image(&[zeros]));
    assert!(s.summary.warnings.is_empty(), "{:?}", s.summary.warnings);
}

#[test]
fn entry_limit_stops_a_huge_layer() {
    let names: Vec<String> = (0..1500).map(|i| format!("f/{i}")).collect();
    let entries: Vec<E> = names
        .iter()
        .map(|n| E::RawFile(n.clone(), vec![]))
        .collect();
    let limits = Limits {
        max_entries_per_layer: 1000,
        ..Limits::default()
    };
    let s = scan_with(image(&[layer(&entries)]), &limits);
    assert_eq!(s.tree.len(), 1000);
    assert!(s.summary.warnings.join("\n").contains("--max-entries"));
}

#[test]
fn capture_limits_are_warnings() {
    let limits = Limits {
        max_captured_file: 10,
        ..Limits::default()
    };
    let s = scan_with(
        image(&[layer(&[f("captured/big", &"x".repeat(100))])]),
        &limits,
    );
    assert!(s.captured.is_empty());
    assert!(s.summary.warnings.join("\n").contains("--max-file-bytes"));
}

#[test]
fn non_utf8_names_are_kept_and_reported() {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.as_mut_bytes()[..6].copy_from_slice(b"caf\xe9!\0");
    h.set_size(1);
    h.set_mode(0o644);
    h.set_cksum();
    b.append(&h, &b"x"[..]).expect("append");
    let s = scan(image(&[b.into_inner().expect("layer")]));
    assert_eq!(s.tree.len(), 1);
    assert!(s.summary.warnings.join("\n").contains("UTF-8"));
}

// ---- real fixtures against GNU tar ------------------------------------------------------------

fn fixture(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/images")
        .join(name);
    assert!(p.is_file(), "fixture {} is missing", p.display());
    p
}

/// The final non-directory paths GNU tar's extraction of the image's layers gives.
fn extract_with_gnu_tar(s: &ImageScan, archive: &Path) -> BTreeSet<String> {
    let work = std::env::temp_dir().join(format!(
        "tarsier-oracle-{}-{}",
        std::process::id(),
        archive.file_name().and_then(|n| n.to_str()).unwrap_or("x")
    ));
    let layers: Vec<String> = s.summary.layers.iter().map(|l| l.path.clone()).collect();
    let files = gnu_tar::files(&gnu_tar::extract(archive, &layers, &work));
    let _ = std::fs::remove_dir_all(&work);
    files
}

fn check_fixture_against_gnu_tar(name: &str) -> ImageScan {
    let path = fixture(name);
    let bytes = std::fs::read(&path).expect("read");
    let s = scan(bytes);
    let ours: BTreeSet<String> = files(&s).into_iter().collect();
    let theirs = extract_with_gnu_tar(&s, &path);
    assert_eq!(
        ours, theirs,
        "{name}: final file list differs from GNU tar extraction"
    );
    assert!(
        s.summary.warnings.is_empty(),
        "{name}: {:?}",
        s.summary.warnings
    );
    s
}

#[test]
fn docker_fixture_squashes_like_gnu_tar() {
    let s = check_fixture_against_gnu_tar("test-docker-image.tar");
    // Layer 9 is `rm -rf /root/example/`: whiteouts that remove lower files.
    let c = s.summary.layers[9].changes.as_ref().expect("changes");
    assert!(c.removed >= 2, "{c:?}");
    assert!(s.tree.get("root/example/somefile1.txt").is_none());
    assert_eq!(s.tree.get("root/saved.txt").map(|n| n.layer), Some(13));
}

#[test]
fn kaniko_fixture_squashes_like_gnu_tar() {
    check_fixture_against_gnu_tar("test-kaniko-image.tar");
}

#[test]
fn oci_fixtures_squash_like_gnu_tar() {
    for name in [
        "test-oci-gzip-image.tar",
        "test-oci-zstd-image.tar",
        "test-oci-uncompressed-image.tar",
        "test-oci-estargz-image.tar",
    ] {
        let s = check_fixture_against_gnu_tar(name);
        assert!(s.tree.get("README.md").is_some(), "{name}");
    }
}

#[test]
fn all_layers_walked_have_plausible_byte_counts() {
    let s = scan(std::fs::read(fixture("test-kaniko-image.tar")).expect("read"));
    for l in &s.summary.layers {
        let c = l.changes.as_ref().expect("changes");
        assert!(c.tar_bytes >= c.file_bytes, "{c:?}");
        assert_eq!(c.tar_bytes % 512, 0, "{c:?}");
    }
}

// ---- whole-archive compression ---------------------------------------------------------------

#[test]
fn gzipped_archives_are_streamed_with_the_same_result() {
    for name in [
        "test-docker-image.tar",
        "test-kaniko-image.tar",
        "test-oci-zstd-image.tar",
    ] {
        let bytes = std::fs::read(fixture(name)).expect("read");
        let plain = scan(bytes.clone());
        let streamed = scan(gzip(&bytes));
        assert_eq!(streamed.tree, plain.tree, "{name}");
        assert_eq!(streamed.summary.layers.len(), plain.summary.layers.len());
        for (a, b) in streamed.summary.layers.iter().zip(&plain.summary.layers) {
            assert_eq!(a.digest, b.digest, "{name}");
            assert_eq!(a.size, b.size, "{name}");
            assert_eq!(a.changes, b.changes, "{name}");
        }
        assert_eq!(streamed.summary.config_digest, plain.summary.config_digest);
        assert!(
            streamed.summary.warnings[0].contains("slower"),
            "{:?}",
            streamed.summary.warnings
        );
    }
}

#[test]
fn gzipped_garbage_and_truncation_are_clear_errors() {
    let mut r = ChunkedReader::new(gzip(b"hello, not a tar"), ChunkSizes::NATIVE);
    let e = scan_image(
        &mut r,
        &InspectOptions::default(),
        &Limits::default(),
        &scanner_core::layer::NoFiles,
        &mut |_| {},
    )
    .expect_err("garbage");
    assert!(e.to_string().contains("not a tar"), "{e}");

    let bytes = std::fs::read(fixture("test-docker-image.tar")).expect("read");
    let gz = gzip(&bytes);
    let mut r = ChunkedReader::new(gz[..gz.len() / 2].to_vec(), ChunkSizes::NATIVE);
    let e = scan_image(
        &mut r,
        &InspectOptions::default(),
        &Limits::default(),
        &scanner_core::layer::NoFiles,
        &mut |_| {},
    )
    .expect_err("truncated");
    assert!(!e.to_string().is_empty());
}

#[test]
fn each_layer_lists_what_it_added_changed_and_removed() {
    use scanner_core::layer::Change;
    let s = scan(image(&[
        layer(&[E::Dir("a/"), f("a/x", "1"), f("a/y", "22"), f("b", "3")]),
        layer(&[
            f("a/.wh.x", ""),
            f("a/y", "changed"),
            f("c/new", "4"),
            f("c/new", "44"),
        ]),
        layer(&[E::Dir("a/"), f("a/.wh..wh..opq", ""), f("a/z", "5")]),
    ]));
    let list = |i: usize| -> Vec<(String, Change, u64)> {
        s.layer_files[i]
            .iter()
            .map(|c| (c.path.clone(), c.change, c.size))
            .collect()
    };
    assert_eq!(s.layer_files.len(), 3);
    assert_eq!(
        list(0),
        vec![
            ("/a/x".to_string(), Change::Added, 1),
            ("/a/y".to_string(), Change::Added, 2),
            ("/b".to_string(), Change::Added, 1),
        ]
    );
    // The path written twice in one layer is listed once, as last written; a removal carries
    // the size of what went.
    assert_eq!(
        list(1),
        vec![
            ("/a/x".to_string(), Change::Removed, 1),
            ("/a/y".to_string(), Change::Changed, 7),
            ("/c/new".to_string(), Change::Added, 2),
        ]
    );
    assert_eq!(
        list(2),
        vec![
            ("/a/y".to_string(), Change::Removed, 7),
            ("/a/z".to_string(), Change::Added, 1),
        ]
    );
    // The lists agree with the counts.
    for (i, l) in s.summary.layers.iter().enumerate() {
        let c = l.changes.as_ref().expect("changes");
        let n = |k: Change| s.layer_files[i].iter().filter(|f| f.change == k).count() as u64;
        assert_eq!(
            (c.added, c.changed, c.removed),
            (n(Change::Added), n(Change::Changed), n(Change::Removed)),
            "layer {i}"
        );
    }
}

// ---- limits: each takes effect, a layer of exactly the limit is fine ----------------------

/// `etc/os-release` reached through `hops` symlinks (the file itself lives where only the chain
/// leads, so the distro is detected exactly when the chain is followed).
fn os_release_chain(hops: usize) -> Vec<u8> {
    let names: Vec<String> = (1..hops).map(|i| format!("chain/{i}")).collect();
    let mut entries = vec![f("opt/real/os-release", "ID=debian\nVERSION_ID=12\n")];
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut from = "etc/os-release".to_string();
    for name in &names {
        entries.push(E::Symlink(leak(from), leak(format!("/{name}"))));
        from = name.clone();
    }
    entries.push(E::Symlink(leak(from), "/opt/real/os-release"));
    image(&[layer(&entries)])
}

/// The report's warnings without the note that an archive compressed as a whole was streamed.
fn problems(s: &ImageScan) -> Vec<&String> {
    s.summary
        .warnings
        .iter()
        .filter(|w| !w.contains("compressed as a whole"))
        .collect()
}

fn with_depth(n: u32) -> Limits {
    Limits {
        max_link_depth: n,
        ..Limits::default()
    }
}

#[test]
fn link_depth_limit_takes_effect_with_a_warning_naming_the_path() {
    let bytes = os_release_chain(5);
    for (how, bytes) in [("plain", bytes.clone()), ("gzip as a whole", gzip(&bytes))] {
        // Five links with a limit of five: followed.
        let s = scan_with(bytes.clone(), &with_depth(5));
        assert_eq!(
            s.distro.as_ref().map(|d| d.id.as_str()),
            Some("debian"),
            "{how}"
        );
        assert!(
            !s.summary
                .warnings
                .iter()
                .any(|w| w.contains("--max-link-depth")),
            "{how}: {:?}",
            s.summary.warnings
        );
        // Five links with a limit of four: not followed, and said so.
        let s = scan_with(bytes, &with_depth(4));
        assert_eq!(s.distro, None, "{how}");
        let w = s.summary.warnings.join("\n");
        assert!(
            w.contains("`/etc/os-release`")
                && w.contains("more than 4")
                && w.contains("--max-link-depth"),
            "{how}: {w}"
        );
    }
}

#[test]
fn a_layer_of_exactly_the_entry_limit_is_read_whole() {
    let names: Vec<String> = (0..20).map(|i| format!("f/{i}")).collect();
    let mut entries: Vec<E> = names
        .iter()
        .map(|n| E::RawFile(n.clone(), vec![]))
        .collect();
    // A PAX record describes the entry after it; it is not an entry of its own.
    entries.push(E::PaxFile(
        format!("{}/pax", "p".repeat(150)),
        b"x".to_vec(),
    ));
    let bytes = image(&[layer(&entries)]);
    for (how, bytes) in [("plain", bytes.clone()), ("gzip as a whole", gzip(&bytes))] {
        let s = scan_with(
            bytes.clone(),
            &Limits {
                max_entries_per_layer: 21,
                ..Limits::default()
            },
        );
        assert_eq!(s.tree.len(), 21, "{how}: {:?}", files(&s));
        assert!(problems(&s).is_empty(), "{how}: {:?}", problems(&s));
        let s = scan_with(
            bytes,
            &Limits {
                max_entries_per_layer: 20,
                ..Limits::default()
            },
        );
        let w = s.summary.warnings.join("\n");
        assert!(
            w.contains("layer 0 (") && w.contains("more than 20 entries"),
            "{how}: {w}"
        );
    }
}

#[test]
fn a_layer_of_exactly_the_byte_limit_is_read_whole() {
    let l = layer(&[
        E::File("captured/a", vec![b'a'; 3000]),
        E::File("captured/b", vec![b'b'; 100]),
    ]);
    // The entries end where the two zero blocks of the end-of-archive marker begin.
    let end = l.len() as u64 - 1024;
    let bytes = image(&[l, layer(&[f("captured/next", "n")])]);
    for (how, bytes) in [("plain", bytes.clone()), ("gzip as a whole", gzip(&bytes))] {
        let exact = Limits {
            max_layer_bytes: end,
            ..Limits::default()
        };
        let s = scan_with(bytes.clone(), &exact);
        assert!(problems(&s).is_empty(), "{how}: {:?}", problems(&s));
        assert!(s.captured.contains_key("captured/b"), "{how}");
        let under = Limits {
            max_layer_bytes: end - 1,
            ..Limits::default()
        };
        let s = scan_with(bytes, &under);
        let w = s.summary.warnings.join("\n");
        assert!(
            w.contains("layer 0 (") && w.contains("--max-layer-bytes"),
            "{how}: {w}"
        );
        assert!(s.captured.contains_key("captured/a"), "{how}");
        assert!(!s.captured.contains_key("captured/b"), "{how}");
        // The next layer is still scanned.
        assert!(s.captured.contains_key("captured/next"), "{how}");
    }
}

#[test]
fn empty_entries_past_the_byte_limit_stop_the_walk() {
    // Headers without bodies still cost bytes: they may not go on past the limit.
    let names: Vec<String> = (0..50).map(|i| format!("e/{i}")).collect();
    let entries: Vec<E> = names
        .iter()
        .map(|n| E::RawFile(n.clone(), vec![]))
        .collect();
    let limits = Limits {
        max_layer_bytes: 10 * 512,
        ..Limits::default()
    };
    let s = scan_with(image(&[layer(&entries)]), &limits);
    assert_eq!(s.tree.len(), 10, "{:?}", files(&s));
    assert!(s.summary.warnings.join("\n").contains("--max-layer-bytes"));
}

#[test]
fn capture_limits_allow_exactly_the_limit_and_count_hard_links() {
    let l = layer(&[
        E::File("captured/a", vec![b'a'; 100]),
        E::Hardlink("captured/a-link", "captured/a"),
        E::File("captured/b", vec![b'b'; 50]),
    ]);
    let bytes = image(&[l]);
    for (how, bytes) in [("plain", bytes.clone()), ("gzip as a whole", gzip(&bytes))] {
        // 100 + 100 (the link's copy) + 50.
        let exact = Limits {
            max_captured_file: 100,
            max_captured_total: 250,
            ..Limits::default()
        };
        let s = scan_with(bytes.clone(), &exact);
        assert!(problems(&s).is_empty(), "{how}: {:?}", problems(&s));
        assert_eq!(s.captured.len(), 3, "{how}");
        let under = Limits {
            max_captured_total: 249,
            ..Limits::default()
        };
        let s = scan_with(bytes.clone(), &under);
        let w = s.summary.warnings.join("\n");
        assert!(
            w.contains("layer 0 (")
                && w.contains("`/captured/b`")
                && w.contains("--max-captured-bytes"),
            "{how}: {w}"
        );
        // A link's copy over the limit is refused like a file.
        let under = Limits {
            max_captured_total: 150,
            ..Limits::default()
        };
        let s = scan_with(bytes.clone(), &under);
        let w = s.summary.warnings.join("\n");
        assert!(
            w.contains("`/captured/a-link`") && w.contains("--max-captured-bytes"),
            "{how}: {w}"
        );
        assert!(s.captured.contains_key("captured/b"), "{how}: {w}");
        let small = Limits {
            max_captured_file: 99,
            ..Limits::default()
        };
        let s = scan_with(bytes, &small);
        let w = s.summary.warnings.join("\n");
        assert!(
            w.contains("layer 0 (")
                && w.contains("`/captured/a`")
                && w.contains("--max-file-bytes"),
            "{how}: {w}"
        );
        assert!(s.captured.contains_key("captured/b"), "{how}");
    }
}
