//! `inspect` over the six real archives in `../shared/fixtures/images` and over archives built
//! here for the cases the fixtures do not cover.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::PathBuf;

use scanner_core::source::reader::{ChunkSizes, ChunkedReader};
use scanner_core::{inspect, ArchiveFormat, ImageError, ImageSummary, InspectOptions};
use sha2::{Digest, Sha256};

fn fixture(name: &str) -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/images");
    let path = dir.join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "fixture {} is missing ({e}); the tests expect the shared fixtures beside the project",
            path.display()
        )
    })
}

fn run(bytes: Vec<u8>, image: Option<&str>) -> Result<ImageSummary, ImageError> {
    let mut reader = ChunkedReader::new(bytes, ChunkSizes::NATIVE);
    let options = InspectOptions {
        image: image.map(str::to_string),
    };
    inspect(&mut reader, &options, &mut |_| {})
}

fn sha256(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    format!(
        "sha256:{}",
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Every member of a tar, read with the `tar` crate: an independent view of the archive.
fn members(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut archive = tar::Archive::new(Cursor::new(bytes));
    for entry in archive.entries().expect("entries") {
        let mut entry = entry.expect("entry");
        let path = entry.path().expect("path").to_string_lossy().into_owned();
        let mut body = Vec::new();
        entry.read_to_end(&mut body).expect("body");
        out.insert(path, body);
    }
    out
}

/// Each reported layer digest is the sha256 of the blob the archive holds at `path`.
fn assert_layer_digests_match_blobs(bytes: &[u8], s: &ImageSummary) {
    let all = members(bytes);
    for layer in &s.layers {
        let blob = all.get(&layer.path).expect("layer blob present");
        assert_eq!(
            layer.size,
            blob.len() as u64,
            "size of layer {}",
            layer.index
        );
        assert_eq!(
            layer.digest,
            sha256(blob),
            "digest of layer {}",
            layer.index
        );
    }
}

#[test]
fn legacy_docker_save() {
    let bytes = fixture("test-docker-image.tar");
    let s = run(bytes.clone(), None).expect("inspect");
    assert_eq!(s.format, ArchiveFormat::DockerArchive);
    assert_eq!(s.layout, "docker save (legacy layout)");
    assert_eq!(s.tags, vec!["dive-test:latest"]);
    assert_eq!(
        s.config_digest,
        "sha256:75ae28b8ebf89b203319069ddcbecdf5c3838503bbebc0d0d85e4b8589c5de3a"
    );
    assert_eq!(s.platform(), "linux/amd64");
    assert_eq!(s.created.as_deref(), Some("2018-12-28T20:44:23.030424642Z"));
    assert_eq!(s.layers.len(), 14);
    assert_eq!(
        s.layers[0].digest,
        "sha256:23bc2b70b2014dec0ac22f27bb93e9babd08cdd6f1115d0c955b9ff22b382f5a"
    );
    // Legacy layers are uncompressed: the blob digest is the diff_id.
    for l in &s.layers {
        assert_eq!(l.compression, "none");
        assert_eq!(Some(&l.digest), l.diff_id.as_ref());
        assert_eq!(l.media_type, "application/vnd.docker.image.rootfs.diff.tar");
    }
    assert_eq!(s.history.len(), 15);
    assert!(s.history[1].empty_layer);
    assert_eq!(
        s.history[1].created_by.as_deref(),
        Some("/bin/sh -c #(nop)  CMD [\"sh\"]")
    );
    assert_eq!(s.history[1].layer, None);
    assert_eq!(s.history[14].layer, Some(13));
    assert_eq!(
        s.layers[9].created_by.as_deref(),
        Some("/bin/sh -c rm -rf /root/example/")
    );
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_layer_digests_match_blobs(&bytes, &s);
}

#[test]
fn kaniko_tarball() {
    let bytes = fixture("test-kaniko-image.tar");
    let s = run(bytes.clone(), None).expect("inspect");
    assert_eq!(s.format, ArchiveFormat::DockerArchive);
    assert_eq!(s.layout, "flat layout (skopeo, podman, kaniko, crane)");
    assert_eq!(s.tags, vec!["dive-test:kaniko-latest"]);
    assert_eq!(
        s.config_digest,
        "sha256:ae16a51058a758c7963b2f9b23d1acfa201ce9cbefc8cb93845f8cd934fb144d"
    );
    assert_eq!(s.layers.len(), 14);
    assert!(s.layers.iter().all(|l| l.compression == "gzip"));
    assert_eq!(s.history.len(), 15);
    assert_eq!(
        s.layers[2].created_by.as_deref(),
        Some("RUN mkdir -p /root/example/really/nested")
    );
    // Compressed layers: diff_ids come from the config and differ from the blob digests.
    assert!(s
        .layers
        .iter()
        .all(|l| l.diff_id.is_some() && l.diff_id.as_ref() != Some(&l.digest)));
    assert_layer_digests_match_blobs(&bytes, &s);
}

fn check_single_layer_oci(name: &str, compression: &str, media_type: &str, config: &str) {
    let bytes = fixture(name);
    let s = run(bytes.clone(), None).expect("inspect");
    assert_eq!(s.format, ArchiveFormat::OciArchive, "{name}");
    assert!(s.tags.is_empty());
    assert_eq!(s.config_digest, config, "{name}");
    assert_eq!(s.platform(), "linux/arm64");
    assert_eq!(s.layers.len(), 1);
    assert_eq!(s.layers[0].compression, compression, "{name}");
    assert_eq!(s.layers[0].media_type, media_type, "{name}");
    assert_eq!(s.history.len(), 1);
    assert_eq!(
        s.history[0].created_by.as_deref(),
        Some("COPY README.md /README.md # buildkit")
    );
    assert!(s.manifest_digest.is_some());
    assert_layer_digests_match_blobs(&bytes, &s);
}

const OCI_CONFIG: &str = "sha256:3eaccc100f866490f00ae82727b459a737af031dcf44c791d8aa714a70f24959";

#[test]
fn oci_gzip() {
    check_single_layer_oci(
        "test-oci-gzip-image.tar",
        "gzip",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        OCI_CONFIG,
    );
}

#[test]
fn oci_zstd() {
    check_single_layer_oci(
        "test-oci-zstd-image.tar",
        "zstd",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        OCI_CONFIG,
    );
}

#[test]
fn oci_uncompressed() {
    check_single_layer_oci(
        "test-oci-uncompressed-image.tar",
        "none",
        "application/vnd.oci.image.layer.v1.tar",
        OCI_CONFIG,
    );
}

#[test]
fn oci_estargz() {
    check_single_layer_oci(
        "test-oci-estargz-image.tar",
        "gzip",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "sha256:5c153971f5feeb018fab88c379f94ef9171ba1990163d32852fd27bf55ed5b74",
    );
}

#[test]
fn reading_the_docker_archive_touches_few_chunks() {
    // The header-only pass must not read layer bodies: far fewer source reads than members.
    let bytes = fixture("test-docker-image.tar");
    let mut reader = ChunkedReader::new(
        bytes,
        ChunkSizes {
            min: 4096,
            max: 1 << 20,
        },
    );
    inspect(&mut reader, &InspectOptions::default(), &mut |_| {}).expect("inspect");
    assert!(
        reader.source_reads() < 120,
        "{} reads",
        reader.source_reads()
    );
}

// ---- archives built here ----------------------------------------------------------------

struct TarBuilder(tar::Builder<Vec<u8>>);

impl TarBuilder {
    fn new() -> Self {
        TarBuilder(tar::Builder::new(Vec::new()))
    }
    fn file(&mut self, path: &str, data: &[u8]) -> &mut Self {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        self.0.append_data(&mut h, path, data).expect("append");
        self
    }
    fn blob(&mut self, data: &[u8]) -> String {
        let digest = sha256(data);
        let path = format!("blobs/sha256/{}", &digest[7..]);
        self.file(&path, data);
        digest
    }
    fn finish(self) -> Vec<u8> {
        self.0.into_inner().expect("finish")
    }
}

fn layer_tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut t = TarBuilder::new();
    for (p, d) in files {
        t.file(p, d);
    }
    t.finish()
}

fn config_json(arch: &str, steps: &[&str]) -> Vec<u8> {
    let history: Vec<_> = steps
        .iter()
        .map(|s| serde_json::json!({"created_by": s}))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": arch, "os": "linux", "created": "2024-01-02T03:04:05Z",
        "history": history, "rootfs": {"type": "layers", "diff_ids": []}
    }))
    .expect("json")
}

