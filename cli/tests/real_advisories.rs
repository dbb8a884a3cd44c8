//! The whole real advisory corpus of `../shared/advisories`, every record and file:
//! - every OSV JSON record (the folders and osv.dev's Debian and Alpine `all.zip` exports)
//!   reads into our model and round-trips through it with nothing it models lost;
//! - a bundle built from all of it skips no record and no entry, keeps one record per id,
//!   and carries the KEV catalog and EPSS scores found among the inputs;
//! - the Debian 12 sample image scanned with it shows Debian's own ratings with the CVSS
//!   beside them, known-exploited findings first, and EPSS scores.

mod common;
use common::{ok, run as tarsier, s, sample_image, shared, temp};

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::PathBuf;

use scanner_core::advisory::bundle::{self, Trust};
use scanner_core::advisory::osv::Record;
use serde_json::Value;

/// Every OSV JSON document of the corpus: `(name, bytes)`, folders and zip exports alike.
fn every_osv_json(mut visit: impl FnMut(&str, &[u8])) -> usize {
    let root = shared("advisories");
    let mut n = 0;
    for dir in ["PyPI", "Go", "crates.io", "npm", "AlmaLinux"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("read dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no records in {dir}");
        for f in files {
            visit(&f.display().to_string(), &std::fs::read(&f).expect("read"));
            n += 1;
        }
    }
    for export in ["Debian/all.zip", "Alpine/all.zip"] {
        let path = root.join(export);
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).expect("open")).expect("zip");
        let mut bytes = Vec::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).expect("entry");
            let name = format!("{export}!{}", entry.name().expect("name"));
            bytes.clear();
            entry.read_to_end(&mut bytes).expect("read entry");
            visit(&name, &bytes);
            n += 1;
        }
    }
    n
}

/// The strings of `v` at `key`, or an empty list.
fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_real_osv_record_reads_and_round_trips_through_our_model() {
    let mut failures: Vec<String> = Vec::new();
    let mut per_source: BTreeMap<String, usize> = BTreeMap::new();
    let mut empty_packages = 0usize;
    let total = every_osv_json(|name, bytes| {
        let source = match name.split_once("/all.zip!") {
            Some((export, _)) => export.rsplit('/').next().unwrap_or(""),
            None => name.rsplit('/').nth(1).unwrap_or(""),
        }
        .to_string();
        *per_source.entry(source).or_default() += 1;
        let raw: Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => return failures.push(format!("{name}: not JSON: {e}")),
        };
        let record: Record = match serde_json::from_slice(bytes) {
            Ok(r) => r,
            Err(e) => return failures.push(format!("{name}: {e}")),
        };
        // Round trip: what we write reads back to the same record.
        let again: Record = serde_json::from_value(serde_json::to_value(&record).expect("to"))
            .expect("our own output reads back");
        if again != record {
            failures.push(format!("{name}: changes on a round trip"));
        }
        // Nothing the model carries was lost against the raw JSON.
        let mut diff = Vec::new();
        if record.id != text(&raw, "id") {
            diff.push("id");
        }
        if record.aliases != strings(&raw, "aliases") {
            diff.push("aliases");
        }
        if record.modified.clone().unwrap_or_default() != text(&raw, "modified") {
            diff.push("modified");
        }
        if record.withdrawn.is_some() != raw.get("withdrawn").is_some() {
            diff.push("withdrawn");
        }
        let raw_sev = raw.get("severity").and_then(Value::as_array);
        if record.severity.len() != raw_sev.map_or(0, Vec::len)
            || raw_sev
                .into_iter()
                .flatten()
                .zip(&record.severity)
                .any(|(r, s)| text(r, "type") != s.kind || text(r, "score") != s.score)
        {
            diff.push("severity");
        }
        let raw_aff = raw.get("affected").and_then(Value::as_array);
        if record.affected.len() != raw_aff.map_or(0, Vec::len) {
            diff.push("affected");
        }
        for (r, a) in raw_aff.into_iter().flatten().zip(&record.affected) {
            let pkg = r.get("package").cloned().unwrap_or(Value::Null);
            if a.package.name.is_empty() {
                empty_packages += 1;
            }
            if text(&pkg, "ecosystem") != a.package.ecosystem
                || text(&pkg, "name") != a.package.name
            {
                diff.push("package");
            }
            if strings(r, "versions") != a.versions {
                diff.push("versions");
            }
            let raw_ranges = r.get("ranges").and_then(Value::as_array);
            if raw_ranges.map_or(0, Vec::len) != a.ranges.len() {
                diff.push("ranges");
            }
            for (rr, range) in raw_ranges.into_iter().flatten().zip(&a.ranges) {
                let events = rr.get("events").and_then(Value::as_array);
                if events.map_or(0, Vec::len) != range.events.len() {
                    diff.push("events");
                }
                for (e, ev) in events.into_iter().flatten().zip(&range.events) {
                    let written = e
                        .as_object()
                        .and_then(|o| o.values().next())
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    if written != ev.version() {
                        diff.push("event version");
                    }
                }
            }
            if r.get("ecosystem_specific") != a.ecosystem_specific.as_ref()
                || r.get("database_specific") != a.database_specific.as_ref()
            {
                diff.push("*_specific");
            }
        }
        if !diff.is_empty() {
            diff.dedup();
            failures.push(format!("{name}: {diff:?} differ from the JSON"));
        }
    });
    assert!(
        failures.is_empty(),
        "{} of {total} records do not read as written, e.g.:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
    // All of it was there: the counts the corpus README gives.
    assert_eq!(per_source.get("Debian"), Some(&44_152), "{per_source:?}");
    assert_eq!(per_source.get("Alpine"), Some(&3_655), "{per_source:?}");
    assert_eq!(per_source.get("Go"), Some(&4_291), "{per_source:?}");
    assert_eq!(per_source.get("PyPI"), Some(&2_672), "{per_source:?}");
    assert_eq!(per_source.get("crates.io"), Some(&1_206), "{per_source:?}");
    assert_eq!(per_source.get("AlmaLinux"), Some(&1_783), "{per_source:?}");
    assert_eq!(per_source.get("npm"), Some(&62), "{per_source:?}");
    // osv.dev's merged records do carry `"package": {}` entries: they read, as the schema allows.
    assert!(empty_packages > 1000, "{empty_packages}");
}

