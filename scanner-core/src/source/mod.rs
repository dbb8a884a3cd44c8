//! The outer archive: which format it is, which images it holds, and each image's manifest and
//! config.
//!
//! Two families are read:
//! - docker-archive (`manifest.json`): legacy `docker save` (`<id>/layer.tar`), Docker 25+ (an OCI
//!   layout plus `manifest.json`), podman/skopeo `docker-archive:`, and go-containerregistry
//!   tarballs as kaniko and crane write them (`<digest>.tar.gz` at the top level).
//! - OCI image layout in a tar (`index.json` → manifest, or nested index → manifests → config).
//!
//! A file's kind is decided by its bytes: the layer compression reported here comes from each
//! blob's magic number, never from its name or media type alone.

mod config;
mod docker;
mod oci;
pub mod reader;
mod stream;
pub mod tar_index;

use std::io::{Read, Seek};

use serde::{Deserialize, Serialize};

use crate::error::ImageError;
use crate::progress::{Progress, Stage};
use crate::summary::{ArchiveFormat, HistoryEntry, ImageSummary, LayerInfo};
pub(crate) use stream::stream_plan;
use tar_index::{sniff, Magic, TarIndex};

/// Largest manifest, index or config we read (real ones are kilobytes).
pub const MAX_JSON_BYTES: u64 = 8 * 1024 * 1024;

/// Choices for [`inspect`].
#[derive(Debug, Clone, Default)]
pub struct InspectOptions {
    /// Which image to pick when the archive holds several: a name (`repo:tag`, `:latest` implied)
    /// or a manifest/config digest (a unique prefix suffices). `None` picks the first.
    pub image: Option<String>,
}

/// A layer as the manifest names it.
#[derive(Debug, Clone)]
pub(crate) struct LayerRef {
    pub path: String,
    pub digest: Option<String>,
    pub media_type: Option<String>,
}

/// One image the archive offers.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub names: Vec<String>,
    pub config_path: String,
    pub manifest_digest: Option<String>,
    pub layers: Vec<LayerRef>,
    /// `os/arch[/variant]` when an index says so.
    pub platform: Option<String>,
    /// The image manifest's annotations (OCI layouts only), e.g.
    /// `org.opencontainers.image.base.name`.
    pub annotations: std::collections::BTreeMap<String, String>,
}

impl Candidate {
    fn display_name(&self) -> String {
        if let Some(n) = self.names.first() {
            return n.clone();
        }
        let id = self
            .manifest_digest
            .clone()
            .unwrap_or_else(|| self.config_path.clone());
        match &self.platform {
            Some(p) => format!("{id} ({p})"),
            None => id,
        }
    }

    fn matches(&self, wanted: &str) -> bool {
        let with_latest = if wanted.rsplit('/').next().is_some_and(|l| l.contains(':')) {
            wanted.to_string()
        } else {
            format!("{wanted}:latest")
        };
        self.names.iter().any(|n| n == wanted || *n == with_latest)
            || self
                .manifest_digest
                .as_deref()
                .is_some_and(|d| digest_prefix_matches(d, wanted))
            || digest_prefix_matches(
                &self.config_path.replace("blobs/sha256/", "sha256:"),
                wanted,
            )
            || self.platform.as_deref() == Some(wanted)
    }

    fn blobs_present(&self, members: &dyn Members) -> bool {
        members.size_of(&self.config_path).is_some()
            && self
                .layers
                .iter()
                .all(|l| members.size_of(&l.path).is_some())
    }
}

fn digest_prefix_matches(digest: &str, wanted: &str) -> bool {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    let want = wanted.strip_prefix("sha256:").unwrap_or(wanted);
    want.len() >= 6 && hex.starts_with(want)
}

/// `sha256:<64 hex>` → `blobs/sha256/<hex>`; anything else (other algorithms, path tricks) is
/// refused.
pub(crate) fn blob_path(digest: &str, file: &str) -> Result<String, ImageError> {
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| ImageError::BadManifest {
            file: file.to_string(),
            detail: format!("`{digest}` is not a sha256 digest"),
        })?;
    Ok(format!("blobs/sha256/{}", hex.to_ascii_lowercase()))
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    file: &str,
) -> Result<T, ImageError> {
    serde_json::from_slice(bytes).map_err(|e| ImageError::BadManifest {
        file: file.to_string(),
        detail: e.to_string(),
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// How a layer blob is compressed, from its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
    Unknown,
}

impl Compression {
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Unknown => "unknown",
        }
    }
}

