//! Reading spreadsheets from bytes: CSV in any common encoding and
//! delimiter, and XLSX/XLS/ODS through calamine. The format is recognised by
//! content, not by name. Hostile files are refused before they cost memory.

mod edit;
mod guard;
mod text;
mod workbook;

pub use edit::{Edits, Parts};

use crate::import::issue::{Code, Issue};
use crate::pace::{self, Pace, Paced, Straight};
use serde::{Deserialize, Serialize};

/// A sheet as the admin sees it: the headings (row 1) and the non-blank
/// rows. All cell text lives in one buffer, so a sheet of a million rows is
/// a handful of allocations, not twelve million.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    pub headings: Vec<String>,
    /// Problems found while reading that do not stop the check, such as a
    /// value under a column without a heading.
    pub issues: Vec<Issue>,
    text: String,
    /// Where each cell ends in `text`.
    ends: Vec<u32>,
    rows: Vec<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    number: u32,
    first: u32,
    len: u32,
}

/// One row of a [`Sheet`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'s> {
    /// The row number in the spreadsheet; headings are row 1.
    pub number: u32,
    sheet: &'s Sheet,
    first: usize,
    len: usize,
}

impl Sheet {
    pub fn rows(&self) -> impl ExactSizeIterator<Item = Row<'_>> + '_ {
        self.rows.iter().map(move |span| self.at(span))
    }

    /// The row with this spreadsheet row number, if the sheet has it.
    pub fn row(&self, number: u32) -> Option<Row<'_>> {
        let index = self.rows.binary_search_by_key(&number, |span| span.number).ok()?;
        Some(self.at(&self.rows[index]))
    }

    fn at(&self, span: &Span) -> Row<'_> {
        Row { number: span.number, sheet: self, first: span.first as usize, len: span.len as usize }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl<'s> Row<'s> {
    /// The cell in column `at` (0-based); a missing cell is blank.
    pub fn cell(&self, at: usize) -> &'s str {
        if at >= self.len {
            return "";
        }
        let index = self.first + at;
        let start = if index == 0 { 0 } else { self.sheet.ends[index - 1] as usize };
        &self.sheet.text[start..self.sheet.ends[index] as usize]
    }

    pub fn cells(&self) -> impl Iterator<Item = &'s str> + '_ {
        (0..self.len).map(|at| self.cell(at))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_rows: usize,
    /// Excel's own limit for one cell.
    pub max_cell_chars: usize,
    pub max_columns: usize,
    /// How much larger than the file its unpacked parts may be.
    pub max_inflation: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_bytes: 100 << 20, max_rows: 1_000_000, max_cell_chars: 32_767, max_columns: 256, max_inflation: 100 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ReadError {
    pub code: Code,
    pub message: String,
}

impl ReadError {
    pub fn unreadable(message: impl Into<String>) -> Self {
        Self { code: Code::FileUnreadable, message: message.into() }
    }

    fn too_large(message: impl Into<String>) -> Self {
        Self { code: Code::FileTooLarge, message: message.into() }
    }

    pub fn into_issue(self) -> Issue {
        Issue::file(self.code, self.message)
    }
}

/// Reads the first sheet (or the one named `Users`) of any supported file.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Sheet, ReadError> {
    pace::straight(read_paced(bytes, limits, &mut Straight))
}

