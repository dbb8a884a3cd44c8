//! Decompression of layer blobs, chosen by magic bytes: gzip (multi-member, so eStargz's many
//! members are all read) and zstd (every frame; skippable frames skipped; ruzstd refuses windows
//! over 100 MB), both pure Rust so they build for wasm32.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;
use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

/// Input buffer for decompressors: large enough that the browser's per-read cost disappears.
const INPUT_BUFFER: usize = 1 << 20;

/// Output buffer after a decompressor: the tar walk reads 512-byte headers, and asking a
/// decompressor for 512 bytes at a time costs far more than one large call.
const OUTPUT_BUFFER: usize = 256 * 1024;

/// A gzip decoder over every member of the stream.
pub fn gzip<R: Read>(inner: R) -> impl Read {
    BufReader::with_capacity(
        OUTPUT_BUFFER,
        MultiGzDecoder::new(BufReader::with_capacity(INPUT_BUFFER, inner)),
    )
}

/// A zstd decoder over every frame of the stream.
pub fn zstd<R: Read>(inner: R) -> impl Read {
    BufReader::with_capacity(
        OUTPUT_BUFFER,
        ZstdFrames {
            source: BufReader::with_capacity(INPUT_BUFFER, inner),
            decoder: FrameDecoder::new(),
            in_frame: false,
        },
    )
}

pub struct ZstdFrames<R: Read> {
    source: BufReader<R>,
    decoder: FrameDecoder,
    in_frame: bool,
}

impl<R: Read> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if self.source.fill_buf()?.is_empty() {
                    return Ok(0);
                }
                match self.decoder.init(&mut self.source) {
                    Ok(()) => self.in_frame = true,
                    Err(FrameDecoderError::ReadFrameHeaderError(
                        ReadFrameHeaderError::SkipFrame { length, .. },
                    )) => {
                        let skipped = io::copy(
                            &mut (&mut self.source).take(u64::from(length)),
                            &mut io::sink(),
                        )?;
                        if skipped < u64::from(length) {
                            return Err(io::ErrorKind::UnexpectedEof.into());
                        }
                        continue;
                    }
                    Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
                }
            }
            while self.decoder.can_collect() < buf.len() && !self.decoder.is_finished() {
                let need = buf.len() - self.decoder.can_collect();
                self.decoder
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBytes(need))
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            }
            let n = self.decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if self.decoder.is_finished() && self.decoder.can_collect() == 0 {
                self.in_frame = false; // next frame, if any
            }
        }
    }
}
