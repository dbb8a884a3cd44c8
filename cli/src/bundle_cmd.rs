//! `tarsier bundle ...`: build, fetch, sign, verify advisory bundles, and make signing keys.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use scanner_core::advisory::bundle::{self, Header, Source, Trust};
use scanner_core::advisory::db::AdvisoryDb;
use scanner_core::advisory::feeds;
use scanner_core::advisory::osv::{self, Record};

/// The keys this build trusts (`keys/bundle.pub` or `TARSIER_BUNDLE_PUBKEY` at build time),
/// plus `extra`.
pub fn trusted_keys(extra: Option<&Path>) -> anyhow::Result<Vec<[u8; 32]>> {
    let mut keys = bundle::built_in_keys();
    if keys.is_empty() {
        bail!("the built-in bundle key is malformed; rebuild with a valid TARSIER_BUNDLE_PUBKEY");
    }
    if let Some(path) = extra {
        keys.push(read_key(path)?);
    }
    Ok(keys)
}

fn read_key(path: &Path) -> anyhow::Result<[u8; 32]> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key {}", path.display()))?;
    bundle::parse_key(&text).with_context(|| {
        format!(
            "{} is not a key: expected 64 hex digits (as `tarsier bundle keygen` writes)",
            path.display()
        )
    })
}

/// Reads and verifies a bundle file.
pub fn load(path: &Path, trust_key: Option<&Path>) -> anyhow::Result<(Header, AdvisoryDb)> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the bundle {}", path.display()))?;
    let keys = trusted_keys(trust_key)?;
    bundle::read(&bytes, Trust::SignatureOptional(&keys))
        .with_context(|| format!("the bundle {} was rejected", path.display()))
}

/// Writes `advisories.json` for a bundle: its format, build time, records part digest and size,
/// so a page can tell a newer bundle from the one it has without downloading it.
pub fn manifest(path: &Path, out: &Path) -> anyhow::Result<()> {
    let (header, _) = load(path, None)?;
    let size = std::fs::metadata(path)?.len();
    let doc = serde_json::json!({
        "format_version": header.format_version,
        "built": header.built,
        "digest": header.digest,
        "records": header.records,
        "size": size,
        "file": path.file_name().and_then(|n| n.to_str()).unwrap_or("advisories.trsb"),
    });
    std::fs::write(out, serde_json::to_string_pretty(&doc)? + "\n")
        .with_context(|| format!("cannot write {}", out.display()))?;
    Ok(())
}

/// Most bytes read from one advisory file, or from one entry of a zip export.
const MAX_RECORD_FILE: u64 = 64 << 20;
/// Most bytes read from one zip export in all.
const MAX_ZIP_TOTAL: u64 = 8 << 30;

/// What one input path holds.
#[derive(Default)]
struct Input {
    records: Vec<Record>,
    malformed: Vec<String>,
    skipped: Vec<String>,
    snapshot: Option<String>,
    /// Index in `records` of each converted record, by id.
    converted: BTreeMap<String, usize>,
}

impl Input {
    fn newest(&mut self, date: Option<&str>) {
        // Dates before 1990 are placeholders (Go's git copy says 0001-01-01).
        if let Some(d) = date.filter(|d| d.get(..4).is_some_and(|y| y >= "1990")) {
            if self.snapshot.as_deref().is_none_or(|s| d > s) {
                self.snapshot = Some(d.to_string());
            }
        }
    }

    fn add_record(&mut self, r: Record) {
        self.newest(
            r.modified
                .as_deref()
                .or(r.published.as_deref())
                .map(|s| s.to_string())
                .as_deref(),
        );
        self.records.push(r);
    }

