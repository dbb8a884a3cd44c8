//! Limits that keep hostile input from costing unbounded time or memory. Every one has a
//! documented default and a CLI flag.

use serde::{Deserialize, Serialize};

/// Bounds on what one scan may read and keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Most tar entries read from one layer (default 1,000,000). Past it the layer's remaining
    /// entries are dropped with a warning.
    pub max_entries_per_layer: u64,
    /// Most uncompressed bytes read from one layer (default 16 GiB): stops decompression bombs.
    pub max_layer_bytes: u64,
    /// Largest single file whose bytes an extractor may capture (default 64 MiB).
    pub max_captured_file: u64,
    /// Most captured bytes per layer (default 512 MiB).
    pub max_captured_total: u64,
    /// Most symlinks followed while resolving one path in the image tree (default 40, as Linux).
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
