//! scanner-core: everything tarsier knows about container images, as a plain synchronous library.
//!
//! The same code runs in a browser web worker (compiled to `wasm32-unknown-unknown`) and natively in
//! the `tarsier` CLI and the tests, so it keeps to a few rules:
//!
//! - Input is any `Read + Seek`. No `std::fs`, no threads, no clock, no randomness in here: the web
//!   worker hands us a `Blob` behind [`source::reader::ChunkedReader`], the CLI a file.
//! - Reading is random access. A `docker save` tarball writes `manifest.json` *last*, so the outer
//!   archive is first indexed with a header-only pass that seeks past every body
//!   ([`source::tar_index`]); manifests and configs are then read by offset.
//! - Untrusted input never panics, hangs or allocates without bound: sizes are checked against
//!   explicit limits before anything is read, and every failure becomes an [`ImageError`] whose
//!   message says what is wrong and whose [`ImageError::hint`] says what the user can do.
//!
//! The entry point today is [`inspect`], which produces an [`ImageSummary`]: archive format, tags,
//! config digest, platform, layers and history.

pub mod advisory;
pub mod distro;
pub mod ecosystem;
pub mod error;
pub mod export;
pub mod extract;
pub mod inventory;
pub mod layer;
pub mod limits;
pub mod matcher;
pub mod progress;
pub mod report;
pub mod scan;
pub mod share;
pub mod source;
pub mod summary;
pub mod version;

pub use distro::Distro;
pub use error::ImageError;
pub use inventory::Package;
pub use limits::Limits;
pub use progress::{Progress, Stage};
pub use report::{FileRecord, Report};
pub use scan::{assemble, scan_image, scan_layer, ImageScan};
pub use source::{inspect, plan, Compression, ImagePlan, InspectOptions, LayerJob};
pub use summary::{ArchiveFormat, HistoryEntry, ImageSummary, LayerInfo};
