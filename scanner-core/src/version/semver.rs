//! Semantic Versioning 2.0, read loosely as the package ecosystems write it (crates.io, npm, Go,
//! Hex, Pub): an optional `v`, up to three numeric components (missing ones are 0; a fourth and
//! later are build metadata), a pre-release after `-`, build metadata after `+` (ignored).
//! Pre-release identifiers: numeric ones compare as numbers and sort before alphanumeric ones,
//! which compare as ASCII; a shorter list that is a prefix of a longer one is older.

use std::cmp::Ordering;

use super::{compare_digits, ParseError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemVer<'a> {
    pub core: [&'a str; 3],
    pub pre: Vec<&'a str>,
}

pub fn parse(v: &str) -> Result<SemVer<'_>, ParseError> {
    let s = v.trim();
    let s = s
        .strip_prefix('v')
        .or_else(|| s.strip_prefix('V'))
        .unwrap_or(s);
    let s = s.split_once('+').map(|(a, _)| a).unwrap_or(s);
    let bytes = s.as_bytes();
    let mut core = ["0", "0", "0"];
    let mut at = 0usize;
    for (n, slot) in core.iter_mut().enumerate() {
        if n > 0 {
            if bytes.get(at) == Some(&b'.') && bytes.get(at + 1).is_some_and(u8::is_ascii_digit) {
                at += 1;
            } else {
                break;
            }
        }
        let start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return Err(ParseError {
                scheme: "SemVer",
                version: v.to_string(),
                reason: "it does not start with a number".into(),
            });
        }
        *slot = &s[start..at];
    }
    let rest = &s[at..];
    let pre = if let Some(p) = rest.strip_prefix('-') {
        p.split('.').collect()
    } else if rest.starts_with('.') || rest.is_empty() {
        Vec::new() // a fourth component and beyond count as build metadata
    } else {
        rest.split('.').collect()
    };
    Ok(SemVer { core, pre })
}

fn is_numeric(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn compare_pre(a: &[&str], b: &[&str]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => compare_identifiers(a, b),
    }
}

/// Orders dot-separated identifier lists as SemVer orders pre-releases.
pub fn compare_identifiers(a: &[&str], b: &[&str]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let c = match (is_numeric(x), is_numeric(y)) {
            (true, true) => compare_digits(x, y),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => x.cmp(y),
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    a.len().cmp(&b.len())
}

pub fn compare(a: &str, b: &str) -> Result<Ordering, ParseError> {
    let (x, y) = (parse(a)?, parse(b)?);
    Ok(x.core
        .iter()
        .zip(y.core.iter())
        .map(|(p, q)| compare_digits(p, q))
        .find(|c| *c != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
        .then_with(|| compare_pre(&x.pre, &y.pre)))
}
