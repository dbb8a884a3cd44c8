//! npm: installed packages and declared dependencies.
//!
//! Reads every `node_modules/NAME/package.json` and `node_modules/@SCOPE/NAME/package.json`
//! (installed packages, nested and scoped), and a `package.json` outside `node_modules` with a
//! name and version as the application itself (noted `application`). Lockfiles
//! (`package-lock.json` v1–v3, `yarn.lock` v1 and berry, `pnpm-lock.yaml` v5–v9) say what an
//! install would put there, not that it is there: when the lockfile's project (its folder) has
//! an installed `node_modules` in the final filesystem ([`project_installed`], decided at
//! assembly), its packages are those of `node_modules` and the lockfile adds nothing (an entry
//! that is not installed, e.g. one a later layer deleted, is not a package of the image);
//! otherwise (a bundled application) its entries are reported, each noted
//! `declared in lockfile`. Ignores: `node_modules/.package-lock.json` (npm's cache of what is
//! installed, already read from the packages themselves); workspace links.

use serde_json::Value;

use super::{file_name, package, parse_json, plausible};
use crate::extract::{ExtractInput, Extracted, Extractor};
use crate::inventory::Package;
use crate::layer::{EntryKind, FileTree};

const MAX_PACKAGE_JSON: u64 = 8 << 20;
const MAX_LOCKFILE: u64 = 64 << 20;
/// Nesting followed in package-lock v1 `dependencies`.
const MAX_DEPTH: usize = 64;
pub const DECLARED: &str = "declared in lockfile";

fn license(v: &Value) -> Option<String> {
    match v.get("license")? {
        Value::String(s) => Some(s.chars().take(200).collect()),
        Value::Object(o) => o
            .get("type")?
            .as_str()
            .map(|s| s.chars().take(200).collect()),
        _ => None,
    }
}

/// Whether `path` is `.../node_modules/NAME/package.json` or `.../node_modules/@S/NAME/package.json`.
fn installed(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    let mut parts = dir.rsplit('/');
    let (Some(name), Some(parent)) = (parts.next(), parts.next()) else {
        return false;
    };
    !name.starts_with('.')
        && (parent == "node_modules"
            || (parent.starts_with('@') && parts.next() == Some("node_modules")))
}

/// Whether the project of the lockfile at `lockfile` has packages installed in `tree` (the
/// final filesystem): a `node_modules` folder beside the lockfile (followed through symlinks,
/// at most `max_links` hops) holding at least one package's `package.json` (nested, scoped, or
/// in pnpm's `.pnpm` store). A `node_modules` with only `.bin` or `.package-lock.json` in it
/// installs nothing.
pub fn project_installed(lockfile: &str, tree: &FileTree, max_links: u32) -> bool {
    let lockfile = lockfile.trim_start_matches('/');
    let dir = match lockfile.rsplit_once('/') {
        Some((project, _)) => format!("{project}/node_modules"),
        None => "node_modules".to_string(),
    };
    let dir = tree.resolve(&dir, max_links).unwrap_or(dir);
    let start = if dir.is_empty() { 0 } else { dir.len() + 1 };
    tree.under(&dir).any(|(path, node)| {
        node.kind != EntryKind::Dir
            && path.ends_with("/package.json")
            && path
                .get(start..)
                .is_some_and(|rel| installed(&format!("node_modules/{rel}")))
    })
}

pub struct NpmPackageJson;

impl Extractor for NpmPackageJson {
    fn name(&self) -> &'static str {
        "npm/package.json"
    }
    fn file_required(&self, path: &str, size: u64) -> bool {
        size <= MAX_PACKAGE_JSON
            && file_name(path) == "package.json"
            && (installed(path) || !path.contains("node_modules/"))
    }
    fn extract(&self, input: &ExtractInput<'_>) -> Extracted {
        let mut out = Extracted::default();
        let app = !installed(input.path);
        let v: Value = match serde_json::from_slice(input.data) {
            Ok(v) => v,
            Err(e) => {
                // Stray package.json files outside node_modules are often templates; say nothing.
                if !app {
                    out.warnings.push(format!("/{}: not JSON: {e}", input.path));
                }
                return out;
            }
        };
        let name = v.get("name").and_then(Value::as_str).unwrap_or("");
        let version = v.get("version").and_then(Value::as_str).unwrap_or("");
        if !plausible(name) || !plausible(version) {
            if !app {
                out.warnings.push(format!(
                    "/{}: a package.json without a name and version",
                    input.path
                ));
            }
            return out;
        }
        let mut p = package("npm", name, version, self.name());
        p.license = license(&v);
        if app {
            p.notes.push("application".into());
        }
        out.packages.push(p);
        out
    }
}

