//! Debian package versions: `[epoch:]upstream[-revision]`, compared as dpkg does
//! (`lib/dpkg/version.c`): `~` sorts before everything, even the end; letters before other
//! characters; digit runs numerically.

use std::cmp::Ordering;

use super::{compare_digits, ParseError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgVersion<'a> {
    pub epoch: &'a str,
    pub upstream: &'a str,
    pub revision: &'a str,
}

fn error(version: &str, reason: &str) -> ParseError {
    ParseError {
        scheme: "Debian",
        version: version.to_string(),
        reason: reason.to_string(),
    }
}

pub fn parse(v: &str) -> Result<DpkgVersion<'_>, ParseError> {
    let s = v.trim();
    if s.is_empty() {
        return Err(error(v, "it is empty"));
    }
    let (epoch, rest) = match s.split_once(':') {
        Some((e, rest)) => {
            if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
                return Err(error(v, "the epoch is not a number"));
            }
            (e, rest)
        }
        None => ("0", s),
    };
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((u, r)) => (u, r),
        None => (rest, ""),
    };
    if upstream.is_empty() {
        return Err(error(v, "the upstream version is empty"));
    }
    Ok(DpkgVersion {
        epoch,
        upstream,
        revision,
    })
}

fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied().filter(|c| !c.is_ascii_digit()));
            let bc = order(b.get(j).copied().filter(|c| !c.is_ascii_digit()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            if i < a.len() && !a[i].is_ascii_digit() {
                i += 1;
            }
            if j < b.len() && !b[j].is_ascii_digit() {
                j += 1;
            }
        }
        let si = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let sj = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let da = std::str::from_utf8(&a[si..i]).unwrap_or("");
        let db = std::str::from_utf8(&b[sj..j]).unwrap_or("");
        let c = compare_digits(da, db);
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

pub fn compare(a: &str, b: &str) -> Result<Ordering, ParseError> {
    let (x, y) = (parse(a)?, parse(b)?);
    Ok(compare_digits(x.epoch, y.epoch)
        .then_with(|| verrevcmp(x.upstream, y.upstream))
        .then_with(|| verrevcmp(x.revision, y.revision)))
}
