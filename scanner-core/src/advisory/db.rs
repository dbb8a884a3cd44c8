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
    /// The id of the record whose rating this record took (it had none of its own), or NONE.
    rated_by: u32,
    references: Vec<u32>,
    /// Index in `AdvisoryDb::kev` of the entry of one of its CVE ids (the newest added), or NONE.
    kev: u32,
    /// Index in `AdvisoryDb::epss` of the highest score among its CVE ids, or NONE.
    epss: u32,
}

impl Rec {
    /// The record's id and its aliases, as string indices.
    fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(self.id).chain(self.aliases.iter().copied())
    }
}

/// A distribution's own rating of one issue in one release (Debian's urgency, Ubuntu's
/// priority, the Red Hat family's severity).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Rating {
    level: Level,
    /// Who rated it: `Debian`, `Ubuntu`, `AlmaLinux`, ...
    source: u32,
    /// The word as the source wrote it (`unimportant`).
    word: u32,
}

/// One CISA KEV catalog entry, by CVE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct KevRow {
    cve: u32,
    date_added: u32,
    due_date: u32,
    known_ransomware: bool,
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
    /// Index in `AdvisoryDb::ratings` of the distribution's own rating, or NONE.
    rating: u32,
}

/// A record as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordView<'a> {
    pub id: &'a str,
    pub aliases: Vec<&'a str>,
    pub summary: Option<&'a str>,
    pub published: Option<&'a str>,
    /// The record's own rating (CVSS first), or the one it took from `rated_by`.
    pub severity: Severity,
    /// The record whose rating `severity` is, when the record had none of its own.
    pub rated_by: Option<&'a str>,
    pub references: Vec<&'a str>,
}

/// A distribution's rating of a package's issue in its release, as the matcher reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorRating<'a> {
    pub level: Level,
    pub source: &'a str,
    pub word: &'a str,
}

/// Every string of a database in one text, `ends[i]` the end of string `i`: loading is one
/// allocation and one UTF-8 check instead of one per string (373,000 for the real corpus).
/// Stored as the text and each string's length (small numbers compress better than ends).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "StoredStrings", into = "StoredStrings")]
struct StringTable {
    text: String,
    ends: Vec<u32>,
}

#[derive(Serialize, Deserialize)]
struct StoredStrings {
    text: String,
    lengths: Vec<u32>,
}

impl From<StoredStrings> for StringTable {
    fn from(s: StoredStrings) -> StringTable {
        let mut end = 0u32;
        let ends = s
            .lengths
            .iter()
            .map(|&l| {
                // Saturating: a hostile length makes ends that `check` refuses, never a wrap.
                end = end.saturating_add(l);
                end
            })
            .collect();
        StringTable { text: s.text, ends }
    }
}

impl From<StringTable> for StoredStrings {
    fn from(t: StringTable) -> StoredStrings {
        let mut prev = 0u32;
        let lengths = t
            .ends
            .iter()
            .map(|&e| {
                let l = e.saturating_sub(prev);
                prev = e;
                l
            })
            .collect();
        StoredStrings {
            text: t.text,
            lengths,
        }
    }
}

