//! Rendering of each [`Phase`]: progress, error, and the image summary.

use leptos::prelude::*;
use scanner_core::advisory::exploit::{risk_cmp, Epss, Kev};
use scanner_core::advisory::severity::Level;
use scanner_core::matcher::Finding;
use scanner_core::summary::human_bytes;
use scanner_core::Report;

use crate::{BundleState, Phase};

pub fn short_digest(d: &str) -> String {
    let hex_start = d.find(':').map(|i| i + 1).unwrap_or(0);
    d.chars().take(hex_start + 12).collect()
}

/// `2018-12-28T20:44:23.030Z` → `2018-12-28 20:44 UTC`; anything else is shown as given.
fn friendly_time(t: &str) -> String {
    if t.len() >= 16 && t.as_bytes().get(10) == Some(&b'T') {
        let zone = if t.ends_with('Z') { " UTC" } else { "" };
        format!("{} {}{zone}", &t[..10], &t[11..16])
    } else {
        t.to_string()
    }
}

pub fn phase_view(
    phase: Phase,
    selected: Option<String>,
    pick_image: Callback<String>,
    cancel: Callback<()>,
) -> AnyView {
    match phase {
        Phase::Idle => view! {
            <section class="intro">
                <div class="intro-item">
                    <strong>{crate::i18n::tr("Private by construction")}</strong>
                    <span class="muted">{crate::i18n::tr("The archive is read in a web worker in this tab. Nothing is uploaded.")}</span>
                </div>
                <div class="intro-item">
                    <strong>{crate::i18n::tr("Every archive format")}</strong>
                    <span class="muted">{crate::i18n::tr("docker save, podman, kaniko and OCI archives with gzip, zstd or plain layers.")}</span>
                </div>
                <div class="intro-item">
                    <strong>{crate::i18n::tr("Fast on big images")}</strong>
                    <span class="muted">{crate::i18n::tr("Only tar headers are read; layer bodies are skipped.")}</span>
                </div>
            </section>
        }
        .into_any(),
        Phase::Scanning {
            file_name,
            file_size,
            progress,
            started_ms,
            layers,
        } => {
            let fraction = progress.map(|p| p.overall_fraction()).unwrap_or(0.0);
            let stage = progress
                .map(|p| crate::i18n::tr(p.stage.label()))
                .unwrap_or_else(|| crate::i18n::tr("Starting worker"));
            let percent = (fraction * 100.0).round() as u32;
            let elapsed_ms = crate::now_ms() - started_ms;
            let eta = eta_text(&layers, elapsed_ms);
            let bars = layers
                .iter()
                .enumerate()
                .map(|(i, bar)| {
                    let pct = if bar.size == 0 {
                        100
                    } else {
                        (bar.done as f64 * 100.0 / bar.size as f64).round() as u32
                    };
                    view! {
                        <li class="layer-bar" class:finished=bar.finished data-testid="layer-progress">
                            <span class="muted">{crate::i18n::trf("Layer {}", &[&i])}</span>
                            <div class="progress-bar small" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct>
                                <div class="progress-fill" style=format!("width: {pct}%")></div>
                            </div>
                            <span class="num muted">{format!("{} / {}", human_bytes(bar.done), human_bytes(bar.size))}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="card progress-card" data-testid="progress" aria-live="polite">
                    <div class="progress-head">
                        <span class="file-name">{file_name}</span>
                        <span class="muted">{human_bytes(file_size)}</span>
                    </div>
                    <div
                        class="progress-bar"
                        role="progressbar"
                        aria-valuemin="0"
                        aria-valuemax="100"
                        aria-valuenow=percent
                    >
                        <div class="progress-fill" style=format!("width: {percent}%")></div>
                    </div>
                    <div class="progress-foot muted">
                        <span data-testid="stage">{stage}</span>
                        <span data-testid="eta">{eta}</span>
                        <span>{format!("{percent}%")}</span>
                    </div>
                    <ul class="layer-bars">{bars}</ul>
                    <div class="progress-actions">
                        <button class="button secondary" data-testid="cancel" on:click=move |_| cancel.run(())>
                            {crate::i18n::tr("Cancel")}
                        </button>
                    </div>
                </section>
            }
            .into_any()
        }
        Phase::Cancelled { file_name } => view! {
            <section class="card" role="status" data-testid="cancelled">
                <h2>{crate::i18n::tr("Scan cancelled")}</h2>
                <p class="muted">
                    {crate::i18n::trf("The scan of {} was stopped and its workers ended. Nothing was kept.", &[&file_name])}
                </p>
                <label class="button secondary" for="file-input">{crate::i18n::tr("Choose file…")}</label>
            </section>
        }
        .into_any(),
        Phase::Failed {
            file_name,
            message,
            hint,
        } => view! {
            <section class="card error-card" role="alert" data-testid="error">
                <h2>{crate::i18n::tr("Can't read ")} <span class="file-name">{file_name}</span></h2>
                <p class="error-message">{capitalise(&message)} "."</p>
                <p class="muted">{with_code_spans(&hint)}</p>
                <label class="button secondary" for="file-input">{crate::i18n::tr("Choose another file")}</label>
            </section>
        }
        .into_any(),
        Phase::Done {
            file_name,
            report,
            elapsed_ms,
            match_ms,
            stages,
            reopened,
        } => view! {
            {reopened.map(|r| reopened_view(&r, &report))}
            {summary_view(&file_name, &report, (elapsed_ms, match_ms, stages), selected, pick_image)}
        }
        .into_any(),
    }
}

/// "About N s left", from the bytes read so far; empty until there is enough to go on.
fn eta_text(layers: &[crate::LayerBar], elapsed_ms: f64) -> String {
    let total: u64 = layers.iter().map(|b| b.size).sum();
    let done: u64 = layers.iter().map(|b| b.done).sum();
    if total == 0 || done == 0 || elapsed_ms < 250.0 || done >= total {
        return String::new();
    }
    let left_s = elapsed_ms * (total - done) as f64 / done as f64 / 1000.0;
    let left = format!("{:.0}", left_s.max(1.0));
    crate::i18n::trf("about {} s left", &[&left])
}

/// Renders `text` with its backtick-quoted parts (commands) as `<code>`.
fn with_code_spans(text: &str) -> AnyView {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                view! { <code>{part.to_string()}</code> }.into_any()
            } else {
                part.to_string().into_any()
            }
        })
        .collect_view()
        .into_any()
}

