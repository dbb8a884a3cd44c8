//! Standard exports of a [`Report`]: CycloneDX 1.6 JSON (components and vulnerabilities),
//! SPDX 2.3 JSON (packages), SARIF 2.1.0 (findings as results), and CSV (findings). The same
//! code serves the CLI's `--format` and the page's export buttons.
//!
//! No clock and no randomness in here: the caller gives the timestamp, and document ids are
//! derived from the report's content, so the same report exports to the same bytes.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::advisory::severity::Level;
use crate::report::Report;

/// What an export needs besides the report.
#[derive(Debug, Clone)]
pub struct ExportContext {
    /// When the document is made, RFC 3339 UTC (`2026-11-24T08:00:00Z`).
    pub timestamp: String,
    pub tool_version: String,
}

/// A UUID (version 4 layout) derived from the report's content.
fn content_uuid(report: &Report, kind: &str) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    h.update(report.image.config_digest.as_bytes());
    for p in &report.packages {
        h.update(p.purl.as_bytes());
        h.update(p.path.as_bytes());
    }
    for f in &report.findings {
        h.update(f.id.as_bytes());
        h.update(f.purl.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The image's name: its first tag, else its config digest.
pub fn image_name(report: &Report) -> String {
    report
        .image
        .tags
        .first()
        .cloned()
        .unwrap_or_else(|| report.image.config_digest.clone())
}

/// A reference to package `i` that is unique in the document.
fn package_ref(report: &Report, i: usize) -> String {
    let p = &report.packages[i];
    format!("pkg-{i}-{}", p.purl)
}

fn cyclonedx_method(vector: Option<&str>) -> &'static str {
    match vector {
        Some(v) if v.starts_with("CVSS:4") => "CVSSv4",
        Some(v) if v.starts_with("CVSS:3.1") => "CVSSv31",
        Some(v) if v.starts_with("CVSS:3") => "CVSSv3",
        Some(_) => "CVSSv2",
        None => "other",
    }
}

/// Where an advisory id is described.
pub fn advisory_url(id: &str) -> String {
    if id.starts_with("CVE-") {
        format!("https://nvd.nist.gov/vuln/detail/{id}")
    } else if id.starts_with("DSA-") || id.starts_with("DLA-") {
        format!("https://security-tracker.debian.org/tracker/{id}")
    } else {
        format!("https://osv.dev/vulnerability/{id}")
    }
}

/// CycloneDX 1.6 JSON.
pub fn cyclonedx(report: &Report, ctx: &ExportContext) -> Value {
    let components: Vec<Value> = report
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut c = json!({
                "bom-ref": package_ref(report, i),
                "type": "library",
                "name": p.name,
                "purl": p.purl,
                "properties": [
                    {"name": "tarsier:ecosystem", "value": p.ecosystem},
                    {"name": "tarsier:layer", "value": p.layer.to_string()},
                    {"name": "tarsier:path", "value": p.path},
                    {"name": "tarsier:found_by", "value": p.found_by},
                ],
            });
            if !p.version.is_empty() {
                c["version"] = json!(p.version);
            }
            if let Some(l) = &p.license {
                c["licenses"] = json!([{"license": {"name": l}}]);
            }
            c
        })
        .collect();
    let refs: std::collections::HashMap<(&str, &str), String> = report
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.purl.as_str(), p.path.as_str()), package_ref(report, i)))
        .collect();
    let vulnerabilities: Vec<Value> = report
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut ratings = Vec::new();
            let from_cvss = f.severity_source.starts_with("CVSS");
            let mut rating = json!({
                "severity": f.severity.as_str().to_lowercase(),
                "method": if from_cvss { cyclonedx_method(f.vector.as_deref()) } else { "other" },
            });
            if from_cvss {
                if let Some(s) = f.score {
                    rating["score"] = json!(cvss_score(s));
                }
                if let Some(v) = &f.vector {
                    rating["vector"] = json!(v);
                }
            }
            if !f.severity_source.is_empty() {
                rating["source"] = json!({"name": f.severity_source});
            }
            if let Some(note) = &f.severity_note {
                rating["justification"] = json!(note);
            }
            ratings.push(rating);
            // The distribution decided; the advisory's CVSS goes beside it.
            if !from_cvss {
                if let (Some(s), Some(v)) = (f.score, &f.vector) {
                    ratings.push(json!({
                        "score": cvss_score(s),
                        "severity": Level::from_score(f64::from(s)).as_str().to_lowercase(),
                        "method": cyclonedx_method(Some(v)),
                        "vector": v,
                    }));
                }
            }
            let mut properties = Vec::new();
            if let Some(k) = &f.kev {
                properties.push(json!({"name": "tarsier:kev:dateAdded", "value": k.date_added}));
                properties.push(json!({"name": "tarsier:kev:dueDate", "value": k.due_date}));
                properties.push(json!({"name": "tarsier:kev:knownRansomwareCampaignUse", "value": if k.known_ransomware { "Known" } else { "Unknown" }}));
            }
            if let Some(e) = &f.epss {
                properties.push(json!({"name": "tarsier:epss:score", "value": format!("{:.5}", e.score)}));
                properties.push(json!({"name": "tarsier:epss:percentile", "value": format!("{:.5}", e.percentile)}));
            }
            if let Some(from) = &f.severity_from {
                properties.push(json!({"name": "tarsier:severity:from", "value": from}));
            }
            let target = refs
                .get(&(f.purl.as_str(), f.path.as_str()))
                .cloned()
                .unwrap_or_default();
            let mut v = json!({
                "bom-ref": format!("vuln-{i}-{}", f.id),
                "id": f.id,
                "source": {"name": if f.id.starts_with("CVE-") { "NVD" } else { "OSV" }, "url": advisory_url(&f.id)},
                "references": f.aliases.iter().filter(|a| **a != f.id).map(|a| json!({"id": a, "source": {"url": advisory_url(a)}})).collect::<Vec<_>>(),
                "ratings": ratings,
                "advisories": f.references.iter().take(20).map(|u| json!({"url": u})).collect::<Vec<_>>(),
                "affects": [{"ref": target, "versions": [{"version": f.installed_version, "status": "affected"}]}],
            });
            if let Some(s) = &f.summary {
                v["description"] = json!(s);
            }
            if !properties.is_empty() {
                v["properties"] = json!(properties);
            }
            if !f.fixed_versions.is_empty() {
                v["recommendation"] = json!(format!("Upgrade {} to {}", f.package_name, f.fixed_versions.join(" or ")));
            }
            v
        })
        .collect();
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", content_uuid(report, "cyclonedx")),
        "version": 1,
        "metadata": {
            "timestamp": ctx.timestamp,
            "tools": {"components": [{"type": "application", "name": "tarsier", "version": ctx.tool_version}]},
            "component": {
                "bom-ref": "image",
                "type": "container",
                "name": image_name(report),
                "version": report.image.config_digest,
            },
        },
        "components": components,
        "dependencies": [{"ref": "image", "dependsOn": (0..report.packages.len()).map(|i| package_ref(report, i)).collect::<Vec<_>>()}],
        "vulnerabilities": vulnerabilities,
    })
}

