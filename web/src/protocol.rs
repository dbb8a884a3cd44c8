//! Messages between the page and the scan worker.

use gloo_worker::Codec;
use scanner_core::{ImageSummary, Progress};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// Page → worker: scan this file.
#[derive(Debug, Serialize, Deserialize)]
pub struct ScanRequest {
    /// The dropped file. Carried as the JS object itself (`postMessage` clones the handle, not
    /// the bytes), hence `preserve`.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub file: web_sys::File,
    /// Which image to read when the archive holds several.
    pub image: Option<String>,
}

/// Worker → page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ScanEvent {
    Progress(Progress),
    Done {
        summary: Box<ImageSummary>,
        /// Wall time of the scan inside the worker, in milliseconds.
        elapsed_ms: f64,
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
                web_sys_log(&format!("tarsier: cannot encode a worker message: {e}"));
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

fn web_sys_log(msg: &str) {
    web_sys::console::error_1(&JsValue::from_str(msg));
}