fn manifest_json(config: &str, config_len: usize, layers: &[(String, usize)]) -> Vec<u8> {
    let layers: Vec<_> = layers
        .iter()
        .map(|(d, n)| serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": n}))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": config_len},
        "layers": layers
    }))
    .expect("json")
}

/// A Docker 29-style multi-platform index where only linux/arm64's blobs were saved.
#[test]
fn partial_multi_platform_index_picks_the_present_platform() {
    let mut t = TarBuilder::new();
    let layer = layer_tar(&[("etc/hello", b"hi")]);
    let l = t.blob(&layer);
    let cfg = config_json("arm64", &["COPY hello /etc/hello"]);
    let c = t.blob(&cfg);
    let m = manifest_json(&c, cfg.len(), &[(l, layer.len())]);
    let arm = t.blob(&m);
    let missing = format!("sha256:{}", "ab".repeat(32));
    let nested = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": missing, "size": 1,
             "platform": {"os": "linux", "architecture": "amd64"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": arm, "size": m.len(),
             "platform": {"os": "linux", "architecture": "arm64"}}
        ]
    }))
    .expect("json");
    let idx = t.blob(&nested);
    let top = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
        "digest": idx, "size": nested.len(), "annotations": {"io.containerd.image.name": "docker.io/library/app:1"}}]
    }))
    .expect("json");
    t.file("index.json", &top);
    let s = run(t.finish(), None).expect("inspect");
    assert_eq!(s.platform(), "linux/arm64");
    assert_eq!(s.tags, vec!["docker.io/library/app:1"]);
    assert_eq!(s.layers.len(), 1);
    assert!(
        s.warnings.iter().any(|w| w.contains("linux/amd64")),
        "{:?}",
        s.warnings
    );
}