/// An SPDX identifier from any text: letters, digits, `.` and `-` only.
fn spdx_id(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// SPDX 2.3 JSON: the image as a package containing every package found.
pub fn spdx(report: &Report, ctx: &ExportContext) -> Value {
    let mut packages = vec![json!({
        "SPDXID": "SPDXRef-Image",
        "name": image_name(report),
        "versionInfo": report.image.config_digest,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": "CONTAINER",
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Image",
    })];
    for (i, p) in report.packages.iter().enumerate() {
        let id = format!("SPDXRef-Package-{i}-{}", spdx_id(&p.name));
        let mut pkg = json!({
            "SPDXID": id,
            "name": p.name,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": p.purl}],
            "sourceInfo": format!("found by tarsier {} in {} (layer {})", p.found_by, p.path, p.layer),
        });
        if !p.version.is_empty() {
            pkg["versionInfo"] = json!(p.version);
        }
        if let Some(l) = &p.license {
            // Licenses as written are often not SPDX expressions; keep them as a comment.
            pkg["licenseComments"] = json!(format!("declared: {l}"));
        }
        packages.push(pkg);
        relationships.push(json!({
            "spdxElementId": "SPDXRef-Image",
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": image_name(report),
        "documentNamespace": format!("https://tarsier.invalid/spdx/{}", content_uuid(report, "spdx")),
        "creationInfo": {"created": ctx.timestamp, "creators": [format!("Tool: tarsier-{}", ctx.tool_version)]},
        "packages": packages,
        "relationships": relationships,
    })
}

/// A CVSS score as the ratings write it: one decimal.
fn cvss_score(s: f32) -> f64 {
    (f64::from(s) * 10.0).round() / 10.0
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Critical | Level::High => "error",
        Level::Medium => "warning",
        Level::Low | Level::Unknown => "note",
    }
}

/// SARIF 2.1.0: one rule per vulnerability, one result per affected package.
pub fn sarif(report: &Report, ctx: &ExportContext) -> Value {
    let mut rules: Vec<Value> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut results = Vec::new();
    for f in &report.findings {
        let rule = *index.entry(f.id.as_str()).or_insert_with(|| {
            let mut properties = json!({"tags": ["security", "vulnerability"], "precision": "very-high"});
            if let Some(s) = f.score {
                properties["security-severity"] = json!(format!("{s:.1}"));
            }
            rules.push(json!({
                "id": f.id,
                "name": "VulnerableDependency",
                "shortDescription": {"text": f.summary.clone().unwrap_or_else(|| f.id.clone())},
                "helpUri": advisory_url(&f.id),
                "help": {"text": format!("{} ({}). Aliases: {}", f.id, f.severity, f.aliases.join(", "))},
                "properties": properties,
            }));
            rules.len() - 1
        });
        let fixed = if f.fixed_versions.is_empty() {
            "no fixed version yet".to_string()
        } else {
            format!("fixed in {}", f.fixed_versions.join(", "))
        };
        results.push(json!({
            "ruleId": f.id,
            "ruleIndex": rule,
            "level": sarif_level(f.severity),
            "message": {"text": format!("{} {} is affected by {} ({}); {fixed}.", f.package_name, f.installed_version, f.id, f.severity)},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": f.path.trim_start_matches('/')}},
                "logicalLocations": [{"name": f.purl, "kind": "package"}],
            }],
            "properties": {
                "layer": f.layer,
                "purl": f.purl,
                "fixedVersions": f.fixed_versions,
                "severitySource": f.severity_source,
                "knownExploited": f.kev.is_some(),
                "kev": f.kev,
                "epss": f.epss,
            },
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tarsier",
                "version": ctx.tool_version,
                "informationUri": "https://github.com/tarsier-scanner/tarsier",
                "rules": rules,
            }},
            "automationDetails": {"id": format!("tarsier/{}", image_name(report))},
            "results": results,
        }],
    })
}

