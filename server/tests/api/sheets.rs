//! `roster check`, `export` and `template` on the real binary, with files
//! written in the conventions of several systems.

use crate::helpers::*;
use serde_json::Value;


fn check(db: &TestDb, file: &str) -> (i32, Value) {
    let out = roster(db, &["check", "--tenant", "Acme", file, "--json"], "");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}: {out:?}", db.label));
    (out.status.code().unwrap(), json)
}

fn codes(json: &Value) -> Vec<(Value, String)> {
    json["errors"].as_array().unwrap().iter().map(|e| (e["row"].clone(), e["code"].as_str().unwrap().to_string())).collect()
}

/// Acme with admin ann, users bob and cat, group Sales and role Support.
async fn acme() -> Vec<TestDb> {
    let mut all = databases().await;
    for db in &mut all {
        person(db, "Acme", "ann@acme.test", "Admin");
        person(db, "Acme", "bob@acme.test", "User");
        person(db, "Acme", "cat@acme.test", "User");
        assert!(roster(db, &["group", "create", "--tenant", "Acme", "Sales"], "").status.success());
        sql(db, "INSERT INTO roles (tenant_id, name, name_key) VALUES (1, 'Support', 'support')").await;
        sql(db, "INSERT INTO user_roles (user_id, role_id) SELECT id, 1 FROM users WHERE email_key = 'bob@acme.test'").await;
        sql(db, r#"INSERT INTO user_groups (user_id, group_id) SELECT id, 1 FROM users WHERE email_key = 'bob@acme.test'"#).await;
        sql(db, "UPDATE users SET reports_to = (SELECT id FROM users WHERE email_key = 'ann@acme.test'), title = '=HYPERLINK(1)' WHERE email_key = 'bob@acme.test'").await;
    }
    all
}

#[tokio::test]
async fn check_gives_spec_json_for_files_from_several_systems() {
    let dir = tempfile::tempdir().unwrap();
    // Okta-like headings, a DELETE transaction, semicolon lists.
    let okta = saved(&dir, "okta.csv", b"login,email,firstName,lastName,Transaction,Role Names,Teams\n\
        dan@acme.test,dan@acme.test,Dan,Doe,,Support;Onboarding,Sales\n\
        cat@acme.test,cat@acme.test,,,DELETE,,\n");
    // Semicolon-separated, Windows-1252, as Excel saves "CSV" in much of Europe.
    let excel_eu = saved(&dir, "excel-eu.csv", b"E-mail;Family Name;Given Name;Job Title\r\nzoe@acme.test;M\xfcller;Zo\xeb;Chef\r\n");
    for db in acme().await {
        let (status, json) = check(&db, &okta);
        assert_eq!(status, 0, "{}: {json}", db.label);
        assert_eq!(json["summary"], serde_json::json!({"added": 1, "updated": 0, "deleted": 1, "unchanged": 0, "roles_added": 1}));
        assert_eq!(json["applied"], false);
        assert!(json["warnings"].as_array().unwrap().iter().any(|w| w["code"] == "no_phone"));

        let (status, json) = check(&db, &excel_eu);
        assert_eq!(status, 0, "{json}");
        assert_eq!(json["summary"]["added"], 1);
    }
}

#[tokio::test]
async fn a_file_with_errors_exits_1_and_names_row_column_and_code() {
    let dir = tempfile::tempdir().unwrap();
    let bad = saved(&dir, "bad.csv", b"Email,Last Name,Phone,Groups,Shoe Size\nnot-an-email,X,123,Nowhere,42\ncat@acme.test,Cat,+44 20 7946 0000,,1\n");
    for db in acme().await {
        let (status, json) = check(&db, &bad);
        assert_eq!(status, 1, "{}: {json}", db.label);
        assert_eq!(
            codes(&json),
            [
                (Value::from(1), "unknown_column".to_string()),
                (Value::from(2), "invalid_email".to_string()),
                (Value::from(2), "invalid_phone".to_string()),
            ]
        );
        assert_eq!(json["errors"][1]["column"], "Email");
        assert!(json["errors"][0]["message"].as_str().unwrap().contains("Shoe Size"));
    }
}

#[tokio::test]
async fn unreadable_files_exit_2_with_a_file_level_error() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = saved(&dir, "users.xlsx", [0u8, 159, 146, 150, 0, 1, 2, 3]);
    let empty = saved(&dir, "empty.csv", b"Email,Last Name\n");
    for db in acme().await {
        let (status, json) = check(&db, &garbage);
        assert_eq!(status, 2, "{}", db.label);
        assert_eq!(codes(&json), [(Value::Null, "file_unreadable".to_string())]);
        let (status, json) = check(&db, &empty);
        assert_eq!(status, 1);
        assert_eq!(json["errors"][0]["message"], "Users file is empty");
        let (status, json) = check(&db, "/no/such/file.csv");
        assert_eq!(status, 2);
        assert_eq!(codes(&json), [(Value::Null, "file_unreadable".to_string())], "a file that is not there is reported in JSON too");
        assert!(json["errors"][0]["message"].as_str().unwrap().contains("/no/such/file.csv"), "{json}");
    }
}

#[tokio::test]
async fn export_then_check_changes_nothing_in_csv_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    for db in acme().await {
        let csv = roster(&db, &["export", "--tenant", "Acme"], "");
        assert!(csv.status.success(), "{csv:?}");
        let text = String::from_utf8(csv.stdout.clone()).unwrap();
        assert!(text.contains("'=HYPERLINK(1)"), "formula neutralised: {text}");
        assert!(text.contains("Support") && text.contains("Sales") && text.contains(",ann@acme.test,"));
        assert!(!text.contains("$argon2"), "no password hash is exported");
        let xlsx_path = dir.path().join(format!("{}.xlsx", db.label));
        let xlsx = roster(&db, &["export", "--tenant", "Acme", "--format", "xlsx", "-o", &xlsx_path.display().to_string()], "");
        assert!(xlsx.status.success());
        for file in [saved(&dir, "export.csv", &csv.stdout), xlsx_path.display().to_string()] {
            let (status, json) = check(&db, &file);
            assert_eq!(status, 0, "{}: {json}", db.label);
            assert_eq!(json["summary"], serde_json::json!({"added": 0, "updated": 0, "deleted": 0, "unchanged": 3, "roles_added": 0}));
        }
    }
}

#[tokio::test]
async fn the_template_has_every_column_and_needs_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::unused();
    let csv = roster(&db, &["template"], "");
    assert!(csv.status.success());
    let headings = String::from_utf8(csv.stdout).unwrap();
    assert!(headings.starts_with("\u{feff}Action,User ID,Email,First Name,Last Name,Title,Phone,Phone 2,Network Account,Password"));
    assert!(headings.trim_end().ends_with("Tenant,Copy From,Copy Roles,Copy Groups"));
    let path = dir.path().join("template.xlsx");
    let xlsx = roster(&db, &["template", "--format", "xlsx", "-o", &path.display().to_string()], "");
    assert!(xlsx.status.success(), "{xlsx:?}");
    let sheet = app::sheet::read(&std::fs::read(&path).unwrap(), &Default::default()).unwrap();
    assert_eq!(sheet.headings.len(), 22);
    let wrong = roster(&db, &["template", "--format", "pdf"], "");
    assert_eq!(wrong.status.code(), Some(2));
}
