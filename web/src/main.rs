//! The tarsier page: a drop zone, scan progress, and the report.
//!
//! UI and coordination only. The dropped `File` goes straight to the scan workers; this thread
//! never reads image bytes. One worker plans the scan, the pool walks the layers in parallel,
//! and one worker assembles the result.

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use scanner_core::advisory::bundle::Header;
use scanner_core::{ImagePlan, Limits, Progress, Report, Stage};
use serde_bytes::ByteBuf;
use tarsier_web::pool::Pool;
use tarsier_web::{Reopened, ScanEvent, ScanRequest};
use wasm_bindgen::JsCast;

mod i18n;
mod layers;
mod view;

/// Most workers in the pool, whatever the machine reports.
const MAX_WORKERS: usize = 6;

/// Where the page is in its one job.
#[derive(Clone)]
pub enum Phase {
    Idle,
    Scanning {
        file_name: String,
        file_size: u64,
        progress: Option<Progress>,
        /// When the scan started (`performance.now()`), for the ETA.
        started_ms: f64,
        /// Each layer's read progress, once the scan is planned.
        layers: Vec<LayerBar>,
    },
    /// The user stopped the scan; its workers were terminated.
    Cancelled {
        file_name: String,
    },
    Done {
        file_name: String,
        report: Arc<Report>,
        elapsed_ms: f64,
        match_ms: f64,
        /// How the elapsed time splits: planning, walking the layers, assembling and matching
        /// (a `data-stages` attribute the benchmark prints).
        stages: [f64; 3],
        /// Set when the report came from a share link or a report file.
        reopened: Option<Reopened>,
    },
    Failed {
        file_name: String,
        message: String,
        hint: String,
    },
}

/// How far one layer's walk has read.
#[derive(Clone, Copy, Default)]
pub struct LayerBar {
    pub size: u64,
    pub done: u64,
    pub finished: bool,
}

/// The advisory bundle, as the page knows it.
#[derive(Clone)]
pub enum BundleState {
    Loading,
    Ready {
        header: Arc<Header>,
        fetch_ms: f64,
        load_ms: f64,
        bytes: u64,
        /// A newer bundle replaced the one the page started with.
        updated: bool,
    },
    Failed(String),
}

/// Where the site serves its advisory bundle and the bundle's manifest, relative to the page
/// (so any path prefix works).
const BUNDLE_URL: &str = "advisories.trsb";
const BUNDLE_MANIFEST_URL: &str = "advisories.json";

/// `rel`'s absolute URL, resolved against the page (the worker's own base differs).
fn site_url(rel: &str) -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .and_then(|page| web_sys::Url::new_with_base(rel, &page).ok())
        .map(|u| u.href())
        .unwrap_or_else(|| rel.to_string())
}

/// The page's fragment when it is a report link (`#r…`).
fn link_fragment() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let hash = hash.strip_prefix('#').unwrap_or(&hash);
    (hash.starts_with('r') && hash.len() > 1).then(|| hash.to_string())
}

/// Registers the service worker that keeps the site usable offline (`sw.js`, written by
/// `scripts/service-worker.mjs` at build time).
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return;
    }
    let promise = navigator.service_worker().register("./sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            web_sys::console::warn_1(&e);
        }
    });
}

/// The name of the file being scanned, taken out of the phase that is about to end.
fn take_file_name(phase: &mut Phase) -> String {
    match phase {
        Phase::Scanning { file_name, .. } => std::mem::take(file_name),
        _ => String::new(),
    }
}

/// The scan under way, as the coordinator sees it.
struct Job {
    /// The image being scanned; `None` when a link is being reopened.
    file: Option<web_sys::File>,
    started_ms: f64,
    /// When the plan arrived and when the last layer was walked (`performance.now()`); never
    /// set for a reopened report or an archive compressed as a whole.
    planned_ms: Option<f64>,
    walked_ms: Option<f64>,
    plan: Option<ImagePlan>,
    layers: Vec<Option<ByteBuf>>,
    next_layer: usize,
    done_bytes: u64,
    total_bytes: u64,
    /// The limits of this scan, sent with its plan, layer and assemble requests (the page has
    /// no settings for them: the defaults).
    limits: Limits,
}

