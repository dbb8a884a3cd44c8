//! Advisories: the OSV-shaped model ([`osv`]) and the question at the heart of matching, whether
//! a version falls inside an affected range ([`is_affected`]).

pub mod bundle;
pub mod osv;

use std::cmp::Ordering;

use crate::version::{ParseError, Scheme};
use osv::{Affected, Event, RangeKind};

/// Whether `version` is affected according to one `affected[]` entry of a record.
///
/// Rules (OSV schema 1.6): affected if listed in `versions[]` or inside any ECOSYSTEM/SEMVER
/// range. Within a range, events are taken in version order: `introduced` opens (with `0` the
/// lowest of all versions), `fixed` closes exclusively, `last_affected` closes inclusively; a
/// range with only `introduced` has no fix; `limit` bounds the range from above (exclusive).
/// GIT ranges say nothing about package versions and are skipped without skipping the others.
pub fn is_affected(scheme: Scheme, version: &str, affected: &Affected) -> Result<bool, ParseError> {
    for listed in &affected.versions {
        if scheme.compare(version, listed)? == Ordering::Equal {
            return Ok(true);
        }
    }
    for range in &affected.ranges {
        if !matches!(range.kind, RangeKind::Ecosystem | RangeKind::Semver) {
            continue;
        }
        if in_range(scheme, version, &range.events)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Orders two event versions; `0` (introduced at the beginning) sorts first.
fn cmp_event_versions(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, ParseError> {
    match (a == "0", b == "0") {
        (true, true) => Ok(Ordering::Equal),
        (true, false) => Ok(Ordering::Less),
        (false, true) => Ok(Ordering::Greater),
        _ => scheme.compare(a, b),
    }
}

fn in_range(scheme: Scheme, version: &str, events: &[Event]) -> Result<bool, ParseError> {
    // Sort by version (stable: events at one version keep their written order).
    let mut sorted: Vec<&Event> = events.iter().collect();
    let mut failure = None;
    sorted.sort_by(|a, b| {
        cmp_event_versions(scheme, a.version(), b.version()).unwrap_or_else(|e| {
            failure.get_or_insert(e);
            Ordering::Equal
        })
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let at_least = |bound: &str| -> Result<bool, ParseError> {
        Ok(bound == "0" || scheme.compare(version, bound)? != Ordering::Less)
    };
    let mut affected = false;
    for event in sorted {
        match event {
            Event::Introduced(v) => {
                if at_least(v)? {
                    affected = true;
                }
            }
            Event::Fixed(v) => {
                if at_least(v)? {
                    affected = false;
                }
            }
            Event::LastAffected(v) => {
                if scheme.compare(version, v)? == Ordering::Greater {
                    affected = false;
                }
            }
            Event::Limit(v) => {
                if v != "*" && at_least(v)? {
                    return Ok(false);
                }
            }
        }
    }
    Ok(affected)
}
