//! `tarsier`: the command-line face of scanner-core, for CI pipelines and our own tests.
//!
//! Argument parsing and output only; all scanning logic lives in `scanner-core`, the same code
//! the web page runs in its workers.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bundle_cmd;
use scanner_core::extract::Selector;
use scanner_core::layer::{FileSelector, LayerScan};
use scanner_core::source::reader::{BlockSource, ChunkSizes, ChunkedReader};
use scanner_core::summary::human_bytes;
use scanner_core::{ImageError, ImageScan, ImageSummary, InspectOptions, Limits};

#[derive(Parser)]
#[command(
    name = "tarsier",
    version,
    about = "Scan container image archives, privately."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Summarise an image archive: format, tags, config digest, platform, layers and history.
    Inspect {
        /// A `docker save` tarball or an OCI archive.
        image: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Which image to read when the archive holds several (name, digest or platform).
        #[arg(long = "image", value_name = "REF")]
        image_ref: Option<String>,
    },
    /// Advisory bundles.
    Bundle {
        #[command(subcommand)]
        command: BundleCommand,
    },
    /// Scan an image: read every layer, squash them into the final filesystem, and report.
    Scan {
        /// A `docker save` tarball or an OCI archive (also gzip/zstd-compressed as a whole).
        image: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Which image to read when the archive holds several (name, digest or platform).
        #[arg(long = "image", value_name = "REF")]
        image_ref: Option<String>,
        /// Layers read at once (default: the number of CPUs, at most 8).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// List every file of the final filesystem with the layer that wrote it.
        #[arg(long)]
        list_files: bool,
        /// Match packages against this advisory bundle (`tarsier bundle build`) and report findings.
        #[arg(long, value_name = "FILE")]
        bundle: Option<PathBuf>,
        /// Also trust bundles signed by this public key (besides the built-in one).
        #[arg(long, value_name = "KEYFILE")]
        trust_key: Option<PathBuf>,
        /// Print how long loading the bundle and matching took, on stderr.
        #[arg(long)]
        timings: bool,
        /// With `--format link`: the site's address, put before the `#` (e.g.
        /// `https://tarsier.example/`).
        #[arg(long, value_name = "URL")]
        site: Option<String>,
        #[command(flatten)]
        limits: LimitArgs,
    },
}

