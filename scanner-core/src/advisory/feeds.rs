//! Advisory feeds that are not OSV JSON, converted to the OSV model (native builds only: the
//! bundle builder needs them, the page does not).
//!
//! - OSV records written as YAML (the PyPA advisory database): [`parse_yaml`].
//! - Alpine secdb (`v3.11/main.yaml`): every `secfixes` entry becomes a range fixed at that
//!   version in `Alpine:v3.11`; records are grouped by vulnerability id (`ALPINE-CVE-...`, with
//!   the CVE as alias). A fixed version of `0` means the release was never affected: skipped.
//! - The Debian security tracker's `data/DSA/list` and `data/DLA/list`: one record per DSA/DLA,
//!   its CVEs as aliases, one range per `[release] - source version` line in `Debian:N`.
//!   `<not-affected>` and other `<...>` lines say nothing is fixed there: skipped.
//! - Azure Linux and CBL-Mariner OVAL: see [`azure_linux_oval`].
//!
//! Entries a converter cannot use (a version its scheme cannot read, a line it cannot parse)
//! are skipped and described in [`Converted::skipped`].

use std::collections::BTreeMap;

use super::osv::{Affected, Event, Package, Range, RangeKind, Record};
use crate::version::Scheme;

/// Records converted from one feed file, and what was left out.
#[derive(Debug, Default)]
pub struct Converted {
    pub records: Vec<Record>,
    /// One message per entry that was skipped.
    pub skipped: Vec<String>,
    /// The newest date the feed itself carries, when it has dates (RFC 3339).
    pub snapshot: Option<String>,
}

/// Parses one OSV record written as YAML. Scalars stay the strings they were written as
/// (`1.10` is the version "1.10", not the number 1.1).
pub fn parse_yaml(bytes: &[u8]) -> Result<Record, String> {
    serde_yaml::from_slice(bytes).map_err(|e| e.to_string())
}

fn record(
    id: String,
    aliases: Vec<String>,
    summary: Option<String>,
    published: Option<String>,
) -> Record {
    Record {
        id,
        modified: None,
        published,
        withdrawn: None,
        aliases,
        related: Vec::new(),
        upstream: Vec::new(),
        summary,
        details: None,
        severity: Vec::new(),
        affected: Vec::new(),
        references: Vec::new(),
        database_specific: None,
    }
}

fn fixed_range(ecosystem: String, name: &str, fixed: &str) -> Affected {
    Affected {
        package: Package {
            ecosystem,
            name: name.to_string(),
            purl: None,
        },
        severity: Vec::new(),
        ranges: vec![Range {
            kind: RangeKind::Ecosystem,
            repo: None,
            events: vec![
                Event::Introduced("0".into()),
                Event::Fixed(fixed.to_string()),
            ],
        }],
        versions: Vec::new(),
        ecosystem_specific: None,
        database_specific: None,
    }
}

fn scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An id-looking token: `CVE-2019-1551`, `XSA-308`, `GHSA-xxxx-xxxx-xxxx`.
fn is_id(token: &str) -> bool {
    let mut parts = token.split('-');
    let prefix = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    prefix.len() >= 2
        && prefix.chars().all(|c| c.is_ascii_uppercase())
        && !rest.is_empty()
        && rest
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Converts one Alpine secdb YAML file.
pub fn alpine_secdb(text: &str, file: &str) -> Result<Converted, String> {
    let doc: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| format!("{file}: not YAML: {e}"))?;
    let release = doc
        .get("distroversion")
        .and_then(scalar)
        .ok_or_else(|| format!("{file}: no distroversion: is this an Alpine secdb file?"))?;
    let release = if release.starts_with('v') {
        release
    } else {
        format!("v{release}")
    };
    let ecosystem = format!("Alpine:{release}");
    // An empty `packages:` is a release without fixes in this repository.
    let empty = Vec::new();
    let packages = match doc.get("packages") {
        Some(serde_yaml::Value::Sequence(p)) => p,
        Some(serde_yaml::Value::Null) => &empty,
        _ => return Err(format!("{file}: no packages list")),
    };
    let mut out = Converted::default();
    let mut by_id: BTreeMap<String, Vec<Affected>> = BTreeMap::new();
    for entry in packages {
        let pkg = entry.get("pkg").unwrap_or(entry);
        let Some(name) = pkg.get("name").and_then(scalar) else {
            out.skipped
                .push(format!("{file}: a package entry without a name"));
            continue;
        };
        let Some(fixes) = pkg.get("secfixes").and_then(|s| s.as_mapping()) else {
            continue;
        };
        for (version, ids) in fixes {
            let Some(version) = scalar(version) else {
                out.skipped
                    .push(format!("{file}: {name}: a fixed version that is not text"));
                continue;
            };
            if version == "0" {
                continue; // never affected in this release
            }
            if let Err(e) = Scheme::Apk.compare(&version, &version) {
                out.skipped.push(format!("{file}: {name}: {e}"));
                continue;
            }
            for line in ids.as_sequence().into_iter().flatten().filter_map(scalar) {
                for token in line.split_whitespace().filter(|t| is_id(t)) {
                    by_id
                        .entry(token.to_string())
                        .or_default()
                        .push(fixed_range(ecosystem.clone(), &name, &version));
                }
            }
        }
    }
    for (id, affected) in by_id {
        let mut r = record(format!("ALPINE-{id}"), vec![id], None, None);
        r.affected = affected;
        out.records.push(r);
    }
    Ok(out)
}

