//! Pub (Dart) versions: SemVer, except that build metadata orders too: a version with a build
//! is newer than the same version without one, and builds compare like pre-releases.

use std::cmp::Ordering;

use super::semver::{self, compare_identifiers};
use super::ParseError;

pub fn compare(a: &str, b: &str) -> Result<Ordering, ParseError> {
    let split = |v: &str| -> (String, Vec<String>) {
        match v.trim().split_once('+') {
            Some((core, build)) => (
                core.to_string(),
                build.split('.').map(str::to_string).collect(),
            ),
            None => (v.trim().to_string(), Vec::new()),
        }
    };
    let ((ca, ba), (cb, bb)) = (split(a), split(b));
    Ok(
        semver::compare(&ca, &cb)?.then_with(|| match (ba.is_empty(), bb.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => {
                let x: Vec<&str> = ba.iter().map(String::as_str).collect();
                let y: Vec<&str> = bb.iter().map(String::as_str).collect();
                compare_identifiers(&x, &y)
            }
        }),
    )
}
