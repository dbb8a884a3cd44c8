//! Prints how many source reads and bytes each layer walk of an archive costs with the browser's
//! chunk sizes: the figures that decide the page's scan time (every `FileReaderSync` call costs
//! about 2 ms). Usage: cargo run --release --example read_pattern FILE
use std::io;

use scanner_core::extract::Selector;
use scanner_core::source::reader::{BlockSource, ChunkSizes, ChunkedReader};
use scanner_core::{InspectOptions, Limits};

struct Counting {
    data: std::sync::Arc<Vec<u8>>,
    calls: std::rc::Rc<std::cell::Cell<(u64, u64)>>,
}

impl BlockSource for Counting {
    fn len(&self) -> u64 {
        self.data.len() as u64
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let start = (offset as usize).min(self.data.len());
        let n = (self.data.len() - start).min(buf.len());
        buf[..n].copy_from_slice(&self.data[start..start + n]);
        let (c, b) = self.calls.get();
        self.calls.set((c + 1, b + n as u64));
        Ok(n)
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let data = std::sync::Arc::new(std::fs::read(path).expect("read"));
    let calls = std::rc::Rc::new(std::cell::Cell::new((0, 0)));
    let mut r = ChunkedReader::new(
        Counting {
            data: data.clone(),
            calls: calls.clone(),
        },
        ChunkSizes::BROWSER,
    );
    let plan = scanner_core::plan(&mut r, &InspectOptions::default(), &mut |_| {}).expect("plan");
    println!("plan: {:?}", calls.get());
    let mut scans = Vec::new();
    for job in &plan.jobs {
        calls.set((0, 0));
        let r = ChunkedReader::new(
            Counting {
                data: data.clone(),
                calls: calls.clone(),
            },
            ChunkSizes::BROWSER,
        );
        let t = std::time::Instant::now();
        let s = scanner_core::scan_layer(r, job, &Limits::default(), &Selector::default());
        let (c, b) = calls.get();
        println!(
            "layer {} size {} MB: {} calls, {} MB read, {} entries, {:?}",
            job.index,
            job.size >> 20,
            c,
            b >> 20,
            s.entries.len(),
            t.elapsed()
        );
        scans.push(s);
    }
    let t = std::time::Instant::now();
    let image = scanner_core::assemble(plan, scans, &Limits::default());
    println!("assemble: {:?} ({} paths)", t.elapsed(), image.tree.len());
}