/// Debian release codenames and the OSV release they are.
fn debian_release(codename: &str) -> Option<&'static str> {
    Some(match codename {
        "potato" => "2.2",
        "woody" => "3.0",
        "sarge" => "3.1",
        "etch" => "4",
        "lenny" => "5",
        "squeeze" => "6",
        "wheezy" => "7",
        "jessie" => "8",
        "stretch" => "9",
        "buster" => "10",
        "bullseye" => "11",
        "bookworm" => "12",
        "trixie" => "13",
        "forky" => "14",
        _ => return None,
    })
}

/// `29 Mar 2023` → `2023-03-29T00:00:00Z`.
fn tracker_date(s: &str) -> Option<String> {
    let mut it = s.split_whitespace();
    let day: u32 = it.next()?.parse().ok()?;
    let month = match it.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: u32 = it.next()?.parse().ok()?;
    ((1..=31).contains(&day) && (1990..=2200).contains(&year))
        .then(|| format!("{year:04}-{month:02}-{day:02}T00:00:00Z"))
}

/// Converts the Debian security tracker's `DSA/list` or `DLA/list`.
pub fn debian_tracker(text: &str, file: &str) -> Converted {
    let mut out = Converted::default();
    let mut current: Option<Record> = None;
    let finish = |r: Option<Record>, out: &mut Converted| {
        if let Some(r) = r.filter(|r| !r.affected.is_empty()) {
            out.records.push(r);
        }
    };
    for (n, line) in text.lines().enumerate() {
        let at = || format!("{file}:{}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            // "[29 Mar 2023] DSA-5380-1 xorg-server - security update"
            finish(current.take(), &mut out);
            let Some((date, rest)) = rest.split_once(']') else {
                out.skipped
                    .push(format!("{}: an entry line without a date", at()));
                continue;
            };
            let rest = rest.trim();
            let (id, summary) = rest.split_once(' ').unwrap_or((rest, ""));
            if !is_id(id) {
                out.skipped
                    .push(format!("{}: {id:?} is not an advisory id", at()));
                continue;
            }
            let published = tracker_date(date);
            if let Some(p) = &published {
                if out.snapshot.as_ref().is_none_or(|s| p > s) {
                    out.snapshot = Some(p.clone());
                }
            }
            let summary = summary.trim();
            current = Some(record(
                id.to_string(),
                Vec::new(),
                (!summary.is_empty()).then(|| summary.to_string()),
                published,
            ));
            continue;
        }
        let Some(r) = current.as_mut() else {
            continue;
        };
        let body = line.trim();
        if let Some(list) = body.strip_prefix('{') {
            let list = list.trim_end_matches('}');
            r.aliases.extend(
                list.split_whitespace()
                    .filter(|t| is_id(t))
                    .map(str::to_string),
            );
        } else if let Some(rest) = body.strip_prefix('[') {
            // "[bullseye] - xorg-server 2:1.20.11-1+deb11u6"
            let Some((codename, rest)) = rest.split_once(']') else {
                continue;
            };
            let mut words = rest.trim().trim_start_matches('-').split_whitespace();
            let (Some(source), Some(version)) = (words.next(), words.next()) else {
                out.skipped.push(format!(
                    "{}: {}: a release line without a version",
                    at(),
                    r.id
                ));
                continue;
            };
            if version.starts_with('<') {
                continue; // <not-affected>, <unfixed>, ...: nothing fixed to match on
            }
            let Some(release) = debian_release(codename) else {
                out.skipped
                    .push(format!("{}: {}: unknown release {codename:?}", at(), r.id));
                continue;
            };
            if let Err(e) = Scheme::Dpkg.compare(version, version) {
                out.skipped.push(format!("{}: {}: {e}", at(), r.id));
                continue;
            }
            r.affected
                .push(fixed_range(format!("Debian:{release}"), source, version));
        }
    }
    finish(current.take(), &mut out);
    out
}

