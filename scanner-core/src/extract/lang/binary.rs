//! Executables: Go build information and cargo-auditable dependency lists, read while the file
//! streams by, never holding the binary.
//!
//! - Go (ELF, Mach-O, PE; Go 1.18 and later, whose build info is inline): the walk searches the
//!   bytes for the `\xff Go buildinf:` magic and keeps at most 1 MiB after it: the Go version
//!   (reported as package `stdlib`), the main module (unless `(devel)`), every dependency, and
//!   `=>` replacements (the replacement is reported, noting what it replaced; a replacement by a
//!   local folder keeps the original, noted). Older Go binaries keep pointers instead: a warning.
//! - Rust built with cargo-auditable (ELF): the `.dep-v0` section, zlib-compressed JSON. Section
//!   headers sit at the end of the file, so the last 8 MiB are kept while it streams and the
//!   section is read from there; a `.dep-v0` earlier than that is a warning. Mach-O and PE Rust
//!   binaries are not read.
//!
//! Memory per file: 1 MiB for Go plus 8 MiB of tail for ELF, whatever the binary's size.
//!
//! Which files: every regular file of 16 KiB or more, whatever its mode bits (a binary copied
//! without its execute bit is still there), except those whose name says they are data
//! ([`plainly_not_binary`]: `.json`, `.py`, `.png`, `.gz`, ...; skipped unless executable). The
//! walk hands the sink one 512-byte block first; a file that is not ELF (executable or shared
//! object), Mach-O or PE stops there and the rest of its body is skipped.

use std::io::Read;

use serde_json::Value;

use super::{package, plausible};
use crate::extract::Extracted;
use crate::layer::BodySink;

const GO_MAGIC: &[u8] = b"\xff Go buildinf:";
const GO_KEEP: usize = 1 << 20;
const TAIL: usize = 8 << 20;
const MAX_DEP_JSON: u64 = 16 << 20;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Elf,
    MachO,
    Pe,
}

/// Extensions of files that are never executables; matched case-insensitively on the file
/// name. Shared objects (`.so`, `.node`, `.dll`, `.dylib`) and extensionless names are not here.
#[rustfmt::skip]
const DATA_EXTENSIONS: &[&str] = &[
    // text and source
    "txt", "md", "rst", "html", "htm", "xhtml", "css", "scss", "less", "js", "mjs", "cjs", "ts",
    "tsx", "jsx", "map", "json", "jsonl", "xml", "xsd", "xsl", "yaml", "yml", "toml", "ini",
    "cfg", "conf", "properties", "csv", "tsv", "sql", "log", "py", "pyi", "pyc", "pyo", "pyx",
    "pxd", "rb", "pl", "pm", "php", "java", "class", "go", "rs", "c", "h", "cc", "cpp", "hpp",
    "hh", "cs", "sh", "bash", "ps1", "bat", "tex", "po", "pot", "mo", "gmo", "qm", "svg", "pem",
    "crt", "key", "asc", "gpg", "typelib", "gir", "vim", "el", "elc", "lua", "tcl",
    // media and fonts
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "icns", "webp", "tif", "tiff", "mp3", "mp4",
    "ogg", "wav", "flac", "avi", "mkv", "webm", "woff", "woff2", "ttf", "otf", "eot", "pfb",
    "pcf", "psf", "pdf", "icc",
    // archives and packages
    "gz", "tgz", "bz2", "xz", "lz4", "zst", "zstd", "7z", "rar", "tar", "zip", "jar", "war",
    "ear", "whl", "egg", "deb", "rpm", "apk",
    // other data: objects and static libraries (not linked programs), debug info, databases
    "o", "a", "ko", "debug", "db", "sqlite", "sqlite3", "dat", "pak", "hwdb", "cache", "wasm",
];

/// Whether a file's name says it is data, never an executable: such files are looked at only
/// when their mode has an execute bit. String tests only.
pub fn plainly_not_binary(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => {
            DATA_EXTENSIONS.iter().any(|d| d.eq_ignore_ascii_case(ext))
        }
        _ => false,
    }
}

