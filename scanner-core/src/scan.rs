//! The whole-image pipeline: plan (outer index, manifest, config) → walk each layer (independent,
//! so callers may run them in parallel) → assemble (squash, attribute, collect warnings).

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};

use serde::{Deserialize, Serialize};

use crate::distro::Distro;
use crate::error::ImageError;
use crate::extract::{default_extractors, extract_with_history};
use crate::inventory::Package;
use crate::layer::input::{StreamInput, WindowInput};
use crate::layer::{
    decode, squash_with_files, walk_layer, FileChange, FileSelector, FileTree, LayerScan,
    ResolveError,
};
use crate::limits::Limits;
use crate::progress::{Progress, Stage};
use crate::source::{plan, stream_plan, Compression, ImagePlan, InspectOptions, LayerJob};
use crate::summary::ImageSummary;

/// The result of scanning an image: its summary (layers carry their changes), the final
/// filesystem, and the captured files that survive in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageScan {
    pub summary: ImageSummary,
    pub tree: FileTree,
    /// Captured bytes of final files, by path, with the layer that wrote them.
    pub captured: BTreeMap<String, (usize, Vec<u8>)>,
    pub distro: Option<Distro>,
    /// Every package found, sorted by ecosystem, name, version.
    pub packages: Vec<Package>,
    /// Per layer, the paths it added, changed or removed, sorted.
    pub layer_files: Vec<Vec<FileChange>>,
}

/// Walks one layer of an archive. A pure function of the layer's bytes; never fails (damage is
/// a warning in the result).
pub fn scan_layer<R: Read + Seek>(
    reader: R,
    job: &LayerJob,
    limits: &Limits,
    selector: &dyn FileSelector,
) -> LayerScan {
    let window = match WindowInput::new(reader, job.offset, job.size) {
        Ok(w) => w,
        Err(e) => {
            return LayerScan {
                warnings: vec![format!("could not read the layer: {e}")],
                ..LayerScan::default()
            }
        }
    };
    match job.compression {
        Compression::None => walk_layer(&mut { window }, limits, selector),
        Compression::Gzip => walk_layer(
            &mut StreamInput::new(decode::gzip(window)),
            limits,
            selector,
        ),
        Compression::Zstd => walk_layer(
            &mut StreamInput::new(decode::zstd(window)),
            limits,
            selector,
        ),
        Compression::Unknown => LayerScan {
            warnings: vec![
                "the layer is neither a tar stream nor gzip/zstd compressed; it was skipped".into(),
            ],
            ..LayerScan::default()
        },
    }
}

