//! Python versions: PEP 440 as the `packaging` library reads them, and, for strings PEP 440
//! rejects, the `LegacyVersion` ordering `packaging` used before 22.0 (always older than any
//! valid version), which is what PyPI's oldest releases need.

use std::cmp::Ordering;

use super::compare_digits;

/// A PEP 440 version, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep440 {
    epoch: String,
    /// Release numbers with trailing zeros removed.
    release: Vec<String>,
    /// (0 = a, 1 = b, 2 = rc; number)
    pre: Option<(u8, String)>,
    post: Option<String>,
    dev: Option<String>,
    local: Option<Vec<String>>,
}

struct P<'a> {
    s: &'a [u8],
    at: usize,
}

impl P<'_> {
    fn digits(&mut self) -> Option<String> {
        let start = self.at;
        while self.s.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        (self.at > start).then(|| String::from_utf8_lossy(&self.s[start..self.at]).into_owned())
    }
    fn eat(&mut self, word: &str) -> bool {
        if self.s[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            true
        } else {
            false
        }
    }
    fn sep(&mut self) -> bool {
        if matches!(self.s.get(self.at), Some(b'-' | b'_' | b'.')) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    /// Tries `[-_.]? label [-_.]? digits?`; restores the position if no label follows.
    fn labelled(&mut self, labels: &[&str]) -> Option<(usize, Option<String>)> {
        let save = self.at;
        self.sep();
        for (i, l) in labels.iter().enumerate() {
            if self.eat(l) {
                let before = self.at;
                let had_sep = self.sep();
                let n = self.digits();
                if n.is_none() && had_sep {
                    self.at = before;
                }
                return Some((i, n));
            }
        }
        self.at = save;
        None
    }
}