#[derive(Subcommand)]
enum BundleCommand {
    /// Build an advisory bundle from OSV records (JSON or YAML files, OSV `all.zip` exports) and
    /// the Alpine secdb and Debian DSA/DLA feeds, found by searching the paths recursively. A
    /// CISA KEV catalog (JSON) and an EPSS CSV found among them are used as `--kev`/`--epss`.
    Build {
        /// Folders, files or zip exports of advisories (several after one flag, or the flag
        /// repeated).
        #[arg(long = "osv", value_name = "PATH", required = true, num_args = 1..)]
        osv: Vec<PathBuf>,
        /// The CISA Known Exploited Vulnerabilities catalog (its JSON).
        #[arg(long, value_name = "FILE")]
        kev: Option<PathBuf>,
        /// FIRST EPSS scores: CSV `cve,epss,percentile`, gzipped or not.
        #[arg(long, value_name = "FILE")]
        epss: Option<PathBuf>,
        /// The EPSS scores' date, for files without FIRST's `#model_version:...,score_date:...`
        /// line.
        #[arg(long, value_name = "DATE")]
        epss_date: Option<String>,
        /// Where to write the bundle.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Build time to record (RFC 3339); defaults to now.
        #[arg(long, value_name = "TIME")]
        built: Option<String>,
        /// Sign the bundle with this secret key (`tarsier bundle keygen`).
        #[arg(long, value_name = "KEYFILE")]
        sign: Option<PathBuf>,
    },
    /// Download OSV's per-ecosystem exports (`<ECOSYSTEM>/all.zip`) for `bundle build`.
    Fetch {
        /// Comma-separated OSV ecosystem names, e.g. Debian,Alpine,PyPI,npm,Go,crates.io.
        #[arg(long, value_name = "LIST", value_delimiter = ',', required = true)]
        ecosystems: Vec<String>,
        /// Folder to download into (one subfolder per ecosystem).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Where the exports are served.
        #[arg(long, value_name = "URL", default_value = bundle_cmd::OSV_BASE_URL)]
        base_url: String,
        /// Where the CISA KEV catalog (JSON) is served.
        #[arg(long, value_name = "URL", default_value = bundle_cmd::KEV_URL)]
        kev_url: String,
        /// Where FIRST's EPSS scores (`.csv.gz`) are served.
        #[arg(long, value_name = "URL", default_value = bundle_cmd::EPSS_URL)]
        epss_url: String,
        /// Download only the OSV exports, not the KEV catalog and EPSS scores.
        #[arg(long)]
        no_exploit_data: bool,
    },
    /// Sign a bundle in place with an ed25519 secret key.
    Sign {
        bundle: PathBuf,
        #[arg(long, value_name = "KEYFILE")]
        key: PathBuf,
    },
    /// Check a bundle's hashes, signature and structure.
    Verify {
        bundle: PathBuf,
        /// The public key to check against (default: the key this build trusts).
        #[arg(long, value_name = "KEYFILE")]
        key: Option<PathBuf>,
    },
    /// Write the small JSON manifest a site serves beside its bundle (`advisories.json`): the
    /// page fetches it to learn whether a newer bundle is there before downloading it.
    Manifest {
        bundle: PathBuf,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Make a new signing key pair: FILE (secret) and FILE.pub (public).
    Keygen {
        #[arg(value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A table for terminals.
    Table,
    /// tarsier's own JSON report (docs/report-schema.md).
    Json,
    /// CycloneDX 1.6 JSON: components with purls, and the vulnerabilities.
    Cyclonedx,
    /// SPDX 2.3 JSON: the packages.
    Spdx,
    /// SARIF 2.1.0: findings as results, for code-scanning dashboards.
    Sarif,
    /// CSV: one line per finding.
    Csv,
    /// A share link (docs/share-links.md): `#r1.…`, after `--site` when given. The page
    /// reopens it offline and re-matches it against its own bundle.
    Link,
}

/// The scan limits (see `scanner_core::Limits` for what each guards against).
#[derive(clap::Args)]
struct LimitArgs {
    /// Most tar entries read from one layer.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_entries_per_layer)]
    max_entries: u64,
    /// Most uncompressed bytes read from one layer (stops decompression bombs).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_layer_bytes)]
    max_layer_bytes: u64,
    /// Largest single file an extractor may read.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_captured_file)]
    max_file_bytes: u64,
    /// Most bytes extractors may read from one layer.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_captured_total)]
    max_captured_bytes: u64,
    /// Most symlinks followed when resolving one path.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_link_depth)]
    max_link_depth: u32,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_entries_per_layer: self.max_entries,
            max_layer_bytes: self.max_layer_bytes,
            max_captured_file: self.max_file_bytes,
            max_captured_total: self.max_captured_bytes,
            max_link_depth: self.max_link_depth,
        }
    }
}

/// A local file as a [`BlockSource`].
struct FileSource {
    file: File,
    len: u64,
}

impl BlockSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.file.seek(SeekFrom::Start(offset))?;
        self.file.read(buf)
    }
}