/// One CSV field, quoted when needed (RFC 4180). Fields starting with `=`, `+`, `-` or `@` get a
/// leading `'` so spreadsheets do not run them as formulas.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub const CSV_HEADER: &str = "id,aliases,severity,severity_source,score,kev_date_added,kev_due_date,kev_known_ransomware,epss,epss_percentile,package,ecosystem,installed_version,fixed_versions,status,layer,path,purl,summary";

/// Findings as CSV, one row each, with a header line.
pub fn csv(report: &Report) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for f in &report.findings {
        let row = [
            f.id.clone(),
            f.aliases.join(" "),
            f.severity.as_str().to_string(),
            f.severity_source.clone(),
            f.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
            f.kev
                .as_ref()
                .map(|k| k.date_added.clone())
                .unwrap_or_default(),
            f.kev
                .as_ref()
                .map(|k| k.due_date.clone())
                .unwrap_or_default(),
            f.kev
                .as_ref()
                .map(|k| k.known_ransomware.to_string())
                .unwrap_or_default(),
            f.epss
                .map(|e| format!("{:.5}", e.score))
                .unwrap_or_default(),
            f.epss
                .map(|e| format!("{:.5}", e.percentile))
                .unwrap_or_default(),
            f.package_name.clone(),
            f.ecosystem.clone(),
            f.installed_version.clone(),
            f.fixed_versions.join(" "),
            f.status.clone(),
            f.layer.to_string(),
            f.path.clone(),
            f.purl.clone(),
            f.summary.clone().unwrap_or_default(),
        ];
        out.push_str(
            &row.iter()
                .map(|s| csv_field(s))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_field("-1+2"), "'-1+2");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
