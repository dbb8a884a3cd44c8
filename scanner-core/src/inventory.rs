//! Packages found in an image, identified the way advisories key them, with the layer that
//! introduced each and the file it came from.

use serde::{Deserialize, Serialize};

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Package {
    /// Package URL, e.g. `pkg:deb/debian/openssl@3.0.16-1~deb12u1?arch=amd64&distro=debian-12`.
    pub purl: String,
    /// OSV ecosystem, with the release for OS packages: `Debian:12`, `Alpine:v3.18`.
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    /// Source package (dpkg `Source:`, apk origin, rpm source rpm name); the name when absent.
    pub source_name: String,
    /// Source version; the version when absent.
    pub source_version: String,
    pub arch: Option<String>,
    pub license: Option<String>,
    /// 0-based index of the layer that introduced this package at this version.
    pub layer: usize,
    /// The database or file it was read from, absolute.
    pub path: String,
    /// Which extractor found it (`os/dpkg`, `os/apk`, ...).
    pub found_by: String,
    /// Extra facts some formats carry. (Always written: packages travel between workers in
    /// bincode, which cannot skip fields.)
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Percent-encodes a purl component: unreserved characters stay, everything else is `%XX`.
pub fn purl_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Builds `pkg:TYPE/NAMESPACE/NAME@VERSION?k=v&...` (qualifiers sorted by key, empty ones left out).
pub fn purl(
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut s = format!("pkg:{kind}/");
    if let Some(ns) = namespace {
        // Each segment of a namespace is encoded on its own (`github.com/golang`).
        let segments: Vec<String> = ns.split('/').map(purl_encode).collect();
        s.push_str(&segments.join("/"));
        s.push('/');
    }
    s.push_str(&purl_encode(name));
    if !version.is_empty() {
        s.push('@');
        s.push_str(&purl_encode(version));
    }
    let mut q: Vec<&(&str, &str)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    q.sort();
    for (i, (k, v)) in q.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        s.push('=');
        s.push_str(&purl_encode(v));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_encode_versions_and_sort_qualifiers() {
        assert_eq!(
            purl(
                "deb",
                Some("debian"),
                "openssl",
                "3.0.16-1~deb12u1",
                &[("distro", "debian-12"), ("arch", "amd64")]
            ),
            "pkg:deb/debian/openssl@3.0.16-1~deb12u1?arch=amd64&distro=debian-12"
        );
        assert_eq!(
            purl("deb", Some("debian"), "libc6", "1:2.36+b1", &[]),
            "pkg:deb/debian/libc6@1%3A2.36%2Bb1"
        );
    }
}
