//! The import engine: map a sheet's headings to columns, check every row and
//! the rules between rows and the directory, and plan the changes. Pure Rust:
//! the browser runs it as WASM and the server runs it again before writing.

pub mod bulk;
pub mod columns;
pub mod directory;
pub mod fields;
pub mod index;
pub mod issue;
pub mod plan;
pub mod snapshot;
pub mod tenant_columns;
pub mod undo;
pub mod write;

use crate::sheet::{self, Limits};
use std::borrow::Cow;
pub use directory::{Directory, DirectoryUser, Name};
pub use issue::{Code, Issue};
pub use plan::{check, check_paced, Plan, Summary};

/// Lower-cases text for comparison: without copying text that is lower-case
/// ASCII already (most e-mail addresses), correctly for the rest.
pub fn fold(text: &str) -> Cow<'_, str> {
    if !text.is_ascii() {
        Cow::Owned(text.to_lowercase())
    } else if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// Text that compares and hashes as its [`fold`]: a map key for names
/// matched without regard to case, which, unlike `fold`, makes no lower-case
/// copy of ASCII text (nearly all of it) for each lookup.
#[derive(Debug, Clone, Copy)]
pub struct Folded<'a>(pub &'a str);

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0, other.0);
        match (a.is_ascii(), b.is_ascii()) {
            (true, true) => a == b || a.eq_ignore_ascii_case(b),
            _ => a == b || fold(a) == fold(b),
        }
    }
}

impl Eq for Folded<'_> {}

impl std::hash::Hash for Folded<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (hash, ascii) = fold_hash(self.0.as_bytes());
        state.write_u64(if ascii { hash } else { fold_hash(self.0.to_lowercase().as_bytes()).0 });
    }
}

/// Hashes text eight bytes at a time, capitals lowered inside the word (so
/// that text in any case hashes alike, with no lower-case copy), each word
/// mixed in by a folded multiply: few instructions, and every bit counts.
/// Tells also whether the text is all ASCII, found in the same words.
fn fold_hash(bytes: &[u8]) -> (u64, bool) {
    let mix = |hash: u64, word: u64| {
        let product = u128::from(hash ^ word) * 0x9e37_79b9_7f4a_7c15;
        product as u64 ^ (product >> 64) as u64
    };
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    let (mut hash, mut high) = (bytes.len() as u64, 0);
    let mut add = |word: u64| {
        high |= word;
        hash = mix(hash, lower_ascii(word));
    };
    if bytes.len() >= 8 {
        let mut at = 0;
        while at + 8 < bytes.len() {
            add(word(at));
            at += 8;
        }
        // The last eight bytes, overlapping the word before unless the
        // length is a multiple of eight: one load, not a byte at a time.
        add(word(bytes.len() - 8));
    } else {
        // Shifted in byte by byte: a copy into a buffer read back as one word stalls the load.
        add(bytes.iter().rev().fold(0, |word, byte| word << 8 | u64::from(*byte)));
    }
    (hash, high & 0x8080_8080_8080_8080 == 0)
}

/// Lowers the ASCII capitals among eight bytes at once, leaving every
/// other byte as it is.
fn lower_ascii(word: u64) -> u64 {
    const EACH: u64 = 0x0101_0101_0101_0101;
    // Seven bits a byte, so that the sums below never carry into the next byte.
    let low = word & (0x7f * EACH);
    let above_z = low + (0x7f - u64::from(b'Z')) * EACH;
    let from_a = low + (0x80 - u64::from(b'A')) * EACH;
    // The top bit of a byte is set where it is from `A` and not above `Z`, and ASCII.
    let capital = (from_a ^ above_z) & !word & (0x80 * EACH);
    word | (capital >> 2)
}

/// The checksum a batch is recorded under: the sheet's, passwords left out.
pub fn history_checksum(sheet: &sheet::Sheet) -> String {
    let (mapping, _) = columns::map_headings(&sheet.headings, &[]);
    sheet.checksum(mapping.position(columns::Column::Password))
}

/// Reads a file and checks it. A file that cannot be read gives a plan with
/// that error. Callers that can let the file go once it is read (the command
/// line) call [`sheet::read`] and [`check_read`] instead: the check then does
/// not hold the file as well as its sheet.
pub fn check_file(bytes: &[u8], limits: &Limits, directory: &Directory) -> Plan {
    check_read(&sheet::read(bytes, limits), directory)
}

/// Checks what [`sheet::read`] gave, for callers that read once and check often.
pub fn check_read(sheet: &Result<sheet::Sheet, sheet::ReadError>, directory: &Directory) -> Plan {
    match sheet {
        Ok(sheet) => check(sheet, directory),
        Err(error) => Plan { version: directory.version, errors: vec![error.clone().into_issue()], ..Plan::default() },
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod own_tests;