fn two_image_docker_archive() -> Vec<u8> {
    let mut t = TarBuilder::new();
    let a = layer_tar(&[("a", b"1")]);
    let b = layer_tar(&[("b", b"2")]);
    t.file("aaa/layer.tar", &a);
    t.file("bbb/layer.tar", &b);
    t.file("a.json", &config_json("amd64", &["ADD a /"]));
    t.file("b.json", &config_json("arm64", &["ADD b /"]));
    t.file(
        "manifest.json",
        br#"[{"Config":"a.json","RepoTags":["one:1"],"Layers":["aaa/layer.tar"]},
             {"Config":"b.json","RepoTags":["two:latest"],"Layers":["bbb/layer.tar"]}]"#,
    );
    t.finish()
}

#[test]
fn several_images_are_listed_and_selectable() {
    let bytes = two_image_docker_archive();
    let s = run(bytes.clone(), None).expect("inspect");
    assert_eq!(s.images, vec!["one:1", "two:latest"]);
    assert_eq!(s.tags, vec!["one:1"]);
    let s = run(bytes.clone(), Some("two")).expect("inspect two");
    assert_eq!(s.tags, vec!["two:latest"]);
    assert_eq!(s.architecture.as_deref(), Some("arm64"));
    match run(bytes, Some("three")) {
        Err(ImageError::ImageNotFound { available, .. }) => {
            assert_eq!(available, "one:1, two:latest")
        }
        other => panic!("expected ImageNotFound, got {other:?}"),
    }
}

#[test]
fn docker_25_layout_reads_blobs_through_manifest_json() {
    let mut t = TarBuilder::new();
    let layer = layer_tar(&[("x", b"x")]);
    let l = t.blob(&layer);
    let cfg = config_json("amd64", &["ADD x /"]);
    let c = t.blob(&cfg);
    t.file("index.json", br#"{"schemaVersion":2,"manifests":[]}"#);
    t.file(
        "manifest.json",
        format!(
            r#"[{{"Config":"blobs/sha256/{}","RepoTags":["new:25"],"Layers":["blobs/sha256/{}"]}}]"#,
            &c[7..],
            &l[7..]
        )
        .as_bytes(),
    );
    let s = run(t.finish(), None).expect("inspect");
    assert_eq!(s.format, ArchiveFormat::DockerArchive);
    assert_eq!(s.layout, "docker save (Docker 25+, OCI layout)");
    assert_eq!(s.layers[0].digest, l);
    assert_eq!(s.config_digest, c);
}

#[test]
fn bad_archives_give_clear_errors() {
    assert!(matches!(run(vec![], None), Err(ImageError::Empty)));
    assert!(matches!(
        run(b"%PDF-1.7 not an image".to_vec(), None),
        Err(ImageError::NotTar { .. })
    ));
    let no_manifest = layer_tar(&[("hello.txt", b"hi")]);
    let e = run(no_manifest, None).expect_err("no manifest");
    assert!(matches!(e, ImageError::NoManifest));
    assert!(e.hint().contains("docker save"));

    let mut truncated = fixture("test-docker-image.tar");
    truncated.truncate(700_000);
    assert!(matches!(
        run(truncated, None),
        Err(ImageError::Truncated { .. })
    ));

    let mut t = TarBuilder::new();
    t.file("manifest.json", b"[{\"Config\": 7}]");
    assert!(matches!(
        run(t.finish(), None),
        Err(ImageError::BadManifest { .. })
    ));

    let mut t = TarBuilder::new();
    t.file(
        "manifest.json",
        br#"[{"Config":"c.json","RepoTags":[],"Layers":["l/layer.tar"]}]"#,
    );
    t.file("c.json", &config_json("amd64", &[]));
    assert!(matches!(
        run(t.finish(), None),
        Err(ImageError::MissingBlob { .. })
    ));

    // A digest that tries to climb out of blobs/.
    let mut t = TarBuilder::new();
    t.file(
        "index.json",
        br#"{"manifests":[{"digest":"sha256:../../etc/passwd"}]}"#,
    );
    assert!(matches!(
        run(t.finish(), None),
        Err(ImageError::BadManifest { .. })
    ));
}
