//! tarsier's browser glue: the messages between the page and its scan worker, the codec that
//! carries them, the worker itself, and the `Blob` reader that gives scanner-core its
//! `Read + Seek`.
//!
//! No scanning logic lives here. The page never reads image bytes: it posts the dropped `File`
//! (a handle, structured-cloned, not the bytes) to the worker, which reads slices of it
//! synchronously with `FileReaderSync` and runs scanner-core.

pub mod blob;
pub mod pool;
pub mod protocol;
pub mod stream;
pub mod worker;

pub use protocol::{Reopened, ScanEvent, ScanRequest};
pub use worker::ScanWorker;
