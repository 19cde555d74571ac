//! The files Roster gives out: the template, the export of users in the
//! import format, and the error log. Every cell a spreadsheet program would
//! run as a formula is neutralised; XLSX cells are always text.

use super::columns::{column_name, column_of, map_headings, suggest, Column};
use super::directory::DirectoryUser;
use super::tenant_columns::{TenantColumn, ValueKind};
use super::plan::Plan;
use super::fold;
use crate::sheet::{neutralise, Sheet};
use rust_xlsxwriter::{Color, DataValidation, Format as CellFormat, Note, Workbook, Worksheet, XlsxError};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the spreadsheet could not be written: {0}")]
pub struct WriteError(String);

impl From<XlsxError> for WriteError {
    fn from(error: XlsxError) -> Self {
        Self(error.to_string())
    }
}

impl From<csv::Error> for WriteError {
    fn from(error: csv::Error) -> Self {
        Self(error.to_string())
    }
}

/// Every column's name, in the template's order: Roster's, then the tenant's `own`.
pub fn headings(own: &[TenantColumn]) -> Vec<String> {
    Column::ALL.iter().map(|c| c.name().to_string()).chain(own.iter().map(|c| c.name.clone())).collect()
}

/// The values a tenant's column offers in a drop-down list, if any.
fn own_choices(column: &TenantColumn) -> Option<Vec<&str>> {
    match column.kind {
        ValueKind::Boolean => Some(vec!["TRUE", "FALSE"]),
        ValueKind::Choice => Some(column.choices.iter().map(String::as_str).collect()),
        ValueKind::Text | ValueKind::Date => None,
    }
}

/// Every column, Roster's and the tenant's `own`, no rows; the XLSX has
/// drop-down lists and an explanation sheet.
pub fn template(format: Format, own: &[TenantColumn]) -> Result<Vec<u8>, WriteError> {
    let headings = headings(own);
    match format {
        Format::Csv => csv(&headings, &[]),
        Format::Xlsx => {
            let mut book = Workbook::new();
            let sheet = users_sheet(&mut book, &headings, &[])?;
            let built_in = Column::ALL.iter().map(|column| (column.name(), column.choices().map(<[&str]>::to_vec)));
            let lists = built_in.chain(own.iter().map(|column| (column.name.as_str(), own_choices(column))));
            for (at, (name, choices)) in lists.enumerate() {
                let Some(choices) = choices else { continue };
                // A list longer than a spreadsheet's 255 characters is left to the check.
                let Ok(validation) = DataValidation::new().allow_list_strings(&choices) else { continue };
                let validation = validation.set_error_message(format!("{name}: choose one of {}.", choices.join(", ")))?;
                sheet.add_data_validation(1, at as u16, 1_048_575, at as u16, &validation)?;
            }
            explanation_sheet(&mut book, own)?;
            Ok(book.save_to_buffer()?)
        }
    }
}

/// Users in the import format, so that export → edit → import changes only
/// what was edited. Passwords are never exported.
pub fn export(users: &[DirectoryUser], own: &[TenantColumn], format: Format) -> Result<Vec<u8>, WriteError> {
    let rows: Vec<Vec<String>> = users.iter().map(export_row).collect();
    table(&headings(own), &rows, format)
}

/// The admin's sheet after their fixes in the page, to keep or import later.
/// It is their own file, so it keeps what they typed, passwords included.
pub fn corrected(sheet: &Sheet, format: Format) -> Result<Vec<u8>, WriteError> {
    let width = sheet.headings.len();
    let rows: Vec<Vec<String>> =
        sheet.rows().map(|row| (0..width.max(row.len())).map(|at| row.cell(at).to_string()).collect()).collect();
    table(&sheet.headings, &rows, format)
}

fn table(headings: &[String], rows: &[Vec<String>], format: Format) -> Result<Vec<u8>, WriteError> {
    match format {
        Format::Csv => csv(headings, rows),
        Format::Xlsx => {
            let mut book = Workbook::new();
            users_sheet(&mut book, headings, rows)?;
            Ok(book.save_to_buffer()?)
        }
    }
}