/// The executable format of a file from its first bytes: `Some(None)` when it is none, `None`
/// while more bytes are needed (an ELF header's type is at bytes 16–17).
fn format(head: &[u8]) -> Option<Option<Format>> {
    Some(match head.get(..4)? {
        // ELF executables and shared objects only: relocatable objects and core dumps hold
        // no build information.
        [0x7f, b'E', b'L', b'F'] => {
            let (Some(&order), Some(&[a, b])) = (head.get(5), head.get(16..18)) else {
                return None;
            };
            let e_type = if order == 2 {
                u16::from_be_bytes([a, b])
            } else {
                u16::from_le_bytes([a, b])
            };
            matches!(e_type, 2 | 3).then_some(Format::Elf)
        }
        [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => Some(Format::MachO),
        [b'M', b'Z', _, _] => Some(Format::Pe),
        _ => None,
    })
}

/// Looks at one executable's bytes as they stream by.
pub struct BinarySink {
    path: String,
    head: Vec<u8>,
    format: Option<Format>,
    seen: u64,
    /// Bytes from the Go magic on, once found.
    go: Option<Vec<u8>>,
    /// The last bytes of the previous chunk, so a magic split across chunks is found.
    carry: Vec<u8>,
    /// The file's last [`TAIL`] bytes (ELF only), for its section headers. The file's size is
    /// known from its tar header, so only those bytes are ever copied, into one buffer sized at
    /// once (a walk streams every executable of an image through here).
    tail: Vec<u8>,
    /// The file's size from its header.
    size: u64,
}

impl BinarySink {
    /// A sink for the executable at `path`, `size` bytes long (its tar header's size).
    pub fn new(path: &str, size: u64) -> BinarySink {
        BinarySink {
            path: path.to_string(),
            head: Vec::new(),
            format: None,
            seen: 0,
            go: None,
            carry: Vec::new(),
            tail: Vec::new(),
            size,
        }
    }

    /// Looks for the Go build-info magic in `chunk`, and across its border with the last one.
    fn find_go(&mut self, chunk: &[u8]) {
        let keep = GO_MAGIC.len() - 1;
        // The border: the carried bytes and the start of this chunk.
        let mut border = std::mem::take(&mut self.carry);
        let carried = border.len();
        border.extend_from_slice(&chunk[..keep.min(chunk.len())]);
        let found = match memchr::memmem::find(&border, GO_MAGIC) {
            Some(at) => {
                let mut kept = border[at..].to_vec();
                let rest = &chunk[(border.len() - carried).min(chunk.len())..];
                kept.extend_from_slice(&rest[..rest.len().min(GO_KEEP.saturating_sub(kept.len()))]);
                Some(kept)
            }
            None => memchr::memmem::find(chunk, GO_MAGIC)
                .map(|at| chunk[at..(at + GO_KEEP).min(chunk.len())].to_vec()),
        };
        match found {
            Some(kept) => self.go = Some(kept),
            None => {
                self.carry = if chunk.len() > keep {
                    chunk[chunk.len() - keep..].to_vec()
                } else {
                    border[border.len().saturating_sub(keep)..].to_vec()
                };
            }
        }
    }
}

impl BodySink for BinarySink {
    fn feed(&mut self, chunk: &[u8]) -> bool {
        if self.head.len() < 64 {
            let take = (64 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
            if self.format.is_none() {
                match format(&self.head) {
                    Some(None) => return false, // not an executable: skip the rest
                    Some(found) => self.format = found,
                    None => {} // more bytes needed
                }
            }
        }
        let start = self.seen;
        self.seen += chunk.len() as u64;
        match &mut self.go {
            Some(kept) => {
                let room = GO_KEEP - kept.len().min(GO_KEEP);
                kept.extend_from_slice(&chunk[..room.min(chunk.len())]);
            }
            None => self.find_go(chunk),
        }
        let tail_from = self.size.saturating_sub(TAIL as u64);
        if self.format == Some(Format::Elf) && self.seen > tail_from {
            let part = &chunk[usize::try_from(tail_from.saturating_sub(start))
                .unwrap_or(usize::MAX)
                .min(chunk.len())..];
            if self.tail.capacity() == 0 {
                self.tail
                    .reserve_exact(usize::try_from(self.size).map_or(TAIL, |n| n.min(TAIL)));
            }
            // More bytes than the header said (never from a walk): keep the last TAIL.
            let over = (self.tail.len() + part.len()).saturating_sub(TAIL);
            if over > 0 {
                self.tail.drain(..over.min(self.tail.len()));
            }
            self.tail
                .extend_from_slice(&part[part.len().saturating_sub(TAIL)..]);
        }
        true
    }

    fn finish(mut self: Box<Self>) -> Extracted {
        let mut out = Extracted::default();
        if self.format.is_none() {
            return out;
        }
        if let Some(info) = &self.go {
            go_build_info(info, &self.path, &mut out);
        }
        if self.format == Some(Format::Elf) {
            let tail_start = self.seen - self.tail.len() as u64;
            let tail = std::mem::take(&mut self.tail);
            if let Some(json) = elf_dep_v0(&self.head, &tail, tail_start, &self.path, &mut out) {
                cargo_auditable(&json, &self.path, &mut out);
            }
        }
        out
    }
}

fn uvarint(data: &[u8], at: &mut usize) -> Option<u64> {
    let mut x = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*at)?;
        *at += 1;
        x |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(x);
        }
    }
    None
}

