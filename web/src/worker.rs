//! The scan worker: plans a scan, walks layers, or assembles walked layers, as asked. The worker
//! that assembles also holds the advisory bundle, loaded once, and matches every report.

use gloo_worker::{HandlerId, Worker, WorkerScope};
use scanner_core::advisory::bundle::{self, Header, Trust};
use scanner_core::advisory::db::AdvisoryDb;
use scanner_core::extract::Selector;
use scanner_core::layer::LayerScan;
use scanner_core::source::reader::{ChunkSizes, ChunkedReader};
use scanner_core::{ImageError, InspectOptions, Progress, Report, Stage};
use serde_bytes::ByteBuf;
use wasm_bindgen::{JsCast, JsValue};

use crate::blob::BlobSource;
use crate::protocol::{ScanEvent, ScanRequest};

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
    waiting: Vec<(ScanRequest, HandlerId)>,
}

/// Results of asynchronous work, delivered back to the worker.
pub enum WorkerMessage {
    Fetched {
        id: HandlerId,
        result: Result<Vec<u8>, String>,
        fetch_ms: f64,
    },
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
    fn handle(&mut self, scope: &WorkerScope<Self>, request: ScanRequest, id: HandlerId) {
        let event = match request {
            ScanRequest::LoadBundle { url } => {
                self.advisories = Advisories::Loading;
                let t0 = now_ms();
                scope.send_future(async move {
                    let result = fetch_bytes(url).await;
                    WorkerMessage::Fetched {
                        id,
                        result,
                        fetch_ms: now_ms() - t0,
                    }
                });
                return;
            }
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
                        scope.respond(id, ScanEvent::Progress(p));
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
                                    Ok(scan) => self.finish(Report::from_scan(&scan, false)),
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
                    Ok(mut reader) => {
                        scanner_core::scan_layer(&mut reader, &job, &limits, &Selector::default())
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
                self.waiting.push((request, id));
                return;
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
                self.finish(Report::from_scan(&scan, false))
            }
        };
        scope.respond(id, event);
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

impl Worker for ScanWorker {
    type Message = WorkerMessage;
    type Input = ScanRequest;
    type Output = ScanEvent;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        ScanWorker {
            advisories: Advisories::None,
            waiting: Vec::new(),
        }
    }

    fn update(&mut self, scope: &WorkerScope<Self>, msg: WorkerMessage) {
        let WorkerMessage::Fetched {
            id,
            result,
            fetch_ms,
        } = msg;
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
        scope.respond(id, event);
        for (request, id) in std::mem::take(&mut self.waiting) {
            self.handle(scope, request, id);
        }
    }

    fn received(&mut self, scope: &WorkerScope<Self>, request: ScanRequest, id: HandlerId) {
        self.handle(scope, request, id);
    }
}
