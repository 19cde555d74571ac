//! Any bytes through read → map → check: nothing may panic, hang, or
//! allocate without bound.
#![no_main]

use engine::import::{check_file, Directory};
use engine::sheet::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_bytes: 1 << 20, max_rows: 10_000, ..Limits::default() };
    let _ = check_file(data, &limits, &Directory::default());
});