fn varint_string<'a>(data: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    let n = uvarint(data, at)? as usize;
    let s = data.get(*at..at.checked_add(n)?)?;
    *at += n;
    Some(s)
}

/// Parses Go's inline build info (`runtime/debug.BuildInfo`, Go 1.18+) starting at the magic.
pub fn go_build_info(data: &[u8], path: &str, out: &mut Extracted) {
    let Some(&flags) = data.get(15) else {
        out.warnings
            .push(format!("/{path}: Go build info is truncated"));
        return;
    };
    if flags & 2 == 0 {
        out.warnings.push(format!(
            "/{path}: a Go binary built before Go 1.18; its build info is not read"
        ));
        return;
    }
    let mut at = 32;
    let (Some(version), Some(modinfo)) =
        (varint_string(data, &mut at), varint_string(data, &mut at))
    else {
        out.warnings
            .push(format!("/{path}: Go build info is truncated"));
        return;
    };
    let version = String::from_utf8_lossy(version);
    let go = version.split_whitespace().next().unwrap_or("");
    if let Some(v) = go
        .strip_prefix("go")
        .filter(|v| plausible(v) && v.starts_with(|c: char| c.is_ascii_digit()))
    {
        // `v1.22.0`, as module versions are written (OSV's stdlib ranges compare equal).
        let mut p = package("Go", "stdlib", &format!("v{v}"), "go/binary");
        p.notes.push(format!("Go toolchain {go}"));
        out.packages.push(p);
    }
    // The module info is framed by 16-byte sentinels.
    let modinfo = if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        &modinfo[16..modinfo.len() - 16]
    } else {
        modinfo
    };
    let text = String::from_utf8_lossy(modinfo);
    let mut last: Option<usize> = None;
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["mod", module, version, ..] if plausible(module) => {
                last = None;
                let mut p = if *version == "(devel)" {
                    // A local build: the version its linker flags set, as Trivy and Syft read it.
                    let stamped = ldflags_version(&text);
                    let mut p =
                        package("Go", module, stamped.as_deref().unwrap_or(""), "go/binary");
                    if stamped.is_none() {
                        p.notes.push("(devel) build: no version".into());
                    }
                    p
                } else if plausible(version) {
                    package("Go", module, version, "go/binary")
                } else {
                    continue;
                };
                p.notes.push("main module".into());
                out.packages.push(p);
            }
            ["dep", module, version, ..] if plausible(module) && plausible(version) => {
                out.packages
                    .push(package("Go", module, version, "go/binary"));
                last = Some(out.packages.len() - 1);
            }
            ["=>", module, rest @ ..] => {
                let Some(i) = last.take() else { continue };
                let version = rest.first().copied().unwrap_or("");
                let original = format!("{} {}", out.packages[i].name, out.packages[i].version);
                if version.is_empty() {
                    out.packages[i]
                        .notes
                        .push(format!("replaced by local {module}"));
                } else if plausible(module) && plausible(version) {
                    let mut p = package("Go", module, version, "go/binary");
                    p.notes.push(format!("replaces {original}"));
                    out.packages[i] = p;
                }
            }
            _ => {}
        }
    }
}

