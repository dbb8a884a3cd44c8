//! Layers: walking each one's tar stream ([`walk`]), decompressing it ([`decode`]), and squashing
//! them into the final filesystem ([`tree`]).

pub mod decode;
pub mod input;
pub mod tree;
pub mod walk;

pub use tree::{
    squash, squash_with_files, Change, FileChange, FileNode, FileTree, LayerChanges, ResolveError,
};
pub use walk::{
    walk_layer, BodySink, CapturedFile, EntryKind, FileSelector, FoundInFile, LayerEntry,
    LayerScan, NoFiles,
};
