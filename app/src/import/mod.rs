//! The import engine: map a sheet's headings to columns, check every row and
//! the rules between rows and the directory, and plan the changes. Pure Rust:
//! the browser runs it as WASM and the server runs it again before writing.

pub mod bulk;
pub mod columns;
pub mod directory;
pub mod fields;
pub mod issue;
pub mod plan;
pub mod snapshot;
pub mod undo;
pub mod write;

use crate::sheet::{self, Limits};
use std::borrow::Cow;
pub use directory::{Directory, DirectoryUser};
pub use issue::{Code, Issue};
pub use plan::{check, check_paced, Plan, Summary};

/// Lower-cases text for comparison: without copying text that is lower-case
/// ASCII already (most e-mail addresses), correctly for the rest.
pub(crate) fn fold(text: &str) -> Cow<'_, str> {
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
pub(crate) struct Folded<'a>(pub &'a str);

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
        let lower;
        let text = if self.0.is_ascii() { self.0 } else { lower = self.0.to_lowercase(); &lower };
        // In fixed pieces, lower-cased through a buffer only where needed, so
        // that text written in any case hashes alike.
        let upper = text.bytes().any(|b| b.is_ascii_uppercase());
        let mut piece = [0u8; 32];
        for chunk in text.as_bytes().chunks(piece.len()) {
            if upper {
                for (to, from) in piece.iter_mut().zip(chunk) {
                    *to = from.to_ascii_lowercase();
                }
                state.write(&piece[..chunk.len()]);
            } else {
                state.write(chunk);
            }
        }
        state.write_u8(0xff);
    }
}

/// The checksum a batch is recorded under: the sheet's, passwords left out.
pub fn history_checksum(sheet: &sheet::Sheet) -> String {
    let (mapping, _) = columns::map_headings(&sheet.headings);
    sheet.checksum(mapping.position(columns::Column::Password))
}

/// Reads a file and checks it: the one call for the browser, the server and
/// the command line. A file that cannot be read gives a plan with that error.
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
