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

use crate::advisory::is_affected;
use crate::advisory::osv::{Event, RangeKind, Record};
use crate::ecosystem::{normalise_name, scheme};
use crate::inventory::Package;

/// One vulnerability affecting one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The CVE when there is one, else the smallest record id.
    pub id: String,
    /// Every id of the merged records and their aliases, sorted.
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    /// CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN.
    pub severity: String,
    pub package_name: String,
    pub purl: String,
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

/// Advisories indexed by (ecosystem, normalised package name).
pub struct Index<'a> {
    records: &'a [Record],
    by_package: BTreeMap<(String, String), Vec<(usize, usize)>>,
}

/// The key an OSV ecosystem string is indexed under: Ubuntu variants fold to their release.
fn ecosystem_key(ecosystem: &str) -> String {
    if let Some(rest) = ecosystem.strip_prefix("Ubuntu:") {
        // "22.04:LTS", "Pro:22.04:LTS", "Pro:FIPS:20.04:LTS" → "Ubuntu:22.04"
        if let Some(release) = rest
            .split(':')
            .find(|p| p.chars().next().is_some_and(|c| c.is_ascii_digit()))
        {
            return format!("Ubuntu:{release}");
        }
    }
    ecosystem.to_string()
}

impl<'a> Index<'a> {
    pub fn new(records: &'a [Record]) -> Index<'a> {
        let mut by_package: BTreeMap<(String, String), Vec<(usize, usize)>> = BTreeMap::new();
        for (r, record) in records.iter().enumerate() {
            if record.withdrawn.is_some() {
                continue;
            }
            for (a, affected) in record.affected.iter().enumerate() {
                let eco = ecosystem_key(&affected.package.ecosystem);
                let name = normalise_name(&eco, &affected.package.name);
                by_package.entry((eco, name)).or_default().push((r, a));
            }
        }
        Index {
            records,
            by_package,
        }
    }
}

/// What the matcher could not decide.
#[derive(Debug, Default)]
pub struct MatchReport {
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
}

fn is_os(ecosystem: &str) -> bool {
    matches!(
        ecosystem.split(':').next().unwrap_or(""),
        "Debian"
            | "Ubuntu"
            | "Alpine"
            | "Wolfi"
            | "Chainguard"
            | "Red Hat"
            | "AlmaLinux"
            | "Rocky Linux"
            | "CentOS"
            | "Fedora"
            | "Oracle Linux"
            | "Amazon Linux"
            | "SUSE"
            | "openSUSE"
            | "Mariner"
            | "Azure Linux"
            | "Photon OS"
    )
}

fn severity_of(record: &Record) -> String {
    let from_db = record
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str())
        .map(|s| s.to_ascii_uppercase());
    match from_db.as_deref() {
        Some("CRITICAL" | "HIGH" | "MEDIUM" | "LOW") => from_db.unwrap_or_default(),
        Some("MODERATE") => "MEDIUM".into(),
        _ => "UNKNOWN".into(),
    }
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "CRITICAL" => 4,
        "HIGH" => 3,
        "MEDIUM" => 2,
        "LOW" => 1,
        _ => 0,
    }
}

/// Matches every package against the index.
pub fn match_packages(index: &Index<'_>, packages: &[Package]) -> MatchReport {
    let mut report = MatchReport::default();
    let mut unknown_release: BTreeSet<String> = BTreeSet::new();
    for package in packages {
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
        let key = (
            ecosystem_key(&package.ecosystem),
            normalise_name(&package.ecosystem, lookup_name),
        );
        let Some(hits) = index.by_package.get(&key) else {
            continue;
        };
        // Matched records, grouped into findings by shared ids.
        let mut matched: Vec<(usize, Vec<String>)> = Vec::new();
        for &(r, a) in hits {
            let record = &index.records[r];
            let affected = &record.affected[a];
            match is_affected(scheme, version, affected) {
                Ok(true) => {
                    let fixed = affected
                        .ranges
                        .iter()
                        .filter(|range| {
                            matches!(range.kind, RangeKind::Ecosystem | RangeKind::Semver)
                        })
                        .flat_map(|range| range.events.iter())
                        .filter_map(|e| match e {
                            Event::Fixed(v) => Some(v.clone()),
                            _ => None,
                        })
                        .collect();
                    matched.push((r, fixed));
                }
                Ok(false) => {}
                Err(e) => report.warnings.push(format!(
                    "{} {}: {e} (advisory {})",
                    package.name, package.version, record.id
                )),
            }
        }
        for group in group_by_alias(index.records, &matched) {
            let records: Vec<&Record> = group.iter().map(|(r, _)| &index.records[*r]).collect();
            let mut ids: BTreeSet<String> = BTreeSet::new();
            for rec in &records {
                ids.insert(rec.id.clone());
                ids.extend(rec.aliases.iter().cloned());
            }
            let id = ids
                .iter()
                .find(|i| i.starts_with("CVE-"))
                .or_else(|| ids.iter().next())
                .cloned()
                .unwrap_or_default();
            let mut fixed: Vec<String> =
                group.iter().flat_map(|(_, f)| f.iter().cloned()).collect();
            fixed.sort_by(|a, b| scheme.compare(a, b).unwrap_or(std::cmp::Ordering::Equal));
            fixed.dedup();
            let severity = records
                .iter()
                .map(|r| severity_of(r))
                .max_by_key(|s| severity_rank(s))
                .unwrap_or_else(|| "UNKNOWN".into());
            let mut references: Vec<String> = records
                .iter()
                .flat_map(|r| r.references.iter().map(|x| x.url.clone()))
                .collect();
            references.sort();
            references.dedup();
            report.findings.push(Finding {
                id,
                aliases: ids.into_iter().collect(),
                summary: records.iter().find_map(|r| r.summary.clone()),
                severity,
                package_name: package.name.clone(),
                purl: package.purl.clone(),
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
    report.findings.sort_by(|a, b| {
        severity_rank(&b.severity)
            .cmp(&severity_rank(&a.severity))
            .then_with(|| a.package_name.cmp(&b.package_name))
            .then_with(|| a.id.cmp(&b.id))
    });
    report
}

/// Groups matched records whose ids or aliases overlap (union-find over the matches).
fn group_by_alias(
    records: &[Record],
    matched: &[(usize, Vec<String>)],
) -> Vec<Vec<(usize, Vec<String>)>> {
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
    for (k, (r, _)) in matched.iter().enumerate() {
        let rec = &records[*r];
        for id in std::iter::once(&rec.id).chain(rec.aliases.iter()) {
            match owner.get(id.as_str()) {
                Some(&other) => {
                    let (x, y) = (find(&mut parent, k), find(&mut parent, other));
                    parent[x] = y;
                }
                None => {
                    owner.insert(id.as_str(), k);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<(usize, Vec<String>)>> = BTreeMap::new();
    for (k, m) in matched.iter().enumerate() {
        let root = find(&mut parent, k);
        groups.entry(root).or_default().push(m.clone());
    }
    groups.into_values().collect()
}
