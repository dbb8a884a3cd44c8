//! Advisories: the OSV-shaped model ([`osv`]), severity ([`severity`]), the compiled database
//! the matcher reads ([`db`]), the bundle file that carries it ([`bundle`]), converters for
//! feeds that are not OSV ([`feeds`], native builds only), and the question at the heart of
//! matching, whether a version falls inside an affected range ([`is_affected`]).

pub mod bundle;
pub mod db;
pub mod exploit;
#[cfg(feature = "feeds")]
pub mod feeds;
pub mod osv;
pub mod severity;

use crate::version::{ParseError, Scheme};
use osv::{Affected, RangeKind};

/// Whether `version` is affected according to one `affected[]` entry of a record.
///
/// Rules (OSV schema 1.6): affected if listed in `versions[]` or inside any ECOSYSTEM/SEMVER
/// range. Within a range, events are taken in version order: `introduced` opens (with `0` the
/// lowest of all versions), `fixed` closes exclusively, `last_affected` closes inclusively; a
/// range with only `introduced` has no fix; `limit` bounds the range from above (exclusive).
/// GIT ranges say nothing about package versions and are skipped without skipping the others.
///
/// The bundle stores ranges already sorted ([`db::sort_events`]) and matches with
/// [`db::affected_by`]; this is the same code applied to a record as written.
pub fn is_affected(scheme: Scheme, version: &str, affected: &Affected) -> Result<bool, ParseError> {
    let mut ranges = Vec::new();
    for range in &affected.ranges {
        if matches!(range.kind, RangeKind::Ecosystem | RangeKind::Semver) {
            ranges.push(db::sort_events(scheme, &range.events)?);
        }
    }
    db::affected_by(
        scheme,
        version,
        affected.versions.iter().map(String::as_str),
        ranges.into_iter(),
    )
}
