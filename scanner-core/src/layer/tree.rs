//! Squashing layers, bottom first, into the image's final filesystem.
//!
//! Per layer, deletions apply to the layers below first (whiteouts, opaque directories), then the
//! layer's own entries in order, so a path deleted and re-created in one layer survives, and the
//! same path twice in one layer keeps the later entry. A non-directory replacing a directory
//! takes the directory's lower contents with it. Every final file remembers the layer that last
//! wrote it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::walk::{EntryKind, LayerScan};

/// One path of the final filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileNode {
    /// The layer that last wrote this path.
    pub layer: usize,
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: u64,
    pub link: Option<String>,
}

/// What one layer did to the filesystem below it. Counts are of non-directory paths.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerChanges {
    /// Tar entries in the layer (including directories, excluding whiteout markers).
    pub entries: u64,
    /// Paths that did not exist below.
    pub added: u64,
    /// Paths that existed below and were rewritten.
    pub changed: u64,
    /// Paths below that this layer deleted (whiteouts, opaque directories, replaced directories).
    pub removed: u64,
    /// Bytes of regular files the layer writes.
    pub file_bytes: u64,
    /// Uncompressed tar bytes.
    pub tar_bytes: u64,
}

/// How a layer touched one non-directory path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Changed,
    Removed,
}

/// One path a layer added, changed or removed (what a layer explorer such as Dive shows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    /// Absolute path in the image (`/etc/passwd`).
    pub path: String,
    pub change: Change,
    pub kind: EntryKind,
    /// The size this layer wrote; for a removal, the size of what was removed.
    pub size: u64,
}

/// Why a path could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// More symlinks than the depth limit: a cycle or an absurd chain.
    TooManyLinks,
    NotFound,
}

/// Paths a layer deleted below it, with the kind and size of what went.
type Removed = BTreeMap<String, (EntryKind, u64)>;

/// The final filesystem of an image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileTree {
    nodes: BTreeMap<String, FileNode>,
}