/// Where one layer's blob lies in the archive: everything a worker needs to walk it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerJob {
    pub index: usize,
    /// Offset of the blob in the archive file.
    pub offset: u64,
    /// Length of the blob in bytes.
    pub size: u64,
    pub compression: Compression,
}

/// The selected image's summary plus where each layer lies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImagePlan {
    pub summary: ImageSummary,
    pub jobs: Vec<LayerJob>,
}

/// Reads an image archive's index, manifest and config and summarises the selected image.
///
/// Reads only tar headers, the manifest, the config and a few bytes of each layer: the cost is
/// one pass of seeks over the archive, whatever its size.
pub fn inspect<R: Read + Seek>(
    reader: &mut R,
    options: &InspectOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImageSummary, ImageError> {
    let plan = plan(reader, options, progress)?;
    progress(Progress::new(Stage::Done, 1, 1));
    Ok(plan.summary)
}

/// Like [`inspect`], and also says where each layer's blob lies, for [`crate::scan`].
pub fn plan<R: Read + Seek>(
    reader: &mut R,
    options: &InspectOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImagePlan, ImageError> {
    let index = TarIndex::build(reader, progress)?;
    plan_members(&mut Indexed { index, reader }, options, progress)
}

/// Read access to the members of an outer archive, seekable or already streamed.
pub(crate) trait Members {
    /// Length of the archive file.
    fn archive_len(&self) -> u64;
    /// Size of a member, or `None` if the archive lacks it.
    fn size_of(&self, path: &str) -> Option<u64>;
    /// A whole member, refusing anything over `limit` bytes.
    fn read(&mut self, path: &str, limit: u64) -> Result<Vec<u8>, ImageError>;
    /// Up to `n` leading bytes of a member.
    fn head(&mut self, path: &str, n: usize) -> Result<Vec<u8>, ImageError>;
    /// `(offset, size)` of a member's body in the archive, when the archive is seekable.
    fn location(&self, path: &str) -> Option<(u64, u64)>;
}

/// A seekable archive and its header index.
struct Indexed<'a, R> {
    index: TarIndex,
    reader: &'a mut R,
}

impl<R: Read + Seek> Members for Indexed<'_, R> {
    fn archive_len(&self) -> u64 {
        self.index.archive_len
    }
    fn size_of(&self, path: &str) -> Option<u64> {
        self.index.get(path).map(|m| m.size)
    }
    fn read(&mut self, path: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        self.index.read_member(self.reader, path, limit)
    }
    fn head(&mut self, path: &str, n: usize) -> Result<Vec<u8>, ImageError> {
        let member = self
            .index
            .get(path)
            .ok_or_else(|| ImageError::MissingBlob {
                what: path.to_string(),
            })?;
        self.index.read_head(self.reader, member, n)
    }
    fn location(&self, path: &str) -> Option<(u64, u64)> {
        self.index.get(path).map(|m| (m.offset, m.size))
    }
}

