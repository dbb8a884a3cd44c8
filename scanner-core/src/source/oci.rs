//! OCI image layout in a tar: `index.json` → image manifests (possibly through nested indexes) →
//! config and layers, all under `blobs/sha256/`.
//!
//! Docker 29's containerd image store writes indexes that name platforms whose blobs were never
//! pulled; such entries are kept as candidates and [`super::select`] prefers the ones that are
//! complete, with a warning naming the rest.

use serde::Deserialize;
use std::collections::BTreeMap;

use super::{blob_path, parse_json, Candidate, LayerRef, Members, MAX_JSON_BYTES};
use crate::error::ImageError;

/// Deepest nesting of indexes we follow.
const MAX_INDEX_DEPTH: usize = 4;
/// Most image manifests we consider.
const MAX_MANIFESTS: usize = 1024;

const INDEX_TYPES: [&str; 2] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

#[derive(Debug, Deserialize)]
struct Index {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

#[derive(Debug, Deserialize)]
struct Descriptor {
    #[serde(rename = "mediaType", default)]
    media_type: Option<String>,
    digest: String,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(default)]
    platform: Option<Platform>,
}

#[derive(Debug, Deserialize)]
struct Platform {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    variant: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    #[serde(rename = "mediaType", default)]
    media_type: Option<String>,
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Vec<Descriptor>,
    /// Present when the "manifest" is in fact an index without a media type on its descriptor.
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

fn platform_string(p: &Platform) -> String {
    match &p.variant {
        Some(v) if !v.is_empty() => format!("{}/{}/{v}", p.os, p.architecture),
        _ => format!("{}/{}", p.os, p.architecture),
    }
}

fn names(annotations: &BTreeMap<String, String>, inherited: &[String]) -> Vec<String> {
    if let Some(full) = annotations.get("io.containerd.image.name") {
        return vec![full.clone()];
    }
    if let Some(r) = annotations.get("org.opencontainers.image.ref.name") {
        return vec![r.clone()];
    }
    inherited.to_vec()
}

pub(crate) fn candidates(
    members: &mut dyn Members,
    warnings: &mut Vec<String>,
) -> Result<Vec<Candidate>, ImageError> {
    let bytes = members.read("index.json", MAX_JSON_BYTES)?;
    let top: Index = parse_json(&bytes, "index.json")?;
    let mut out = Vec::new();
    walk(members, &top.manifests, &[], 0, &mut out, warnings)?;
    Ok(out)
}

fn walk(
    members: &mut dyn Members,
    descriptors: &[Descriptor],
    inherited_names: &[String],
    depth: usize,
    out: &mut Vec<Candidate>,
    warnings: &mut Vec<String>,
) -> Result<(), ImageError> {
    for d in descriptors {
        if out.len() >= MAX_MANIFESTS {
            warnings.push(format!(
                "only the first {MAX_MANIFESTS} image manifests were considered"
            ));
            return Ok(());
        }
        // buildx attaches provenance/SBOM attestations as pseudo-images; they are not runnable.
        if d.annotations
            .get("vnd.docker.reference.type")
            .is_some_and(|t| t == "attestation-manifest")
        {
            continue;
        }
        let path = blob_path(&d.digest, "index.json")?;
        let names = names(&d.annotations, inherited_names);
        let platform = d.platform.as_ref().map(platform_string);
        if members.size_of(&path).is_none() {
            // Named but never saved: keep it so selection can say which platforms were missing.
            out.push(Candidate {
                names,
                config_path: String::new(),
                manifest_digest: Some(d.digest.clone()),
                layers: Vec::new(),
                platform,
                annotations: BTreeMap::new(),
            });
            continue;
        }
        let is_index = d
            .media_type
            .as_deref()
            .is_some_and(|t| INDEX_TYPES.contains(&t));
        let bytes = members.read(&path, MAX_JSON_BYTES)?;
        let manifest: Manifest = parse_json(&bytes, &path)?;
        let nested = manifest.manifests.as_ref().filter(|_| {
            is_index
                || manifest.config.is_none()
                || manifest
                    .media_type
                    .as_deref()
                    .is_some_and(|t| INDEX_TYPES.contains(&t))
        });
        if let Some(children) = nested {
            if depth >= MAX_INDEX_DEPTH {
                warnings.push(format!(
                    "indexes nested deeper than {MAX_INDEX_DEPTH} levels were not followed"
                ));
                continue;
            }
            walk(members, children, &names, depth + 1, out, warnings)?;
            continue;
        }
        let Some(config) = manifest.config else {
            return Err(ImageError::BadManifest {
                file: path,
                detail: "the image manifest has no config".into(),
            });
        };
        let layers = manifest
            .layers
            .iter()
            .map(|l| {
                Ok(LayerRef {
                    path: blob_path(&l.digest, &path)?,
                    digest: Some(l.digest.clone()),
                    media_type: l.media_type.clone(),
                })
            })
            .collect::<Result<Vec<_>, ImageError>>()?;
        out.push(Candidate {
            names,
            config_path: blob_path(&config.digest, &path)?,
            manifest_digest: Some(d.digest.clone()),
            layers,
            platform,
            annotations: manifest.annotations,
        });
    }
    Ok(())
}
