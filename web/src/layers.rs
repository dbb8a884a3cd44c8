//! The Layers view: per layer its `created_by`, sizes, files added/changed/removed, the packages
//! and findings it introduced, and a file tree of what it changed (like Dive), with the files
//! that carry findings highlighted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use leptos::prelude::*;
use scanner_core::layer::{Change, FileChange};
use scanner_core::summary::human_bytes;
use scanner_core::Report;

use crate::i18n::{tr, trf};

/// Most rows one directory shows before "N more".
const DIR_PAGE: usize = 300;

/// A directory of one layer's changes.
#[derive(Default)]
struct Dir {
    dirs: BTreeMap<String, Dir>,
    files: Vec<(String, usize)>,
    added: usize,
    changed: usize,
    removed: usize,
    /// Files under it that carry findings.
    flagged: usize,
}

impl Dir {
    fn build(changes: &[FileChange], flagged: &dyn Fn(&str) -> bool) -> Dir {
        let mut root = Dir::default();
        for (i, c) in changes.iter().enumerate() {
            let hot = flagged(&c.path);
            let mut parts: Vec<&str> = c.path.trim_start_matches('/').split('/').collect();
            let name = parts.pop().unwrap_or_default().to_string();
            let mut dir = &mut root;
            dir.count(c.change, hot);
            for part in parts {
                dir = dir.dirs.entry(part.to_string()).or_default();
                dir.count(c.change, hot);
            }
            dir.files.push((name, i));
        }
        root
    }

    fn count(&mut self, change: Change, hot: bool) {
        match change {
            Change::Added => self.added += 1,
            Change::Changed => self.changed += 1,
            Change::Removed => self.removed += 1,
        }
        self.flagged += usize::from(hot);
    }
}

fn change_class(c: Change) -> &'static str {
    match c {
        Change::Added => "added",
        Change::Changed => "changed",
        Change::Removed => "removed",
    }
}

fn change_mark(c: Change) -> &'static str {
    match c {
        Change::Added => "+",
        Change::Changed => "~",
        Change::Removed => "−",
    }
}

fn counts_view(added: usize, changed: usize, removed: usize) -> AnyView {
    view! {
        <span class="changes">
            <span class="added" title=tr("files added")>{format!("+{added}")}</span>
            " "
            <span class="changed" title=tr("files changed")>{format!("~{changed}")}</span>
            " "
            <span class="removed" title=tr("files removed")>{format!("−{removed}")}</span>
        </span>
    }
    .into_any()
}

/// What every row of one tree rendering needs.
struct Tree<'a> {
    changes: &'a [FileChange],
    flagged: &'a dyn Fn(&str) -> bool,
    expanded: RwSignal<BTreeSet<String>>,
    /// `expanded`, read once for this rendering.
    open: &'a BTreeSet<String>,
}

/// One file of the tree: `label` is its name (in the tree) or its whole path (flat list).
fn file_row(c: &FileChange, label: String, indent: Option<String>, hot: bool) -> AnyView {
    view! {
        <li class=format!("tree-row file {}", change_class(c.change)) class:hot=hot
            data-testid="tree-file" data-path=c.path.clone() data-change=change_class(c.change)>
            <span class="tree-file" style=indent>
                <span class="mark" aria-hidden="true">{change_mark(c.change)}</span>
                <span class="tree-name">{label}</span>
            </span>
            <span class="muted num">{human_bytes(c.size)}</span>
            {hot.then(|| view! { <span class="chip danger">{tr("findings")}</span> })}
        </li>
    }
    .into_any()
}

