//! Version ordering, one module per scheme. Every comparison works on digit strings, never on
//! machine integers, so versions with 30-digit components order correctly and cannot overflow.
//!
//! Conformance: every line of `../shared/fixtures/versions/*-versions*.txt` for the schemes here
//! is checked by `tests/versions.rs`.

use std::cmp::Ordering;

pub mod apk;
pub mod dpkg;
pub mod maven;
pub mod nuget;
pub mod numeric;
pub mod packagist;
pub mod pep440;
pub mod pubdev;
pub mod rpm;
pub mod rubygems;
pub mod semver;

/// A versioning scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Dpkg,
    Apk,
    Rpm,
    /// PEP 440 (PyPI), with legacy versions.
    Pep440,
    Maven,
    NuGet,
    RubyGems,
    Packagist,
    Pub,
    Cran,
    Hackage,
    /// SemVer 2.0 as crates.io, npm, Go, Hex and Pub write it.
    SemVer,
}

/// A version string a scheme cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{version}` is not a valid {scheme} version: {reason}")]
pub struct ParseError {
    pub scheme: &'static str,
    pub version: String,
    pub reason: String,
}

impl Scheme {
    /// Orders two versions of this scheme. Versions longer than [`MAX_VERSION_LEN`] are refused:
    /// no real one is, and it bounds the work (and nesting) hostile input can cause.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, ParseError> {
        for v in [a, b] {
            if v.len() > MAX_VERSION_LEN {
                return Err(ParseError {
                    scheme: self.name(),
                    version: v.chars().take(40).collect::<String>() + "…",
                    reason: format!("it is longer than {MAX_VERSION_LEN} bytes"),
                });
            }
        }
        match self {
            Scheme::Dpkg => dpkg::compare(a, b),
            Scheme::Apk => apk::compare(a, b),
            Scheme::Rpm => Ok(rpm::compare(a, b)),
            Scheme::SemVer => semver::compare(a, b),
            Scheme::Pep440 => Ok(pep440::compare(a, b)),
            Scheme::Maven => Ok(maven::compare(a, b)),
            Scheme::NuGet => nuget::compare(a, b),
            Scheme::RubyGems => Ok(rubygems::compare(a, b)),
            Scheme::Packagist => Ok(packagist::compare(a, b)),
            Scheme::Pub => pubdev::compare(a, b),
            Scheme::Cran => numeric::compare_cran(a, b),
            Scheme::Hackage => numeric::compare_hackage(a, b),
        }
    }
}

/// Longest version string compared.
pub const MAX_VERSION_LEN: usize = 256;

impl Scheme {
    /// The scheme's name, as in messages.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "Debian",
            Scheme::Apk => "Alpine",
            Scheme::Rpm => "RPM",
            Scheme::Pep440 => "PyPI",
            Scheme::Maven => "Maven",
            Scheme::NuGet => "NuGet",
            Scheme::RubyGems => "RubyGems",
            Scheme::Packagist => "Packagist",
            Scheme::SemVer => "SemVer",
            Scheme::Pub => "Pub",
            Scheme::Cran => "CRAN",
            Scheme::Hackage => "Hackage",
        }
    }
}

/// Compares two runs of ASCII digits as numbers of any length.
pub fn compare_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}
