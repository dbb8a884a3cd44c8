//! rpm's NDB backend (`Packages.db`, SUSE since rpm 4.16): a slot table pointing at blobs.
//! Little-endian, as rpm writes it on the machines that use it.

const HEADER_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const BLOB_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const SLOTS_PER_PAGE: usize = 4096 / 16;
const BLOCK: usize = 16;

fn le32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// True if the file starts like an NDB database.
pub fn is_ndb(data: &[u8]) -> bool {
    le32(data, 0) == Some(HEADER_MAGIC)
}

/// The header blobs in slot order, plus problems found.
pub fn blobs(data: &[u8]) -> (Vec<&[u8]>, Vec<String>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    if le32(data, 4) != Some(0) {
        warnings.push("unknown NDB version".to_string());
        return (out, warnings);
    }
    let pages = le32(data, 12).unwrap_or(0) as usize;
    // The 32-byte file header takes the first two slot positions.
    let slots = (pages.saturating_mul(SLOTS_PER_PAGE)).saturating_sub(2);
    for i in 0..slots {
        let at = 32 + i * 16;
        let (Some(magic), Some(index), Some(block), Some(_count)) = (
            le32(data, at),
            le32(data, at + 4),
            le32(data, at + 8),
            le32(data, at + 12),
        ) else {
            warnings.push(format!("the slot table ends early, at slot {i}"));
            break;
        };
        if magic != SLOT_MAGIC {
            warnings.push(format!("slot {i} is damaged"));
            break;
        }
        if index == 0 {
            continue; // a free slot
        }
        let start = block as usize * BLOCK;
        let (Some(bmagic), Some(bindex), Some(len)) = (
            le32(data, start),
            le32(data, start + 4),
            le32(data, start + 12),
        ) else {
            warnings.push(format!("package {index} points past the end of the file"));
            continue;
        };
        if bmagic != BLOB_MAGIC || bindex != index {
            warnings.push(format!("package {index}'s blob is damaged"));
            continue;
        }
        match data.get(start + 16..start + 16 + len as usize) {
            Some(blob) => out.push(blob),
            None => warnings.push(format!("package {index}'s blob is truncated")),
        }
    }
    (out, warnings)
}
