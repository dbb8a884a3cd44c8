//! Streamed layer reads: a [`BlockSource`] over `Blob.stream()`, for browsers with JavaScript
//! Promise Integration (JSPI: `WebAssembly.Suspending` and `WebAssembly.promising`, Chromium
//! 137 and later).
//!
//! Why: a `FileReaderSync` call costs about 2 ms whatever its size and copies at 3–4 ms per MB,
//! while a `Blob` stream delivers about 650 MB/s to one worker and scales to two (measured in
//! headless Chromium 148 on the 294 MB sample image: 0.9 s to read it all with 16 MB
//! `FileReaderSync` chunks, 0.45 s streamed in one worker, 0.34 s in two). A stream can only
//! be read asynchronously, and the layer walker is synchronous code over `Read`; JSPI bridges
//! the two. `static/worker-loader.js` wraps the `tarsierStreamRead` import in
//! `WebAssembly.Suspending`, so a call suspends the walk until the bytes are in wasm memory,
//! and starts walks through `WebAssembly.promising(tarsier_walk_pending)`, from the event loop
//! with no wasm frame beneath it (a suspended walk's shadow stack must never be popped under
//! it). One walk runs at a time per worker: the page sends a worker its next layer only after
//! the last one is done.
//!
//! Without JSPI (Firefox, Safari today) or when the page asks for synchronous reads (`?reads=
//! sync`, for tests and benchmarks), layers are read with `FileReaderSync` as before.

use std::cell::RefCell;
use std::io;

use scanner_core::source::reader::BlockSource;
use scanner_core::{LayerJob, Limits};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Reads up to `len` bytes of `file` at `offset` (never past `end`) into wasm memory at
    /// `ptr`; resolves to the count, 0 at the end, or -1 on an error (`tarsierStreamError`
    /// says which). Defined in static/worker-loader.js, wrapped in `WebAssembly.Suspending`.
    #[wasm_bindgen(js_name = tarsierStreamRead)]
    fn stream_read(file: &web_sys::Blob, offset: f64, end: f64, ptr: u32, len: u32) -> f64;
    /// The last stream error's message.
    #[wasm_bindgen(js_name = tarsierStreamError)]
    fn stream_error() -> String;
    /// Cancels the open stream, if any.
    #[wasm_bindgen(js_name = tarsierStreamClose)]
    fn stream_close();
    /// True when the loader set up JSPI and found this module's import and export: layer walks
    /// can stream.
    #[wasm_bindgen(js_name = tarsierStreams)]
    pub fn available() -> bool;
    /// Runs `tarsier_walk_pending` from the event loop, through `WebAssembly.promising`.
    #[wasm_bindgen(js_name = tarsierWalkLater)]
    fn walk_later();
}

/// Layer bytes `[start, end)` of a `Blob`, read through one stream while reads are sequential
/// (the loader reopens it for a backward read or a forward gap of more than 8 MiB).
pub struct StreamSource {
    blob: web_sys::Blob,
    end: u64,
}

impl StreamSource {
    pub fn new(blob: web_sys::Blob, end: u64) -> Self {
        let end = end.min(blob.size() as u64);
        StreamSource { blob, end }
    }
}

impl Drop for StreamSource {
    fn drop(&mut self) {
        stream_close();
    }
}

impl BlockSource for StreamSource {
    fn len(&self) -> u64 {
        self.end
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.end || buf.is_empty() {
            return Ok(0);
        }
        let len = buf.len().min(u32::MAX as usize) as u32;
        let n = stream_read(
            &self.blob,
            offset as f64,
            self.end as f64,
            buf.as_mut_ptr() as u32,
            len,
        );
        if n < 0.0 || !n.is_finite() {
            return Err(io::Error::other(format!(
                "reading the file (was it moved or deleted?): {}",
                stream_error()
            )));
        }
        Ok((n as usize).min(buf.len()))
    }
}

/// The layer walk waiting for `tarsier_walk_pending`.
pub struct Pending {
    pub file: web_sys::File,
    pub job: LayerJob,
    pub limits: Limits,
}

thread_local! {
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
}

/// Queues a layer walk to run streamed, from the event loop.
pub fn walk_streamed(pending: Pending) {
    PENDING.with(|p| *p.borrow_mut() = Some(pending));
    walk_later();
}

/// Runs the queued layer walk and posts its result. Called only by the loader, through
/// `WebAssembly.promising`.
#[wasm_bindgen]
pub fn tarsier_walk_pending() {
    if let Some(p) = PENDING.with(|p| p.borrow_mut().take()) {
        let end = p.job.offset.saturating_add(p.job.size);
        let source = StreamSource::new(p.file.into(), end);
        crate::worker::walk_and_post(source, &p.job, &p.limits);
    }
}
