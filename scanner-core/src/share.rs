//! Share links: a report carried in a URL fragment (`#r1.…`, which browsers never send to a
//! server), compact enough to paste, and reopened anywhere by re-matching its packages against
//! the local advisory bundle. Format: `docs/share-links.md`.
//!
//! The payload is `r1.` + base64url (no padding) of raw DEFLATE of a bincode (varint) encoding
//! of [`SharedReport`]. Decoding is bounded at every step: link length, inflated size, decoded
//! size, counts and string indexes, so a hostile link gives an error, never a panic, a hang or
//! unbounded memory.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::distro::Distro;
use crate::inventory::{purl_encode, Package};
use crate::report::Report;
use crate::summary::{ArchiveFormat, ImageSummary};

/// The fragment's prefix for format version 1.
pub const PREFIX: &str = "r1.";
/// Longest link payload accepted (after the `#`): 1 MiB (Chromium keeps URLs up to 2 MiB).
pub const MAX_PAYLOAD: usize = 1 << 20;
/// Most bytes a payload may inflate to: 16 MiB (a decompression bomb stops here).
pub const MAX_INFLATED: u64 = 16 << 20;
/// Most packages / finding ids / table strings a link may carry.
pub const MAX_ITEMS: usize = 200_000;
/// Links longer than this are not offered; the page offers the report file instead.
pub const COMFORTABLE_LINK: usize = 32 * 1024;

/// Marks where a purl's `NAME@VERSION` was cut out of its shape.
const HOLE: &str = "\u{1}";

/// What a share link carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedReport {
    /// The image's name (first tag) or its short ID.
    pub image: String,
    /// The config digest: the image ID.
    pub digest: String,
    pub distro: Option<SharedDistro>,
    /// The bundle the findings were matched with: (built, digest), when there was one.
    pub bundle: Option<(String, String)>,
    /// Strings many packages share (ecosystems, purl shapes, paths), referred to by index.
    pub table: Vec<String>,
    pub packages: Vec<SharedPackage>,
    /// Distinct finding ids at share time (not-applicable ones left out), sorted.
    pub findings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedDistro {
    pub id: String,
    pub version: String,
    pub pretty_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedPackage {
    /// Index into `table`.
    pub ecosystem: u32,
    pub name: String,
    pub version: String,
    /// `None` when equal to the name / version.
    pub source_name: Option<String>,
    pub source_version: Option<String>,
    pub layer: u32,
    /// Index into `table`: the purl with `NAME@VERSION` replaced by U+0001 (or whole).
    pub purl_shape: u32,
    /// Index into `table`: the file it was read from.
    pub path: u32,
}

/// Why a link cannot be opened. Messages say what is wrong; the page adds what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    #[error("this is not a tarsier report link")]
    NotALink,
    #[error("the link was made by a newer tarsier (format {0}); reload the page to update it")]
    NewerFormat(String),
    #[error("the link is {0} bytes long, more than the {MAX_PAYLOAD} a report link may be")]
    TooLong(usize),
    #[error("the link is damaged ({0}); it may have been cut short when it was copied")]
    Damaged(String),
    #[error("the link unpacks to more than {} MiB; it is not a report tarsier made", MAX_INFLATED >> 20)]
    Bomb,
}

impl ShareError {
    pub fn hint(&self) -> &'static str {
        match self {
            ShareError::NewerFormat(_) => "Reload the page to get the newest tarsier.",
            _ => "Ask for the link again, or for the report file (JSON export), and drop that file here.",
        }
    }
}

struct Interner {
    table: Vec<String>,
    index: BTreeMap<String, u32>,
}

