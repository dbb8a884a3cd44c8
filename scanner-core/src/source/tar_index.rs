//! The header-only index of the outer archive.
//!
//! `docker save` writes `manifest.json` last, after hundreds of megabytes of layers, so the outer
//! tar is walked header by header, seeking past every body, and each member's offset and size is
//! recorded. Nothing but headers (and GNU/PAX long-name records) is read here.
//!
//! Field decoding (octal and base-256 numbers, ustar prefixes) is the `tar` crate's; iteration,
//! seeking, checksum validation, link resolution and the limits are ours, because the crate's own
//! iterator reads bodies through and has no notion of a truncated archive's missing tail.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};

use crate::error::ImageError;
use crate::progress::{Progress, Stage};

/// Most members an outer archive may have. A real image has a few per layer.
pub const MAX_OUTER_ENTRIES: usize = 200_000;
/// Longest GNU long name or PAX header we accept.
const MAX_LONG_HEADER: u64 = 64 * 1024;
/// Most hops when following links between members (`docker save` links duplicate layers).
const MAX_LINK_HOPS: usize = 8;

const BLOCK: u64 = 512;

/// One member of the outer archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Offset of the body within the archive.
    pub offset: u64,
    /// Body length in bytes.
    pub size: u64,
    /// For symbolic and hard links: the normalised target path.
    pub link: Option<String>,
}

