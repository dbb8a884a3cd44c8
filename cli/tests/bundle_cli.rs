//! `tarsier bundle build/fetch/keygen/sign/verify` on the real corpus in `../shared/advisories`:
//! OSV zip exports (served by a local HTTP server for `fetch`), YAML records, signatures.

mod common;
use common::{err, ok, run as tarsier, s, shared, temp};

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

/// A zip in OSV's export layout: every record of `dir` at the top level.
fn zip_of(dir: &Path, out: &Path) -> usize {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut z = zip::ZipWriter::new(std::fs::File::create(out).expect("create"));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for f in &files {
        let name = f.file_name().expect("name").to_string_lossy();
        z.start_file(name.as_ref(), opts).expect("start");
        z.write_all(&std::fs::read(f).expect("read"))
            .expect("write");
    }
    z.finish().expect("finish");
    files.len()
}

#[test]
fn builds_from_zip_exports_and_yaml_like_from_folders() {
    let d = temp("zip");
    std::fs::create_dir_all(d.join("export/PyPI")).expect("mkdir");
    zip_of(&shared("advisories/PyPI"), &d.join("export/PyPI/all.zip"));
    let from_folder = ok(&tarsier(&[
        "bundle",
        "build",
        "--osv",
        s(&shared("advisories/PyPI")),
        "--out",
        s(&d.join("a.trsb")),
        "--built",
        "t",
    ]));
    let from_zip = ok(&tarsier(&[
        "bundle",
        "build",
        "--osv",
        s(&d.join("export")),
        "--out",
        s(&d.join("b.trsb")),
        "--built",
        "t",
    ]));
    let records = |text: &str| -> String {
        let at = text.find(" records, ").expect("record count");
        text[..at].rsplit(' ').next().expect("n").to_string()
    };
    assert_eq!(
        records(&from_folder),
        records(&from_zip),
        "{from_folder}\n{from_zip}"
    );
    assert_eq!(
        records(&from_zip),
        "2662",
        "2,672 PyPI records less 10 withdrawn"
    );

    // Several paths after one --osv, as the README writes it, and the flag repeated: the same
    // bundle; the same records twice (the folder and its zip) are one record per id.
    let many = |args: &[&str], out: &str| {
        let mut a = vec!["bundle", "build"];
        a.extend_from_slice(args);
        let out = d.join(out);
        a.extend(["--out", s(&out), "--built", "t"]);
        let text = ok(&tarsier(&a));
        (records(&text), std::fs::read(&out).expect("bundle"))
    };
    let pypi = shared("advisories/PyPI");
    let npm = shared("advisories/npm");
    let (n1, b1) = many(&["--osv", s(&pypi), s(&npm)], "m1.trsb");
    let (n2, b2) = many(&["--osv", s(&pypi), "--osv", s(&npm)], "m2.trsb");
    assert_eq!(n1, "2719", "2,662 PyPI + 57 npm");
    assert_eq!((n1.as_str(), &b1), (n2.as_str(), &b2));
    let (n3, _) = many(&["--osv", s(&pypi), s(&d.join("export"))], "m3.trsb");
    assert_eq!(n3, "2662", "one record per id");
    let e = err(&tarsier(&[
        "bundle",
        "build",
        "--osv",
        s(&d.join("nowhere")),
        "--out",
        s(&d.join("x.trsb")),
    ]));
    assert!(e.contains("does not exist"), "{e}");

    // A YAML record (as in the PyPA database) next to JSON ones.
    let y = d.join("yaml");
    std::fs::create_dir_all(&y).expect("mkdir");
    std::fs::write(
        y.join("PYSEC-0000-1.yaml"),
        "id: PYSEC-0000-1\naffected:\n- package:\n    ecosystem: PyPI\n    name: foo\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: \"0\"\n    - fixed: 1.10\n",
    )
    .expect("write");
    std::fs::write(y.join("broken.yaml"), "id: [").expect("write");
    let text = ok(&tarsier(&[
        "bundle",
        "build",
        "--osv",
        s(&y),
        "--out",
        s(&d.join("y.trsb")),
    ]));
    assert!(
        text.contains(" 1 records, ") && text.contains("malformed records skipped: 1"),
        "{text}"
    );
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn the_whole_corpus_builds_with_feeds_and_a_signature_the_build_trusts() {
    let d = temp("corpus");
    let out = d.join("all.trsb");
    let key = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../keys/bundle-dev.key");
    let text = ok(&tarsier(&[
        "bundle",
        "build",
        "--osv",
        s(&shared("advisories")),
        "--out",
        s(&out),
        "--sign",
        s(&key),
    ]));
    for eco in [
        "Alpine",
        "Debian",
        "AlmaLinux",
        "Go",
        "PyPI",
        "crates.io",
        "npm",
    ] {
        assert!(
            text.contains(&format!("  {eco} ")),
            "{eco} missing:\n{text}"
        );
    }
    assert!(text.contains("signed"), "{text}");
    assert!(
        !text.contains("feed entries skipped"),
        "every feed is read: {text}"
    );
    let v = ok(&tarsier(&["bundle", "verify", s(&out)]));
    assert!(v.contains("good"), "{v}");
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn keygen_sign_verify_and_trust() {
    let d = temp("sign");
    let key = d.join("k");
    ok(&tarsier(&["bundle", "keygen", s(&key)]));
    assert!(err(&tarsier(&["bundle", "keygen", s(&key)])).contains("not overwriting"));
    let b = d.join("npm.trsb");
    ok(&tarsier(&[
        "bundle",
        "build",
        "--osv",
        s(&shared("advisories/npm")),
        "--out",
        s(&b),
    ]));
    // Unsigned: verify refuses, scanning accepts (signatures are optional for the CLI).
    assert!(err(&tarsier(&["bundle", "verify", s(&b)])).contains("not signed"));
    ok(&tarsier(&["bundle", "sign", s(&b), "--key", s(&key)]));
    let pubkey = PathBuf::from(format!("{}.pub", key.display()));
    assert!(ok(&tarsier(&["bundle", "verify", s(&b), "--key", s(&pubkey)])).contains("good"));
    // Signed by a key the build does not trust: refused unless trusted explicitly.
    let e = err(&tarsier(&["bundle", "verify", s(&b)]));
    assert!(e.contains("signature does not verify"), "{e}");
    let img = d.join("not-an-image.tar");
    std::fs::write(&img, b"x").expect("write");
    let e = err(&tarsier(&["scan", s(&img), "--bundle", s(&b)]));
    assert!(e.contains("signature"), "{e}");
    let e = err(&tarsier(&[
        "scan",
        s(&img),
        "--bundle",
        s(&b),
        "--trust-key",
        s(&pubkey),
    ]));
    assert!(
        !e.contains("signature"),
        "the bundle is accepted, the image is not: {e}"
    );
    // A secret key file that is not a key.
    std::fs::write(d.join("bad"), "hello").expect("write");
    assert!(err(&tarsier(&[
        "bundle",
        "sign",
        s(&b),
        "--key",
        s(&d.join("bad"))
    ]))
    .contains("64 hex digits"));
    std::fs::remove_dir_all(&d).ok();
}

/// Serves files under `root` over HTTP/1.1 on 127.0.0.1 for `requests` requests.
fn serve(root: PathBuf, requests: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.expect("accept");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            reader.read_line(&mut line).expect("request line");
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).expect("header") <= 2 {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            seen.push(path.clone());
            let file = root.join(path.trim_start_matches('/').replace("%20", " "));
            match std::fs::read(&file) {
                Ok(body) => {
                    write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .expect("write");
                    stream.write_all(&body).expect("body");
                }
                Err(_) => {
                    write!(
                        stream,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    .expect("write");
                }
            }
        }
        seen
    });
    (base, handle)
}

