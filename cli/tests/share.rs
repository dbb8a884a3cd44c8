//! Share links from the CLI (`scan --format link`): their size for the realistic sample image
//! and for an image with 2,000 packages (the figures `docs/share-links.md` gives), and the round
//! trip: what the link carries is what the JSON report says.

mod common;
use common::{add, sample_image, shared, tarsier};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use scanner_core::share::{SharedReport, COMFORTABLE_LINK};

/// A bundle of every Debian, PyPI and npm advisory in the corpus.
fn bundle(dir: &Path) -> PathBuf {
    let out = dir.join("b.trsb");
    let mut args: Vec<String> = vec!["bundle".into(), "build".into()];
    for src in [
        "advisories/debian-security-tracker",
        "advisories/PyPI",
        "advisories/npm",
    ] {
        args.push("--osv".into());
        args.push(shared(src).display().to_string());
    }
    args.push("--out".into());
    args.push(out.display().to_string());
    tarsier(&args.iter().map(String::as_str).collect::<Vec<_>>());
    out
}

/// Debian 11 with 2,000 packages: real source names and versions from the DSA/DLA lists (the
/// oldest fixed version of each, so later advisories match), as an image of that size has.
fn two_thousand(dir: &Path) -> PathBuf {
    let mut seen = BTreeSet::new();
    let mut status = String::new();
    for list in ["DSA/list", "DLA/list"] {
        let text = std::fs::read_to_string(shared(&format!(
            "advisories/debian-security-tracker/{list}"
        )))
        .expect("list");
        // Lists are newest first: the last line for a package is its oldest fix.
        let mut oldest = std::collections::BTreeMap::new();
        for line in text.lines() {
            let Some(rest) = line.trim().strip_prefix("[bullseye] - ") else {
                continue;
            };
            let mut parts = rest.split_whitespace();
            if let (Some(name), Some(version)) = (parts.next(), parts.next()) {
                if version != "<not-affected>" && !version.starts_with('<') {
                    oldest.insert(name.to_string(), version.to_string());
                }
            }
        }
        for (name, version) in oldest {
            if seen.len() < 2000 && seen.insert(name.clone()) {
                status.push_str(&format!(
                    "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\n"
                ));
            }
        }
    }
    // The lists name fewer than 2,000 packages for bullseye: binary packages of the same
    // sources make up the rest, as a real image's many lib* packages do.
    let sources: Vec<String> = seen.iter().cloned().collect();
    let mut i = 0;
    while seen.len() < 2000 {
        let src = &sources[i % sources.len()];
        let name = format!("lib{src}{}", i / sources.len());
        if seen.insert(name.clone()) {
            status.push_str(&format!(
                "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nSource: {src}\nVersion: 1.{i}-1+deb11u1\n\n"
            ));
        }
        i += 1;
    }
    let mut layer = tar::Builder::new(Vec::new());
    add(
        &mut layer,
        "etc/os-release",
        b"ID=debian\nVERSION_ID=\"11\"\nPRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\n",
    );
    add(&mut layer, "var/lib/dpkg/status", status.as_bytes());
    let mut outer = tar::Builder::new(Vec::new());
    add(
        &mut outer,
        "l0/layer.tar",
        &layer.into_inner().expect("layer"),
    );
    add(
        &mut outer,
        "c.json",
        br#"{"os":"linux","architecture":"amd64"}"#,
    );
    add(
        &mut outer,
        "manifest.json",
        br#"[{"Config":"c.json","RepoTags":["big:2000"],"Layers":["l0/layer.tar"]}]"#,
    );
    let path = dir.join("big.tar");
    std::fs::write(&path, outer.into_inner().expect("image")).expect("write");
    path
}

/// The link's payload for `image` matched with `bundle`, checked against the JSON report.
fn link_for(image: &Path, bundle: &Path) -> (String, serde_json::Value) {
    let args = |format: &str| -> Vec<u8> {
        tarsier(&[
            "scan",
            image.to_str().expect("utf-8"),
            "--bundle",
            bundle.to_str().expect("utf-8"),
            "--format",
            format,
        ])
    };
    let link = String::from_utf8(args("link")).expect("utf-8");
    let link = link.trim().to_string();
    let report: serde_json::Value = serde_json::from_slice(&args("json")).expect("json");
    let shared = SharedReport::decode(&link).expect("the CLI's link decodes");
    assert_eq!(
        shared.packages.len(),
        report["packages"].as_array().expect("packages").len()
    );
    let ids: BTreeSet<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["not_applicable"] != true)
        .map(|f| f["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(shared.findings, ids.into_iter().collect::<Vec<_>>());
    let reopened = shared.to_report();
    for (p, q) in reopened
        .packages
        .iter()
        .zip(report["packages"].as_array().expect("packages"))
    {
        assert_eq!(p.purl, q["purl"].as_str().expect("purl"));
        assert_eq!(p.source_name, q["source_name"].as_str().expect("source"));
        assert_eq!(p.layer as u64, q["layer"].as_u64().expect("layer"));
    }
    (link, report)
}

#[test]
fn link_sizes_for_the_sample_image_and_2000_packages() {
    let dir = std::env::temp_dir().join(format!("tarsier-share-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let bundle = bundle(&dir);

    let sample = sample_image("sample-docker.tar");
    let (link, report) = link_for(&sample, &bundle);
    let packages = report["packages"].as_array().map_or(0, Vec::len);
    println!(
        "sample image: {packages} packages, {} finding ids -> link of {} characters",
        SharedReport::decode(&link).expect("decode").findings.len(),
        link.trim_start_matches('#').len()
    );
    assert!(packages > 100, "{packages} packages in the sample");
    assert!(
        link.len() < COMFORTABLE_LINK,
        "the sample's link is {} characters",
        link.len()
    );

    let big = two_thousand(&dir);
    let (link, report) = link_for(&big, &bundle);
    let packages = report["packages"].as_array().map_or(0, Vec::len);
    assert_eq!(packages, 2000);
    println!(
        "2,000 packages: {} finding ids -> link of {} characters ({})",
        SharedReport::decode(&link).expect("decode").findings.len(),
        link.trim_start_matches('#').len(),
        if link.len() < COMFORTABLE_LINK {
            "offered as a link"
        } else {
            "over 32 KB: the page offers the report file instead"
        }
    );
    std::fs::remove_dir_all(&dir).ok();
}
