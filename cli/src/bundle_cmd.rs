//! `tarsier bundle ...`: build, fetch, sign, verify advisory bundles, and make signing keys.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use scanner_core::advisory::bundle::{self, EpssInfo, Extras, Header, KevInfo, Source, Trust};
use scanner_core::advisory::db::{AdvisoryDb, Compiler};
use scanner_core::advisory::exploit;
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

/// What the build has read so far: records go straight into the compiler as each file is
/// parsed, so no more than one parsed record is held at a time.
struct Build {
    compiler: Compiler,
    /// Parsed records waiting to be compiled (see [`Build::add`]).
    pending: Vec<Record>,
    malformed: Vec<String>,
    skipped: Vec<String>,
    /// KEV catalogs and EPSS files found among the inputs or given with `--kev`/`--epss`.
    kev: Vec<(String, Vec<u8>)>,
    epss: Vec<(String, Vec<u8>)>,
}

/// Records parsed before they are compiled, at most.
const BATCH: usize = 512;

impl Build {
    /// Queues a parsed record and compiles the batch when it is full. Batches keep the
    /// heap compact: parsing's short-lived allocations then sit together and are freed
    /// together, instead of being interleaved with the compiler's long-lived strings, which
    /// with one record at a time fragmented the heap to three times the whole input.
    fn add(&mut self, r: Record) {
        self.pending.push(r);
        if self.pending.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for r in self.pending.drain(..) {
            self.compiler.add(r);
        }
    }
}

/// What one input path holds.
struct Input<'a> {
    build: &'a mut Build,
    records: u64,
    snapshot: Option<String>,
    /// Converted records of this input (Alpine secdb, Debian lists), merged by id across its
    /// files and compiled when the input ends.
    converted: Vec<Record>,
    converted_index: BTreeMap<String, usize>,
}

