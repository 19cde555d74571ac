//! Reads and checks one file against an empty directory, for measuring peak
//! memory against the file's size (BENCHMARKS.md):
//!   cargo build --release -p engine --example peak_memory
//!   target/release/examples/peak_memory 100000      # writes users-100000.csv
//!   /usr/bin/time -v target/release/examples/peak_memory users-100000.csv
//! It prints the most the program had allocated at once (the file's bytes
//! included): what the engine needs, whatever the allocator keeps besides,
//! which `time`'s maximum resident set size adds.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// mimalloc, as in the server, counting the bytes allocated.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = NOW.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(now, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Both blocks are held while the contents move.
        grew(new_size);
        NOW.fetch_sub(layout.size(), Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[path = "../benches/shared/data.rs"]
#[allow(dead_code)] // the benchmark's directory is not needed here
mod data;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: peak_memory FILE, or peak_memory ROWS to write the benchmark's file of ROWS rows");
        std::process::exit(2);
    };
    if let Ok(rows) = path.parse::<usize>() {
        let name = format!("users-{rows}.csv");
        std::fs::write(&name, data::csv(rows, 100_000)).expect("a writable directory");
        println!("wrote {name}");
        return;
    }
    let bytes = std::fs::read(&path).expect("readable file");
    let size = bytes.len();
    let limits = engine::sheet::Limits { max_bytes: 1 << 30, ..Default::default() };
    let directory = engine::import::Directory { tenant: "Acme".into(), ..Default::default() };
    // As `roster check` and the import page do: the file's bytes go once read.
    let sheet = engine::sheet::read(&bytes, &limits);
    drop(bytes);
    let plan = engine::import::check_read(&sheet, &directory);
    println!("{size} bytes: {:?}, {} errors, {} warnings", plan.summary(), plan.errors.len(), plan.warnings.len());
    let peak = PEAK.load(Relaxed);
    println!("peak allocated: {:.1} MB, {:.1} times the file", peak as f64 / 1e6, peak as f64 / size as f64);
}
