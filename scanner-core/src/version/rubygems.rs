//! RubyGems versions, ordered as `Gem::Version#<=>`: `-` reads as `.pre.`, segments are runs of
//! digits or letters, trailing zeros are dropped from the release part and from the pre-release
//! part separately, a letter segment sorts before a number.

use std::cmp::Ordering;

use super::compare_digits;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Num(String),
    Str(String),
}

fn is_zero(s: &Seg) -> bool {
    matches!(s, Seg::Num(n) if n.trim_start_matches('0').is_empty())
}

fn canonical(v: &str) -> Vec<Seg> {
    let v = v.trim().replace('-', ".pre.");
    let mut segs = Vec::new();
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            segs.push(Seg::Num(v[start..i].to_string()));
        } else if b[i].is_ascii_alphabetic() {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            segs.push(Seg::Str(v[start..i].to_string()));
        } else {
            i += 1;
        }
    }
    let split = segs
        .iter()
        .position(|s| matches!(s, Seg::Str(_)))
        .unwrap_or(segs.len());
    let mut strings = segs.split_off(split);
    let mut numbers = segs;
    while numbers.last().is_some_and(is_zero) {
        numbers.pop();
    }
    while strings.last().is_some_and(is_zero) {
        strings.pop();
    }
    numbers.extend(strings);
    numbers
}

/// Orders two gem versions. Never fails.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (x, y) = (canonical(a), canonical(b));
    let zero = Seg::Num("0".into());
    for i in 0..x.len().max(y.len()) {
        let l = x.get(i).unwrap_or(&zero);
        let r = y.get(i).unwrap_or(&zero);
        let c = match (l, r) {
            (Seg::Num(p), Seg::Num(q)) => compare_digits(p, q),
            (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
            (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            (Seg::Str(p), Seg::Str(q)) => p.cmp(q),
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}
