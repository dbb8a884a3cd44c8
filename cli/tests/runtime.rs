//! The image's runtime settings in the report (secret-looking environment values masked) and
//! the base-image boundary read from the history, on an image built here and on the shared
//! busybox-based fixture.

use std::path::PathBuf;
use std::process::Command;

fn add(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    b.append_data(&mut h, path, data).expect("append");
}

fn scan(path: &std::path::Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tarsier"))
        .args(["scan", path.to_str().expect("utf-8"), "--format", "json"])
        .output()
        .expect("tarsier");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

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
    let v = scan(&img);
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

    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/images/test-docker-image.tar");
    assert!(fixture.exists(), "{} is missing", fixture.display());
    let v = scan(&fixture);
    assert_eq!(
        v["base_layers"], 1,
        "busybox's ADD, then its CMD [\"sh\"], then the image's own steps"
    );
    assert_eq!(v["runtime"]["cmd"], serde_json::json!(["sh"]));
    std::fs::remove_dir_all(&dir).ok();
}