impl StringTable {
    fn from_strings<'a>(strings: impl Iterator<Item = &'a str>) -> StringTable {
        let mut t = StringTable::default();
        for s in strings {
            t.text.push_str(s);
            t.ends.push(t.text.len() as u32);
        }
        t
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let (Some(&end), start) = (
            self.ends.get(i),
            if i == 0 {
                Some(&0)
            } else {
                self.ends.get(i - 1)
            },
        ) else {
            return "";
        };
        let start = start.copied().unwrap_or(0);
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Ends in order, within the text, on character boundaries.
    fn check(&self) -> bool {
        self.ends.windows(2).all(|w| w[0] <= w[1])
            && self
                .ends
                .last()
                .is_none_or(|&e| e as usize <= self.text.len())
            && self
                .ends
                .iter()
                .all(|&e| self.text.is_char_boundary(e as usize))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdvisoryDb {
    strings: StringTable,
    records: Vec<Rec>,
    packages: Vec<Pkg>,
    ratings: Vec<Rating>,
    /// Sorted by CVE.
    kev: Vec<KevRow>,
    /// `(cve, score, percentile)`, sorted by CVE.
    epss: Vec<(u32, f32, f32)>,
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
    /// One message per affected entry left out because a version of it does not parse
    /// (`id: ecosystem/name: what`); the record's other entries are kept.
    pub problems: Vec<String>,
    /// Older revisions of an id replaced by a newer one (by `modified`) from another input.
    pub duplicates: usize,
    /// Records left out because no entry of theirs can match a package (only GIT ranges, or
    /// only ecosystems without a version scheme); their ratings still rate the records that
    /// share their ids.
    pub unmatchable: usize,
    /// KEV entries and EPSS scores kept (those of CVEs the bundle holds).
    pub kev: usize,
    pub epss: usize,
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

/// The distribution's own rating in one affected entry, for OS ecosystems: Debian's
/// per-release `ecosystem_specific.urgency` (`not yet assigned` and `end-of-life` are no
/// rating), a `severity` word in `ecosystem_specific`/`database_specific` (SUSE, Photon,
/// ...), Ubuntu's priority (a record `severity` of type `Ubuntu`), or the Red Hat family's
/// "Important:" summary prefix.
fn vendor_rating(
    record: &Record,
    affected: &super::osv::Affected,
) -> Option<(Level, String, String)> {
    let base = affected.package.ecosystem.split(':').next().unwrap_or("");
    if !crate::ecosystem::is_os(base) {
        return None;
    }
    let field = |v: &Option<serde_json::Value>, key: &str| {
        v.as_ref()
            .and_then(|v| v.get(key))
            .and_then(|s| s.as_str())
            .map(|s| s.trim().trim_end_matches('*').trim().to_string())
    };
    let word = field(&affected.ecosystem_specific, "urgency")
        .or_else(|| field(&affected.ecosystem_specific, "severity"))
        .or_else(|| field(&affected.database_specific, "severity"))
        .or_else(|| {
            record
                .severity
                .iter()
                .find(|s| s.kind.eq_ignore_ascii_case(base))
                .map(|s| s.score.trim().to_string())
        })
        .or_else(|| {
            if matches!(
                base,
                "Red Hat" | "AlmaLinux" | "Rocky Linux" | "Oracle Linux" | "CentOS"
            ) {
                record
                    .summary
                    .as_deref()
                    .and_then(|s| s.split_once(':'))
                    .map(|(w, _)| w.trim().to_string())
            } else {
                None
            }
        })?;
    let level = Level::from_word(&word)?;
    Some((level, base.to_string(), word.to_ascii_lowercase()))
}

/// Compiles OSV records one at a time into an [`AdvisoryDb`], so that a bundle builder never
/// holds more than one parsed record (the interned database grows; the JSON does not).
///
/// - The same id from several inputs (osv.dev's merged CVE records are in both the Debian and
///   the Alpine export) is kept once: the revision with the newest `modified` (RFC 3339,
///   compared as text; a record without `modified` is older than any with one; on a tie the
///   first one read stays). A withdrawn newest revision removes the id.
/// - Affected entries that cannot match (GIT ranges only, an empty `package`, an ecosystem
///   without a version scheme) are left out, and the record's other entries kept; an entry
///   with a version its scheme cannot read is left out and described in `problems`.
/// - [`Compiler::finish`] rates records without a rating of their own from a record sharing
///   one of their ids (osv.dev's merged CVE records carry NVD's CVSS), drops records that
///   match nothing, and keeps the KEV entries and EPSS scores of the CVEs that remain.
#[derive(Default)]
pub struct Compiler {
    strings: Interner,
    /// Slot per record read; `None` once replaced by a newer revision.
    recs: Vec<Option<Rec>>,
    /// Base ecosystems named by each slot's record.
    ecos: Vec<Vec<String>>,
    affects: Vec<((u32, u32), Affects)>,
    details: Vec<(u32, String)>,
    /// id → (modified, live slot or None when withdrawn).
    by_id: HashMap<String, (Option<String>, Option<u32>)>,
    ratings: Vec<Rating>,
    rating_index: HashMap<Rating, u32>,
    out: Compiled,
}

impl Compiler {
    pub fn new() -> Compiler {
        Compiler::default()
    }

    /// Adds one record (see the type's documentation for what is kept).
    pub fn add(&mut self, record: Record) {
        let modified = record.modified.clone().filter(|m| !m.is_empty());
        if let Some((old_modified, old_slot)) = self.by_id.get(&record.id) {
            self.out.duplicates += 1;
            if modified <= *old_modified {
                return; // an older (or the same) revision of a record already read
            }
            if let Some(slot) = *old_slot {
                self.recs[slot as usize] = None;
            }
        }
        if record.withdrawn.is_some() {
            self.by_id.insert(record.id.clone(), (modified, None));
            return;
        }
        let slot = self.recs.len() as u32;
        self.by_id.insert(record.id.clone(), (modified, Some(slot)));
        let strings = &mut self.strings;
        let mut ecos = Vec::new();
        for affected in &record.affected {
            let eco = &affected.package.ecosystem;
            if affected.package.name.is_empty() || eco.is_empty() {
                continue; // `"package": {}` with GIT ranges: nothing to match
            }
            let Some(scheme) = scheme(eco) else {
                *self
                    .out
                    .unsupported_ecosystems
                    .entry(eco.split(':').next().unwrap_or("").to_string())
                    .or_default() += 1;
                continue;
            };
            let mut ranges = Vec::new();
            let mut problem = None;
            for range in &affected.ranges {
                if !matches!(range.kind, RangeKind::Ecosystem | RangeKind::Semver) {
                    continue;
                }
                match sort_events(scheme, &range.events) {
                    Ok(sorted) => ranges.push(sorted),
                    Err(e) => problem = Some(e.to_string()),
                }
            }
            let mut versions = Vec::new();
            for v in &affected.versions {
                if let Err(e) = scheme.compare(v, v) {
                    problem = Some(e.to_string());
                    continue;
                }
                let covered = ranges
                    .iter()
                    .any(|r| in_sorted_range(scheme, v, r.iter().copied()).unwrap_or(false));
                if covered {
                    self.out.versions_dropped += 1;
                } else {
                    versions.push(v.as_str());
                }
            }
            if let Some(e) = problem {
                self.out.problems.push(format!(
                    "{}: {eco}/{}: {e}",
                    record.id, affected.package.name
                ));
                continue;
            }
            if ranges.is_empty() && versions.is_empty() {
                continue;
            }
            let rating = match vendor_rating(&record, affected) {
                Some((level, source, word)) => {
                    let r = Rating {
                        level,
                        source: strings.get(&source),
                        word: strings.get(&word),
                    };
                    match self.rating_index.get(&r) {
                        Some(&i) => i,
                        None => {
                            let i = self.ratings.len() as u32;
                            self.ratings.push(r.clone());
                            self.rating_index.insert(r, i);
                            i
                        }
                    }
                }
                None => NONE,
            };
            let key = ecosystem_key(eco);
            let name = normalise_name(&key, &affected.package.name);
            let affects = Affects {
                record: slot,
                versions: versions.iter().map(|v| strings.get(v)).collect(),
                ranges: ranges
                    .iter()
                    .map(|r| r.iter().map(|(k, v)| (*k, strings.get(v))).collect())
                    .collect(),
                rating,
            };
            self.affects
                .push(((strings.get(&key), strings.get(&name)), affects));
            ecos.push(eco.split(':').next().unwrap_or("").to_string());
        }
        ecos.sort_unstable();
        ecos.dedup();
        let sev = severity::of_record(&record);
        self.recs.push(Some(Rec {
            id: strings.get(&record.id),
            aliases: record.aliases.iter().map(|a| strings.get(a)).collect(),
            summary: strings.opt(record.summary.as_deref().map(str::trim)),
            published: strings.opt(record.published.as_deref()),
            level: sev.level,
            score: sev.score,
            vector: strings.opt(sev.vector.as_deref()),
            severity_source: strings.get(&sev.source),
            rated_by: NONE,
            kev: NONE,
            epss: NONE,
            references: {
                let mut urls: Vec<u32> = record
                    .references
                    .iter()
                    .filter(|r| !r.url.is_empty())
                    .map(|r| strings.get(&r.url))
                    .collect();
                urls.dedup();
                urls
            },
        }));
        self.ecos.push(ecos);
        if let Some(d) = record.details.filter(|d| !d.trim().is_empty()) {
            self.details.push((slot, d));
        }
    }

    /// Every CVE id (record id or alias) of the records read so far and still current, for
    /// picking the KEV entries and EPSS scores worth carrying.
    pub fn cves(&self) -> std::collections::HashSet<String> {
        let mut out = std::collections::HashSet::new();
        for r in self.recs.iter().flatten() {
            for i in r.ids() {
                let s = &self.strings.strings[i as usize];
                if s.starts_with("CVE-") {
                    out.insert(s.clone());
                }
            }
        }
        out
    }

    /// Rates unrated records from the records sharing their ids, drops what matches nothing,
    /// renumbers, groups by package, and attaches KEV and EPSS data for the CVEs that remain.
    pub fn finish(
        self,
        kev: &[(String, super::exploit::Kev)],
        epss: &[(String, f32, f32)],
    ) -> Compiled {
        let Compiler {
            mut strings,
            mut recs,
            ecos,
            affects,
            details,
            by_id,
            ratings,
            mut out,
            ..
        } = self;
        out.withdrawn = by_id.values().filter(|(_, slot)| slot.is_none()).count();
        // Ratings by id: the best-rated current record naming each id (own id or alias).
        let mut best: HashMap<u32, usize> = HashMap::new();
        // A CVSS rating is preferred over a source's word (osv.dev's merged CVE records carry
        // NVD's; another distribution's word is a last resort), then the worse one.
        let rank = |r: &Rec| {
            (
                r.score.is_some(),
                r.level,
                r.score.map(|s| (s * 10.0).round() as i32).unwrap_or(-1),
            )
        };
        for (slot, r) in recs.iter().enumerate() {
            let Some(r) = r else { continue };
            if r.level == Level::Unknown {
                continue;
            }
            for id in r.ids() {
                match best.get(&id) {
                    Some(&b) if recs[b].as_ref().is_some_and(|b| rank(b) >= rank(r)) => {}
                    _ => {
                        best.insert(id, slot);
                    }
                }
            }
        }
        let mut borrowed = Vec::new();
        for (slot, r) in recs.iter().enumerate() {
            let Some(r) = r else { continue };
            if r.level != Level::Unknown {
                continue;
            }
            let donor = r
                .ids()
                .filter_map(|id| best.get(&id))
                .filter_map(|&d| recs[d].as_ref())
                .max_by_key(|d| rank(d));
            if let Some(d) = donor {
                borrowed.push((slot, d.level, d.score, d.vector, d.severity_source, d.id));
            }
        }
        for (slot, level, score, vector, source, id) in borrowed {
            if let Some(r) = recs[slot].as_mut() {
                r.level = level;
                r.score = score;
                r.vector = vector;
                r.severity_source = source;
                r.rated_by = id;
            }
        }
        // Keep records with at least one entry to match; renumber them.
        let mut has_affects = vec![false; recs.len()];
        for (_, a) in &affects {
            has_affects[a.record as usize] = true;
        }
        let mut new_index = vec![NONE; recs.len()];
        let mut kept = Vec::new();
        for (slot, r) in recs.iter_mut().enumerate() {
            let Some(r) = r.take() else { continue };
            if !has_affects[slot] {
                out.unmatchable += 1;
                continue;
            }
            new_index[slot] = kept.len() as u32;
            for e in &ecos[slot] {
                *out.counts.entry(e.clone()).or_default() += 1;
            }
            kept.push(r);
        }
        let mut entries: Vec<((u32, u32), Affects)> = affects
            .into_iter()
            .filter_map(|(key, mut a)| {
                let idx = new_index[a.record as usize];
                (idx != NONE).then(|| {
                    a.record = idx;
                    (key, a)
                })
            })
            .collect();
        // By package name as text; stable, so one package's records keep the order read.
        entries.sort_by(|(a, _), (b, _)| {
            let t = |k: &(u32, u32)| {
                (
                    strings.strings[k.0 as usize].as_str(),
                    strings.strings[k.1 as usize].as_str(),
                )
            };
            t(a).cmp(&t(b))
        });
        let mut packages: Vec<Pkg> = Vec::new();
        for ((eco, name), a) in entries {
            match packages.last_mut() {
                Some(p) if p.ecosystem == eco && p.name == name => p.affects.push(a),
                _ => packages.push(Pkg {
                    ecosystem: eco,
                    name,
                    affects: vec![a],
                }),
            }
        }
        for (slot, d) in details {
            let idx = new_index[slot as usize];
            if idx != NONE {
                let id = &strings.strings[kept[idx as usize].id as usize];
                out.details.push((id.clone(), d));
            }
        }
        out.details.sort();
        // Exploitation data for the CVEs the kept records name.
        let mut cves: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for r in &kept {
            for i in r.ids() {
                let s = strings.strings[i as usize].as_str();
                if s.starts_with("CVE-") {
                    cves.insert(s);
                }
            }
        }
        let mut kev_rows: Vec<(String, super::exploit::Kev)> = kev
            .iter()
            .filter(|(cve, _)| cves.contains(cve.as_str()))
            .cloned()
            .collect();
        kev_rows.sort_by(|a, b| a.0.cmp(&b.0));
        kev_rows.dedup_by(|a, b| a.0 == b.0);
        let mut epss_rows: Vec<(String, f32, f32)> = epss
            .iter()
            .filter(|(cve, _, _)| cves.contains(cve.as_str()))
            .cloned()
            .collect();
        epss_rows.sort_by(|a, b| a.0.cmp(&b.0));
        epss_rows.dedup_by(|a, b| a.0 == b.0);
        out.kev = kev_rows.len();
        out.epss = epss_rows.len();
        // Each record points at its CVEs' rows, so matching needs no lookup by text.
        for r in kept.iter_mut() {
            let (mut kev, mut epss) = (NONE, NONE);
            for i in r.ids() {
                let id = strings.strings[i as usize].as_str();
                if !id.starts_with("CVE-") {
                    continue;
                }
                if let Ok(k) = kev_rows.binary_search_by(|(c, _)| c.as_str().cmp(id)) {
                    if kev == NONE || kev_rows[k].1.date_added > kev_rows[kev as usize].1.date_added
                    {
                        kev = k as u32;
                    }
                }
                if let Ok(e) = epss_rows.binary_search_by(|(c, _, _)| c.as_str().cmp(id)) {
                    if epss == NONE || epss_rows[e].1 > epss_rows[epss as usize].1 {
                        epss = e as u32;
                    }
                }
            }
            (r.kev, r.epss) = (kev, epss);
        }
        let kev = kev_rows
            .into_iter()
            .map(|(cve, k)| KevRow {
                cve: strings.get(&cve),
                date_added: strings.get(&k.date_added),
                due_date: strings.get(&k.due_date),
                known_ransomware: k.known_ransomware,
            })
            .collect();
        let epss = epss_rows
            .into_iter()
            .map(|(cve, s, p)| (strings.get(&cve), s, p))
            .collect();
        out.db = AdvisoryDb {
            strings: StringTable::from_strings(strings.strings.iter().map(String::as_str)),
            records: kept,
            packages,
            ratings,
            kev,
            epss,
        }
        .compact();
        out
    }
}

impl AdvisoryDb {
    /// Compiles OSV records held in memory (tests, small inputs); the bundle builder streams
    /// them through a [`Compiler`] instead.
    pub fn compile(records: &[Record]) -> Compiled {
        let mut c = Compiler::new();
        for r in records {
            c.add(r.clone());
        }
        c.finish(&[], &[])
    }

    fn s(&self, i: u32) -> &str {
        self.strings.get(i)
    }

    fn opt(&self, i: u32) -> Option<&str> {
        (i != NONE).then(|| self.s(i))
    }

    /// Checks a deserialised database: every string index in range and packages sorted, so that
    /// lookups are correct and nothing can index out of bounds. Returns what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if !self.strings.check() {
            return Err("its string table is damaged".into());
        }
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
                && ok_opt(r.rated_by)
                && (r.kev == NONE || (r.kev as usize) < self.kev.len())
                && (r.epss == NONE || (r.epss as usize) < self.epss.len())
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
                        && (a.rating == NONE || (a.rating as usize) < self.ratings.len())
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
        if !self.ratings.iter().all(|r| ok(r.source) && ok(r.word)) {
            return Err("a rating refers to data that is not there".into());
        }
        let kev_ok = self
            .kev
            .iter()
            .all(|k| ok(k.cve) && ok(k.date_added) && ok(k.due_date))
            && self
                .kev
                .windows(2)
                .all(|w| self.s(w[0].cve) < self.s(w[1].cve));
        let epss_ok = self.epss.iter().all(|&(c, score, pct)| {
            ok(c) && (0.0..=1.0).contains(&score) && (0.0..=1.0).contains(&pct)
        }) && self
            .epss
            .windows(2)
            .all(|w| self.s(w[0].0) < self.s(w[1].0));
        if !kev_ok || !epss_ok {
            return Err("its exploitation data is out of order or out of range".into());
        }
        Ok(())
    }

    /// Rebuilds the string table with only the strings something refers to (records replaced
    /// or dropped while compiling leave theirs behind).
    fn compact(mut self) -> AdvisoryDb {
        // The strings are already distinct: taking each one the first time it is referred to
        // needs no lookup table.
        let old = std::mem::take(&mut self.strings);
        let mut new: Vec<&str> = Vec::new();
        let mut map = vec![NONE; old.len()];
        let mut re = |i: u32| -> u32 {
            if i == NONE {
                return NONE;
            }
            let slot = &mut map[i as usize];
            if *slot == NONE {
                *slot = new.len() as u32;
                new.push(old.get(i));
            }
            *slot
        };
        let records = self
            .records
            .iter()
            .map(|r| Rec {
                id: re(r.id),
                aliases: r.aliases.iter().map(|&a| re(a)).collect(),
                summary: re(r.summary),
                published: re(r.published),
                level: r.level,
                score: r.score,
                vector: re(r.vector),
                severity_source: re(r.severity_source),
                rated_by: re(r.rated_by),
                references: r.references.iter().map(|&u| re(u)).collect(),
                kev: r.kev,
                epss: r.epss,
            })
            .collect();
        let packages = self
            .packages
            .iter()
            .map(|p| Pkg {
                ecosystem: re(p.ecosystem),
                name: re(p.name),
                affects: p
                    .affects
                    .iter()
                    .map(|a| Affects {
                        record: a.record,
                        versions: a.versions.iter().map(|&v| re(v)).collect(),
                        ranges: a
                            .ranges
                            .iter()
                            .map(|r| r.iter().map(|&(k, v)| (k, re(v))).collect())
                            .collect(),
                        rating: a.rating,
                    })
                    .collect(),
            })
            .collect();
        let ratings = self
            .ratings
            .iter()
            .map(|r| Rating {
                level: r.level,
                source: re(r.source),
                word: re(r.word),
            })
            .collect();
        let kev = self
            .kev
            .iter()
            .map(|k| KevRow {
                cve: re(k.cve),
                date_added: re(k.date_added),
                due_date: re(k.due_date),
                known_ransomware: k.known_ransomware,
            })
            .collect();
        let epss = self.epss.iter().map(|&(c, s, p)| (re(c), s, p)).collect();
        AdvisoryDb {
            strings: StringTable::from_strings(new.into_iter()),
            records,
            packages,
            ratings,
            kev,
            epss,
        }
    }

    /// The distribution's own rating that `affects` carries.
    pub fn vendor_rating(&self, affects: &Affects) -> Option<VendorRating<'_>> {
        let r = self.ratings.get(affects.rating as usize)?;
        Some(VendorRating {
            level: r.level,
            source: self.s(r.source),
            word: self.s(r.word),
        })
    }

    /// KEV row `i` as a finding carries it.
    fn kev_at(&self, i: u32) -> Option<super::exploit::Kev> {
        let k = self.kev.get(i as usize)?;
        Some(super::exploit::Kev {
            date_added: self.s(k.date_added).to_string(),
            due_date: self.s(k.due_date).to_string(),
            known_ransomware: k.known_ransomware,
        })
    }

    /// EPSS row `i` as a finding carries it.
    fn epss_at(&self, i: u32) -> Option<super::exploit::Epss> {
        let &(_, score, percentile) = self.epss.get(i as usize)?;
        Some(super::exploit::Epss { score, percentile })
    }

    /// The KEV entry of a CVE.
    pub fn kev(&self, cve: &str) -> Option<super::exploit::Kev> {
        let i = self.kev.binary_search_by(|k| self.s(k.cve).cmp(cve)).ok()?;
        self.kev_at(i as u32)
    }

    /// The EPSS score of a CVE.
    pub fn epss(&self, cve: &str) -> Option<super::exploit::Epss> {
        let i = self.epss.binary_search_by(|e| self.s(e.0).cmp(cve)).ok()?;
        self.epss_at(i as u32)
    }

    /// Every record's id, in the bundle's order.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.records.iter().map(|r| self.s(r.id))
    }

    /// The KEV entry and EPSS score a record carries (those of its CVE ids).
    pub fn exploit_of(
        &self,
        index: u32,
    ) -> (Option<super::exploit::Kev>, Option<super::exploit::Epss>) {
        match self.records.get(index as usize) {
            Some(r) => (self.kev_at(r.kev), self.epss_at(r.epss)),
            None => (None, None),
        }
    }

    /// A record's id and aliases, without building its view.
    pub fn ids_of(&self, index: u32) -> impl Iterator<Item = &str> + '_ {
        self.records
            .get(index as usize)
            .into_iter()
            .flat_map(Rec::ids)
            .map(|i| self.s(i))
    }

    /// KEV entries and EPSS scores carried.
    pub fn exploit_counts(&self) -> (usize, usize) {
        (self.kev.len(), self.epss.len())
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
            rated_by: self.opt(r.rated_by),
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
