//! XLSX, XLS and ODS through calamine. Values stay what the admin typed: a
//! whole number is not written as `4.477e11`, a date is a date, `TRUE` a
//! boolean. XLSX is streamed cell by cell, so a sheet that claims a huge
//! range costs nothing until its cells are actually there.

use super::{Builder, ReadError};
use crate::pace::{Pace, Steps, ROWS_A_STEP};
use calamine::{Data, DataRef, ExcelDateTime, Reader, Xlsx};
use std::io::Cursor;

pub(super) async fn read_zip(bytes: &[u8], builder: &mut Builder<'_>, pace: &mut dyn Pace) -> Result<(), ReadError> {
    if is_ods(bytes) {
        read_other(bytes, builder)
    } else {
        read_xlsx(bytes, builder, pace).await
    }
}

pub(super) fn read_xls(bytes: &[u8], builder: &mut Builder) -> Result<(), ReadError> {
    read_other(bytes, builder)
}

fn damaged(error: impl std::fmt::Display) -> ReadError {
    ReadError::unreadable(format!("The workbook cannot be read ({error}). Open it and save it again, or save it as CSV."))
}

/// Offers `pace` a step every few hundred rows; calamine reads the shared
/// strings before the first cell, in one go.
async fn read_xlsx(bytes: &[u8], builder: &mut Builder<'_>, pace: &mut dyn Pace) -> Result<(), ReadError> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(damaged)?;
    let name = pick_sheet(book.sheet_names())?;
    let max_rows = builder.limits.max_rows as u32;
    let max_columns = builder.limits.max_columns as u32;
    let mut reader = book.worksheet_cells_reader(&name).map_err(damaged)?;
    // Progress in rows, out of as many as the sheet says it has.
    let claimed = (reader.dimensions().end.0 as usize).min(max_rows as usize) + 1;
    let mut steps = Steps::new(pace, claimed, ROWS_A_STEP);
    let mut current = RowCells::default();
    while let Some(cell) = reader.next_cell().map_err(damaged)? {
        let (row, column) = cell.get_position();
        let value = cell.get_value();
        if is_empty(value) {
            continue;
        }
        if row > max_rows.saturating_add(1) || column >= max_columns {
            return Err(ReadError::too_large(format!(
                "The sheet has a value at row {}, column {}; Roster reads at most {max_rows} rows and {max_columns} columns.",
                row + 1,
                column + 1
            )));
        }
        if current.number != Some(row) {
            if let Some(number) = current.number {
                builder.row(number + 1, current.cells())?;
                steps.advance(1).await;
            }
            current.start(row);
        }
        write_text(current.cell(column as usize), value);
    }
    if let Some(number) = current.number {
        builder.row(number + 1, current.cells())?;
    }
    Ok(())
}

/// The cells of the row being read. Their buffers are kept from row to row,
/// so that a sheet's million cells are not a million allocations.
#[derive(Default)]
struct RowCells {
    /// The row's 0-based number; none before the first cell.
    number: Option<u32>,
    cells: Vec<String>,
    /// How many of `cells` belong to this row.
    len: usize,
}

impl RowCells {
    fn start(&mut self, number: u32) {
        self.number = Some(number);
        self.len = 0;
    }

    /// Column `at`'s cell, emptied; the cells before it that were not read are blank.
    fn cell(&mut self, at: usize) -> &mut String {
        if self.cells.len() <= at {
            self.cells.resize(at + 1, String::new());
        }
        let first_unread = self.len.min(at);
        self.cells[first_unread..=at].iter_mut().for_each(String::clear);
        self.len = self.len.max(at + 1);
        &mut self.cells[at]
    }

    fn cells(&self) -> impl Iterator<Item = &str> {
        self.cells[..self.len].iter().map(String::as_str)
    }
}

/// XLS and ODS: calamine reads the sheet into a range.
fn read_other(bytes: &[u8], builder: &mut Builder) -> Result<(), ReadError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(damaged)?;
    let name = pick_sheet(book.sheet_names())?;
    let range = book.worksheet_range(&name).map_err(damaged)?;
    let Some((first_row, first_column)) = range.start() else { return Ok(()) };
    for (offset, cells) in range.rows().enumerate() {
        let mut row = vec![String::new(); first_column as usize];
        row.extend(cells.iter().map(data_text));
        builder.row(first_row + offset as u32 + 1, row.iter().map(String::as_str))?;
    }
    Ok(())
}

/// The sheet named `Users`, else the first.
fn pick_sheet(names: Vec<String>) -> Result<String, ReadError> {
    names
        .iter()
        .find(|name| name.trim().eq_ignore_ascii_case("users"))
        .or(names.first())
        .cloned()
        .ok_or_else(|| ReadError::unreadable("The workbook has no sheets."))
}

