//! Messages between the page and its scan workers.
//!
//! A scan is planned by one worker (outer index, manifest, config), its layers are walked by all
//! workers of the pool in parallel, and the walked layers are assembled by one worker. Walked
//! layers travel as opaque bincode bytes (a `Uint8Array`), which the page only forwards.

use gloo_worker::Codec;
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
    },
    /// Fetch, verify and load the advisory bundle at `url` (sent once, to the worker that
    /// assembles reports; it keeps the bundle for every later scan).
    LoadBundle { url: String },
    /// Squash walked layers (bincode `LayerScan`s, in layer order) into the report, and match
    /// its packages against the loaded bundle.
    Assemble {
        plan: Box<ImagePlan>,
        layers: Vec<ByteBuf>,
    },
}

/// Worker → page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ScanEvent {
    Progress(Progress),
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
    },
    /// The advisory bundle is loaded and verified.
    BundleLoaded {
        header: Box<Header>,
        /// Download (or cache read) time.
        fetch_ms: f64,
        /// Verify (hashes, signature) + decompress + decode + structure check.
        load_ms: f64,
        bytes: u64,
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

/// Encodes worker messages as plain JS values with serde-wasm-bindgen, so a `File` can travel
/// inside them (gloo-worker's default bincode codec can only carry bytes).
#[derive(Debug)]
pub struct JsCodec;

impl Codec for JsCodec {
    fn encode<I: Serialize>(input: I) -> JsValue {
        let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
        match input.serialize(&serializer) {
            Ok(v) => v,
            Err(e) => {
                // Our own message types always serialise; if one ever does not, say so loudly
                // in the console instead of posting garbage.
                web_sys::console::error_1(&JsValue::from_str(&format!(
                    "tarsier: cannot encode a worker message: {e}"
                )));
                JsValue::NULL
            }
        }
    }

    fn decode<O: for<'de> Deserialize<'de>>(input: JsValue) -> O {
        match serde_wasm_bindgen::from_value(input) {
            Ok(v) => v,
            // gloo-worker's Codec cannot return an error; a message we cannot decode is a bug in
            // this crate (both ends are built from the same source), never user input.
            Err(e) => panic!("tarsier: cannot decode a worker message: {e}"),
        }
    }
}
