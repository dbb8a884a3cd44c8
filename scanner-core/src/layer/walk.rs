//! Walking one layer's tar stream: every entry's metadata, whiteouts, and the bytes of the files
//! extractors asked for.
//!
//! A layer is a pure function of its own bytes, so layers can be walked in parallel (web workers,
//! threads) and merged afterwards by [`super::tree::squash`]. The walk never fails: damage ends
//! the walk with a warning and whatever was read before it is kept.

use std::io;

use serde::{Deserialize, Serialize};

use super::input::LayerInput;
use crate::limits::Limits;

const BLOCK: u64 = 512;
/// Longest GNU long name/link or PAX header we accept.
const MAX_LONG_HEADER: u64 = 1 << 20;

/// What kind of file a tar entry makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Other,
}

/// One tar entry of a layer (whiteouts are not entries; see [`LayerScan::whiteouts`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerEntry {
    /// Normalised path, no leading `/`; the root itself is `""`.
    pub path: String,
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: u64,
    /// Symlink target as written, or the normalised path a hard link points at.
    pub link: Option<String>,
}

/// The bytes of a file an extractor asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapturedFile {
    pub path: String,
    #[serde(with = "serde_bytes_compat")]
    pub data: Vec<u8>,
}

/// Packages a layer-time extractor found in one file of this layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundInFile {
    pub path: String,
    pub packages: Vec<crate::inventory::Package>,
}

/// Looks at a file's body while it streams by, keeping only what it needs.
pub trait BodySink {
    /// One more piece of the body, in order. Returning false skips the rest of the body.
    fn feed(&mut self, chunk: &[u8]) -> bool;
    fn finish(self: Box<Self>) -> crate::extract::Extracted;
}

/// Everything one layer says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerScan {
    pub entries: Vec<LayerEntry>,
    /// Paths this layer deletes from the layers below (`.wh.NAME`).
    pub whiteouts: Vec<String>,
    /// Directories whose lower contents this layer hides (`.wh..wh..opq`).
    pub opaque_dirs: Vec<String>,
    pub captured: Vec<CapturedFile>,
    /// Packages found in this layer's files by the extractors that run during the walk.
    #[serde(default)]
    pub found: Vec<FoundInFile>,
    /// Uncompressed tar bytes walked (bodies skipped by seeking count too).
    pub tar_bytes: u64,
    /// Problems found; the caller prefixes which layer.
    pub warnings: Vec<String>,
}

/// Decides which files' bytes to keep: cheap tests on path and size only.
pub trait FileSelector {
    fn wants(&self, path: &str, size: u64) -> bool;
    /// Extracts a wanted file at once, in the walk: `Some` means its bytes need not be kept.
    fn take(&self, _path: &str, _data: &[u8]) -> Option<crate::extract::Extracted> {
        None
    }
    /// A sink for a file nobody captures but someone wants to look at as it streams by.
    fn stream(&self, _path: &str, _size: u64, _mode: u32) -> Option<Box<dyn BodySink>> {
        None
    }
}

impl<F: Fn(&str, u64) -> bool> FileSelector for F {
    fn wants(&self, path: &str, size: u64) -> bool {
        self(path, size)
    }
}

/// Selects nothing.
pub struct NoFiles;

impl FileSelector for NoFiles {
    fn wants(&self, _: &str, _: u64) -> bool {
        false
    }
}

/// Byte vectors as serde bytes (compact in bincode and as `Uint8Array` through
/// serde-wasm-bindgen), without another dependency.
mod serde_bytes_compat {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1 << 20));
                while let Some(b) = a.next_element()? {
                    out.push(b);
                }
                Ok(out)
            }
        }
        d.deserialize_byte_buf(V)
    }
}

/// Normalises an entry path. Returns the path and whether `..` tried to climb above the root.
pub fn normalise_path(raw: &str) -> (String, bool) {
    let mut parts: Vec<&str> = Vec::new();
    let mut escaped = false;
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    escaped = true;
                }
            }
            p => parts.push(p),
        }
    }
    (parts.join("/"), escaped)
}