/// `application/vnd.oci.image.layer.v1.tar+gzip` → `OCI tar+gzip`, and the Docker equivalents.
pub fn short_media_type(media_type: &str) -> String {
    if let Some(rest) = media_type.strip_prefix("application/vnd.oci.image.layer.v1.") {
        format!("OCI {rest}")
    } else if let Some(rest) = media_type.strip_prefix("application/vnd.docker.image.rootfs.diff.")
    {
        format!("Docker {rest}")
    } else {
        media_type.to_string()
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A picker for archives that hold several images (or platforms).
fn image_picker(
    s: &scanner_core::ImageSummary,
    selected: Option<String>,
    pick: Callback<String>,
) -> AnyView {
    if s.images.len() < 2 {
        return ().into_any();
    }
    let current = selected.unwrap_or_else(|| s.tags.first().cloned().unwrap_or_default());
    let options = s
        .images
        .iter()
        .map(|name| {
            let is_current = *name == current || s.tags.contains(name);
            view! { <option value=name.clone() selected=is_current>{name.clone()}</option> }
        })
        .collect_view();
    view! {
        <label class="image-picker">
            <span class="muted small">{crate::i18n::trf("This archive holds {} images:", &[&s.images.len()])}</span>
            <select
                data-testid="image-picker"
                on:change=move |ev| pick.run(event_target_value(&ev))
            >
                {options}
            </select>
        </label>
    }
    .into_any()
}

/// Which column the package table is sorted by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PackageSort {
    Name,
    Layer,
}

fn distro_view(report: &Report) -> AnyView {
    let Some(d) = report.distro.clone() else {
        return view! {
            <span class="muted" data-testid="distro">{crate::i18n::tr("Distribution unknown (no os-release)")}</span>
        }
        .into_any();
    };
    let name = d
        .pretty_name
        .clone()
        .unwrap_or_else(|| format!("{} {}", d.id, d.version));
    let eol = d.eol.clone().map(|e| {
        if e.end_of_life {
            view! {
                <span class="chip danger" data-testid="eol" title=format!("from the end-of-life table of {}", e.table_date)>
                    {crate::i18n::trf("end of life since {}", &[&e.date])}
                </span>
            }
            .into_any()
        } else {
            view! {
                <span class="chip ok" data-testid="eol" title=format!("from the end-of-life table of {}", e.table_date)>
                    {crate::i18n::trf("supported until {}", &[&e.date])}
                </span>
            }
            .into_any()
        }
    });
    view! {
        <span class="distro">
            <strong data-testid="distro">{name}</strong>
            " "
            {eol}
        </span>
    }
    .into_any()
}

/// The advisory bundle line under the top bar.
/// A bar of buttons that bring each part of the report into view (keyboard reachable; the
/// report stays one page, so the browser's find works across all of it).
fn section_nav(has_image: bool, has_config: bool) -> AnyView {
    let go = |id: &'static str| {
        move |_| {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id))
            {
                el.scroll_into_view();
            }
        }
    };
    view! {
        <nav class="section-nav" aria-label=crate::i18n::tr("Report sections") data-testid="section-nav">
            <button class="button secondary small" on:click=go("sec-findings")>{crate::i18n::tr("Vulnerabilities")}</button>
            <button class="button secondary small" on:click=go("sec-packages")>{crate::i18n::tr("Packages")}</button>
            {has_config.then(|| view! { <button class="button secondary small" on:click=go("sec-image")>{crate::i18n::tr("Image configuration")}</button> })}
            {has_image.then(|| view! {
                <button class="button secondary small" on:click=go("sec-layers")>{crate::i18n::tr("Layers")}</button>
                <button class="button secondary small" on:click=go("sec-history")>{crate::i18n::tr("History")}</button>
            })}
        </nav>
    }
    .into_any()
}

/// The note over a report reopened from a link or a file: what changed since it was shared.
fn reopened_view(r: &tarsier_web::Reopened, report: &Report) -> AnyView {
    let c = &r.changes;
    let source = if r.source == "link" {
        crate::i18n::tr("Opened from a shared link")
    } else {
        crate::i18n::tr("Opened from a report file")
    };
    let then = c
        .then_bundle
        .as_ref()
        .map(|(built, _)| crate::i18n::trf("advisories of {}", &[&friendly_time(built)]))
        .unwrap_or_else(|| crate::i18n::tr("no advisories").to_string());
    let now = report
        .bundle
        .as_ref()
        .map(|b| crate::i18n::trf("advisories of {}", &[&friendly_time(&b.built)]))
        .unwrap_or_else(|| crate::i18n::tr("no advisories").to_string());
    let summary = if c.new.is_empty() && c.gone.is_empty() {
        crate::i18n::tr("No change in findings since it was shared.").to_string()
    } else {
        crate::i18n::trf(
            "{} new findings, {} fixed upstream or withdrawn since it was shared.",
            &[&c.new.len(), &c.gone.len()],
        )
    };
    let list = |ids: &[String]| ids.iter().take(50).cloned().collect::<Vec<_>>().join(", ");
    view! {
        <section class="card reopened" role="status" data-testid="reopened"
            data-source=r.source.clone() data-new=c.new.len() data-gone=c.gone.len()>
            <strong>{source}</strong>
            <p data-testid="reopened-summary">{summary}</p>
            <p class="muted small">
                {crate::i18n::trf("Matched then with {}, now with {} in this browser. The image itself is not here: layers, files and configuration are not part of a link.", &[&then, &now])}
            </p>
            {(!c.new.is_empty()).then(|| view! { <p class="small" data-testid="reopened-new">{crate::i18n::tr("New: ")}<code>{list(&c.new)}</code></p> })}
            {(!c.gone.is_empty()).then(|| view! { <p class="small" data-testid="reopened-gone">{crate::i18n::tr("No longer reported: ")}<code>{list(&c.gone)}</code></p> })}
        </section>
    }
    .into_any()
}

/// `2025-08-25T00:00:00Z` → `2025-08-25`; anything else as given.
fn day(t: &str) -> &str {
    match t.get(..10) {
        Some(d) if t.as_bytes().get(4) == Some(&b'-') => d,
        _ => t,
    }
}

/// Days since an RFC 3339 time, by this computer's clock.
fn age_days(time: &str) -> Option<f64> {
    let then = js_sys::Date::parse(time);
    (!then.is_nan()).then(|| (js_sys::Date::now() - then) / 86_400_000.0)
}

/// Bundles older than this get a visible note.
const STALE_DAYS: f64 = 7.0;

pub fn bundle_view(state: BundleState, check: Option<(String, String)>) -> AnyView {
    let check_view = check.map(|(status, message)| match status.as_str() {
        "offline" => view! {
            <span class="muted" data-testid="bundle-check" data-status="offline" title=message>
                {crate::i18n::tr(" · offline: using the saved bundle")}
            </span>
        }.into_any(),
        "rejected" => view! {
            <span class="warn-text" data-testid="bundle-check" data-status="rejected">{format!(" · {message}")}</span>
        }.into_any(),
        _ => view! { <span data-testid="bundle-check" data-status="current"></span> }.into_any(),
    });
    match state {
        BundleState::Loading => view! {
            <div class="bundle-bar muted" data-testid="bundle-loading">{crate::i18n::tr("Loading advisories…")}</div>
        }
        .into_any(),
        BundleState::Ready {
            header,
            fetch_ms,
            load_ms,
            bytes,
            updated,
        } => {
            let age = age_days(&header.built);
            let stale = age.is_some_and(|d| d > STALE_DAYS);
            let age_text = age.map(|d| {
                let days = d.max(0.0).floor() as u64;
                match days {
                    0 => crate::i18n::tr("today").to_string(),
                    1 => crate::i18n::tr("1 day old").to_string(),
                    n => crate::i18n::trf("{} days old", &[&n]),
                }
            });
            let counts = header
                .counts
                .iter()
                .map(|(e, n)| format!("{e} {n}"))
                .collect::<Vec<_>>()
                .join(" · ");
            let mut title = format!(
                "{counts}\nsha256 {}\n{} downloaded in {:.0} ms, verified and loaded in {:.0} ms",
                header.digest,
                human_bytes(bytes),
                fetch_ms,
                load_ms
            );
            // The exploitation data's own snapshot dates, beside the bundle's build date.
            if let Some(k) = &header.kev {
                title.push_str(&format!(
                    "\nCISA KEV catalog {} (released {}): {} of its {} entries are CVEs of these advisories",
                    k.catalog_version,
                    friendly_time(&k.released),
                    k.entries,
                    k.catalog_entries
                ));
            }
            if let Some(e) = &header.epss {
                title.push_str(&format!(
                    "\nFIRST EPSS scores of {}{}: {} of {} CVEs",
                    e.score_date.as_deref().map(day).unwrap_or("an unknown date"),
                    e.model_version
                        .as_deref()
                        .map(|m| format!(" (model {m})"))
                        .unwrap_or_default(),
                    e.scores,
                    e.rows
                ));
            }
            let kev = header.kev.clone().map(|k| {
                view! {
                    " · " <span data-testid="bundle-kev" data-version=k.catalog_version.clone() data-released=k.released.clone()>
                        {crate::i18n::trf("KEV {}", &[&k.catalog_version])}
                    </span>
                }
            });
            let epss = header.epss.clone().map(|e| {
                let date = e.score_date.clone().unwrap_or_default();
                view! {
                    " · " <span data-testid="bundle-epss" data-date=date.clone()>
                        {if date.is_empty() { crate::i18n::tr("EPSS (date unknown)").to_string() } else { crate::i18n::trf("EPSS of {}", &[&day(&date)]) }}
                    </span>
                }
            });
            view! {
                <div class="bundle-bar" data-testid="bundle-info" title=title
                    data-records=header.records.to_string() data-load-ms=format!("{load_ms:.1}")
                    data-built=header.built.clone() data-signature=header.signature.clone()>
                    <span class="lock" aria-hidden="true"></span>
                    {crate::i18n::tr("Advisories: ")}
                    <strong data-testid="bundle-records">{crate::i18n::trf("{} records", &[&header.records])}</strong>
                    {crate::i18n::trf(" · built {} · {} · {}", &[&friendly_time(&header.built), &crate::i18n::tr(if header.signature == "signed" { "signed" } else { "unsigned" }), &counts])}
                    {kev}
                    {epss}
                    {age_text.map(|a| view! { " · " <span data-testid="bundle-age">{a}</span> })}
                    {updated.then(|| view! {
                        " " <span class="chip ok" data-testid="bundle-updated">{crate::i18n::tr("updated just now")}</span>
                    })}
                    {check_view}
                    {stale.then(|| view! {
                        <div class="stale-note" role="status" data-testid="bundle-stale">
                            {crate::i18n::tr("These advisories are more than a week old: newer vulnerabilities are missing. Go online and reload to update them.")}
                        </div>
                    })}
                </div>
            }
            .into_any()
        }
        BundleState::Failed(message) => view! {
            <div class="bundle-bar warn" role="status" data-testid="bundle-error">
                {message} {crate::i18n::tr(" Images are still read and inventoried, but not matched against advisories.")}
            </div>
        }
        .into_any(),
    }
}