fn open(path: &Path) -> io::Result<ChunkedReader<FileSource>> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::other("it is a directory, not a file"));
    }
    Ok(ChunkedReader::new(
        FileSource {
            file,
            len: meta.len(),
        },
        ChunkSizes::NATIVE,
    ))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Bundle { command } => {
            let result = match command {
                BundleCommand::Build {
                    osv,
                    kev,
                    epss,
                    epss_date,
                    out,
                    built,
                    sign,
                } => bundle_cmd::build(bundle_cmd::BuildArgs {
                    paths: &osv,
                    out: &out,
                    built,
                    key: sign.as_deref(),
                    kev: kev.as_deref(),
                    epss: epss.as_deref(),
                    epss_date,
                }),
                BundleCommand::Fetch {
                    ecosystems,
                    out,
                    base_url,
                    kev_url,
                    epss_url,
                    no_exploit_data,
                } => bundle_cmd::fetch(
                    &ecosystems,
                    &out,
                    &base_url,
                    bundle_cmd::ExploitUrls {
                        kev: (!no_exploit_data).then_some(kev_url.as_str()),
                        epss: (!no_exploit_data).then_some(epss_url.as_str()),
                    },
                ),
                BundleCommand::Sign { bundle, key } => bundle_cmd::sign(&bundle, &key),
                BundleCommand::Verify { bundle, key } => {
                    bundle_cmd::verify(&bundle, key.as_deref())
                }
                BundleCommand::Manifest { bundle, out } => bundle_cmd::manifest(&bundle, &out),
                BundleCommand::Keygen { out } => bundle_cmd::keygen(&out),
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Inspect {
            image,
            json,
            image_ref,
        } => {
            let mut reader = match open(&image) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: cannot open {}: {e}", image.display());
                    return ExitCode::from(2);
                }
            };
            let options = InspectOptions { image: image_ref };
            match scanner_core::inspect(&mut reader, &options, &mut |_| {}) {
                Ok(summary) => {
                    let out = if json {
                        serde_json::to_string_pretty(&summary).map(|s| s + "\n")
                    } else {
                        Ok(render_table(&summary))
                    };
                    match out {
                        Ok(text) => {
                            // A closed pipe (`| head`) is not an error worth a message.
                            let _ = io::stdout().write_all(text.as_bytes());
                            ExitCode::SUCCESS
                        }
                        Err(e) => {
                            eprintln!("error: {e}");
                            ExitCode::FAILURE
                        }
                    }
                }
                Err(e) => {
                    report_error(&image, &e);
                    ExitCode::FAILURE
                }
            }
        }
        Command::Scan {
            image,
            format,
            image_ref,
            jobs,
            list_files,
            limits,
            bundle,
            trust_key,
            timings,
            site,
        } => {
            let t0 = std::time::Instant::now();
            let advisories = match bundle
                .as_deref()
                .map(|b| bundle_cmd::load(b, trust_key.as_deref()))
                .transpose()
            {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    return ExitCode::from(2);
                }
            };
            let load_ms = t0.elapsed().as_secs_f64() * 1000.0;
            if let Err(e) = File::open(&image) {
                eprintln!("error: cannot open {}: {e}", image.display());
                return ExitCode::from(2);
            }
            let options = InspectOptions { image: image_ref };
            let jobs = jobs.unwrap_or_else(default_jobs);
            match scan_parallel(
                &image,
                &options,
                &limits.limits(),
                &Selector::default(),
                jobs,
            ) {
                Ok(scan) => {
                    let mut report = scanner_core::Report::from_scan(&scan, list_files);
                    if let Some((header, db)) = &advisories {
                        let t1 = std::time::Instant::now();
                        report.add_findings(header.clone(), db);
                        if timings {
                            eprintln!(
                                "timings: bundle read, verified and loaded in {:.1} ms ({} records); {} packages matched in {:.2} ms ({} findings)",
                                load_ms,
                                db.record_count(),
                                report.packages.len(),
                                t1.elapsed().as_secs_f64() * 1000.0,
                                report.findings.len()
                            );
                        }
                    }
                    let text = match format {
                        Format::Json => match serde_json::to_string_pretty(&report) {
                            Ok(s) => s + "\n",
                            Err(e) => {
                                eprintln!("error: {e}");
                                return ExitCode::FAILURE;
                            }
                        },
                        Format::Cyclonedx | Format::Spdx | Format::Sarif => {
                            use scanner_core::export;
                            let ctx = export::ExportContext {
                                timestamp: now_rfc3339(),
                                tool_version: env!("CARGO_PKG_VERSION").to_string(),
                            };
                            let doc = match format {
                                Format::Cyclonedx => export::cyclonedx(&report, &ctx),
                                Format::Spdx => export::spdx(&report, &ctx),
                                _ => export::sarif(&report, &ctx),
                            };
                            match serde_json::to_string_pretty(&doc) {
                                Ok(s) => s + "\n",
                                Err(e) => {
                                    eprintln!("error: {e}");
                                    return ExitCode::FAILURE;
                                }
                            }
                        }
                        Format::Csv => scanner_core::export::csv(&report),
                        Format::Link => {
                            let payload =
                                scanner_core::share::SharedReport::from_report(&report).encode();
                            format!("{}#{payload}\n", site.as_deref().unwrap_or(""))
                        }
                        Format::Table => {
                            let mut t = render_scan_table(&scan);
                            if report.bundle.is_some() {
                                t.push_str(&render_findings(&report));
                            }
                            if list_files {
                                t.push_str("\nLAYER  PATH\n");
                                for (path, node) in scan.tree.iter() {
                                    t.push_str(&format!("{:<6} /{path}\n", node.layer));
                                }
                            }
                            t
                        }
                    };
                    let _ = io::stdout().write_all(text.as_bytes());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    report_error(&image, &e);
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Plans with one reader, walks layers on `jobs` threads (each with its own file handle), and
/// assembles. Archives compressed as a whole are streamed on one thread.
fn scan_parallel(
    path: &Path,
    options: &InspectOptions,
    limits: &Limits,
    selector: &(dyn FileSelector + Sync),
    jobs: usize,
) -> Result<ImageScan, ImageError> {
    let mut reader = open(path)?;
    let plan = match scanner_core::plan(&mut reader, options, &mut |_| {}) {
        Ok(plan) => plan,
        Err(ImageError::CompressedArchive { .. }) => {
            return scanner_core::scan_image(&mut reader, options, limits, selector, &mut |_| {});
        }
        Err(e) => return Err(e),
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<LayerScan>>> =
        std::sync::Mutex::new(vec![None; plan.jobs.len()]);
    let threads = jobs.clamp(1, plan.jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut reader = open(path).ok();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(job) = plan.jobs.get(i) else { break };
                    let scan = match reader.as_mut() {
                        Some(r) => scanner_core::scan_layer(r, job, limits, selector),
                        None => LayerScan {
                            warnings: vec![
                                "could not open the archive again to read this layer".into()
                            ],
                            ..LayerScan::default()
                        },
                    };
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(scan);
                    }
                }
            });
        }
    });
    let scans = results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    Ok(scanner_core::assemble(plan, scans, limits))
}

fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8)
}

fn render_scan_table(s: &ImageScan) -> String {
    let mut out = render_table(&s.summary);
    match &s.distro {
        Some(d) => {
            let name = d
                .pretty_name
                .clone()
                .unwrap_or_else(|| format!("{} {}", d.id, d.version));
            let eol = match &d.eol {
                Some(e) if e.end_of_life => {
                    format!("  END OF LIFE since {} (table of {})", e.date, e.table_date)
                }
                Some(e) => format!("  supported until {} (table of {})", e.date, e.table_date),
                None => String::new(),
            };
            out.push_str(&format!("\nDISTRO {name}{eol}\n"));
        }
        None => out.push_str("\nDISTRO unknown (no os-release)\n"),
    }
    out.push_str(&format!(
        "\nFILES  {} paths in the final filesystem\n",
        s.tree.len()
    ));
    out.push_str(&format!("\nPACKAGES  {}\n", s.packages.len()));
    if !s.packages.is_empty() {
        out.push_str(
            "NAME                                VERSION                        LAYER  SOURCE\n",
        );
        for p in &s.packages {
            out.push_str(&format!(
                "{:<35} {:<30} {:<6} {}\n",
                p.name, p.version, p.layer, p.found_by
            ));
        }
    }
    out.push_str("\nLAYER  ENTRIES   ADDED  CHANGED  REMOVED  UNCOMPRESSED\n");
    for l in &s.summary.layers {
        if let Some(c) = &l.changes {
            out.push_str(&format!(
                "{:<6} {:>7} {:>7} {:>8} {:>8}  {}\n",
                l.index,
                c.entries,
                c.added,
                c.changed,
                c.removed,
                human_bytes(c.tar_bytes)
            ));
        }
    }
    out
}