pub(crate) fn header_checksum_ok(block: &[u8; 512]) -> bool {
    let stored = block[148..156]
        .iter()
        .copied()
        .skip_while(|b| *b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .try_fold(0u64, |acc, b| {
            acc.checked_mul(8)?.checked_add(u64::from(b - b'0'))
        });
    let Some(stored) = stored else { return false };
    let mut unsigned = 0u64;
    let mut signed = 0i64;
    for (i, &b) in block.iter().enumerate() {
        let (u, s) = if (148..156).contains(&i) {
            (32, 32)
        } else {
            (u64::from(b), i64::from(b as i8))
        };
        unsigned += u;
        signed += s;
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|v| v == signed)
}

/// Reads until `buf` is full or the stream ends; returns how much was read.
pub(crate) fn read_full(input: &mut dyn LayerInput, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn bytes_to_string(bytes: &[u8], non_utf8: &mut Vec<String>) -> String {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    let bytes = &bytes[..end];
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            non_utf8.push(lossy.clone());
            lossy
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct PaxFields {
    pub path: Option<Vec<u8>>,
    pub linkpath: Option<Vec<u8>>,
    pub size: Option<u64>,
    pub uid: Option<u64>,
    pub gid: Option<u64>,
    pub mtime: Option<u64>,
}

pub(crate) fn parse_pax(body: &[u8]) -> PaxFields {
    let mut out = PaxFields::default();
    let mut rest = body;
    while !rest.is_empty() {
        let Some(space) = rest.iter().position(|b| *b == b' ') else {
            break;
        };
        let Some(len) = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
        else {
            break;
        };
        if len <= space || len > rest.len() {
            break;
        }
        let record = &rest[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(eq) = record.iter().position(|b| *b == b'=') {
            let (key, value) = (&record[..eq], &record[eq + 1..]);
            let number = || {
                std::str::from_utf8(value)
                    .ok()
                    .and_then(|s| s.split('.').next())
                    .and_then(|s| s.parse::<u64>().ok())
            };
            match key {
                b"path" => out.path = Some(value.to_vec()),
                b"linkpath" => out.linkpath = Some(value.to_vec()),
                b"size" => out.size = number(),
                b"uid" => out.uid = number(),
                b"gid" => out.gid = number(),
                b"mtime" => out.mtime = number(),
                _ => {}
            }
        }
        rest = &rest[len..];
    }
    out
}

/// Walks a layer's tar stream. Never fails: problems become warnings in the result.
pub fn walk_layer(
    input: &mut dyn LayerInput,
    limits: &Limits,
    selector: &dyn FileSelector,
) -> LayerScan {
    let mut scan = LayerScan::default();
    let mut non_utf8: Vec<String> = Vec::new();
    let mut escaped: Vec<String> = Vec::new();
    let mut captured_total = 0u64;
    let mut long_name: Option<Vec<u8>> = None;
    let mut long_link: Option<Vec<u8>> = None;
    let mut pax = PaxFields::default();
    let mut count = 0u64;
    let mut block = [0u8; 512];

    let stop = |scan: &mut LayerScan, msg: String| scan.warnings.push(msg);
    loop {
        let at = input.position();
        match read_full(input, &mut block) {
            Ok(0) => break, // No end-of-archive marker: tolerated.
            Ok(512) => {}
            Ok(n) => {
                stop(
                    &mut scan,
                    format!(
                        "the layer is truncated: it ends {n} bytes into a tar header at byte {at}"
                    ),
                );
                break;
            }
            Err(e) => {
                stop(
                    &mut scan,
                    format!("the layer could not be decoded at byte {at}: {e}"),
                );
                break;
            }
        }
        if block.iter().all(|b| *b == 0) {
            break;
        }
        if !header_checksum_ok(&block) {
            stop(
                &mut scan,
                format!("bad tar header checksum at byte {at}; the rest of the layer was not read"),
            );
            break;
        }
        let header = tar::Header::from_byte_slice(&block);
        let kind = header.entry_type();
        // Long-name and PAX records describe the next entry; they are not entries themselves
        // (their number is bounded by the layer byte limit below). Counted here, when a header
        // has been read, so that a layer of exactly the limit is read whole.
        if !matches!(
            kind,
            tar::EntryType::GNULongName | tar::EntryType::GNULongLink | tar::EntryType::XHeader
        ) {
            if count >= limits.max_entries_per_layer {
                stop(
                    &mut scan,
                    format!(
                        "the layer has more than {} entries (the --max-entries limit); the rest \
                         were not read",
                        limits.max_entries_per_layer
                    ),
                );
                break;
            }
            count += 1;
        }
        let declared = match header.entry_size() {
            Ok(n) => n,
            Err(_) => {
                stop(
                    &mut scan,
                    format!("unreadable entry size in the tar header at byte {at}"),
                );
                break;
            }
        };
        let size = pax.size.take().unwrap_or(declared);
        // Where this entry's body, padded to whole blocks, ends: past the limit, the layer is
        // larger than allowed (a header past it counts too, or empty entries could go on).
        let padded = size.div_ceil(BLOCK).checked_mul(BLOCK);
        let body_end = padded.and_then(|p| at.checked_add(BLOCK)?.checked_add(p));
        let (Some(padded), Some(_)) = (
            padded,
            body_end.filter(|end| *end <= limits.max_layer_bytes),
        ) else {
            stop(
                &mut scan,
                format!(
                    "the entry at byte {at} ({size} bytes) ends past the {}-byte layer limit \
                     (--max-layer-bytes); the rest of the layer was not read",
                    limits.max_layer_bytes
                ),
            );
            break;
        };

        // Records that describe the next entry.
        if matches!(
            kind,
            tar::EntryType::GNULongName | tar::EntryType::GNULongLink | tar::EntryType::XHeader
        ) {
            if size > MAX_LONG_HEADER {
                stop(&mut scan, format!("a {size}-byte long-name record at byte {at}; the rest of the layer was not read"));
                break;
            }
            let mut body = vec![0u8; padded as usize];
            match read_full(input, &mut body) {
                Ok(n) if n == body.len() => {}
                _ => {
                    stop(
                        &mut scan,
                        format!("the layer is truncated inside a long-name record at byte {at}"),
                    );
                    break;
                }
            }
            body.truncate(size as usize);
            match kind {
                tar::EntryType::GNULongName => {
                    let end = body.iter().position(|b| *b == 0).unwrap_or(body.len());
                    body.truncate(end);
                    long_name = Some(body);
                }
                tar::EntryType::GNULongLink => {
                    let end = body.iter().position(|b| *b == 0).unwrap_or(body.len());
                    body.truncate(end);
                    long_link = Some(body);
                }
                _ => pax = parse_pax(&body),
            }
            continue;
        }

        let raw_path = match long_name.take().or_else(|| pax.path.take()) {
            Some(p) => p,
            None => header.path_bytes().into_owned(),
        };
        let raw_path = bytes_to_string(&raw_path, &mut non_utf8);
        let (path, escapes) = normalise_path(&raw_path);
        if escapes {
            escaped.push(raw_path.clone());
        }
        let raw_link = long_link
            .take()
            .or_else(|| pax.linkpath.take())
            .or_else(|| header.link_name_bytes().map(|b| b.into_owned()));
        let uid = pax.uid.take().or_else(|| header.uid().ok()).unwrap_or(0);
        let gid = pax.gid.take().or_else(|| header.gid().ok()).unwrap_or(0);
        let mtime = pax
            .mtime
            .take()
            .or_else(|| header.mtime().ok())
            .unwrap_or(0);
        let mode = header.mode().unwrap_or(0);
        pax = PaxFields::default();

        let entry_kind = match kind {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                EntryKind::File
            }
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink,
            tar::EntryType::Link => EntryKind::Hardlink,
            tar::EntryType::Char => EntryKind::CharDevice,
            tar::EntryType::Block => EntryKind::BlockDevice,
            tar::EntryType::Fifo => EntryKind::Fifo,
            tar::EntryType::XGlobalHeader => {
                if skip_body(input, padded, at, &mut scan) {
                    continue;
                }
                break;
            }
            _ => EntryKind::Other,
        };

        // Whiteouts: `.wh.NAME` deletes NAME below; `.wh..wh..opq` hides the directory's lower
        // contents. Other `.wh..wh.` names are aufs bookkeeping and mean nothing here.
        let (dir, base) = match path.rsplit_once('/') {
            Some((d, b)) => (d, b),
            None => ("", path.as_str()),
        };
        if let Some(target) = base.strip_prefix(".wh.") {
            if target == ".wh..opq" {
                scan.opaque_dirs.push(dir.to_string());
            } else if !target.starts_with(".wh.") && !target.is_empty() {
                scan.whiteouts.push(if dir.is_empty() {
                    target.to_string()
                } else {
                    format!("{dir}/{target}")
                });
            }
            if skip_body(input, padded, at, &mut scan) {
                continue;
            }
            break;
        }

        let link = raw_link.map(|l| {
            let l = bytes_to_string(&l, &mut non_utf8);
            if entry_kind == EntryKind::Hardlink {
                normalise_path(&l).0
            } else {
                l
            }
        });

        // Bodies: kept when an extractor asked (within limits), skipped otherwise.
        let has_body = entry_kind == EntryKind::File;
        let body_len = if has_body { size } else { 0 };
        let wanted = has_body && selector.wants(&path, size);
        let mut keep = false;
        if wanted {
            if size > limits.max_captured_file {
                scan.warnings.push(format!(
                    "`/{path}` is {size} bytes, over the {}-byte capture limit (--max-file-bytes); it was not inspected",
                    limits.max_captured_file
                ));
            } else if captured_total.saturating_add(size) > limits.max_captured_total {
                scan.warnings.push(format!(
                    "`/{path}` was not inspected: the layer's captured files passed the {}-byte limit (--max-captured-bytes)",
                    limits.max_captured_total
                ));
            } else {
                keep = true;
            }
        }
        let body_padding = if has_body {
            padded
        } else {
            size.div_ceil(BLOCK) * BLOCK
        };
        if keep {
            let mut data = vec![0u8; size as usize];
            match read_full(input, &mut data) {
                Ok(n) if n as u64 == size => {}
                Ok(_) => {
                    stop(
                        &mut scan,
                        format!("the layer is truncated inside `/{path}`"),
                    );
                    break;
                }
                Err(e) => {
                    stop(
                        &mut scan,
                        format!("the layer could not be decoded inside `/{path}`: {e}"),
                    );
                    break;
                }
            }
            if let Some(found) = selector.take(&path, &data) {
                scan.warnings.extend(found.warnings);
                if !found.packages.is_empty() {
                    scan.found.push(FoundInFile {
                        path: path.clone(),
                        packages: found.packages,
                    });
                }
            } else {
                captured_total = captured_total.saturating_add(size);
                scan.captured.push(CapturedFile {
                    path: path.clone(),
                    data,
                });
            }
            if !skip_body(input, padded - size, at, &mut scan) {
                break;
            }
        } else if let Some(sink) = has_body
            .then(|| selector.stream(&path, size, mode))
            .flatten()
        {
            match stream_body(input, size, sink, at, &path, &mut scan) {
                Some(read) => {
                    if !skip_body(input, padded - read, at, &mut scan) {
                        break;
                    }
                }
                None => break,
            }
        } else if !skip_body(input, body_padding, at, &mut scan) {
            // The entry's metadata was read whole; record it before stopping.
            scan.entries.push(LayerEntry {
                path,
                kind: entry_kind,
                size: body_len,
                mode,
                uid,
                gid,
                mtime,
                link,
            });
            break;
        }
        // Hard links to captured files share their bytes.
        if entry_kind == EntryKind::Hardlink && selector.wants(&path, 0) {
            if let Some(target) = &link {
                // Each link is a copy, so it counts against the layer's capture limit: many
                // links to one large file must not multiply memory.
                let found = scan.captured.iter().find(|c| &c.path == target);
                if let Some(len) = found.map(|c| c.data.len() as u64) {
                    if captured_total.saturating_add(len) > limits.max_captured_total {
                        scan.warnings.push(format!(
                            "`/{path}` was not inspected: the layer's captured files passed the {}-byte limit (--max-captured-bytes)",
                            limits.max_captured_total
                        ));
                    } else if let Some(data) = found.map(|c| c.data.clone()) {
                        captured_total = captured_total.saturating_add(len);
                        scan.captured.push(CapturedFile {
                            path: path.clone(),
                            data,
                        });
                    }
                }
            }
        }
        scan.entries.push(LayerEntry {
            path,
            kind: entry_kind,
            size: body_len,
            mode,
            uid,
            gid,
            mtime,
            link,
        });
    }
    scan.tar_bytes = input.position();
    if !non_utf8.is_empty() {
        scan.warnings.push(format!(
            "{} entries have names that are not valid UTF-8 (e.g. `{}`); they are kept with U+FFFD in place of the bad bytes",
            non_utf8.len(),
            non_utf8[0]
        ));
    }
    if !escaped.is_empty() {
        scan.warnings.push(format!(
            "{} entries have names that climb out of the image root with `..` (e.g. `{}`); they were kept inside the root",
            escaped.len(),
            escaped[0]
        ));
    }
    scan
}

/// Skips `n` bytes; on a short stream records a truncation warning and returns false.
/// Feeds a body to `sink` in chunks until it is read or the sink has seen enough; returns how
/// many body bytes were read, or `None` when the layer ended (a warning says so).
fn stream_body(
    input: &mut dyn LayerInput,
    size: u64,
    mut sink: Box<dyn BodySink>,
    at: u64,
    path: &str,
    scan: &mut LayerScan,
) -> Option<u64> {
    // The first block alone: a sink that refuses the file by its first bytes (not an
    // executable format) has cost one short read, and the rest of the body is skipped (a seek
    // when the layer is uncompressed). Then 64 KiB at a time.
    let chunk = usize::try_from(size).unwrap_or(usize::MAX).min(64 << 10);
    let mut buf = vec![0u8; chunk.min(BLOCK as usize).max(1)];
    let mut read = 0u64;
    while read < size {
        if read > 0 && buf.len() < chunk {
            buf.resize(chunk, 0);
        }
        let want = (size - read).min(buf.len() as u64) as usize;
        match read_full(input, &mut buf[..want]) {
            Ok(n) if n == want => {}
            Ok(_) => {
                scan.warnings.push(format!(
                    "the layer is truncated inside `/{path}` (entry at byte {at})"
                ));
                return None;
            }
            Err(e) => {
                scan.warnings.push(format!(
                    "the layer could not be decoded inside `/{path}`: {e}"
                ));
                return None;
            }
        }
        read += want as u64;
        if !sink.feed(&buf[..want]) {
            break;
        }
    }
    let found = sink.finish();
    scan.warnings.extend(found.warnings);
    if !found.packages.is_empty() {
        scan.found.push(FoundInFile {
            path: path.to_string(),
            packages: found.packages,
        });
    }
    Some(read)
}

fn skip_body(input: &mut dyn LayerInput, n: u64, at: u64, scan: &mut LayerScan) -> bool {
    if n == 0 {
        return true;
    }
    let before = input.position();
    match input.skip(n) {
        Ok(()) if input.position() - before == n => true,
        Ok(()) => {
            scan.warnings.push(format!(
                "the layer is truncated: the entry at byte {at} needs {n} more bytes than are left"
            ));
            false
        }
        Err(e) => {
            scan.warnings.push(format!(
                "the layer could not be decoded after byte {at}: {e}"
            ));
            false
        }
    }
}
