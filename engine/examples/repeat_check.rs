//! Checks the benchmark's file against its directory N times and prints the
//! fastest, for comparing two builds run by turns on a noisy machine, and
//! for profilers (BENCHMARKS.md):
//!   cargo build --release -p engine --example repeat_check
//!   target/release/examples/repeat_check [ROWS] [TIMES] [xlsx|own|own-file]
//! `own` adds five of the organisation's own columns to the file and the
//! directory (two booleans, a choice, a date and a unique text); `own-file`
//! to the file alone, whose extra columns are then only read, not checked
//! (what the bigger file costs).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../benches/shared/data.rs"]
mod data;

use engine::import::write::{export, Format};
use engine::import::check_file;
use engine::sheet::Limits;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let times: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let limits = Limits { max_bytes: 512 << 20, ..Limits::default() };
    let mode = args.next();
    let existing = if mode.as_deref() == Some("own") { data::directory_with_own(100_000) } else { data::directory(100_000) };
    let file = match mode.as_deref() {
        Some("xlsx") => export(&existing.users, &[], Format::Xlsx).expect("an export"),
        Some("own" | "own-file") => data::csv_with_own(rows, 100_000),
        _ => data::csv(rows, 100_000),
    };
    let fastest = (0..times)
        .map(|_| {
            let start = Instant::now();
            drop(std::hint::black_box(check_file(&file, &limits, &existing)));
            start.elapsed()
        })
        .min()
        .unwrap_or_default();
    println!("fastest of {times}: {:.1} ms", fastest.as_secs_f64() * 1000.0);
}
