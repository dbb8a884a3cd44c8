//! Archives compressed as a whole (`docker save IMAGE | gzip > image.tar.gz`).
//!
//! Such a file cannot be read at random, so the outer tar is read once, front to back: JSON
//! members (manifests, indexes, configs) are kept in memory, and every member that looks like a
//! layer (a tar, gzip or zstd stream) is walked on the spot, before the manifest that names it
//! has been seen. At the end the manifest picks the image and its layers' walks are assembled.
//! Slower than a plain archive (no skipping, no parallel layers), and the report says so.

use std::collections::BTreeMap;
use std::io::{self, Cursor, Read};

use super::tar_index::{normalise, sniff, Magic};
use super::{plan_members, Compression, ImagePlan, InspectOptions, Members, MAX_JSON_BYTES};
use crate::error::ImageError;
use crate::layer::input::{LayerInput, StreamInput};
use crate::layer::walk::{header_checksum_ok, parse_pax, read_full};
use crate::layer::{decode, walk_layer, FileSelector, LayerScan};
use crate::limits::Limits;
use crate::progress::{Progress, Stage};

/// Most bytes of JSON members kept while streaming.
const MAX_KEPT_JSON: u64 = 64 << 20;
/// Most members a streamed outer archive may have.
const MAX_MEMBERS: usize = 200_000;

/// Members seen in a streamed archive.
struct Streamed {
    len: u64,
    json: BTreeMap<String, Vec<u8>>,
    /// Other members: size and first bytes.
    other: BTreeMap<String, (u64, Vec<u8>)>,
    /// Symbolic and hard links between members: path → target.
    links: BTreeMap<String, String>,
}

impl Streamed {
    fn resolve<'a>(&'a self, path: &'a str) -> String {
        let mut p = normalise(path);
        for _ in 0..8 {
            match self.links.get(&p) {
                Some(t) => p = t.clone(),
                None => break,
            }
        }
        p
    }
}

impl Members for Streamed {
    fn archive_len(&self) -> u64 {
        self.len
    }
    fn size_of(&self, path: &str) -> Option<u64> {
        let p = self.resolve(path);
        self.json
            .get(&p)
            .map(|d| d.len() as u64)
            .or_else(|| self.other.get(&p).map(|(s, _)| *s))
    }
    fn read(&mut self, path: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        let p = self.resolve(path);
        if let Some(d) = self.json.get(&p) {
            return Ok(d.clone());
        }
        match self.other.get(&p) {
            Some((size, _)) => Err(ImageError::TooLarge {
                file: path.to_string(),
                size: *size,
                limit: limit.min(MAX_JSON_BYTES),
            }),
            None => Err(ImageError::MissingBlob {
                what: path.to_string(),
            }),
        }
    }
    fn head(&mut self, path: &str, n: usize) -> Result<Vec<u8>, ImageError> {
        let p = self.resolve(path);
        if let Some(d) = self.json.get(&p) {
            return Ok(d[..n.min(d.len())].to_vec());
        }
        self.other
            .get(&p)
            .map(|(_, h)| h[..n.min(h.len())].to_vec())
            .ok_or_else(|| ImageError::MissingBlob {
                what: path.to_string(),
            })
    }
    fn location(&self, _path: &str) -> Option<(u64, u64)> {
        None
    }
}

/// Counts bytes read from the compressed file, for progress.
struct Counting<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

