//! What [`crate::inspect`] learns about an image: the JSON shape of `tarsier inspect --json` and
//! the data behind the page's image summary.

use serde::{Deserialize, Serialize};

/// The kind of outer archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArchiveFormat {
    /// `manifest.json` at the top: `docker save`, `podman save`, skopeo `docker-archive:`, kaniko.
    DockerArchive,
    /// An OCI image layout in a tar: `index.json`, `blobs/sha256/` (skopeo `oci-archive:`, buildah).
    OciArchive,
    /// No archive: a report reopened from a share link (`crate::share`).
    SharedReport,
}

impl ArchiveFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveFormat::DockerArchive => "docker-archive",
            ArchiveFormat::OciArchive => "oci-archive",
            ArchiveFormat::SharedReport => "shared-report",
        }
    }
}

/// One layer of the selected image, bottom first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerInfo {
    /// 0-based position, bottom layer first.
    pub index: usize,
    /// Digest of the blob as stored (compressed if compressed), `sha256:<hex>`. For uncompressed
    /// legacy `docker save` layers this equals `diff_id`.
    pub digest: String,
    /// Digest of the uncompressed tar, from the config's `rootfs.diff_ids` (if listed).
    pub diff_id: Option<String>,
    /// Size of the blob in the archive, in bytes.
    pub size: u64,
    /// Media type from the manifest, or derived from the blob's magic bytes for docker-archives.
    pub media_type: String,
    /// Compression detected from the blob's first bytes: `none`, `gzip`, `zstd` or `unknown`.
    pub compression: String,
    /// Path of the blob inside the archive.
    pub path: String,
    /// The history step that made this layer, if the history says.
    pub created_by: Option<String>,
    /// What the layer did to the filesystem; present after a full scan, absent after `inspect`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<crate::layer::LayerChanges>,
}

/// One step of the image's build history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub created: Option<String>,
    pub created_by: Option<String>,
    pub comment: Option<String>,
    /// True for steps that changed only metadata (`ENV`, `CMD`, ...) and made no layer.
    pub empty_layer: bool,
    /// Index of the layer this step made, if any.
    pub layer: Option<usize>,
}

/// How a container of this image runs, from its config. Environment values whose names look
/// like secrets are masked here, so the report never carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeInfo {
    pub user: Option<String>,
    /// `NAME=value`, with secret-looking values replaced by `••••••`.
    pub env: Vec<String>,
    /// How many values were masked.
    pub masked: usize,
    pub exposed_ports: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub working_dir: Option<String>,
    pub labels: std::collections::BTreeMap<String, String>,
}

/// Whether an environment variable's name says its value is a secret.
pub fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "PASS",
        "SECRET",
        "TOKEN",
        "KEY",
        "CREDENTIAL",
        "AUTH",
        "PRIVATE",
        "PWD",
        "CERT",
    ]
    .iter()
    .any(|w| n.contains(w))
        && !matches!(n.as_str(), "PWD" | "OLDPWD" | "GPG_KEY" | "KEYRING")
}

/// Summary of one image in an archive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageSummary {
    pub format: ArchiveFormat,
    /// How the archive is laid out, in words (e.g. "docker save (legacy layout)").
    pub layout: String,
    /// Size of the archive file in bytes.
    pub archive_size: u64,
    /// Every image in the archive, by name (or manifest digest when it has none).
    pub images: Vec<String>,
    /// Names (`repo:tag`) of the selected image; empty when the archive names none.
    pub tags: Vec<String>,
    /// `sha256:` of the config blob: the image ID.
    pub config_digest: String,
    /// Digest of the image manifest, for OCI layouts.
    pub manifest_digest: Option<String>,
    pub os: Option<String>,
    pub architecture: Option<String>,
    pub variant: Option<String>,
    /// Creation time as the config states it (RFC 3339).
    pub created: Option<String>,
    pub layers: Vec<LayerInfo>,
    pub history: Vec<HistoryEntry>,
    /// The container's runtime settings (user, env, ports, entrypoint, labels).
    #[serde(default)]
    pub runtime: Option<RuntimeInfo>,
    /// Layers that came from the base image (indexes `0..base_layers`), when the history or the
    /// labels tell; `None` when they do not.
    #[serde(default)]
    pub base_layers: Option<usize>,
    /// The base image's name: the `org.opencontainers.image.base.name` annotation of the image
    /// manifest, else the config label of that name.
    #[serde(default)]
    pub base_name: Option<String>,
    /// The base image's manifest digest (`org.opencontainers.image.base.digest`, same sources).
    #[serde(default)]
    pub base_digest: Option<String>,
    /// Problems that did not stop the inspection.
    pub warnings: Vec<String>,
}

impl ImageSummary {
    /// `os/architecture[/variant]`, or `unknown`.
    pub fn platform(&self) -> String {
        let mut s = format!(
            "{}/{}",
            self.os.as_deref().unwrap_or("unknown"),
            self.architecture.as_deref().unwrap_or("unknown")
        );
        if let Some(v) = &self.variant {
            s.push('/');
            s.push_str(v);
        }
        s
    }

    /// Sum of all layer blob sizes.
    pub fn total_layer_size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }
}

/// A byte count for people: `1.4 MB` (powers of 1000, as download sizes are shown).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