#[test]
fn fetch_downloads_osv_exports_from_a_base_url() {
    let d = temp("fetch");
    let served = d.join("served");
    let mut expected = 0;
    for eco in ["PyPI", "npm", "crates.io"] {
        std::fs::create_dir_all(served.join(eco)).expect("mkdir");
        expected += zip_of(
            &shared(&format!("advisories/{eco}")),
            &served.join(eco).join("all.zip"),
        );
    }
    std::fs::copy(
        shared("advisories/kev/known_exploited_vulnerabilities.json"),
        served.join("kev.json"),
    )
    .expect("kev");
    std::fs::copy(
        shared("advisories/epss/epss-scores.csv.gz"),
        served.join("epss.csv.gz"),
    )
    .expect("epss");
    let (base, server) = serve(served.clone(), 6);
    let out = d.join("got");
    let text = ok(&tarsier(&[
        "bundle",
        "fetch",
        "--ecosystems",
        "PyPI,npm,crates.io",
        "--out",
        s(&out),
        "--base-url",
        &base,
        "--kev-url",
        &format!("{base}/kev.json"),
        "--epss-url",
        &format!("{base}/epss.csv.gz"),
    ]));
    assert!(text.contains("fetched 3 ecosystems"), "{text}");
    assert!(
        text.contains("KEV catalog 2025.08.25 with 1404 entries"),
        "{text}"
    );
    assert!(text.contains("for 360142 CVEs"), "{text}");
    assert_eq!(
        std::fs::read(out.join("kev/known_exploited_vulnerabilities.json")).expect("kev"),
        std::fs::read(served.join("kev.json")).expect("served kev")
    );
    for eco in ["PyPI", "npm", "crates.io"] {
        assert_eq!(
            std::fs::read(out.join(eco).join("all.zip")).expect("downloaded"),
            std::fs::read(served.join(eco).join("all.zip")).expect("served"),
            "{eco}"
        );
    }
    // An ecosystem the server does not have: a clear error, nothing half-written kept.
    let e = err(&tarsier(&[
        "bundle",
        "fetch",
        "--ecosystems",
        "Nope",
        "--out",
        s(&out),
        "--base-url",
        &base,
        "--no-exploit-data",
    ]));
    assert!(
        e.contains("cannot download") && e.contains("Nope/all.zip"),
        "{e}"
    );
    assert!(!out.join("Nope/all.zip").exists());
    let seen = server.join().expect("server");
    assert_eq!(
        seen,
        vec![
            "/PyPI/all.zip",
            "/npm/all.zip",
            "/crates.io/all.zip",
            "/kev.json",
            "/epss.csv.gz",
            "/Nope/all.zip"
        ]
    );
    // What was fetched builds a bundle.
    let text = ok(&tarsier(&[
        "bundle",
        "build",
        "--osv",
        s(&out),
        "--out",
        s(&d.join("f.trsb")),
    ]));
    assert!(
        text.contains("  PyPI ") && text.contains("  crates.io ") && text.contains("  npm "),
        "{text}"
    );
    // The fetched KEV catalog and EPSS scores are found among the inputs.
    assert!(text.contains("KEV catalog 2025.08.25"), "{text}");
    assert!(
        text.contains("EPSS scores") && text.contains("of its 360142 rows"),
        "{text}"
    );
    assert!(expected > 3900);
    std::fs::remove_dir_all(&d).ok();
}