/// The bundle of all of `../shared/advisories` and the builder's report, built once for the
/// tests of this file (a debug build takes about 25 s).
fn whole_corpus_bundle() -> &'static (PathBuf, String) {
    static BUNDLE: std::sync::OnceLock<(PathBuf, String)> = std::sync::OnceLock::new();
    BUNDLE.get_or_init(|| {
        let out = temp("real-bundle").join("all.trsb");
        let report = ok(&tarsier(&[
            "bundle",
            "build",
            "--osv",
            s(&shared("advisories")),
            "--out",
            s(&out),
            "--epss-date",
            "2026-08-16",
        ]));
        (out, report)
    })
}

#[test]
fn a_bundle_from_all_of_shared_advisories_skips_nothing() {
    let (out, report) = whole_corpus_bundle();
    for line in [
        "malformed records skipped: 0",
        "affected entries skipped (a version their ecosystem cannot read): 0",
        "used only to rate records sharing their ids: 0",
    ] {
        assert!(report.contains(line), "missing {line:?} in:\n{report}");
    }
    assert!(!report.contains("feed entries skipped"), "{report}");
    assert!(
        report.contains("KEV catalog 2025.08.25 (released 2025-08-25T17:04:19.9796Z)"),
        "{report}"
    );
    assert!(report.contains("EPSS scores of 2026-08-16"), "{report}");
    assert!(report.contains("of its 360142 rows"), "{report}");

    let bytes = std::fs::read(out).expect("bundle");
    let (header, db) = bundle::read(&bytes, Trust::SignatureOptional(&[])).expect("read");
    // One record per id, though 3,308 ids are in both the Debian and the Alpine export.
    let ids: Vec<&str> = db.ids().collect();
    let distinct: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), distinct.len(), "an id is in the bundle twice");
    assert!(
        report.contains("older revisions of the same id replaced: "),
        "{report}"
    );
    assert!(db.record_count() > 60_000, "{}", db.record_count());
    for eco in [
        "Debian",
        "Alpine",
        "AlmaLinux",
        "PyPI",
        "Go",
        "crates.io",
        "npm",
    ] {
        assert!(
            header.counts.get(eco).is_some_and(|&n| n > 0),
            "{eco}: {:?}",
            header.counts
        );
    }
    let kev = header.kev.as_ref().expect("kev in the header");
    assert_eq!(kev.catalog_entries, 1404);
    let epss = header.epss.as_ref().expect("epss in the header");
    assert_eq!(epss.rows, 360_142);
    let (kev_kept, epss_kept) = db.exploit_counts();
    assert_eq!(kev.entries as usize, kev_kept);
    assert_eq!(epss.scores as usize, epss_kept);
    assert!(
        kev_kept > 100 && epss_kept > 30_000,
        "{kev_kept} {epss_kept}"
    );
    // The data itself, on known entries: Looney Tunables (glibc) is in KEV; Heartbleed's EPSS.
    let looney = db.kev("CVE-2023-4911").expect("CVE-2023-4911 in KEV");
    assert_eq!(looney.date_added, "2023-11-21");
    let heartbleed = db.epss("CVE-2014-0160").expect("CVE-2014-0160 scored");
    assert!(heartbleed.score > 0.9 && heartbleed.percentile > 0.99);

    // A record that was rejected as malformed before (an empty `package` with GIT ranges)
    // matches its Debian entries: glibc CVE-2023-4911 in Debian 12.
    let glibc = db.lookup("Debian:12", "glibc");
    assert!(
        glibc.iter().any(|a| db.record_of(a).id == "CVE-2023-4911"),
        "CVE-2023-4911 should affect Debian 12's glibc"
    );
    // Debian's own rating travels with the entry.
    let unimportant = glibc
        .iter()
        .find(|a| db.record_of(a).id == "CVE-2019-1010022")
        .expect("CVE-2019-1010022 on glibc");
    let rating = db.vendor_rating(unimportant).expect("Debian's rating");
    assert_eq!((rating.source, rating.word), ("Debian", "unimportant"));
    // A Go record without a rating takes the one of the CVE record sharing its id.
    let go = db.find("GO-2022-0969").expect("GO-2022-0969");
    assert_eq!(go.rated_by, Some("CVE-2022-27664"), "{go:?}");
    assert!(go.severity.score.is_some());
}