fn is_ods(bytes: &[u8]) -> bool {
    // ODS stores an uncompressed `mimetype` entry first, at a fixed offset.
    bytes.get(30..38) == Some(b"mimetype") && bytes.get(38..84).is_some_and(|m| m.starts_with(b"application/vnd.oasis.opendocument.spreadsheet"))
}

fn is_empty(value: &DataRef<'_>) -> bool {
    match value {
        DataRef::Empty => true,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.is_empty(),
        DataRef::SharedString(s) => s.is_empty(),
        _ => false,
    }
}

/// Adds the value's text to `out`.
fn write_text(out: &mut String, value: &DataRef<'_>) {
    use std::fmt::Write;
    match value {
        DataRef::Empty => {}
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => out.push_str(s),
        DataRef::SharedString(s) => out.push_str(s),
        DataRef::Int(i) => _ = write!(out, "{i}"),
        DataRef::Float(f) => out.push_str(&number(*f)),
        DataRef::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        DataRef::DateTime(d) => out.push_str(&date(d)),
        DataRef::Error(e) => _ = write!(out, "{e}"),
    }
}

/// Whole numbers without a decimal point or exponent: a phone number stored
/// as a number reads as its digits.
fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

fn date(value: &ExcelDateTime) -> String {
    match value.as_datetime() {
        Some(moment) if moment.time() == chrono::NaiveTime::MIN => moment.date().to_string(),
        Some(moment) => moment.to_string(),
        None => number(value.as_f64()),
    }
}

/// A range's value, converted like a streamed cell.
fn data_text(value: &Data) -> String {
    let mut text = String::new();
    write_text(&mut text, &match value {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(d) => DataRef::DateTime(*d),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    });
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(number(447_700_900_123.0), "447700900123");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(-3.0), "-3");
    }

    /// A workbook as Excel would save it, with typed cells.
    fn typed_workbook() -> Vec<u8> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let readme = book.add_worksheet();
        readme.set_name("Read me").unwrap();
        readme.write_string(0, 0, "not this sheet").unwrap();
        let sheet = book.add_worksheet();
        sheet.set_name("Users").unwrap();
        for (at, heading) in ["Email", "Phone", "Active", "Start", "Code", "Score"].iter().enumerate() {
            sheet.write_string(0, at as u16, *heading).unwrap();
        }
        sheet.write_string(1, 0, "ann@x.org").unwrap();
        sheet.write_number(1, 1, 447_700_900_123.0).unwrap();
        sheet.write_boolean(1, 2, true).unwrap();
        let date = ExcelDateTime::from_ymd(2024, 1, 31).unwrap();
        sheet.write_datetime_with_format(1, 3, &date, &Format::new().set_num_format("dd/mm/yyyy")).unwrap();
        sheet.write_string(1, 4, "007").unwrap();
        sheet.write_number(1, 5, 2.5).unwrap();
        // Row 3 left blank; row 4 holds a value far to the right of nothing.
        sheet.write_string(3, 0, "bob@x.org").unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn xlsx_values_read_as_the_admin_typed_them() {
        let sheet = super::super::read(&typed_workbook(), &super::super::Limits::default()).unwrap();
        assert_eq!(sheet.headings, ["Email", "Phone", "Active", "Start", "Code", "Score"]);
        let rows: Vec<_> = sheet.rows().collect();
        assert_eq!(rows[0].number, 2);
        assert_eq!(rows[0].cells().collect::<Vec<_>>(), ["ann@x.org", "447700900123", "TRUE", "2024-01-31", "007", "2.5"]);
        assert_eq!(rows[1].number, 4, "blank rows are skipped but keep their numbers");
        assert_eq!(rows[1].cell(0), "bob@x.org");
    }

    #[test]
    fn a_row_never_shows_the_cells_of_the_row_before() {
        let mut row = RowCells::default();
        row.start(0);
        for (at, text) in [(0, "a"), (1, "b"), (3, "d")] {
            row.cell(at).push_str(text);
        }
        assert_eq!(row.cells().collect::<Vec<_>>(), ["a", "b", "", "d"]);
        row.start(1);
        row.cell(2).push_str("old");
        row.cell(2).push_str("new");
        assert_eq!(row.cells().collect::<Vec<_>>(), ["", "", "new"], "a cell given twice keeps the last value");
    }

    #[test]
    fn sheet_named_users_wins_else_the_first() {
        assert_eq!(pick_sheet(vec!["Readme".into(), "USERS".into()]).unwrap(), "USERS");
        assert_eq!(pick_sheet(vec!["Sheet1".into(), "Other".into()]).unwrap(), "Sheet1");
        assert!(pick_sheet(vec![]).is_err());
    }
}
