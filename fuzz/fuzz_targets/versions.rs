//! Any two strings compared in every version scheme: an ordering or an error, never a panic,
//! and the ordering is antisymmetric.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::version::Scheme;

const SCHEMES: [Scheme; 12] = [
    Scheme::Dpkg,
    Scheme::Apk,
    Scheme::Rpm,
    Scheme::Pep440,
    Scheme::Maven,
    Scheme::NuGet,
    Scheme::RubyGems,
    Scheme::Packagist,
    Scheme::SemVer,
    Scheme::Pub,
    Scheme::Cran,
    Scheme::Hackage,
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\n').unwrap_or((&text, "1.0"));
    for scheme in SCHEMES {
        if let (Ok(x), Ok(y)) = (scheme.compare(a, b), scheme.compare(b, a)) {
            assert_eq!(x, y.reverse(), "{scheme:?}: {a:?} vs {b:?}");
        }
    }
});
