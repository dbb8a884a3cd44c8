//! Which distribution an image is built on, from `/etc/os-release` and friends, and whether that
//! release is past its end of life according to a small dated table.

use serde::{Deserialize, Serialize};

/// Files the distro detection reads (paths without the leading `/`).
pub const DISTRO_FILES: [&str; 7] = [
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/debian_version",
    "etc/redhat-release",
    "etc/system-release",
    "etc/lsb-release",
];

/// The detected distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distro {
    /// `ID` from os-release, lower case: `debian`, `ubuntu`, `alpine`, `rhel`, `wolfi`, ...
    pub id: String,
    /// `VERSION_ID`, or what the release files say (`edge`, `trixie/sid`, ...). Empty if unknown.
    pub version: String,
    pub codename: Option<String>,
    pub pretty_name: Option<String>,
    /// `ID_LIKE`.
    pub like: Vec<String>,
    /// End-of-life status from [`EOL_TABLE`].
    pub eol: Option<EolStatus>,
}

/// End-of-life status of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EolStatus {
    /// Date the release stopped getting security updates (free support, `YYYY-MM-DD`).
    pub date: String,
    /// True when `date` is on or before [`EOL_TABLE_DATE`].
    pub end_of_life: bool,
    /// Date of the table this comes from.
    pub table_date: String,
}

/// The day [`EOL_TABLE`] was last checked.
pub const EOL_TABLE_DATE: &str = "2026-11-01";

/// (distro id, release prefix, end of free security support). A release matches when its
/// version equals the prefix or starts with `prefix.`. Sources: the distributions' own
/// release and lifecycle pages (Debian LTS included, Ubuntu standard support, RHEL full+maintenance).
pub const EOL_TABLE: &[(&str, &str, &str)] = &[
    ("debian", "8", "2020-06-30"),
    ("debian", "9", "2022-06-30"),
    ("debian", "10", "2024-06-30"),
    ("debian", "11", "2026-08-31"),
    ("debian", "12", "2028-06-30"),
    ("debian", "13", "2030-06-30"),
    ("ubuntu", "14.04", "2019-04-30"),
    ("ubuntu", "16.04", "2021-04-30"),
    ("ubuntu", "18.04", "2023-05-31"),
    ("ubuntu", "20.04", "2025-05-31"),
    ("ubuntu", "22.04", "2027-06-30"),
    ("ubuntu", "24.04", "2029-05-31"),
    ("ubuntu", "24.10", "2025-07-10"),
    ("ubuntu", "25.04", "2026-01-15"),
    ("alpine", "3.14", "2023-05-01"),
    ("alpine", "3.15", "2023-11-01"),
    ("alpine", "3.16", "2024-05-23"),
    ("alpine", "3.17", "2024-11-22"),
    ("alpine", "3.18", "2025-05-09"),
    ("alpine", "3.19", "2025-11-01"),
    ("alpine", "3.20", "2026-04-01"),
    ("alpine", "3.21", "2026-11-01"),
    ("alpine", "3.22", "2027-05-01"),
    ("centos", "6", "2020-11-30"),
    ("centos", "7", "2024-06-30"),
    ("centos", "8", "2021-12-31"),
    ("rhel", "7", "2024-06-30"),
    ("rhel", "8", "2029-05-31"),
    ("rhel", "9", "2032-05-31"),
    ("rocky", "8", "2029-05-31"),
    ("rocky", "9", "2032-05-31"),
    ("almalinux", "8", "2029-03-01"),
    ("almalinux", "9", "2032-05-31"),
    ("ol", "7", "2024-12-31"),
    ("ol", "8", "2029-07-31"),
    ("amzn", "2018.03", "2023-12-31"),
    ("amzn", "2", "2026-06-30"),
    ("amzn", "2023", "2029-06-30"),
    ("fedora", "39", "2024-11-26"),
    ("fedora", "40", "2025-05-13"),
    ("fedora", "41", "2025-12-15"),
    ("fedora", "42", "2026-05-13"),
    ("opensuse-leap", "15.4", "2023-12-07"),
    ("opensuse-leap", "15.5", "2024-12-31"),
    ("opensuse-leap", "15.6", "2026-04-30"),
    ("mariner", "1.0", "2023-07-31"),
    ("mariner", "2.0", "2025-07-31"),
    ("photon", "3.0", "2024-03-31"),
];