pub struct NpmLockfile;

fn declared(name: &str, version: &str, found_by: &str) -> Option<Package> {
    if !plausible(name) || !plausible(version) {
        return None;
    }
    let mut p = package("npm", name, version, found_by);
    p.notes.push(DECLARED.into());
    Some(p)
}

fn package_lock(v: &Value, found_by: &str, out: &mut Vec<Package>) {
    if let Some(packages) = v.get("packages").and_then(Value::as_object) {
        // v2/v3: "node_modules/a/node_modules/b": {...}
        for (key, entry) in packages {
            let Some(at) = key.rfind("node_modules/") else {
                continue; // the root project, or a workspace folder
            };
            if entry.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(&key[at + "node_modules/".len()..]);
            if let Some(version) = entry.get("version").and_then(Value::as_str) {
                out.extend(declared(name, version, found_by));
            }
        }
        return;
    }
    // v1: nested "dependencies".
    fn walk(deps: &Value, depth: usize, found_by: &str, out: &mut Vec<Package>) {
        let Some(map) = deps.as_object() else { return };
        if depth > MAX_DEPTH {
            return;
        }
        for (name, entry) in map {
            if let Some(version) = entry.get("version").and_then(Value::as_str) {
                if !version.starts_with("file:") && !version.starts_with("link:") {
                    out.extend(declared(name, version, found_by));
                }
            }
            if let Some(nested) = entry.get("dependencies") {
                walk(nested, depth + 1, found_by, out);
            }
        }
    }
    if let Some(deps) = v.get("dependencies") {
        walk(deps, 0, found_by, out);
    }
}

/// `"@babel/core@^7.0.0", "@babel/core@^7.1.0":` → `@babel/core`.
fn yarn_name(header: &str) -> Option<String> {
    let first = header
        .trim_end_matches(':')
        .split(',')
        .next()?
        .trim()
        .trim_matches('"');
    let at = first.get(1..)?.find('@')? + 1;
    let name = &first[..at];
    // berry: "name@npm:^1.0.0"
    Some(name.to_string())
}

fn yarn_lock(text: &str, found_by: &str, out: &mut Vec<Package>) {
    let mut name: Option<String> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            name = if line.ends_with(':') && !line.starts_with("__metadata") {
                yarn_name(line)
            } else {
                None
            };
            continue;
        }
        let t = line.trim();
        let version = t
            .strip_prefix("version ")
            .or_else(|| t.strip_prefix("version: "))
            .map(|v| v.trim().trim_matches('"'));
        if let (Some(n), Some(v)) = (name.as_deref(), version) {
            out.extend(declared(n, v, found_by));
            name = None;
        }
    }
}

/// pnpm `packages:` keys: `/name/1.0.0`, `/@s/name/1.0.0` (v5), `/name@1.0.0` (v6),
/// `name@1.0.0` (v9), with peer suffixes `(x@1)` or `_x@1`.
fn pnpm_key(key: &str) -> Option<(String, String)> {
    let key = key.trim().trim_end_matches(':').trim_matches(['\'', '"']);
    let key = key.strip_prefix('/').unwrap_or(key);
    let key = key.split('(').next()?;
    // v5: the last path segment is the version.
    if let Some(i) = key.rfind('/') {
        let segment = &key[i + 1..];
        if segment.starts_with(|c: char| c.is_ascii_digit()) {
            return Some((key[..i].to_string(), segment.split('_').next()?.to_string()));
        }
    }
    let at = key.get(1..)?.find('@')? + 1;
    let version = key[at + 1..].split('_').next()?;
    Some((key[..at].to_string(), version.to_string()))
}

fn pnpm_lock(text: &str, found_by: &str, out: &mut Vec<Package>) {
    let mut in_packages = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            in_packages = line.trim_end() == "packages:";
            continue;
        }
        if in_packages
            && line.starts_with("  ")
            && !line.starts_with("   ")
            && line.trim_end().ends_with(':')
        {
            if let Some((n, v)) = pnpm_key(line) {
                out.extend(declared(&n, &v, found_by));
            }
        }
    }
}