pub(crate) fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn render_findings(r: &scanner_core::Report) -> String {
    let kev = r.findings.iter().filter(|f| f.kev.is_some()).count();
    let mut out = format!("\nFINDINGS  {} ({kev} known exploited)", r.findings.len());
    if let Some(h) = &r.bundle {
        out.push_str(&format!("  (bundle built {}", h.built));
        if let Some(k) = &h.kev {
            out.push_str(&format!("; KEV {}", k.catalog_version));
        }
        if let Some(e) = &h.epss {
            out.push_str(&format!(
                "; EPSS {}",
                e.score_date.as_deref().unwrap_or("of unknown date")
            ));
        }
        out.push(')');
    }
    out.push_str("\nin risk order: known exploited first, then EPSS >= 10 %, then severity\n");
    if !r.findings.is_empty() {
        out.push_str("SEVERITY  RATED BY  CVSS  EPSS    KEV  ID                   PACKAGE                   INSTALLED            FIXED IN             LAYER\n");
    }
    for f in &r.findings {
        let fixed = if f.fixed_versions.is_empty() {
            "(no fix yet)".to_string()
        } else {
            f.fixed_versions.join(", ")
        };
        let note = if f.not_applicable {
            "  [not applicable to containers]"
        } else {
            ""
        };
        let cvss = f.score.map_or("-".to_string(), |s| format!("{s:.1}"));
        let epss = f
            .epss
            .map_or("-".to_string(), |e| format!("{:.1}%", e.score * 100.0));
        let kev = if f.kev.as_ref().is_some_and(|k| k.known_ransomware) {
            "KEV!"
        } else if f.kev.is_some() {
            "KEV"
        } else {
            "-"
        };
        let source = if f.severity_source.is_empty() {
            "-"
        } else {
            f.severity_source.as_str()
        };
        out.push_str(&format!(
            "{:<9} {:<9} {:<5} {:<7} {:<4} {:<20} {:<25} {:<20} {:<20} {}{note}\n",
            f.severity.as_str(),
            source,
            cvss,
            epss,
            kev,
            f.id,
            f.package_name,
            f.installed_version,
            fixed,
            f.layer
        ));
    }
    if kev > 0 {
        out.push_str(
            "KEV: in CISA's Known Exploited Vulnerabilities catalog (KEV!: known ransomware use)\n",
        );
    }
    out
}

fn report_error(path: &Path, e: &ImageError) {
    eprintln!("error: {}: {e}", path.display());
    eprintln!("hint: {}", e.hint());
}

fn short_digest(d: &str) -> &str {
    let hex_start = d.find(':').map(|i| i + 1).unwrap_or(0);
    &d[..(hex_start + 12).min(d.len())]
}

fn one_line(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

fn render_table(s: &ImageSummary) -> String {
    let mut out = String::new();
    let tags = if s.tags.is_empty() {
        "(untagged)".to_string()
    } else {
        s.tags.join(", ")
    };
    let rows = [
        ("Image", tags),
        ("Format", format!("{} — {}", s.format.as_str(), s.layout)),
        ("Config digest", s.config_digest.clone()),
        ("Platform", s.platform()),
        (
            "Created",
            s.created.clone().unwrap_or_else(|| "unknown".into()),
        ),
        (
            "Layers",
            format!("{} ({})", s.layers.len(), human_bytes(s.total_layer_size())),
        ),
        ("Archive size", human_bytes(s.archive_size)),
    ];
    for (k, v) in rows {
        out.push_str(&format!("{k:<14} {v}\n"));
    }
    if s.images.len() > 1 {
        out.push_str(&format!("{:<14} {}\n", "In archive", s.images.join(", ")));
    }
    out.push_str("\nLAYER  DIGEST               SIZE       COMPRESSION  CREATED BY\n");
    for l in &s.layers {
        out.push_str(&format!(
            "{:<6} {:<20} {:<10} {:<12} {}\n",
            l.index,
            short_digest(&l.digest),
            human_bytes(l.size),
            l.compression,
            one_line(l.created_by.as_deref().unwrap_or(""), 70)
        ));
    }
    out.push_str("\nHISTORY\n");
    for (i, h) in s.history.iter().enumerate() {
        let marker = match h.layer {
            Some(l) => format!("layer {l}"),
            None if h.empty_layer => "empty".to_string(),
            None => "-".to_string(),
        };
        out.push_str(&format!(
            "{:>3}  {:<8} {}\n",
            i,
            marker,
            one_line(h.created_by.as_deref().unwrap_or(""), 90)
        ));
    }
    for w in &s.warnings {
        out.push_str(&format!("\nwarning: {w}\n"));
    }
    out
}
