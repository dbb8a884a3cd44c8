//! The scan worker: receives a [`ScanRequest`], runs scanner-core over the file, and streams
//! [`ScanEvent`]s back (progress, then the result or a failure).

use gloo_worker::{HandlerId, Worker, WorkerScope};
use scanner_core::source::reader::{ChunkSizes, ChunkedReader};
use scanner_core::{InspectOptions, Progress, Stage};
use wasm_bindgen::JsCast;

use crate::blob::BlobSource;
use crate::protocol::{ScanEvent, ScanRequest};

pub struct ScanWorker;

fn now_ms() -> f64 {
    js_sys::global()
        .dyn_into::<web_sys::DedicatedWorkerGlobalScope>()
        .ok()
        .and_then(|g| g.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
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
        let started = now_ms();
        let source = match BlobSource::new(request.file.into()) {
            Ok(s) => s,
            Err(e) => {
                scope.respond(
                    id,
                    ScanEvent::Failed {
                        code: "io".into(),
                        message: format!("could not read the file: {e}"),
                        hint: "Try again, or use a current version of Chrome, Edge or Firefox."
                            .into(),
                    },
                );
                return;
            }
        };
        let mut reader = ChunkedReader::new(source, ChunkSizes::BROWSER);
        let options = InspectOptions {
            image: request.image,
        };
        // Post at most one progress message per stage change or whole percent.
        let mut last: Option<(Stage, u32)> = None;
        let mut on_progress = |p: Progress| {
            let percent = (p.overall_fraction() * 100.0) as u32;
            if last != Some((p.stage, percent)) {
                last = Some((p.stage, percent));
                scope.respond(id, ScanEvent::Progress(p));
            }
        };
        let event = match scanner_core::inspect(&mut reader, &options, &mut on_progress) {
            Ok(summary) => ScanEvent::Done {
                summary: Box::new(summary),
                elapsed_ms: now_ms() - started,
            },
            Err(e) => ScanEvent::Failed {
                code: e.code().into(),
                message: e.to_string(),
                hint: e.hint().into(),
            },
        };
        scope.respond(id, event);
    }
}