impl Job {
    fn new(file: Option<web_sys::File>) -> Job {
        Job {
            file,
            started_ms: now_ms(),
            planned_ms: None,
            walked_ms: None,
            plan: None,
            layers: Vec::new(),
            next_layer: 0,
            done_bytes: 0,
            total_bytes: 0,
            limits: Limits::default(),
        }
    }
}

/// The phase of a scan (or a reopening) that has just started.
fn scanning(file_name: String, file_size: u64) -> Phase {
    Phase::Scanning {
        file_name,
        file_size,
        progress: None,
        started_ms: now_ms(),
        layers: Vec::new(),
    }
}

/// `?reads=sync` makes workers read layers with `FileReaderSync` even where they could stream
/// them (for the tests of that path and for benchmarks).
fn sync_reads() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| {
            q.trim_start_matches('?')
                .split('&')
                .any(|p| p == "reads=sync")
        })
}

pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

fn pool_size() -> usize {
    let n = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(2.0) as usize;
    n.clamp(1, MAX_WORKERS)
}

#[component]
fn App() -> impl IntoView {
    let initial = initial_language();
    i18n::set(initial);
    set_document_language(initial);
    let lang = RwSignal::new(initial);
    let phase = RwSignal::new(Phase::Idle);
    let bundle = RwSignal::new(BundleState::Loading);
    let bundle_check = RwSignal::new(None::<(String, String)>);
    let dragging = RwSignal::new(false);
    let selected_image = RwSignal::new(None::<String>);
    let input_ref: NodeRef<leptos::html::Input> = NodeRef::new();
    let workers: StoredValue<Option<Pool>, LocalStorage> = StoredValue::new_local(None);
    let job: StoredValue<Option<Job>, LocalStorage> = StoredValue::new_local(None);
    let last_file: StoredValue<Option<web_sys::File>, LocalStorage> = StoredValue::new_local(None);

    let fail = move |message: String, hint: String| {
        job.set_value(None);
        phase.update(|ph| {
            let file_name = take_file_name(ph);
            *ph = Phase::Failed {
                file_name,
                message,
                hint,
            };
        });
    };
    let set_progress = move |p: Progress| {
        phase.update(|ph| {
            if let Phase::Scanning { progress, .. } = ph {
                *progress = Some(p);
            }
        })
    };
    // Gives worker `w` the next layer, if any is left.
    let dispatch = move |w: usize| {
        let request = job.try_update_value(|j| {
            let j = j.as_mut()?;
            let plan = j.plan.as_ref()?;
            let layer = plan.jobs.get(j.next_layer)?.clone();
            j.next_layer += 1;
            Some(ScanRequest::Layer {
                file: j.file.clone()?,
                job: layer,
                limits: j.limits,
                stream: !sync_reads(),
            })
        });
        if let Some(Some(request)) = request {
            workers.with_value(|pool| {
                if let Some(pool) = pool {
                    pool.send(w, &request)
                }
            });
        }
    };
    // Marks layer `index` as read up to `done` bytes (`None`: finished) and updates the bar.
    let layer_progress = move |index: usize, done: Option<u64>| {
        phase.update(|ph| {
            if let Phase::Scanning {
                layers, progress, ..
            } = ph
            {
                if let Some(bar) = layers.get_mut(index) {
                    match done {
                        Some(done) => bar.done = done.min(bar.size),
                        None => {
                            bar.done = bar.size;
                            bar.finished = true;
                        }
                    }
                }
                let total = layers.iter().map(|b| b.size).sum();
                let done = layers.iter().map(|b| b.done).sum();
                *progress = Some(Progress::new(Stage::ScanningLayers, done, total));
            }
        })
    };
    let on_event = move |w: usize, event: ScanEvent| match event {
        ScanEvent::Ready => {}
        ScanEvent::BundleCheck { status, message } => bundle_check.set(Some((status, message))),
        ScanEvent::Progress(p) => set_progress(p),
        ScanEvent::LayerProgress { index, done } => layer_progress(index, Some(done)),
        ScanEvent::Planned { plan } => {
            let count = plan.jobs.len();
            let total: u64 = plan.jobs.iter().map(|j| j.size).sum();
            job.update_value(|j| {
                if let Some(j) = j.as_mut() {
                    j.layers = vec![None; count];
                    j.total_bytes = total;
                    j.planned_ms = Some(now_ms());
                    j.plan = Some(*plan);
                }
            });
            let bars = plan_bars(&job);
            phase.update(|ph| {
                if let Phase::Scanning { layers, .. } = ph {
                    *layers = bars;
                }
            });
            set_progress(Progress::new(Stage::ScanningLayers, 0, total));
            let pool = workers.with_value(|p| p.as_ref().map_or(0, Pool::len));
            for worker in 0..pool.min(count.max(1)) {
                dispatch(worker);
            }
            if count == 0 {
                assemble(job, workers);
            }
        }
        ScanEvent::LayerDone { index, scan } => {
            let finished = job
                .try_update_value(|j| {
                    let j = j.as_mut()?;
                    let size = j.plan.as_ref()?.jobs.get(index)?.size;
                    *j.layers.get_mut(index)? = Some(scan);
                    j.done_bytes += size;
                    j.walked_ms = Some(now_ms());
                    Some((
                        j.layers.iter().all(Option::is_some),
                        j.done_bytes,
                        j.total_bytes,
                    ))
                })
                .flatten();
            if let Some((all, _, _)) = finished {
                layer_progress(index, None);
                if all {
                    assemble(job, workers);
                } else {
                    dispatch(w);
                }
            }
        }
        ScanEvent::BundleLoaded {
            header,
            fetch_ms,
            load_ms,
            bytes,
            updated,
        } => bundle.set(BundleState::Ready {
            header: Arc::from(header),
            fetch_ms,
            load_ms,
            bytes,
            updated,
        }),
        ScanEvent::BundleFailed { message } => bundle.set(BundleState::Failed(message)),
        ScanEvent::Done {
            mut report,
            match_ms,
            reopened,
            layer_files,
        } => {
            report.layer_files = bincode::deserialize(&layer_files).unwrap_or_default();
            let now = now_ms();
            let (started, stages) = job
                .with_value(|j| {
                    j.as_ref().map(|j| {
                        let planned = j.planned_ms.unwrap_or(now);
                        let walked = j.walked_ms.unwrap_or(planned);
                        (
                            j.started_ms,
                            [planned - j.started_ms, walked - planned, now - walked],
                        )
                    })
                })
                .unwrap_or((now, [0.0; 3]));
            job.set_value(None);
            phase.update(|ph| {
                let file_name = take_file_name(ph);
                *ph = Phase::Done {
                    file_name,
                    report: Arc::from(report),
                    elapsed_ms: now - started,
                    stages,
                    match_ms,
                    reopened,
                };
            });
        }
        ScanEvent::Failed { message, hint, .. } => fail(message, hint),
    };

    // The pool is spawned up front so it has loaded by the first drop, and again after a
    // cancelled scan. The first worker assembles every report, so it loads the advisory bundle.
    let spawn_pool = move || {
        let pool = Pool::spawn(pool_size(), Rc::new(on_event));
        pool.send(
            0,
            &ScanRequest::LoadBundle {
                url: site_url(BUNDLE_URL),
                manifest_url: site_url(BUNDLE_MANIFEST_URL),
            },
        );
        workers.set_value(Some(pool));
    };
    spawn_pool();
    let cancel = Callback::new(move |()| {
        if !matches!(phase.get_untracked(), Phase::Scanning { .. }) {
            return;
        }
        // Dropping the pool terminates every worker, busy or not.
        workers.set_value(None);
        job.set_value(None);
        phase.update(|ph| {
            let file_name = take_file_name(ph);
            *ph = Phase::Cancelled { file_name };
        });
        bundle.set(BundleState::Loading);
        spawn_pool();
    });

    let start_scan = move |file: web_sys::File, image: Option<String>| {
        if matches!(phase.get_untracked(), Phase::Scanning { .. }) {
            return;
        }
        phase.set(scanning(file.name(), file.size() as u64));
        last_file.set_value(Some(file.clone()));
        selected_image.set(image.clone());
        let new_job = Job::new(Some(file.clone()));
        let limits = new_job.limits;
        job.set_value(Some(new_job));
        // Our own JSON report (the JSON export) is reopened, not scanned.
        let is_report = file.name().to_ascii_lowercase().ends_with(".json")
            || file.type_() == "application/json";
        let request = if is_report {
            ScanRequest::OpenReport { file }
        } else {
            ScanRequest::Plan {
                file,
                image,
                limits,
            }
        };
        workers.with_value(|pool| {
            if let Some(pool) = pool {
                pool.send(0, &request)
            }
        });
    };
    // A share link: reopened by the first worker once its bundle is loaded.
    let open_link = move |fragment: String| {
        if matches!(phase.get_untracked(), Phase::Scanning { .. }) {
            return;
        }
        phase.set(scanning(
            i18n::tr("shared report link").to_string(),
            fragment.len() as u64,
        ));
        job.set_value(Some(Job::new(None)));
        workers.with_value(|pool| {
            if let Some(pool) = pool {
                pool.send(0, &ScanRequest::OpenLink { fragment })
            }
        });
    };
    if let Some(fragment) = link_fragment() {
        open_link(fragment);
    }
    if let Some(window) = web_sys::window() {
        let on_hash = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            if let Some(fragment) = link_fragment() {
                open_link(fragment);
            }
        });
        window.set_onhashchange(Some(on_hash.as_ref().unchecked_ref()));
        on_hash.forget();
    }

    let on_change = move |_| {
        let Some(input) = input_ref.get() else { return };
        if let Some(file) = input.files().and_then(|list| list.get(0)) {
            start_scan(file, None);
        }
        // Clear it so choosing the same file again still fires `change`.
        input.set_value("");
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(file) = ev
            .data_transfer()
            .and_then(|dt| dt.files())
            .and_then(|list| list.get(0))
        {
            start_scan(file, None);
        }
    };
    let on_dragover = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(true);
    };
    let on_dragleave = move |_ev: web_sys::DragEvent| dragging.set(false);
    let pick_image = Callback::new(move |name: String| {
        if let Some(file) = last_file.get_value() {
            start_scan(file, Some(name));
        }
    });
    let scanning = move || matches!(phase.get(), Phase::Scanning { .. });
    let compact = move || matches!(phase.get(), Phase::Done { .. });

    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="./">
                    <img src="icons/icon.svg" alt="" width="32" height="32"/>
                    <span class="brand-name">"tarsier"</span>
                </a>
                <select class="lang" data-testid="lang" aria-label="Language / 语言"
                    on:change=move |ev| {
                        let chosen = i18n::Lang::from_code(&event_target_value(&ev)).unwrap_or(i18n::Lang::En);
                        i18n::set(chosen);
                        set_document_language(chosen);
                        remember_language(chosen);
                        lang.set(chosen);
                    }>
                    <option value="en" selected=move || lang.get() == i18n::Lang::En>"English"</option>
                    <option value="zh-CN" selected=move || lang.get() == i18n::Lang::Zh>"简体中文"</option>
                </select>
                <span class="privacy" title=move || { lang.track(); crate::i18n::tr("The image is read by WebAssembly inside this tab.") }>
                    <span class="lock" aria-hidden="true"></span>
                    {move || { lang.track(); crate::i18n::tr("Runs in your browser · nothing is uploaded") }}
                </span>
            </header>
            {move || {
                lang.track();
                view::bundle_view(bundle.get(), bundle_check.get())
            }}
            <main>
                <section
                    class="dropzone"
                    class:dragging=move || dragging.get()
                    class:compact=compact
                    class:busy=scanning
                    data-testid="dropzone"
                    on:dragover=on_dragover
                    on:dragenter=move |ev: web_sys::DragEvent| ev.prevent_default()
                    on:dragleave=on_dragleave
                    on:drop=on_drop
                >
                    <div class="drop-icon" aria-hidden="true"></div>
                    <div class="drop-text">
                        <h1>{move || { lang.track(); crate::i18n::tr("Drop a container image archive") }}</h1>
                        <p class="muted">
                            {move || { lang.track(); crate::i18n::tr("A ") }} <code>"docker save"</code> {move || { lang.track(); crate::i18n::tr(" tarball or an OCI archive (.tar, .tar.gz). ") }}
                            {move || { lang.track(); crate::i18n::tr("It never leaves this computer.") }}
                        </p>
                    </div>
                    <label class="button" for="file-input">{move || { lang.track(); crate::i18n::tr("Choose file…") }}</label>
                    <input
                        id="file-input"
                        type="file"
                        class="visually-hidden"
                        node_ref=input_ref
                        on:change=on_change
                        disabled=scanning
                    />
                </section>
                {move || {
                    lang.track();
                    view::phase_view(phase.get(), selected_image.get(), pick_image, cancel)
                }}
            </main>
            <footer class="footer muted">
                {move || { lang.track(); crate::i18n::tr("tarsier reads the image with Rust compiled to WebAssembly, in web workers. ") }}
                {move || { lang.track(); crate::i18n::tr("No request carries your image anywhere.") }}
            </footer>
        </div>
    }
}

