//! Language package extractors. Unlike the OS databases, each of these reads one file on its
//! own, so they run inside the layer walk (in the worker or thread walking that layer) and the
//! file's bytes are dropped at once; the squash then keeps the packages of files that survive
//! in the final filesystem, attributed to the layer that wrote them, and drops the entries of
//! lockfiles whose project is installed there ([`drop_installed_lockfiles`]).
//!
//! Binaries are not captured at all: [`binary::BinarySink`] looks at their bytes while they
//! stream by (Go build info, cargo-auditable data) and keeps only what it needs.

pub mod binary;
pub mod dotnet;
pub mod java;
pub mod npm;
pub mod php;
pub mod python;
pub mod ruby;

use std::collections::BTreeMap;

use crate::inventory::{purl, Package};
use crate::layer::FileTree;

use super::Extractor;

/// Every per-file language extractor, in a fixed order.
pub fn lang_extractors() -> Vec<&'static dyn Extractor> {
    vec![
        &python::PythonMetadata,
        &python::PythonEgg,
        &npm::NpmPackageJson,
        &npm::NpmLockfile,
        &java::JavaArchive,
        &ruby::Gemspec,
        &php::ComposerInstalled,
        &dotnet::DepsJson,
    ]
}

/// Whether the project of a lockfile has its packages installed in the final filesystem, for
/// each lockfile reader (by `found_by`): npm's `package-lock.json`, `yarn.lock` and
/// `pnpm-lock.yaml` install into `node_modules`. A reader of another lockfile format gets a
/// line here.
fn lockfile_installed(found_by: &str) -> Option<fn(&str, &FileTree, u32) -> bool> {
    (found_by == npm::NpmLockfile.name()).then_some(npm::project_installed as _)
}

/// Drops the packages of lockfiles whose project is installed in `tree` (the final
/// filesystem): the installed packages were read from their own files, and a lockfile entry
/// that is not installed is not in the image. Lockfiles with nothing installed beside them (a
/// bundled application) keep their packages, noted as declared. Runs at assembly, once the
/// layers are squashed; `max_links` bounds the symlinks followed.
pub fn drop_installed_lockfiles(packages: &mut Vec<Package>, tree: &FileTree, max_links: u32) {
    let mut installed: BTreeMap<String, bool> = BTreeMap::new();
    packages.retain(|p| {
        let Some(check) = lockfile_installed(&p.found_by) else {
            return true;
        };
        let gone = *installed
            .entry(p.path.clone())
            .or_insert_with(|| check(&p.path, tree, max_links));
        !gone
    });
}

/// The purl type of an OSV ecosystem.
fn purl_type(ecosystem: &str) -> &'static str {
    match ecosystem {
        "PyPI" => "pypi",
        "npm" => "npm",
        "Go" => "golang",
        "crates.io" => "cargo",
        "Maven" => "maven",
        "RubyGems" => "gem",
        "Packagist" => "composer",
        "NuGet" => "nuget",
        _ => "generic",
    }
}

/// A language package; `layer` and `path` are filled in by the caller.
pub fn package(ecosystem: &str, name: &str, version: &str, found_by: &str) -> Package {
    let kind = purl_type(ecosystem);
    let purl = match (kind, name.rsplit_once('/'), name.split_once(':')) {
        // npm scopes, Go module paths and composer vendors are namespaces.
        ("npm" | "golang" | "composer", Some((ns, n)), _) => purl(kind, Some(ns), n, version, &[]),
        ("maven", _, Some((group, artifact))) => purl(kind, Some(group), artifact, version, &[]),
        ("pypi", _, _) => purl(
            kind,
            None,
            &crate::ecosystem::normalise_name("PyPI", name),
            version,
            &[],
        ),
        _ => purl(kind, None, name, version, &[]),
    };
    Package {
        purl,
        ecosystem: ecosystem.to_string(),
        name: name.to_string(),
        version: version.to_string(),
        source_name: name.to_string(),
        source_version: version.to_string(),
        arch: None,
        license: None,
        layer: 0,
        path: String::new(),
        found_by: found_by.to_string(),
        notes: Vec::new(),
    }
}

/// The file's bytes as JSON, or what to report when they are not.
fn parse_json(input: &crate::extract::ExtractInput<'_>) -> Result<serde_json::Value, String> {
    serde_json::from_slice(input.data).map_err(|e| format!("/{}: not JSON: {e}", input.path))
}

/// The file name part of a path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A plausible package name or version: non-empty, short, one line.
fn plausible(s: &str) -> bool {
    !s.is_empty() && s.len() <= 256 && !s.contains(['\n', '\r', '\0'])
}
