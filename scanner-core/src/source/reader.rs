//! A `Read + Seek` adapter over any random-access byte source, reading in large chunks.
//!
//! In a browser worker every read of a dropped `File` (`Blob.slice` + `FileReaderSync`) costs
//! 1.5–2.5 ms whatever its size, so reading one tar header per call would take minutes on a real
//! image. [`ChunkedReader`] therefore asks its [`BlockSource`] for big chunks and serves small reads
//! from its buffer. The chunk size adapts: it starts small after a seek (a header-only pass reads
//! 512 bytes and seeks on), and doubles while reads stay sequential, up to a cap (a layer that is
//! streamed in full gets megabyte chunks). A seek inside the buffer costs nothing.

use std::io::{self, Read, Seek, SeekFrom};

/// A byte source with random access and a known length.
///
/// `read_at` may return fewer bytes than asked for (a short read) but returns 0 only at the end.
pub trait BlockSource {
    /// Total length in bytes.
    fn len(&self) -> u64;

    /// True when the source has no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads up to `buf.len()` bytes starting at `offset`.
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;
}

impl BlockSource for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.len());
        let available = &self[start..];
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        Ok(n)
    }
}

/// Chunk sizes for a [`ChunkedReader`].
#[derive(Debug, Clone, Copy)]
pub struct ChunkSizes {
    /// First chunk after a seek.
    pub min: usize,
    /// Largest chunk while reading sequentially.
    pub max: usize,
}

impl ChunkSizes {
    /// Sizes tuned for the browser: 64 KiB after a seek, growing to 4 MiB. Past a few MiB the
    /// per-call cost (about 2 ms) is already small next to the copy (about 4 ms per MiB), and
    /// every worker holds one chunk plus the transient `ArrayBuffer` it came in.
    pub const BROWSER: ChunkSizes = ChunkSizes {
        min: 64 * 1024,
        max: 4 * 1024 * 1024,
    };
    /// Sizes for a streamed `Blob` in the browser: a read costs a suspension and a copy, not
    /// a round trip, so chunks stay small (a skipped body is read through, not fetched).
    pub const STREAM: ChunkSizes = ChunkSizes {
        min: 64 * 1024,
        max: 1024 * 1024,
    };
    /// Sizes for local files: the OS caches, so smaller chunks suffice.
    pub const NATIVE: ChunkSizes = ChunkSizes {
        min: 64 * 1024,
        max: 4 * 1024 * 1024,
    };
}

/// Buffered `Read + Seek` over a [`BlockSource`]; see the module docs.
pub struct ChunkedReader<S> {
    source: S,
    len: u64,
    /// Logical read position.
    pos: u64,
    /// Offset in the source of `buf[0]`.
    buf_start: u64,
    buf: Vec<u8>,
    next_chunk: usize,
    sizes: ChunkSizes,
    /// Number of `read_at` calls made, for tests and benchmarks.
    source_reads: u64,
}

impl<S: BlockSource> ChunkedReader<S> {
    pub fn new(source: S, sizes: ChunkSizes) -> Self {
        let sizes = ChunkSizes {
            min: sizes.min.max(512),
            max: sizes.max.max(sizes.min.max(512)),
        };
        ChunkedReader {
            len: source.len(),
            source,
            pos: 0,
            buf_start: 0,
            buf: Vec::new(),
            next_chunk: sizes.min,
            sizes,
            source_reads: 0,
        }
    }

    /// Length of the underlying source.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when the underlying source is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many times the source was read.
    pub fn source_reads(&self) -> u64 {
        self.source_reads
    }

    /// Gives back the source.
    pub fn into_inner(self) -> S {
        self.source
    }

    fn buf_end(&self) -> u64 {
        self.buf_start + self.buf.len() as u64
    }