/// As [`read`], offering `pace` a step every few hundred rows of a CSV or
/// XLSX file (calamine reads XLS and ODS sheets in one go).
pub fn read_paced<'a>(bytes: &'a [u8], limits: &'a Limits, pace: &'a mut dyn Pace) -> Paced<'a, Result<Sheet, ReadError>> {
    Box::pin(async move {
        if bytes.len() > limits.max_bytes {
            return Err(ReadError::too_large(format!(
                "The file has {} bytes; at most {} are accepted. Split it into smaller files.",
                bytes.len(),
                limits.max_bytes
            )));
        }
        let mut builder = Builder::new(limits);
        if is_zip(bytes) {
            guard::check_zip(bytes, limits)?;
            workbook::read_zip(bytes, &mut builder, pace).await?;
        } else if is_cfb(bytes) {
            workbook::read_xls(bytes, &mut builder)?;
        } else if looks_binary(bytes) {
            return Err(ReadError::unreadable(
                "This is not a spreadsheet Roster can read. Save it as CSV, XLSX, XLS or ODS.",
            ));
        } else {
            // A CSV file's cells hold less text than the file: one buffer of
            // its size never grows, which would copy up to hundreds of MB at once.
            builder.sheet.text.reserve(bytes.len());
            text::read_csv(bytes, &mut builder, pace).await?;
        }
        Ok(builder.finish())
    })
}

/// XLSX and ODS files are zip archives.
fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// XLS files are OLE compound files.
fn is_cfb(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// Whether a file that starts with `head` (its first eight bytes will do)
/// is a workbook, which calamine reads, rather than text.
pub fn is_workbook(head: &[u8]) -> bool {
    is_zip(head) || is_cfb(head)
}

/// Text files have no NUL bytes, except UTF-16, which starts with a BOM.
fn looks_binary(bytes: &[u8]) -> bool {
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    !utf16 && bytes.iter().take(8192).any(|b| *b == 0)
}

/// Collects rows from any reader, enforcing the limits and skipping blank rows.
struct Builder<'l> {
    limits: &'l Limits,
    sheet: Sheet,
    seen_headings: bool,
    /// The first column without a heading: a blank one, else past the last.
    headed: usize,
    /// Cells come from a file, where a `'` may have been added by [`neutralise`].
    from_file: bool,
}

impl<'l> Builder<'l> {
    fn new(limits: &'l Limits) -> Self {
        Self { limits, sheet: Sheet::default(), seen_headings: false, headed: 0, from_file: true }
    }

    /// For cells read before, taken as they are.
    fn exact(limits: &'l Limits) -> Self {
        Self { from_file: false, ..Self::new(limits) }
    }