pub(crate) fn eol_for(id: &str, version: &str) -> Option<EolStatus> {
    EOL_TABLE
        .iter()
        .filter(|(d, prefix, _)| {
            *d == id && (version == *prefix || version.starts_with(&format!("{prefix}.")))
        })
        .max_by_key(|(_, prefix, _)| prefix.len())
        .map(|(_, _, date)| EolStatus {
            date: date.to_string(),
            end_of_life: *date <= EOL_TABLE_DATE,
            table_date: EOL_TABLE_DATE.to_string(),
        })
}

/// Parses `KEY=value` lines (os-release, lsb-release), unquoting values.
pub fn parse_key_values(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.starts_with('#') {
                return None;
            }
            let (k, v) = line.split_once('=')?;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            Some((k.trim().to_string(), v.replace("\\\"", "\"")))
        })
        .collect()
}

/// Detects the distro from the release files the image holds, given as `(path, bytes)` with
/// symlinks already resolved.
pub fn detect(read: &dyn Fn(&str) -> Option<Vec<u8>>) -> Option<Distro> {
    let text = |p: &str| read(p).map(|b| String::from_utf8_lossy(&b).into_owned());
    let os_release = text("etc/os-release").or_else(|| text("usr/lib/os-release"));
    let mut d = Distro {
        id: String::new(),
        version: String::new(),
        codename: None,
        pretty_name: None,
        like: Vec::new(),
        eol: None,
    };
    if let Some(os) = os_release {
        for (k, v) in parse_key_values(&os) {
            match k.as_str() {
                "ID" => d.id = v.to_ascii_lowercase(),
                "VERSION_ID" => d.version = v,
                "VERSION_CODENAME" if !v.is_empty() => d.codename = Some(v),
                "PRETTY_NAME" if !v.is_empty() => d.pretty_name = Some(v),
                "ID_LIKE" => d.like = v.split_whitespace().map(str::to_string).collect(),
                _ => {}
            }
        }
    }
    if d.id.is_empty() {
        if let Some(v) = text("etc/alpine-release") {
            d.id = "alpine".into();
            d.version = v.trim().to_string();
        } else if let Some(lsb) = text("etc/lsb-release") {
            for (k, v) in parse_key_values(&lsb) {
                match k.as_str() {
                    "DISTRIB_ID" => d.id = v.to_ascii_lowercase(),
                    "DISTRIB_RELEASE" => d.version = v,
                    "DISTRIB_CODENAME" => d.codename = Some(v),
                    "DISTRIB_DESCRIPTION" => d.pretty_name = Some(v),
                    _ => {}
                }
            }
        } else if let Some(r) = text("etc/redhat-release").or_else(|| text("etc/system-release")) {
            // "CentOS Linux release 7.9.2009 (Core)", "Red Hat Enterprise Linux Server release 7.9 (Maipo)"
            let lower = r.to_ascii_lowercase();
            d.id = if lower.contains("centos") {
                "centos"
            } else if lower.contains("red hat") {
                "rhel"
            } else if lower.contains("fedora") {
                "fedora"
            } else if lower.contains("amazon") {
                "amzn"
            } else if lower.contains("oracle") {
                "ol"
            } else {
                "rhel"
            }
            .into();
            d.version = r
                .split_whitespace()
                .skip_while(|w| *w != "release")
                .nth(1)
                .unwrap_or("")
                .to_string();
            d.pretty_name = Some(r.trim().to_string());
        } else if let Some(v) = text("etc/debian_version") {
            d.id = "debian".into();
            d.version = v.trim().to_string();
        }
    }
    if d.id.is_empty() {
        return None;
    }
    match d.id.as_str() {
        // Debian testing/sid has no VERSION_ID; debian_version says e.g. "trixie/sid".
        "debian" if d.version.is_empty() => {
            if let Some(v) = text("etc/debian_version") {
                let v = v.trim().to_string();
                if v.contains('/') {
                    d.codename
                        .get_or_insert_with(|| v.split('/').next().unwrap_or("").to_string());
                }
                d.version = v;
            }
        }
        // Alpine edge: VERSION_ID like 3.21_alpha20240807, or PRETTY_NAME "... edge".
        "alpine"
            if d.version.contains("_alpha")
                || d.pretty_name.as_deref().is_some_and(|p| p.contains("edge")) =>
        {
            d.codename = Some("edge".into());
        }
        _ => {}
    }
    d.eol = eol_for(&d.id, &d.version);
    Some(d)
}

