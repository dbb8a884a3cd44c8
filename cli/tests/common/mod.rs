//! What the CLI tests share: running this build's `tarsier`, finding the data in `../shared`
//! (a missing file fails the test, never skips it), and writing tar entries for the images the
//! tests build. Each test file is its own crate and uses a part of this.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs this build's `tarsier` with `args`, whatever its exit status.
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tarsier"))
        .args(args)
        .output()
        .expect("run tarsier")
}

/// Runs `tarsier`, requires success, and returns its standard output.
pub fn tarsier<S: AsRef<OsStr>>(args: &[S]) -> Vec<u8> {
    let out = run(args);
    let shown: Vec<_> = args.iter().map(|a| a.as_ref().to_string_lossy()).collect();
    assert!(
        out.status.success(),
        "tarsier {shown:?} failed\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `tarsier scan ARGS --format json`, parsed.
pub fn scan_json<S: AsRef<OsStr>>(args: &[S]) -> serde_json::Value {
    let mut all = vec![OsStr::new("scan")];
    all.extend(args.iter().map(AsRef::as_ref));
    all.push(OsStr::new("--format"));
    all.push(OsStr::new("json"));
    serde_json::from_slice(&tarsier(&all)).expect("tarsier printed JSON")
}

/// The standard output of a run that must have succeeded.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The standard error of a run that must have failed.
pub fn err(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure, got: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A path inside this repository.
pub fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
}

/// A file or folder of `../shared`, which must exist.
pub fn shared(rel: &str) -> PathBuf {
    let p = repo("../shared").join(rel);
    assert!(
        p.exists(),
        "{} is missing: the tests expect ../shared beside the project",
        p.display()
    );
    p
}

/// An image archive of `../shared/fixtures/images`.
pub fn image_fixture(name: &str) -> PathBuf {
    shared(&format!("fixtures/images/{name}"))
}

/// The path an environment variable names, which must be set and exist (scripts/test.sh sets
/// them from scripts/sample.sh).
pub fn env_path(var: &str) -> PathBuf {
    let v = std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: run the tests through scripts/test.sh, which runs scripts/sample.sh"
        )
    });
    let p = PathBuf::from(v);
    assert!(p.exists(), "{var}={} does not exist", p.display());
    p
}

/// One of the sample images `scripts/sample.sh` builds (`sample-docker.tar`, `sample-oci.tar`).
pub fn sample_image(name: &str) -> PathBuf {
    let p = env_path("TARSIER_SAMPLE_DIR").join(name);
    assert!(
        p.is_file(),
        "{} is missing: run scripts/sample.sh",
        p.display()
    );
    p
}

/// A fresh, empty temporary folder for one test.
pub fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tarsier-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&d).ok();
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

/// A path as `&str`, for argument lists.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Appends a regular file (mode 0644, mtime 0).
pub fn add(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    add_mode(b, path, data, 0o644);
}

/// Appends a regular file with the given mode (mtime 0).
pub fn add_mode(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8], mode: u32) {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(mode);
    h.set_mtime(0);
    b.append_data(&mut h, path, data).expect("append");
}

/// Stores `data` as an OCI blob (`blobs/sha256/HEX`) and returns its digest.
pub fn oci_blob(b: &mut tar::Builder<Vec<u8>>, data: &[u8]) -> String {
    use sha2::Digest;
    let hex = format!("{:x}", sha2::Sha256::digest(data));
    add(b, &format!("blobs/sha256/{hex}"), data);
    format!("sha256:{hex}")
}
