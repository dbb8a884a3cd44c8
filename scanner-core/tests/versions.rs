//! Version-ordering conformance: every line of every table in `../shared/fixtures/versions/`
//! for the schemes implemented, one test per file. Lines are `a < b`, `a = b` or `a > b`;
//! `#` and `//` lines are comments.

use std::cmp::Ordering;
use std::path::PathBuf;

use scanner_core::version::Scheme;

fn check(file: &str, scheme: Scheme) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/versions")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()));
    let mut failures = Vec::new();
    let mut checked = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let parts: Vec<&str> = line.split(' ').collect();
        let [a, op, b] = parts.as_slice() else {
            panic!("{file}:{}: not `a OP b`: {line}", n + 1);
        };
        let want = match *op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => panic!("{file}:{}: unknown operator in {line}", n + 1),
        };
        checked += 1;
        for (x, y, w) in [(a, b, want), (b, a, want.reverse())] {
            match scheme.compare(x, y) {
                Ok(got) if got == w => {}
                got => failures.push(format!(
                    "{file}:{}: {x} vs {y}: want {w:?}, got {got:?}",
                    n + 1
                )),
            }
        }
    }
    assert!(checked > 0, "{file} has no comparisons");
    assert!(
        failures.is_empty(),
        "{} of {checked} lines fail:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn debian() {
    check("debian-versions.txt", Scheme::Dpkg);
}

#[test]
fn debian_generated() {
    check("debian-versions-generated.txt", Scheme::Dpkg);
}

#[test]
fn redhat() {
    check("redhat-versions.txt", Scheme::Rpm);
}

#[test]
fn alpine() {
    check("alpine-versions.txt", Scheme::Apk);
}

#[test]
fn alpine_generated() {
    check("alpine-versions-generated.txt", Scheme::Apk);
}

#[test]
fn thirty_digit_components_order_numerically() {
    let big = "123456789012345678901234567890";
    let bigger = "123456789012345678901234567891";
    for scheme in [Scheme::Dpkg, Scheme::Rpm, Scheme::Apk] {
        let a = format!("1.{big}");
        let b = format!("1.{bigger}");
        assert_eq!(scheme.compare(&a, &b), Ok(Ordering::Less), "{scheme:?}");
        assert_eq!(
            scheme.compare(&format!("{big}0"), &b),
            Ok(Ordering::Greater),
            "{scheme:?}"
        );
    }
}

#[test]
fn bad_debian_versions_are_errors() {
    assert!(Scheme::Dpkg.compare("a:1.0", "1.0").is_err());
    assert!(Scheme::Dpkg.compare("", "1.0").is_err());
    assert!(Scheme::Dpkg.compare("1:-1", "1.0").is_err());
}

#[test]
fn semver() {
    check("semver-versions.txt", Scheme::SemVer);
}

#[test]
fn pypi() {
    check("pypi-versions.txt", Scheme::Pep440);
}

#[test]
fn pypi_generated() {
    check("pypi-versions-generated.txt", Scheme::Pep440);
}

#[test]
fn maven() {
    check("maven-versions.txt", Scheme::Maven);
}

#[test]
fn maven_generated() {
    check("maven-versions-generated.txt", Scheme::Maven);
}

#[test]
fn nuget() {
    check("nuget-versions.txt", Scheme::NuGet);
}

#[test]
fn rubygems() {
    check("rubygems-versions.txt", Scheme::RubyGems);
}

#[test]
fn rubygems_generated() {
    check("rubygems-versions-generated.txt", Scheme::RubyGems);
}

#[test]
fn packagist() {
    check("packagist-versions.txt", Scheme::Packagist);
}

#[test]
fn packagist_generated() {
    check("packagist-versions-generated.txt", Scheme::Packagist);
}

#[test]
fn absurdly_long_versions_are_refused_not_recursed() {
    let nested = "1-".repeat(100_000);
    for scheme in [
        Scheme::Maven,
        Scheme::Packagist,
        Scheme::Dpkg,
        Scheme::Apk,
        Scheme::Pep440,
    ] {
        assert!(scheme.compare(&nested, "1").is_err(), "{scheme:?}");
    }
}

#[test]
fn pub_dev() {
    check("pub-versions.txt", Scheme::Pub);
}

#[test]
fn cran() {
    check("cran-versions.txt", Scheme::Cran);
}

#[test]
fn cran_generated() {
    check("cran-versions-generated.txt", Scheme::Cran);
}

#[test]
fn hackage() {
    check("hackage-versions.txt", Scheme::Hackage);
}