impl Distro {
    /// The release as advisories key it: Debian `12`, Alpine `v3.18`, Ubuntu `22.04`, RHEL `9`.
    pub fn release(&self) -> String {
        match self.id.as_str() {
            "alpine" => {
                if self.codename.as_deref() == Some("edge") {
                    return "edge".into();
                }
                let mut parts = self.version.split('.');
                match (parts.next(), parts.next()) {
                    (Some(a), Some(b)) => format!("v{a}.{b}"),
                    _ => self.version.clone(),
                }
            }
            "debian" | "rhel" | "centos" | "rocky" | "almalinux" | "ol" => {
                self.version.split('.').next().unwrap_or("").to_string()
            }
            _ => self.version.clone(),
        }
    }

    /// `debian-12`, `alpine-3.18.4`, as in purl `distro=` qualifiers.
    pub fn purl_qualifier(&self) -> String {
        if self.version.is_empty() {
            self.id.clone()
        } else {
            format!("{}-{}", self.id, self.version)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn detect_from(files: &[(&str, &str)]) -> Option<Distro> {
        let map: BTreeMap<String, Vec<u8>> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect();
        detect(&|p| map.get(p).cloned())
    }

    #[test]
    fn debian_bookworm() {
        let d = detect_from(&[(
            "etc/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n",
        )])
        .expect("debian");
        assert_eq!(
            (d.id.as_str(), d.version.as_str(), d.release().as_str()),
            ("debian", "12", "12")
        );
        assert_eq!(d.codename.as_deref(), Some("bookworm"));
        assert_eq!(d.eol.as_ref().map(|e| e.end_of_life), Some(false));
        assert_eq!(d.purl_qualifier(), "debian-12");
    }

    #[test]
    fn debian_sid_and_buster_eol() {
        let d = detect_from(&[
            (
                "usr/lib/os-release",
                "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\n",
            ),
            ("etc/debian_version", "trixie/sid\n"),
        ])
        .expect("sid");
        assert_eq!(d.version, "trixie/sid");
        assert_eq!(d.codename.as_deref(), Some("trixie"));
        let d =
            detect_from(&[("etc/os-release", "ID=debian\nVERSION_ID=\"10\"\n")]).expect("buster");
        let eol = d.eol.expect("eol known");
        assert!(eol.end_of_life);
        assert_eq!(eol.table_date, EOL_TABLE_DATE);
    }

    #[test]
    fn alpine_releases_and_edge() {
        let d = detect_from(&[(
            "etc/os-release",
            "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.15.11\nPRETTY_NAME=\"Alpine Linux v3.15\"\n",
        )])
        .expect("alpine");
        assert_eq!(d.release(), "v3.15");
        assert!(d.eol.expect("eol").end_of_life);
        let edge = detect_from(&[(
            "etc/os-release",
            "ID=alpine\nVERSION_ID=3.21_alpha20240807\nPRETTY_NAME=\"Alpine Linux edge\"\n",
        )])
        .expect("edge");
        assert_eq!(edge.release(), "edge");
        let old = detect_from(&[("etc/alpine-release", "3.9.4\n")]).expect("alpine-release only");
        assert_eq!(old.release(), "v3.9");
    }

    #[test]
    fn centos_7_from_redhat_release() {
        let d = detect_from(&[(
            "etc/redhat-release",
            "CentOS Linux release 7.9.2009 (Core)\n",
        )])
        .expect("centos");
        assert_eq!((d.id.as_str(), d.release().as_str()), ("centos", "7"));
        assert!(d.eol.expect("eol").end_of_life);
    }

    /// os-release files as these distributions ship them (trimmed to the fields we read).
    #[test]
    fn every_supported_family() {
        let cases: &[(&str, &str, &str, &str)] = &[
            ("ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nID_LIKE=debian\n", "ubuntu", "22.04", "22.04"),
            ("ID=\"rhel\"\nVERSION_ID=\"9.4\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.4 (Plow)\"\nID_LIKE=\"fedora\"\n", "rhel", "9.4", "9"),
            ("ID=\"centos\"\nVERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n", "centos", "7", "7"),
            ("ID=\"rocky\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"Rocky Linux 9.3 (Blue Onyx)\"\n", "rocky", "9.3", "9"),
            ("ID=\"almalinux\"\nVERSION_ID=\"9.4\"\nPRETTY_NAME=\"AlmaLinux 9.4 (Seafoam Ocelot)\"\n", "almalinux", "9.4", "9"),
            ("ID=fedora\nVERSION_ID=40\nPRETTY_NAME=\"Fedora Linux 40 (Container Image)\"\n", "fedora", "40", "40"),
            ("ID=\"ol\"\nVERSION_ID=\"8.9\"\nPRETTY_NAME=\"Oracle Linux Server 8.9\"\n", "ol", "8.9", "8"),
            ("ID=\"amzn\"\nVERSION_ID=\"2\"\nPRETTY_NAME=\"Amazon Linux 2\"\n", "amzn", "2", "2"),
            ("ID=\"amzn\"\nVERSION_ID=\"2023\"\nPRETTY_NAME=\"Amazon Linux 2023.4.20240401\"\n", "amzn", "2023", "2023"),
            ("ID=\"sles\"\nVERSION_ID=\"15.5\"\nPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP5\"\n", "sles", "15.5", "15.5"),
            ("ID=\"opensuse-leap\"\nVERSION_ID=\"15.6\"\nPRETTY_NAME=\"openSUSE Leap 15.6\"\n", "opensuse-leap", "15.6", "15.6"),
            ("ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=\"20230201\"\n", "wolfi", "20230201", "20230201"),
            ("ID=chainguard\nNAME=\"Chainguard\"\nPRETTY_NAME=\"Chainguard\"\n", "chainguard", "", ""),
            ("NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0.20240123\"\nID=mariner\nVERSION_ID=\"2.0\"\n", "mariner", "2.0", "2.0"),
            ("NAME=\"Microsoft Azure Linux\"\nID=azurelinux\nVERSION_ID=\"3.0\"\n", "azurelinux", "3.0", "3.0"),
            ("NAME=\"VMware Photon OS\"\nVERSION_ID=5.0\nID=photon\nPRETTY_NAME=\"VMware Photon OS/Linux\"\n", "photon", "5.0", "5.0"),
            // Distroless Debian ships os-release under usr/lib with the same fields.
            ("PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\nVERSION_ID=\"12\"\n", "debian", "12", "12"),
        ];
        for (text, id, version, release) in cases {
            let d = detect_from(&[("usr/lib/os-release", text)]).expect(id);
            assert_eq!(
                (d.id.as_str(), d.version.as_str(), d.release().as_str()),
                (*id, *version, *release),
                "{text}"
            );
        }
        let amzn2 =
            detect_from(&[("etc/os-release", "ID=\"amzn\"\nVERSION_ID=\"2\"\n")]).expect("amzn");
        assert!(
            amzn2.eol.expect("eol").end_of_life,
            "Amazon Linux 2 ended 2026-06-30"
        );
    }

    #[test]
    fn nothing_known_is_none() {
        assert_eq!(detect_from(&[("etc/hostname", "x")]), None);
    }
}
