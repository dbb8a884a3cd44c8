//! `tarsier scan`: the same report whatever the number of threads, and compressed archives.

mod common;
use common::{image_fixture as fixture, scan_json};

#[test]
fn threads_do_not_change_the_report() {
    let image = fixture("test-docker-image.tar");
    let path = image.to_str().expect("utf-8 path");
    let one = scan_json(&[path, "--jobs", "1", "--list-files"]);
    let four = scan_json(&[path, "--jobs", "4", "--list-files"]);
    assert_eq!(one, four);
    assert_eq!(one["report_version"], 3);
    assert_eq!(one["layers"].as_array().map(Vec::len), Some(14));
    assert_eq!(
        one["file_count"].as_u64(),
        Some(one["files"].as_array().map(Vec::len).unwrap_or(0) as u64)
    );
    // Layer 9 is `rm -rf /root/example/`.
    assert_eq!(one["layers"][9]["changes"]["removed"], 2);
    let files = one["files"].as_array().expect("files");
    let saved = files
        .iter()
        .find(|f| f["path"] == "/root/saved.txt")
        .expect("/root/saved.txt");
    assert_eq!(saved["layer"], 13);
}

#[test]
fn limits_are_flags() {
    let image = fixture("test-docker-image.tar");
    let v = scan_json(&[image.to_str().expect("path"), "--max-entries", "10"]);
    let warnings = v["warnings"].as_array().expect("warnings");
    assert!(warnings
        .iter()
        .any(|w| w.as_str().is_some_and(|w| w.contains("--max-entries"))));
}
