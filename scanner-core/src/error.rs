//! The one error type for an image that cannot be read at all.
//!
//! Every variant's `Display` says what is wrong, in words a user understands; [`ImageError::hint`]
//! says what to do about it. Problems that leave the rest of the image usable are not errors but
//! warnings in the summary.

use thiserror::Error;

/// Why an image archive could not be read.
#[derive(Debug, Error)]
pub enum ImageError {
    #[error("the file is empty")]
    Empty,

    #[error("this is not an image archive: {detail}")]
    NotTar { detail: String },

    #[error("this file is {compression}-compressed as a whole, not a plain tar archive")]
    CompressedArchive { compression: &'static str },

    #[error(
        "the archive is truncated: `{entry}` needs {needed} bytes but the file ends after {available}"
    )]
    Truncated {
        entry: String,
        needed: u64,
        available: u64,
    },

    #[error("the archive is damaged: the tar header at byte {offset} is not valid ({detail})")]
    CorruptHeader { offset: u64, detail: String },

    #[error("this tar file holds neither `manifest.json` nor `index.json`, so it is not a container image archive")]
    NoManifest,

    #[error("`{file}` in the archive is not valid: {detail}")]
    BadManifest { file: String, detail: String },

    #[error("the image refers to `{what}`, which is missing from the archive")]
    MissingBlob { what: String },

    #[error("no image named `{requested}` in this archive (it holds: {available})")]
    ImageNotFound {
        requested: String,
        available: String,
    },

    #[error("`{file}` is {size} bytes, more than the {limit}-byte limit for such a file")]
    TooLarge { file: String, size: u64, limit: u64 },

    #[error("the archive has more than {limit} entries, more than any image archive needs")]
    TooManyEntries { limit: usize },

    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
}

impl ImageError {
    /// What the user can do about it, as one sentence.
    pub fn hint(&self) -> &'static str {
        match self {
            ImageError::Empty | ImageError::NotTar { .. } | ImageError::NoManifest => {
                "Choose an image archive: create one with `docker save IMAGE -o image.tar`, \
                 `podman save`, or `skopeo copy docker://IMAGE oci-archive:image.tar`."
            }
            ImageError::CompressedArchive { .. } => {
                "Decompress it first (for example `gunzip image.tar.gz`), or save the image \
                 uncompressed with `docker save IMAGE -o image.tar`."
            }
            ImageError::Truncated { .. } | ImageError::CorruptHeader { .. } => {
                "The file was probably cut short or damaged while copying or downloading; \
                 export the image again with `docker save IMAGE -o image.tar`."
            }
            ImageError::BadManifest { .. } | ImageError::MissingBlob { .. } => {
                "The archive was not written completely or by a tool we do not know; \
                 export the image again with `docker save` or `skopeo copy`."
            }
            ImageError::ImageNotFound { .. } => "Pick one of the images the archive holds.",
            ImageError::TooLarge { .. } | ImageError::TooManyEntries { .. } => {
                "This does not look like a real image archive; check that you chose the right file."
            }
            ImageError::Io(_) => "Check that the file is still there and readable, then try again.",
        }
    }

    /// A short, stable machine-readable code, used in JSON output and by the page.
    pub fn code(&self) -> &'static str {
        match self {
            ImageError::Empty => "empty",
            ImageError::NotTar { .. } => "not_tar",
            ImageError::CompressedArchive { .. } => "compressed_archive",
            ImageError::Truncated { .. } => "truncated",
            ImageError::CorruptHeader { .. } => "corrupt_header",
            ImageError::NoManifest => "no_manifest",
            ImageError::BadManifest { .. } => "bad_manifest",
            ImageError::MissingBlob { .. } => "missing_blob",
            ImageError::ImageNotFound { .. } => "image_not_found",
            ImageError::TooLarge { .. } => "too_large",
            ImageError::TooManyEntries { .. } => "too_many_entries",
            ImageError::Io(_) => "io",
        }
    }
}