/// `-X main.version=1.2.3` (or any `-X PKG.version=`/`.Version=`) in the `-ldflags` build setting.
fn ldflags_version(modinfo: &str) -> Option<String> {
    let flags = modinfo
        .lines()
        .find_map(|l| l.strip_prefix("build\t-ldflags="))?
        .trim_matches(['"', '\'']);
    let mut words = flags.split_whitespace();
    while let Some(w) = words.next() {
        let setting = if w == "-X" {
            words.next()?
        } else if let Some(rest) = w.strip_prefix("-X=") {
            rest
        } else {
            continue;
        };
        let (key, value) = setting.split_once('=')?;
        let last = key.rsplit('.').next().unwrap_or("");
        if last.eq_ignore_ascii_case("version")
            && plausible(value)
            && value.starts_with(|c: char| c.is_ascii_digit() || c == 'v')
        {
            return Some(value.to_string());
        }
    }
    None
}

/// The `.dep-v0` section of an ELF file whose last bytes (from file offset `tail_start`) are
/// in `tail`, decompressed.
fn elf_dep_v0(
    head: &[u8],
    tail: &[u8],
    tail_start: u64,
    path: &str,
    out: &mut Extracted,
) -> Option<Vec<u8>> {
    let wide = *head.get(4)? == 2;
    let le = *head.get(5)? == 1;
    let num = |b: &[u8]| -> Option<u64> {
        let mut v = 0u64;
        for (i, byte) in b.iter().enumerate() {
            let shift = if le { i } else { b.len() - 1 - i } * 8;
            v |= u64::from(*byte) << shift;
        }
        (b.len() <= 8).then_some(v)
    };
    let (shoff, shentsize, shnum, shstrndx) = if wide {
        (
            num(head.get(0x28..0x30)?)?,
            num(head.get(0x3a..0x3c)?)?,
            num(head.get(0x3c..0x3e)?)?,
            num(head.get(0x3e..0x40)?)?,
        )
    } else {
        (
            num(head.get(0x20..0x24)?)?,
            num(head.get(0x2e..0x30)?)?,
            num(head.get(0x30..0x32)?)?,
            num(head.get(0x32..0x34)?)?,
        )
    };
    let in_tail = |offset: u64, len: u64| -> Option<&[u8]> {
        let start = offset.checked_sub(tail_start)? as usize;
        tail.get(start..start.checked_add(len as usize)?)
    };
    let section = |i: u64| -> Option<(u32, u64, u64)> {
        let sh = in_tail(shoff.checked_add(i.checked_mul(shentsize)?)?, shentsize)?;
        if wide {
            Some((
                num(sh.get(0..4)?)? as u32,
                num(sh.get(0x18..0x20)?)?,
                num(sh.get(0x20..0x28)?)?,
            ))
        } else {
            Some((
                num(sh.get(0..4)?)? as u32,
                num(sh.get(0x10..0x14)?)?,
                num(sh.get(0x14..0x18)?)?,
            ))
        }
    };
    if shnum == 0 || shnum > 65_535 || !(40..=128).contains(&shentsize) {
        return None;
    }
    let (_, str_off, str_size) = section(shstrndx)?;
    let names = in_tail(str_off, str_size)?;
    for i in 0..shnum {
        let Some((name, offset, size)) = section(i) else {
            continue;
        };
        let n = names.get(name as usize..)?;
        let n = &n[..n.iter().position(|b| *b == 0).unwrap_or(n.len())];
        if n != b".dep-v0" {
            continue;
        }
        let Some(compressed) = in_tail(offset, size) else {
            out.warnings.push(format!(
                "/{path}: its cargo-auditable data lies more than {} MiB before the end; not read",
                TAIL >> 20
            ));
            return None;
        };
        let mut json = Vec::new();
        match flate2::read::ZlibDecoder::new(compressed)
            .take(MAX_DEP_JSON + 1)
            .read_to_end(&mut json)
        {
            Ok(_) if json.len() as u64 <= MAX_DEP_JSON => return Some(json),
            Ok(_) => out
                .warnings
                .push(format!("/{path}: its cargo-auditable data is too large")),
            Err(e) => out
                .warnings
                .push(format!("/{path}: its cargo-auditable data is damaged: {e}")),
        }
        return None;
    }
    None
}