fn level_class(level: Level) -> &'static str {
    match level {
        Level::Critical => "sev sev-critical",
        Level::High => "sev sev-high",
        Level::Medium => "sev sev-medium",
        Level::Low => "sev sev-low",
        Level::Unknown => "sev sev-unknown",
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FindingSort {
    /// `risk_cmp`: known exploited first, then likely to be exploited (EPSS), then severity.
    Risk,
    Severity,
    Package,
    Id,
}

impl FindingSort {
    fn key(self) -> &'static str {
        match self {
            FindingSort::Risk => "risk",
            FindingSort::Severity => "severity",
            FindingSort::Package => "package",
            FindingSort::Id => "id",
        }
    }

    fn from_key(key: &str) -> FindingSort {
        match key {
            "severity" => FindingSort::Severity,
            "package" => FindingSort::Package,
            "id" => FindingSort::Id,
            _ => FindingSort::Risk,
        }
    }
}

/// An f32 as the decimal it was written as (`0.00265`, as the JSON report and FIRST's CSV
/// say it), not its binary widening (`0.0026499999`), so rounding it agrees with both.
fn decimal(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

/// An EPSS probability as a percentage: one decimal from 1 %, two below, and a floor at 0.01 %
/// (and never a certainty it is not: 0.99999 is "> 99.9 %").
fn epss_percent(score: f32) -> String {
    let pct = decimal(score) * 100.0;
    if pct > 99.9 && pct < 100.0 {
        "> 99.9 %".to_string()
    } else if pct >= 1.0 {
        format!("{pct:.1} %")
    } else if pct >= 0.01 {
        format!("{pct:.2} %")
    } else {
        "< 0.01 %".to_string()
    }
}

/// "99th": the EPSS percentile among all scored CVEs.
fn epss_percentile(e: &Epss) -> String {
    // Floored (0.995 is the 99th), with a hair of slack so 0.57 is not the 56th.
    let percentile = (decimal(e.percentile) * 100.0 + 1e-9)
        .floor()
        .clamp(0.0, 100.0) as u32;
    crate::i18n::percentile(percentile)
}

/// "97.3 % (99th)": the EPSS probability and its percentile among all scored CVEs.
fn epss_text(e: &Epss) -> String {
    format!("{} ({})", epss_percent(e.score), epss_percentile(e))
}

/// The "known exploited" badge, with the KEV dates in its tooltip.
fn kev_badge(k: &Kev) -> AnyView {
    let title = crate::i18n::trf(
        "In CISA's Known Exploited Vulnerabilities catalog since {}",
        &[&k.date_added],
    );
    view! {
        <span class="chip kev" data-testid="kev-badge" title=title>{crate::i18n::tr("known exploited")}</span>
    }
    .into_any()
}

/// What decided a finding's rating, in words: "rated LOW by Debian", "rated HIGH from its
/// CVSS v3 vector", or that nothing rated it.
fn rating_text(f: &Finding) -> String {
    let level = f.severity.as_str();
    match f.severity_source.as_str() {
        "" => crate::i18n::tr("no rating in the advisory").to_string(),
        "CVSS_V4" => crate::i18n::trf("rated {} from its CVSS {} vector", &[&level, &"v4"]),
        "CVSS_V3" => crate::i18n::trf("rated {} from its CVSS {} vector", &[&level, &"v3"]),
        "CVSS_V2" => crate::i18n::trf("rated {} from its CVSS {} vector", &[&level, &"v2"]),
        source => crate::i18n::trf("rated {} by {}", &[&level, &source]),
    }
}

/// The rating was decided by a CVSS vector (so the score shown is the rating's own).
fn rated_by_cvss(f: &Finding) -> bool {
    f.severity_source.starts_with("CVSS_")
}

/// Counts by severity, worst first.
fn severity_counts(findings: &[Finding]) -> AnyView {
    [Level::Critical, Level::High, Level::Medium, Level::Low, Level::Unknown]
        .into_iter()
        .map(|level| {
            let n = findings.iter().filter(|f| f.severity == level).count();
            view! {
                <span class=level_class(level) data-testid="severity-count" data-severity=level.as_str() data-count=n.to_string()>
                    {level_count(level, n)}
                </span>
            }
        })
        .collect_view()
        .into_any()
}

/// CVSS metric abbreviations, spelled out for the detail view.
fn cvss_metric(key: &str) -> Option<&'static str> {
    Some(match key {
        "AV" => crate::i18n::tr("Attack vector"),
        "AC" => crate::i18n::tr("Attack complexity"),
        "AT" => crate::i18n::tr("Attack requirements"),
        "PR" => crate::i18n::tr("Privileges required"),
        "UI" => crate::i18n::tr("User interaction"),
        "S" => crate::i18n::tr("Scope"),
        "C" | "VC" => crate::i18n::tr("Confidentiality"),
        "I" | "VI" => crate::i18n::tr("Integrity"),
        "A" | "VA" => crate::i18n::tr("Availability"),
        "SC" => crate::i18n::tr("Subsequent confidentiality"),
        "SI" => crate::i18n::tr("Subsequent integrity"),
        "SA" => crate::i18n::tr("Subsequent availability"),
        "Au" => crate::i18n::tr("Authentication"),
        _ => return None,
    })
}