/// A user's row under [`headings`]: Roster's columns, then the values of the tenant's.
pub fn export_row(user: &DirectoryUser) -> Vec<String> {
    Column::ALL
        .iter()
        .map(|column| match column {
            Column::UserId => user.user_id.to_string(),
            Column::Email => user.email.to_string(),
            Column::FirstName => user.first_name.to_string(),
            Column::LastName => user.last_name.to_string(),
            Column::Title => user.title.to_string(),
            Column::Phone => user.phone.to_string(),
            Column::Phone2 => user.phone2.to_string(),
            Column::NetworkAccount => user.network_account.to_string(),
            Column::Locale => user.locale.to_string(),
            Column::AccessLevel => user.access.to_string(),
            Column::Active => if user.active { "TRUE" } else { "FALSE" }.to_string(),
            Column::ReportsTo => user.reports_to.to_string(),
            Column::Roles => names_cell(&user.roles),
            Column::Groups => names_cell(&user.groups),
            Column::TaskNotification => user.task_notification.to_string(),
            Column::Action
            | Column::Password
            | Column::NotifyIfNew
            | Column::Tenant
            | Column::CopyFrom
            | Column::CopyRoles
            | Column::CopyGroups => String::new(),
        })
        .chain(user.values.iter().map(ToString::to_string))
        .collect()
}

/// A row of every column for `user` with the Action cell set: how the pages
/// and undo write the batches they commit. A delete names its user only;
/// other cells would be checked for nothing.
pub fn action_row(action: &str, user: &DirectoryUser) -> Vec<String> {
    let mut row = export_row(user);
    row[0] = action.to_string();
    if action == "delete" {
        row.iter_mut().skip(2).for_each(String::clear);
    }
    row
}

/// The rows that have errors, with their original columns and a last column
/// `Error` in plain words. Passwords are blanked. In the XLSX the bad cells
/// are highlighted and carry their message as a note. `own` are the
/// tenant's columns the file was checked with.
pub fn error_log(sheet: &Sheet, plan: &Plan, own: &[TenantColumn], format: Format) -> Result<Vec<u8>, WriteError> {
    let (mapping, _) = map_headings(&sheet.headings, own);
    // Every column that may hold passwords: Password, the same column given
    // twice, and a misspelt heading that most likely means it.
    let secret: Vec<usize> = (sheet.headings.iter().enumerate())
        .filter(|(_, heading)| !heading.is_empty() && column_name(heading, own).is_none_or(|_| column_of(heading).is_some()))
        .filter(|(_, heading)| column_of(heading).unwrap_or_else(|| suggest(heading)) == Column::Password)
        .map(|(at, _)| at)
        .collect();
    let mut by_row: BTreeMap<u32, Vec<&super::Issue>> = BTreeMap::new();
    for issue in plan.errors.iter().filter(|i| i.row.is_some_and(|r| r > 1)) {
        by_row.entry(issue.row.unwrap_or_default()).or_default().push(issue);
    }
    let bad_rows = || sheet.rows().filter(|r| by_row.contains_key(&r.number));
    // `Error` comes after the widest row, values past the headings included.
    let width = bad_rows().map(|row| row.len()).fold(sheet.headings.len(), usize::max);
    let mut heading_row = sheet.headings.clone();
    heading_row.resize(width, String::new());
    heading_row.push("Error".into());
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for row in bad_rows() {
        let issues = &by_row[&row.number];
        let mut cells: Vec<String> = (0..width).map(|at| row.cell(at).to_string()).collect();
        secret.iter().for_each(|&at| cells[at].clear());
        cells.push(issues.iter().map(|i| &*i.message).collect::<Vec<_>>().join(" "));
        for issue in issues {
            let column = issue.column.as_deref().and_then(|name| match Column::ALL.iter().find(|c| c.name() == name) {
                Some(built_in) => mapping.position(*built_in),
                None => own.iter().position(|c| c.name == name).and_then(|index| mapping.own(index)),
            });
            if let Some(column) = column {
                notes.push((rows.len() as u32 + 1, column as u16, issue.message.to_string()));
            }
        }
        rows.push(cells);
    }
    match format {
        Format::Csv => csv(&heading_row, &rows),
        Format::Xlsx => {
            let mut book = Workbook::new();
            let sheet = users_sheet(&mut book, &heading_row, &rows)?;
            let bad = CellFormat::new().set_background_color(Color::RGB(0xFFD7D5));
            for (row, column, message) in notes {
                let value = rows[row as usize - 1].get(column as usize).cloned().unwrap_or_default();
                sheet.write_string_with_format(row, column, neutralise(&value), &bad)?;
                sheet.insert_note(row, column, &Note::new(message).set_author("Roster"))?;
            }
            Ok(book.save_to_buffer()?)
        }
    }
}