/// cargo-auditable's JSON: `{"packages": [{"name", "version", "source", "kind", "root"}]}`.
pub fn cargo_auditable(json: &[u8], path: &str, out: &mut Extracted) {
    let v: Value = match serde_json::from_slice(json) {
        Ok(v) => v,
        Err(e) => {
            out.warnings.push(format!(
                "/{path}: its cargo-auditable data is not JSON: {e}"
            ));
            return;
        }
    };
    for p in v
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = p.get("name").and_then(Value::as_str).unwrap_or("");
        let version = p.get("version").and_then(Value::as_str).unwrap_or("");
        let root = p.get("root").and_then(Value::as_bool) == Some(true);
        let registry = p.get("source").and_then(Value::as_str) == Some("crates.io");
        if !(registry || root) || !plausible(name) || !plausible(version) {
            continue;
        }
        let mut pkg = package("crates.io", name, version, "rust/cargo-auditable");
        if root {
            pkg.notes.push("the binary's own crate".into());
        }
        if p.get("kind").and_then(Value::as_str) == Some("build") {
            pkg.notes.push("build dependency".into());
        }
        out.packages.push(pkg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_say_data() {
        for data in [
            "usr/share/doc/x/changelog.gz",
            "app/node_modules/x/index.JS",
            "usr/lib/python3/dist-packages/x/__init__.pyc",
            "usr/lib/x86_64-linux-gnu/libc.a",
            "srv/fonts/a.woff2",
        ] {
            assert!(plainly_not_binary(data), "{data}");
        }
        for maybe in [
            "usr/local/bin/app",
            "usr/lib/x86_64-linux-gnu/libssl.so.3",
            "app/node_modules/x/build/Release/addon.node",
            "opt/app/App.dll",
            "opt/app/app.bin",
            "opt/.hidden",
            "opt/app-1.2",
        ] {
            assert!(!plainly_not_binary(maybe), "{maybe}");
        }
    }

    #[test]
    fn formats_from_the_first_bytes() {
        let mut elf = [0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[5] = 1;
        elf[16] = 2; // ET_EXEC
        assert_eq!(format(&elf), Some(Some(Format::Elf)));
        assert_eq!(format(&elf[..10]), None, "the type is not in yet");
        elf[16] = 1; // ET_REL: an object file
        assert_eq!(format(&elf), Some(None));
        elf[5] = 2; // big-endian ET_DYN
        elf[16] = 0;
        elf[17] = 3;
        assert_eq!(format(&elf), Some(Some(Format::Elf)));
        assert_eq!(format(b"MZ\x90\0"), Some(Some(Format::Pe)));
        assert_eq!(format(b"{\"a\""), Some(None));
        assert_eq!(format(b"ab"), None);
    }
}
