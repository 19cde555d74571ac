//! Password hashing throughput as an import hashes: one blocking task per
//! password, Argon2id with the OWASP parameters, all cores at once.
//!
//! `cargo run --release -p app --features ssr --example hash_rate`; prefix
//! `taskset -c 0` to see one core.

use std::time::Instant;

#[tokio::main]
async fn main() {
    let count = 64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let start = Instant::now();
    let tasks: Vec<_> = (0..count).map(|i| tokio::spawn(app::auth::password_hash::hash(format!("Password-{i}")))).collect();
    for task in tasks {
        task.await.expect("the task ran").expect("the password hashed");
    }
    let seconds = start.elapsed().as_secs_f64();
    println!("{count} hashes in {seconds:.2} s on {cores} cores: {:.1} hashes/s", f64::from(count) / seconds);
}
