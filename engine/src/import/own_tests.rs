//! The tenant's own columns through the whole check: headings, each kind's
//! cells, required, default and unique, in the file and against the
//! directory, the plan's changes and the files Roster writes.

use super::snapshot::Snapshot;
use super::tenant_columns::{TenantColumn, ValueKind};
use super::write::{self, Format};
use super::*;
use crate::pace::{straight, Straight};
use crate::sheet::{self, Limits};

fn columns() -> Vec<TenantColumn> {
    let context = TenantColumn {
        required: true,
        choices: vec!["Head Office".into(), "Field".into()],
        aliases: vec!["Context".into()],
        ..TenantColumn::new("Default Context", ValueKind::Choice)
    };
    let number = TenantColumn { unique: true, ..TenantColumn::new("Employee Number", ValueKind::Text) };
    let sharepoint = TenantColumn { default: Some("TRUE".into()), ..TenantColumn::new("Sharepoint User", ValueKind::Boolean) };
    vec![TenantColumn::new("Lone Working", ValueKind::Boolean), context, number, TenantColumn::new("Start Date", ValueKind::Date), sharepoint]
}

/// Acme with its own columns: `ann` (an admin, who runs the import) and `bob`.
fn acme() -> Directory {
    let mut directory = Directory { tenant: "Acme".into(), acting_user: Some("ann".into()), columns: columns(), ..Directory::default() };
    for (user_id, number) in [("ann", "E1"), ("bob", "E2")] {
        let mut user = DirectoryUser::new(&directory);
        user.user_id = user_id.into();
        user.email = format!("{user_id}@acme.test").into();
        user.last_name = "Last".into();
        user.has_password = true;
        user.values = ["FALSE", "Head Office", number, "", "TRUE"].map(Name::from).to_vec();
        directory.users.push(user);
    }
    directory.users[0].access = crate::domain::access::AccessLevel::Admin;
    directory
}

fn run(csv: &str) -> Plan {
    check_file(csv.as_bytes(), &Limits::default(), &acme())
}

fn errors(plan: &Plan) -> Vec<(u32, &str, Code)> {
    plan.errors.iter().map(|i| (i.row.unwrap_or(0), i.column.as_deref().unwrap_or(""), i.code)).collect()
}

/// The users a plan of `csv` creates, as they will be.
fn created(csv: &str) -> Vec<DirectoryUser> {
    let (sheet, directory) = (sheet::read(csv.as_bytes(), &Limits::default()).unwrap(), acme());
    let plan = check(&sheet, &directory);
    assert!(plan.is_valid(), "{:?}", plan.errors);
    plan::created(&plan, &sheet, &directory).map(|c| c.user).collect()
}

#[test]
fn headings_match_names_and_aliases_and_unknown_ones_suggest_the_tenant_s_column() {
    let (mapping, issues) = columns::map_headings(&["email".into(), "lone_working".into(), "CONTEXT".into()], &columns());
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!((mapping.own(0), mapping.own(1), mapping.own(2)), (Some(1), Some(2), None));
    let (_, issues) = columns::map_headings(&["Lone Workin".into(), "Default Context".into(), "Context".into()], &columns());
    assert_eq!(issues.len(), 2);
    assert!(issues[0].message.contains("Did you mean `Lone Working`?"), "{}", issues[0].message);
    assert_eq!(issues[1].code, Code::DuplicateColumn);
    assert!(issues[1].message.contains("Default Context again"), "{}", issues[1].message);
}

#[test]
fn each_cell_is_read_by_its_kind_and_a_bad_one_names_row_column_and_fix() {
    let plan = run("Email,Last Name,Lone Working,Default Context,Start Date\n\
                    dan@acme.test,Doe,maybe,Feild,2026-02-30\n\
                    eve@acme.test,Eve,yes,field,2026-03-01\n");
    assert_eq!(errors(&plan), [(2, "Lone Working", Code::InvalidBoolean), (2, "Default Context", Code::InvalidChoice), (2, "Start Date", Code::InvalidDate)]);
    assert!(plan.errors[1].message.contains("Head Office, Field") && plan.errors[1].message.contains("Did you mean Field?"));
    let eve = created("Email,Last Name,Lone Working,Default Context,Start Date\neve@acme.test,Eve,yes,field,2026-03-01\n");
    assert_eq!(eve[0].values, ["TRUE", "Field", "", "2026-03-01", "TRUE"], "kept as the column spells it; defaults for the rest");
}

