//! NuGet versions: up to four numeric components (missing ones are 0), a pre-release after `-`
//! compared case-insensitively (numeric identifiers as numbers, before alphanumeric ones), build
//! metadata after `+` ignored.

use std::cmp::Ordering;

use super::{compare_digits, ParseError};

pub fn compare(a: &str, b: &str) -> Result<Ordering, ParseError> {
    let (x, y) = (parse(a)?, parse(b)?);
    let n = x.0.len().max(y.0.len());
    for i in 0..n {
        let c = compare_digits(
            x.0.get(i).map(String::as_str).unwrap_or("0"),
            y.0.get(i).map(String::as_str).unwrap_or("0"),
        );
        if c != Ordering::Equal {
            return Ok(c);
        }
    }
    Ok(match (x.1.is_empty(), y.1.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => {
            for (p, q) in x.1.iter().zip(&y.1) {
                let pn = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
                let qn = !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit());
                let c = match (pn, qn) {
                    (true, true) => compare_digits(p, q),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => p.cmp(q),
                };
                if c != Ordering::Equal {
                    return Ok(c);
                }
            }
            x.1.len().cmp(&y.1.len())
        }
    })
}

type Parsed = (Vec<String>, Vec<String>);

fn parse(v: &str) -> Result<Parsed, ParseError> {
    let s = v.trim();
    let s = s.split_once('+').map(|(a, _)| a).unwrap_or(s);
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (s, None),
    };
    let nums: Vec<String> = core.split('.').map(str::to_string).collect();
    if nums
        .iter()
        .any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ParseError {
            scheme: "NuGet",
            version: v.to_string(),
            reason: "the release part is not dot-separated numbers".into(),
        });
    }
    let pre = pre
        .map(|p| p.split('.').map(|x| x.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    Ok((nums, pre))
}
