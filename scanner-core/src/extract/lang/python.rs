//! Python: installed distributions.
//!
//! Reads `*.dist-info/METADATA` (wheels), `*.egg-info/PKG-INFO` and `*.egg-info` files (setuptools),
//! and `.egg` zip archives (their `EGG-INFO/PKG-INFO`), anywhere in the image (site-packages,
//! dist-packages, virtualenvs, /opt). The name keeps its spelling; the purl uses the PEP 503 name.
//! Ignores: `requirements.txt` and other declarations (not installed). References: the core
//! metadata specification (packaging.python.org/specifications/core-metadata).

use super::{file_name, package, plausible};
use crate::extract::{ExtractInput, Extracted, Extractor};

/// Largest metadata file read.
const MAX_METADATA: u64 = 4 << 20;

/// RFC 822-style headers up to the first blank line: (name, version, license).
pub fn parse_metadata(text: &str) -> Result<(String, String, Option<String>), String> {
    let (mut name, mut version, mut license) = (None, None, None);
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "name" if name.is_none() => name = Some(value.to_string()),
            "version" if version.is_none() => version = Some(value.to_string()),
            "license" if license.is_none() && !value.is_empty() && value != "UNKNOWN" => {
                license = Some(value.chars().take(200).collect())
            }
            "license-expression" => license = Some(value.chars().take(200).collect()),
            _ => {}
        }
    }
    match (name, version) {
        (Some(n), Some(v)) if plausible(&n) && plausible(&v) => Ok((n, v, license)),
        (None, _) => Err("no Name: header".into()),
        (_, None) => Err("no Version: header".into()),
        _ => Err("its Name or Version is not a plausible value".into()),
    }
}

fn from_metadata(path: &str, data: &[u8], found_by: &str) -> Extracted {
    let mut out = Extracted::default();
    match parse_metadata(&String::from_utf8_lossy(data)) {
        Ok((name, version, license)) => {
            let mut p = package("PyPI", &name, &version, found_by);
            p.license = license;
            out.packages.push(p);
        }
        Err(e) => out
            .warnings
            .push(format!("/{path}: not read as Python metadata: {e}")),
    }
    out
}

pub struct PythonMetadata;

impl Extractor for PythonMetadata {
    fn name(&self) -> &'static str {
        "python/metadata"
    }
    fn file_required(&self, path: &str, size: u64) -> bool {
        size <= MAX_METADATA
            && (path.ends_with(".dist-info/METADATA")
                || path.ends_with(".egg-info/PKG-INFO")
                || path.ends_with(".egg-info"))
    }
    fn extract(&self, input: &ExtractInput<'_>) -> Extracted {
        from_metadata(input.path, input.data, self.name())
    }
}

/// Largest `.egg` archive opened.
const MAX_EGG: u64 = 64 << 20;

pub struct PythonEgg;

impl Extractor for PythonEgg {
    fn name(&self) -> &'static str {
        "python/egg"
    }
    fn file_required(&self, path: &str, size: u64) -> bool {
        size <= MAX_EGG && file_name(path).ends_with(".egg")
    }
    fn extract(&self, input: &ExtractInput<'_>) -> Extracted {
        let zip = match crate::extract::zip::Zip::open(input.data) {
            Ok(z) => z,
            Err(e) => {
                return Extracted {
                    packages: Vec::new(),
                    warnings: vec![format!("/{}: not read as an egg: {e}", input.path)],
                }
            }
        };
        let Some(entry) = zip.entries.iter().find(|e| e.name == "EGG-INFO/PKG-INFO") else {
            return Extracted {
                packages: Vec::new(),
                warnings: vec![format!("/{}: an egg without EGG-INFO/PKG-INFO", input.path)],
            };
        };
        match zip.read(entry, MAX_METADATA) {
            Ok(data) => from_metadata(input.path, &data, self.name()),
            Err(e) => Extracted {
                packages: Vec::new(),
                warnings: vec![format!("/{}: {e}", input.path)],
            },
        }
    }
}