#[test]
fn a_required_column_needs_a_value_for_a_new_user_and_cannot_be_cleared() {
    let plan = run("Email,Last Name\ndan@acme.test,Doe\n");
    assert_eq!(errors(&plan), [(2, "Default Context", Code::Required)], "a file without the column creates nobody without one");
    let plan = run("Email,Last Name,Default Context\ndan@acme.test,Doe,\nbob@acme.test,Last,\n");
    assert_eq!(errors(&plan), [(2, "Default Context", Code::Required), (3, "Default Context", Code::Required)]);
    assert!(plan.errors[1].message.contains("not cleared"), "{}", plan.errors[1].message);

    // A user from before the column was required has no value, and may keep having none.
    let mut directory = acme();
    directory.users[1].values[1] = Name::default();
    let plan = check_file(b"Email,Last Name,Default Context,Title\nbob@acme.test,Last,,Lead\n", &Limits::default(), &directory);
    assert!(plan.is_valid(), "{:?}", plan.errors);
}

#[test]
fn the_error_log_keeps_a_tenant_s_column_whose_name_looks_like_password() {
    let mut directory = acme();
    directory.columns.push(TenantColumn::new("Passport", ValueKind::Text));
    directory.users.iter_mut().for_each(|u| u.values.push(Name::default()));
    let sheet = sheet::read(b"Email,Last Name,Passport,Pasword\ndan@acme.test,Doe,P123,Secret1\n", &Limits::default()).unwrap();
    let plan = check(&sheet, &directory);
    let log = String::from_utf8(write::error_log(&sheet, &plan, &directory.columns, Format::Csv).unwrap()).unwrap();
    assert!(log.contains("P123") && !log.contains("Secret1"), "{log}");
}

#[test]
fn an_absent_column_leaves_values_alone_and_a_blank_cell_clears_or_restores_the_default() {
    let plan = run("Email,Last Name,Title\nbob@acme.test,Last,Lead\n");
    assert!(plan.is_valid(), "{:?}", plan.errors);
    assert_eq!(plan.updates[0].user.values, acme().users[1].values, "untouched");
    let plan = run("Email,Last Name,Employee Number,Sharepoint User,Lone Working\nbob@acme.test,Last,,FALSE,\n");
    let changes: Vec<_> = plan.updates[0].changes.iter().map(|c| (c.field.name(), c.old.as_str(), c.new.as_str())).collect();
    assert_eq!(changes, [("Employee Number", "E2", ""), ("Sharepoint User", "TRUE", "FALSE")]);
    let plan = run("Email,Last Name,Sharepoint User\nbob@acme.test,Last,\n");
    assert_eq!(plan.unchanged, [2], "a blank boolean is its default, which bob has");
}

#[test]
fn a_unique_column_is_unique_in_the_file_and_against_the_directory_counting_what_the_file_frees() {
    let plan = run("Email,Last Name,Default Context,Employee Number\n\
                    dan@acme.test,Doe,Field,e1\n\
                    eve@acme.test,Eve,Field,E9\n\
                    fay@acme.test,Fay,Field,e9\n");
    assert_eq!(errors(&plan), [(2, "Employee Number", Code::AlreadyExists), (4, "Employee Number", Code::DuplicateInFile)]);
    assert!(plan.errors[0].message.contains("ann"), "{}", plan.errors[0].message);
    // bob gives up E2 in the same file, so dan may take it.
    let plan = run("Email,Last Name,Default Context,Employee Number\nbob@acme.test,Last,Field,E7\ndan@acme.test,Doe,Field,E2\n");
    assert!(plan.is_valid(), "{:?}", plan.errors);
}

