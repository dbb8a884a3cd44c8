//! Inventory × advisories → findings.
//!
//! OS packages match only their own distribution's advisories, never upstream ranges (distros
//! backport fixes): Debian and Ubuntu by *source* package and release (`Debian:12`; Ubuntu's
//! `22.04:LTS` and Pro variants count as `22.04`), Alpine by origin and `vX.Y`, the RHEL family
//! by binary name with the epoch in the version. A package whose release is unknown matches
//! nothing and is reported. Language packages match by ecosystem and (normalised) name.
//! Records that alias each other (CVE, GHSA, DSA, PYSEC, GO-...) become one finding.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::advisory::db::{ecosystem_key, AdvisoryDb, RecordView, VendorRating};
use crate::advisory::severity::{Level, Severity};
use crate::ecosystem::{is_os, normalise_name, scheme};
use crate::inventory::Package;

/// One vulnerability affecting one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The CVE when there is one, else the smallest record id.
    pub id: String,
    /// Every id of the merged records and their aliases, sorted.
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    /// CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN: the worst of the merged records.
    pub severity: Level,
    /// The CVSS base score of the advisory (shown beside a distribution's own rating).
    pub score: Option<f32>,
    /// The CVSS vector that score was computed from.
    pub vector: Option<String>,
    /// What decided `severity`: `CVSS_V4`, `CVSS_V3`, `CVSS_V2`, or the source whose own rating
    /// it is (`Debian`, `Ubuntu`, `GHSA`, `ALSA`, ...); empty when UNKNOWN.
    pub severity_source: String,
    /// The id of the record the rating was taken from, when it is not one of the matched
    /// records (a Go or DSA record rated by osv.dev's merged CVE record of the same id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_from: Option<String>,
    /// A word on the rating, e.g. "Debian rates this unimportant: a minor issue".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_note: Option<String>,
    /// The CISA Known Exploited Vulnerabilities entry of one of its ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<crate::advisory::exploit::Kev>,
    /// The FIRST EPSS score of its CVE (the highest when it has several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<crate::advisory::exploit::Epss>,
    pub package_name: String,
    pub purl: String,
    pub ecosystem: String,
    pub installed_version: String,
    /// Versions that fix it, from the matched ranges, sorted and deduplicated.
    pub fixed_versions: Vec<String>,
    /// `fixed` or `no_fix_yet`.
    pub status: String,
    pub layer: usize,
    pub path: String,
    pub references: Vec<String>,
    /// True for advisories that do not apply inside containers (kernel headers).
    pub not_applicable: bool,
}

impl Finding {
    /// What to do about it, as a command or a line for the package's ecosystem, when a fixed
    /// version is known. `from_base` says the package came with the base image's layers, where
    /// rebuilding on a newer base is the usual fix.
    pub fn remediation(&self, from_base: bool) -> Option<String> {
        let fixed = self.fixed_versions.last()?;
        let name = &self.package_name;
        let base = self.ecosystem.split(':').next().unwrap_or("");
        let line = match base {
            "Debian" | "Ubuntu" => {
                format!("apt-get install --only-upgrade {name}   (fixed in {fixed})")
            }
            "Alpine" | "Wolfi" | "Chainguard" => format!("apk upgrade {name}   (fixed in {fixed})"),
            "Red Hat" | "AlmaLinux" | "Rocky Linux" | "CentOS" | "Fedora" | "Oracle Linux"
            | "Amazon Linux" => {
                format!("dnf upgrade {name}   (fixed in {fixed})")
            }
            "SUSE" | "openSUSE" => format!("zypper update {name}   (fixed in {fixed})"),
            "PyPI" => format!("pip install '{name}>={fixed}'"),
            "npm" => format!("npm install {name}@{fixed}"),
            "Go" if name == "stdlib" => format!("rebuild the binary with Go {fixed} or later"),
            "Go" => format!(
                "go get {name}@v{}   (then rebuild)",
                fixed.trim_start_matches('v')
            ),
            "crates.io" => format!("cargo update -p {name} --precise {fixed}   (then rebuild)"),
            "Maven" => format!("set {name} to {fixed} in the build (pom.xml / build.gradle)"),
            "RubyGems" => format!("bundle update {name}   (to {fixed} or later)"),
            "Packagist" => format!("composer require {name}:^{}", fixed.trim_start_matches('v')),
            "NuGet" => format!("dotnet add package {name} --version {fixed}"),
            _ => format!("upgrade {name} to {fixed}"),
        };
        Some(if from_base && is_os(&self.ecosystem) {
            format!("{line}; or rebuild on a newer base image")
        } else {
            line
        })
    }
}

