//! The scan worker: plans a scan, walks layers, or assembles walked layers, as asked. The worker
//! that assembles also holds the advisory bundle, loaded once, and matches every report.
//!
//! The message loop is our own (no worker framework) so the page can spawn workers itself and
//! `terminate()` them: a worker busy in a synchronous scan reads no message, so Cancel can only
//! work by ending the worker.

use std::cell::RefCell;
use std::io::{self, Read, Seek, SeekFrom};
use std::rc::Rc;

use scanner_core::advisory::bundle::{self, Header, Trust};
use scanner_core::advisory::db::AdvisoryDb;
use scanner_core::extract::Selector;
use scanner_core::layer::LayerScan;
use scanner_core::source::reader::{ChunkSizes, ChunkedReader};
use scanner_core::{ImageError, InspectOptions, LayerJob, Limits, Progress, Report, Stage};
use serde_bytes::ByteBuf;
use wasm_bindgen::{JsCast, JsValue};

use crate::blob::BlobSource;
use crate::protocol::{decode, encode, Reopened, ScanEvent, ScanRequest};
use scanner_core::share::{finding_ids, Changes, SharedReport};

/// Largest report file reopened (our JSON report of a very large image is a few MB).
const MAX_REPORT_FILE: u64 = 256 << 20;
/// Largest bundle manifest read.
const MAX_MANIFEST: usize = 64 << 10;
/// The Cache Storage cache the service worker serves the bundle from (static/sw.js agrees).
const BUNDLE_CACHE: &str = "tarsier-bundle";

/// The advisory bundle, as far as this worker has it.
enum Advisories {
    /// Never asked for (layer-walking workers).
    None,
    /// Being fetched; assemblies wait for it.
    Loading,
    Ready(Box<Header>, AdvisoryDb),
    Failed,
}

pub struct ScanWorker {
    advisories: Advisories,
    /// Assemble requests that arrived while the bundle was loading.
    waiting: Vec<ScanRequest>,
}

fn global() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts one event to the page.
fn post(event: &ScanEvent) {
    match encode(event) {
        Ok(value) => {
            if let Err(e) = global().post_message(&value) {
                web_sys::console::error_1(&e);
            }
        }
        Err(e) => web_sys::console::error_1(&JsValue::from_str(&format!("tarsier: {e}"))),
    }
}

/// Installs the message handler and tells the page this worker is ready. Called once, from the
/// worker binary's `main`.
pub fn run() {
    let state = Rc::new(RefCell::new(ScanWorker {
        advisories: Advisories::None,
        waiting: Vec::new(),
    }));
    let handler = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
        move |ev: web_sys::MessageEvent| match decode::<ScanRequest>(ev.data()) {
            Ok(request) => ScanWorker::handle(&state, request),
            Err(message) => post(&ScanEvent::Failed {
                code: "internal".into(),
                message,
                hint: "Reload the page: its code and its worker's code differ.".into(),
            }),
        },
    );
    global().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&ScanEvent::Ready);
}

/// Reports how far a layer's walk has read: at most every 1 % of the layer and every 250 ms.
/// Each report costs the page a render, and on a 2-core machine the page's thread competes
/// with the walking workers: reporting every 1 % alone made scans a third slower. The position
/// is tracked from the reads and the seeks' results.
struct Metered<R> {
    inner: R,
    index: usize,
    start: u64,
    size: u64,
    step: u64,
    next: u64,
    /// Position in the archive.
    pos: u64,
    /// When the last report was posted (`performance.now()`).
    last_ms: f64,
}

/// Least time between two progress reports of one layer.
const PROGRESS_INTERVAL_MS: f64 = 250.0;