const LANGUAGE_KEY: &str = "tarsier-language";

/// The remembered choice, else the browser's language, else English.
fn initial_language() -> i18n::Lang {
    let window = web_sys::window();
    let stored = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(LANGUAGE_KEY).ok().flatten());
    stored
        .as_deref()
        .and_then(i18n::Lang::from_code)
        .or_else(|| {
            window
                .and_then(|w| w.navigator().language())
                .as_deref()
                .and_then(i18n::Lang::from_code)
        })
        .unwrap_or(i18n::Lang::En)
}

fn remember_language(lang: i18n::Lang) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(LANGUAGE_KEY, lang.code());
    }
}

fn set_document_language(lang: i18n::Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
    }
}

/// Sends the walked layers to the first worker to be squashed into the report.
fn assemble(
    job: StoredValue<Option<Job>, LocalStorage>,
    workers: StoredValue<Option<Pool>, LocalStorage>,
) {
    let request = job
        .try_update_value(|j| {
            let j = j.as_mut()?;
            let plan = j.plan.take()?;
            let layers = std::mem::take(&mut j.layers)
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect();
            Some(ScanRequest::Assemble {
                plan: Box::new(plan),
                layers,
                limits: j.limits,
            })
        })
        .flatten();
    if let Some(request) = request {
        workers.with_value(|pool| {
            if let Some(pool) = pool {
                pool.send(0, &request)
            }
        });
    }
}

/// One empty progress bar per planned layer.
fn plan_bars(job: &StoredValue<Option<Job>, LocalStorage>) -> Vec<LayerBar> {
    job.with_value(|j| {
        j.as_ref()
            .and_then(|j| j.plan.as_ref())
            .map(|plan| {
                plan.jobs
                    .iter()
                    .map(|l| LayerBar {
                        size: l.size,
                        ..LayerBar::default()
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

fn main() {
    console_error_panic_hook::set_once();
    // Keep the browser from opening a file dropped outside the drop zone.
    if let Some(window) = web_sys::window() {
        let stop =
            wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
                ev.prevent_default()
            });
        for name in ["dragover", "drop"] {
            let _ = window.add_event_listener_with_callback(name, stop.as_ref().unchecked_ref());
        }
        stop.forget();
    }
    register_service_worker();
    leptos::mount::mount_to_body(App);
}
