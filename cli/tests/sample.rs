//! The realistic sample image (`../shared/tools/build-sample-image.sh`, prepared once per machine by
//! `scripts/sample.sh`, which `scripts/test.sh` runs first): the final file list equals plain
//! extraction of the layers with whiteouts applied, and the dpkg inventory equals `dpkg-query` on
//! that extraction and what Trivy 0.76 lists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn env_path(var: &str) -> PathBuf {
    let v = std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run `eval \"$(scripts/sample.sh)\"; export {var}` (scripts/test.sh does this)")
    });
    let p = PathBuf::from(v);
    assert!(
        p.exists(),
        "{} ({var}) does not exist: run scripts/sample.sh",
        p.display()
    );
    p
}

fn sample(name: &str) -> PathBuf {
    let p = env_path("TARSIER_SAMPLE_DIR").join(name);
    assert!(
        p.is_file(),
        "{} is missing: run scripts/sample.sh",
        p.display()
    );
    p
}

fn scan(image: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tarsier"))
        .args(["scan", "--format", "json", "--list-files"])
        .arg(image)
        .output()
        .expect("run tarsier");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

/// Extracts a docker-archive's layers in order with GNU tar, applying whiteouts by hand.
fn extract(archive: &Path, work: &Path) -> PathBuf {
    let outer = work.join("outer");
    let root = work.join("root");
    std::fs::create_dir_all(&outer).expect("mkdir");
    std::fs::create_dir_all(&root).expect("mkdir");
    let run = |cmd: &mut Command| assert!(cmd.status().expect("command").success(), "{cmd:?}");
    run(Command::new("tar")
        .arg("-xf")
        .arg(archive)
        .arg("-C")
        .arg(&outer)
        .arg("manifest.json"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(outer.join("manifest.json")).expect("manifest"))
            .expect("json");
    let layers: Vec<String> = manifest[0]["Layers"]
        .as_array()
        .expect("layers")
        .iter()
        .filter_map(|l| l.as_str().map(str::to_string))
        .collect();
    for (i, layer) in layers.iter().enumerate() {
        run(Command::new("tar")
            .arg("-xf")
            .arg(archive)
            .arg("-C")
            .arg(&outer)
            .arg(layer));
        let stage = work.join(format!("layer{i}"));
        std::fs::create_dir_all(&stage).expect("mkdir");
        run(Command::new("tar")
            .arg("-xf")
            .arg(outer.join(layer))
            .arg("-C")
            .arg(&stage));
        let found = Command::new("find")
            .arg(&stage)
            .arg("-name")
            .arg(".wh.*")
            .output()
            .expect("find");
        for line in String::from_utf8_lossy(&found.stdout).lines() {
            let wh = Path::new(line);
            let rel = wh.strip_prefix(&stage).expect("inside");
            let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let dir = rel.parent().unwrap_or(Path::new(""));
            let target = if name == ".wh..wh..opq" {
                None
            } else {
                name.strip_prefix(".wh.").map(|t| root.join(dir).join(t))
            };
            match target {
                Some(t) => {
                    let _ = std::fs::remove_dir_all(&t).or_else(|_| std::fs::remove_file(&t));
                }
                None => {
                    for e in std::fs::read_dir(root.join(dir))
                        .into_iter()
                        .flatten()
                        .flatten()
                    {
                        let p = e.path();
                        let _ = std::fs::remove_dir_all(&p).or_else(|_| std::fs::remove_file(&p));
                    }
                }
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

#[test]
fn sample_image_files_and_dpkg_inventory_match_extraction_dpkg_query_and_trivy() {
    let image = sample("sample-docker.tar");
    let report = scan(&image);
    let work = std::env::temp_dir().join(format!("tarsier-sample-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let root = extract(&image, &work);

    // 1. Final files (non-directories) equal the extraction.
    let ours: BTreeSet<String> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["kind"] != "dir")
        .filter_map(|f| {
            f["path"]
                .as_str()
                .map(|p| p.trim_start_matches('/').to_string())
        })
        .collect();
    let listing = Command::new("find")
        .arg(".")
        .arg("!")
        .arg("-type")
        .arg("d")
        .current_dir(&root)
        .output()
        .expect("find");
    let theirs: BTreeSet<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .map(|l| l.trim_start_matches("./").to_string())
        .collect();
    assert_eq!(ours.len(), theirs.len(), "file counts differ");
    assert_eq!(ours, theirs);

    // 2. dpkg inventory equals dpkg-query on the extracted root.
    let ours: BTreeSet<(String, String, String)> = report["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["found_by"] == "os/dpkg")
        .map(|p| {
            (
                p["name"].as_str().unwrap_or("").to_string(),
                p["version"].as_str().unwrap_or("").to_string(),
                p["arch"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let q = Command::new("dpkg-query")
        .arg(format!(
            "--admindir={}",
            root.join("var/lib/dpkg").display()
        ))
        .args([
            "-W",
            "-f",
            "${db:Status-Status}\\t${Package}\\t${Version}\\t${Architecture}\\n",
        ])
        .output()
        .expect("dpkg-query (Debian's dpkg) is needed for this test");
    assert!(q.status.success(), "{}", String::from_utf8_lossy(&q.stderr));
    let expected: BTreeSet<(String, String, String)> = String::from_utf8_lossy(&q.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() == 4 && f[0] == "installed")
                .then(|| (f[1].to_string(), f[2].to_string(), f[3].to_string()))
        })
        .collect();
    assert!(
        expected.len() > 100,
        "dpkg-query found {} packages",
        expected.len()
    );
    assert_eq!(ours, expected);
    assert_eq!(report["distro"]["id"], "debian");
    assert_eq!(report["distro"]["version"], "12");

    // 3. ... and equals Trivy's list.
    let trivy = env_path("TARSIER_TRIVY");
    let cache = work.join("trivy-cache");
    let out = Command::new(&trivy)
        .args(["image", "--input"])
        .arg(&image)
        .args([
            "--format",
            "cyclonedx",
            "--skip-db-update",
            "--offline-scan",
            "--quiet",
        ])
        .env("TRIVY_CACHE_DIR", &cache)
        .output()
        .expect("run trivy");
    assert!(
        out.status.success(),
        "trivy: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bom: serde_json::Value = serde_json::from_slice(&out.stdout).expect("CycloneDX");
    let trivy_debs: BTreeSet<(String, String)> = bom["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter(|c| {
            c["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with("pkg:deb/"))
        })
        .map(|c| {
            (
                c["name"].as_str().unwrap_or("").to_string(),
                c["version"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let ours_nv: BTreeSet<(String, String)> = ours
        .iter()
        .map(|(n, v, _)| (n.clone(), v.clone()))
        .collect();
    assert_eq!(ours_nv, trivy_debs);
    let _ = std::fs::remove_dir_all(&work);

    // 4. The OCI archive of the same image gives the same inventory and files.
    let oci = scan(&sample("sample-oci.tar"));
    assert_eq!(oci["packages"], report["packages"]);
    assert_eq!(oci["file_count"], report["file_count"]);
}
