//! Java archives: `.jar`, `.war`, `.ear` (and Jenkins' `.hpi`/`.jpi`), which are zips.
//!
//! Reads every `pom.properties` (normally `META-INF/maven/GROUP/ARTIFACT/pom.properties`: groupId,
//! artifactId, version; the folder names fill missing fields, and the artifactId stands in for a
//! groupId that is nowhere); when an archive has none, its `META-INF/MANIFEST.MF`
//! (`Implementation-Title`/`-Version`/`-Vendor-Id`, else `Bundle-SymbolicName`/`Bundle-Version`).
//! Archives inside archives (fat jars, `WEB-INF/lib`) are opened in turn, to [`MAX_NESTING`]
//! levels; deeper ones are a warning. Each package's path names the chain of archives
//! (`/app.war!/WEB-INF/lib/x.jar`). Limits: an entry inflates to at most 64 MiB, all entries
//! of one top-level archive together to 512 MiB (zip bombs stop there, with a warning).

use super::{file_name, package, plausible};
use crate::extract::zip::Zip;
use crate::extract::{ExtractInput, Extracted, Extractor};

const MAX_ARCHIVE: u64 = 512 << 20;
const MAX_ENTRY: u64 = 64 << 20;
const MAX_INFLATED: u64 = 512 << 20;
pub const MAX_NESTING: usize = 16;

fn is_archive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jar", ".war", ".ear", ".hpi", ".jpi"]
        .iter()
        .any(|x| lower.ends_with(x))
}

fn properties(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines().filter_map(|l| {
        let l = l.trim();
        if l.starts_with('#') || l.starts_with('!') {
            return None;
        }
        let (k, v) = l.split_once(['=', ':'])?;
        Some((k.trim(), v.trim()))
    })
}

/// MANIFEST.MF main section, continuation lines joined.
fn manifest(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(rest) = line.strip_prefix(' ') {
            if let Some(last) = out.last_mut() {
                last.1.push_str(rest);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

struct Walk<'a> {
    found_by: &'a str,
    inflated: u64,
    out: Extracted,
}

impl Walk<'_> {
    fn archive(&mut self, data: &[u8], chain: &str, depth: usize) {
        let zip = match Zip::open(data) {
            Ok(z) => z,
            Err(e) => {
                self.out
                    .warnings
                    .push(format!("{chain}: not read as a Java archive: {e}"));
                return;
            }
        };
        let mut found = false;
        for entry in zip
            .entries
            .iter()
            .filter(|e| file_name(&e.name) == "pom.properties")
        {
            let Some(text) = self.read(&zip, entry, chain) else {
                continue;
            };
            let (mut group, mut artifact, mut version) = (None, None, None);
            for (k, v) in properties(&String::from_utf8_lossy(&text)) {
                match k {
                    "groupId" => group = Some(v.to_string()),
                    "artifactId" => artifact = Some(v.to_string()),
                    "version" => version = Some(v.to_string()),
                    _ => {}
                }
            }
            // META-INF/maven/GROUP/ARTIFACT/pom.properties: the folders fill missing fields;
            // with no group at all, the artifact stands in for it (as osv-scalibr does).
            let mut dirs = entry
                .name
                .strip_prefix("META-INF/maven/")
                .unwrap_or("")
                .split('/');
            let (dir_group, dir_artifact) = (dirs.next().filter(|d| !d.is_empty()), dirs.next());
            let artifact = artifact
                .or(dir_artifact.map(str::to_string))
                .unwrap_or_default();
            let group = group
                .or(dir_group.map(str::to_string))
                .unwrap_or_else(|| artifact.clone());
            let version = version.unwrap_or_default();
            if plausible(&group) && plausible(&artifact) && plausible(&version) {
                self.push(&format!("{group}:{artifact}"), &version, chain);
                found = true;
            }
        }
        if !found {
            if let Some(entry) = zip
                .entries
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case("META-INF/MANIFEST.MF"))
            {
                if let Some(text) = self.read(&zip, entry, chain) {
                    let m = manifest(&String::from_utf8_lossy(&text));
                    let get = |k: &str| {
                        m.iter()
                            .find(|(x, _)| x.eq_ignore_ascii_case(k))
                            .map(|(_, v)| v.clone())
                    };
                    let title = get("Implementation-Title").or_else(|| {
                        get("Bundle-SymbolicName")
                            .map(|s| s.split(';').next().unwrap_or("").trim().to_string())
                    });
                    let version = get("Implementation-Version").or_else(|| get("Bundle-Version"));
                    let group = get("Implementation-Vendor-Id").or_else(|| {
                        get("Bundle-SymbolicName").and_then(|s| {
                            let s = s.split(';').next().unwrap_or("").trim().to_string();
                            s.rsplit_once('.').map(|(g, _)| g.to_string())
                        })
                    });
                    if let (Some(t), Some(v)) = (title, version) {
                        let artifact = t.rsplit('.').next().unwrap_or(&t).to_string();
                        let name = match group {
                            Some(g) if plausible(&g) => format!("{g}:{artifact}"),
                            _ => artifact.clone(),
                        };
                        if plausible(&artifact) && plausible(&v) {
                            self.push(&name, &v, chain);
                        }
                    }
                }
            }
        }
        for entry in zip.entries.iter().filter(|e| is_archive(&e.name)) {
            let inner = format!("{chain}!/{}", entry.name);
            if depth + 1 >= MAX_NESTING {
                self.out.warnings.push(format!(
                    "{inner}: archives nested deeper than {MAX_NESTING} levels were not opened"
                ));
                continue;
            }
            if let Some(data) = self.read(&zip, entry, chain) {
                self.archive(&data, &inner, depth + 1);
            }
        }
    }

    fn read(
        &mut self,
        zip: &Zip<'_>,
        entry: &crate::extract::zip::Entry,
        chain: &str,
    ) -> Option<Vec<u8>> {
        if self.inflated + entry.size > MAX_INFLATED {
            self.out.warnings.push(format!(
                "{chain}: stopped at {}: the archive inflates past {} MiB",
                entry.name,
                MAX_INFLATED >> 20
            ));
            return None;
        }
        match zip.read(entry, MAX_ENTRY) {
            Ok(d) => {
                self.inflated += d.len() as u64;
                Some(d)
            }
            Err(e) => {
                self.out.warnings.push(format!("{chain}: {e}"));
                None
            }
        }
    }

    fn push(&mut self, name: &str, version: &str, chain: &str) {
        let mut p = package("Maven", name, version, self.found_by);
        if chain.contains("!/") {
            p.notes.push(format!("inside {chain}"));
        }
        self.out.packages.push(p);
    }
}

pub struct JavaArchive;

impl Extractor for JavaArchive {
    fn name(&self) -> &'static str {
        "java/archive"
    }
    fn file_required(&self, path: &str, size: u64) -> bool {
        size <= MAX_ARCHIVE && is_archive(file_name(path))
    }
    fn extract(&self, input: &ExtractInput<'_>) -> Extracted {
        let mut walk = Walk {
            found_by: self.name(),
            inflated: 0,
            out: Extracted::default(),
        };
        walk.archive(input.data, &format!("/{}", input.path), 0);
        walk.out
    }
}
