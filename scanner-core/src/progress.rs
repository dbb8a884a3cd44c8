//! Progress reporting: the core calls a caller-supplied closure; the CLI ignores it or draws a
//! bar, the web worker forwards it to the page.

use serde::{Deserialize, Serialize};

/// What the scanner is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Walking the outer archive's tar headers (`done`/`total` are bytes of the archive).
    Indexing,
    /// Reading `manifest.json` / `index.json` and the image manifest.
    ReadingManifest,
    /// Reading the image config.
    ReadingConfig,
    /// Looking at each layer's first bytes (`done`/`total` are layers).
    InspectingLayers,
    /// Walking layer contents (`done`/`total` are bytes of layer blobs).
    ScanningLayers,
    /// Finished.
    Done,
}

impl Stage {
    /// A short English label for progress displays.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Indexing => "Indexing archive",
            Stage::ReadingManifest => "Reading manifest",
            Stage::ReadingConfig => "Reading image config",
            Stage::InspectingLayers => "Inspecting layers",
            Stage::ScanningLayers => "Reading layers",
            Stage::Done => "Done",
        }
    }
}

/// One progress report. `done <= total` always holds; `total` may be 0 when unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
}

impl Progress {
    pub fn new(stage: Stage, done: u64, total: u64) -> Self {
        Progress {
            stage,
            done: done.min(total),
            total,
        }
    }

    /// Fraction done in `0.0..=1.0` across all stages, for a single progress bar.
    pub fn overall_fraction(&self) -> f64 {
        let within = if self.total == 0 {
            0.0
        } else {
            self.done as f64 / self.total as f64
        };
        // Indexing dominates the time on real archives (it touches the whole file), so it gets
        // most of the bar.
        let (start, width) = match self.stage {
            Stage::Indexing => (0.0, 0.1),
            Stage::ReadingManifest => (0.1, 0.02),
            Stage::ReadingConfig => (0.12, 0.02),
            Stage::InspectingLayers => (0.14, 0.01),
            Stage::ScanningLayers => (0.15, 0.85),
            Stage::Done => (1.0, 0.0),
        };
        (start + width * within).clamp(0.0, 1.0)
    }
}