/// Squashes walked layers (in layer order) into the final image. `limits` bounds what assembly
/// itself follows: symlinks in the final filesystem (`max_link_depth`).
pub fn assemble(plan: ImagePlan, scans: Vec<LayerScan>, limits: &Limits) -> ImageScan {
    let mut summary = plan.summary;
    let (tree, changes, layer_files) = squash_with_files(&scans);
    for (layer, change) in summary.layers.iter_mut().zip(changes) {
        layer.changes = Some(change);
    }
    let mut captured = BTreeMap::new();
    // Every captured version of every path, oldest layer first: packages are attributed to the
    // layer that introduced them at their final version.
    let mut history: BTreeMap<String, Vec<(usize, Vec<u8>)>> = BTreeMap::new();
    let mut packages = Vec::new();
    for (index, scan) in scans.into_iter().enumerate() {
        // Language packages: kept when their file is in the final filesystem as this layer
        // wrote it (a later layer's copy or deletion wins).
        for found in scan.found {
            if tree.get(&found.path).is_some_and(|n| n.layer == index) {
                packages.extend(found.packages.into_iter().map(|mut p| {
                    p.layer = index;
                    p.path = format!("/{}", found.path);
                    p
                }));
            }
        }
        let digest = summary
            .layers
            .get(index)
            .map(|l| short_digest(&l.digest))
            .unwrap_or_default();
        for w in scan.warnings {
            summary
                .warnings
                .push(format!("layer {index} ({digest}): {w}"));
        }
        for file in scan.captured {
            if tree.get(&file.path).is_some_and(|n| n.layer == index) {
                captured.insert(file.path.clone(), (index, file.data.clone()));
            }
            history
                .entry(file.path)
                .or_default()
                .push((index, file.data));
        }
    }
    // A lockfile's entries count only where nothing is installed beside it.
    crate::extract::lang::drop_installed_lockfiles(&mut packages, &tree, limits.max_link_depth);
    // Release files are often links (`/etc/os-release` → `../usr/lib/os-release`). A chain too
    // long to follow is a warning, not a silent "no distro".
    let too_deep = std::cell::RefCell::new(Vec::new());
    let distro = crate::distro::detect(
        &|path: &str| match tree.resolve(path, limits.max_link_depth) {
            Ok(resolved) => captured.get(&resolved).map(|(_, d)| d.clone()),
            Err(ResolveError::TooManyLinks) => {
                too_deep.borrow_mut().push(path.to_string());
                None
            }
            Err(ResolveError::NotFound) => None,
        },
    );
    let mut too_deep = too_deep.into_inner();
    too_deep.sort();
    too_deep.dedup();
    for path in too_deep {
        summary.warnings.push(format!(
            "`/{path}` was not read: resolving it takes more than {} symbolic links (the \
             --max-link-depth limit), a cycle or a very long chain",
            limits.max_link_depth
        ));
    }
    for extractor in default_extractors() {
        for (path, (_, data)) in &captured {
            if !extractor.file_required(path, data.len() as u64) {
                continue;
            }
            let versions: Vec<(usize, &[u8])> = history
                .get(path)
                .map(|v| v.iter().map(|(l, d)| (*l, d.as_slice())).collect())
                .unwrap_or_default();
            let found = extract_with_history(extractor, path, &versions, distro.as_ref());
            summary.warnings.extend(found.warnings);
            packages.extend(found.packages);
        }
    }
    packages.sort_by(|a, b| {
        (&a.ecosystem, &a.name, &a.version, &a.arch, &a.path).cmp(&(
            &b.ecosystem,
            &b.name,
            &b.version,
            &b.arch,
            &b.path,
        ))
    });
    ImageScan {
        summary,
        tree,
        captured,
        distro,
        packages,
        layer_files,
    }
}

fn short_digest(d: &str) -> String {
    let start = d.find(':').map(|i| i + 1).unwrap_or(0);
    d.chars().take(start + 12).collect()
}

/// Plans, walks every layer in turn, and assembles: the single-threaded path.
pub fn scan_image<R: Read + Seek>(
    reader: &mut R,
    options: &InspectOptions,
    limits: &Limits,
    selector: &dyn FileSelector,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImageScan, ImageError> {
    let plan = match plan(reader, options, progress) {
        Err(ImageError::CompressedArchive { compression }) => {
            let kind = if compression == "zstd" {
                Compression::Zstd
            } else {
                Compression::Gzip
            };
            let len = reader.seek(SeekFrom::End(0))?;
            reader.seek(SeekFrom::Start(0))?;
            let (plan, scans) =
                stream_plan(&mut *reader, len, kind, options, limits, selector, progress)?;
            let scan = assemble(plan, scans, limits);
            progress(Progress::new(Stage::Done, 1, 1));
            return Ok(scan);
        }
        other => other?,
    };
    let total: u64 = plan.jobs.iter().map(|j| j.size).sum();
    let mut done = 0;
    let mut scans = Vec::with_capacity(plan.jobs.len());
    for job in &plan.jobs {
        progress(Progress::new(Stage::ScanningLayers, done, total));
        scans.push(scan_layer(&mut *reader, job, limits, selector));
        done += job.size;
    }
    progress(Progress::new(Stage::ScanningLayers, total, total));
    let scan = assemble(plan, scans, limits);
    progress(Progress::new(Stage::Done, 1, 1));
    Ok(scan)
}
