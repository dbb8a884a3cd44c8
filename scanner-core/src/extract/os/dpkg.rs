//! dpkg: `var/lib/dpkg/status` and the distroless `var/lib/dpkg/status.d/*`.
//!
//! # Reads
//! RFC 822-style paragraphs: `Package`, `Status`, `Version`, `Architecture`,
//! `Source: name (version)`, `Description` (for transitional packages).
//!
//! # Ignores
//! Entries whose `Status` is not `... installed` (removed, config-files, half-installed);
//! `status.d/*.md5sums`. Distroless `status.d` files have no `Status` field: their entries count
//! as installed.
//!
//! # Limitations
//! No license: dpkg keeps licenses in `/usr/share/doc/*/copyright`, free text.
//!
//! # References
//! deb-control(5), dpkg-query(1), Debian Policy §5.6.

use super::super::{ExtractInput, Extracted, Extractor};
use crate::inventory::{purl, Package};

pub struct DpkgStatus;

/// One paragraph's fields, continuation lines joined.
fn paragraphs(text: &str) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some((_, v)) = current.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        match line.split_once(':') {
            Some((k, v)) => current.push((k.trim().to_string(), v.trim().to_string())),
            // A line that is neither a field nor a continuation: kept as a field without a
            // value so the paragraph is reported, not silently merged.
            None => current.push((line.trim().to_string(), String::new())),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

impl Extractor for DpkgStatus {
    fn name(&self) -> &'static str {
        "os/dpkg"
    }

    fn file_required(&self, path: &str, _size: u64) -> bool {
        path == "var/lib/dpkg/status"
            || path
                .strip_prefix("var/lib/dpkg/status.d/")
                .is_some_and(|f| !f.is_empty() && !f.contains('/') && !f.ends_with(".md5sums"))
    }

    fn extract(&self, input: &ExtractInput<'_>) -> Extracted {
        let mut out = Extracted::default();
        let text = String::from_utf8_lossy(input.data);
        let distroless = input.path.starts_with("var/lib/dpkg/status.d/");
        let (ns, ecosystem, distro_q) = match input.distro {
            Some(d) if d.id == "ubuntu" => (
                "ubuntu",
                format!("Ubuntu:{}", d.release()),
                d.purl_qualifier(),
            ),
            Some(d) if d.id == "debian" => (
                "debian",
                format!("Debian:{}", d.release()),
                d.purl_qualifier(),
            ),
            Some(d) => (
                if d.like.iter().any(|l| l == "ubuntu") {
                    "ubuntu"
                } else {
                    "debian"
                },
                "Debian".to_string(),
                d.purl_qualifier(),
            ),
            None => ("debian", "Debian".to_string(), String::new()),
        };
        for (i, para) in paragraphs(&text).into_iter().enumerate() {
            let get = |k: &str| {
                para.iter()
                    .find(|(f, _)| f.eq_ignore_ascii_case(k))
                    .map(|(_, v)| v.as_str())
            };
            let Some(name) = get("Package").filter(|n| !n.is_empty()) else {
                out.warnings.push(format!(
                    "/{}: entry {} has no Package field; skipped",
                    input.path,
                    i + 1
                ));
                continue;
            };
            match get("Status") {
                Some(status) if status.split_whitespace().nth(2) != Some("installed") => continue,
                None if !distroless => continue,
                _ => {}
            }
            let Some(version) = get("Version").filter(|v| !v.is_empty()) else {
                out.warnings.push(format!(
                    "/{}: package `{name}` has no Version; skipped",
                    input.path
                ));
                continue;
            };
            let (source_name, source_version) = match get("Source") {
                Some(src) if !src.is_empty() => match src.split_once('(') {
                    Some((n, v)) => (
                        n.trim().to_string(),
                        v.trim_end_matches(')').trim().to_string(),
                    ),
                    None => (src.to_string(), version.to_string()),
                },
                _ => (name.to_string(), version.to_string()),
            };
            let arch = get("Architecture")
                .filter(|a| !a.is_empty())
                .map(str::to_string);
            let description = get("Description").unwrap_or("").to_ascii_lowercase();
            let mut notes = Vec::new();
            if description.contains("transitional") || description.contains("dummy package") {
                notes.push("transitional".to_string());
            }
            let mut qualifiers: Vec<(&str, &str)> = vec![("arch", arch.as_deref().unwrap_or(""))];
            if !distro_q.is_empty() {
                qualifiers.push(("distro", &distro_q));
            }
            if source_name != name {
                qualifiers.push(("upstream", &source_name));
            }
            out.packages.push(Package {
                purl: purl("deb", Some(ns), name, version, &qualifiers),
                ecosystem: ecosystem.clone(),
                name: name.to_string(),
                version: version.to_string(),
                source_name,
                source_version,
                arch,
                license: None,
                layer: 0,
                path: String::new(),
                found_by: String::new(),
                notes,
            });
        }
        if out.packages.is_empty()
            && !text.trim().is_empty()
            && out.warnings.is_empty()
            && !text.contains("Package:")
        {
            out.warnings
                .push(format!("/{}: not a dpkg status file", input.path));
        }
        out
    }
}
