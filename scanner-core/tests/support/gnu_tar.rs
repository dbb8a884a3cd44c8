//! The oracle the squash is checked against: an image's layers extracted in order with GNU tar,
//! whiteouts applied by hand (`.wh.NAME` removes the lower `NAME`, `.wh..wh..opq` empties the
//! lower directory), each layer then copied over the root with `cp -a`. Shared by
//! `scanner-core/tests/layers.rs` and `cli/tests/sample.rs` (included with `#[path]`).

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(cmd: &mut Command) {
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (GNU tar, find and cp are needed)"));
    assert!(status.success(), "{cmd:?} failed");
}

fn remove(p: &Path) {
    let _ = std::fs::remove_dir_all(p).or_else(|_| std::fs::remove_file(p));
}

/// Extracts `archive` (an image archive) into `work/outer`, then its `layers` (paths inside the
/// archive, lowest first; gzip and zstd told apart by their magic bytes) one over the other
/// into `work/root`, which it returns. `work` is emptied first.
pub fn extract(archive: &Path, layers: &[String], work: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(work);
    let outer = work.join("outer");
    let root = work.join("root");
    std::fs::create_dir_all(&outer).expect("mkdir");
    std::fs::create_dir_all(&root).expect("mkdir");
    run(Command::new("tar")
        .arg("-xf")
        .arg(archive)
        .arg("-C")
        .arg(&outer));
    for (i, layer) in layers.iter().enumerate() {
        let blob = outer.join(layer);
        let mut magic = [0u8; 4];
        std::fs::File::open(&blob)
            .and_then(|mut f| f.read(&mut magic))
            .unwrap_or_else(|e| panic!("{}: {e}", blob.display()));
        let stage = work.join(format!("layer{i}"));
        std::fs::create_dir_all(&stage).expect("mkdir");
        let mut cmd = Command::new("tar");
        cmd.arg("-xf").arg(&blob).arg("-C").arg(&stage);
        if magic.starts_with(&[0x1f, 0x8b]) {
            cmd.arg("-z");
        } else if magic == [0x28, 0xb5, 0x2f, 0xfd] {
            cmd.arg("--zstd");
        }
        run(&mut cmd);
        let found = Command::new("find")
            .arg(&stage)
            .arg("-name")
            .arg(".wh.*")
            .output()
            .expect("find");
        for line in String::from_utf8_lossy(&found.stdout).lines() {
            let wh = Path::new(line);
            let rel = wh.strip_prefix(&stage).expect("inside the stage");
            let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let dir = root.join(rel.parent().unwrap_or(Path::new("")));
            if name == ".wh..wh..opq" {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    remove(&entry.path());
                }
            } else if let Some(target) = name.strip_prefix(".wh.") {
                remove(&dir.join(target));
            }
            std::fs::remove_file(wh).expect("rm whiteout");
        }
        run(Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", stage.display()))
            .arg(&root));
        std::fs::remove_dir_all(&stage).expect("rm stage");
    }
    root
}

/// Every non-directory path under `root`, relative to it.
pub fn files(root: &Path) -> BTreeSet<String> {
    let out = Command::new("find")
        .arg(".")
        .arg("!")
        .arg("-type")
        .arg("d")
        .current_dir(root)
        .output()
        .expect("find");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_start_matches("./").to_string())
        .collect()
}