/// The detail row of one finding: summary, every id with a link, the CVSS vector spelled out,
/// versions, the layer and the step that made it, and what to do.
fn finding_detail(f: &Finding, report: &Report) -> AnyView {
    let created_by = report
        .image
        .layers
        .get(f.layer)
        .and_then(|l| l.created_by.clone())
        .unwrap_or_else(|| "(no history for this layer)".into());
    let ids = f
        .aliases
        .iter()
        .map(|id| {
            view! { <a href=scanner_core::export::advisory_url(id) target="_blank" rel="noopener noreferrer">{id.clone()}</a> " " }
        })
        .collect_view();
    let metrics = f.vector.as_deref().map(|v| {
        v.split('/')
            .filter_map(|part| part.split_once(':'))
            .filter(|(k, _)| *k != "CVSS")
            .map(|(k, v)| view! { <span class="chip">{format!("{}: {v}", cvss_metric(k).unwrap_or(k))}</span> })
            .collect_view()
    });
    // Base layers from the history; without that, the first layer is taken as the base.
    let from_base = report
        .image
        .base_layers
        .map_or(f.layer == 0, |b| f.layer < b);
    let remedy = f.remediation(from_base);
    let refs = f
        .references
        .iter()
        .take(8)
        .map(|u| view! { <li><a href=u.clone() target="_blank" rel="noopener noreferrer">{u.clone()}</a></li> })
        .collect_view();
    let kev = f.kev.clone().map(|k| {
        let catalog = format!(
            "https://www.cisa.gov/known-exploited-vulnerabilities-catalog?search_api_fulltext={}",
            f.aliases
                .iter()
                .find(|a| a.starts_with("CVE-"))
                .unwrap_or(&f.id)
        );
        view! {
            <p class="kev-note small" data-testid="kev-detail" data-date-added=k.date_added.clone()
                data-due-date=k.due_date.clone() data-ransomware=k.known_ransomware.to_string()>
                {kev_badge(&k)}
                {k.known_ransomware.then(|| view! {
                    " " <span class="chip danger" data-testid="kev-ransomware">{crate::i18n::tr("known ransomware use")}</span>
                })}
                " "
                {crate::i18n::trf("Added to CISA's Known Exploited Vulnerabilities catalog on {}; US federal agencies must remediate it by {}.", &[&k.date_added, &k.due_date])}
                " " <a href=catalog target="_blank" rel="noopener noreferrer">{crate::i18n::tr("KEV catalog")}</a>
            </p>
        }
    });
    let epss = f.epss.map(|e| {
        view! {
            <p class="small" data-testid="epss-detail">
                <strong>{crate::i18n::tr("EPSS: ")}</strong>
                {epss_text(&e)}
                " " <span class="muted">{crate::i18n::tr("probability of exploitation activity in the next 30 days (FIRST), and its percentile among all scored CVEs")}</span>
            </p>
        }
    });
    view! {
        <div class="finding-detail" data-testid="finding-detail">
            <p>{f.summary.clone().unwrap_or_else(|| crate::i18n::tr("No summary in the advisory.").into())}</p>
            <p class="small"><strong>{crate::i18n::tr("Identifiers: ")}</strong>{ids}</p>
            {kev}
            <p class="small" data-testid="rating">
                <strong>{crate::i18n::tr("Severity: ")}</strong>
                <span data-testid="rating-source" data-source=f.severity_source.clone()>{rating_text(f)}</span>
                {f.severity_from.clone().map(|id| view! {
                    " · " <span data-testid="severity-from">{crate::i18n::tr("rating from ")}
                        <a href=scanner_core::export::advisory_url(&id) target="_blank" rel="noopener noreferrer">{id.clone()}</a>
                    </span>
                })}
                {f.severity_note.clone().map(|n| view! { " · " <span class="muted" data-testid="severity-note">{n}</span> })}
            </p>
            {(f.score.is_some() || f.vector.is_some()).then(|| view! {
                <p class="small" data-testid="cvss">
                    <strong>{crate::i18n::tr("CVSS: ")}</strong>
                    {f.score.map(|s| view! { <strong data-testid="cvss-score">{format!("{s:.1}")}</strong> " " })}
                    {f.vector.clone().map(|v| view! { <code data-testid="cvss-vector">{v}</code> })}
                    {(!rated_by_cvss(f) && !f.severity_source.is_empty()).then(|| view! {
                        " " <span class="muted">{crate::i18n::trf("(the advisory's score; {} decided the rating)", &[&f.severity_source])}</span>
                    })}
                </p>
            })}
            {metrics.map(|m| view! { <p class="metrics">{m}</p> })}
            {epss}
            <p class="small">
                <strong>{crate::i18n::tr("Installed: ")}</strong><code>{f.installed_version.clone()}</code>
                " · " <strong>{crate::i18n::tr("Fixed in: ")}</strong>
                {if f.fixed_versions.is_empty() { crate::i18n::tr("no fix yet").to_string() } else { f.fixed_versions.join(", ") }}
            </p>
            <p class="small">
                <strong>{crate::i18n::trf("Layer {}: ", &[&f.layer])}</strong><code>{created_by}</code>
                " · " <span class="muted">{f.path.clone()}</span>
            </p>
            {remedy.map(|r| view! { <p class="remedy" data-testid="remediation"><strong>{crate::i18n::tr("Fix: ")}</strong><code>{r}</code></p> })}
            <ul class="refs small">{refs}</ul>
        </div>
    }
    .into_any()
}

/// The image's runtime settings: user, working directory, entrypoint and command, ports,
/// environment (secret-looking values masked), labels.
fn runtime_view(report: &Report) -> AnyView {
    let Some(r) = report.image.runtime.clone() else {
        return ().into_any();
    };
    let join = |v: &[String]| {
        if v.is_empty() {
            "—".to_string()
        } else {
            v.join(" ")
        }
    };
    let user = r
        .user
        .clone()
        .unwrap_or_else(|| crate::i18n::tr("root (not set)").into());
    let root = r
        .user
        .as_deref()
        .is_none_or(|u| u == "0" || u == "root" || u.starts_with("0:") || u.starts_with("root:"));
    let env = r
        .env
        .iter()
        .map(|e| view! { <li><code>{e.clone()}</code></li> })
        .collect_view();
    let labels = r
        .labels
        .iter()
        .map(|(k, v)| view! { <li><code>{format!("{k}={v}")}</code></li> })
        .collect_view();
    let base = report.image.base_layers.map(|b| {
        let name = match (&report.image.base_name, &report.image.base_digest) {
            (Some(n), Some(d)) => format!(" ({n}@{})", short_digest(d)),
            (Some(n), None) => format!(" ({n})"),
            (None, Some(d)) => format!(" ({})", short_digest(d)),
            (None, None) => String::new(),
        };
        format!(
            "layers 0–{} came from the base image{name}",
            b.saturating_sub(1)
        )
    });
    view! {
        <div class="card" id="sec-image" data-testid="runtime">
            <h3>{crate::i18n::tr("Image configuration")}</h3>
            <dl class="runtime">
                <dt>{crate::i18n::tr("User")}</dt><dd data-testid="runtime-user">{user}{root.then(|| view! { " " <span class="chip danger">{crate::i18n::tr("runs as root")}</span> })}</dd>
                <dt>{crate::i18n::tr("Working directory")}</dt><dd>{r.working_dir.clone().unwrap_or_else(|| "/".into())}</dd>
                <dt>{crate::i18n::tr("Entrypoint")}</dt><dd><code>{join(&r.entrypoint)}</code></dd>
                <dt>{crate::i18n::tr("Command")}</dt><dd><code>{join(&r.cmd)}</code></dd>
                <dt>{crate::i18n::tr("Exposed ports")}</dt><dd>{join(&r.exposed_ports)}</dd>
                {base.map(|b| view! { <dt>{crate::i18n::tr("Base image")}</dt><dd data-testid="base-layers">{b}</dd> })}
                <dt>{crate::i18n::trf("Environment ({})", &[&r.env.len()])}</dt>
                <dd>
                    {(r.masked > 0).then(|| view! { <span class="muted small" data-testid="env-masked">{crate::i18n::trf("{} secret-looking values masked", &[&r.masked])}</span> })}
                    <ul class="plain" data-testid="runtime-env">{env}</ul>
                </dd>
                <dt>{crate::i18n::trf("Labels ({})", &[&r.labels.len()])}</dt><dd><ul class="plain">{labels}</ul></dd>
            </dl>
        </div>
    }
    .into_any()
}

/// Rows shown at first, and added by "show more".
const PAGE: usize = 200;

fn level_word(level: Level) -> &'static str {
    match level {
        Level::Critical => "critical",
        Level::High => "high",
        Level::Medium => "medium",
        Level::Low => "low",
        Level::Unknown => "unknown",
    }
}

/// "3 critical", in the current language.
fn level_count(level: Level, n: usize) -> String {
    match level {
        Level::Critical => crate::i18n::trf("{} critical", &[&n]),
        Level::High => crate::i18n::trf("{} high", &[&n]),
        Level::Medium => crate::i18n::trf("{} medium", &[&n]),
        Level::Low => crate::i18n::trf("{} low", &[&n]),
        Level::Unknown => crate::i18n::trf("{} unknown", &[&n]),
    }
}