fn csv(headings: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, WriteError> {
    csv_part(Some(headings), rows)
}

/// A part of an export in CSV, for streaming: the first part (with
/// `first`) starts with the headings, the others hold rows only.
pub fn export_csv_part(users: &[DirectoryUser], own: &[TenantColumn], first: bool) -> Result<Vec<u8>, WriteError> {
    let rows: Vec<Vec<String>> = users.iter().map(export_row).collect();
    csv_part(first.then(|| headings(own)).as_deref(), &rows)
}

fn csv_part(headings: Option<&[String]>, rows: &[Vec<String>]) -> Result<Vec<u8>, WriteError> {
    // The BOM makes Excel read the file as UTF-8; Roster's reader removes it.
    let start = if headings.is_some() { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
    let mut writer = csv::Writer::from_writer(start);
    if let Some(headings) = headings {
        writer.write_record(headings.iter().map(|h| neutralise(h).into_owned()))?;
    }
    for row in rows {
        writer.write_record(row.iter().map(|cell| neutralise(cell).into_owned()))?;
    }
    writer.into_inner().map_err(|e| WriteError(e.to_string()))
}

fn users_sheet<'b>(book: &'b mut Workbook, headings: &[String], rows: &[Vec<String>]) -> Result<&'b mut Worksheet, WriteError> {
    let sheet = book.add_worksheet();
    sheet.set_name("Users")?;
    let bold = CellFormat::new().set_bold();
    for (at, heading) in headings.iter().enumerate() {
        sheet.write_string_with_format(0, at as u16, neutralise(heading), &bold)?;
        sheet.set_column_width(at as u16, 16)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (index, row) in rows.iter().enumerate() {
        for (at, cell) in row.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
            sheet.write_string(index as u32 + 1, at as u16, neutralise(cell))?;
        }
    }
    Ok(sheet)
}

fn explanation_sheet(book: &mut Workbook, own: &[TenantColumn]) -> Result<(), WriteError> {
    let sheet = book.add_worksheet();
    sheet.set_name("Columns")?;
    let bold = CellFormat::new().set_bold();
    let wrap = CellFormat::new().set_text_wrap();
    for (at, title) in ["Column", "Also accepted as", "What it holds", "Choices"].iter().enumerate() {
        sheet.write_string_with_format(0, at as u16, *title, &bold)?;
    }
    for (width, at) in [(18, 0), (30, 1), (70, 2), (40, 3)] {
        sheet.set_column_width(at, width)?;
    }
    for (index, column) in Column::ALL.iter().enumerate() {
        let row = index as u32 + 1;
        sheet.write_string(row, 0, column.name())?;
        sheet.write_string(row, 1, column.names()[1..].join(", "))?;
        sheet.write_string_with_format(row, 2, column.rule(), &wrap)?;
        sheet.write_string(row, 3, column.choices().map(|c| c.join(", ")).unwrap_or_default())?;
    }
    for (index, column) in own.iter().enumerate() {
        let row = (Column::ALL.len() + index) as u32 + 1;
        sheet.write_string(row, 0, neutralise(&column.name))?;
        sheet.write_string(row, 1, neutralise(&column.aliases.join(", ")))?;
        sheet.write_string_with_format(row, 2, neutralise(&own_rule(column)), &wrap)?;
        sheet.write_string(row, 3, neutralise(&own_choices(column).map(|c| c.join(", ")).unwrap_or_default()))?;
    }
    Ok(())
}

/// What a tenant's column holds, for the explanation sheet: its
/// description, then its kind and settings.
fn own_rule(column: &TenantColumn) -> String {
    let kind = match column.kind {
        ValueKind::Text => format!("text of at most {} characters", column.max_length),
        ValueKind::Boolean => "TRUE or FALSE".into(),
        ValueKind::Choice => "one of the choices".into(),
        ValueKind::Date => "a date, YYYY-MM-DD".into(),
    };
    let mut rule: Vec<String> = [column.description.trim().to_string(), kind].into_iter().filter(|part| !part.is_empty()).collect();
    if column.required {
        rule.push("required".into());
    }
    if column.unique {
        rule.push("unique in the organisation".into());
    }
    if let Some(default) = &column.default {
        rule.push(format!("blank means {default}"));
    }
    rule.join("; ")
}

