//! The fuzz target's seed corpus, run as ordinary tests: hostile workbooks
//! are refused with the right code, and no file in it makes the engine panic.

use engine::import::{check_file, Code, Directory};
use engine::sheet::{read, Limits};
use std::path::PathBuf;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/read_check")
}

fn refusal(name: &str) -> Code {
    let bytes = std::fs::read(corpus().join(name)).unwrap();
    read(&bytes, &Limits::default()).expect_err(name).code
}

#[test]
fn hostile_workbooks_are_refused_before_they_cost_memory() {
    assert_eq!(refusal("zip_bomb.xlsx"), Code::FileTooLarge);
    assert_eq!(refusal("sparse_range.xlsx"), Code::FileTooLarge);
    assert_eq!(refusal("huge_shared_strings.xlsx"), Code::FileTooLarge);
    assert_eq!(refusal("ods_repeated_cells.ods"), Code::FileTooLarge);
}

#[test]
fn garbage_whatever_its_name_is_unreadable() {
    for name in ["garbage_named.xlsx", "legacy_cfb_named.xlsx", "truncated.xlsx"] {
        assert_eq!(refusal(name), Code::FileUnreadable, "{name}");
    }
}

#[test]
fn ordinary_seeds_read() {
    for name in ["valid.xlsx", "valid.ods", "valid.csv", "semicolons_1252.csv"] {
        let bytes = std::fs::read(corpus().join(name)).unwrap();
        let sheet = read(&bytes, &Limits::default()).unwrap();
        assert!(sheet.headings.iter().any(|h| h == "Email"), "{name}: {:?}", sheet.headings);
        assert!(!sheet.is_empty(), "{name}");
    }
}

#[test]
fn ods_values_read_as_typed_and_trailing_filler_costs_nothing() {
    let bytes = std::fs::read(corpus().join("valid.ods")).unwrap();
    let sheet = read(&bytes, &Limits::default()).unwrap();
    assert_eq!(sheet.len(), 1);
    assert_eq!(sheet.rows().next().unwrap().cells().collect::<Vec<_>>(), ["ann@example.org", "447700900123", "TRUE"]);
}

#[test]
fn every_corpus_file_goes_through_the_whole_engine_without_panicking() {
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let _ = check_file(&bytes, &Limits::default(), &Directory::default());
    }
}
