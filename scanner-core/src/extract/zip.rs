//! A small zip reader for the archives extractors open (`.jar`, `.war`, `.ear`, `.egg`): the
//! central directory, stored and deflated entries, nothing else (no zip64, no encryption).
//!
//! Hostile archives are bounded: at most [`MAX_ENTRIES`] entries are listed, an entry is
//! inflated only up to the caller's limit, and a declared size that the data does not match is
//! an error. Everything is in memory: the caller already holds the archive's bytes.

use std::io::Read;

/// Most central-directory entries read from one archive.
pub const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    method: u16,
    compressed: u64,
    pub size: u64,
    local_offset: u64,
}

#[derive(Debug)]
pub struct Zip<'a> {
    data: &'a [u8],
    pub entries: Vec<Entry>,
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

impl<'a> Zip<'a> {
    /// Reads the central directory.
    pub fn open(data: &'a [u8]) -> Result<Zip<'a>, String> {
        // The end-of-central-directory record: in the last 64 KiB + 22 bytes.
        let from = data.len().saturating_sub(65_536 + 22);
        let eocd = (from..data.len().saturating_sub(21))
            .rev()
            .find(|&i| data[i..].starts_with(b"PK\x05\x06"))
            .ok_or("not a zip archive (no end of central directory)")?;
        let count = u16_at(data, eocd + 10).ok_or("truncated zip")? as usize;
        let cd_size = u32_at(data, eocd + 12).ok_or("truncated zip")? as usize;
        let cd_offset = u32_at(data, eocd + 16).ok_or("truncated zip")? as usize;
        if cd_offset == 0xffff_ffff || count == 0xffff {
            return Err("zip64 archives are not read".into());
        }
        let cd = data
            .get(cd_offset..cd_offset.saturating_add(cd_size))
            .ok_or("the central directory lies outside the file (truncated zip)")?;
        let mut entries = Vec::new();
        let mut at = 0usize;
        while at + 46 <= cd.len() && entries.len() < count.min(MAX_ENTRIES) {
            if !cd[at..].starts_with(b"PK\x01\x02") {
                return Err("a damaged central directory entry".into());
            }
            let method = u16_at(cd, at + 10).unwrap_or(0);
            let compressed = u64::from(u32_at(cd, at + 20).unwrap_or(0));
            let size = u64::from(u32_at(cd, at + 24).unwrap_or(0));
            let name_len = u16_at(cd, at + 28).unwrap_or(0) as usize;
            let extra_len = u16_at(cd, at + 30).unwrap_or(0) as usize;
            let comment_len = u16_at(cd, at + 32).unwrap_or(0) as usize;
            let local_offset = u64::from(u32_at(cd, at + 42).unwrap_or(0));
            let name = cd
                .get(at + 46..at + 46 + name_len)
                .ok_or("a central directory entry runs past its end")?;
            entries.push(Entry {
                name: String::from_utf8_lossy(name).into_owned(),
                method,
                compressed,
                size,
                local_offset,
            });
            at += 46 + name_len + extra_len + comment_len;
        }
        Ok(Zip { data, entries })
    }

    /// The bytes of one entry, refusing entries larger than `limit` once inflated.
    pub fn read(&self, entry: &Entry, limit: u64) -> Result<Vec<u8>, String> {
        if entry.size > limit {
            return Err(format!(
                "{} is {} bytes, over the {limit}-byte limit",
                entry.name, entry.size
            ));
        }
        let lh = entry.local_offset as usize;
        if !self
            .data
            .get(lh..)
            .is_some_and(|d| d.starts_with(b"PK\x03\x04"))
        {
            return Err(format!(
                "{}: no local header where the directory says",
                entry.name
            ));
        }
        let name_len = u16_at(self.data, lh + 26).ok_or("truncated zip")? as usize;
        let extra_len = u16_at(self.data, lh + 28).ok_or("truncated zip")? as usize;
        let start = lh + 30 + name_len + extra_len;
        let raw = self
            .data
            .get(start..start.saturating_add(entry.compressed as usize))
            .ok_or_else(|| format!("{}: its data runs past the end (truncated zip)", entry.name))?;
        let out = match entry.method {
            0 => raw.to_vec(),
            8 => {
                let mut out = Vec::with_capacity(entry.size.min(1 << 20) as usize);
                flate2::read::DeflateDecoder::new(raw)
                    .take(limit + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| format!("{}: cannot inflate: {e}", entry.name))?;
                out
            }
            m => {
                return Err(format!(
                    "{}: compression method {m} is not read",
                    entry.name
                ))
            }
        };
        if out.len() as u64 > limit {
            return Err(format!(
                "{} inflates past the {limit}-byte limit",
                entry.name
            ));
        }
        if out.len() as u64 != entry.size {
            return Err(format!(
                "{} inflates to {} bytes, not the {} its directory says",
                entry.name,
                out.len(),
                entry.size
            ));
        }
        Ok(out)
    }
}