    /// Refills the buffer at `self.pos` with one chunk, reading through short reads.
    fn fill(&mut self) -> io::Result<()> {
        // Forward skips shorter than the current chunk (a header-only walk over small files)
        // count as sequential: the chunk keeps growing, so such walks make few large reads.
        let sequential = !self.buf.is_empty()
            && self.pos >= self.buf_end()
            && self.pos - self.buf_end() <= self.next_chunk as u64;
        self.next_chunk = if sequential {
            self.next_chunk.saturating_mul(2).min(self.sizes.max)
        } else {
            self.sizes.min
        };
        let remaining = self.len.saturating_sub(self.pos);
        let want = usize::try_from(remaining)
            .unwrap_or(usize::MAX)
            .min(self.next_chunk);
        self.buf.clear();
        self.buf.resize(want, 0);
        self.buf_start = self.pos;
        let mut filled = 0;
        while filled < want {
            self.source_reads += 1;
            let n = self
                .source
                .read_at(self.pos + filled as u64, &mut self.buf[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        self.buf.truncate(filled);
        Ok(())
    }
}

impl<S: BlockSource> Read for ChunkedReader<S> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() || self.pos >= self.len {
            return Ok(0);
        }
        if self.pos < self.buf_start || self.pos >= self.buf_end() {
            // A caller asking for more than a chunk gets it straight from the source.
            if out.len() >= self.sizes.max {
                self.source_reads += 1;
                let n = self.source.read_at(self.pos, out)?;
                self.pos += n as u64;
                return Ok(n);
            }
            self.fill()?;
            if self.buf.is_empty() {
                return Ok(0);
            }
        }
        let at = (self.pos - self.buf_start) as usize;
        let available = &self.buf[at..];
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl<S: BlockSource> Seek for ChunkedReader<S> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match target {
            Some(n) => {
                self.pos = n;
                Ok(n)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek to a negative or overflowing position",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A twin of the browser's `Blob` source that serves short reads of pseudo-random length.
    struct ShortReads {
        data: Vec<u8>,
        state: u64,
        calls: u64,
    }

    impl BlockSource for ShortReads {
        fn len(&self) -> u64 {
            self.data.len() as u64
        }
        fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
            self.calls += 1;
            // xorshift: deterministic short lengths between 1 and buf.len().
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            let cap = 1 + (self.state % (buf.len().max(1) as u64)) as usize;
            let start = (offset as usize).min(self.data.len());
            let n = (self.data.len() - start).min(cap).min(buf.len());
            buf[..n].copy_from_slice(&self.data[start..start + n]);
            Ok(n)
        }
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn sequential_read_returns_every_byte_and_grows_chunks() {
        let d = data(3 * 1024 * 1024 + 17);
        let mut r = ChunkedReader::new(
            d.clone(),
            ChunkSizes {
                min: 4096,
                max: 1 << 20,
            },
        );
        let mut out = Vec::new();
        let mut small = [0u8; 512];
        loop {
            let n = r.read(&mut small).expect("read");
            if n == 0 {
                break;
            }
            out.extend_from_slice(&small[..n]);
        }
        assert_eq!(out, d);
        // 4K, 8K, ... 1M, then 1M chunks: far fewer calls than the 6,000+ header-sized reads.
        assert!(r.source_reads() < 16, "{} reads", r.source_reads());
    }

    #[test]
    fn short_forward_skips_keep_chunks_growing() {
        // A header-only walk: read 512 bytes, skip a 20 KB body, repeat over 8 MB.
        let d = data(8 << 20);
        let mut r = ChunkedReader::new(
            d,
            ChunkSizes {
                min: 64 * 1024,
                max: 4 << 20,
            },
        );
        let mut header = [0u8; 512];
        let mut at = 0u64;
        while at + 512 < 8 << 20 {
            r.seek(SeekFrom::Start(at)).expect("seek");
            r.read_exact(&mut header).expect("read");
            at += 512 + 20 * 1024;
        }
        assert!(r.source_reads() < 12, "{} reads", r.source_reads());
    }

    #[test]
    fn seek_inside_buffer_does_not_read_again() {
        let mut r = ChunkedReader::new(data(100_000), ChunkSizes::NATIVE);
        let mut b = [0u8; 10];
        r.read_exact(&mut b).expect("read");
        let reads = r.source_reads();
        r.seek(SeekFrom::Start(50_000)).expect("seek");
        r.read_exact(&mut b).expect("read");
        r.seek(SeekFrom::Current(-5_000)).expect("seek");
        r.read_exact(&mut b).expect("read");
        assert_eq!(r.source_reads(), reads);
    }

    #[test]
    fn negative_seek_is_an_error_not_a_panic() {
        let mut r = ChunkedReader::new(data(10), ChunkSizes::NATIVE);
        assert!(r.seek(SeekFrom::Current(-1)).is_err());
        assert!(r.seek(SeekFrom::End(-11)).is_err());
        assert_eq!(r.seek(SeekFrom::End(0)).expect("seek"), 10);
        let mut b = [0u8; 4];
        assert_eq!(r.read(&mut b).expect("read"), 0);
        // Past the end reads nothing.
        r.seek(SeekFrom::Start(1_000)).expect("seek");
        assert_eq!(r.read(&mut b).expect("read"), 0);
    }

    proptest! {
        /// Under short reads and random seeks, every read returns exactly the source's bytes.
        #[test]
        fn random_seeks_and_short_reads_match_the_source(
            len in 0usize..200_000,
            seed in 1u64..u64::MAX,
            ops in proptest::collection::vec((0u64..220_000, 1usize..70_000), 1..40),
        ) {
            let d = data(len);
            let src = ShortReads { data: d.clone(), state: seed, calls: 0 };
            let mut r = ChunkedReader::new(src, ChunkSizes { min: 1024, max: 64 * 1024 });
            for (at, n) in ops {
                r.seek(SeekFrom::Start(at)).expect("seek");
                let mut out = vec![0u8; n];
                let mut got = 0;
                loop {
                    let k = r.read(&mut out[got..]).expect("read");
                    if k == 0 { break; }
                    got += k;
                    if got == n { break; }
                }
                let start = (at as usize).min(len);
                let end = (start + n).min(len);
                prop_assert_eq!(&out[..got], &d[start..end]);
            }
        }
    }
}
