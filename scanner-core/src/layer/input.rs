//! How a layer's tar stream is read: straight from the archive (uncompressed layers, where bodies
//! nobody wants are skipped with a seek) or through a decompressor (where skipping means reading).

use std::io::{self, Read, Seek, SeekFrom};

/// A layer's uncompressed tar stream.
pub trait LayerInput: Read {
    /// Moves `n` bytes forward without handing them to anyone.
    fn skip(&mut self, n: u64) -> io::Result<()>;
    /// Uncompressed bytes consumed so far.
    fn position(&self) -> u64;
}

/// An uncompressed layer: a window `[start, start + len)` of a seekable archive.
pub struct WindowInput<R> {
    inner: R,
    start: u64,
    len: u64,
    pos: u64,
}

impl<R: Read + Seek> WindowInput<R> {
    pub fn new(mut inner: R, start: u64, len: u64) -> io::Result<Self> {
        inner.seek(SeekFrom::Start(start))?;
        Ok(WindowInput {
            inner,
            start,
            len,
            pos: 0,
        })
    }
}

impl<R: Read + Seek> Read for WindowInput<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len - self.pos;
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = self.inner.read(&mut buf[..want])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> LayerInput for WindowInput<R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let to = self.pos.saturating_add(n).min(self.len);
        self.inner.seek(SeekFrom::Start(self.start + to))?;
        // Skipping past the window's end stops at the end; the caller sees the shortfall in
        // `position()`.
        self.pos = to;
        Ok(())
    }

    fn position(&self) -> u64 {
        self.pos
    }
}

/// A stream that can only be read forward (a decompressor, or a whole-archive stream).
pub struct StreamInput<R> {
    inner: R,
    pos: u64,
    /// Scratch space for skipping: large, so a decompressor is asked for big pieces.
    scratch: Vec<u8>,
}

impl<R: Read> StreamInput<R> {
    pub fn new(inner: R) -> Self {
        StreamInput {
            inner,
            pos: 0,
            scratch: Vec::new(),
        }
    }
}

impl<R: Read> Read for StreamInput<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read> LayerInput for StreamInput<R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        if self.scratch.is_empty() {
            self.scratch = vec![0u8; 256 * 1024];
        }
        let mut left = n;
        while left > 0 {
            let want = self
                .scratch
                .len()
                .min(usize::try_from(left).unwrap_or(usize::MAX));
            let got = match self.inner.read(&mut self.scratch[..want]) {
                Ok(0) => break,
                Ok(got) => got,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            left -= got as u64;
            self.pos += got as u64;
        }
        Ok(())
    }

    fn position(&self) -> u64 {
        self.pos
    }
}
