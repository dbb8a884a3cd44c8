//! The rpm header blob as rpm stores it in its database (no lead, no header magic):
//! `il: u32 BE`, `dl: u32 BE`, `il` index entries of 16 bytes, then `dl` bytes of data.

/// The tags tarsier reads.
pub const NAME: i32 = 1000;
pub const VERSION: i32 = 1001;
pub const RELEASE: i32 = 1002;
pub const EPOCH: i32 = 1003;
pub const VENDOR: i32 = 1011;
pub const LICENSE: i32 = 1014;
pub const ARCH: i32 = 1022;
pub const SOURCERPM: i32 = 1044;
pub const MODULARITYLABEL: i32 = 5096;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// Fields of one installed package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmHeader {
    pub name: String,
    pub epoch: Option<u32>,
    pub version: String,
    pub release: String,
    pub arch: Option<String>,
    pub source_rpm: Option<String>,
    pub license: Option<String>,
    pub vendor: Option<String>,
    pub modularity_label: Option<String>,
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// Parses a header blob. `None` when it is not one (too short, inconsistent sizes, no name).
pub fn parse(blob: &[u8]) -> Option<RpmHeader> {
    let il = be32(blob, 0)? as usize;
    let dl = be32(blob, 4)? as usize;
    // rpm itself caps these (HEADER_TAGS_MAX, HEADER_DATA_MAX).
    if il == 0 || il > 0xffff || dl > 256 << 20 {
        return None;
    }
    let index_end = 8usize.checked_add(il.checked_mul(16)?)?;
    let data = blob.get(index_end..index_end.checked_add(dl)?)?;
    let mut h = RpmHeader::default();
    for i in 0..il {
        let e = 8 + i * 16;
        let tag = be32(blob, e)? as i32;
        let kind = be32(blob, e + 4)?;
        let offset = be32(blob, e + 8)? as i32;
        let count = be32(blob, e + 12)?;
        if offset < 0 || offset as usize >= data.len() || count == 0 {
            continue;
        }
        let at = offset as usize;
        let string = || -> Option<String> {
            if !matches!(kind, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) {
                return None;
            }
            let rest = &data[at..];
            let end = rest.iter().position(|b| *b == 0)?;
            Some(String::from_utf8_lossy(&rest[..end]).into_owned())
        };
        match tag {
            NAME => h.name = string().unwrap_or_default(),
            VERSION => h.version = string().unwrap_or_default(),
            RELEASE => h.release = string().unwrap_or_default(),
            EPOCH if kind == TYPE_INT32 => h.epoch = be32(data, at),
            ARCH => h.arch = string(),
            SOURCERPM => h.source_rpm = string(),
            LICENSE => h.license = string(),
            VENDOR => h.vendor = string(),
            MODULARITYLABEL => h.modularity_label = string(),
            _ => {}
        }
    }
    (!h.name.is_empty()).then_some(h)
}

/// `bash-4.4-19.6.1.src.rpm` → (`bash`, `4.4-19.6.1`).
pub fn split_source_rpm(srpm: &str) -> Option<(String, String)> {
    let stem = srpm.strip_suffix(".rpm")?;
    let stem = stem.rsplit_once('.').map(|(s, _arch)| s)?; // drop `.src`/`.nosrc`
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    Some((name.to_string(), format!("{version}-{release}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            split_source_rpm("util-linux-2.32.1-42.el8_8.src.rpm"),
            Some(("util-linux".into(), "2.32.1-42.el8_8".into()))
        );
        assert_eq!(split_source_rpm("nonsense"), None);
    }

    #[test]
    fn garbage_is_not_a_header() {
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]), None);
        assert_eq!(parse(&[0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 3, 232]), None);
    }
}
