//! docker-archive: `manifest.json` at the top of the tar.
//!
//! ```json
//! [{"Config": "<id>.json", "RepoTags": ["app:1"], "Layers": ["<id>/layer.tar", ...]}]
//! ```
//!
//! Three layouts share this manifest: legacy `docker save` (`<id>/layer.tar`, uncompressed),
//! Docker 25+ (`blobs/sha256/<hex>`, an OCI layout beside it) and go-containerregistry tarballs
//! as kaniko and crane write them (`<digest>.tar.gz` at the top level).

use serde::Deserialize;
use std::collections::BTreeMap;

use super::tar_index::normalise;
use super::{parse_json, Candidate, LayerRef, Members, MAX_JSON_BYTES};
use crate::error::ImageError;

#[derive(Debug, Deserialize)]
struct ManifestItem {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
    #[serde(rename = "LayerSources", default)]
    layer_sources: Option<BTreeMap<String, LayerSource>>,
}

#[derive(Debug, Deserialize)]
struct LayerSource {
    #[serde(rename = "mediaType")]
    media_type: Option<String>,
}

/// `sha256:<hex>` when the file name (without `.tar`, `.tar.gz`, ...) is a bare sha256 hex digest.
fn digest_from_name(path: &str) -> Option<String> {
    if let Some(hex) = path.strip_prefix("blobs/sha256/") {
        return Some(format!("sha256:{hex}"));
    }
    let file = path.rsplit('/').next()?;
    let stem = file.split('.').next()?;
    let stem = stem.strip_prefix("sha256:").unwrap_or(stem);
    (stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("sha256:{stem}"))
}

pub(crate) fn candidates(
    members: &mut dyn Members,
) -> Result<(String, Vec<Candidate>), ImageError> {
    let bytes = members.read("manifest.json", MAX_JSON_BYTES)?;
    let items: Vec<ManifestItem> = parse_json(&bytes, "manifest.json")?;
    let mut layout = "flat layout (skopeo, podman, kaniko, crane)";
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let sources = item.layer_sources.unwrap_or_default();
        let layers = item
            .layers
            .iter()
            .map(|l| {
                let path = normalise(l);
                if path.ends_with("/layer.tar") {
                    layout = "docker save (legacy layout)";
                } else if path.starts_with("blobs/") {
                    layout = "docker save (Docker 25+, OCI layout)";
                }
                let digest = digest_from_name(&path);
                let media_type = digest
                    .as_ref()
                    .and_then(|d| sources.get(d))
                    .and_then(|s| s.media_type.clone());
                LayerRef {
                    path,
                    digest: if l.ends_with("/layer.tar") {
                        None
                    } else {
                        digest
                    },
                    media_type,
                }
            })
            .collect();
        out.push(Candidate {
            names: item.repo_tags.unwrap_or_default(),
            config_path: normalise(&item.config),
            manifest_digest: None,
            layers,
            platform: None,
            annotations: Default::default(),
        });
    }
    Ok((layout.to_string(), out))
}

#[cfg(test)]
mod tests {
    use super::digest_from_name;

    #[test]
    fn digests_come_from_blob_and_tarball_names_only() {
        let hex = "5c4213be9af904dd74649d250f22023f532b2f9179ffcb15260b5eaa10d7a3b4";
        assert_eq!(
            digest_from_name(&format!("{hex}.tar.gz")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(
            digest_from_name(&format!("blobs/sha256/{hex}")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(digest_from_name("abc/layer.tar"), None);
    }
}
