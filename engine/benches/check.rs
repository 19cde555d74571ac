//! Read + check + plan against a directory of 100,000 users (the budget in
//! BENCHMARKS.md). Run: cargo bench -p engine --bench check

use engine::import::check_file;
use engine::import::write::{self, Format};
use engine::sheet::Limits;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

// The server binary uses mimalloc too; the engine allocates many short strings.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "shared/data.rs"]
mod data;
use data::{csv, csv_with_own, directory, directory_with_own};

fn bench(c: &mut Criterion) {
    let limits = Limits { max_bytes: 512 << 20, ..Limits::default() };
    let existing = directory(100_000);
    let mut group = c.benchmark_group("check");
    group.sample_size(10).measurement_time(Duration::from_secs(8));

    let file = csv(100_000, 100_000);
    group.throughput(Throughput::Bytes(file.len() as u64));
    group.bench_function("csv 100k rows x 12 columns, 100k existing", |b| {
        b.iter(|| black_box(check_file(black_box(&file), &limits, &existing)))
    });

    // The same file and directory with five of the organisation's own columns (the budget: at most 1.3×).
    let with_own = directory_with_own(100_000);
    let own_file = csv_with_own(100_000, 100_000);
    group.throughput(Throughput::Bytes(own_file.len() as u64));
    group.bench_function("csv 100k rows x 12 columns + 5 own columns, 100k existing", |b| {
        b.iter(|| black_box(check_file(black_box(&own_file), &limits, &with_own)))
    });

    let xlsx = write::export(&existing.users, &[], Format::Xlsx).unwrap();
    group.throughput(Throughput::Bytes(xlsx.len() as u64));
    group.bench_function("xlsx 100k rows (export of 100k existing)", |b| {
        b.iter(|| black_box(check_file(black_box(&xlsx), &limits, &existing)))
    });

    let million = csv(1_000_000, 100_000);
    group.throughput(Throughput::Bytes(million.len() as u64));
    group.bench_function("csv 1M rows x 12 columns, 100k existing", |b| {
        b.iter(|| black_box(check_file(black_box(&million), &limits, &existing)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