/// What the matcher found, and what it could not decide.
#[derive(Debug, Default)]
pub struct MatchReport {
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
}

/// Matches every package against the advisory database.
pub fn match_packages(db: &AdvisoryDb, packages: &[Package]) -> MatchReport {
    let mut report = MatchReport::default();
    let mut unknown_release: BTreeSet<String> = BTreeSet::new();
    for package in packages {
        if package.version.is_empty() {
            continue; // nothing to compare (a Go `(devel)` build, say)
        }
        let os = is_os(&package.ecosystem);
        if os && !package.ecosystem.contains(':') {
            unknown_release.insert(package.ecosystem.clone());
            continue;
        }
        let Some(scheme) = scheme(&package.ecosystem) else {
            continue;
        };
        let base = package.ecosystem.split(':').next().unwrap_or("");
        // Debian, Ubuntu and Alpine advisories name source packages.
        let lookup_name = if matches!(base, "Debian" | "Ubuntu" | "Alpine") {
            &package.source_name
        } else {
            &package.name
        };
        let version = if matches!(base, "Debian" | "Ubuntu") && package.source_name != package.name
        {
            // Source advisories carry source versions (a binNMU's +b1 is not in them).
            &package.source_version
        } else {
            &package.version
        };
        let key = ecosystem_key(&package.ecosystem);
        let hits = db.lookup(&key, &normalise_name(&key, lookup_name));
        // Matched records with their fixed versions, grouped into findings by shared ids.
        let mut matched: Vec<Matched<'_>> = Vec::new();
        for affects in hits {
            match db.is_affected(scheme, version, affects) {
                Ok(true) => matched.push(Matched {
                    record: db.record_index(affects),
                    fixed: db.fixed_versions(affects).collect(),
                    vendor: db.vendor_rating(affects),
                }),
                Ok(false) => {}
                Err(e) => report.warnings.push(format!(
                    "{} {}: {e} (advisory {})",
                    package.name,
                    package.version,
                    db.record_of(affects).id
                )),
            }
        }
        for group in group_by_alias(db, &matched) {
            let records: Vec<RecordView<'_>> = group.iter().map(|m| db.view(m.record)).collect();
            let mut ids: BTreeSet<String> = BTreeSet::new();
            for rec in &records {
                ids.insert(rec.id.to_string());
                ids.extend(rec.aliases.iter().map(|a| a.to_string()));
            }
            let id = ids
                .iter()
                .find(|i| i.starts_with("CVE-"))
                .or_else(|| ids.iter().next())
                .cloned()
                .unwrap_or_default();
            let mut fixed: Vec<String> = group
                .iter()
                .flat_map(|m| m.fixed.iter().map(|v| v.to_string()))
                .collect();
            fixed.sort_by(|a, b| scheme.compare(a, b).unwrap_or(std::cmp::Ordering::Equal));
            fixed.dedup();
            let rated = rate(&records, group.iter().filter_map(|m| m.vendor.as_ref()), os);
            let mut kev: Option<crate::advisory::exploit::Kev> = None;
            let mut epss: Option<crate::advisory::exploit::Epss> = None;
            for m in &group {
                let (k, e) = db.exploit_of(m.record);
                if let Some(k) = k {
                    if kev.as_ref().is_none_or(|old| k.date_added > old.date_added) {
                        kev = Some(k);
                    }
                }
                if let Some(e) = e {
                    if epss.is_none_or(|old| e.score > old.score) {
                        epss = Some(e);
                    }
                }
            }
            let mut refs: Vec<&str> = records
                .iter()
                .flat_map(|r| r.references.iter().copied())
                .collect();
            refs.sort_unstable();
            refs.dedup();
            let references: Vec<String> = refs.into_iter().map(str::to_string).collect();
            report.findings.push(Finding {
                id,
                aliases: ids.into_iter().collect(),
                summary: records.iter().find_map(|r| r.summary.map(str::to_string)),
                severity: rated.level,
                score: rated.score,
                vector: rated.vector,
                severity_source: rated.source,
                severity_from: rated.from,
                severity_note: rated.note,
                kev,
                epss,
                package_name: package.name.clone(),
                purl: package.purl.clone(),
                ecosystem: package.ecosystem.clone(),
                installed_version: package.version.clone(),
                status: if fixed.is_empty() {
                    "no_fix_yet".into()
                } else {
                    "fixed".into()
                },
                fixed_versions: fixed,
                layer: package.layer,
                path: package.path.clone(),
                references,
                not_applicable: package.name == "linux-libc-dev" && package.source_name == "linux",
            });
        }
    }
    for eco in unknown_release {
        report.warnings.push(format!(
            "packages of {eco} were not matched: the distribution release is unknown, and an unknown release never matches every release"
        ));
    }
    report.findings.sort_by(crate::advisory::exploit::risk_cmp);
    report
}