impl Input<'_> {
    fn newest(&mut self, date: Option<&str>) {
        // Dates before 1990 are placeholders (Go's git copy says 0001-01-01).
        if let Some(d) = date.filter(|d| d.get(..4).is_some_and(|y| y >= "1990")) {
            if self.snapshot.as_deref().is_none_or(|s| d > s) {
                self.snapshot = Some(d.to_string());
            }
        }
    }

    fn add_record(&mut self, r: Record) {
        let date = r.modified.clone().or_else(|| r.published.clone());
        self.newest(date.as_deref());
        self.records += 1;
        self.build.add(r);
    }

    /// One file's bytes, whatever kind of advisory file it is.
    fn add_file(&mut self, name: &str, bytes: &[u8]) {
        let lower = name.to_ascii_lowercase();
        if exploit::looks_like_epss(name, bytes) {
            self.build.epss.push((name.to_string(), bytes.to_vec()));
        } else if lower.ends_with(".json") {
            if exploit::looks_like_kev(bytes) {
                self.build.kev.push((name.to_string(), bytes.to_vec()));
                return;
            }
            match osv::parse(bytes) {
                Ok(r) => self.add_record(r),
                Err(e) => self.build.malformed.push(format!("{name}: {e}")),
            }
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            let text = String::from_utf8_lossy(bytes);
            if text.contains("\ndistroversion:") || text.starts_with("distroversion:") {
                match feeds::alpine_secdb(&text, name) {
                    Ok(c) => self.add_converted(c),
                    Err(e) => self.build.malformed.push(e),
                }
            } else {
                match feeds::parse_yaml(bytes) {
                    Ok(r) => self.add_record(r),
                    Err(e) => self.build.malformed.push(format!("{name}: {e}")),
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
                Err(e) => self.build.skipped.push(format!(
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
            match self.converted_index.get(&r.id) {
                Some(&i) => self.converted[i].affected.extend(r.affected),
                None => {
                    self.converted_index
                        .insert(r.id.clone(), self.converted.len());
                    self.converted.push(r);
                }
            }
        }
        self.build.skipped.extend(c.skipped);
    }

    /// Compiles the converted records once every file of the input is read.
    fn finish(mut self) -> (u64, Option<String>) {
        for r in std::mem::take(&mut self.converted) {
            self.records += 1;
            self.build.add(r);
        }
        self.build.flush();
        (self.records, self.snapshot)
    }

    fn add_zip(&mut self, path: &Path) -> anyhow::Result<()> {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
            .with_context(|| format!("{} is not a readable zip archive", path.display()))?;
        let mut total = 0u64;
        // One output buffer and one inflater for every entry: a fresh 32 KiB inflate window
        // per record, freed between the compiler's small long-lived allocations, fragmented
        // the heap to several times the data (1 GB for osv.dev's Debian export).
        let mut bytes = Vec::with_capacity(1 << 20);
        let mut raw = Vec::with_capacity(1 << 20);
        let mut inflater = flate2::Decompress::new(false);
        for i in 0..zip.len() {
            let mut entry = match zip.by_index_raw(i) {
                Ok(e) => e,
                Err(e) => {
                    self.build
                        .malformed
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
                    self.build
                        .malformed
                        .push(format!("{}: entry {i}: {e}", path.display()));
                    continue;
                }
            };
            if entry.size() > MAX_RECORD_FILE || entry.compressed_size() > MAX_RECORD_FILE {
                self.build
                    .malformed
                    .push(format!("{name}: larger than {} MiB", MAX_RECORD_FILE >> 20));
                continue;
            }
            let (crc, method) = (entry.crc32(), entry.compression());
            raw.clear();
            if let Err(e) = (&mut entry).take(MAX_RECORD_FILE + 1).read_to_end(&mut raw) {
                self.build.malformed.push(format!("{name}: {e}"));
                continue;
            }
            drop(entry);
            bytes.clear();
            let unpacked = match method {
                zip::CompressionMethod::Stored => {
                    bytes.extend_from_slice(&raw);
                    Ok(())
                }
                zip::CompressionMethod::Deflated => inflate(&mut inflater, &raw, &mut bytes),
                other => Err(format!("compressed with {other}, which is not read")),
            };
            if let Err(e) = unpacked {
                self.build.malformed.push(format!("{name}: {e}"));
                continue;
            }
            let mut check = flate2::Crc::new();
            check.update(&bytes);
            if check.sum() != crc {
                self.build.malformed.push(format!(
                    "{name}: its CRC-32 does not match; the zip is damaged"
                ));
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

/// Inflates one raw-deflate zip entry into `out` (at most [`MAX_RECORD_FILE`] bytes).
fn inflate(
    inflater: &mut flate2::Decompress,
    input: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), String> {
    inflater.reset(false);
    loop {
        if out.len() == out.capacity() {
            if out.len() as u64 > MAX_RECORD_FILE {
                return Err(format!("larger than {} MiB", MAX_RECORD_FILE >> 20));
            }
            out.reserve(out.len().max(64 << 10));
        }
        let consumed = inflater.total_in() as usize;
        let rest = input.get(consumed..).unwrap_or(&[]);
        let status = inflater
            .decompress_vec(rest, out, flate2::FlushDecompress::Finish)
            .map_err(|e| format!("not valid deflate data: {e}"))?;
        match status {
            flate2::Status::StreamEnd => return Ok(()),
            flate2::Status::Ok => {}
            flate2::Status::BufError => {
                if out.len() < out.capacity() {
                    return Err("its deflate data ends early; the zip is truncated".into());
                }
            }
        }
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

/// Reads one input (a file or folder) into the build; returns its record count and snapshot.
fn read_input(path: &Path, build: &mut Build) -> anyhow::Result<(u64, Option<String>)> {
    let mut files = Vec::new();
    files_under(path, 0, &mut files).with_context(|| format!("cannot read {}", path.display()))?;
    let mut input = Input {
        build,
        records: 0,
        snapshot: None,
        converted: Vec::new(),
        converted_index: BTreeMap::new(),
    };
    for f in files {
        let name = f.to_string_lossy().replace('\\', "/");
        if name.to_ascii_lowercase().ends_with(".zip") {
            input.add_zip(&f)?;
            continue;
        }
        let meta = std::fs::metadata(&f).with_context(|| format!("cannot read {}", f.display()))?;
        if meta.len() > MAX_RECORD_FILE {
            input
                .build
                .malformed
                .push(format!("{name}: larger than {} MiB", MAX_RECORD_FILE >> 20));
            continue;
        }
        let bytes = std::fs::read(&f).with_context(|| format!("cannot read {}", f.display()))?;
        input.add_file(&name, &bytes);
    }
    Ok(input.finish())
}

fn examples(list: &[String]) -> String {
    list.iter()
        .take(5)
        .map(|s| format!("\n      {s}"))
        .collect()
}

/// What compiling said, kept for the build report once the compiled database is dropped.
struct CompileSummary {
    duplicates: usize,
    withdrawn: usize,
    unmatchable: usize,
    versions_dropped: usize,
    unsupported_ecosystems: BTreeMap<String, u64>,
    problems: Vec<String>,
}

impl CompileSummary {
    fn of(c: &scanner_core::advisory::db::Compiled) -> CompileSummary {
        CompileSummary {
            duplicates: c.duplicates,
            withdrawn: c.withdrawn,
            unmatchable: c.unmatchable,
            versions_dropped: c.versions_dropped,
            unsupported_ecosystems: c.unsupported_ecosystems.clone(),
            problems: c.problems.clone(),
        }
    }
}

/// What `bundle build` is asked to do.
pub struct BuildArgs<'a> {
    pub paths: &'a [PathBuf],
    pub out: &'a Path,
    pub built: Option<String>,
    pub key: Option<&'a Path>,
    pub kev: Option<&'a Path>,
    pub epss: Option<&'a Path>,
    /// The EPSS scores' date when the file does not say (FIRST's own files do).
    pub epss_date: Option<String>,
}

/// `tarsier bundle build`.
pub fn build(args: BuildArgs<'_>) -> anyhow::Result<()> {
    let started = Instant::now();
    let secret = args.key.map(read_key).transpose()?;
    let mut build = Build {
        compiler: Compiler::new(),
        pending: Vec::with_capacity(BATCH),
        malformed: Vec::new(),
        skipped: Vec::new(),
        kev: Vec::new(),
        epss: Vec::new(),
    };
    for (flag, path, list) in [
        ("--kev", args.kev, &mut build.kev),
        ("--epss", args.epss, &mut build.epss),
    ] {
        if let Some(p) = path {
            let bytes =
                std::fs::read(p).with_context(|| format!("cannot read {flag} {}", p.display()))?;
            list.push((p.display().to_string(), bytes));
        }
    }
    let mut sources = Vec::new();
    let mut total_records = 0u64;
    for p in args.paths {
        if !p.exists() {
            bail!("{} does not exist", p.display());
        }
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
            let (records, snapshot) = read_input(&part, &mut build)?;
            if records == 0 {
                continue;
            }
            total_records += records;
            sources.push(Source {
                name: part.display().to_string(),
                snapshot,
                records,
            });
        }
    }
    if total_records == 0 {
        bail!(
            "no advisory records found under {}",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if build.kev.len() > 1 || build.epss.len() > 1 {
        bail!(
            "more than one KEV catalog or EPSS file among the inputs ({}); give one of each",
            build
                .kev
                .iter()
                .chain(build.epss.iter())
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut extras = Extras::default();
    let mut kev_entries = Vec::new();
    if let Some((name, bytes)) = build.kev.pop() {
        let (catalog, skipped) =
            exploit::parse_kev(&bytes).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        build
            .skipped
            .extend(skipped.into_iter().map(|s| format!("{name}: {s}")));
        extras.kev = Some(KevInfo {
            catalog_version: catalog.version,
            released: catalog.released,
            catalog_entries: catalog.entries.len() as u64,
            entries: 0,
        });
        kev_entries = catalog.entries;
    }
    let mut epss_scores = Vec::new();
    if let Some((name, bytes)) = build.epss.pop() {
        let cves = build.compiler.cves();
        let scores = exploit::parse_epss(&bytes, |c| cves.contains(c))
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        extras.epss = Some(EpssInfo {
            model_version: scores.model_version,
            score_date: scores.score_date.or(args.epss_date.clone()),
            rows: scores.rows,
            scores: 0,
        });
        epss_scores = scores.scores;
    }
    let compiled = build.compiler.finish(&kev_entries, &epss_scores);
    drop(kev_entries);
    drop(epss_scores);
    if let Some(k) = extras.kev.as_mut() {
        k.entries = compiled.kev as u64;
    }
    if let Some(e) = extras.epss.as_mut() {
        e.scores = compiled.epss as u64;
    }
    let built = args.built.unwrap_or_else(crate::now_rfc3339);
    let bytes = bundle::write(&compiled, &built, &sources, &extras, secret.as_ref())?;
    std::fs::write(args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let summary = CompileSummary::of(&compiled);
    // Read the bundle back as a user will, with the compiled copy gone (peak memory).
    drop(compiled);
    let keys: Vec<[u8; 32]> = secret.iter().map(bundle::public_key).collect();
    let (header, db) = bundle::read(&bytes, Trust::SignatureOptional(&keys))?;
    let (record_count, package_count, string_count) =
        (db.record_count(), db.package_count(), db.string_count());
    drop(db);
    let (main_z, main_raw, details_z, details_raw) = bundle::part_sizes(&bytes)?;
    println!(
        "wrote {} ({} bytes; records {main_z} compressed from {main_raw}, details {details_z} from {details_raw}; {record_count} records, {package_count} packages, {string_count} distinct strings; {}) in {:.1} s",
        args.out.display(),
        bytes.len(),
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
    match &header.kev {
        Some(k) => println!(
            "  KEV catalog {} (released {}): {} of its {} entries are CVEs of these records",
            k.catalog_version, k.released, k.entries, k.catalog_entries
        ),
        None => println!("  KEV catalog: none (give one with --kev FILE)"),
    }
    match &header.epss {
        Some(e) => println!(
            "  EPSS scores{}{}: {} of its {} rows are CVEs of these records",
            e.model_version
                .as_deref()
                .map(|m| format!(" (model {m})"))
                .unwrap_or_default(),
            e.score_date
                .as_deref()
                .map(|d| format!(" of {d}"))
                .unwrap_or_else(|| " (date unknown: give --epss-date)".into()),
            e.scores,
            e.rows
        ),
        None => println!("  EPSS scores: none (give them with --epss FILE)"),
    }
    println!(
        "  records read: {total_records}; older revisions of the same id replaced: {}",
        summary.duplicates
    );
    println!("  withdrawn records dropped: {}", summary.withdrawn);
    println!(
        "  records with nothing to match (GIT ranges only, or ecosystems without a version scheme), used only to rate records sharing their ids: {}",
        summary.unmatchable
    );
    println!(
        "  versions[] entries dropped (covered by ranges): {}",
        summary.versions_dropped
    );
    if !summary.unsupported_ecosystems.is_empty() {
        let list: Vec<String> = summary
            .unsupported_ecosystems
            .iter()
            .map(|(e, n)| format!("{e} ×{n}"))
            .collect();
        println!(
            "  affected entries without a version scheme, left out: {}",
            list.join(", ")
        );
    }
    println!(
        "  affected entries skipped (a version their ecosystem cannot read): {}{}",
        summary.problems.len(),
        examples(&summary.problems)
    );
    println!(
        "  malformed records skipped: {}{}",
        build.malformed.len(),
        examples(&build.malformed)
    );
    if !build.skipped.is_empty() {
        println!(
            "  feed entries skipped: {}{}",
            build.skipped.len(),
            examples(&build.skipped)
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

/// Where `bundle fetch` downloads the CISA KEV catalog from by default.
pub const KEV_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
/// Where `bundle fetch` downloads FIRST's EPSS scores from by default (the daily file).
pub const EPSS_URL: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";

/// Downloads `url` to `dest` through a `.part` file that `check` must accept first, so a bad
/// download never replaces a good earlier one. Returns the bytes written.
fn download(
    agent: &ureq::Agent,
    url: &str,
    dest: &Path,
    check: impl Fn(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let part = PathBuf::from(format!("{}.part", dest.display()));
    let mut response = agent
        .get(url)
        .call()
        .with_context(|| format!("cannot download {url}"))?;
    let mut reader = response
        .body_mut()
        .with_config()
        .limit(MAX_DOWNLOAD)
        .reader();
    let mut file =
        std::fs::File::create(&part).with_context(|| format!("cannot write {}", part.display()))?;
    let n = std::io::copy(&mut reader, &mut file)
        .with_context(|| format!("download of {url} failed"))?;
    drop(file);
    if let Err(e) = check(&part) {
        std::fs::remove_file(&part).ok();
        return Err(e.context(format!("{url} did not send what was expected")));
    }
    std::fs::rename(&part, dest)?;
    Ok(n)
}

/// What `bundle fetch` downloads besides the OSV exports.
pub struct ExploitUrls<'a> {
    /// The KEV catalog's URL, or `None` to skip it.
    pub kev: Option<&'a str>,
    /// The EPSS CSV's URL, or `None` to skip it.
    pub epss: Option<&'a str>,
}

/// `tarsier bundle fetch`: `{base}/{ecosystem}/all.zip` → `{out}/{ecosystem}/all.zip`, then the
/// KEV catalog → `{out}/kev/known_exploited_vulnerabilities.json` and the EPSS scores →
/// `{out}/epss/epss_scores.csv.gz` (which `bundle build --osv {out}` finds by themselves).
pub fn fetch(
    ecosystems: &[String],
    out: &Path,
    base: &str,
    exploit_urls: ExploitUrls<'_>,
) -> anyhow::Result<()> {
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
        let n = download(&agent, &url, &out.join(eco).join("all.zip"), |part| {
            zip::ZipArchive::new(std::fs::File::open(part)?)
                .map(|_| ())
                .context("not a zip archive")
        })?;
        println!("{eco:<14} {n:>12} bytes  {url}");
        sizes.insert(eco.to_string(), n);
    }
    if let Some(url) = exploit_urls.kev {
        let n = download(
            &agent,
            url,
            &out.join("kev").join("known_exploited_vulnerabilities.json"),
            |part| {
                let bytes = std::fs::read(part)?;
                let (catalog, _) = exploit::parse_kev(&bytes).map_err(anyhow::Error::msg)?;
                println!(
                    "KEV catalog {} with {} entries",
                    catalog.version,
                    catalog.entries.len()
                );
                Ok(())
            },
        )?;
        println!("{:<14} {n:>12} bytes  {url}", "KEV");
    }
    if let Some(url) = exploit_urls.epss {
        let n = download(
            &agent,
            url,
            &out.join("epss").join("epss_scores.csv.gz"),
            |part| {
                let bytes = std::fs::read(part)?;
                if !bytes.starts_with(&[0x1f, 0x8b]) {
                    bail!("not gzipped (EPSS scores are published as .csv.gz)");
                }
                let scores = exploit::parse_epss(&bytes, |_| false).map_err(anyhow::Error::msg)?;
                println!(
                    "EPSS scores of {} for {} CVEs",
                    scores.score_date.as_deref().unwrap_or("an unknown date"),
                    scores.rows
                );
                Ok(())
            },
        )?;
        println!("{:<14} {n:>12} bytes  {url}", "EPSS");
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
