//! The advisory bundle: what the page downloads once and the CLI reads with `--bundle`.
//!
//! Layout (format version 1; see `docs/bundle-format.md`):
//!
//! ```text
//! "TRSB" | u32 LE format version | u64 LE payload length | 32 bytes SHA-256 of the payload | payload
//! payload = zlib(bincode(Body))
//! ```
//!
//! The reader checks the magic, the version, the length and the hash before decoding anything,
//! and decodes with a size limit, so a damaged or hostile bundle is rejected whole, never
//! half-used. Withdrawn records are dropped at build time; long `details` are not kept.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::osv::{self, Event, RangeKind, Record};

pub const MAGIC: &[u8; 4] = b"TRSB";
pub const FORMAT_VERSION: u32 = 1;
/// Largest decompressed payload accepted.
pub const MAX_PAYLOAD: u64 = 1 << 30;

/// Facts about a bundle, shown on the page and in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format_version: u32,
    /// When the bundle was built (RFC 3339), as given to the builder.
    pub built: String,
    /// Records per ecosystem (the base name: `Debian`, `PyPI`, ...).
    pub counts: BTreeMap<String, u64>,
    /// Where the records came from, with their snapshot dates when known.
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Body {
    header: Header,
    records: Vec<CompactRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CompactRecord {
    id: String,
    aliases: Vec<String>,
    summary: Option<String>,
    severity: Option<String>,
    references: Vec<String>,
    affected: Vec<CompactAffected>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CompactAffected {
    ecosystem: String,
    name: String,
    versions: Vec<String>,
    /// ECOSYSTEM/SEMVER ranges only, events as (kind, version) with kind 0 introduced,
    /// 1 fixed, 2 last_affected, 3 limit.
    ranges: Vec<Vec<(u8, String)>>,
}

/// Why a bundle was refused.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("this is not a tarsier advisory bundle (bad magic bytes)")]
    NotABundle,
    #[error("bundle format {0} is not supported (this build reads format {FORMAT_VERSION}); rebuild the bundle with this version of tarsier")]
    Version(u32),
    #[error("the bundle is damaged: {0}")]
    Damaged(String),
}

fn severity_of(r: &Record) -> Option<String> {
    r.database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str())
        .map(|s| match s.to_ascii_uppercase().as_str() {
            "MODERATE" => "MEDIUM".to_string(),
            other => other.to_string(),
        })
}

