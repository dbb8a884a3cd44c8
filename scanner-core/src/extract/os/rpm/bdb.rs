//! rpm's Berkeley DB backend (`Packages`, a hash database): package headers are the values,
//! stored on overflow pages (or inline for small ones). Read-only, both byte orders.

const HASH_MAGIC: u32 = 0x0006_1561;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;
const PAGE_HEADER: usize = 26;

struct Db<'a> {
    data: &'a [u8],
    page_size: usize,
    big_endian: bool,
}

impl Db<'_> {
    fn u32(&self, at: usize) -> Option<u32> {
        let s = self.data.get(at..at + 4)?;
        let b = [s[0], s[1], s[2], s[3]];
        Some(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }
    fn u16(&self, at: usize) -> Option<u16> {
        let s = self.data.get(at..at + 2)?;
        let b = [s[0], s[1]];
        Some(if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }
    fn page(&self, n: u32) -> Option<&[u8]> {
        let start = (n as usize).checked_mul(self.page_size)?;
        self.data.get(start..start.checked_add(self.page_size)?)
    }
    fn page_start(&self, n: u32) -> usize {
        n as usize * self.page_size
    }

    /// Follows an overflow chain, bounded by the number of pages.
    fn overflow(&self, first: u32, total: usize, pages: u32) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(total.min(64 << 20));
        let mut n = first;
        let mut hops = 0u32;
        while n != 0 && out.len() < total {
            hops += 1;
            if hops > pages {
                return None; // a cycle
            }
            let page = self.page(n)?;
            if page.get(25) != Some(&P_OVERFLOW) {
                return None;
            }
            let at = self.page_start(n);
            let len = self.u16(at + 22)? as usize; // bytes on this page
            out.extend_from_slice(page.get(PAGE_HEADER..PAGE_HEADER + len)?);
            n = self.u32(at + 16)?; // next page
        }
        (out.len() >= total).then(|| {
            out.truncate(total);
            out
        })
    }
}

/// True if the file starts like a Berkeley DB hash database.
pub fn is_bdb(data: &[u8]) -> bool {
    let m = data.get(12..16).map(|s| [s[0], s[1], s[2], s[3]]);
    m.is_some_and(|b| u32::from_le_bytes(b) == HASH_MAGIC || u32::from_be_bytes(b) == HASH_MAGIC)
}

/// The values of every key/value pair: rpm header blobs (and a few small bookkeeping values,
/// which the header parser rejects).
pub fn values(data: &[u8]) -> (Vec<Vec<u8>>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut out = Vec::new();
    let Some(magic) = data.get(12..16).map(|s| [s[0], s[1], s[2], s[3]]) else {
        return (out, vec!["too short for a Berkeley DB file".into()]);
    };
    let big_endian = u32::from_le_bytes(magic) != HASH_MAGIC;
    let mut db = Db {
        data,
        page_size: 4096,
        big_endian,
    };
    let page_size = db.u32(20).unwrap_or(0) as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return (out, vec![format!("implausible page size {page_size}")]);
    }
    db.page_size = page_size;
    let last = db.u32(32).unwrap_or(0);
    let pages = (data.len() / page_size) as u32;
    let last = last.min(pages.saturating_sub(1));
    for n in 1..=last {
        let Some(page) = db.page(n) else { break };
        let kind = page[25];
        if kind != P_HASH && kind != P_HASH_UNSORTED {
            continue;
        }
        let at = db.page_start(n);
        let entries = db.u16(at + 20).unwrap_or(0) as usize;
        let offsets: Vec<usize> = (0..entries)
            .filter_map(|i| db.u16(at + PAGE_HEADER + i * 2).map(|o| o as usize))
            .collect();
        // Items are key, value, key, value...; an item ends where the previous one starts
        // (items fill the page from the end backwards), the first at the page end.
        for i in (1..offsets.len()).step_by(2) {
            let off = offsets[i];
            let Some(&item_kind) = page.get(off) else {
                continue;
            };
            match item_kind {
                H_OFFPAGE => {
                    let (Some(pgno), Some(tlen)) = (db.u32(at + off + 4), db.u32(at + off + 8))
                    else {
                        continue;
                    };
                    match db.overflow(pgno, tlen as usize, pages) {
                        Some(v) => out.push(v),
                        None => warnings
                            .push(format!("a value on page {n} has a broken overflow chain")),
                    }
                }
                H_KEYDATA => {
                    let end = if i == 0 { page_size } else { offsets[i - 1] };
                    if let Some(v) = page.get(off + 1..end.max(off + 1)) {
                        out.push(v.to_vec());
                    }
                }
                _ => {}
            }
        }
    }
    (out, warnings)
}