impl Extractor for NpmLockfile {
    fn name(&self) -> &'static str {
        "npm/lockfile"
    }
    fn file_required(&self, path: &str, size: u64) -> bool {
        size <= MAX_LOCKFILE
            && !path.contains("node_modules/")
            && matches!(
                file_name(path),
                "package-lock.json" | "yarn.lock" | "pnpm-lock.yaml"
            )
    }
    fn extract(&self, input: &ExtractInput<'_>) -> Extracted {
        let mut out = Extracted::default();
        match file_name(input.path) {
            "package-lock.json" => match parse_json(input) {
                Ok(v) => package_lock(&v, self.name(), &mut out.packages),
                Err(w) => out.warnings.push(w),
            },
            "yarn.lock" => yarn_lock(
                &String::from_utf8_lossy(input.data),
                self.name(),
                &mut out.packages,
            ),
            _ => pnpm_lock(
                &String::from_utf8_lossy(input.data),
                self.name(),
                &mut out.packages,
            ),
        }
        out.packages.sort();
        out.packages
            .dedup_by(|a, b| a.name == b.name && a.version == b.version);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_paths() {
        assert!(installed("usr/lib/node_modules/npm/package.json"));
        assert!(installed("app/node_modules/@babel/core/package.json"));
        assert!(installed("app/node_modules/a/node_modules/b/package.json"));
        assert!(!installed("app/node_modules/a/lib/package.json"));
        assert!(!installed("app/package.json"));
    }

    #[test]
    fn projects_with_installed_packages() {
        use crate::layer::{squash, LayerEntry, LayerScan};
        let entry = |path: &str, kind: EntryKind, link: Option<&str>| LayerEntry {
            path: path.into(),
            kind,
            size: 0,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: 0,
            link: link.map(str::to_string),
        };
        let file = |path: &str| entry(path, EntryKind::File, None);
        let scan = LayerScan {
            entries: vec![
                file("a/node_modules/x/package.json"),
                file("b/node_modules/.package-lock.json"),
                entry(
                    "b/node_modules/.bin/x",
                    EntryKind::Symlink,
                    Some("../x/bin"),
                ),
                file("b/node_modules/x/lib/index.js"),
                entry("c/node_modules", EntryKind::Symlink, Some("/opt/deps")),
                entry("opt/deps", EntryKind::Dir, None),
                file("opt/deps/@s/y/package.json"),
                file("node_modules/z/package.json"),
                file("d/node_modules/.pnpm/q@1.0.0/node_modules/q/package.json"),
            ],
            ..LayerScan::default()
        };
        let (tree, _) = squash(&[scan]);
        assert!(project_installed("/a/package-lock.json", &tree, 8));
        assert!(project_installed("package-lock.json", &tree, 8));
        assert!(project_installed("c/yarn.lock", &tree, 8));
        assert!(project_installed("d/pnpm-lock.yaml", &tree, 8));
        // Bookkeeping and loose files install nothing; neither does a missing folder.
        assert!(!project_installed("b/package-lock.json", &tree, 8));
        assert!(!project_installed("e/package-lock.json", &tree, 8));
        assert!(!project_installed("a/sub/package-lock.json", &tree, 8));
    }

    #[test]
    fn lockfile_keys() {
        assert_eq!(
            yarn_name("\"@babel/core@^7.0.0\", \"@babel/core@^7.1.0\":").as_deref(),
            Some("@babel/core")
        );
        assert_eq!(yarn_name("lodash@^4.17.0:").as_deref(), Some("lodash"));
        assert_eq!(
            pnpm_key("  /lodash/4.17.21:"),
            Some(("lodash".into(), "4.17.21".into()))
        );
        assert_eq!(
            pnpm_key("  /@babel/core@7.1.0(x@1.0.0):"),
            Some(("@babel/core".into(), "7.1.0".into()))
        );
        assert_eq!(
            pnpm_key("  '@types/node@20.1.0':"),
            Some(("@types/node".into(), "20.1.0".into()))
        );
        assert_eq!(
            pnpm_key("  /@s/a/1.0.0_b@2.0.0:"),
            Some(("@s/a".into(), "1.0.0".into()))
        );
    }
}
