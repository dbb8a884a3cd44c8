//! The tarsier page: a drop zone, scan progress, and the image summary.
//!
//! UI only. The dropped `File` goes straight to the scan worker; this thread never reads image
//! bytes.

use std::sync::Arc;

use gloo_worker::Spawnable;
use leptos::prelude::*;
use scanner_core::{ImageSummary, Progress};
use tarsier_web::{JsCodec, ScanEvent, ScanRequest, ScanWorker};
use wasm_bindgen::JsCast;

mod view;

/// Where the page is in its one job.
#[derive(Clone)]
pub enum Phase {
    Idle,
    Scanning {
        file_name: String,
        file_size: u64,
        progress: Option<Progress>,
    },
    Done {
        file_name: String,
        summary: Arc<ImageSummary>,
        elapsed_ms: f64,
    },
    Failed {
        file_name: String,
        message: String,
        hint: String,
    },
}

#[component]
fn App() -> impl IntoView {
    let phase = RwSignal::new(Phase::Idle);
    let dragging = RwSignal::new(false);
    let input_ref: NodeRef<leptos::html::Input> = NodeRef::new();

    // One worker for the page's lifetime, spawned up front so it has loaded by the first drop.
    let bridge = ScanWorker::spawner()
        .encoding::<JsCodec>()
        .callback(move |event: ScanEvent| match event {
            ScanEvent::Progress(p) => phase.update(|ph| {
                if let Phase::Scanning { progress, .. } = ph {
                    *progress = Some(p);
                }
            }),
            ScanEvent::Done {
                summary,
                elapsed_ms,
            } => phase.update(|ph| {
                let file_name = match ph {
                    Phase::Scanning { file_name, .. } => std::mem::take(file_name),
                    _ => String::new(),
                };
                *ph = Phase::Done {
                    file_name,
                    summary: Arc::from(summary),
                    elapsed_ms,
                };
            }),
            ScanEvent::Failed { message, hint, .. } => phase.update(|ph| {
                let file_name = match ph {
                    Phase::Scanning { file_name, .. } => std::mem::take(file_name),
                    _ => String::new(),
                };
                *ph = Phase::Failed {
                    file_name,
                    message,
                    hint,
                };
            }),
        })
        .as_module(false)
        .spawn("./worker.js");
    let bridge = StoredValue::new_local(bridge);

    let start_scan = move |file: web_sys::File| {
        if matches!(phase.get_untracked(), Phase::Scanning { .. }) {
            return;
        }
        phase.set(Phase::Scanning {
            file_name: file.name(),
            file_size: file.size() as u64,
            progress: None,
        });
        bridge.with_value(|b| b.send(ScanRequest { file, image: None }));
    };

    let on_change = move |_| {
        let Some(input) = input_ref.get() else { return };
        if let Some(file) = input.files().and_then(|list| list.get(0)) {
            start_scan(file);
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
            start_scan(file);
        }
    };
    let on_dragover = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(true);
    };
    let on_dragleave = move |_ev: web_sys::DragEvent| dragging.set(false);
    let scanning = move || matches!(phase.get(), Phase::Scanning { .. });
    let compact = move || matches!(phase.get(), Phase::Done { .. });

    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="./">
                    <img src="icons/icon.svg" alt="" width="32" height="32"/>
                    <span class="brand-name">"tarsier"</span>
                </a>
                <span class="privacy" title="The image is read by WebAssembly inside this tab.">
                    <span class="lock" aria-hidden="true"></span>
                    "Runs in your browser · nothing is uploaded"
                </span>
            </header>
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
                        <h1>"Drop a container image archive"</h1>
                        <p class="muted">
                            "A " <code>"docker save"</code> " tarball or an OCI archive (.tar). "
                            "It never leaves this computer."
                        </p>
                    </div>
                    <label class="button" for="file-input">"Choose file…"</label>
                    <input
                        id="file-input"
                        type="file"
                        class="visually-hidden"
                        accept=".tar,application/x-tar,application/octet-stream"
                        node_ref=input_ref
                        on:change=on_change
                        disabled=scanning
                    />
                </section>
                {move || view::phase_view(phase.get())}
            </main>
            <footer class="footer muted">
                "tarsier reads the image with Rust compiled to WebAssembly, in a web worker. "
                "No request carries your image anywhere."
            </footer>
        </div>
    }
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
    leptos::mount::mount_to_body(App);
}
