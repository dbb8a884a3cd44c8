//! Severity of an advisory, computed once when a bundle is built.
//!
//! Order of preference: a CVSS vector (v4.0, then v3.1/v3.0, then v2), scored with the RustSec
//! `cvss` crate; else the source's own rating (GitHub's `database_specific.severity`, Ubuntu's
//! severity entries, the Red Hat family's "Important:" summary prefix); else `UNKNOWN`.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::osv::Record;

/// CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN, ordered so that the worst compares greatest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Unknown => "UNKNOWN",
            Level::Low => "LOW",
            Level::Medium => "MEDIUM",
            Level::High => "HIGH",
            Level::Critical => "CRITICAL",
        }
    }

    /// Reads a rating word from any source (`moderate` and `important` included).
    pub fn from_word(word: &str) -> Option<Level> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "critical" => Level::Critical,
            "high" | "important" => Level::High,
            "medium" | "moderate" => Level::Medium,
            "low" | "negligible" | "unimportant" => Level::Low,
            _ => return None,
        })
    }

    /// The CVSS qualitative rating of a base score (v3/v4 bands; 0.0 "None" is reported as LOW).
    pub fn from_score(score: f64) -> Level {
        if score >= 9.0 {
            Level::Critical
        } else if score >= 7.0 {
            Level::High
        } else if score >= 4.0 {
            Level::Medium
        } else {
            Level::Low
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A record's severity: the level, and the CVSS score and vector it came from when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    pub level: Level,
    /// CVSS base score, 0.0 to 10.0.
    pub score: Option<f32>,
    /// The CVSS vector as the source wrote it.
    pub vector: Option<String>,
    /// Where the level came from: `CVSS_V4`, `CVSS_V3`, `CVSS_V2`, or the source's name.
    pub source: String,
}

impl Severity {
    pub fn unknown() -> Severity {
        Severity {
            level: Level::Unknown,
            score: None,
            vector: None,
            source: String::new(),
        }
    }

    /// Orders severities: level first, then score.
    pub fn rank(&self) -> (Level, i32) {
        (
            self.level,
            self.score.map(|s| (s * 10.0).round() as i32).unwrap_or(-1),
        )
    }
}

/// Scores one CVSS vector (v2 vectors have no `CVSS:` prefix). `None` when it does not parse.
pub fn score_vector(vector: &str) -> Option<(f64, Level)> {
    let v = vector.trim();
    if v.len() > 512 {
        return None;
    }
    let cvss = cvss::Cvss::from_str(v).ok()?;
    let score = cvss.score();
    if !(0.0..=10.0).contains(&score) {
        return None;
    }
    let level = match cvss {
        // CVSS v2 has three bands: 7.0 and up is HIGH.
        cvss::Cvss::CvssV20(_) => {
            if score >= 7.0 {
                Level::High
            } else if score >= 4.0 {
                Level::Medium
            } else {
                Level::Low
            }
        }
        _ => Level::from_score(score),
    };
    Some((score, level))
}

/// Computes a record's severity (see the module documentation for the order).
pub fn of_record(record: &Record) -> Severity {
    let entries = record
        .severity
        .iter()
        .chain(record.affected.iter().flat_map(|a| a.severity.iter()));
    let mut best: Option<(u8, Severity)> = None;
    for entry in entries {
        let preference = match entry.kind.as_str() {
            "CVSS_V4" => 3,
            "CVSS_V3" => 2,
            "CVSS_V2" => 1,
            _ => continue,
        };
        let Some((score, level)) = score_vector(&entry.score) else {
            continue;
        };
        if best.as_ref().is_some_and(|(p, _)| *p >= preference) {
            continue;
        }
        best = Some((
            preference,
            Severity {
                level,
                score: Some(score as f32),
                vector: Some(entry.score.trim().to_string()),
                source: entry.kind.clone(),
            },
        ));
    }
    if let Some((_, s)) = best {
        return s;
    }
    // The source's own rating.
    let word = |v: &serde_json::Value| {
        v.get("severity")
            .and_then(|s| s.as_str())
            .map(str::to_string)
    };
    let source_name = record.id.split(['-', ':']).next().unwrap_or("").to_string();
    let own = record
        .database_specific
        .as_ref()
        .and_then(word)
        .or_else(|| {
            record.affected.iter().find_map(|a| {
                a.ecosystem_specific
                    .as_ref()
                    .and_then(word)
                    .or_else(|| a.database_specific.as_ref().and_then(word))
            })
        })
        .or_else(|| {
            // Ubuntu writes {"type": "Ubuntu", "score": "medium"}.
            record
                .severity
                .iter()
                .find(|s| !s.kind.starts_with("CVSS"))
                .map(|s| s.score.clone())
        })
        .or_else(|| {
            // The Red Hat family: "Important: openssl security update".
            record
                .summary
                .as_deref()
                .and_then(|s| s.split_once(':'))
                .map(|(w, _)| w.to_string())
        });
    match own.as_deref().and_then(Level::from_word) {
        Some(level) => Severity {
            level,
            score: None,
            vector: None,
            source: source_name,
        },
        None => Severity::unknown(),
    }
}