/// Renders `dir` (at `prefix`) and, for expanded directories, their contents.
fn dir_rows(t: &Tree, dir: &Dir, prefix: &str, depth: usize, out: &mut Vec<AnyView>) {
    let Tree {
        changes,
        flagged,
        expanded,
        open,
    } = *t;
    let indent = format!("padding-left: {}em", depth as f32 * 1.2 + 0.4);
    let mut shown = 0;
    for (name, sub) in &dir.dirs {
        if shown >= DIR_PAGE {
            break;
        }
        shown += 1;
        let path = format!("{prefix}/{name}");
        let is_open = open.contains(&path);
        let toggle_path = path.clone();
        let dir_hot = sub.flagged > 0;
        out.push(
            view! {
                <li class="tree-row dir" class:hot=dir_hot data-testid="tree-dir" data-path=path.clone()>
                    <button class="tree-toggle" style=indent.clone() aria-expanded=if is_open { "true" } else { "false" }
                        on:click=move |_| expanded.update(|s| {
                            if !s.remove(&toggle_path) {
                                s.insert(toggle_path.clone());
                            }
                        })>
                        <span class="caret" aria-hidden="true">{if is_open { "▾" } else { "▸" }}</span>
                        <span class="tree-name">{format!("{name}/")}</span>
                    </button>
                    {counts_view(sub.added, sub.changed, sub.removed)}
                    {(sub.flagged > 0).then(|| view! {
                        <span class="chip danger" title=tr("files here carry findings")>{sub.flagged}</span>
                    })}
                </li>
            }
            .into_any(),
        );
        if is_open {
            dir_rows(t, sub, &path, depth + 1, out);
        }
    }
    for (name, i) in &dir.files {
        if shown >= DIR_PAGE {
            let more = dir.dirs.len() + dir.files.len() - DIR_PAGE;
            out.push(
                view! {
                    <li class="tree-row muted" style=indent.clone()>{trf("… and {} more here", &[&more])}</li>
                }
                .into_any(),
            );
            break;
        }
        shown += 1;
        let Some(c) = changes.get(*i) else { continue };
        out.push(file_row(
            c,
            name.clone(),
            Some(indent.clone()),
            flagged(&c.path),
        ));
    }
}

/// The file tree of layer `index`.
fn file_tree(report: Arc<Report>, index: usize) -> AnyView {
    let Some(changes) = report.layer_files.get(index).cloned() else {
        return view! { <p class="muted">{tr("No file list for this layer.")}</p> }.into_any();
    };
    if changes.is_empty() {
        return view! { <p class="muted">{tr("This layer changed no files.")}</p> }.into_any();
    }
    // Files that carry findings of packages this layer brought in: the package's own file
    // (dpkg status, METADATA, package.json, a binary) or anything under its directory.
    let hot_paths: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.layer == index && !f.path.is_empty())
        .map(|f| f.path.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let flagged = {
        let hot_paths = hot_paths.clone();
        move |p: &str| {
            hot_paths.iter().any(|h| {
                p == h || (p.starts_with(h.as_str()) && p.as_bytes().get(h.len()) == Some(&b'/'))
            })
        }
    };
    let changes = Arc::new(changes);
    let tree = Arc::new(Dir::build(&changes, &flagged));
    // Open the directories that lead to flagged files, so they are in sight.
    let mut initial = BTreeSet::new();
    for c in changes.iter().filter(|c| flagged(&c.path)).take(20) {
        let mut acc = String::new();
        let parts: Vec<&str> = c.path.trim_start_matches('/').split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            acc.push('/');
            acc.push_str(part);
            initial.insert(acc.clone());
        }
    }
    let expanded = RwSignal::new(initial);
    let only_hot = RwSignal::new(false);
    let total = changes.len();
    let flagged_count = tree.flagged;
    view! {
        <div class="file-tree" data-testid="file-tree" data-layer=index>
            <div class="tree-tools">
                <span class="muted small">{trf("{} paths changed", &[&total])}</span>
                {counts_view(tree.added, tree.changed, tree.removed)}
                <label class="check small">
                    <input type="checkbox" data-testid="tree-only-findings" disabled=flagged_count == 0
                        on:change=move |ev| only_hot.set(event_target_checked(&ev))/>
                    {trf("only files with findings ({})", &[&flagged_count])}
                </label>
                <button class="button secondary small" on:click=move |_| expanded.set(BTreeSet::new())>
                    {tr("Collapse all")}
                </button>
            </div>
            <ul class="tree" role="tree">
                {move || {
                    let open = expanded.get();
                    let mut rows = Vec::new();
                    if only_hot.get() {
                        for c in changes.iter().filter(|c| flagged(&c.path)) {
                            rows.push(file_row(c, c.path.clone(), None, true));
                        }
                    } else {
                        let t = Tree {
                            changes: &changes,
                            flagged: &flagged,
                            expanded,
                            open: &open,
                        };
                        dir_rows(&t, &tree, "", 0, &mut rows);
                    }
                    rows.collect_view()
                }}
            </ul>
        </div>
    }
    .into_any()
}