    /// Adds spreadsheet row `number` (1-based); the first row added is the
    /// headings. The cells are taken in one pass and taken back where the
    /// row is blank or refused.
    fn row<'c>(&mut self, number: u32, cells: impl Iterator<Item = &'c str>) -> Result<(), ReadError> {
        let (max_chars, max_columns, from_file) = (self.limits.max_cell_chars, self.limits.max_columns, self.from_file);
        if self.sheet.text.len() > u32::MAX as usize / 2 {
            return Err(ReadError::too_large("The file holds more text than Roster reads at once; split it."));
        }
        // Row 1 is the headings; where it is blank, there are none.
        let headings = !self.seen_headings && number == 1;
        self.seen_headings = true;
        let mark = self.mark();
        // The first over-long cell, values past the last column read, the
        // first value without a heading (past the last, or under a blank one).
        let (mut long, mut beyond, mut filled, mut extra) = (None, false, false, None);
        for (at, cell) in cells.enumerate() {
            if long.is_none() && longer_than(cell, max_chars) {
                long = Some(at);
            }
            if at >= max_columns {
                beyond |= !is_blank(cell);
                continue;
            }
            let cell = if from_file { unneutralise(cell) } else { cell };
            if !is_blank(cell) {
                filled = true;
                if extra.is_none() && at >= self.headed && self.sheet.headings.get(at).is_none_or(String::is_empty) {
                    extra = Some(at);
                }
            }
            self.sheet.text.push_str(cell);
            self.sheet.ends.push(self.sheet.text.len() as u32);
        }
        let refused = if let Some(long) = long {
            Some(ReadError::too_large(format!(
                "Row {number}, column {} has more than {max_chars} characters, more than a spreadsheet cell can hold.",
                long + 1,
            )))
        } else if beyond {
            Some(ReadError::too_large(format!(
                "Row {number} has values beyond column {max_columns}; Roster reads at most that many columns."
            )))
        } else if filled && !headings && self.sheet.rows.len() >= self.limits.max_rows {
            Some(ReadError::too_large(format!(
                "The file has more than {} users; split it into smaller files.",
                self.limits.max_rows
            )))
        } else {
            None
        };
        if let Some(refused) = refused {
            self.rewind(mark);
            return Err(refused);
        }
        let span = Span { number, first: mark.1 as u32, len: (self.sheet.ends.len() - mark.1) as u32 };
        if headings {
            self.sheet.headings = self.sheet.at(&span).cells().map(|c| c.trim().to_string()).collect();
            self.headed = self.sheet.headings.iter().position(String::is_empty).unwrap_or(self.sheet.headings.len());
            self.rewind(mark);
            return Ok(());
        }
        if !filled {
            self.rewind(mark);
            return Ok(());
        }
        if let Some(extra) = extra {
            if !self.sheet.issues.iter().any(|i| i.code == Code::UnknownColumn) {
                self.sheet.issues.push(Issue {
                    row: Some(number),
                    column: None,
                    code: Code::UnknownColumn,
                    message: format!(
                        "Row {number} has a value in column {}, which has no heading. Add a heading or remove the value.",
                        extra + 1
                    )
                    .into(),
                });
            }
        }
        self.sheet.rows.push(span);
        Ok(())
    }

    /// A builder for rows after the headings, read apart from the others.
    fn for_part(&self) -> Self {
        let sheet = Sheet { headings: self.sheet.headings.clone(), ..Sheet::default() };
        Self { limits: self.limits, sheet, seen_headings: true, headed: self.headed, from_file: self.from_file }
    }

    /// Adds rows read in parts, in order, each part with how many rows it
    /// spans; the first follows row `before`. Gives false, adding nothing,
    /// where together they pass a limit that each part kept apart.
    fn append(&mut self, parts: Vec<(Sheet, u32)>, before: u32) -> bool {
        let rows: usize = parts.iter().map(|(part, _)| part.rows.len()).sum();
        let text: usize = parts.iter().map(|(part, _)| part.text.len()).sum();
        if self.sheet.rows.len() + rows > self.limits.max_rows || self.sheet.text.len() + text > u32::MAX as usize / 2 {
            return false;
        }
        self.sheet.ends.reserve(parts.iter().map(|(part, _)| part.ends.len()).sum());
        self.sheet.rows.reserve(rows);
        let mut before = before;
        for (part, spans) in parts {
            let (text_at, ends_at) = (self.sheet.text.len() as u32, self.sheet.ends.len() as u32);
            self.sheet.text.push_str(&part.text);
            self.sheet.ends.extend(part.ends.iter().map(|end| end + text_at));
            let moved = |span: &Span| Span { number: span.number + before, first: span.first + ends_at, len: span.len };
            self.sheet.rows.extend(part.rows.iter().map(moved));
            before += spans;
        }
        true
    }

    /// Makes room at once for the rows still to come, the rows read so far
    /// being about `share` of them: the cells' ends doubled as they grew
    /// would hold up to half as many again, unused.
    fn expect(&mut self, share: f64) {
        if share > 0.0 && share < 1.0 {
            let room = |len: usize| ((len as f64 / share) * 1.05) as usize - len;
            self.sheet.ends.reserve_exact(room(self.sheet.ends.len()));
            self.sheet.rows.reserve_exact(room(self.sheet.rows.len()));
        }
    }

    /// How much of the sheet is read, to [`Self::rewind`] to.
    fn mark(&self) -> (usize, usize, usize) {
        (self.sheet.text.len(), self.sheet.ends.len(), self.sheet.rows.len())
    }

    fn rewind(&mut self, (text, ends, rows): (usize, usize, usize)) {
        self.sheet.text.truncate(text);
        self.sheet.ends.truncate(ends);
        self.sheet.rows.truncate(rows);
    }

    fn finish(self) -> Sheet {
        self.sheet
    }
}

