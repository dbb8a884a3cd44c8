//! `tarsier inspect` as a user runs it: JSON and table output, and errors on stderr with a
//! non-zero exit status.

mod common;
use common::{image_fixture as fixture, run as tarsier};

#[test]
fn json_has_a_top_level_layers_array() {
    let image = fixture("test-docker-image.tar");
    let out = tarsier(&["inspect".as_ref(), image.as_os_str(), "--json".as_ref()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let layers = v["layers"].as_array().expect("layers array");
    assert_eq!(layers.len(), 14);
    assert_eq!(layers[0]["index"], 0);
    assert_eq!(
        layers[0]["digest"],
        "sha256:23bc2b70b2014dec0ac22f27bb93e9babd08cdd6f1115d0c955b9ff22b382f5a"
    );
    assert_eq!(v["format"], "docker-archive");
    assert_eq!(v["tags"][0], "dive-test:latest");
    assert_eq!(v["history"].as_array().map(Vec::len), Some(15));
}

#[test]
fn table_is_readable() {
    let image = fixture("test-oci-gzip-image.tar");
    let out = tarsier(&["inspect".as_ref(), image.as_os_str()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("oci-archive"), "{text}");
    assert!(text.contains("linux/arm64"), "{text}");
    assert!(
        text.contains("COPY README.md /README.md # buildkit"),
        "{text}"
    );
}

#[test]
fn bad_files_fail_with_a_message_on_stderr() {
    let dir = std::env::temp_dir().join(format!("tarsier-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let garbage = dir.join("garbage.bin");
    std::fs::write(&garbage, vec![0x42u8; 3000]).expect("write");
    let out = tarsier(&["inspect".as_ref(), garbage.as_os_str()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not an image archive"), "{err}");
    assert!(err.contains("docker save"), "{err}");
    assert!(out.stdout.is_empty());

    let missing = dir.join("nope.tar");
    let out = tarsier(&["inspect".as_ref(), missing.as_os_str()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open"));
    std::fs::remove_dir_all(&dir).ok();
}