fn compact(r: &Record) -> CompactRecord {
    CompactRecord {
        id: r.id.clone(),
        aliases: r.aliases.clone(),
        summary: r.summary.clone(),
        severity: severity_of(r),
        references: r.references.iter().map(|x| x.url.clone()).collect(),
        affected: r
            .affected
            .iter()
            .map(|a| CompactAffected {
                ecosystem: a.package.ecosystem.clone(),
                name: a.package.name.clone(),
                versions: a.versions.clone(),
                ranges: a
                    .ranges
                    .iter()
                    .filter(|g| matches!(g.kind, RangeKind::Ecosystem | RangeKind::Semver))
                    .map(|g| {
                        g.events
                            .iter()
                            .map(|e| match e {
                                Event::Introduced(v) => (0, v.clone()),
                                Event::Fixed(v) => (1, v.clone()),
                                Event::LastAffected(v) => (2, v.clone()),
                                Event::Limit(v) => (3, v.clone()),
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn expand(c: CompactRecord) -> Record {
    Record {
        id: c.id,
        modified: None,
        published: None,
        withdrawn: None,
        aliases: c.aliases,
        related: Vec::new(),
        upstream: Vec::new(),
        summary: c.summary,
        details: None,
        severity: Vec::new(),
        affected: c
            .affected
            .into_iter()
            .map(|a| osv::Affected {
                package: osv::Package {
                    ecosystem: a.ecosystem,
                    name: a.name,
                    purl: None,
                },
                severity: Vec::new(),
                versions: a.versions,
                ranges: a
                    .ranges
                    .into_iter()
                    .map(|events| osv::Range {
                        kind: RangeKind::Ecosystem,
                        events: events
                            .into_iter()
                            .map(|(k, v)| match k {
                                0 => Event::Introduced(v),
                                1 => Event::Fixed(v),
                                2 => Event::LastAffected(v),
                                _ => Event::Limit(v),
                            })
                            .collect(),
                    })
                    .collect(),
                ecosystem_specific: None,
                database_specific: None,
            })
            .collect(),
        references: c
            .references
            .into_iter()
            .map(|url| osv::Reference {
                kind: String::new(),
                url,
            })
            .collect(),
        database_specific: c.severity.map(|s| serde_json::json!({ "severity": s })),
    }
}

/// Writes a bundle of `records` (withdrawn ones are left out by the caller or here).
pub fn write(records: &[Record], built: &str, sources: &[String]) -> Result<Vec<u8>, BundleError> {
    let kept: Vec<&Record> = records.iter().filter(|r| r.withdrawn.is_none()).collect();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for r in &kept {
        let mut ecos: Vec<&str> = r
            .affected
            .iter()
            .map(|a| a.package.ecosystem.split(':').next().unwrap_or(""))
            .collect();
        ecos.sort();
        ecos.dedup();
        for e in ecos {
            *counts.entry(e.to_string()).or_default() += 1;
        }
    }
    let body = Body {
        header: Header {
            format_version: FORMAT_VERSION,
            built: built.to_string(),
            counts,
            sources: sources.to_vec(),
        },
        records: kept.into_iter().map(compact).collect(),
    };
    let raw = bincode::serialize(&body).map_err(|e| BundleError::Damaged(e.to_string()))?;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&raw)
        .map_err(|e| BundleError::Damaged(e.to_string()))?;
    let payload = z
        .finish()
        .map_err(|e| BundleError::Damaged(e.to_string()))?;
    let mut out = Vec::with_capacity(payload.len() + 48);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&payload));
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Reads and verifies a bundle; returns its header and records.
pub fn read(bytes: &[u8]) -> Result<(Header, Vec<Record>), BundleError> {
    if bytes.len() < 48 || &bytes[..4] != MAGIC {
        return Err(BundleError::NotABundle);
    }
    let version = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    if version != FORMAT_VERSION {
        return Err(BundleError::Version(version));
    }
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&bytes[8..16]);
    let len = u64::from_le_bytes(len8);
    let payload = &bytes[48..];
    if payload.len() as u64 != len {
        return Err(BundleError::Damaged(format!(
            "the payload is {} bytes but the header says {len}; the file is truncated or has extra bytes",
            payload.len()
        )));
    }
    if Sha256::digest(payload).as_slice() != &bytes[16..48] {
        return Err(BundleError::Damaged(
            "its SHA-256 does not match; download it again".into(),
        ));
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(payload)
        .take(MAX_PAYLOAD + 1)
        .read_to_end(&mut raw)
        .map_err(|e| BundleError::Damaged(format!("cannot decompress: {e}")))?;
    if raw.len() as u64 > MAX_PAYLOAD {
        return Err(BundleError::Damaged(
            "it decompresses to more than 1 GiB".into(),
        ));
    }
    use bincode::Options;
    let body: Body = bincode::options()
        .with_fixint_encoding()
        .allow_trailing_bytes()
        .with_limit(MAX_PAYLOAD)
        .deserialize(&raw)
        .map_err(|e| BundleError::Damaged(format!("cannot decode: {e}")))?;
    Ok((body.header, body.records.into_iter().map(expand).collect()))
}

/// Checks that every range version of every record parses in its ecosystem's scheme. Returns one
/// message per bad record (`id: what`); a bundle is only built when there are none.
pub fn validate(records: &[Record]) -> Vec<String> {
    let mut problems = Vec::new();
    for r in records.iter().filter(|r| r.withdrawn.is_none()) {
        for a in &r.affected {
            let Some(scheme) = crate::ecosystem::scheme(&a.package.ecosystem) else {
                continue;
            };
            let versions = a
                .ranges
                .iter()
                .filter(|g| matches!(g.kind, RangeKind::Ecosystem | RangeKind::Semver))
                .flat_map(|g| g.events.iter().map(Event::version))
                .filter(|v| *v != "0" && *v != "*")
                .chain(a.versions.iter().map(String::as_str));
            for v in versions {
                if let Err(e) = scheme.compare(v, v) {
                    problems.push(format!("{}: {e}", r.id));
                }
            }
        }
    }
    problems
}