impl FileTree {
    pub fn get(&self, path: &str) -> Option<&FileNode> {
        self.nodes.get(path.trim_start_matches('/'))
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// All paths in order, with their nodes.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FileNode)> {
        self.nodes.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The paths under the directory `dir` (not `dir` itself), in order, with their nodes.
    pub fn under<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a FileNode)> + 'a {
        let dir = dir.trim_matches('/');
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.nodes
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Removes `path` and everything under it, recording the non-directories that went.
    fn remove_tree(&mut self, path: &str, removed: &mut Removed) {
        let mut doomed: Vec<String> = Vec::new();
        if path.is_empty() {
            doomed.extend(self.nodes.keys().cloned());
        } else {
            if self.nodes.contains_key(path) {
                doomed.push(path.to_string());
            }
            let prefix = format!("{path}/");
            doomed.extend(
                self.nodes
                    .range(prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .map(|(k, _)| k.clone()),
            );
        }
        for k in doomed {
            if let Some(node) = self.nodes.remove(&k) {
                if node.kind != EntryKind::Dir {
                    removed.insert(k, (node.kind, node.size));
                }
            }
        }
    }

    /// Removes everything *under* `dir` (not `dir` itself).
    fn clear_dir(&mut self, dir: &str, removed: &mut Removed) {
        if dir.is_empty() {
            self.remove_tree("", removed);
            return;
        }
        let keep = self.nodes.remove(dir);
        self.remove_tree(dir, removed);
        if let Some(node) = keep {
            self.nodes.insert(dir.to_string(), node);
        }
    }

    /// Resolves symlinks in every component of `path`, inside the image only (an absolute
    /// target is taken from the image root, `..` never leaves it). Returns the resolved path of
    /// an existing node.
    pub fn resolve(&self, path: &str, max_links: u32) -> Result<String, ResolveError> {
        let mut pending: Vec<String> = path
            .split('/')
            .rev()
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        let mut current: Vec<String> = Vec::new();
        let mut hops = 0u32;
        while let Some(component) = pending.pop() {
            match component.as_str() {
                "." => continue,
                ".." => {
                    current.pop();
                    continue;
                }
                _ => {}
            }
            current.push(component);
            let joined = current.join("/");
            let Some(node) = self.nodes.get(&joined) else {
                if pending.is_empty() {
                    return Err(ResolveError::NotFound);
                }
                continue; // A missing intermediate directory (tars need not list them).
            };
            if node.kind == EntryKind::Symlink {
                hops += 1;
                if hops > max_links {
                    return Err(ResolveError::TooManyLinks);
                }
                let target = node.link.clone().unwrap_or_default();
                current.pop();
                if target.starts_with('/') {
                    current.clear();
                }
                pending.extend(
                    target
                        .split('/')
                        .rev()
                        .filter(|c| !c.is_empty())
                        .map(str::to_string),
                );
            }
        }
        let joined = current.join("/");
        if self.nodes.contains_key(&joined) {
            Ok(joined)
        } else {
            Err(ResolveError::NotFound)
        }
    }
}

/// Merges layer scans (bottom first) into the final tree and per-layer change counts.
pub fn squash(layers: &[LayerScan]) -> (FileTree, Vec<LayerChanges>) {
    let (tree, changes, _) = squash_with_files(layers);
    (tree, changes)
}

/// [`squash`], plus each layer's list of added, changed and removed paths, sorted by path.
pub fn squash_with_files(
    layers: &[LayerScan],
) -> (FileTree, Vec<LayerChanges>, Vec<Vec<FileChange>>) {
    let mut tree = FileTree::default();
    let mut changes = Vec::with_capacity(layers.len());
    let mut files = Vec::with_capacity(layers.len());
    for (index, layer) in layers.iter().enumerate() {
        let mut removed = Removed::new();
        let mut list: Vec<FileChange> = Vec::new();
        for dir in &layer.opaque_dirs {
            tree.clear_dir(dir, &mut removed);
        }
        for path in &layer.whiteouts {
            tree.remove_tree(path, &mut removed);
        }
        let mut c = LayerChanges {
            entries: layer.entries.len() as u64,
            tar_bytes: layer.tar_bytes,
            ..LayerChanges::default()
        };
        // Paths this layer writes, so a path written twice counts once.
        let mut written: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &layer.entries {
            if e.kind == EntryKind::File {
                c.file_bytes += e.size;
            }
            let below = tree.nodes.get(&e.path).filter(|n| n.layer < index);
            let existed =
                below.is_some_and(|n| n.kind != EntryKind::Dir) || removed.contains_key(&e.path);
            let was_dir = tree
                .nodes
                .get(&e.path)
                .is_some_and(|n| n.kind == EntryKind::Dir);
            if e.kind != EntryKind::Dir && was_dir {
                // A file replacing a directory: the directory's contents go too.
                tree.remove_tree(&e.path, &mut removed);
            }
            if let Some(&at) = written.get(e.path.as_str()) {
                // Written again in this layer: the later entry is what the layer leaves.
                if let Some(f) = list.get_mut(at) {
                    f.kind = e.kind;
                    f.size = e.size;
                }
            } else if e.kind != EntryKind::Dir {
                written.insert(e.path.as_str(), list.len());
                let change = if existed {
                    c.changed += 1;
                    removed.remove(&e.path);
                    Change::Changed
                } else {
                    c.added += 1;
                    Change::Added
                };
                list.push(FileChange {
                    path: format!("/{}", e.path),
                    change,
                    kind: e.kind,
                    size: e.size,
                });
            }
            tree.nodes.insert(
                e.path.clone(),
                FileNode {
                    layer: index,
                    kind: e.kind,
                    size: e.size,
                    mode: e.mode,
                    uid: e.uid,
                    gid: e.gid,
                    mtime: e.mtime,
                    link: e.link.clone(),
                },
            );
        }
        // The root directory entry (`./`) is bookkeeping, not a file.
        tree.nodes.remove("");
        c.removed = removed.len() as u64;
        changes.push(c);
        list.extend(removed.into_iter().map(|(path, (kind, size))| FileChange {
            path: format!("/{path}"),
            change: Change::Removed,
            kind,
            size,
        }));
        list.sort_by(|a, b| a.path.cmp(&b.path));
        files.push(list);
    }
    (tree, changes, files)
}