/// Whether `text` has more than `max` characters; counted only when its
/// bytes are more, since a byte count under the limit needs no character count.
pub(crate) fn longer_than(text: &str, max: usize) -> bool {
    text.len() > max && text.chars().count() > max
}

/// Whether a cell holds nothing but white space, deciding at the first
/// byte for nearly every cell.
fn is_blank(cell: &str) -> bool {
    cell.bytes().next().is_none_or(|first| !first.is_ascii_graphic()) && cell.trim().is_empty()
}

/// Characters that make a spreadsheet program run a cell as a formula.
const FORMULA_START: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\n'];

/// Prefixes a `'` to a cell a spreadsheet program would run as a formula,
/// and to one that already looks neutralised, so that reading takes off
/// exactly what was added.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.trim_start_matches('\'').starts_with(FORMULA_START) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Takes off the `'` that [`neutralise`] added, so that export → import is lossless.
fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA_START) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_read_back_unchanged() {
        for cell in ["=SUM(A1)", "+44 20", "-5", "@here", "\tx", "plain", "'quoted", "O'Brien", "", "'=x", "''-1"] {
            let written = neutralise(cell);
            assert!(!written.starts_with(FORMULA_START), "{written}");
            assert_eq!(unneutralise(&written), cell);
        }
    }

    #[test]
    fn garbage_is_refused_as_unreadable() {
        let error = read(&[0, 1, 2, 3, 0, 0, 159, 146, 150], &Limits::default()).unwrap_err();
        assert_eq!(error.code, Code::FileUnreadable);
    }

    #[test]
    fn files_over_the_size_limit_are_refused_before_reading() {
        let limits = Limits { max_bytes: 10, ..Limits::default() };
        assert_eq!(read(b"Email,Last Name\na@b.co,X\n", &limits).unwrap_err().code, Code::FileTooLarge);
    }

    #[test]
    fn too_many_rows_and_too_long_cells_are_refused() {
        let limits = Limits { max_rows: 2, ..Limits::default() };
        let error = read(b"Email\na@x.org\nb@x.org\nc@x.org\n", &limits).unwrap_err();
        assert_eq!(error.code, Code::FileTooLarge);
        let long = format!("Email\n{}\n", "x".repeat(32_768));
        assert_eq!(read(long.as_bytes(), &Limits::default()).unwrap_err().code, Code::FileTooLarge);
    }

    #[test]
    fn csv_and_xlsx_files_are_read_in_steps_to_the_same_sheet() {
        use crate::import::write::{self, Format};
        let users: Vec<_> = (0..10_000)
            .map(|i| crate::import::DirectoryUser { user_id: format!("u{i}").into(), email: format!("u{i}@x.org").into(), ..crate::import::DirectoryUser::new(&Default::default()) })
            .collect();
        for format in [Format::Csv, Format::Xlsx] {
            let file = write::export(&users, &[], format).unwrap();
            let mut record = pace::Record::default();
            let paced = pace::straight(read_paced(&file, &Limits::default(), &mut record)).unwrap();
            assert_eq!(paced, read(&file, &Limits::default()).unwrap());
            assert_eq!(paced.len(), 10_000);
            let steps = record.0;
            assert!(steps.len() >= 5, "{format:?}: {} steps", steps.len());
            assert!(steps.windows(2).all(|w| w[0].0 < w[1].0 && w[1].0 <= w[1].1), "{format:?}: forward, within the total");
        }
    }

    #[test]
    fn a_value_without_a_heading_is_reported() {
        let sheet = read(b"Email,Last Name\na@x.org,Lee,surprise\n", &Limits::default()).unwrap();
        assert_eq!(sheet.issues.len(), 1);
        assert_eq!(sheet.issues[0].row, Some(2));
        assert_eq!(sheet.rows().next().unwrap().cell(1), "Lee");
        assert_eq!(sheet.rows().next().unwrap().cell(9), "", "cells past the end are blank");
        assert!(sheet.issues[0].message.contains("column 3"));
    }
}