fn looks_like_json(head: &[u8]) -> bool {
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[')
}

/// Reads a whole-compressed archive in one pass; returns the plan and the walked layers (in the
/// plan's layer order).
pub(crate) fn stream_plan<R: Read>(
    raw: R,
    raw_len: u64,
    compression: Compression,
    options: &InspectOptions,
    limits: &Limits,
    selector: &dyn FileSelector,
    progress: &mut dyn FnMut(Progress),
) -> Result<(ImagePlan, Vec<LayerScan>), ImageError> {
    let count = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let counted = Counting {
        inner: raw,
        count: count.clone(),
    };
    let mut outer: Box<dyn LayerInput> = match compression {
        Compression::Gzip => Box::new(StreamInput::new(decode::gzip(counted))),
        Compression::Zstd => Box::new(StreamInput::new(decode::zstd(counted))),
        _ => Box::new(StreamInput::new(counted)),
    };
    let what = compression.as_str();
    let mut members = Streamed {
        len: raw_len,
        json: BTreeMap::new(),
        other: BTreeMap::new(),
        links: BTreeMap::new(),
    };
    let mut scans: BTreeMap<String, LayerScan> = BTreeMap::new();
    let mut kept_json = 0u64;
    let mut warnings = Vec::new();
    let mut long_name: Option<Vec<u8>> = None;
    let mut pax_path: Option<Vec<u8>> = None;
    let mut pax_size: Option<u64> = None;
    let mut block = [0u8; 512];
    let mut first = true;
    progress(Progress::new(Stage::ScanningLayers, 0, raw_len));
    loop {
        let at = outer.position();
        let n = read_full(outer.as_mut(), &mut block).map_err(|e| ImageError::NotTar {
            detail: format!("the {what} stream is damaged at byte {at} after decompression: {e}"),
        })?;
        if n == 0 || block.iter().all(|b| *b == 0) {
            break;
        }
        if n < 512 && first {
            return Err(ImageError::NotTar {
                detail: format!("it is {what}-compressed, but what is inside is not a tar archive"),
            });
        }
        if n < 512 {
            warnings.push(format!("the archive ends inside a tar header at byte {at}"));
            break;
        }
        if !header_checksum_ok(&block) {
            if first {
                return Err(ImageError::NotTar {
                    detail: format!(
                        "it is {what}-compressed, but what is inside is not a tar archive"
                    ),
                });
            }
            warnings.push(format!(
                "bad tar header at byte {at} of the decompressed archive; the rest was not read"
            ));
            break;
        }
        first = false;
        if members.json.len() + members.other.len() >= MAX_MEMBERS {
            return Err(ImageError::TooManyEntries { limit: MAX_MEMBERS });
        }
        let header = tar::Header::from_byte_slice(&block);
        let size = pax_size
            .take()
            .or_else(|| header.entry_size().ok())
            .ok_or_else(|| ImageError::CorruptHeader {
                offset: at,
                detail: "unreadable size".into(),
            })?;
        let padded = size.div_ceil(512).saturating_mul(512);
        let kind = header.entry_type();
        let mut skip = padded;
        match kind {
            tar::EntryType::GNULongName | tar::EntryType::XHeader => {
                if size > 1 << 20 {
                    return Err(ImageError::CorruptHeader {
                        offset: at,
                        detail: format!("a {size}-byte long-name record"),
                    });
                }
                let mut body = vec![0u8; padded as usize];
                if read_full(outer.as_mut(), &mut body)? < body.len() {
                    return Err(ImageError::Truncated {
                        entry: "(long name)".into(),
                        needed: size,
                        available: 0,
                    });
                }
                body.truncate(size as usize);
                if kind == tar::EntryType::GNULongName {
                    let end = body.iter().position(|b| *b == 0).unwrap_or(body.len());
                    body.truncate(end);
                    long_name = Some(body);
                } else {
                    let pax = parse_pax(&body);
                    pax_path = pax.path;
                    pax_size = pax.size;
                }
                continue;
            }
            _ => {}
        }
        let raw_name = long_name
            .take()
            .or_else(|| pax_path.take())
            .unwrap_or_else(|| header.path_bytes().into_owned());
        let path = normalise(&String::from_utf8_lossy(&raw_name));
        match kind {
            tar::EntryType::Symlink | tar::EntryType::Link => {
                let target = header
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let target = if kind == tar::EntryType::Symlink && !target.starts_with('/') {
                    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                    normalise(&format!("{dir}/{target}"))
                } else {
                    normalise(&target)
                };
                members.links.insert(path, target);
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let mut head = vec![0u8; size.min(512) as usize];
                let got = read_full(outer.as_mut(), &mut head)?;
                if got < head.len() {
                    return Err(ImageError::Truncated {
                        entry: path,
                        needed: size,
                        available: got as u64,
                    });
                }
                skip = padded - head.len() as u64;
                let magic = sniff(&head);
                if looks_like_json(&head) && size <= MAX_JSON_BYTES {
                    if kept_json + size > MAX_KEPT_JSON {
                        warnings.push(format!(
                            "`{path}` was not read: too much JSON in one archive"
                        ));
                    } else {
                        let mut rest = vec![0u8; (size - head.len() as u64) as usize];
                        if read_full(outer.as_mut(), &mut rest)? < rest.len() {
                            return Err(ImageError::Truncated {
                                entry: path,
                                needed: size,
                                available: 0,
                            });
                        }
                        head.extend_from_slice(&rest);
                        kept_json += size;
                        skip = padded - size;
                        members.json.insert(path, head);
                        skip_exact(outer.as_mut(), skip, &mut warnings)?;
                        continue;
                    }
                } else if matches!(magic, Magic::Tar | Magic::Gzip | Magic::Zstd)
                    || (size > 0 && head.iter().all(|b| *b == 0))
                {
                    // A layer: walk it now, from the bytes already read plus the rest of the body.
                    let rest = size - head.len() as u64;
                    let mut body = LimitedBody {
                        inner: outer.as_mut(),
                        left: rest,
                    };
                    let chained = Cursor::new(head.clone()).chain(&mut body);
                    let scan = match magic {
                        Magic::Gzip => walk_layer(
                            &mut StreamInput::new(decode::gzip(chained)),
                            limits,
                            selector,
                        ),
                        Magic::Zstd => walk_layer(
                            &mut StreamInput::new(decode::zstd(chained)),
                            limits,
                            selector,
                        ),
                        _ => walk_layer(&mut StreamInput::new(chained), limits, selector),
                    };
                    let left = body.left;
                    io::copy(&mut body, &mut io::sink())?;
                    if body.left > 0 {
                        return Err(ImageError::Truncated {
                            entry: path,
                            needed: size,
                            available: size - left,
                        });
                    }
                    scans.insert(path.clone(), scan);
                    skip = padded - size;
                }
                members.other.insert(path, (size, head));
                progress(Progress::new(Stage::ScanningLayers, count.get(), raw_len));
            }
            _ => {}
        }
        skip_exact(outer.as_mut(), skip, &mut warnings)?;
    }
    if members.json.is_empty() && members.other.is_empty() {
        return Err(ImageError::NotTar {
            detail: format!("it is {what}-compressed, but holds no files"),
        });
    }
    let mut plan = plan_members(&mut members, options, progress)?;
    plan.summary.warnings.insert(
        0,
        format!(
            "the archive is {what}-compressed as a whole, so it was read as one stream: slower, \
             because layers could not be skipped or read in parallel. `docker save IMAGE -o image.tar` \
             (uncompressed) scans faster"
        ),
    );
    plan.summary.warnings.extend(warnings);
    let layer_paths: Vec<String> = plan
        .summary
        .layers
        .iter()
        .map(|l| members.resolve(&l.path))
        .collect();
    let walked = layer_paths
        .iter()
        .map(|p| {
            // The same blob may serve two layers of one image: walk results are cloned.
            scans.get(p).cloned().unwrap_or_else(|| LayerScan {
                warnings: vec!["the layer was not found while streaming the archive".into()],
                ..LayerScan::default()
            })
        })
        .collect();
    Ok((plan, walked))
}

/// The rest of one member's body, no further.
struct LimitedBody<'a> {
    inner: &'a mut dyn LayerInput,
    left: u64,
}

impl Read for LimitedBody<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

fn skip_exact(
    input: &mut dyn LayerInput,
    n: u64,
    warnings: &mut Vec<String>,
) -> Result<(), ImageError> {
    let before = input.position();
    input.skip(n)?;
    if input.position() - before < n {
        warnings.push("the archive ends in the middle of a member".into());
    }
    Ok(())
}
