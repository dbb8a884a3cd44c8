//! The scan worker: plans a scan, walks layers, or assembles walked layers, as asked.

use gloo_worker::{HandlerId, Worker, WorkerScope};
use scanner_core::extract::Selector;
use scanner_core::layer::LayerScan;
use scanner_core::source::reader::{ChunkSizes, ChunkedReader};
use scanner_core::{ImageError, InspectOptions, Progress, Report, Stage};
use serde_bytes::ByteBuf;

use crate::blob::BlobSource;
use crate::protocol::{ScanEvent, ScanRequest};

pub struct ScanWorker;

fn now_ms() -> f64 {
    use wasm_bindgen::JsCast;
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

impl Worker for ScanWorker {
    type Message = ();
    type Input = ScanRequest;
    type Output = ScanEvent;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        ScanWorker
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: ()) {}

    fn received(&mut self, scope: &WorkerScope<Self>, request: ScanRequest, id: HandlerId) {
        let event = match request {
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
                                    Ok(scan) => ScanEvent::Done {
                                        report: Box::new(Report::from_scan(&scan, false)),
                                    },
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
                web_sys::console::debug_1(&wasm_bindgen::JsValue::from_str(&format!(
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
                ScanEvent::Done {
                    report: Box::new(Report::from_scan(&scan, false)),
                }
            }
        };
        scope.respond(id, event);
    }
}
