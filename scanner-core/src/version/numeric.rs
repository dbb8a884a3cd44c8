//! Versions that are lists of numbers: CRAN (`.` or `-` between numbers) and Hackage (`.`).
//! Numbers compare numerically; when one list is a prefix of the other, the longer is newer
//! (`0.1.0 < 0.1.0.0`).

use std::cmp::Ordering;

use super::{compare_digits, ParseError};

fn parts<'a>(scheme: &'static str, v: &'a str, seps: &[char]) -> Result<Vec<&'a str>, ParseError> {
    let parts: Vec<&str> = v.trim().split(seps).collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ParseError {
            scheme,
            version: v.to_string(),
            reason: "it is not a list of numbers".into(),
        });
    }
    Ok(parts)
}

fn compare_lists(x: &[&str], y: &[&str]) -> Ordering {
    x.iter()
        .zip(y)
        .map(|(p, q)| compare_digits(p, q))
        .find(|c| *c != Ordering::Equal)
        .unwrap_or_else(|| x.len().cmp(&y.len()))
}

pub fn compare_cran(a: &str, b: &str) -> Result<Ordering, ParseError> {
    Ok(compare_lists(
        &parts("CRAN", a, &['.', '-'])?,
        &parts("CRAN", b, &['.', '-'])?,
    ))
}

pub fn compare_hackage(a: &str, b: &str) -> Result<Ordering, ParseError> {
    Ok(compare_lists(
        &parts("Hackage", a, &['.'])?,
        &parts("Hackage", b, &['.'])?,
    ))
}
