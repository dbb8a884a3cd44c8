//! The compiled advisory database: what a bundle carries and what the matcher reads.
//!
//! Built once from OSV records ([`AdvisoryDb::compile`]): withdrawn records dropped, every string
//! interned once, records grouped by (ecosystem, normalised package name) and sorted so a lookup
//! is a binary search, range events validated and pre-sorted with the matcher's own version
//! code (so matching never sorts), `versions[]` entries dropped where the ranges already cover
//! them, and severity computed. Loading a bundle is then deserialisation plus a bounds check
//! ([`AdvisoryDb::check`]); there is no index to build.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::osv::{Event, RangeKind, Record};
use super::severity::{self, Level, Severity};
use crate::ecosystem::{normalise_name, scheme};
use crate::version::{ParseError, Scheme};

const NONE: u32 = u32::MAX;

/// Range event kinds, in the order they are stored.
pub const INTRODUCED: u8 = 0;
pub const FIXED: u8 = 1;
pub const LAST_AFFECTED: u8 = 2;
pub const LIMIT: u8 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Rec {
    id: u32,
    aliases: Vec<u32>,
    summary: u32,
    published: u32,
    level: Level,
    score: Option<f32>,
    vector: u32,
    severity_source: u32,
    references: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Pkg {
    /// The ecosystem as matched: `Debian:12`; Ubuntu variants folded to `Ubuntu:22.04`.
    ecosystem: u32,
    /// The normalised package name (PEP 503 for PyPI).
    name: u32,
    affects: Vec<Affects>,
}

/// One record's statement about one package: listed versions and pre-sorted ranges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affects {
    record: u32,
    versions: Vec<u32>,
    /// ECOSYSTEM/SEMVER ranges; events sorted by version, `(kind, version)`.
    ranges: Vec<Vec<(u8, u32)>>,
}

/// A record as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordView<'a> {
    pub id: &'a str,
    pub aliases: Vec<&'a str>,
    pub summary: Option<&'a str>,
    pub published: Option<&'a str>,
    pub severity: Severity,
    pub references: Vec<&'a str>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdvisoryDb {
    strings: Vec<String>,
    records: Vec<Rec>,
    packages: Vec<Pkg>,
}

/// The result of compiling records.
#[derive(Debug, Default)]
pub struct Compiled {
    pub db: AdvisoryDb,
    /// `(id, details)` of every kept record that has details (they go in a separate part).
    pub details: Vec<(String, String)>,
    /// Records left out because they are withdrawn.
    pub withdrawn: usize,
    /// Kept records per ecosystem base name (`Debian`, `PyPI`, ...).
    pub counts: BTreeMap<String, u64>,
    /// `versions[]` entries dropped because a range of the same entry already covers them.
    pub versions_dropped: usize,
    /// Affected entries left out because tarsier has no version scheme for their ecosystem.
    pub unsupported_ecosystems: BTreeMap<String, u64>,
    /// One message per version that does not parse (`id: what`); a bundle is only written
    /// when there are none.
    pub problems: Vec<String>,
}

/// The key an OSV ecosystem string is matched under: Ubuntu variants fold to their release
/// (`22.04:LTS`, `Pro:22.04:LTS`, `Pro:FIPS:20.04:LTS` → `Ubuntu:22.04`).
pub fn ecosystem_key(ecosystem: &str) -> String {
    if let Some(rest) = ecosystem.strip_prefix("Ubuntu:") {
        if let Some(release) = rest
            .split(':')
            .find(|p| p.chars().next().is_some_and(|c| c.is_ascii_digit()))
        {
            return format!("Ubuntu:{release}");
        }
    }
    ecosystem.to_string()
}

