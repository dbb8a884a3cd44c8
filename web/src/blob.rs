//! A [`BlockSource`] over a `Blob` (a dropped `File`), read synchronously in a worker.
//!
//! Each `FileReaderSync` call costs milliseconds whatever its size, which is why scanner-core's
//! `ChunkedReader` sits on top and asks for large chunks.

use std::io;

use js_sys::Uint8Array;
use scanner_core::source::reader::BlockSource;
use web_sys::{Blob, FileReaderSync};

pub struct BlobSource {
    blob: Blob,
    reader: FileReaderSync,
    len: u64,
}

impl BlobSource {
    /// Fails outside a worker (`FileReaderSync` exists only there).
    pub fn new(blob: Blob) -> io::Result<Self> {
        let reader = FileReaderSync::new().map_err(|e| js_error("FileReaderSync", &e))?;
        let len = blob.size() as u64;
        Ok(BlobSource { blob, reader, len })
    }
}

fn js_error(what: &str, e: &wasm_bindgen::JsValue) -> io::Error {
    let detail = js_sys::Error::from(e.clone())
        .message()
        .as_string()
        .unwrap_or_else(|| format!("{e:?}"));
    io::Error::other(format!("{what}: {detail}"))
}

impl BlockSource for BlobSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let end = offset.saturating_add(buf.len() as u64).min(self.len);
        let slice = self
            .blob
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(|e| js_error("Blob.slice", &e))?;
        let bytes = self
            .reader
            .read_as_array_buffer(&slice)
            .map_err(|e| js_error("reading the file (was it moved or deleted?)", &e))?;
        let array = Uint8Array::new(&bytes);
        let n = (array.length() as usize).min(buf.len());
        array.subarray(0, n as u32).copy_to(&mut buf[..n]);
        Ok(n)
    }
}
