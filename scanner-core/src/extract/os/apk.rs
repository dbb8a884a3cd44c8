//! apk: `lib/apk/db/installed` (Alpine, Wolfi, Chainguard).
//!
//! # Reads
//! Records of `K:value` lines separated by blank lines: `P` name, `V` version, `A` arch,
//! `o` origin (the source package), `L` license.
//!
//! # Ignores
//! File lists (`F`, `R`, `a`, `Z`), checksums, dependencies.
//!
//! # Limitations
//! The repository a package came from is not recorded in this file.
//!
//! # References
//! apk-tools `database.c`; the Alpine wiki "Apk spec".

use super::super::{ExtractInput, Extracted, Extractor};
use crate::inventory::{purl, Package};

pub struct ApkInstalled;

impl Extractor for ApkInstalled {
    fn name(&self) -> &'static str {
        "os/apk"
    }

    fn file_required(&self, path: &str, _size: u64) -> bool {
        path == "lib/apk/db/installed"
    }

    fn extract(&self, input: &ExtractInput<'_>) -> Extracted {
        let mut out = Extracted::default();
        let text = String::from_utf8_lossy(input.data);
        let (ns, ecosystem, distro_q) = match input.distro {
            Some(d) if d.id == "alpine" => (
                "alpine",
                format!("Alpine:{}", d.release()),
                d.purl_qualifier(),
            ),
            Some(d) if d.id == "wolfi" || d.id == "chainguard" => (
                if d.id == "wolfi" {
                    "wolfi"
                } else {
                    "chainguard"
                },
                if d.id == "wolfi" {
                    "Wolfi".to_string()
                } else {
                    "Chainguard".to_string()
                },
                d.purl_qualifier(),
            ),
            Some(d) => ("alpine", "Alpine".to_string(), d.purl_qualifier()),
            None => ("alpine", "Alpine".to_string(), String::new()),
        };
        let mut bad_lines = 0usize;
        for (i, record) in text.split("\n\n").enumerate() {
            if record.trim().is_empty() {
                continue;
            }
            let mut fields: Vec<(char, &str)> = Vec::new();
            for line in record.lines() {
                let mut chars = line.chars();
                match (chars.next(), chars.next()) {
                    (Some(k), Some(':')) => fields.push((k, &line[k.len_utf8() + 1..])),
                    _ if line.trim().is_empty() => {}
                    _ => bad_lines += 1,
                }
            }
            let get = |k: char| fields.iter().find(|(f, _)| *f == k).map(|(_, v)| v.trim());
            let (Some(name), Some(version)) = (
                get('P').filter(|v| !v.is_empty()),
                get('V').filter(|v| !v.is_empty()),
            ) else {
                out.warnings.push(format!(
                    "/{}: record {} lacks a name (P:) or version (V:); skipped",
                    input.path,
                    i + 1
                ));
                continue;
            };
            let arch = get('A').map(str::to_string);
            let origin = get('o')
                .filter(|o| !o.is_empty())
                .unwrap_or(name)
                .to_string();
            let mut qualifiers: Vec<(&str, &str)> = vec![("arch", arch.as_deref().unwrap_or(""))];
            if !distro_q.is_empty() {
                qualifiers.push(("distro", &distro_q));
            }
            if origin != name {
                qualifiers.push(("upstream", &origin));
            }
            out.packages.push(Package {
                purl: purl("apk", Some(ns), name, version, &qualifiers),
                ecosystem: ecosystem.clone(),
                name: name.to_string(),
                version: version.to_string(),
                source_name: origin,
                source_version: version.to_string(),
                arch,
                license: get('L').filter(|l| !l.is_empty()).map(str::to_string),
                layer: 0,
                path: String::new(),
                found_by: String::new(),
                notes: Vec::new(),
            });
        }
        if bad_lines > 0 {
            out.warnings.push(format!(
                "/{}: {bad_lines} lines are not `K:value` records; ignored",
                input.path
            ));
        }
        out
    }
}