/// Findings by severity as horizontal bars: an SVG drawn here, no chart library.
fn severity_chart(findings: &[Finding]) -> AnyView {
    let levels = [
        Level::Critical,
        Level::High,
        Level::Medium,
        Level::Low,
        Level::Unknown,
    ];
    let counts: Vec<usize> = levels
        .iter()
        .map(|l| findings.iter().filter(|f| f.severity == *l).count())
        .collect();
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let colours = ["#7f1d1d", "#dc2626", "#f59e0b", "#fde68a", "#94a3b8"];
    let bars = levels
        .iter()
        .zip(&counts)
        .zip(colours)
        .enumerate()
        .map(|(i, ((level, n), colour))| {
            let y = (i * 22) as f64;
            let width = 260.0 * (*n as f64) / (max as f64);
            view! {
                <g data-severity=level.as_str()>
                    <text x="0" y=y + 14.0 class="chart-label">{crate::i18n::tr(level_word(*level))}</text>
                    <rect x="80" y=y + 3.0 width=width.max(if *n > 0 { 2.0 } else { 0.0 }) height="14" rx="3" fill=colour/>
                    <text x=86.0 + width y=y + 14.0 class="chart-value">{n.to_string()}</text>
                </g>
            }
        })
        .collect_view();
    let label = levels
        .iter()
        .zip(&counts)
        .map(|(l, n)| level_count(*l, *n))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <svg class="severity-chart" data-testid="severity-chart" viewBox="0 0 380 110" role="img" aria-label=crate::i18n::trf("Findings by severity: {}", &[&label])>
            {bars}
        </svg>
    }
    .into_any()
}

