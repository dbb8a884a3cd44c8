//! Extractors: one per on-disk format. Each says which files it wants (cheap string tests on path
//! and size, asked during the layer walk) and turns a captured file into packages.
//!
//! Registered in one explicit list, [`default_extractors`]. Adding a format means: its file
//! here (module doc with Reads / Ignores / Limitations / References), one line in the list,
//! fixtures and tests, and a row in the README's support table.

pub mod lang;
pub mod os;
pub mod zip;

use std::collections::BTreeMap;

use crate::distro::{Distro, DISTRO_FILES};
use crate::inventory::Package;
use crate::layer::FileSelector;

/// What an extractor gets: one captured file and the context to identify its packages.
#[derive(Debug)]
pub struct ExtractInput<'a> {
    /// Path without the leading `/`.
    pub path: &'a str,
    pub data: &'a [u8],
    pub distro: Option<&'a Distro>,
}

/// What an extractor found in one file. Packages carry layer 0 and are attributed later.
#[derive(Debug, Default)]
pub struct Extracted {
    pub packages: Vec<Package>,
    /// Problems in the file; what did parse is still in `packages`.
    pub warnings: Vec<String>,
}

/// One on-disk format.
pub trait Extractor: Sync {
    /// Shown as `found_by`: `os/dpkg`.
    fn name(&self) -> &'static str;
    /// Whether this file is one this extractor reads. String tests only.
    fn file_required(&self, path: &str, size: u64) -> bool;
    fn extract(&self, input: &ExtractInput<'_>) -> Extracted;
}

/// Every extractor, in a fixed order.
pub fn default_extractors() -> Vec<&'static dyn Extractor> {
    vec![
        &os::dpkg::DpkgStatus,
        &os::apk::ApkInstalled,
        &os::rpm::RpmDatabase,
    ]
}

/// Smallest file looked at for Go or Rust build information.
const MIN_BINARY: u64 = 16 << 10;

/// The files a scan must capture: distro release files and whatever an extractor wants. OS
/// databases are captured and read when the layers are squashed (their history across layers
/// matters); language files are read in the walk itself ([`FileSelector::take`]) and
/// binaries (whatever their mode) as they stream by ([`FileSelector::stream`]).
pub struct Selector {
    extractors: Vec<&'static dyn Extractor>,
    lang: Vec<&'static dyn Extractor>,
    binaries: bool,
}

impl Selector {
    /// OS extractors only (no language files, no binaries).
    pub fn new(extractors: Vec<&'static dyn Extractor>) -> Self {
        Selector {
            extractors,
            lang: Vec::new(),
            binaries: false,
        }
    }
}

impl Default for Selector {
    fn default() -> Self {
        Selector {
            extractors: default_extractors(),
            lang: lang::lang_extractors(),
            binaries: true,
        }
    }
}

impl FileSelector for Selector {
    fn wants(&self, path: &str, size: u64) -> bool {
        DISTRO_FILES.contains(&path)
            || self.extractors.iter().any(|e| e.file_required(path, size))
            || self.lang.iter().any(|e| e.file_required(path, size))
    }

    fn take(&self, path: &str, data: &[u8]) -> Option<Extracted> {
        let size = data.len() as u64;
        if DISTRO_FILES.contains(&path)
            || self.extractors.iter().any(|e| e.file_required(path, size))
        {
            return None;
        }
        let mut out = Extracted::default();
        for e in self.lang.iter().filter(|e| e.file_required(path, size)) {
            let found = e.extract(&ExtractInput {
                path,
                data,
                distro: None,
            });
            out.warnings.extend(found.warnings);
            out.packages.extend(found.packages.into_iter().map(|mut p| {
                p.path = format!("/{path}");
                p
            }));
        }
        Some(out)
    }

    fn stream(&self, path: &str, size: u64, mode: u32) -> Option<Box<dyn crate::layer::BodySink>> {
        // Any mode: a binary copied without its execute bit is still there. Names that say
        // "data" are skipped unless executable; the rest stop after their first block unless
        // it starts like an executable.
        let candidate = mode & 0o111 != 0 || !lang::binary::plainly_not_binary(path);
        (self.binaries && candidate && size >= MIN_BINARY).then(|| {
            Box::new(lang::binary::BinarySink::new(path, size)) as Box<dyn crate::layer::BodySink>
        })
    }
}

/// Runs the extractors over one file's history (its captured versions, oldest layer first, the
/// last one being the final file) and attributes each final package to the layer that
/// introduced it at its version.
pub fn extract_with_history(
    extractor: &dyn Extractor,
    path: &str,
    history: &[(usize, &[u8])],
    distro: Option<&Distro>,
) -> Extracted {
    let mut introduced: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut last = Extracted::default();
    for (layer, data) in history {
        let found = extractor.extract(&ExtractInput { path, data, distro });
        let mut next: BTreeMap<(String, String), usize> = BTreeMap::new();
        for p in &found.packages {
            let key = (p.name.clone(), p.arch.clone().unwrap_or_default());
            let since = match introduced.get(&key) {
                Some(l)
                    if last.packages.iter().any(|q| {
                        q.name == p.name && q.arch == p.arch && q.version == p.version
                    }) =>
                {
                    *l
                }
                _ => *layer,
            };
            next.insert(key, since);
        }
        introduced = next;
        last = found;
    }
    for p in &mut last.packages {
        p.layer = introduced
            .get(&(p.name.clone(), p.arch.clone().unwrap_or_default()))
            .copied()
            .unwrap_or(p.layer);
        p.path = format!("/{path}");
        p.found_by = extractor.name().to_string();
    }
    last
}