/// One OVAL `rpminfo_state`: the version bound and how it compares.
#[derive(Default)]
struct OvalState {
    evr: String,
    operation: String,
}

#[derive(Default)]
struct OvalDefinition {
    id: String,
    title: String,
    description: String,
    severity: String,
    date: String,
    cves: Vec<String>,
    tests: Vec<String>,
}

fn xml_entity(name: &[u8]) -> &'static str {
    match name {
        b"lt" => "<",
        b"gt" => ">",
        b"amp" => "&",
        b"quot" => "\"",
        b"apos" => "'",
        _ => "",
    }
}

/// Converts an Azure Linux / CBL-Mariner OVAL file (`azurelinux-3.0-oval.xml`,
/// `cbl-mariner-2.0-oval.xml`): each vulnerability definition becomes a record
/// (`AZL-<release>-<number>`, its CVEs as aliases, its severity as the source's rating) with one
/// range per `rpminfo` test in `Azure Linux:3.0` or `Mariner:2.0`: `less than` is a fix,
/// `less than or equal` the last affected version (no fix yet).
pub fn azure_linux_oval(text: &str, file: &str) -> Result<Converted, String> {
    use quick_xml::events::Event as X;
    let base = file.rsplit('/').next().unwrap_or(file);
    let (ecosystem, release) = if let Some(rest) = base.strip_prefix("azurelinux-") {
        ("Azure Linux", rest.trim_end_matches("-oval.xml"))
    } else if let Some(rest) = base.strip_prefix("cbl-mariner-") {
        ("Mariner", rest.trim_end_matches("-oval.xml"))
    } else {
        return Err(format!(
            "{file}: not an Azure Linux or CBL-Mariner OVAL file name"
        ));
    };
    if !release.chars().all(|c| c.is_ascii_digit() || c == '.') || release.is_empty() {
        return Err(format!(
            "{file}: cannot tell the release from the file name"
        ));
    }
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut out = Converted::default();
    let mut definitions: Vec<OvalDefinition> = Vec::new();
    let mut tests: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut objects: BTreeMap<String, String> = BTreeMap::new();
    let mut states: BTreeMap<String, OvalState> = BTreeMap::new();
    let (mut cur_test, mut cur_object, mut cur_state) =
        (String::new(), String::new(), String::new());
    let mut text_buf = String::new();
    let attr = |e: &quick_xml::events::BytesStart<'_>, key: &str| -> String {
        e.attributes()
            .flatten()
            .find(|a| AsRef::<str>::as_ref(&a.key) == key)
            .and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .unwrap_or_default()
    };
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "{file}: not well-formed XML at byte {}: {e}",
                reader.buffer_position()
            )
        })?;
        match event {
            X::Start(e) | X::Empty(e) => {
                let full = AsRef::<str>::as_ref(&e.name()).to_string();
                let local = full.rsplit(':').next().unwrap_or(&full).to_string();
                match local.as_str() {
                    "definition" => definitions.push(OvalDefinition {
                        id: attr(&e, "id"),
                        ..OvalDefinition::default()
                    }),
                    "reference" => {
                        if let Some(d) = definitions.last_mut() {
                            let id = attr(&e, "ref_id");
                            if is_id(&id) {
                                d.cves.push(id);
                            }
                        }
                    }
                    "criterion" => {
                        if let Some(d) = definitions.last_mut() {
                            d.tests.push(attr(&e, "test_ref"));
                        }
                    }
                    "rpminfo_test" => {
                        cur_test = attr(&e, "id");
                        tests.insert(cur_test.clone(), (String::new(), String::new()));
                    }
                    "object" if !cur_test.is_empty() => {
                        if let Some(t) = tests.get_mut(&cur_test) {
                            t.0 = attr(&e, "object_ref");
                        }
                    }
                    "state" if !cur_test.is_empty() => {
                        if let Some(t) = tests.get_mut(&cur_test) {
                            t.1 = attr(&e, "state_ref");
                        }
                    }
                    "rpminfo_object" => cur_object = attr(&e, "id"),
                    "rpminfo_state" => {
                        cur_state = attr(&e, "id");
                        states.insert(cur_state.clone(), OvalState::default());
                    }
                    "evr" if !cur_state.is_empty() => {
                        if let Some(s) = states.get_mut(&cur_state) {
                            s.operation = attr(&e, "operation");
                        }
                    }
                    _ => {}
                }
                text_buf.clear();
            }
            X::Text(t) => text_buf.push_str(&t.xml10_content()),
            X::GeneralRef(r) => text_buf.push_str(xml_entity(AsRef::<str>::as_ref(&r).as_bytes())),
            X::End(e) => {
                let full = AsRef::<str>::as_ref(&e.name()).to_string();
                let local = full.rsplit(':').next().unwrap_or(&full).to_string();
                let value = std::mem::take(&mut text_buf).trim().to_string();
                match local.as_str() {
                    "title" | "severity" | "description" | "advisory_date" => {
                        if let Some(d) = definitions.last_mut() {
                            match local.as_str() {
                                "title" => d.title = value,
                                "severity" => d.severity = value,
                                "description" => d.description = value,
                                _ => d.date = value,
                            }
                        }
                    }
                    "name" if !cur_object.is_empty() => {
                        objects.insert(cur_object.clone(), value);
                    }
                    "evr" if !cur_state.is_empty() => {
                        if let Some(s) = states.get_mut(&cur_state) {
                            s.evr = value;
                        }
                    }
                    "rpminfo_test" => cur_test.clear(),
                    "rpminfo_object" => cur_object.clear(),
                    "rpminfo_state" => cur_state.clear(),
                    _ => {}
                }
            }
            X::Eof => break,
            _ => {}
        }
    }
    let eco = format!("{ecosystem}:{release}");
    for d in definitions {
        let number = d.id.rsplit(':').next().unwrap_or(&d.id);
        let id = format!("AZL-{release}-{number}");
        let mut r = record(
            id.clone(),
            d.cves.clone(),
            (!d.title.is_empty()).then(|| d.title.clone()),
            (!d.date.is_empty()).then(|| d.date.clone()),
        );
        r.details = (!d.description.is_empty()).then(|| d.description.clone());
        if !d.severity.is_empty() {
            r.database_specific = Some(serde_json::json!({ "severity": d.severity }));
        }
        for t in &d.tests {
            let Some((object, state)) = tests.get(t) else {
                out.skipped
                    .push(format!("{file}: {id}: test {t} is not defined"));
                continue;
            };
            let (Some(name), Some(state)) = (objects.get(object), states.get(state)) else {
                out.skipped.push(format!(
                    "{file}: {id}: test {t} names a missing object or state"
                ));
                continue;
            };
            if let Err(e) = Scheme::Rpm.compare(&state.evr, &state.evr) {
                out.skipped.push(format!("{file}: {id}: {e}"));
                continue;
            }
            let event = match state.operation.as_str() {
                "less than" => Event::Fixed(state.evr.clone()),
                "less than or equal" => Event::LastAffected(state.evr.clone()),
                other => {
                    out.skipped
                        .push(format!("{file}: {id}: operation {other:?} is not read"));
                    continue;
                }
            };
            let mut a = fixed_range(eco.clone(), name, "0");
            a.ranges[0].events = vec![Event::Introduced("0".into()), event];
            r.affected.push(a);
        }
        if let Some(p) = &r.published {
            if out.snapshot.as_ref().is_none_or(|s| p > s) {
                out.snapshot = Some(p.clone());
            }
        }
        if r.affected.is_empty() {
            continue;
        }
        out.records.push(r);
    }
    Ok(out)
}
