//! Just enough of the SQLite file format to read rpm's `rpmdb.sqlite`: the schema table to find
//! `Packages`, a walk of its table b-tree, records with overflow pages. Pure Rust (C SQLite does
//! not build for wasm32-unknown-unknown), read-only, bounded: every page is visited at most once.
//!
//! Limitations: a database whose latest writes are still in a `-wal` file is read without them.

use std::collections::BTreeSet;

/// True if the file starts like a SQLite 3 database.
pub fn is_sqlite(data: &[u8]) -> bool {
    data.starts_with(b"SQLite format 3\0")
}

struct Db<'a> {
    data: &'a [u8],
    page_size: usize,
    usable: usize,
    pages: usize,
}

fn varint(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for i in 0..9 {
        let byte = *b.get(at + i)?;
        if i == 8 {
            return Some(((v << 8) | u64::from(byte), 9));
        }
        v = (v << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 2)
        .map(|s| usize::from(u16::from_be_bytes([s[0], s[1]])))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// A column value we care about.
#[derive(Debug)]
enum Value {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

impl<'a> Db<'a> {
    fn open(data: &'a [u8]) -> Result<Db<'a>, String> {
        if !is_sqlite(data) {
            return Err("not a SQLite database".into());
        }
        let raw = be16(data, 16).ok_or("truncated header")?;
        let page_size = if raw == 1 { 65536 } else { raw };
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(format!("implausible page size {page_size}"));
        }
        let reserved = usize::from(*data.get(20).ok_or("truncated header")?);
        let usable = page_size
            .checked_sub(reserved)
            .filter(|u| *u >= 480)
            .ok_or("bad reserved size")?;
        Ok(Db {
            data,
            page_size,
            usable,
            pages: data.len() / page_size,
        })
    }

    fn page(&self, n: u32) -> Option<&'a [u8]> {
        let n = n as usize;
        if n == 0 || n > self.pages {
            return None;
        }
        self.data.get((n - 1) * self.page_size..n * self.page_size)
    }

    /// Every record payload of the table b-tree rooted at `root`, in rowid order.
    fn table_rows(&self, root: u32, warnings: &mut Vec<String>) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                warnings.push(format!(
                    "page {n} is reached twice; the database is damaged"
                ));
                continue;
            }
            let Some(page) = self.page(n) else {
                warnings.push(format!("page {n} is past the end of the file"));
                continue;
            };
            let hdr = if n == 1 { 100 } else { 0 };
            let Some(&kind) = page.get(hdr) else { continue };
            let cells = be16(page, hdr + 3).unwrap_or(0);
            match kind {
                0x05 => {
                    // Interior table page: children left to right, then the right-most pointer.
                    let mut children = Vec::with_capacity(cells + 1);
                    for i in 0..cells {
                        let Some(ptr) = be16(page, hdr + 12 + i * 2) else {
                            break;
                        };
                        if let Some(child) = be32(page, ptr) {
                            children.push(child);
                        }
                    }
                    if let Some(right) = be32(page, hdr + 8) {
                        children.push(right);
                    }
                    // Stack order: push reversed so the left-most is read first.
                    stack.extend(children.into_iter().rev());
                }
                0x0d => {
                    for i in 0..cells {
                        let Some(ptr) = be16(page, hdr + 8 + i * 2) else {
                            break;
                        };
                        match self.leaf_payload(page, ptr) {
                            Some(p) => out.push(p),
                            None => warnings.push(format!("a row on page {n} is damaged")),
                        }
                    }
                }
                other => warnings.push(format!("page {n} has unexpected type {other:#x}")),
            }
        }
        out
    }

    fn leaf_payload(&self, page: &[u8], ptr: usize) -> Option<Vec<u8>> {
        let (size, a) = varint(page, ptr)?;
        let (_rowid, b) = varint(page, ptr + a)?;
        let start = ptr + a + b;
        let size = usize::try_from(size).ok()?;
        let u = self.usable;
        let x = u - 35;
        if size <= x {
            return page.get(start..start + size).map(<[u8]>::to_vec);
        }
        let m = ((u - 12) * 32 / 255) - 23;
        let k = m + ((size - m) % (u - 4));
        let local = if k <= x { k } else { m };
        let mut out = Vec::with_capacity(size.min(64 << 20));
        out.extend_from_slice(page.get(start..start + local)?);
        let mut next = be32(page, start + local)?;
        let mut hops = 0usize;
        while out.len() < size {
            hops += 1;
            if next == 0 || hops > self.pages {
                return None;
            }
            let p = self.page(next)?;
            let take = (size - out.len()).min(u - 4);
            out.extend_from_slice(p.get(4..4 + take)?);
            next = be32(p, 0)?;
        }
        Some(out)
    }
}

fn record(payload: &[u8]) -> Option<Vec<Value>> {
    let (header_len, n) = varint(payload, 0)?;
    let header_len = usize::try_from(header_len).ok()?;
    let mut at = n;
    let mut types = Vec::new();
    while at < header_len {
        let (t, k) = varint(payload, at)?;
        types.push(t);
        at += k;
    }
    let mut body = header_len;
    let mut values = Vec::with_capacity(types.len());
    for t in types {
        let (len, value) = match t {
            0 => (0, Value::Null),
            1..=6 => {
                let len = [0, 1, 2, 3, 4, 6, 8][t as usize];
                let bytes = payload.get(body..body + len)?;
                let mut v: i64 = if bytes.first().is_some_and(|b| b & 0x80 != 0) {
                    -1
                } else {
                    0
                };
                for b in bytes {
                    v = (v << 8) | i64::from(*b);
                }
                (len, Value::Int(v))
            }
            7 => (8, Value::Null),
            8 => (0, Value::Int(0)),
            9 => (0, Value::Int(1)),
            t if t >= 12 && t % 2 == 0 => {
                let len = usize::try_from((t - 12) / 2).ok()?;
                (len, Value::Blob(payload.get(body..body + len)?.to_vec()))
            }
            t if t >= 13 => {
                let len = usize::try_from((t - 13) / 2).ok()?;
                (
                    len,
                    Value::Text(
                        String::from_utf8_lossy(payload.get(body..body + len)?).into_owned(),
                    ),
                )
            }
            _ => return None,
        };
        body += len;
        values.push(value);
    }
    Some(values)
}

/// The `blob` column of every row of the `Packages` table.
pub fn package_blobs(data: &[u8]) -> (Vec<Vec<u8>>, Vec<String>) {
    let mut warnings = Vec::new();
    let db = match Db::open(data) {
        Ok(db) => db,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let mut root = None;
    for row in db.table_rows(1, &mut warnings) {
        let Some(values) = record(&row) else { continue };
        if let [Value::Text(kind), Value::Text(name), _, Value::Int(page), ..] = values.as_slice() {
            if kind == "table" && name == "Packages" {
                root = u32::try_from(*page).ok();
            }
        }
    }
    let Some(root) = root else {
        warnings.push("no Packages table".into());
        return (Vec::new(), warnings);
    };
    let mut blobs = Vec::new();
    for row in db.table_rows(root, &mut warnings) {
        match record(&row).as_deref() {
            Some([_, Value::Blob(b), ..]) => blobs.push(b.clone()),
            _ => warnings.push("a Packages row has no blob".into()),
        }
    }
    (blobs, warnings)
}