    /// One file's bytes, whatever kind of advisory file it is.
    fn add_file(&mut self, name: &str, bytes: &[u8]) {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            match osv::parse(bytes) {
                Ok(r) => self.add_record(r),
                Err(e) => self.malformed.push(format!("{name}: {e}")),
            }
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            let text = String::from_utf8_lossy(bytes);
            if text.contains("\ndistroversion:") || text.starts_with("distroversion:") {
                match feeds::alpine_secdb(&text, name) {
                    Ok(c) => self.add_converted(c),
                    Err(e) => self.malformed.push(e),
                }
            } else {
                match feeds::parse_yaml(bytes) {
                    Ok(r) => self.add_record(r),
                    Err(e) => self.malformed.push(format!("{name}: {e}")),
                }
            }
        } else if name.ends_with("DSA/list")
            || name.ends_with("DLA/list")
            || name.ends_with("DTSA/list")
        {
            self.add_converted(feeds::debian_tracker(&String::from_utf8_lossy(bytes), name));
        } else if lower.ends_with(".xml") {
            match feeds::azure_linux_oval(&String::from_utf8_lossy(bytes), name) {
                Ok(c) => self.add_converted(c),
                Err(e) => self.skipped.push(format!(
                    "{e} (of OVAL, only Azure Linux and CBL-Mariner files are read)"
                )),
            }
        }
    }

    /// Converted records of one feed: the same id from several files (one Alpine CVE in
    /// several releases) becomes one record listing every release.
    fn add_converted(&mut self, c: feeds::Converted) {
        self.newest(c.snapshot.as_deref());
        for r in c.records {
            match self.converted.get(&r.id) {
                Some(&i) => self.records[i].affected.extend(r.affected),
                None => {
                    self.converted.insert(r.id.clone(), self.records.len());
                    self.records.push(r);
                }
            }
        }
        self.skipped.extend(c.skipped);
    }

    fn add_zip(&mut self, path: &Path) -> anyhow::Result<()> {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
            .with_context(|| format!("{} is not a readable zip archive", path.display()))?;
        let mut total = 0u64;
        for i in 0..zip.len() {
            let mut entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    self.malformed
                        .push(format!("{}: entry {i}: {e}", path.display()));
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            let name = match entry.name() {
                Ok(n) => format!("{}!{n}", path.display()),
                Err(e) => {
                    self.malformed
                        .push(format!("{}: entry {i}: {e}", path.display()));
                    continue;
                }
            };
            let mut bytes = Vec::new();
            if let Err(e) = (&mut entry)
                .take(MAX_RECORD_FILE + 1)
                .read_to_end(&mut bytes)
            {
                self.malformed.push(format!("{name}: {e}"));
                continue;
            }
            if bytes.len() as u64 > MAX_RECORD_FILE {
                self.malformed
                    .push(format!("{name}: larger than {} MiB", MAX_RECORD_FILE >> 20));
                continue;
            }
            total += bytes.len() as u64;
            if total > MAX_ZIP_TOTAL {
                bail!(
                    "{} unpacks to more than {} GiB; is it really an OSV export?",
                    path.display(),
                    MAX_ZIP_TOTAL >> 30
                );
            }
            self.add_file(&name, &bytes);
        }
        Ok(())
    }
}

