//! The realistic sample image (`../shared/tools/build-sample-image.sh`, prepared once per machine by
//! `scripts/sample.sh`, which `scripts/test.sh` runs first): the final file list equals plain
//! extraction of the layers with whiteouts applied, and the dpkg inventory equals `dpkg-query` on
//! that extraction and what Trivy 0.76 lists.

mod common;
use common::{env_path, sample_image as sample, scan_json};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../../scanner-core/tests/support/gnu_tar.rs"]
mod gnu_tar;

/// The sample's layers extracted in order with GNU tar, whiteouts applied by hand.
fn extract(archive: &Path, work: &Path) -> PathBuf {
    let manifest = Command::new("tar")
        .arg("-xOf")
        .arg(archive)
        .arg("manifest.json")
        .output()
        .expect("tar");
    let manifest: serde_json::Value = serde_json::from_slice(&manifest.stdout).expect("json");
    let layers: Vec<String> = manifest[0]["Layers"]
        .as_array()
        .expect("layers")
        .iter()
        .filter_map(|l| l.as_str().map(str::to_string))
        .collect();
    gnu_tar::extract(archive, &layers, work)
}

#[test]
fn sample_image_files_and_dpkg_inventory_match_extraction_dpkg_query_and_trivy() {
    let image = sample("sample-docker.tar");
    let report = scan_json(&[image.as_os_str(), "--list-files".as_ref()]);
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
    let theirs = gnu_tar::files(&root);
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
    let oci = scan_json(&[
        sample("sample-oci.tar").as_os_str(),
        "--list-files".as_ref(),
    ]);
    assert_eq!(oci["packages"], report["packages"]);
    assert_eq!(oci["file_count"], report["file_count"]);
}
