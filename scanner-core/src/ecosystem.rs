//! Ecosystems as OSV names them: which version scheme each uses and how package names are
//! normalised for lookups.

use crate::version::Scheme;

/// The version scheme of an OSV ecosystem (`Debian:12` → Dpkg), or `None` if unknown.
pub fn scheme(ecosystem: &str) -> Option<Scheme> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    Some(match base {
        "Debian" | "Ubuntu" => Scheme::Dpkg,
        "Alpine" | "Wolfi" | "Chainguard" => Scheme::Apk,
        "Red Hat" | "AlmaLinux" | "Rocky Linux" | "CentOS" | "Fedora" | "Oracle Linux"
        | "Amazon Linux" | "SUSE" | "openSUSE" | "Mariner" | "Azure Linux" | "Photon OS"
        | "openEuler" => Scheme::Rpm,
        "PyPI" => Scheme::Pep440,
        "Maven" => Scheme::Maven,
        "NuGet" => Scheme::NuGet,
        "RubyGems" => Scheme::RubyGems,
        "Packagist" => Scheme::Packagist,
        "Pub" => Scheme::Pub,
        "CRAN" => Scheme::Cran,
        "Hackage" => Scheme::Hackage,
        "crates.io" | "npm" | "Go" | "Hex" | "SwiftURL" => Scheme::SemVer,
        _ => return None,
    })
}

/// Whether an OSV ecosystem (`Debian:12` or `Debian`) is a distribution's: its packages match
/// only their own release's advisories, and its own rating decides a finding's severity.
pub fn is_os(ecosystem: &str) -> bool {
    matches!(
        scheme(ecosystem),
        Some(Scheme::Dpkg | Scheme::Apk | Scheme::Rpm)
    )
}

/// A package name as lookups compare it: PyPI names PEP 503-normalised (lower case, runs of
/// `-`, `_`, `.` as one `-`); Go module paths and the rest as written (npm names are exact).
pub fn normalise_name(ecosystem: &str, name: &str) -> String {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    match base {
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            let mut in_sep = false;
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !in_sep {
                        out.push('-');
                    }
                    in_sep = true;
                } else {
                    out.extend(c.to_lowercase());
                    in_sep = false;
                }
            }
            out
        }
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_names() {
        assert_eq!(normalise_name("PyPI", "Jinja2"), "jinja2");
        assert_eq!(normalise_name("PyPI", "zope.interface"), "zope-interface");
        assert_eq!(normalise_name("PyPI", "Foo__Bar-.baz"), "foo-bar-baz");
        assert_eq!(normalise_name("npm", "@Scope/Pkg"), "@Scope/Pkg");
    }

    #[test]
    fn schemes_by_ecosystem_with_release() {
        assert_eq!(scheme("Debian:12"), Some(Scheme::Dpkg));
        assert_eq!(scheme("Alpine:v3.18"), Some(Scheme::Apk));
        assert_eq!(scheme("AlmaLinux:9"), Some(Scheme::Rpm));
        assert_eq!(scheme("Go"), Some(Scheme::SemVer));
        assert_eq!(scheme("Nonsense"), None);
    }
}