/// Reads manifests and config through `members` and summarises the selected image.
pub(crate) fn plan_members(
    members: &mut dyn Members,
    options: &InspectOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImagePlan, ImageError> {
    progress(Progress::new(Stage::ReadingManifest, 0, 1));
    let mut warnings = Vec::new();
    let (format, layout, candidates) = if members.size_of("manifest.json").is_some() {
        let (layout, candidates) = docker::candidates(members)?;
        (ArchiveFormat::DockerArchive, layout, candidates)
    } else if members.size_of("index.json").is_some() {
        let candidates = oci::candidates(members, &mut warnings)?;
        (
            ArchiveFormat::OciArchive,
            "OCI image layout".to_string(),
            candidates,
        )
    } else {
        return Err(ImageError::NoManifest);
    };
    if candidates.is_empty() {
        return Err(ImageError::BadManifest {
            file: if format == ArchiveFormat::DockerArchive {
                "manifest.json".into()
            } else {
                "index.json".into()
            },
            detail: "it lists no images".into(),
        });
    }
    let chosen = select(&candidates, members, options, &mut warnings)?;
    progress(Progress::new(Stage::ReadingManifest, 1, 1));

    progress(Progress::new(Stage::ReadingConfig, 0, 1));
    let config_bytes = members.read(&chosen.config_path, MAX_JSON_BYTES)?;
    let config_digest = sha256_hex(&config_bytes);
    let config: config::ImageConfig = parse_json(&config_bytes, &chosen.config_path)?;
    progress(Progress::new(Stage::ReadingConfig, 1, 1));

    let history = history_entries(&config, chosen.layers.len(), &mut warnings);
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.as_slice())
        .unwrap_or(&[]);
    if !diff_ids.is_empty() && diff_ids.len() != chosen.layers.len() {
        warnings.push(format!(
            "the config lists {} layer digests (rootfs.diff_ids) but the manifest lists {} layers",
            diff_ids.len(),
            chosen.layers.len()
        ));
    }

    let total = chosen.layers.len() as u64;
    let mut layers = Vec::with_capacity(chosen.layers.len());
    let mut jobs = Vec::with_capacity(chosen.layers.len());
    for (i, layer) in chosen.layers.iter().enumerate() {
        progress(Progress::new(Stage::InspectingLayers, i as u64, total));
        let size = members
            .size_of(&layer.path)
            .ok_or_else(|| ImageError::MissingBlob {
                what: format!("layer {i} ({})", layer.path),
            })?;
        let head = members.head(&layer.path, 512)?;
        let kind = match sniff(&head) {
            Magic::Gzip => Compression::Gzip,
            Magic::Zstd => Compression::Zstd,
            Magic::Tar => Compression::None,
            // An empty layer blob is an empty (uncompressed) tar.
            _ if head.iter().all(|b| *b == 0) => Compression::None,
            _ => Compression::Unknown,
        };
        let (offset, _) = members.location(&layer.path).unwrap_or((0, size));
        jobs.push(LayerJob {
            index: i,
            offset,
            size,
            compression: kind,
        });
        let compression = kind.as_str();
        if compression == "unknown" {
            warnings.push(format!(
                "layer {i} ({}) is neither a tar stream nor gzip/zstd compressed",
                layer.path
            ));
        }
        let diff_id = diff_ids.get(i).cloned();
        let digest = layer
            .digest
            .clone()
            .or_else(|| (compression == "none").then(|| diff_id.clone()).flatten())
            .unwrap_or_else(|| "unknown".to_string());
        let media_type = layer.media_type.clone().unwrap_or_else(|| {
            match compression {
                "gzip" => "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "zstd" => "application/vnd.docker.image.rootfs.diff.tar.zstd",
                _ => "application/vnd.docker.image.rootfs.diff.tar",
            }
            .to_string()
        });
        let created_by = history
            .iter()
            .find(|h| h.layer == Some(i))
            .and_then(|h| h.created_by.clone());
        layers.push(LayerInfo {
            index: i,
            digest,
            diff_id,
            size,
            media_type,
            compression: compression.to_string(),
            path: layer.path.clone(),
            created_by,
            changes: None,
        });
    }
    progress(Progress::new(Stage::InspectingLayers, total, total));

    let summary = ImageSummary {
        format,
        layout,
        archive_size: members.archive_len(),
        images: candidates.iter().map(Candidate::display_name).collect(),
        tags: chosen.names.clone(),
        config_digest,
        manifest_digest: chosen.manifest_digest.clone(),
        os: config.os.clone(),
        architecture: config.architecture.clone(),
        variant: config.variant.clone(),
        created: config.created.clone(),
        base_layers: base_layers(&history),
        // The manifest's annotations first (what the OCI image spec defines them on), then the
        // config's labels (where Dockerfiles put them).
        base_name: base_annotation(chosen, &config, "org.opencontainers.image.base.name"),
        base_digest: base_annotation(chosen, &config, "org.opencontainers.image.base.digest"),
        runtime: config.config.as_ref().map(runtime_info),
        layers,
        history,
        warnings,
    };
    Ok(ImagePlan { summary, jobs })
}

