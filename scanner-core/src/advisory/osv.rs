//! The OSV record model (schema 1.6): only what tarsier keeps. Every field the schema makes
//! optional is optional here (`package` and its parts, `ranges`, `events`, `versions`,
//! `severity`, the `*_specific` objects, ...); unknown fields are ignored. Only a record without
//! an `id`, or one that is not JSON, fails to parse. Entries tarsier cannot use (an empty
//! `"package": {}` holding GIT ranges, as osv.dev's merged CVE records have) parse and are
//! left out when the bundle is compiled, without dropping the record's other entries.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub upstream: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub severity: Vec<Severity>,
    #[serde(default)]
    pub affected: Vec<Affected>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub score: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub url: String,
}

/// `affected[].package`; osv.dev writes `{}` for entries that only carry GIT ranges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Package {
    #[serde(default)]
    pub ecosystem: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub purl: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default)]
    pub package: Package,
    #[serde(default)]
    pub severity: Vec<Severity>,
    #[serde(default)]
    pub ranges: Vec<Range>,
    #[serde(default)]
    pub versions: Vec<String>,
    #[serde(default)]
    pub ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeKind {
    #[serde(rename = "ECOSYSTEM")]
    Ecosystem,
    #[serde(rename = "SEMVER")]
    Semver,
    #[serde(rename = "GIT")]
    Git,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type", default = "unknown_kind")]
    pub kind: RangeKind,
    #[serde(default)]
    pub repo: Option<String>,
    #[serde(default)]
    pub events: Vec<Event>,
}

fn unknown_kind() -> RangeKind {
    RangeKind::Unknown
}

/// One range event; each carries exactly one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

/// Read as a map with exactly one known key (`{"fixed": "1.2"}`), in JSON and YAML alike;
/// the version is the scalar's text as written (YAML's `1.10` stays "1.10"). Other keys are
/// ignored, as the schema asks of unknown fields.
impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Raw {
            introduced: Option<String>,
            fixed: Option<String>,
            last_affected: Option<String>,
            limit: Option<String>,
        }
        let raw = Raw::deserialize(d)?;
        let mut found = [
            raw.introduced.map(Event::Introduced),
            raw.fixed.map(Event::Fixed),
            raw.last_affected.map(Event::LastAffected),
            raw.limit.map(Event::Limit),
        ]
        .into_iter()
        .flatten();
        match (found.next(), found.next()) {
            (Some(e), None) => Ok(e),
            _ => Err(D::Error::custom(
                "an event must have exactly one of introduced, fixed, last_affected, limit",
            )),
        }
    }
}

impl Event {
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// Parses one OSV record from JSON.
pub fn parse(bytes: &[u8]) -> Result<Record, serde_json::Error> {
    serde_json::from_slice(bytes)
}
