//! Messages between the page and its scan workers.
//!
//! A scan is planned by one worker (outer index, manifest, config), its layers are walked by all
//! workers of the pool in parallel, and the walked layers are assembled by one worker. Walked
//! layers travel as opaque bincode bytes (a `Uint8Array`), which the page only forwards.

use scanner_core::advisory::bundle::Header;
use scanner_core::{ImagePlan, LayerJob, Limits, Progress, Report};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;
use wasm_bindgen::JsValue;

/// Page → worker.
#[derive(Debug, Serialize, Deserialize)]
pub enum ScanRequest {
    /// Index the archive and read its manifest and config. An archive compressed as a whole is
    /// scanned completely instead (answered with `Done`).
    Plan {
        /// The dropped file, carried as the JS object itself (`postMessage` clones the handle,
        /// not the bytes), hence `preserve`.
        #[serde(with = "serde_wasm_bindgen::preserve")]
        file: web_sys::File,
        image: Option<String>,
        limits: Limits,
    },
    /// Walk one layer.
    Layer {
        #[serde(with = "serde_wasm_bindgen::preserve")]
        file: web_sys::File,
        job: LayerJob,
        limits: Limits,
        /// Read the layer through `Blob.stream()` where the worker can (see `stream.rs`);
        /// false makes it use `FileReaderSync` (the page's `?reads=sync`).
        stream: bool,
    },
    /// Fetch, verify and load the advisory bundle at `url` (sent once, to the worker that
    /// assembles reports; it keeps the bundle for every later scan), then ask `manifest_url`
    /// whether a newer one is published and, if so, download, verify and switch to it.
    LoadBundle { url: String, manifest_url: String },
    /// Reopen a share link (the URL fragment) against the loaded bundle.
    OpenLink { fragment: String },
    /// Reopen a report file (our JSON report) against the loaded bundle.
    OpenReport {
        #[serde(with = "serde_wasm_bindgen::preserve")]
        file: web_sys::File,
    },
    /// Squash walked layers (bincode `LayerScan`s, in layer order) into the report, and match
    /// its packages against the loaded bundle.
    Assemble {
        plan: Box<ImagePlan>,
        layers: Vec<ByteBuf>,
        /// The scan's limits, as its layers were walked with (assembly follows symlinks).
        limits: Limits,
    },
}

/// Worker → page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ScanEvent {
    /// The worker has loaded its code and listens; the page holds messages until then.
    Ready,
    Progress(Progress),
    /// Layer `index` has been read up to `done` bytes of its blob (of the plan's `size`).
    LayerProgress {
        index: usize,
        done: u64,
    },
    Planned {
        plan: Box<ImagePlan>,
    },
    LayerDone {
        index: usize,
        /// bincode-encoded `LayerScan`.
        scan: ByteBuf,
    },
    Done {
        report: Box<Report>,
        /// Time spent matching packages against the bundle.
        match_ms: f64,
        /// Set when the report was reopened from a link or a file rather than scanned.
        reopened: Option<Reopened>,
        /// The report's `layer_files`, bincode-encoded: tens of thousands of small records
        /// travel far faster as one byte array than as JS objects.
        layer_files: ByteBuf,
    },
    /// The advisory bundle is loaded and verified.
    BundleLoaded {
        header: Box<Header>,
        /// Download (or cache read) time.
        fetch_ms: f64,
        /// Verify (hashes, signature) + decompress + decode + structure check.
        load_ms: f64,
        bytes: u64,
        /// True when this replaces the bundle loaded before (a newer one was published).
        updated: bool,
    },
    /// The outcome of looking for a newer bundle: `current`, `offline` or `rejected`.
    BundleCheck {
        status: String,
        message: String,
    },
    /// There is no usable bundle; scans still run, without findings.
    BundleFailed {
        message: String,
    },
    Failed {
        code: String,
        message: String,
        hint: String,
    },
}

/// Where a reopened report came from, and how its findings changed since.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reopened {
    /// `link` or `file`.
    pub source: String,
    pub changes: scanner_core::share::Changes,
}

/// Encodes a worker message as a plain JS value with serde-wasm-bindgen, so a `File` can travel
/// inside it (structured clone copies the handle, not the bytes).
pub fn encode<T: Serialize>(message: &T) -> Result<JsValue, String> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    message
        .serialize(&serializer)
        .map_err(|e| format!("cannot encode a worker message: {e}"))
}

/// Decodes a message posted by the other side. Both ends are built from the same source, so a
/// failure here is a bug (or a stale cached worker), reported, never a panic.
pub fn decode<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| format!("cannot decode a worker message: {e}"))
}