/// Parses a PEP 440 version; `None` if the string is not one.
pub fn parse(v: &str) -> Option<Pep440> {
    let lower = v.trim().to_ascii_lowercase();
    let s = lower.strip_prefix('v').unwrap_or(&lower);
    let mut p = P {
        s: s.as_bytes(),
        at: 0,
    };
    let mut epoch = "0".to_string();
    let first = p.digits()?;
    let mut release = vec![first];
    if p.s.get(p.at) == Some(&b'!') {
        p.at += 1;
        epoch = release.pop().unwrap_or_default();
        release.push(p.digits()?);
    }
    while p.s.get(p.at) == Some(&b'.') && p.s.get(p.at + 1).is_some_and(u8::is_ascii_digit) {
        p.at += 1;
        release.push(p.digits()?);
    }
    let pre = p
        .labelled(&["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"])
        .map(|(i, n)| {
            let kind = match i {
                0 | 1 => 0,
                2 | 3 => 1,
                _ => 2,
            };
            (kind, n.unwrap_or_else(|| "0".into()))
        });
    let mut post = None;
    if p.s.get(p.at) == Some(&b'-') && p.s.get(p.at + 1).is_some_and(u8::is_ascii_digit) {
        p.at += 1;
        post = p.digits();
    } else if let Some((_, n)) = p.labelled(&["post", "rev", "r"]) {
        post = Some(n.unwrap_or_else(|| "0".into()));
    }
    let dev = p
        .labelled(&["dev"])
        .map(|(_, n)| n.unwrap_or_else(|| "0".into()));
    let mut local = None;
    if p.s.get(p.at) == Some(&b'+') {
        p.at += 1;
        let rest = std::str::from_utf8(&p.s[p.at..]).ok()?;
        let parts: Vec<String> = rest.split(['-', '_', '.']).map(str::to_string).collect();
        if parts
            .iter()
            .any(|x| x.is_empty() || !x.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return None;
        }
        p.at = p.s.len();
        local = Some(parts);
    }
    if p.at != p.s.len() {
        return None;
    }
    while release.len() > 1
        && release
            .last()
            .is_some_and(|r| r.trim_start_matches('0').is_empty())
    {
        release.pop();
    }
    Some(Pep440 {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

fn cmp_release(a: &[String], b: &[String]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let x = a.get(i).map(String::as_str).unwrap_or("0");
        let y = b.get(i).map(String::as_str).unwrap_or("0");
        let c = compare_digits(x, y);
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

/// A sort key slot that may be -inf or +inf around a value.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Slot<T> {
    Min,
    Val(T),
    Max,
}

#[derive(PartialEq, Eq)]
struct Num(String);
impl PartialOrd for Num {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Num {
    fn cmp(&self, o: &Self) -> Ordering {
        compare_digits(&self.0, &o.0)
    }
}

fn compare_valid(a: &Pep440, b: &Pep440) -> Ordering {
    let pre_key = |v: &Pep440| match (&v.pre, &v.post, &v.dev) {
        (None, None, Some(_)) => Slot::Min,
        (None, _, _) => Slot::Max,
        (Some((k, n)), _, _) => Slot::Val((*k, Num(n.clone()))),
    };
    let post_key = |v: &Pep440| {
        v.post
            .clone()
            .map(|n| Slot::Val(Num(n)))
            .unwrap_or(Slot::Min)
    };
    let dev_key = |v: &Pep440| {
        v.dev
            .clone()
            .map(|n| Slot::Val(Num(n)))
            .unwrap_or(Slot::Max)
    };
    compare_digits(&a.epoch, &b.epoch)
        .then_with(|| cmp_release(&a.release, &b.release))
        .then_with(|| pre_key(a).cmp(&pre_key(b)))
        .then_with(|| post_key(a).cmp(&post_key(b)))
        .then_with(|| dev_key(a).cmp(&dev_key(b)))
        .then_with(|| match (&a.local, &b.local) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => {
                // Numeric segments sort after alphanumeric ones; alphanumeric compare as text.
                for (p, q) in x.iter().zip(y) {
                    let pn = p.bytes().all(|b| b.is_ascii_digit());
                    let qn = q.bytes().all(|b| b.is_ascii_digit());
                    let c = match (pn, qn) {
                        (true, true) => compare_digits(p, q),
                        (true, false) => Ordering::Greater,
                        (false, true) => Ordering::Less,
                        (false, false) => p.cmp(q),
                    };
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                x.len().cmp(&y.len())
            }
        })
}

/// `packaging`'s `_legacy_cmpkey` parts.
fn legacy_key(v: &str) -> Vec<String> {
    let lower = v.to_ascii_lowercase();
    let mut raw: Vec<String> = Vec::new();
    let b = lower.as_bytes();
    let mut i = 0;
    let mut other = String::new();
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_digit() || c.is_ascii_lowercase() || c == b'.' || c == b'-' {
            if !other.is_empty() {
                raw.push(std::mem::take(&mut other));
            }
            if c.is_ascii_digit() {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            } else if c.is_ascii_lowercase() {
                while i < b.len() && b[i].is_ascii_lowercase() {
                    i += 1;
                }
            } else {
                i += 1;
            }
            raw.push(lower[start..i].to_string());
        } else {
            other.push(c as char);
            i += 1;
        }
    }
    if !other.is_empty() {
        raw.push(other);
    }
    let mut parts: Vec<String> = Vec::new();
    let mapped = raw.into_iter().filter_map(|part| {
        let part = match part.as_str() {
            "pre" | "preview" | "rc" => "c".to_string(),
            "-" => "final-".to_string(),
            "dev" => "@".to_string(),
            _ => part,
        };
        if part.is_empty() || part == "." {
            None
        } else if part.as_bytes()[0].is_ascii_digit() {
            Some(format!("{part:0>8}"))
        } else {
            Some(format!("*{part}"))
        }
    });
    for part in mapped.chain(std::iter::once("*final".to_string())) {
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    }
    parts
}

/// Orders two Python versions. Never fails: strings PEP 440 rejects are legacy versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => compare_valid(&x, &y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => legacy_key(a).cmp(&legacy_key(b)),
    }
}
