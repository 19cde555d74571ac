//! Reads and checks one file against an empty directory, for measuring peak
//! memory against the file's size (BENCHMARKS.md):
//!   cargo build --release -p app --example peak_memory
//!   /usr/bin/time -v target/release/examples/peak_memory FILE

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: peak_memory FILE");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).expect("readable file");
    let limits = app::sheet::Limits { max_bytes: 1 << 30, ..Default::default() };
    let directory = app::import::Directory { tenant: "Acme".into(), ..Default::default() };
    let plan = app::import::check_file(&bytes, &limits, &directory);
    println!("{} bytes: {:?}, {} errors, {} warnings", bytes.len(), plan.summary(), plan.errors.len(), plan.warnings.len());
}