impl Interner {
    fn add(&mut self, s: &str) -> u32 {
        if let Some(i) = self.index.get(s) {
            return *i;
        }
        let i = self.table.len() as u32;
        self.table.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

/// The purl with its `NAME@VERSION` cut out, when it is there as `purl()` writes it.
fn purl_shape(p: &Package) -> String {
    let needle = if p.version.is_empty() {
        purl_encode(&p.name)
    } else {
        format!("{}@{}", purl_encode(&p.name), purl_encode(&p.version))
    };
    match p.purl.rfind(&needle) {
        Some(at) if p.purl[..at].ends_with('/') => {
            format!("{}{HOLE}{}", &p.purl[..at], &p.purl[at + needle.len()..])
        }
        _ => p.purl.clone(),
    }
}

fn purl_from_shape(shape: &str, name: &str, version: &str) -> String {
    if !shape.contains(HOLE) {
        return shape.to_string();
    }
    let filled = if version.is_empty() {
        purl_encode(name)
    } else {
        format!("{}@{}", purl_encode(name), purl_encode(version))
    };
    shape.replacen(HOLE, &filled, 1)
}

/// The distinct ids of a report's applicable findings, sorted.
pub fn finding_ids(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| !f.not_applicable)
        .map(|f| f.id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

impl SharedReport {
    pub fn from_report(report: &Report) -> SharedReport {
        let mut strings = Interner {
            table: Vec::new(),
            index: BTreeMap::new(),
        };
        let packages = report
            .packages
            .iter()
            .map(|p| SharedPackage {
                ecosystem: strings.add(&p.ecosystem),
                name: p.name.clone(),
                version: p.version.clone(),
                source_name: (p.source_name != p.name).then(|| p.source_name.clone()),
                source_version: (p.source_version != p.version).then(|| p.source_version.clone()),
                layer: p.layer as u32,
                purl_shape: strings.add(&purl_shape(p)),
                path: strings.add(&p.path),
            })
            .collect();
        SharedReport {
            image: crate::export::image_name(report),
            digest: report.image.config_digest.clone(),
            distro: report.distro.as_ref().map(|d| SharedDistro {
                id: d.id.clone(),
                version: d.version.clone(),
                pretty_name: d.pretty_name.clone(),
            }),
            bundle: report
                .bundle
                .as_ref()
                .map(|b| (b.built.clone(), b.digest.clone())),
            table: strings.table,
            packages,
            findings: finding_ids(report),
        }
    }

    /// The fragment payload (what follows `#`).
    pub fn encode(&self) -> String {
        use bincode::Options;
        let raw = bincode::options()
            .serialize(self)
            .expect("serialising to memory cannot fail");
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&raw)
            .expect("compressing to memory cannot fail");
        let packed = z.finish().expect("compressing to memory cannot fail");
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
        )
    }

    /// Reads a fragment payload (with or without the leading `#`).
    pub fn decode(fragment: &str) -> Result<SharedReport, ShareError> {
        use bincode::Options;
        let payload = fragment.strip_prefix('#').unwrap_or(fragment);
        if payload.len() > MAX_PAYLOAD {
            return Err(ShareError::TooLong(payload.len()));
        }
        let Some(data) = payload.strip_prefix(PREFIX) else {
            if let Some(v) = payload
                .strip_prefix('r')
                .and_then(|rest| rest.split('.').next())
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(ShareError::NewerFormat(v.chars().take(8).collect()));
            }
            return Err(ShareError::NotALink);
        };
        let packed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(data.trim_end_matches('='))
            .map_err(|e| ShareError::Damaged(format!("not base64url: {e}")))?;
        let mut raw = Vec::new();
        flate2::read::DeflateDecoder::new(packed.as_slice())
            .take(MAX_INFLATED + 1)
            .read_to_end(&mut raw)
            .map_err(|e| ShareError::Damaged(format!("cannot decompress it: {e}")))?;
        if raw.len() as u64 > MAX_INFLATED {
            return Err(ShareError::Bomb);
        }
        let shared: SharedReport = bincode::options()
            .reject_trailing_bytes()
            .with_limit(MAX_INFLATED)
            .deserialize(&raw)
            .map_err(|e| ShareError::Damaged(format!("cannot decode it: {e}")))?;
        shared.check()?;
        Ok(shared)
    }

    fn check(&self) -> Result<(), ShareError> {
        let damaged = |what: String| Err(ShareError::Damaged(what));
        if self.packages.len() > MAX_ITEMS
            || self.findings.len() > MAX_ITEMS
            || self.table.len() > MAX_ITEMS
        {
            return damaged("it lists more items than a report can have".into());
        }
        let n = self.table.len() as u32;
        for (i, p) in self.packages.iter().enumerate() {
            if p.ecosystem >= n || p.purl_shape >= n || p.path >= n {
                return damaged(format!("package {i} refers to a string it does not carry"));
            }
        }
        Ok(())
    }

    /// A report holding the shared packages (findings not yet matched).
    pub fn to_report(&self) -> Report {
        let text = |i: u32| self.table.get(i as usize).cloned().unwrap_or_default();
        let packages = self
            .packages
            .iter()
            .map(|p| Package {
                purl: purl_from_shape(&text(p.purl_shape), &p.name, &p.version),
                ecosystem: text(p.ecosystem),
                name: p.name.clone(),
                version: p.version.clone(),
                source_name: p.source_name.clone().unwrap_or_else(|| p.name.clone()),
                source_version: p
                    .source_version
                    .clone()
                    .unwrap_or_else(|| p.version.clone()),
                arch: None,
                license: None,
                layer: p.layer as usize,
                path: text(p.path),
                found_by: "share-link".into(),
                notes: Vec::new(),
            })
            .collect();
        let is_name = !self.image.starts_with("sha256:");
        Report {
            report_version: Report::VERSION,
            image: ImageSummary {
                format: ArchiveFormat::SharedReport,
                layout: "reopened from a share link".into(),
                archive_size: 0,
                images: vec![self.image.clone()],
                tags: if is_name {
                    vec![self.image.clone()]
                } else {
                    Vec::new()
                },
                config_digest: self.digest.clone(),
                manifest_digest: None,
                os: None,
                architecture: None,
                variant: None,
                created: None,
                layers: Vec::new(),
                history: Vec::new(),
                runtime: None,
                base_layers: None,
                base_name: None,
                base_digest: None,
                warnings: Vec::new(),
            },
            file_count: 0,
            distro: self.distro.as_ref().map(|d| {
                let mut distro = Distro {
                    id: d.id.clone(),
                    version: d.version.clone(),
                    codename: None,
                    pretty_name: d.pretty_name.clone(),
                    like: Vec::new(),
                    eol: None,
                };
                distro.eol = crate::distro::eol_for(&distro.id, &distro.version);
                distro
            }),
            packages,
            files: Vec::new(),
            layer_files: Vec::new(),
            bundle: None,
            findings: Vec::new(),
        }
    }
}

/// How a reopened report's findings differ from those it was shared (or saved) with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// Ids found now and not then.
    pub new: Vec<String>,
    /// Ids found then and not now (fixed upstream, withdrawn or re-scored away).
    pub gone: Vec<String>,
    /// The bundle the old findings came from: (built, digest).
    pub then_bundle: Option<(String, String)>,
}

impl Changes {
    pub fn between(then: &[String], now: &[String], then_bundle: Option<(String, String)>) -> Self {
        let then_set: BTreeSet<&String> = then.iter().collect();
        let now_set: BTreeSet<&String> = now.iter().collect();
        Changes {
            new: now_set
                .difference(&then_set)
                .map(|s| (*s).clone())
                .collect(),
            gone: then_set
                .difference(&now_set)
                .map(|s| (*s).clone())
                .collect(),
            then_bundle,
        }
    }
}