#[test]
fn a_debian_12_image_is_rated_as_debian_rates_it_and_ranked_by_risk() {
    let (out, _) = whole_corpus_bundle();
    let image = sample_image("sample-docker.tar");
    let json = ok(&tarsier(&[
        "scan",
        s(&image),
        "--bundle",
        s(out),
        "--format",
        "json",
    ]));
    let report: Value = serde_json::from_str(&json).expect("json");
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings.len() > 100, "{}", findings.len());
    // glibc CVE-2019-1010022: NVD says 9.8 CRITICAL, Debian says unimportant → LOW.
    let glibc: Vec<&Value> = findings
        .iter()
        .filter(|f| f["id"] == "CVE-2019-1010022")
        .collect();
    assert!(!glibc.is_empty());
    for f in &glibc {
        assert_eq!(f["severity"], "LOW", "{f}");
        assert_eq!(f["severity_source"], "Debian", "{f}");
        assert_eq!(
            f["score"].as_f64().map(|s| (s * 10.0).round()),
            Some(98.0),
            "{f}"
        );
        assert!(
            f["vector"]
                .as_str()
                .is_some_and(|v| v.starts_with("CVSS:3")),
            "{f}"
        );
        assert!(
            f["severity_note"]
                .as_str()
                .is_some_and(|n| n.contains("unimportant")),
            "{f}"
        );
    }
    // Most Debian findings carry Debian's own rating.
    let debian: Vec<&Value> = findings
        .iter()
        .filter(|f| f["ecosystem"] == "Debian:12")
        .collect();
    let by_debian = debian
        .iter()
        .filter(|f| f["severity_source"] == "Debian")
        .count();
    assert!(
        by_debian * 2 > debian.len(),
        "{by_debian} of {}",
        debian.len()
    );
    // Known exploited first (risk order), each with its KEV dates; EPSS on most findings.
    let kev: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.get("kev").is_some_and(|k| !k.is_null()))
        .map(|(i, _)| i)
        .collect();
    assert!(
        !kev.is_empty(),
        "no known-exploited finding on the sample image"
    );
    assert_eq!(
        kev,
        (0..kev.len()).collect::<Vec<_>>(),
        "KEV findings are not first"
    );
    for &i in &kev {
        let k = &findings[i]["kev"];
        assert!(
            k["date_added"].as_str().is_some_and(|d| d.len() == 10),
            "{k}"
        );
        assert!(k["due_date"].as_str().is_some_and(|d| d.len() == 10), "{k}");
    }
    let with_epss = findings
        .iter()
        .filter(|f| f.get("epss").is_some_and(|e| !e.is_null()))
        .count();
    assert!(
        with_epss * 10 > findings.len() * 9,
        "{with_epss} of {}",
        findings.len()
    );
    // Each finding's own id is listed once among its ids.
    for f in findings {
        let ids: Vec<&str> = f["aliases"]
            .as_array()
            .expect("aliases")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let set: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(set.len(), ids.len(), "{f}");
    }
    // The table says how many are known exploited.
    let table = ok(&tarsier(&["scan", s(&image), "--bundle", s(out)]));
    assert!(
        table.contains(&format!("{} known exploited", kev.len())),
        "{table}"
    );
}