/// Files under `path` (a file or a folder, searched recursively, at most 16 deep), sorted.
fn files_under(path: &Path, depth: u32, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    if depth > 16 {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, depth + 1, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn read_input(path: &Path) -> anyhow::Result<Input> {
    let mut files = Vec::new();
    files_under(path, 0, &mut files).with_context(|| format!("cannot read {}", path.display()))?;
    let mut input = Input::default();
    for f in files {
        let name = f.to_string_lossy().replace('\\', "/");
        if name.to_ascii_lowercase().ends_with(".zip") {
            input.add_zip(&f)?;
            continue;
        }
        let meta = std::fs::metadata(&f).with_context(|| format!("cannot read {}", f.display()))?;
        if meta.len() > MAX_RECORD_FILE {
            input
                .malformed
                .push(format!("{name}: larger than {} MiB", MAX_RECORD_FILE >> 20));
            continue;
        }
        let bytes = std::fs::read(&f).with_context(|| format!("cannot read {}", f.display()))?;
        input.add_file(&name, &bytes);
    }
    Ok(input)
}

fn examples(list: &[String]) -> String {
    list.iter()
        .take(5)
        .map(|s| format!("\n      {s}"))
        .collect()
}

/// `tarsier bundle build`.
pub fn build(
    paths: &[PathBuf],
    out: &Path,
    built: Option<String>,
    key: Option<&Path>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let secret = key.map(read_key).transpose()?;
    let mut records = Vec::new();
    let mut sources = Vec::new();
    let mut malformed = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        // Each top-level folder of an input is its own source (PyPI/, Go/, alpine-secdb/ ...).
        let mut parts: Vec<PathBuf> = if p.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("cannot read {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            v.sort();
            v
        } else {
            vec![p.clone()]
        };
        if parts.iter().all(|x| x.is_file()) {
            parts = vec![p.clone()];
        }
        for part in parts {
            let input = read_input(&part)?;
            if input.records.is_empty() && input.malformed.is_empty() && input.skipped.is_empty() {
                continue;
            }
            sources.push(Source {
                name: part.display().to_string(),
                snapshot: input.snapshot.clone(),
                records: input.records.len() as u64,
            });
            records.extend(input.records);
            malformed.extend(input.malformed);
            skipped.extend(input.skipped);
        }
    }
    if records.is_empty() {
        bail!(
            "no advisory records found under {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let compiled = AdvisoryDb::compile(&records);
    if !compiled.problems.is_empty() {
        bail!(
            "{} records have versions their ecosystem cannot read; fix or remove them:\n  {}",
            compiled.problems.len(),
            compiled
                .problems
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
    let built = built.unwrap_or_else(crate::now_rfc3339);
    let bytes = bundle::write(&compiled, &built, &sources, secret.as_ref())?;
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let keys: Vec<[u8; 32]> = secret.iter().map(bundle::public_key).collect();
    let (header, db) = bundle::read(&bytes, Trust::SignatureOptional(&keys))?;
    let (main_z, main_raw, details_z, details_raw) = bundle::part_sizes(&bytes)?;
    println!(
        "wrote {} ({} bytes; records {main_z} compressed from {main_raw}, details {details_z} from {details_raw}; {} records, {} packages, {} distinct strings; {}) in {:.1} s",
        out.display(),
        bytes.len(),
        db.record_count(),
        db.package_count(),
        db.string_count(),
        header.signature,
        started.elapsed().as_secs_f64()
    );
    for (eco, n) in &header.counts {
        println!("  {eco:<14} {n}");
    }
    for s in &header.sources {
        println!(
            "  source {} ({} records, snapshot {})",
            s.name,
            s.records,
            s.snapshot.as_deref().unwrap_or("unknown")
        );
    }
    println!("  withdrawn records dropped: {}", compiled.withdrawn);
    println!(
        "  versions[] entries dropped (covered by ranges): {}",
        compiled.versions_dropped
    );
    if !compiled.unsupported_ecosystems.is_empty() {
        let list: Vec<String> = compiled
            .unsupported_ecosystems
            .iter()
            .map(|(e, n)| format!("{e} ×{n}"))
            .collect();
        println!(
            "  affected entries without a version scheme, left out: {}",
            list.join(", ")
        );
    }
    if !malformed.is_empty() {
        println!(
            "  malformed records skipped: {}{}",
            malformed.len(),
            examples(&malformed)
        );
    }
    if !skipped.is_empty() {
        println!(
            "  feed entries skipped: {}{}",
            skipped.len(),
            examples(&skipped)
        );
    }
    Ok(())
}

/// `tarsier bundle keygen`: a new ed25519 key pair, the secret in `out`, the public key in
/// `out.pub`.
pub fn keygen(out: &Path) -> anyhow::Result<()> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    let public = bundle::public_key(&secret);
    let pub_path = PathBuf::from(format!("{}.pub", out.display()));
    if out.exists() {
        bail!("{} exists; not overwriting a key", out.display());
    }
    std::fs::write(
        out,
        format!(
            "# tarsier bundle signing key (secret)\n{}\n",
            bundle::format_key(&secret)
        ),
    )
    .with_context(|| format!("cannot write {}", out.display()))?;
    std::fs::write(&pub_path, format!("{}\n", bundle::format_key(&public)))
        .with_context(|| format!("cannot write {}", pub_path.display()))?;
    println!(
        "secret key: {}\npublic key: {} ({})",
        out.display(),
        pub_path.display(),
        bundle::format_key(&public)
    );
    Ok(())
}

/// `tarsier bundle sign`.
pub fn sign(path: &Path, key: &Path) -> anyhow::Result<()> {
    let secret = read_key(key)?;
    let mut bytes =
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    bundle::sign(&mut bytes, &secret).with_context(|| format!("cannot sign {}", path.display()))?;
    std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "signed {} with key {}",
        path.display(),
        bundle::format_key(&bundle::public_key(&secret))
    );
    Ok(())
}

/// `tarsier bundle verify`: hashes, signature (required) and structure.
pub fn verify(path: &Path, key: Option<&Path>) -> anyhow::Result<()> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the bundle {}", path.display()))?;
    let keys = match key {
        Some(k) => vec![read_key(k)?],
        None => trusted_keys(None)?,
    };
    let started = Instant::now();
    let (header, db) = bundle::read(&bytes, Trust::SignatureRequired(&keys))
        .with_context(|| format!("the bundle {} was rejected", path.display()))?;
    println!(
        "{}: good (format {}, built {}, {} records, signed, sha256 {}); verified and loaded in {} ms",
        path.display(),
        header.format_version,
        header.built,
        db.record_count(),
        header.digest,
        started.elapsed().as_millis()
    );
    Ok(())
}

/// Where `bundle fetch` downloads from by default: OSV's public export bucket.
pub const OSV_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// Most bytes accepted for one ecosystem's `all.zip`.
const MAX_DOWNLOAD: u64 = 4 << 30;

/// `tarsier bundle fetch`: `{base}/{ecosystem}/all.zip` → `{out}/{ecosystem}/all.zip`.
pub fn fetch(ecosystems: &[String], out: &Path, base: &str) -> anyhow::Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(30 * 60)))
        .timeout_connect(Some(std::time::Duration::from_secs(30)))
        .build()
        .into();
    let mut sizes = BTreeMap::new();
    for eco in ecosystems
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
    {
        if eco.contains(['/', '\\']) || eco.starts_with('.') {
            bail!("{eco:?} is not an ecosystem name");
        }
        let url = format!(
            "{}/{}/all.zip",
            base.trim_end_matches('/'),
            percent_encode(eco)
        );
        let dir = out.join(eco);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let part = dir.join("all.zip.part");
        let mut response = agent
            .get(&url)
            .call()
            .with_context(|| format!("cannot download {url}"))?;
        let mut reader = response
            .body_mut()
            .with_config()
            .limit(MAX_DOWNLOAD)
            .reader();
        let mut file = std::fs::File::create(&part)
            .with_context(|| format!("cannot write {}", part.display()))?;
        let n = std::io::copy(&mut reader, &mut file)
            .with_context(|| format!("download of {url} failed"))?;
        drop(file);
        // Check it is a zip before it replaces a good earlier download.
        zip::ZipArchive::new(std::fs::File::open(&part)?)
            .with_context(|| format!("{url} did not send a zip archive"))?;
        std::fs::rename(&part, dir.join("all.zip"))?;
        println!("{eco:<14} {n:>12} bytes  {url}");
        sizes.insert(eco.to_string(), n);
    }
    println!(
        "fetched {} ecosystems into {}; build with: tarsier bundle build --osv {} --out FILE",
        sizes.len(),
        out.display(),
        out.display()
    );
    Ok(())
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