/// The Layers card: one row per layer, a file tree for the chosen one.
pub fn layers_view(report: Arc<Report>) -> AnyView {
    let s = &report.image;
    let chosen = RwSignal::new(None::<usize>);
    let base = s.base_layers.unwrap_or(0);
    let rows = s
        .layers
        .iter()
        .map(|l| {
            let index = l.index;
            let created_by = l.created_by.clone().unwrap_or_default();
            let c = l.changes.clone().unwrap_or_default();
            let packages = report.packages.iter().filter(|p| p.layer == index).count();
            let findings = report
                .findings
                .iter()
                .filter(|f| f.layer == index && !f.not_applicable)
                .count();
            let has_files = report.layer_files.get(index).is_some_and(|f| !f.is_empty());
            view! {
                <tr data-testid="layer-row" class:selected=move || chosen.get() == Some(index)>
                    <td class="num">
                        {index}
                        {(index < base).then(|| view! { <span class="chip" title=tr("from the base image")>{tr("base")}</span> })}
                    </td>
                    <td><code title=l.digest.clone()>{crate::view::short_digest(&l.digest)}</code></td>
                    <td class="num">{human_bytes(l.size)}</td>
                    <td>
                        <span class="chip" title=l.media_type.clone() data-testid="media-type">
                            {crate::view::short_media_type(&l.media_type)}
                        </span>
                    </td>
                    <td class="num changes" data-testid="layer-changes">
                        {counts_view(c.added as usize, c.changed as usize, c.removed as usize)}
                    </td>
                    <td class="num" title=tr("uncompressed")>{human_bytes(c.tar_bytes)}</td>
                    <td class="num" data-testid="layer-packages">{packages}</td>
                    <td class="num" data-testid="layer-findings">
                        {if findings > 0 {
                            view! { <span class="chip danger">{findings}</span> }.into_any()
                        } else {
                            view! { <span class="muted">"0"</span> }.into_any()
                        }}
                    </td>
                    <td class="cmd"><code title=created_by.clone()>{created_by.clone()}</code></td>
                    <td>
                        <button class="button secondary small" data-testid="layer-files" disabled=!has_files
                            aria-pressed=move || if chosen.get() == Some(index) { "true" } else { "false" }
                            on:click=move |_| chosen.update(|c| *c = if *c == Some(index) { None } else { Some(index) })>
                            {tr("Files")}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card" id="sec-layers" data-testid="layers">
            <h3>{tr("Layers")}</h3>
            <div class="table-wrap">
                <table class="layers">
                    <thead>
                        <tr>
                            <th class="num">"#"</th>
                            <th>{tr("Digest")}</th>
                            <th class="num">{tr("Size")}</th>
                            <th>{tr("Media type")}</th>
                            <th class="num">{tr("Files")}</th>
                            <th class="num">{tr("Unpacked")}</th>
                            <th class="num">{tr("Packages")}</th>
                            <th class="num">{tr("Findings")}</th>
                            <th>{tr("Created by")}</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {move || chosen.get().map(|i| {
                let created_by = report.image.layers.get(i).and_then(|l| l.created_by.clone()).unwrap_or_default();
                view! {
                    <div class="layer-detail">
                        <h4>{trf("Layer {}", &[&i])} " " <code class="muted small">{created_by}</code></h4>
                        {file_tree(report.clone(), i)}
                    </div>
                }
            })}
        </div>
    }
    .into_any()
}
