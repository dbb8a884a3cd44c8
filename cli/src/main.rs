//! `tarsier`: the command-line face of scanner-core, for CI pipelines and our own tests.
//!
//! Argument parsing and output only; all scanning logic lives in `scanner-core`, the same code
//! the web page runs in its workers.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use scanner_core::source::reader::{BlockSource, ChunkSizes, ChunkedReader};
use scanner_core::{ImageError, ImageSummary, InspectOptions};

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
    }
}

fn report_error(path: &Path, e: &ImageError) {
    eprintln!("error: {}: {e}", path.display());
    eprintln!("hint: {}", e.hint());
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
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