/// Names as the export writes them: sorted, `|`-separated.
pub fn names_cell(names: &[impl AsRef<str>]) -> String {
    let mut sorted: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    // ASCII names (nearly all) compare without lower-case copies.
    if sorted.iter().all(|n| n.is_ascii()) {
        sorted.sort_by(|a, b| a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase())));
    } else {
        sorted.sort_by_cached_key(|n| fold(n));
    }
    sorted.join("|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{check, Directory};
    use crate::sheet::{read, Limits};
    use std::io::Read;

    fn part(xlsx: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut text = String::new();
        archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn the_xlsx_template_has_drop_downs_and_an_explanation_sheet() {
        let xlsx = template(Format::Xlsx, &[]).unwrap();
        let users = part(&xlsx, "xl/worksheets/sheet1.xml");
        assert_eq!(users.matches("<dataValidation ").count(), 8, "Action, Locale, Access Level, Active, Task Notification, Notify If New, Copy Roles, Copy Groups");
        assert!(users.contains("\"create,update,delete\""));
        let workbook = part(&xlsx, "xl/workbook.xml");
        assert!(workbook.contains("name=\"Users\"") && workbook.contains("name=\"Columns\""));
        let sheet = read(&xlsx, &Limits::default()).unwrap();
        assert_eq!(sheet.headings, Column::ALL.map(|c| c.name().to_string()));
    }

    #[test]
    fn the_error_log_keeps_bad_rows_adds_the_error_column_and_drops_passwords() {
        let file = "Email,Last Name,Password,Phone\nok@x.org,Ok,Secret123,0123456789\nbad,Bad,Secret456,12\n";
        let sheet = read(file.as_bytes(), &Limits::default()).unwrap();
        let plan = check(&sheet, &Directory { tenant: "Acme".into(), ..Directory::default() });
        let log = String::from_utf8(error_log(&sheet, &plan, &[], Format::Csv).unwrap()).unwrap();
        let lines: Vec<&str> = log.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "Email,Last Name,Password,Phone,Error");
        assert_eq!(lines.len(), 2, "{log}");
        assert!(lines[1].starts_with("bad,Bad,,12,"), "{}", lines[1]);
        assert!(lines[1].contains("not a valid e-mail address") && lines[1].contains("not a phone number"));
        assert!(!log.contains("Secret"));

        let xlsx = error_log(&sheet, &plan, &[], Format::Xlsx).unwrap();
        let back = read(&xlsx, &Limits::default()).unwrap();
        assert_eq!(back.headings.last().map(String::as_str), Some("Error"));
        assert_eq!(back.len(), 1);
        assert!(part(&xlsx, "xl/comments1.xml").contains("not a phone number"));
    }

    #[test]
    fn the_error_log_drops_every_password_column_and_puts_error_after_the_widest_row() {
        let file = "Email,Last Name,Password,User Password,Pasword\nbad,Bad,Secret1a,Secret2b,Secret3c,stray\n";
        let sheet = read(file.as_bytes(), &Limits::default()).unwrap();
        let plan = check(&sheet, &Directory { tenant: "Acme".into(), ..Directory::default() });
        let log = String::from_utf8(error_log(&sheet, &plan, &[], Format::Csv).unwrap()).unwrap();
        assert!(!log.contains("Secret"), "{log}");
        let lines: Vec<&str> = log.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "Email,Last Name,Password,User Password,Pasword,,Error");
        assert!(lines[1].starts_with("bad,Bad,,,,stray,"), "{}", lines[1]);
    }

    #[test]
    fn a_corrected_sheet_reads_back_as_it_was_in_either_format() {
        let sheet = read(b"Email,Last Name,Password\na@x.org,'=Lee,Secret-pass-1\nb@x.org,Kim\n", &Limits::default()).unwrap();
        for format in [Format::Csv, Format::Xlsx] {
            let back = read(&corrected(&sheet, format).unwrap(), &Limits::default()).unwrap();
            let cells = |s: &Sheet| s.rows().map(|r| r.cells().map(str::to_string).collect::<Vec<_>>()).collect::<Vec<_>>();
            assert_eq!(back.headings, sheet.headings);
            assert_eq!(cells(&back)[0], ["a@x.org", "=Lee", "Secret-pass-1"]);
            assert_eq!(cells(&back)[1][..2], ["b@x.org", "Kim"]);
        }
    }

    #[test]
    fn exported_cells_never_run_as_formulas() {
        let mut user = crate::import::DirectoryUser::new(&Directory::default());
        user.user_id = "u1".into();
        user.email = "u1@x.org".into();
        user.last_name = "=cmd|' /C calc'!A0".into();
        user.title = "@SUM(1)".into();
        let csv = String::from_utf8(export(&[user.clone()], &[], Format::Csv).unwrap()).unwrap();
        assert!(csv.contains("'=cmd") && csv.contains("'@SUM(1)"));
        let xlsx = export(&[user], &[], Format::Xlsx).unwrap();
        let cells = part(&xlsx, "xl/worksheets/sheet1.xml");
        assert!(!cells.contains("<f>"), "no formula cells");
    }
}