/// One record that affects a package: its fixed versions and the distribution's rating.
#[derive(Debug, Clone)]
struct Matched<'a> {
    record: u32,
    fixed: Vec<&'a str>,
    vendor: Option<VendorRating<'a>>,
}

/// A finding's rating and where it came from.
struct Rated {
    level: Level,
    score: Option<f32>,
    vector: Option<String>,
    source: String,
    from: Option<String>,
    note: Option<String>,
}

/// Rates one finding from its records. An OS package takes its distribution's own rating for
/// its release when there is one (the worst, if several records carry one), with the records'
/// CVSS shown beside it; otherwise, and for language packages, the worst rating of the records
/// (CVSS first, then the source's word), which may be one a record took from another record of
/// the same id (`from`).
fn rate<'a>(
    records: &[RecordView<'_>],
    vendor: impl Iterator<Item = &'a VendorRating<'a>>,
    os: bool,
) -> Rated {
    let best = records
        .iter()
        .max_by_key(|r| r.severity.rank())
        .map(|r| (r.severity.clone(), r.rated_by));
    let (cvss, from) = best.unwrap_or((Severity::unknown(), None));
    let vendor = if os {
        vendor.max_by_key(|v| v.level)
    } else {
        None
    };
    match vendor {
        Some(v) => Rated {
            level: v.level,
            score: cvss.score,
            vector: cvss.vector,
            source: v.source.to_string(),
            from: None,
            note: Some(match v.word {
                "unimportant" => format!(
                    "{} rates this unimportant: a minor issue it does not treat as a security problem in this release",
                    v.source
                ),
                word => format!("{} rates this {word} in this release", v.source),
            }),
        },
        None => Rated {
            level: cvss.level,
            score: cvss.score,
            vector: cvss.vector,
            source: cvss.source,
            from: from.map(str::to_string),
            note: None,
        },
    }
}

/// Groups matched records whose ids or aliases overlap (union-find over the matches).
fn group_by_alias<'a>(db: &'a AdvisoryDb, matched: &[Matched<'a>]) -> Vec<Vec<Matched<'a>>> {
    let n = matched.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, m) in matched.iter().enumerate() {
        for id in db.ids_of(m.record) {
            match owner.get(id) {
                Some(&other) => {
                    let (x, y) = (find(&mut parent, k), find(&mut parent, other));
                    parent[x] = y;
                }
                None => {
                    owner.insert(id, k);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<Matched<'a>>> = BTreeMap::new();
    for (k, m) in matched.iter().enumerate() {
        let root = find(&mut parent, k);
        groups.entry(root).or_default().push(m.clone());
    }
    groups.into_values().collect()
}
