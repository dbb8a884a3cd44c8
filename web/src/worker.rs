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
use scanner_core::{ImageError, InspectOptions, Progress, Report, Stage};
use serde_bytes::ByteBuf;
use wasm_bindgen::{JsCast, JsValue};

use crate::blob::BlobSource;
use crate::protocol::{decode, encode, ScanEvent, ScanRequest};

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

/// Reports how far a layer's walk has read, at most every 1% of the layer or so: the position
/// of the reader under the walk is the position in the archive.
struct Metered<R> {
    inner: R,
    index: usize,
    start: u64,
    size: u64,
    step: u64,
    next: u64,
}

impl<R: Seek> Metered<R> {
    fn note(&mut self) {
        if let Ok(pos) = self.inner.stream_position() {
            let done = pos.saturating_sub(self.start).min(self.size);
            if done >= self.next {
                self.next = done + self.step;
                post(&ScanEvent::LayerProgress {
                    index: self.index,
                    done,
                });
            }
        }
    }
}

impl<R: Read + Seek> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.note();
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for Metered<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = self.inner.seek(to)?;
        self.note();
        Ok(pos)
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

/// Fetches `url` (relative to the worker script, so the site works under any path prefix).
async fn fetch_bytes(url: String) -> Result<Vec<u8>, String> {
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let response = wasm_bindgen_futures::JsFuture::from(global.fetch_with_str(&url))
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

impl ScanWorker {
    fn handle(state: &Rc<RefCell<Self>>, request: ScanRequest) {
        if let ScanRequest::LoadBundle { url } = request {
            state.borrow_mut().advisories = Advisories::Loading;
            let t0 = now_ms();
            let state = state.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = fetch_bytes(url).await;
                let fetch_ms = now_ms() - t0;
                let waiting = state.borrow_mut().bundle_fetched(result, fetch_ms);
                for request in waiting {
                    Self::handle(&state, request);
                }
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
            ScanRequest::Layer { file, job, limits } => {
                let t0 = now_ms();
                let scan = match open(file) {
                    Ok(reader) => {
                        let metered = Metered {
                            inner: reader,
                            index: job.index,
                            start: job.offset,
                            size: job.size,
                            step: (job.size / 100).max(1 << 20),
                            next: 0,
                        };
                        scanner_core::scan_layer(metered, &job, &limits, &Selector::default())
                    }
                    Err(e) => LayerScan {
                        warnings: vec![e.to_string()],
                        ..LayerScan::default()
                    },
                };
                web_sys::console::debug_1(&JsValue::from_str(&format!(
                    "tarsier: layer {} ({} bytes, {:?}) walked in {:.0} ms",
                    job.index,
                    job.size,
                    job.compression,
                    now_ms() - t0
                )));
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
            request @ ScanRequest::Assemble { .. }
                if matches!(self.advisories, Advisories::Loading) =>
            {
                self.waiting.push(request);
                return None;
            }
            ScanRequest::Assemble { plan, layers } => {
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
                let scan = scanner_core::assemble(*plan, scans);
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
        ScanEvent::Done {
            report: Box::new(report),
            match_ms: now_ms() - t0,
        }
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
        let keys = bundle::built_in_keys();
        let loaded = result.and_then(|bytes| {
            let len = bytes.len() as u64;
            bundle::read(&bytes, Trust::SignatureRequired(&keys))
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