/// Outer archive members by normalised path.
#[derive(Debug, Default)]
pub struct TarIndex {
    members: BTreeMap<String, Member>,
    /// Length of the archive file.
    pub archive_len: u64,
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Magic {
    Gzip,
    Zstd,
    Zip,
    Tar,
    Unknown,
}

/// Classifies a blob by its leading bytes (`head` may be shorter than a tar block).
pub fn sniff(head: &[u8]) -> Magic {
    if head.starts_with(&[0x1f, 0x8b]) {
        Magic::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Magic::Zstd
    } else if head.starts_with(b"PK\x03\x04") {
        Magic::Zip
    } else if head.len() >= 512 && header_checksum_ok(&head[..512]) {
        Magic::Tar
    } else {
        Magic::Unknown
    }
}

/// Normalises a member name: strips `./` and leading `/`, collapses `//`, resolves `..` without
/// ever climbing above the root.
pub fn normalise(name: &str) -> String {
    crate::layer::walk::normalise_path(name).0
}

fn header_checksum_ok(block: &[u8]) -> bool {
    <&[u8; 512]>::try_from(block).is_ok_and(crate::layer::walk::header_checksum_ok)
}

fn round_up(n: u64) -> Option<u64> {
    n.checked_add(BLOCK - 1).map(|v| v / BLOCK * BLOCK)
}

/// Reads `size` bytes of a long-name or PAX record body.
fn read_small_body<R: Read + Seek>(
    reader: &mut R,
    offset: u64,
    size: u64,
) -> Result<Vec<u8>, ImageError> {
    if size > MAX_LONG_HEADER {
        return Err(ImageError::CorruptHeader {
            offset,
            detail: format!("a long-name record of {size} bytes"),
        });
    }
    reader.seek(SeekFrom::Start(offset))?;
    let mut body = vec![0u8; size as usize];
    reader.read_exact(&mut body)?;
    Ok(body)
}

fn name_from_bytes(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

impl TarIndex {
    /// Walks every header of the archive. The reader's position afterwards is unspecified.
    pub fn build<R: Read + Seek>(
        reader: &mut R,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<TarIndex, ImageError> {
        let archive_len = reader.seek(SeekFrom::End(0))?;
        if archive_len == 0 {
            return Err(ImageError::Empty);
        }
        reader.seek(SeekFrom::Start(0))?;
        let mut first = [0u8; 512];
        let head_len = read_up_to(reader, &mut first)?;
        match sniff(&first[..head_len]) {
            Magic::Gzip => {
                return Err(ImageError::CompressedArchive {
                    compression: "gzip",
                })
            }
            Magic::Zstd => {
                return Err(ImageError::CompressedArchive {
                    compression: "zstd",
                })
            }
            Magic::Zip => {
                return Err(ImageError::NotTar {
                    detail: "it is a zip file".into(),
                })
            }
            Magic::Tar => {}
            Magic::Unknown => {
                return Err(ImageError::NotTar {
                    detail: if head_len < 512 {
                        format!("it is only {archive_len} bytes long, shorter than one tar header")
                    } else {
                        "it does not start with a tar header".into()
                    },
                })
            }
        }

        let mut index = TarIndex {
            members: BTreeMap::new(),
            archive_len,
        };
        let mut offset = 0u64;
        let mut long_name: Option<String> = None;
        let mut pax = crate::layer::walk::PaxFields::default();
        let mut block = [0u8; 512];
        let mut last_report = 0u64;
        progress(Progress::new(Stage::Indexing, 0, archive_len));
        loop {
            if offset >= archive_len {
                break; // No end-of-archive marker: tolerated, everything read was whole.
            }
            if archive_len - offset < BLOCK {
                return Err(ImageError::Truncated {
                    entry: "(tar header)".into(),
                    needed: BLOCK,
                    available: archive_len - offset,
                });
            }
            reader.seek(SeekFrom::Start(offset))?;
            reader.read_exact(&mut block)?;
            if block.iter().all(|b| *b == 0) {
                break; // End-of-archive marker.
            }
            if !header_checksum_ok(&block) {
                return Err(ImageError::CorruptHeader {
                    offset,
                    detail: "bad checksum".into(),
                });
            }
            let header = tar::Header::from_byte_slice(&block);
            let declared = header.entry_size().map_err(|e| ImageError::CorruptHeader {
                offset,
                detail: format!("unreadable size: {e}"),
            })?;
            let size = pax.size.take().unwrap_or(declared);
            let body = offset + BLOCK;
            let kind = header.entry_type();
            let raw_name = long_name
                .take()
                .or_else(|| {
                    pax.path
                        .take()
                        .map(|p| String::from_utf8_lossy(&p).into_owned())
                })
                .unwrap_or_else(|| String::from_utf8_lossy(&header.path_bytes()).into_owned());
            let body_end = body
                .checked_add(size)
                .ok_or_else(|| ImageError::CorruptHeader {
                    offset,
                    detail: format!("absurd size {size}"),
                })?;
            if body_end > archive_len {
                return Err(ImageError::Truncated {
                    entry: normalise(&raw_name),
                    needed: size,
                    available: archive_len.saturating_sub(body),
                });
            }
            match kind {
                tar::EntryType::GNULongName => {
                    long_name = Some(name_from_bytes(&read_small_body(reader, body, size)?));
                }
                tar::EntryType::XHeader => {
                    pax = crate::layer::walk::parse_pax(&read_small_body(reader, body, size)?);
                }
                tar::EntryType::XGlobalHeader | tar::EntryType::GNULongLink => {}
                tar::EntryType::Directory => {}
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    let target = header
                        .link_name_bytes()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    let name = normalise(&raw_name);
                    // Symlink targets are relative to the link's directory; hard links to the root.
                    let target = if kind == tar::EntryType::Symlink && !target.starts_with('/') {
                        let dir = name.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                        normalise(&format!("{dir}/{target}"))
                    } else {
                        normalise(&target)
                    };
                    index.insert(
                        name,
                        Member {
                            offset: body,
                            size: 0,
                            link: Some(target),
                        },
                    )?;
                }
                _ => {
                    index.insert(
                        normalise(&raw_name),
                        Member {
                            offset: body,
                            size,
                            link: None,
                        },
                    )?;
                }
            }
            offset = round_up(body_end).ok_or_else(|| ImageError::CorruptHeader {
                offset,
                detail: format!("absurd size {size}"),
            })?;
            if offset - last_report >= 4 * 1024 * 1024 {
                last_report = offset;
                progress(Progress::new(Stage::Indexing, offset, archive_len));
            }
        }
        progress(Progress::new(Stage::Indexing, archive_len, archive_len));
        Ok(index)
    }

    fn insert(&mut self, name: String, member: Member) -> Result<(), ImageError> {
        if self.members.len() >= MAX_OUTER_ENTRIES && !self.members.contains_key(&name) {
            return Err(ImageError::TooManyEntries {
                limit: MAX_OUTER_ENTRIES,
            });
        }
        // A later member of the same name replaces the earlier one, as in extraction.
        self.members.insert(name, member);
        Ok(())
    }

    /// Finds a regular member by path, following links between members.
    pub fn get(&self, path: &str) -> Option<&Member> {
        let mut name = normalise(path);
        for _ in 0..MAX_LINK_HOPS {
            let member = self.members.get(&name)?;
            match &member.link {
                Some(target) => name = target.clone(),
                None => return Some(member),
            }
        }
        None
    }

    /// True if the archive has a member (of any kind) at this path.
    pub fn contains(&self, path: &str) -> bool {
        self.members.contains_key(&normalise(path))
    }

    /// Number of members recorded.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when the archive has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Member paths in order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.members.keys().map(String::as_str)
    }

    /// Reads a whole member into memory, refusing anything over `limit` bytes.
    pub fn read_member<R: Read + Seek>(
        &self,
        reader: &mut R,
        path: &str,
        limit: u64,
    ) -> Result<Vec<u8>, ImageError> {
        let member = self.get(path).ok_or_else(|| ImageError::MissingBlob {
            what: path.to_string(),
        })?;
        if member.size > limit {
            return Err(ImageError::TooLarge {
                file: path.to_string(),
                size: member.size,
                limit,
            });
        }
        reader.seek(SeekFrom::Start(member.offset))?;
        let mut body = vec![0u8; member.size as usize];
        reader.read_exact(&mut body)?;
        Ok(body)
    }

    /// Reads up to `n` leading bytes of a member.
    pub fn read_head<R: Read + Seek>(
        &self,
        reader: &mut R,
        member: &Member,
        n: usize,
    ) -> Result<Vec<u8>, ImageError> {
        let n = n.min(usize::try_from(member.size).unwrap_or(usize::MAX));
        reader.seek(SeekFrom::Start(member.offset))?;
        let mut head = vec![0u8; n];
        reader.read_exact(&mut head)?;
        Ok(head)
    }
}

fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = reader.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn build(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, name, *data).expect("append");
        }
        b.into_inner().expect("finish")
    }

    fn index(bytes: Vec<u8>) -> Result<TarIndex, ImageError> {
        TarIndex::build(&mut Cursor::new(bytes), &mut |_| {})
    }

    #[test]
    fn records_offsets_and_normalises_names() {
        let bytes = build(&[("./a/b.txt", b"hello"), ("c//d", b"xy")]);
        let idx = index(bytes.clone()).expect("index");
        let m = idx.get("a/b.txt").expect("a/b.txt");
        assert_eq!(
            &bytes[m.offset as usize..(m.offset + m.size) as usize],
            b"hello"
        );
        assert!(idx.get("/c/d").is_some());
        assert_eq!(idx.len(), 2);
    }

    #[test]
    fn gnu_long_names_are_followed() {
        let long = format!("{}/file.json", "d".repeat(150));
        let bytes = build(&[(long.as_str(), b"{}")]);
        let idx = index(bytes).expect("index");
        assert!(
            idx.get(&long).is_some(),
            "{:?}",
            idx.paths().collect::<Vec<_>>()
        );
    }

    #[test]
    fn pax_path_records_are_followed() {
        let mut b = tar::Builder::new(Vec::new());
        let long = format!("{}/manifest.json", "p".repeat(120));
        let pax = format!("{} path={long}\n", long.len() + 7 + 3);
        // The record length counts itself; find the self-consistent length.
        let mut rec = pax.clone();
        for _ in 0..3 {
            let len = rec.len();
            rec = format!("{len} path={long}\n");
        }
        let mut h = tar::Header::new_ustar();
        h.set_size(rec.len() as u64);
        h.set_entry_type(tar::EntryType::XHeader);
        h.set_path("PaxHeaders/x").expect("path");
        h.set_cksum();
        b.append(&h, rec.as_bytes()).expect("pax");
        let mut h = tar::Header::new_ustar();
        h.set_size(2);
        h.set_path("short").expect("path");
        h.set_cksum();
        b.append(&h, &b"{}"[..]).expect("file");
        let idx = index(b.into_inner().expect("finish")).expect("index");
        assert!(
            idx.get(&long).is_some(),
            "{:?}",
            idx.paths().collect::<Vec<_>>()
        );
    }

    #[test]
    fn truncated_archive_names_the_entry() {
        let mut bytes = build(&[("layer.tar", &[7u8; 5000]), ("manifest.json", b"[]")]);
        bytes.truncate(3000);
        match index(bytes) {
            Err(ImageError::Truncated { entry, needed, .. }) => {
                assert_eq!(entry, "layer.tar");
                assert_eq!(needed, 5000);
            }
            other => panic!("expected truncation, got {other:?}"),
        }
    }

    #[test]
    fn garbage_empty_and_compressed_inputs_are_errors() {
        assert!(matches!(index(vec![]), Err(ImageError::Empty)));
        assert!(matches!(
            index(b"hello world".to_vec()),
            Err(ImageError::NotTar { .. })
        ));
        assert!(matches!(
            index(vec![b'x'; 4096]),
            Err(ImageError::NotTar { .. })
        ));
        assert!(matches!(
            index(vec![0x1f, 0x8b, 8, 0, 0, 0]),
            Err(ImageError::CompressedArchive {
                compression: "gzip"
            })
        ));
    }

    #[test]
    fn corrupt_second_header_is_reported_with_its_offset() {
        let mut bytes = build(&[("a", b"1"), ("b", b"2")]);
        bytes[1024 + 10] ^= 0xff; // inside the second header's name
        match index(bytes) {
            Err(ImageError::CorruptHeader { offset, .. }) => assert_eq!(offset, 1024),
            other => panic!("expected corrupt header, got {other:?}"),
        }
    }

    #[test]
    fn symlinked_members_resolve_and_cycles_do_not_hang() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        b.append_data(&mut h, "one/layer.tar", &b"abc"[..])
            .expect("file");
        for (name, target) in [
            ("two/layer.tar", "../one/layer.tar"),
            ("x", "y"),
            ("y", "x"),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            b.append_link(&mut h, name, target).expect("link");
        }
        let idx = index(b.into_inner().expect("finish")).expect("index");
        assert_eq!(idx.get("two/layer.tar").map(|m| m.size), Some(3));
        assert!(idx.get("x").is_none());
    }

    #[test]
    fn normalise_never_escapes_the_root() {
        assert_eq!(normalise("../../etc/passwd"), "etc/passwd");
        assert_eq!(normalise("./a/../b//c/."), "b/c");
        assert_eq!(normalise("/"), "");
    }
}