impl<R> Metered<R> {
    fn note(&mut self) {
        let done = self.pos.saturating_sub(self.start).min(self.size);
        if done >= self.next {
            self.next = done + self.step;
            let now = now_ms();
            if now - self.last_ms < PROGRESS_INTERVAL_MS {
                return;
            }
            self.last_ms = now;
            post(&ScanEvent::LayerProgress {
                index: self.index,
                done,
            });
        }
    }
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        self.note();
        Ok(n)
    }
}

impl<R: Seek> Seek for Metered<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        self.note();
        Ok(self.pos)
    }
}

fn now_ms() -> f64 {
    js_sys::global()
        .dyn_into::<web_sys::DedicatedWorkerGlobalScope>()
        .ok()
        .and_then(|g| g.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

fn failed(e: &ImageError) -> ScanEvent {
    ScanEvent::Failed {
        code: e.code().into(),
        message: e.to_string(),
        hint: e.hint().into(),
    }
}

/// The report the page shows: the JSON report plus each layer's changed paths (for the Layers
/// view's file tree; the page leaves them out of its JSON export, as the CLI does by default).
fn page_report(mut scan: scanner_core::ImageScan) -> Report {
    let layer_files = std::mem::take(&mut scan.layer_files);
    let mut report = Report::from_scan(&scan, false);
    report.layer_files = layer_files;
    report
}

/// Reads a dropped report file (our JSON report).
fn read_report(file: web_sys::File) -> Result<Report, String> {
    let size = file.size() as u64;
    if size > MAX_REPORT_FILE {
        return Err(format!(
            "this file is {} MB, larger than any report tarsier writes",
            size >> 20
        ));
    }
    let mut reader = open(file).map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(size as usize);
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let report: Report = serde_json::from_slice(&bytes)
        .map_err(|e| format!("this JSON file is not a tarsier report: {e}"))?;
    if report.report_version > Report::VERSION {
        return Err(format!(
            "this report was written by a newer tarsier (report version {})",
            report.report_version
        ));
    }
    Ok(report)
}

fn open(file: web_sys::File) -> Result<ChunkedReader<BlobSource>, ImageError> {
    Ok(ChunkedReader::new(
        BlobSource::new(file.into())?,
        ChunkSizes::BROWSER,
    ))
}

fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Fetches `url`; `fresh` bypasses every cache (the HTTP cache, and the service worker's,
/// which passes `no-store` requests to the network).
async fn fetch_bytes(url: &str, fresh: bool) -> Result<Vec<u8>, String> {
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let init = web_sys::RequestInit::new();
    if fresh {
        init.set_cache(web_sys::RequestCache::NoStore);
    }
    let response = wasm_bindgen_futures::JsFuture::from(global.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| format!("cannot download {url}: {}", js_error(e)))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("cannot download {url}: not a response"))?;
    if !response.ok() {
        return Err(format!(
            "the site has no advisory bundle at {url} (HTTP {})",
            response.status()
        ));
    }
    let buffer = response
        .array_buffer()
        .map_err(|e| format!("cannot read {url}: {}", js_error(e)))?;
    let buffer = wasm_bindgen_futures::JsFuture::from(buffer)
        .await
        .map_err(|e| format!("cannot read {url}: {}", js_error(e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Stores a verified bundle where the service worker serves it from, replacing the old one.
async fn cache_bundle(url: &str, bytes: &[u8]) -> Result<(), String> {
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let caches = global.caches().map_err(js_error)?;
    let cache = wasm_bindgen_futures::JsFuture::from(caches.open(BUNDLE_CACHE))
        .await
        .map_err(js_error)?;
    let cache: web_sys::Cache = cache.unchecked_into();
    let body = js_sys::Uint8Array::from(bytes);
    let response = web_sys::Response::new_with_opt_buffer_source(Some(&body)).map_err(js_error)?;
    wasm_bindgen_futures::JsFuture::from(cache.put_with_str(url, &response))
        .await
        .map_err(js_error)?;
    Ok(())
}

/// Checks a downloaded bundle's hashes and signature (by a key this build trusts) and loads it.
fn verify_bundle(bytes: &[u8]) -> Result<(Header, AdvisoryDb), bundle::BundleError> {
    bundle::read(bytes, Trust::SignatureRequired(&bundle::built_in_keys()))
}

/// What `advisories.json` says (`tarsier bundle manifest`).
#[derive(serde::Deserialize)]
struct BundleManifest {
    built: String,
    digest: String,
}

/// After the bundle is loaded: asks the manifest whether a newer one is published, and if so
/// downloads, verifies and switches to it. The old bundle stays until the new one verifies.
async fn check_for_update(state: &Rc<RefCell<ScanWorker>>, url: &str, manifest_url: &str) {
    let check = |status: &str, message: String| {
        post(&ScanEvent::BundleCheck {
            status: status.into(),
            message,
        })
    };
    let manifest = match fetch_bytes(manifest_url, true).await {
        Ok(bytes) if bytes.len() <= MAX_MANIFEST => bytes,
        Ok(_) => return check("rejected", "the bundle manifest is too large".into()),
        Err(e) => return check("offline", e),
    };
    let manifest: BundleManifest = match serde_json::from_slice(&manifest) {
        Ok(m) => m,
        Err(e) => return check("rejected", format!("the bundle manifest is damaged: {e}")),
    };
    let current = match &state.borrow().advisories {
        Advisories::Ready(h, _) => Some((h.digest.clone(), h.built.clone())),
        _ => None,
    };
    if current.as_ref().is_some_and(|(d, _)| *d == manifest.digest) {
        return check("current", String::new());
    }
    if current
        .as_ref()
        .is_some_and(|(_, built)| *built >= manifest.built)
    {
        return check("current", "the published bundle is not newer".into());
    }
    // A query the service worker never answers from its cache.
    let digest: String = manifest
        .digest
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(64)
        .collect();
    let fresh_url = format!("{url}?v={digest}");
    let t0 = now_ms();
    let bytes = match fetch_bytes(&fresh_url, true).await {
        Ok(b) => b,
        Err(e) => return check("offline", e),
    };
    let fetch_ms = now_ms() - t0;
    let t1 = now_ms();
    match verify_bundle(&bytes) {
        Ok((header, db)) => {
            let header = Box::new(header);
            state.borrow_mut().advisories = Advisories::Ready(header.clone(), db);
            let load_ms = now_ms() - t1;
            if let Err(e) = cache_bundle(url, &bytes).await {
                web_sys::console::warn_1(&JsValue::from_str(&format!(
                    "tarsier: the new bundle is in use but could not be kept for offline use: {e}"
                )));
            }
            post(&ScanEvent::BundleLoaded {
                header,
                fetch_ms,
                load_ms,
                bytes: bytes.len() as u64,
                updated: true,
            });
        }
        Err(e) => check(
            "rejected",
            format!("a newer bundle was published but rejected, so the current one stays: {e}"),
        ),
    }
}

/// Walks one layer through `reader` (the archive), posting progress as it goes, and returns
/// the `LayerDone` event. `how` (streamed or `FileReaderSync`) goes in the timing line on the
/// console, which `tests/bench/trace.mjs` prints.
fn walk<R: Read + Seek>(reader: R, how: &str, job: &LayerJob, limits: &Limits) -> ScanEvent {
    let t0 = now_ms();
    let metered = Metered {
        inner: reader,
        index: job.index,
        start: job.offset,
        size: job.size,
        step: (job.size / 100).max(1 << 20),
        next: 0,
        pos: 0,
        last_ms: now_ms(),
    };
    let scan = scanner_core::scan_layer(metered, job, limits, &Selector::default());
    web_sys::console::debug_1(&JsValue::from_str(&format!(
        "tarsier: layer {} ({} bytes, {:?}) walked in {:.0} ms, {how}",
        job.index,
        job.size,
        job.compression,
        now_ms() - t0,
    )));
    layer_done(job, scan)
}

fn layer_done(job: &LayerJob, scan: LayerScan) -> ScanEvent {
    match bincode::serialize(&scan) {
        Ok(bytes) => ScanEvent::LayerDone {
            index: job.index,
            scan: ByteBuf::from(bytes),
        },
        Err(e) => ScanEvent::Failed {
            code: "internal".into(),
            message: format!("could not pass layer {} between workers: {e}", job.index),
            hint: "Reload the page and try again.".into(),
        },
    }
}

/// Walks one layer from a streamed source and posts the result (see [`crate::stream`]).
pub(crate) fn walk_and_post(source: crate::stream::StreamSource, job: &LayerJob, limits: &Limits) {
    post(&walk(
        ChunkedReader::new(source, ChunkSizes::STREAM),
        "streamed",
        job,
        limits,
    ));
}

impl ScanWorker {
    fn handle(state: &Rc<RefCell<Self>>, request: ScanRequest) {
        if let ScanRequest::LoadBundle { url, manifest_url } = request {
            state.borrow_mut().advisories = Advisories::Loading;
            let t0 = now_ms();
            let state = state.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = fetch_bytes(&url, false).await;
                let fetch_ms = now_ms() - t0;
                let waiting = state.borrow_mut().bundle_fetched(result, fetch_ms);
                for request in waiting {
                    Self::handle(&state, request);
                }
                check_for_update(&state, &url, &manifest_url).await;
            });
            return;
        }
        let event = state.borrow_mut().scan(request);
        if let Some(event) = event {
            post(&event);
        }
    }

    /// Runs one synchronous request; `None` when it must wait for the bundle.
    fn scan(&mut self, request: ScanRequest) -> Option<ScanEvent> {
        let event = match request {
            ScanRequest::LoadBundle { .. } => return None,
            ScanRequest::Plan {
                file,
                image,
                limits,
            } => {
                // Post at most one progress message per stage change or whole percent.
                let mut last: Option<(Stage, u32)> = None;
                let mut on_progress = |p: Progress| {
                    let percent = (p.overall_fraction() * 100.0) as u32;
                    if last != Some((p.stage, percent)) {
                        last = Some((p.stage, percent));
                        post(&ScanEvent::Progress(p));
                    }
                };
                let options = InspectOptions { image };
                match open(file) {
                    Err(e) => failed(&e),
                    Ok(mut reader) => {
                        match scanner_core::plan(&mut reader, &options, &mut on_progress) {
                            Ok(plan) => ScanEvent::Planned {
                                plan: Box::new(plan),
                            },
                            // Compressed as a whole: no random access, so no parallel layers;
                            // stream the whole scan here.
                            Err(ImageError::CompressedArchive { .. }) => {
                                match scanner_core::scan_image(
                                    &mut reader,
                                    &options,
                                    &limits,
                                    &Selector::default(),
                                    &mut on_progress,
                                ) {
                                    Ok(scan) => self.finish(page_report(scan)),
                                    Err(e) => failed(&e),
                                }
                            }
                            Err(e) => failed(&e),
                        }
                    }
                }
            }
            ScanRequest::Layer {
                file,
                job,
                limits,
                stream,
            } => {
                if stream && crate::stream::available() {
                    crate::stream::walk_streamed(crate::stream::Pending { file, job, limits });
                    return None;
                }
                match open(file) {
                    Ok(reader) => walk(reader, "read with FileReaderSync", &job, &limits),
                    Err(e) => layer_done(
                        &job,
                        LayerScan {
                            warnings: vec![e.to_string()],
                            ..LayerScan::default()
                        },
                    ),
                }
            }
            request @ (ScanRequest::Assemble { .. }
            | ScanRequest::OpenLink { .. }
            | ScanRequest::OpenReport { .. })
                if matches!(self.advisories, Advisories::Loading) =>
            {
                self.waiting.push(request);
                return None;
            }
            ScanRequest::OpenLink { fragment } => match SharedReport::decode(&fragment) {
                Ok(shared) => self.reopen(
                    shared.to_report(),
                    &shared.findings,
                    shared.bundle.clone(),
                    "link",
                ),
                Err(e) => ScanEvent::Failed {
                    code: "share-link".into(),
                    message: e.to_string(),
                    hint: e.hint().into(),
                },
            },
            ScanRequest::OpenReport { file } => match read_report(file) {
                Ok(report) => {
                    let then = finding_ids(&report);
                    let bundle = report
                        .bundle
                        .as_ref()
                        .map(|b| (b.built.clone(), b.digest.clone()));
                    self.reopen(report, &then, bundle, "file")
                }
                Err(message) => ScanEvent::Failed {
                    code: "report-file".into(),
                    message,
                    hint: "Drop a report that tarsier exported (the JSON button), or an image \
                           archive."
                        .into(),
                },
            },
            ScanRequest::Assemble {
                plan,
                layers,
                limits,
            } => {
                let scans = layers
                    .iter()
                    .enumerate()
                    .map(|(i, bytes)| {
                        bincode::deserialize::<LayerScan>(bytes).unwrap_or_else(|e| LayerScan {
                            warnings: vec![format!("layer {i} was lost between workers: {e}")],
                            ..LayerScan::default()
                        })
                    })
                    .collect();
                let scan = scanner_core::assemble(*plan, scans, &limits);
                self.finish(page_report(scan))
            }
        };
        Some(event)
    }

    /// Matches the report against the bundle, when there is one.
    fn finish(&self, mut report: Report) -> ScanEvent {
        let t0 = now_ms();
        if let Advisories::Ready(header, db) = &self.advisories {
            report.add_findings((**header).clone(), db);
        }
        let match_ms = now_ms() - t0;
        let files = std::mem::take(&mut report.layer_files);
        // Our own types always encode; an empty list is the worst outcome.
        let layer_files = ByteBuf::from(bincode::serialize(&files).unwrap_or_default());
        ScanEvent::Done {
            report: Box::new(report),
            match_ms,
            reopened: None,
            layer_files,
        }
    }

    /// Re-matches a reopened report against this browser's bundle and says what changed since
    /// its findings (`then`) were recorded.
    fn reopen(
        &self,
        mut report: Report,
        then: &[String],
        then_bundle: Option<(String, String)>,
        source: &str,
    ) -> ScanEvent {
        report.findings.clear();
        report.bundle = None;
        let mut event = self.finish(report);
        if let ScanEvent::Done {
            report, reopened, ..
        } = &mut event
        {
            *reopened = Some(Reopened {
                source: source.into(),
                changes: Changes::between(then, &finding_ids(report), then_bundle),
            });
        }
        event
    }
}

impl ScanWorker {
    /// Verifies and loads the fetched bundle; returns the requests that waited for it.
    fn bundle_fetched(
        &mut self,
        result: Result<Vec<u8>, String>,
        fetch_ms: f64,
    ) -> Vec<ScanRequest> {
        let t0 = now_ms();
        let loaded = result.and_then(|bytes| {
            let len = bytes.len() as u64;
            verify_bundle(&bytes)
                .map(|(h, db)| (h, db, len))
                .map_err(|e| format!("the advisory bundle was rejected: {e}"))
        });
        let event = match loaded {
            Ok((header, db, bytes)) => {
                let header = Box::new(header);
                self.advisories = Advisories::Ready(header.clone(), db);
                ScanEvent::BundleLoaded {
                    header,
                    fetch_ms,
                    load_ms: now_ms() - t0,
                    bytes,
                    updated: false,
                }
            }
            Err(message) => {
                self.advisories = Advisories::Failed;
                ScanEvent::BundleFailed { message }
            }
        };
        post(&event);
        std::mem::take(&mut self.waiting)
    }
}