#[test]
fn the_digest_moves_with_a_definition_and_the_values_of_a_new_user() {
    let csv = "Email,Last Name,Default Context\ndan@acme.test,Doe,Field\n";
    let sheet = sheet::read(csv.as_bytes(), &Limits::default()).unwrap();
    let directory = acme();
    let digest = check(&sheet, &directory).digest(&sheet, &directory);
    let mut renamed = acme();
    renamed.columns[1].choices.push("Remote".into());
    assert_ne!(check(&sheet, &renamed).digest(&sheet, &renamed), digest, "a new choice makes the preview stale");
    let other = sheet::read(csv.replace("Field", "Head Office").as_bytes(), &Limits::default()).unwrap();
    assert_ne!(check(&other, &directory).digest(&other, &directory), digest);
}

#[test]
fn date_and_boolean_cells_of_a_workbook_are_read_as_such() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (at, heading) in ["Email", "Last Name", "Default Context", "Start Date", "Lone Working"].iter().enumerate() {
        sheet.write_string(0, at as u16, *heading).unwrap();
    }
    sheet.write_string(1, 0, "dan@acme.test").unwrap();
    sheet.write_string(1, 1, "Doe").unwrap();
    sheet.write_string(1, 2, "Field").unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 31).unwrap();
    sheet.write_datetime_with_format(1, 3, &date, &rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy")).unwrap();
    sheet.write_boolean(1, 4, true).unwrap();
    let plan = check_file(&book.save_to_buffer().unwrap(), &Limits::default(), &acme());
    assert!(plan.is_valid(), "{:?}", plan.errors);
    let sheet = sheet::read(&book.save_to_buffer().unwrap(), &Limits::default()).unwrap();
    let dan = plan::created(&plan, &sheet, &acme()).next().unwrap().user;
    assert_eq!(&dan.values[3..], ["2026-01-31", "TRUE"]);
}

#[test]
fn date_and_boolean_cells_of_an_ods_are_read_as_such() {
    use std::io::Write;
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Users">
<table:table-row><table:table-cell office:value-type="string"><text:p>Email</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Last Name</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Default Context</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Start Date</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Lone Working</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>dan@acme.test</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Doe</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Field</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2026-01-31"><text:p>31/01/2026</text:p></table:table-cell><table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut bytes);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    zip.finish().unwrap();
    let bytes = bytes.into_inner();
    let sheet = sheet::read(&bytes, &Limits::default()).unwrap();
    let plan = check(&sheet, &acme());
    assert!(plan.is_valid(), "{:?}", plan.errors);
    let dan = plan::created(&plan, &sheet, &acme()).next().unwrap().user;
    assert_eq!(&dan.values[3..], ["2026-01-31", "TRUE"]);
}

#[test]
fn the_snapshot_keeps_the_definitions_and_values() {
    let directory = acme();
    let decoded = straight(Snapshot::encode(&directory).decode(&mut Straight)).unwrap();
    assert_eq!(decoded.columns, directory.columns);
    assert_eq!(decoded, directory);
}

#[test]
fn the_template_export_and_error_log_carry_the_tenant_s_columns() {
    let directory = acme();
    let csv = String::from_utf8(write::template(Format::Csv, &directory.columns).unwrap()).unwrap();
    assert!(csv.trim_end().ends_with("Lone Working,Default Context,Employee Number,Start Date,Sharepoint User"), "{csv}");
    let xlsx = write::template(Format::Xlsx, &directory.columns).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&xlsx)).unwrap();
    let mut users = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut users).unwrap();
    assert!(users.contains("\"Head Office,Field\""), "the choice column's drop-down list");
    assert_eq!(users.matches("<dataValidation ").count(), 8 + 3, "two booleans and a choice besides Roster's own");
    let export = write::export(&directory.users, &directory.columns, Format::Csv).unwrap();
    let plan = check_file(&export, &Limits::default(), &directory);
    assert!(plan.is_valid() && plan.updates.is_empty(), "{:?}", plan.errors);
    assert_eq!(plan.unchanged.len(), 2);

    let bad = "Email,Last Name,Default Context\ndan@acme.test,Doe,Elsewhere\n";
    let sheet = sheet::read(bad.as_bytes(), &Limits::default()).unwrap();
    let plan = check(&sheet, &directory);
    let log = write::error_log(&sheet, &plan, &directory.columns, Format::Xlsx).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&log)).unwrap();
    let mut notes = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/comments1.xml").unwrap(), &mut notes).unwrap();
    assert!(notes.contains("not one of the values of Default Context"), "the bad cell carries its message");
}
