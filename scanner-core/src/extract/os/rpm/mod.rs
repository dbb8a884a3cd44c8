//! rpm databases in all three backends: Berkeley DB (`Packages`), NDB (`Packages.db`) and SQLite
//! (`rpmdb.sqlite`), under `var/lib/rpm/` or `usr/lib/sysimage/rpm/`. The backend is chosen by
//! the file's magic bytes, not its name.
//!
//! # Reads
//! Each package's header blob: NAME, EPOCH, VERSION, RELEASE, ARCH, SOURCERPM, LICENSE, VENDOR,
//! MODULARITYLABEL.
//!
//! # Ignores
//! `gpg-pubkey` pseudo-packages (imported signing keys); index databases (`Name`, `Basenames`...).
//!
//! # Limitations
//! SQLite: rows still in a `-wal` file are not read. BDB: hash databases only (rpm never used
//! btree for `Packages`).
//!
//! # References
//! rpm `lib/header.c`, `lib/backend/{ndb,bdb_ro,sqlite}.c`; the SQLite file format document.

pub mod bdb;
pub mod header;
pub mod ndb;
pub mod sqlite;

use super::super::{ExtractInput, Extracted, Extractor};
use crate::inventory::{purl, Package};

pub struct RpmDatabase;

const DIRS: [&str; 2] = ["var/lib/rpm/", "usr/lib/sysimage/rpm/"];
const FILES: [&str; 3] = ["Packages", "Packages.db", "rpmdb.sqlite"];

/// (purl namespace, OSV ecosystem name) for an rpm distro id.
fn identity(id: &str) -> (&'static str, &'static str) {
    match id {
        "rhel" => ("redhat", "Red Hat"),
        "centos" => ("centos", "CentOS"),
        "rocky" => ("rocky", "Rocky Linux"),
        "almalinux" => ("almalinux", "AlmaLinux"),
        "fedora" => ("fedora", "Fedora"),
        "ol" => ("oracle", "Oracle Linux"),
        "amzn" => ("amazon", "Amazon Linux"),
        "sles" | "sle_hpc" | "sles_sap" => ("suse", "SUSE"),
        "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" => ("opensuse", "openSUSE"),
        "mariner" => ("mariner", "Mariner"),
        "azurelinux" => ("azurelinux", "Azure Linux"),
        "photon" => ("photon", "Photon OS"),
        _ => ("rpm", "RPM"),
    }
}

impl Extractor for RpmDatabase {
    fn name(&self) -> &'static str {
        "os/rpm"
    }

    fn file_required(&self, path: &str, _size: u64) -> bool {
        DIRS.iter()
            .any(|d| path.strip_prefix(d).is_some_and(|f| FILES.contains(&f)))
    }

    fn extract(&self, input: &ExtractInput<'_>) -> Extracted {
        let mut out = Extracted::default();
        let data = input.data;
        let (blobs, warnings): (Vec<Vec<u8>>, Vec<String>) = if sqlite::is_sqlite(data) {
            sqlite::package_blobs(data)
        } else if ndb::is_ndb(data) {
            let (b, w) = ndb::blobs(data);
            (b.into_iter().map(<[u8]>::to_vec).collect(), w)
        } else if bdb::is_bdb(data) {
            bdb::values(data)
        } else if data.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (
                Vec::new(),
                vec!["not a Berkeley DB, NDB or SQLite rpm database".into()],
            )
        };
        out.warnings.extend(
            warnings
                .into_iter()
                .map(|w| format!("/{}: {w}", input.path)),
        );
        let (ns, eco, distro_q, release) = match input.distro {
            Some(d) => {
                let (ns, eco) = identity(&d.id);
                (ns, eco, d.purl_qualifier(), d.release())
            }
            None => ("rpm", "RPM", String::new(), String::new()),
        };
        let ecosystem = if release.is_empty() {
            eco.to_string()
        } else {
            format!("{eco}:{release}")
        };
        let mut unreadable = 0usize;
        for blob in &blobs {
            let Some(h) = header::parse(blob) else {
                // BDB keeps a small bookkeeping record beside the headers.
                if blob.len() > 16 {
                    unreadable += 1;
                }
                continue;
            };
            if h.name == "gpg-pubkey" {
                continue;
            }
            let vr = format!("{}-{}", h.version, h.release);
            let version = match h.epoch {
                Some(e) if e > 0 => format!("{e}:{vr}"),
                _ => vr.clone(),
            };
            let (source_name, source_version) = h
                .source_rpm
                .as_deref()
                .and_then(header::split_source_rpm)
                .unwrap_or_else(|| (h.name.clone(), vr.clone()));
            let epoch = h
                .epoch
                .filter(|e| *e > 0)
                .map(|e| e.to_string())
                .unwrap_or_default();
            let mut qualifiers: Vec<(&str, &str)> =
                vec![("arch", h.arch.as_deref().unwrap_or("")), ("epoch", &epoch)];
            if !distro_q.is_empty() {
                qualifiers.push(("distro", &distro_q));
            }
            let mut notes = Vec::new();
            if let Some(m) = &h.modularity_label {
                notes.push(format!("modularitylabel={m}"));
            }
            if let Some(v) = &h.vendor {
                notes.push(format!("vendor={v}"));
            }
            out.packages.push(Package {
                purl: purl("rpm", Some(ns), &h.name, &vr, &qualifiers),
                ecosystem: ecosystem.clone(),
                name: h.name.clone(),
                version,
                source_name,
                source_version,
                arch: h.arch.clone(),
                license: h.license.clone(),
                layer: 0,
                path: String::new(),
                found_by: String::new(),
                notes,
            });
        }
        if unreadable > 0 {
            out.warnings.push(format!(
                "/{}: {unreadable} package headers could not be read",
                input.path
            ));
        }
        out
    }
}
