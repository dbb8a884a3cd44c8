//! The report: what `tarsier scan --format json` prints and the page shows. Deterministic order
//! everywhere.

use serde::{Deserialize, Serialize};

use crate::distro::Distro;
use crate::inventory::Package;
use crate::layer::EntryKind;
use crate::scan::ImageScan;
use crate::summary::ImageSummary;

/// One file of the final filesystem (only with `--list-files`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub path: String,
    pub kind: EntryKind,
    pub size: u64,
    /// The layer that last wrote it.
    pub layer: usize,
}

/// A scan report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Format version of this JSON document.
    pub report_version: u32,
    #[serde(flatten)]
    pub image: ImageSummary,
    /// Paths in the final filesystem (directories included).
    pub file_count: usize,
    /// The distribution the image is built on, if known.
    pub distro: Option<Distro>,
    /// Every package found, sorted by ecosystem, name, version.
    pub packages: Vec<Package>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileRecord>,
    /// Per layer (bottom first), the paths it added, changed or removed (only with
    /// `--list-files`, and in the page's Layers view).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layer_files: Vec<Vec<crate::layer::FileChange>>,
    /// The advisory bundle the findings come from, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<crate::advisory::bundle::Header>,
    /// Vulnerabilities affecting the packages, most severe first.
    #[serde(default)]
    pub findings: Vec<crate::matcher::Finding>,
}

impl Report {
    pub const VERSION: u32 = 3;

    pub fn from_scan(scan: &ImageScan, with_files: bool) -> Report {
        Report {
            report_version: Self::VERSION,
            image: scan.summary.clone(),
            file_count: scan.tree.len(),
            distro: scan.distro.clone(),
            packages: scan.packages.clone(),
            files: if with_files {
                scan.tree
                    .iter()
                    .map(|(path, n)| FileRecord {
                        path: format!("/{path}"),
                        kind: n.kind,
                        size: n.size,
                        layer: n.layer,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            layer_files: if with_files {
                scan.layer_files.clone()
            } else {
                Vec::new()
            },
            bundle: None,
            findings: Vec::new(),
        }
    }

    /// Matches the report's packages against advisories and records the findings.
    pub fn add_findings(
        &mut self,
        header: crate::advisory::bundle::Header,
        db: &crate::advisory::db::AdvisoryDb,
    ) {
        let matched = crate::matcher::match_packages(db, &self.packages);
        self.findings = matched.findings;
        self.image.warnings.extend(matched.warnings);
        self.bundle = Some(header);
    }
}