/// Orders two event versions: `0` (introduced at the beginning) first, `*` (no limit) last.
fn cmp_event(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, ParseError> {
    let rank = |v: &str| match v {
        "0" => 0,
        "*" => 2,
        _ => 1,
    };
    match (rank(a), rank(b)) {
        (1, 1) => scheme.compare(a, b),
        (x, y) => Ok(x.cmp(&y)),
    }
}

/// Whether `version` is inside a range whose events are already sorted.
fn in_sorted_range<'a>(
    scheme: Scheme,
    version: &str,
    events: impl Iterator<Item = (u8, &'a str)>,
) -> Result<bool, ParseError> {
    let at_least = |bound: &str| -> Result<bool, ParseError> {
        Ok(bound == "0" || scheme.compare(version, bound)? != Ordering::Less)
    };
    let mut affected = false;
    for (kind, v) in events {
        match kind {
            INTRODUCED => {
                if at_least(v)? {
                    affected = true;
                }
            }
            FIXED => {
                if at_least(v)? {
                    affected = false;
                }
            }
            LAST_AFFECTED => {
                if scheme.compare(version, v)? == Ordering::Greater {
                    affected = false;
                }
            }
            _ => {
                if v != "*" && at_least(v)? {
                    return Ok(false);
                }
            }
        }
    }
    Ok(affected)
}

/// Sorts one range's events by version (stable: events at one version keep their order).
pub fn sort_events(scheme: Scheme, events: &[Event]) -> Result<Vec<(u8, &str)>, ParseError> {
    let mut out: Vec<(u8, &str)> = events
        .iter()
        .map(|e| match e {
            Event::Introduced(v) => (INTRODUCED, v.as_str()),
            Event::Fixed(v) => (FIXED, v.as_str()),
            Event::LastAffected(v) => (LAST_AFFECTED, v.as_str()),
            Event::Limit(v) => (LIMIT, v.as_str()),
        })
        .collect();
    // Check every version parses before sorting, so the sort itself cannot fail.
    for (_, v) in &out {
        cmp_event(scheme, v, v)?;
    }
    out.sort_by(|a, b| cmp_event(scheme, a.1, b.1).unwrap_or(Ordering::Equal));
    Ok(out)
}

/// Whether `version` is affected by pre-sorted ranges and listed versions (OSV 1.6 rules; see
/// [`super::is_affected`]).
pub fn affected_by<'a>(
    scheme: Scheme,
    version: &str,
    listed: impl Iterator<Item = &'a str>,
    ranges: impl Iterator<Item = Vec<(u8, &'a str)>>,
) -> Result<bool, ParseError> {
    for v in listed {
        if scheme.compare(version, v)? == Ordering::Equal {
            return Ok(true);
        }
    }
    for range in ranges {
        if in_sorted_range(scheme, version, range.into_iter())? {
            return Ok(true);
        }
    }
    Ok(false)
}

#[derive(Default)]
struct Interner {
    strings: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner {
    fn get(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
    fn opt(&mut self, s: Option<&str>) -> u32 {
        s.map_or(NONE, |s| self.get(s))
    }
}

impl AdvisoryDb {
    /// Compiles OSV records (see the module documentation).
    pub fn compile(records: &[Record]) -> Compiled {
        let mut out = Compiled::default();
        let mut strings = Interner::default();
        let mut recs = Vec::new();
        let mut by_package: BTreeMap<(String, String), Vec<Affects>> = BTreeMap::new();
        for record in records {
            if record.withdrawn.is_some() {
                out.withdrawn += 1;
                continue;
            }
            let index = recs.len() as u32;
            let mut record_ok = true;
            let mut entries = Vec::new();
            for affected in &record.affected {
                let eco = &affected.package.ecosystem;
                let Some(scheme) = scheme(eco) else {
                    *out.unsupported_ecosystems
                        .entry(eco.split(':').next().unwrap_or("").to_string())
                        .or_default() += 1;
                    continue;
                };
                let mut ranges = Vec::new();
                for range in &affected.ranges {
                    if !matches!(range.kind, RangeKind::Ecosystem | RangeKind::Semver) {
                        continue;
                    }
                    match sort_events(scheme, &range.events) {
                        Ok(sorted) => ranges.push(sorted),
                        Err(e) => {
                            out.problems.push(format!("{}: {e}", record.id));
                            record_ok = false;
                        }
                    }
                }
                let mut versions = Vec::new();
                for v in &affected.versions {
                    if let Err(e) = scheme.compare(v, v) {
                        out.problems.push(format!("{}: {e}", record.id));
                        record_ok = false;
                        continue;
                    }
                    let covered = ranges
                        .iter()
                        .any(|r| in_sorted_range(scheme, v, r.iter().copied()).unwrap_or(false));
                    if covered {
                        out.versions_dropped += 1;
                    } else {
                        versions.push(v.as_str());
                    }
                }
                if ranges.is_empty() && versions.is_empty() {
                    continue;
                }
                entries.push((eco, &affected.package.name, versions, ranges));
            }
            if !record_ok {
                continue;
            }
            let mut ecos: Vec<&str> = record
                .affected
                .iter()
                .map(|a| a.package.ecosystem.split(':').next().unwrap_or(""))
                .collect();
            ecos.sort_unstable();
            ecos.dedup();
            for e in ecos {
                *out.counts.entry(e.to_string()).or_default() += 1;
            }
            for (eco, name, versions, ranges) in entries {
                let key = ecosystem_key(eco);
                let name = normalise_name(&key, name);
                let affects = Affects {
                    record: index,
                    versions: versions.iter().map(|v| strings.get(v)).collect(),
                    ranges: ranges
                        .iter()
                        .map(|r| r.iter().map(|(k, v)| (*k, strings.get(v))).collect())
                        .collect(),
                };
                by_package.entry((key, name)).or_default().push(affects);
            }
            let sev = severity::of_record(record);
            recs.push(Rec {
                id: strings.get(&record.id),
                aliases: record.aliases.iter().map(|a| strings.get(a)).collect(),
                summary: strings.opt(record.summary.as_deref().map(str::trim)),
                published: strings.opt(record.published.as_deref()),
                level: sev.level,
                score: sev.score,
                vector: strings.opt(sev.vector.as_deref()),
                severity_source: strings.get(&sev.source),
                references: {
                    let mut urls: Vec<u32> = record
                        .references
                        .iter()
                        .map(|r| strings.get(&r.url))
                        .collect();
                    urls.dedup();
                    urls
                },
            });
            if let Some(d) = record.details.as_deref().filter(|d| !d.trim().is_empty()) {
                out.details.push((record.id.clone(), d.to_string()));
            }
        }
        let packages = by_package
            .into_iter()
            .map(|((eco, name), affects)| Pkg {
                ecosystem: strings.get(&eco),
                name: strings.get(&name),
                affects,
            })
            .collect();
        out.db = AdvisoryDb {
            strings: strings.strings,
            records: recs,
            packages,
        };
        out
    }

    fn s(&self, i: u32) -> &str {
        self.strings.get(i as usize).map_or("", String::as_str)
    }

    fn opt(&self, i: u32) -> Option<&str> {
        (i != NONE).then(|| self.s(i))
    }

    /// Checks a deserialised database: every string index in range and packages sorted, so that
    /// lookups are correct and nothing can index out of bounds. Returns what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let n = self.strings.len() as u32;
        let ok = |i: u32| i < n;
        let ok_opt = |i: u32| i == NONE || i < n;
        for (k, r) in self.records.iter().enumerate() {
            let fine = ok(r.id)
                && r.aliases.iter().all(|&a| ok(a))
                && ok_opt(r.summary)
                && ok_opt(r.published)
                && ok_opt(r.vector)
                && ok(r.severity_source)
                && r.references.iter().all(|&u| ok(u))
                && r.score.is_none_or(|s| (0.0..=10.0).contains(&s));
            if !fine {
                return Err(format!("record {k} refers to data that is not there"));
            }
        }
        let nrec = self.records.len() as u32;
        for (k, p) in self.packages.iter().enumerate() {
            let fine = ok(p.ecosystem)
                && ok(p.name)
                && p.affects.iter().all(|a| {
                    a.record < nrec
                        && a.versions.iter().all(|&v| ok(v))
                        && a.ranges
                            .iter()
                            .flatten()
                            .all(|&(kind, v)| kind <= LIMIT && ok(v))
                });
            if !fine {
                return Err(format!(
                    "package entry {k} refers to data that is not there"
                ));
            }
            if k > 0 {
                let prev = &self.packages[k - 1];
                if (self.s(prev.ecosystem), self.s(prev.name))
                    >= (self.s(p.ecosystem), self.s(p.name))
                {
                    return Err(format!("package entries are out of order at {k}"));
                }
            }
        }
        Ok(())
    }

    pub fn record_count(&self) -> usize {
        self.records.len()
    }

    pub fn package_count(&self) -> usize {
        self.packages.len()
    }

    pub fn string_count(&self) -> usize {
        self.strings.len()
    }

    /// What `affects` says about a package: its record.
    pub fn record_of(&self, affects: &Affects) -> RecordView<'_> {
        self.view(affects.record)
    }

    pub fn record_index(&self, affects: &Affects) -> u32 {
        affects.record
    }

    pub fn view(&self, index: u32) -> RecordView<'_> {
        let r = &self.records[index as usize];
        RecordView {
            id: self.s(r.id),
            aliases: r.aliases.iter().map(|&a| self.s(a)).collect(),
            summary: self.opt(r.summary),
            published: self.opt(r.published),
            severity: Severity {
                level: r.level,
                score: r.score,
                vector: self.opt(r.vector).map(str::to_string),
                source: self.s(r.severity_source).to_string(),
            },
            references: r.references.iter().map(|&u| self.s(u)).collect(),
        }
    }

    /// Every record's id with its index, for lookups by id.
    pub fn find(&self, id: &str) -> Option<RecordView<'_>> {
        (0..self.records.len() as u32)
            .find(|&i| self.s(self.records[i as usize].id) == id)
            .map(|i| self.view(i))
    }

    /// What the database says about a package, by matching ecosystem key and normalised name.
    pub fn lookup(&self, ecosystem_key: &str, name: &str) -> &[Affects] {
        match self
            .packages
            .binary_search_by(|p| (self.s(p.ecosystem), self.s(p.name)).cmp(&(ecosystem_key, name)))
        {
            Ok(i) => &self.packages[i].affects,
            Err(_) => &[],
        }
    }

    /// Whether `version` is affected according to `affects`.
    pub fn is_affected(
        &self,
        scheme: Scheme,
        version: &str,
        affects: &Affects,
    ) -> Result<bool, ParseError> {
        affected_by(
            scheme,
            version,
            affects.versions.iter().map(|&v| self.s(v)),
            affects
                .ranges
                .iter()
                .map(|r| r.iter().map(|&(k, v)| (k, self.s(v))).collect()),
        )
    }

    /// The `fixed` versions of `affects`' ranges, in range order.
    pub fn fixed_versions<'a>(
        &'a self,
        affects: &'a Affects,
    ) -> impl Iterator<Item = &'a str> + 'a {
        affects
            .ranges
            .iter()
            .flatten()
            .filter(|(k, _)| *k == FIXED)
            .map(|&(_, v)| self.s(v))
    }

    /// The sorted ranges of `affects` as `(kind, version)` lists.
    pub fn ranges<'a>(&'a self, affects: &'a Affects) -> Vec<Vec<(u8, &'a str)>> {
        affects
            .ranges
            .iter()
            .map(|r| r.iter().map(|&(k, v)| (k, self.s(v))).collect())
            .collect()
    }

    /// The versions `affects` lists outside its ranges.
    pub fn listed_versions<'a>(&'a self, affects: &'a Affects) -> Vec<&'a str> {
        affects.versions.iter().map(|&v| self.s(v)).collect()
    }
}
