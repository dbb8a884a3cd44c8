//! The image's runtime settings in the report (secret-looking environment values masked) and
//! the base-image boundary read from the history, on an image built here and on the shared
//! busybox-based fixture.

mod common;
use common::{add, image_fixture, oci_blob as blob, scan_json};

#[test]
fn runtime_settings_are_reported_with_secrets_masked_and_base_layers_found() {
    let dir = std::env::temp_dir().join(format!("tarsier-runtime-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut outer = tar::Builder::new(Vec::new());
    for i in 0..3 {
        let mut l = tar::Builder::new(Vec::new());
        add(&mut l, &format!("f{i}"), b"x");
        add(
            &mut outer,
            &format!("l{i}/layer.tar"),
            &l.into_inner().expect("layer"),
        );
    }
    let config = serde_json::json!({
        "os": "linux", "architecture": "amd64",
        "config": {
            "User": "app", "WorkingDir": "/srv", "Entrypoint": ["/entry.sh"], "Cmd": ["serve"],
            "ExposedPorts": {"8080/tcp": {}},
            "Env": ["PATH=/usr/bin", "DB_PASSWORD=hunter2", "API_TOKEN=abc", "GPG_KEY=ABCDEF", "EMPTY_SECRET="],
            "Labels": {"org.opencontainers.image.base.name": "docker.io/library/debian:12"}
        },
        "history": [
            {"created_by": "/bin/sh -c #(nop) ADD file:abc in /"},
            {"created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": true},
            {"created_by": "RUN apt-get install -y curl"},
            {"created_by": "COPY app /srv"},
            {"created_by": "CMD [\"serve\"]", "empty_layer": true}
        ]
    });
    add(
        &mut outer,
        "c.json",
        &serde_json::to_vec(&config).expect("config"),
    );
    add(&mut outer, "manifest.json", br#"[{"Config":"c.json","RepoTags":["app:1"],"Layers":["l0/layer.tar","l1/layer.tar","l2/layer.tar"]}]"#);
    let img = dir.join("app.tar");
    std::fs::write(&img, outer.into_inner().expect("image")).expect("write");
    let v = scan_json(&[&img]);
    let r = &v["runtime"];
    assert_eq!(r["user"], "app");
    assert_eq!(r["working_dir"], "/srv");
    assert_eq!(r["entrypoint"], serde_json::json!(["/entry.sh"]));
    assert_eq!(r["cmd"], serde_json::json!(["serve"]));
    assert_eq!(r["exposed_ports"], serde_json::json!(["8080/tcp"]));
    // Secrets never reach the report; GPG_KEY (a public key id, by convention) and empty values stay.
    assert_eq!(
        r["env"],
        serde_json::json!([
            "PATH=/usr/bin",
            "DB_PASSWORD=••••••",
            "API_TOKEN=••••••",
            "GPG_KEY=ABCDEF",
            "EMPTY_SECRET="
        ])
    );
    assert_eq!(r["masked"], 2);
    assert!(!String::from_utf8_lossy(&serde_json::to_vec(&v).expect("json")).contains("hunter2"));
    // The base image's build ends with its CMD: one layer came from it. The final CMD (no layer
    // after it) is not a boundary.
    assert_eq!(v["base_layers"], 1);
    assert_eq!(v["base_name"], "docker.io/library/debian:12");

    let fixture = image_fixture("test-docker-image.tar");
    let v = scan_json(&[&fixture]);
    assert_eq!(
        v["base_layers"], 1,
        "busybox's ADD, then its CMD [\"sh\"], then the image's own steps"
    );
    assert_eq!(v["runtime"]["cmd"], serde_json::json!(["sh"]));
    std::fs::remove_dir_all(&dir).ok();
}

/// An OCI archive whose image manifest carries the base-image annotations the OCI image spec
/// defines: they name the base image (over the config's label, which says something else here).
#[test]
fn base_image_annotations_of_the_oci_manifest_are_read() {
    let dir = std::env::temp_dir().join(format!("tarsier-annotations-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut outer = tar::Builder::new(Vec::new());
    add(
        &mut outer,
        "oci-layout",
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    );
    let mut layers = Vec::new();
    for i in 0..2 {
        let mut l = tar::Builder::new(Vec::new());
        add(&mut l, &format!("f{i}"), b"x");
        let data = l.into_inner().expect("layer");
        layers.push((blob(&mut outer, &data), data.len()));
    }
    let config = serde_json::json!({
        "os": "linux", "architecture": "amd64",
        "config": {"Labels": {"org.opencontainers.image.base.name": "label-says:other"}},
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.0.clone()).collect::<Vec<_>>()},
        "history": [
            {"created_by": "ADD rootfs.tar /"},
            {"created_by": "CMD [\"sh\"]", "empty_layer": true},
            {"created_by": "RUN make"}
        ]
    });
    let config = serde_json::to_vec(&config).expect("config");
    let config_len = config.len();
    let config_digest = blob(&mut outer, &config);
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_len},
        "layers": layers.iter().map(|(d, n)| serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": n
        })).collect::<Vec<_>>(),
        "annotations": {
            "org.opencontainers.image.base.name": "docker.io/library/alpine:3.20",
            "org.opencontainers.image.base.digest": "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        }
    });
    let manifest = serde_json::to_vec(&manifest).expect("manifest");
    let manifest_len = manifest.len();
    let manifest_digest = blob(&mut outer, &manifest);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest, "size": manifest_len,
            "annotations": {"org.opencontainers.image.ref.name": "app:2"}
        }]
    });
    add(
        &mut outer,
        "index.json",
        &serde_json::to_vec(&index).expect("index"),
    );
    let img = dir.join("app-oci.tar");
    std::fs::write(&img, outer.into_inner().expect("image")).expect("write");
    let v = scan_json(&[&img]);
    assert_eq!(v["format"], "oci-archive");
    assert_eq!(v["base_name"], "docker.io/library/alpine:3.20");
    assert_eq!(
        v["base_digest"],
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    );
    assert_eq!(v["base_layers"], 1);
    std::fs::remove_dir_all(&dir).ok();
}
