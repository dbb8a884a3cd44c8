//! Limits that keep hostile input from costing unbounded time or memory. Every one has a
//! documented default and a CLI flag. Each is the most allowed (exactly the limit is fine), and
//! hitting one is a warning in the report, never a silent loss: the layer walk
//! (`layer::walk_layer`, on every path: seekable, streamed, in the browser worker) applies the
//! per-layer ones, assembly (`assemble`) the link depth.

use serde::{Deserialize, Serialize};

/// Bounds on what one scan may read and keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Most tar entries read from one layer (default 1,000,000). Past it the layer's remaining
    /// entries are dropped with a warning. GNU long-name and PAX records belong to the entry
    /// they describe and are not counted (the byte limit bounds them).
    pub max_entries_per_layer: u64,
    /// Most uncompressed bytes read from one layer (default 16 GiB): stops decompression bombs.
    /// An entry whose header or padded body ends past it stops the walk.
    pub max_layer_bytes: u64,
    /// Largest single file whose bytes an extractor may capture (default 64 MiB).
    pub max_captured_file: u64,
    /// Most captured bytes per layer (default 512 MiB). A hard link to a captured file is a copy
    /// and counts again.
    pub max_captured_total: u64,
    /// Most symlinks followed while resolving one path in the image tree (default 40, as Linux).
    /// A longer chain (or a cycle) leaves the path unread, with a warning naming it.
    pub max_link_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries_per_layer: 1_000_000,
            max_layer_bytes: 16 << 30,
            max_captured_file: 64 << 20,
            max_captured_total: 512 << 20,
            max_link_depth: 40,
        }
    }
}