/// Picks the requested image, or by default the first whose blobs are all present, preferring
/// linux/amd64 among platforms of one index.
fn select<'a>(
    candidates: &'a [Candidate],
    members: &dyn Members,
    options: &InspectOptions,
    warnings: &mut Vec<String>,
) -> Result<&'a Candidate, ImageError> {
    if let Some(wanted) = &options.image {
        return candidates
            .iter()
            .find(|c| c.matches(wanted))
            .ok_or_else(|| ImageError::ImageNotFound {
                requested: wanted.clone(),
                available: candidates
                    .iter()
                    .map(Candidate::display_name)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
    }
    let present: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.blobs_present(members))
        .collect();
    let missing: Vec<String> = candidates
        .iter()
        .filter(|c| !c.blobs_present(members))
        .map(|c| c.platform.clone().unwrap_or_else(|| c.display_name()))
        .collect();
    if !missing.is_empty() && !present.is_empty() {
        warnings.push(format!(
            "the archive's index names images whose blobs were never saved: {} (skipped)",
            missing.join(", ")
        ));
    }
    let pool: Vec<&Candidate> = if present.is_empty() {
        candidates.iter().collect()
    } else {
        present
    };
    let first = pool[0];
    // Platforms of one multi-platform index: prefer linux/amd64, as `docker run` would here.
    let chosen = pool
        .iter()
        .find(|c| {
            c.platform.as_deref().is_some_and(|p| p == "linux/amd64") && c.names == first.names
        })
        .copied()
        .unwrap_or(first);
    Ok(chosen)
}

/// The runtime settings, secrets masked.
fn runtime_info(c: &config::Runtime) -> crate::summary::RuntimeInfo {
    let mut masked = 0;
    let env = c
        .env
        .iter()
        .flatten()
        .map(|e| match e.split_once('=') {
            Some((name, value)) if crate::summary::secret_name(name) && !value.is_empty() => {
                masked += 1;
                format!("{name}=••••••")
            }
            _ => e.clone(),
        })
        .collect();
    crate::summary::RuntimeInfo {
        user: c.user.clone().filter(|u| !u.is_empty()),
        env,
        masked,
        exposed_ports: c
            .exposed_ports
            .iter()
            .flat_map(|p| p.keys().cloned())
            .collect(),
        entrypoint: c.entrypoint.clone().unwrap_or_default(),
        cmd: c.cmd.clone().unwrap_or_default(),
        working_dir: c.working_dir.clone().filter(|w| !w.is_empty()),
        labels: c.labels.clone().unwrap_or_default(),
    }
}

fn base_annotation(chosen: &Candidate, config: &config::ImageConfig, key: &str) -> Option<String> {
    chosen
        .annotations
        .get(key)
        .or_else(|| {
            config
                .config
                .as_ref()
                .and_then(|c| c.labels.as_ref())
                .and_then(|l| l.get(key))
        })
        .filter(|v| !v.trim().is_empty())
        .cloned()
}

/// Where the base image ends, from the history: a base image's build ends with `CMD` (or
/// `ENTRYPOINT`), an instruction that makes no layer; the layers made before the last such step
/// that is followed by more layer-making steps are the base image's.
fn base_layers(history: &[HistoryEntry]) -> Option<usize> {
    let is_end = |h: &HistoryEntry| {
        let c = h.created_by.as_deref().unwrap_or("");
        h.empty_layer
            && (c.contains("CMD [")
                || c.contains("CMD [\"")
                || c.starts_with("CMD ")
                || c.contains("#(nop)  CMD")
                || c.contains("ENTRYPOINT ["))
    };
    let mut boundary = None;
    for (i, h) in history.iter().enumerate() {
        if is_end(h) && history[i + 1..].iter().any(|x| x.layer.is_some()) {
            boundary = Some(i);
        }
    }
    let i = boundary?;
    let count = history[..i]
        .iter()
        .filter_map(|h| h.layer)
        .max()
        .map(|l| l + 1)?;
    Some(count)
}

fn history_entries(
    config: &config::ImageConfig,
    layer_count: usize,
    warnings: &mut Vec<String>,
) -> Vec<HistoryEntry> {
    let mut next_layer = 0usize;
    let entries: Vec<HistoryEntry> = config
        .history
        .iter()
        .map(|h| {
            let layer = if h.empty_layer {
                None
            } else {
                next_layer += 1;
                Some(next_layer - 1).filter(|i| *i < layer_count)
            };
            HistoryEntry {
                created: h.created.clone(),
                created_by: h.created_by.clone(),
                comment: h.comment.clone(),
                empty_layer: h.empty_layer,
                layer,
            }
        })
        .collect();
    if !entries.is_empty() && next_layer != layer_count {
        warnings.push(format!(
            "the history describes {next_layer} layer-making steps but the image has {layer_count} layers; \
             `created_by` may be attributed to the wrong layers"
        ));
    }
    entries
}
