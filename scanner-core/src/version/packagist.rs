//! Packagist (Composer) versions, ordered like PHP's `version_compare` after Composer's trimming
//! of a leading `v`: `-`, `_`, `+` read as `.`, a `.` goes between digits and anything else,
//! numbers compare as numbers and words by rank
//! `dev < a(lpha) < b(eta) < RC/rc < (number) < p(l)`; unknown words rank with `dev`.
//! When one version has more components, a number there makes it newer; a word is ranked
//! against a number.

use std::cmp::Ordering;

use super::compare_digits;

fn canonicalize(v: &str) -> Vec<String> {
    let v = v.trim();
    let v = v
        .strip_prefix('v')
        .or_else(|| v.strip_prefix('V'))
        .unwrap_or(v);
    let mut out = String::with_capacity(v.len() * 2);
    let mut prev: Option<char> = None;
    for c in v.chars() {
        let c = if matches!(c, '-' | '_' | '+') { '.' } else { c };
        if let Some(p) = prev {
            let boundary = (p != '.' && !p.is_ascii_digit() && c.is_ascii_digit())
                || (p.is_ascii_digit() && c != '.' && !c.is_ascii_digit());
            if boundary {
                out.push('.');
            }
        }
        out.push(c);
        prev = Some(c);
    }
    out.split('.').map(str::to_string).collect()
}

fn rank(word: &str) -> u8 {
    if word.starts_with("RC") {
        return 3;
    }
    ["dev", "a", "b", "rc", "#", "p"]
        .iter()
        .position(|s| word.starts_with(s))
        .map(|i| i as u8)
        .unwrap_or(0)
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn compare_components(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let c = match (is_number(x), is_number(y)) {
            (true, true) => compare_digits(x, y),
            (false, false) => rank(x).cmp(&rank(y)),
            (true, false) => rank("#").cmp(&rank(y)),
            (false, true) => rank(x).cmp(&rank("#")),
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    // Leftover components are ranked against a number, one by one (iteratively: hostile input
    // may have very many).
    let (rest, sign) = match a.len().cmp(&b.len()) {
        Ordering::Greater => (&a[b.len()..], Ordering::Greater),
        Ordering::Less => (&b[a.len()..], Ordering::Less),
        Ordering::Equal => return Ordering::Equal,
    };
    for word in rest {
        if is_number(word) {
            return sign;
        }
        let c = rank(word).cmp(&rank("#"));
        if c != Ordering::Equal {
            return if sign == Ordering::Greater {
                c
            } else {
                c.reverse()
            };
        }
    }
    Ordering::Equal
}

/// Orders two Packagist versions. Never fails.
pub fn compare(a: &str, b: &str) -> Ordering {
    compare_components(&canonicalize(a), &canonicalize(b))
}