fn findings_view(report: &Report) -> AnyView {
    if report.bundle.is_none() {
        return ().into_any();
    }
    let sort = RwSignal::new(FindingSort::Risk);
    let kev_only = RwSignal::new(false);
    let show_na = RwSignal::new(false);
    let hide_base = RwSignal::new(false);
    let base_layers = report.image.base_layers;
    let level_filter = RwSignal::new(String::new());
    let eco_filter = RwSignal::new(String::new());
    let layer_filter = RwSignal::new(String::new());
    let fixed_only = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let limit = RwSignal::new(PAGE);
    let open = RwSignal::new(None::<usize>);
    // "": one row per finding; "package" or "vulnerability": one row per group.
    let group = RwSignal::new(String::new());
    let report = std::sync::Arc::new(report.clone());
    let all: std::sync::Arc<Vec<Finding>> = std::sync::Arc::new(report.findings.clone());
    let hidden = all.iter().filter(|f| f.not_applicable).count();
    let shown_findings: Vec<Finding> = all.iter().filter(|f| !f.not_applicable).cloned().collect();
    let counts = severity_counts(&shown_findings);
    let chart = severity_chart(&shown_findings);
    let with_fix = shown_findings
        .iter()
        .filter(|f| !f.fixed_versions.is_empty())
        .count();
    let total = shown_findings.len();
    let known_exploited = shown_findings.iter().filter(|f| f.kev.is_some()).count();
    let ransomware = shown_findings
        .iter()
        .filter(|f| f.kev.as_ref().is_some_and(|k| k.known_ransomware))
        .count();
    let likely = shown_findings
        .iter()
        .filter(|f| {
            f.kev.is_none()
                && f.epss
                    .is_some_and(|e| e.score >= scanner_core::advisory::exploit::EPSS_LIKELY)
        })
        .count();
    let mut ecosystems: Vec<String> = all
        .iter()
        .map(|f| f.ecosystem.split(':').next().unwrap_or("").to_string())
        .collect();
    ecosystems.sort();
    ecosystems.dedup();
    let mut layers: Vec<usize> = all.iter().map(|f| f.layer).collect();
    layers.sort_unstable();
    layers.dedup();
    let filtered = {
        let all = all.clone();
        Memo::new(move |_| {
            let q = query.get().trim().to_lowercase();
            let level = level_filter.get();
            let eco = eco_filter.get();
            let layer = layer_filter.get();
            let mut list: Vec<(usize, Finding)> = all
                .iter()
                .enumerate()
                .filter(|(_, f)| show_na.get() || !f.not_applicable)
                .filter(|(_, f)| !hide_base.get() || base_layers.is_none_or(|b| f.layer >= b))
                .filter(|(_, f)| level.is_empty() || f.severity.as_str() == level)
                .filter(|(_, f)| {
                    eco.is_empty() || f.ecosystem.split(':').next() == Some(eco.as_str())
                })
                .filter(|(_, f)| layer.is_empty() || f.layer.to_string() == layer)
                .filter(|(_, f)| !fixed_only.get() || !f.fixed_versions.is_empty())
                .filter(|(_, f)| !kev_only.get() || f.kev.is_some())
                .filter(|(_, f)| {
                    q.is_empty()
                        || f.package_name.to_lowercase().contains(&q)
                        || f.aliases.iter().any(|a| a.to_lowercase().contains(&q))
                        || f.summary
                            .as_deref()
                            .is_some_and(|s| s.to_lowercase().contains(&q))
                })
                .map(|(i, f)| (i, f.clone()))
                .collect();
            match sort.get() {
                FindingSort::Risk => list.sort_by(|(_, a), (_, b)| risk_cmp(a, b)),
                FindingSort::Severity => list.sort_by(|(_, a), (_, b)| {
                    b.severity
                        .cmp(&a.severity)
                        .then_with(|| b.score.unwrap_or(-1.0).total_cmp(&a.score.unwrap_or(-1.0)))
                        .then_with(|| a.package_name.cmp(&b.package_name))
                }),
                FindingSort::Package => list.sort_by(|(_, a), (_, b)| {
                    (&a.package_name, &a.id).cmp(&(&b.package_name, &b.id))
                }),
                FindingSort::Id => list.sort_by(|(_, a), (_, b)| a.id.cmp(&b.id)),
            }
            list
        })
    };
    let rows = {
        let report = report.clone();
        move || {
            let list = filtered.get();
            list.into_iter()
                .take(limit.get())
                .map(|(i, f)| {
                    // A few other ids in the row (a CVE can have dozens); all of them in the
                    // tooltip and the detail.
                    let other_ids = f.aliases.iter().filter(|a| **a != f.id).cloned().collect::<Vec<_>>();
                    let all_others = other_ids.join(", ");
                    let others = match other_ids.len() {
                        0..=3 => all_others.clone(),
                        n => format!("{} +{}", other_ids[..3].join(", "), n - 3),
                    };
                    let fixed = if f.fixed_versions.is_empty() {
                        view! { <span class="muted">{crate::i18n::tr("no fix yet")}</span> }.into_any()
                    } else {
                        view! { <code>{f.fixed_versions.join(", ")}</code> }.into_any()
                    };
                    // The score inside the badge when CVSS decided the rating; beside it when a
                    // distribution's own rating did (Debian's LOW next to a CVSS 7.5).
                    let score = f.score.filter(|_| rated_by_cvss(&f)).map(|s| format!(" {s:.1}")).unwrap_or_default();
                    let beside = f.score.filter(|_| !rated_by_cvss(&f)).map(|s| view! {
                        <span class="muted small cvss-beside" title=crate::i18n::tr("CVSS score of the advisory")>{format!("CVSS {s:.1}")}</span>
                    });
                    let title = match &f.vector {
                        Some(v) => format!("{} · {v}", rating_text(&f)),
                        None => rating_text(&f),
                    };
                    let epss = match f.epss {
                        Some(e) => view! {
                            <td class="num epss" class:likely={e.score >= scanner_core::advisory::exploit::EPSS_LIKELY} data-testid="epss"
                                data-score=e.score.to_string() data-percentile=e.percentile.to_string()>
                                {epss_percent(e.score)} " " <span class="muted small percentile">{format!("({})", epss_percentile(&e))}</span>
                            </td>
                        }.into_any(),
                        None => view! { <td class="num epss muted" data-testid="epss">"—"</td> }.into_any(),
                    };
                    let is_open = move || open.get() == Some(i);
                    let detail = {
                        let report = report.clone();
                        let f = f.clone();
                        move || is_open().then(|| view! { <tr class="detail-row"><td colspan="8">{finding_detail(&f, &report)}</td></tr> })
                    };
                    view! {
                        <tr data-testid="finding-row" data-severity=f.severity.as_str() data-id=f.id.clone()
                            data-package=f.package_name.clone() data-version=f.installed_version.clone() data-kev=f.kev.is_some().to_string()
                            class:na=f.not_applicable class:open=is_open class:exploited=f.kev.is_some()
                            tabindex="0" aria-expanded=move || is_open().to_string()
                            on:click=move |_| open.update(|o| *o = if *o == Some(i) { None } else { Some(i) })
                            on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" || ev.key() == " " {
                                ev.prevent_default();
                                open.update(|o| *o = if *o == Some(i) { None } else { Some(i) });
                            }>
                            <td><span class=level_class(f.severity) title=title>{f.severity.as_str()}{score}</span>{beside}</td>
                            <td>
                                <span class="finding-id">{f.id.clone()}</span>
                                {f.kev.as_ref().map(kev_badge)}
                                <span class="muted small aliases" title=all_others>{others}</span>
                            </td>
                            <td class="pkg-name">{f.package_name.clone()}</td>
                            <td><code>{f.installed_version.clone()}</code></td>
                            <td data-testid="fixed-in">{fixed}</td>
                            {epss}
                            <td class="num">{f.layer}</td>
                            <td class="muted small summary-cell">{f.summary.clone().unwrap_or_default()}
                                {f.not_applicable.then_some(" (kernel headers: not applicable to containers)")}
                            </td>
                        </tr>
                        {detail}
                    }
                })
                .collect_view()
        }
    };
    let header = move |label: &'static str, key: FindingSort, class: &'static str| {
        view! {
            <th class=class aria-sort=move || if sort.get() == key { if key == FindingSort::Severity { "descending" } else { "ascending" } } else { "none" }>
                <button class="sort" class:active=move || sort.get() == key on:click=move |_| sort.set(key)>
                    {label}
                    <span aria-hidden="true">{move || if sort.get() == key { if key == FindingSort::Severity { " ▼" } else { " ▲" } } else { "" }}</span>
                </button>
            </th>
        }
    };
    let matching = move || filtered.with(Vec::len);
    // Grouped rows: (key, worst severity, findings, other column), over the filtered findings.
    let grouped = move || {
        let by_package = group.get() == "package";
        // Worst severity, members, fixed versions, whether one is known exploited.
        type Group = (Level, Vec<String>, Vec<String>, bool);
        let mut groups: std::collections::BTreeMap<String, Group> =
            std::collections::BTreeMap::new();
        for (_, f) in filtered.get() {
            let (key, member) = if by_package {
                (
                    format!("{} {}", f.package_name, f.installed_version),
                    f.id.clone(),
                )
            } else {
                (
                    f.id.clone(),
                    format!("{} {}", f.package_name, f.installed_version),
                )
            };
            let e = groups
                .entry(key)
                .or_insert((Level::Unknown, Vec::new(), Vec::new(), false));
            e.0 = e.0.max(f.severity);
            e.3 |= f.kev.is_some();
            e.1.push(member);
            e.2.extend(f.fixed_versions.iter().cloned());
        }
        type Row = (String, Level, Vec<String>, Vec<String>, bool);
        let mut list: Vec<Row> = groups
            .into_iter()
            .map(|(k, (l, mut m, mut fx, kev))| {
                m.sort();
                m.dedup();
                fx.sort();
                fx.dedup();
                (k, l, m, fx, kev)
            })
            .collect();
        // Groups with a known exploited finding first, then by worst severity.
        list.sort_by(|a, b| {
            b.4.cmp(&a.4)
                .then(b.1.cmp(&a.1))
                .then(b.2.len().cmp(&a.2.len()))
                .then(a.0.cmp(&b.0))
        });
        list.into_iter()
            .map(|(key, level, members, fixed, kev)| {
                let shown: Vec<String> = members.iter().take(8).cloned().collect();
                let more = members.len().saturating_sub(8);
                view! {
                    <tr data-testid="group-row" data-count=members.len().to_string() data-kev=kev.to_string()>
                        <td><span class=level_class(level)>{level.as_str()}</span></td>
                        <td class="pkg-name">{key}
                            {kev.then(|| view! { " " <span class="chip kev">{crate::i18n::tr("known exploited")}</span> })}
                        </td>
                        <td class="num">{members.len()}</td>
                        <td class="small">{shown.join(", ")}{(more > 0).then(|| format!(" +{more}"))}</td>
                        <td class="small"><code>{fixed.join(", ")}</code></td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="card" id="sec-findings" data-testid="findings">
            <h3>
                {crate::i18n::tr("Vulnerabilities ")}
                <span class="muted small" data-testid="finding-count">{total.to_string()}</span>
            </h3>
            {chart}
            <p class="severity-line">
                {counts}
                <span class="muted small">{crate::i18n::trf(" · {} with a fixed version", &[&with_fix])}</span>
                {(hidden > 0).then(|| view! {
                    <label class="muted small toggle">
                        <input type="checkbox" data-testid="show-not-applicable"
                            on:change=move |ev| show_na.set(event_target_checked(&ev))/>
                        {crate::i18n::trf(" show {} not applicable to containers", &[&hidden])}
                    </label>
                })}
            </p>
            <p class="exploit-line" data-testid="exploit-summary">
                <span class={if known_exploited > 0 { "chip kev" } else { "chip" }} data-testid="kev-count" data-count=known_exploited.to_string()
                    title=crate::i18n::tr("in CISA's Known Exploited Vulnerabilities catalog: exploited in the wild")>
                    {crate::i18n::trf("{} known exploited", &[&known_exploited])}
                </span>
                {(ransomware > 0).then(|| view! {
                    <span class="chip danger" data-testid="ransomware-count" data-count=ransomware.to_string()>
                        {crate::i18n::trf("{} used by ransomware", &[&ransomware])}
                    </span>
                })}
                <span class="chip" data-testid="likely-count" data-count=likely.to_string()
                    title=crate::i18n::tr("not known exploited, but EPSS gives them at least a 10 % probability of exploitation activity in the next 30 days")>
                    {crate::i18n::trf("{} likely to be exploited (EPSS ≥ 10 %)", &[&likely])}
                </span>
            </p>
            <div class="filters" role="search">
                <input type="search" placeholder=crate::i18n::tr("Search id, package, summary") aria-label=crate::i18n::tr("Search findings")
                    data-testid="finding-search" on:input=move |ev| { query.set(event_target_value(&ev)); limit.set(PAGE); }/>
                <select aria-label=crate::i18n::tr("Severity") data-testid="filter-severity" on:change=move |ev| level_filter.set(event_target_value(&ev))>
                    <option value="">{crate::i18n::tr("All severities")}</option>
                    {["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"].into_iter().map(|l| view! { <option value=l>{l.to_lowercase()}</option> }).collect_view()}
                </select>
                <select aria-label=crate::i18n::tr("Ecosystem") data-testid="filter-ecosystem" on:change=move |ev| eco_filter.set(event_target_value(&ev))>
                    <option value="">{crate::i18n::tr("All ecosystems")}</option>
                    {ecosystems.into_iter().map(|e| view! { <option value=e.clone()>{e.clone()}</option> }).collect_view()}
                </select>
                <select aria-label=crate::i18n::tr("Layer") data-testid="filter-layer" on:change=move |ev| layer_filter.set(event_target_value(&ev))>
                    <option value="">{crate::i18n::tr("All layers")}</option>
                    {layers.into_iter().map(|l| view! { <option value=l.to_string()>{crate::i18n::trf("layer {}", &[&l])}</option> }).collect_view()}
                </select>
                <label class="small toggle">
                    <input type="checkbox" data-testid="filter-fixed" on:change=move |ev| fixed_only.set(event_target_checked(&ev))/>
                    {crate::i18n::tr(" with a fix")}
                </label>
                <label class="small toggle">
                    <input type="checkbox" data-testid="filter-kev" on:change=move |ev| { kev_only.set(event_target_checked(&ev)); limit.set(PAGE); }/>
                    {crate::i18n::tr(" known exploited only")}
                </label>
                <label class="small sort-by">
                    <span class="muted">{crate::i18n::tr("Sort")}</span>
                    <select data-testid="sort-by" prop:value=move || sort.get().key()
                        on:change=move |ev| sort.set(FindingSort::from_key(&event_target_value(&ev)))>
                        <option value="risk">{crate::i18n::tr("by risk")}</option>
                        <option value="severity">{crate::i18n::tr("by severity")}</option>
                        <option value="package">{crate::i18n::tr("by package")}</option>
                        <option value="id">{crate::i18n::tr("by id")}</option>
                    </select>
                </label>
                {base_layers.filter(|b| *b > 0).map(|b| {
                    let from_base = shown_findings.iter().filter(|f| f.layer < b).count();
                    view! {
                        <label class="small toggle" title=format!("Layers 0–{} came from the base image (the history's build boundary)", b - 1)>
                            <input type="checkbox" data-testid="hide-base" on:change=move |ev| hide_base.set(event_target_checked(&ev))/>
                            {crate::i18n::trf(" hide the base image's {}", &[&from_base])}
                        </label>
                    }
                })}
                <select aria-label=crate::i18n::tr("Group") data-testid="group-by" on:change=move |ev| group.set(event_target_value(&ev))>
                    <option value="">{crate::i18n::tr("No grouping")}</option>
                    <option value="package">{crate::i18n::tr("Group by package")}</option>
                    <option value="vulnerability">{crate::i18n::tr("Group by vulnerability")}</option>
                </select>
                <span class="muted small" data-testid="finding-matching">{move || crate::i18n::trf("{} shown", &[&matching()])}</span>
                {move || hide_base.get().then(|| {
                    let hidden_base = all.iter().filter(|f| !f.not_applicable && base_layers.is_some_and(|b| f.layer < b)).count();
                    view! { <span class="muted small" data-testid="base-hidden">{crate::i18n::trf("{} from the base image hidden", &[&hidden_base])}</span> }
                })}
            </div>
            {(total == 0 && hidden == 0).then(|| view! {
                <p class="muted" data-testid="no-findings">{crate::i18n::tr("No known vulnerabilities in this image's packages.")}</p>
            })}
            <Show when=move || !group.get().is_empty()>
                <div class="table-wrap">
                    <table class="findings grouped" data-testid="groups">
                        <thead>
                            <tr>
                                <th>{crate::i18n::tr("Severity")}</th>
                                <th>{move || if group.get() == "package" { crate::i18n::tr("Package") } else { crate::i18n::tr("ID") }}</th>
                                <th class="num">{crate::i18n::tr("Findings")}</th>
                                <th>{move || if group.get() == "package" { crate::i18n::tr("ID") } else { crate::i18n::tr("Package") }}</th>
                                <th>{crate::i18n::tr("Fixed in")}</th>
                            </tr>
                        </thead>
                        <tbody>{grouped}</tbody>
                    </table>
                </div>
            </Show>
            <div class="table-wrap" class:hidden=move || !group.get().is_empty()>
                <table class="findings">
                    <thead>
                        <tr>
                            {header(crate::i18n::tr("Severity"), FindingSort::Severity, "")}
                            {header(crate::i18n::tr("ID"), FindingSort::Id, "")}
                            {header(crate::i18n::tr("Package"), FindingSort::Package, "")}
                            <th>{crate::i18n::tr("Installed")}</th>
                            <th>{crate::i18n::tr("Fixed in")}</th>
                            <th class="num" title=crate::i18n::tr("FIRST's Exploit Prediction Scoring System: the probability of exploitation activity in the next 30 days, and its percentile among all scored CVEs")>"EPSS"</th>
                            <th class="num">{crate::i18n::tr("Layer")}</th>
                            <th>{crate::i18n::tr("Summary")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <Show when=move || { matching() > limit.get() }>
                <button class="button secondary small" data-testid="show-more" on:click=move |_| limit.update(|l| *l += PAGE)>
                    {move || crate::i18n::trf("Show {} more of {}", &[&PAGE.min(matching() - limit.get()), &(matching() - limit.get())])}
                </button>
            </Show>
        </div>
    }
    .into_any()
}

/// Packages per ecosystem (the release left out: `Debian:12` counts as Debian), most first.
fn ecosystem_counts(report: &Report) -> AnyView {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for p in &report.packages {
        *counts
            .entry(p.ecosystem.split(':').next().unwrap_or(""))
            .or_default() += 1;
    }
    let mut list: Vec<(&str, usize)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    list.into_iter()
        .map(|(eco, n)| {
            view! {
                <span class="chip" data-testid="ecosystem-count" data-ecosystem=eco.to_string() data-count=n.to_string()>
                    {format!("{eco} {n}")}
                </span>
            }
        })
        .collect_view()
        .into_any()
}

fn packages_view(report: &Report) -> AnyView {
    let sort = RwSignal::new(PackageSort::Name);
    let packages = report.packages.clone();
    let count = packages.len();
    let ecosystems = ecosystem_counts(report);
    let rows = move || {
        let mut list = packages.clone();
        match sort.get() {
            PackageSort::Name => {
                list.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)))
            }
            PackageSort::Layer => list.sort_by(|a, b| (a.layer, &a.name).cmp(&(b.layer, &b.name))),
        }
        list.into_iter()
            .map(|p| {
                let source = if p.source_name != p.name || p.source_version != p.version {
                    format!("{} {}", p.source_name, p.source_version)
                } else if !p.ecosystem.contains(':') {
                    // Language packages: where they were found.
                    p.path.clone()
                } else {
                    String::new()
                };
                view! {
                    <tr data-testid="package-row">
                        <td class="pkg-name">{p.name.clone()}</td>
                        <td><code>{p.version.clone()}</code></td>
                        <td class="num">{p.layer}</td>
                        <td class="muted">{p.ecosystem.clone()}</td>
                        <td class="muted small">{source}</td>
                        <td class="muted small">{p.arch.clone().unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let header = move |label: &'static str, key: PackageSort, class: &'static str| {
        view! {
            <th class=class aria-sort=move || if sort.get() == key { "ascending" } else { "none" }>
                <button class="sort" class:active=move || sort.get() == key on:click=move |_| sort.set(key)>
                    {label}
                    <span aria-hidden="true">{move || if sort.get() == key { " ▲" } else { "" }}</span>
                </button>
            </th>
        }
    };
    view! {
        <div class="card" id="sec-packages">
            <h3>
                {crate::i18n::tr("Packages ")}
                <span class="muted small" data-testid="package-count">{format!("{count}")}</span>
            </h3>
            <p class="distro-line">{distro_view(report)}</p>
            <p class="ecosystem-line">{ecosystems}</p>
            <div class="table-wrap">
                <table class="packages" data-testid="packages">
                    <thead>
                        <tr>
                            {header(crate::i18n::tr("Name"), PackageSort::Name, "")}
                            <th>{crate::i18n::tr("Version")}</th>
                            {header(crate::i18n::tr("Layer"), PackageSort::Layer, "num")}
                            <th>{crate::i18n::tr("Ecosystem")}</th>
                            <th>{crate::i18n::tr("Source / path")}</th>
                            <th>{crate::i18n::tr("Arch")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
    .into_any()
}

/// Saves `content` as a file download, made in the page (nothing leaves the browser).
fn download(name: &str, mime: &str, content: &str) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no document"))?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// The export buttons: tarsier JSON, CycloneDX, SPDX, SARIF, CSV.
fn exports_view(report: std::sync::Arc<Report>) -> AnyView {
    use scanner_core::export;
    let share_report = report.clone();
    let stem = export::image_name(&report)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>();
    let button = move |label: &'static str, kind: &'static str| {
        let report = report.clone();
        let stem = stem.clone();
        let on_click = move |_| {
            // RFC 3339 without fractions: SPDX requires exactly `YYYY-MM-DDThh:mm:ssZ`.
            let iso = String::from(js_sys::Date::new_0().to_iso_string());
            let ctx = export::ExportContext {
                timestamp: format!("{}Z", iso.get(..19).unwrap_or("1970-01-01T00:00:00")),
                tool_version: env!("CARGO_PKG_VERSION").to_string(),
            };
            let pretty =
                |v: serde_json::Value| serde_json::to_string_pretty(&v).unwrap_or_default();
            let (name, mime, content) = match kind {
                "json" => {
                    // As the CLI writes it by default: without the Layers view's file lists.
                    let mut plain = (*report).clone();
                    plain.layer_files.clear();
                    (
                        format!("{stem}.tarsier.json"),
                        "application/json",
                        serde_json::to_string_pretty(&plain).unwrap_or_default(),
                    )
                }
                "cyclonedx" => (
                    format!("{stem}.cdx.json"),
                    "application/vnd.cyclonedx+json",
                    pretty(export::cyclonedx(&report, &ctx)),
                ),
                "spdx" => (
                    format!("{stem}.spdx.json"),
                    "application/spdx+json",
                    pretty(export::spdx(&report, &ctx)),
                ),
                "sarif" => (
                    format!("{stem}.sarif"),
                    "application/sarif+json",
                    pretty(export::sarif(&report, &ctx)),
                ),
                _ => (format!("{stem}.csv"), "text/csv", export::csv(&report)),
            };
            if let Err(e) = download(&name, mime, &content) {
                web_sys::console::error_1(&e);
            }
        };
        view! {
            <button class="button secondary small" data-testid=format!("export-{kind}") on:click=on_click>{label}</button>
        }
    };
    let share = RwSignal::new(None::<Result<String, usize>>);
    let make_link = move |_| {
        let payload = scanner_core::share::SharedReport::from_report(&share_report).encode();
        if payload.len() > scanner_core::share::COMFORTABLE_LINK {
            share.set(Some(Err(payload.len())));
            return;
        }
        let base = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .map(|h| h.split('#').next().unwrap_or_default().to_string())
            .unwrap_or_default();
        let link = format!("{base}#{payload}");
        if let Some(w) = web_sys::window() {
            // Best effort: the link is also shown to copy by hand.
            let _ = w.navigator().clipboard().write_text(&link);
        }
        share.set(Some(Ok(link)));
    };
    let json_button = button("JSON", "json");
    view! {
        <div class="exports" role="group" aria-label=crate::i18n::tr("Export the report")>
            <span class="muted small">{crate::i18n::tr("Export")}</span>
            {button("JSON", "json")}
            {button("CycloneDX", "cyclonedx")}
            {button("SPDX", "spdx")}
            {button("SARIF", "sarif")}
            {button("CSV", "csv")}
            <button class="button small" data-testid="share" on:click=make_link>{crate::i18n::tr("Copy link")}</button>
        </div>
        {move || share.get().map(|s| match s {
            Ok(link) => view! {
                <div class="share-box" data-testid="share-box">
                    <input readonly data-testid="share-link" value=link.clone() aria-label=crate::i18n::tr("Share link")
                        on:focus=move |ev| {
                            use wasm_bindgen::JsCast;
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        }/>
                    <span class="muted small">
                        {crate::i18n::trf("Copied: {} characters. The report is in the part after #, which browsers never send to a server.", &[&link.len()])}
                    </span>
                </div>
            }.into_any(),
            Err(len) => view! {
                <div class="share-box" data-testid="share-too-long">
                    <span class="small">
                        {crate::i18n::trf("This report needs a {} KB link, too long to paste reliably. Send the report file instead; dropping it on this page reopens it the same way.", &[&(len / 1024)])}
                    </span>
                    {json_button.clone()}
                </div>
            }.into_any(),
        })}
    }
    .into_any()
}

fn summary_view(
    file_name: &str,
    report: &std::sync::Arc<Report>,
    (elapsed_ms, match_ms, stages): (f64, f64, [f64; 3]),
    selected: Option<String>,
    pick_image: Callback<String>,
) -> AnyView {
    let s = &report.image;
    let matched = report.bundle.as_ref().map(|_| {
        view! {
            {crate::i18n::tr(" · matched in ")}
            <span data-testid="match-ms" data-ms=format!("{match_ms:.2}")>{format!("{match_ms:.1} ms")}</span>
        }
    });
    let title = s
        .tags
        .first()
        .cloned()
        .unwrap_or_else(|| crate::i18n::tr("Untagged image").to_string());
    let other_tags = s
        .tags
        .iter()
        .skip(1)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let empty_steps = s.history.iter().filter(|h| h.empty_layer).count();
    let history = s
        .history
        .iter()
        .map(|h| {
            let badge = match h.layer {
                Some(i) => {
                    view! { <span class="chip layer">{crate::i18n::trf("layer {}", &[&i])}</span> }
                        .into_any()
                }
                None => view! { <span class="chip empty">{crate::i18n::tr("no layer")}</span> }
                    .into_any(),
            };
            let when = h.created.as_deref().map(friendly_time).unwrap_or_default();
            view! {
                <li class="step" class:empty=h.empty_layer data-testid="history-step">
                    {badge}
                    <code class="step-cmd">{h.created_by.clone().unwrap_or_default()}</code>
                    <span class="muted step-time">{when}</span>
                </li>
            }
        })
        .collect_view();
    let warnings = s
        .warnings
        .iter()
        .map(|w| view! { <li>{w.clone()}</li> })
        .collect_view();
    let has_warnings = !s.warnings.is_empty();
    // A report reopened from a link has no layers, files or history to show.
    let has_image = s.format != scanner_core::ArchiveFormat::SharedReport;
    view! {
        <section class="result" data-testid="summary">
            <div class="result-head">
                <div>
                    <h2 class="image-name" data-testid="image-name">{title}</h2>
                    <p class="muted">
                        {file_name.to_string()} {crate::i18n::tr(" · read in ")}
                        <span
                            data-testid="elapsed-ms"
                            data-ms=format!("{elapsed_ms:.0}")
                            data-stages=format!("{:.0} {:.0} {:.0}", stages[0], stages[1], stages[2])
                        >
                            {format!("{:.0} ms", elapsed_ms)}
                        </span>
                        {matched}
                        {(!other_tags.is_empty()).then(|| crate::i18n::trf(" · also tagged {}", &[&other_tags]))}
                    </p>
                </div>
                {image_picker(s, selected, pick_image)}
            </div>
            {exports_view(report.clone())}
            {section_nav(has_image, report.image.runtime.is_some())}
            <Show when=move || has_warnings>
                <div class="card warning-card" role="status">
                    <strong>{crate::i18n::tr("Warnings")}</strong>
                    <ul>{warnings.clone()}</ul>
                </div>
            </Show>
            <div class="facts">
                <div class="fact">
                    <span class="fact-label">{crate::i18n::tr("Format")}</span>
                    <span class="fact-value" data-testid="format">{s.format.as_str()}</span>
                    <span class="muted small">{s.layout.clone()}</span>
                </div>
                <div class="fact">
                    <span class="fact-label">{crate::i18n::tr("Platform")}</span>
                    <span class="fact-value">{s.platform()}</span>
                </div>
                <div class="fact">
                    <span class="fact-label">{crate::i18n::tr("Created")}</span>
                    <span class="fact-value">
                        {s.created.as_deref().map(friendly_time).unwrap_or_else(|| crate::i18n::tr("unknown").into())}
                    </span>
                </div>
                <div class="fact">
                    <span class="fact-label">{crate::i18n::tr("Layers")}</span>
                    <span class="fact-value" data-testid="layer-count">{s.layers.len()}</span>
                    <span class="muted small">{human_bytes(s.total_layer_size())}</span>
                </div>
                <div class="fact">
                    <span class="fact-label">{crate::i18n::tr("Files")}</span>
                    <span class="fact-value" data-testid="file-count">{report.file_count}</span>
                    <span class="muted small">
                        {human_bytes(s.layers.iter().filter_map(|l| l.changes.as_ref()).map(|c| c.tar_bytes).sum())}
                        {crate::i18n::tr(" unpacked")}
                    </span>
                </div>
                <div class="fact wide">
                    <span class="fact-label">{crate::i18n::tr("Config digest (image ID)")}</span>
                    <code class="fact-value digest" data-testid="config-digest">{s.config_digest.clone()}</code>
                </div>
            </div>
            {findings_view(report)}
            {packages_view(report)}
            {runtime_view(report)}
            {has_image.then(|| crate::layers::layers_view(report.clone()))}
            {has_image.then(|| view! {
            <div class="card" id="sec-history">
                <h3>
                    {crate::i18n::tr("History ")}
                    <span class="muted small">
                        {crate::i18n::trf("{} steps, {} without a layer", &[&s.history.len(), &empty_steps])}
                    </span>
                </h3>
                <ol class="history">{history}</ol>
            </div>
            })}
        </section>
    }
    .into_any()
}
