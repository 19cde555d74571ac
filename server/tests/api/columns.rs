use crate::helpers::*;
use serde_json::json;

fn lone_working() -> serde_json::Value {
    json!({ "column": { "name": "Lone Working", "kind": "boolean", "description": "Licensed for Lone Working" } })
}

#[tokio::test]
async fn admins_define_their_own_tenants_columns_and_nobody_else_can() {
    for db in acme_and_other(&[]).await {
        let app = spawn(&db, &[]);
        person(&db, "Acme", "max@acme.test", "Manager");
        let (ann, bob, zed) = (app.sign_in("ann@acme.test").await, app.sign_in("bob@acme.test").await, app.sign_in("zed@other.test").await);
        let max = app.sign_in("max@acme.test").await;
        assert_eq!(app.call_json("create_column", &lone_working(), None).await.status, 401, "{}", db.label);
        assert_eq!(app.call_json("create_column", &lone_working(), Some(&bob)).await.status, 403, "{}: a user defines nothing", db.label);
        assert_eq!(app.call_json("create_column", &lone_working(), Some(&max)).await.status, 403, "{}: nor does a manager", db.label);
        let change = json!({ "name": "Lone Working", "column": lone_working()["column"] });
        assert_eq!(app.call_json("change_column", &change, Some(&max)).await.status, 403);
        assert_eq!(app.call("remove_column", &[("name", "Lone Working")], Some(&bob)).await.status, 403);
        assert_eq!(app.call("list_columns", &[], Some(&bob)).await.status, 403);

        let created = app.call_json("create_column", &lone_working(), Some(&ann)).await;
        assert_eq!(created.status, 200, "{}: {}", db.label, created.body);
        let clash = json!({ "column": { "name": "Events", "kind": "boolean", "aliases": ["lone-working"] } });
        let refused = app.call_json("create_column", &clash, Some(&ann)).await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert!(refused.error().to_string().contains("taken by the column Lone Working"), "{}", refused.body);

        let listed = app.call("list_columns", &[], Some(&ann)).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        assert_eq!(listed.json()[0]["name"], "Lone Working");
        assert_eq!(listed.json().as_array().map(Vec::len), Some(1));
        let theirs = app.call("list_columns", &[], Some(&zed)).await;
        assert_eq!(theirs.json(), json!([]), "{}: another tenant's columns are apart", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM audit_events WHERE event = 'column_created' AND actor = 'ann@acme.test'").await, 1);
        assert_eq!(app.call_json("change_column", &change, Some(&zed)).await.status, 400, "{}: zed finds no such column in his tenant", db.label);
        assert_eq!(app.call("remove_column", &[("name", "Lone Working")], Some(&zed)).await.status, 400);
        assert_eq!(app.call("list_columns", &[], Some(&ann)).await.json().as_array().map(Vec::len), Some(1), "still there");
    }
}

fn define(db: &TestDb, args: &[&str]) {
    let mut all = vec!["column", "create", "--tenant", "Acme"];
    all.extend_from_slice(args);
    let out = roster(db, &all, "");
    assert!(out.status.success(), "{}: {out:?}", db.label);
}

fn import(db: &TestDb, file: &str) -> (i32, serde_json::Value) {
    let out = roster(db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", file, "--json"], "");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}: {out:?}", db.label));
    (out.status.code().unwrap(), json)
}

fn export(db: &TestDb) -> String {
    let out = roster(db, &["export", "--tenant", "Acme"], "");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The licence flags of a file in the conventions of "Add Multiple Users".
fn licences(db: &TestDb) {
    for name in ["Lone Working", "Events", "Audits"] {
        define(db, &["--kind", "boolean", "--description", &format!("Licensed for {name}"), name]);
    }
}

#[tokio::test]
async fn a_file_with_licence_columns_imports_exports_and_imports_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let file = saved(&dir, "seed-001.csv", "User Email,User First Name,User Last Name,Lone Working,Events,Audits\n\
        dan@acme.test,Dan,Doe,TRUE,FALSE,yes\n\
        eve@acme.test,Eve,Ng,FALSE,,1\n");
    for db in acme_and_other(&[]).await {
        let (status, json) = import(&db, &file);
        assert_eq!(status, 1, "{}: before the columns are defined, each is unknown", db.label);
        assert_eq!(json["errors"][0]["code"], "unknown_column");
        licences(&db);
        let (status, json) = import(&db, &file);
        assert_eq!(status, 0, "{}: {json}", db.label);
        assert_eq!(json["summary"]["added"], 2);
        let exported = export(&db);
        assert!(exported.lines().next().unwrap().ends_with(",Lone Working,Events,Audits"), "{exported}");
        let dan = exported.lines().find(|line| line.contains("dan@acme.test")).unwrap();
        assert!(dan.ends_with(",TRUE,FALSE,TRUE"), "{dan}");
        let eve = exported.lines().find(|line| line.contains("eve@acme.test")).unwrap();
        assert!(eve.ends_with(",FALSE,FALSE,TRUE"), "a blank boolean is FALSE: {eve}");
        let again = saved(&dir, format!("export-{}.csv", db.label), &exported);
        let (status, json) = import(&db, &again);
        assert_eq!((status, &json["summary"]["updated"]), (0, &json!(0)), "{}: {json}", db.label);
        let template = roster(&db, &["template", "--tenant", "Acme"], "");
        assert!(String::from_utf8_lossy(&template.stdout).trim_end().ends_with(",Lone Working,Events,Audits"), "{template:?}");
        let plain = roster(&db, &["template"], "");
        assert!(String::from_utf8_lossy(&plain.stdout).trim_end().ends_with(",Copy Groups"), "no tenant, no tenant's columns");
    }
}

/// The columns of a Governance Portal workbook.
fn governance(db: &TestDb) {
    define(db, &["--kind", "choice", "--choices", "Head Office|Field|Remote", "--required", "Default Context"]);
    define(db, &["--kind", "boolean", "--default", "yes", "Sharepoint User"]);
    define(db, &["--kind", "text", "--unique", "--max-length", "12", "--alias", "Employee No", "Employee Number"]);
}

fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let rows: Vec<Vec<String>> = rows.iter().map(|row| row.iter().map(|cell| cell.to_string()).collect()).collect();
    let sheet = app::sheet::Sheet::from_rows(&rows[0], &rows[1..], &app::sheet::Limits::default()).unwrap();
    app::import::write::corrected(&sheet, app::import::write::Format::Xlsx).unwrap()
}

#[tokio::test]
async fn a_workbook_with_a_required_choice_and_a_flag_is_checked_by_kind_and_imported() {
    let dir = tempfile::tempdir().unwrap();
    let headings: &[&str] = &["Email", "First Name", "Last Name", "Default Context", "Sharepoint User", "Employee No"];
    let bad = saved(&dir, "bad.xlsx", workbook(&[headings, &["dan@acme.test", "Dan", "Doe", "Feild", "", "E1"], &["eve@acme.test", "Eve", "Ng", "", "no", "E2"]]));
    let good = saved(&dir, "good.xlsx", workbook(&[headings, &["dan@acme.test", "Dan", "Doe", "field", "", "E1"], &["eve@acme.test", "Eve", "Ng", "Remote", "no", "E2"]]));
    for db in acme_and_other(&[]).await {
        governance(&db);
        let (status, json) = import(&db, &bad);
        assert_eq!(status, 1, "{}", db.label);
        let errors: Vec<(i64, &str, &str)> = json["errors"].as_array().unwrap().iter()
            .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        assert_eq!(errors, [(2, "Default Context", "invalid_choice"), (3, "Default Context", "required")], "{json}");
        assert!(json["errors"][0]["message"].as_str().unwrap().contains("Did you mean Field?"));
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users").await, 3, "nothing changed");
        let (status, json) = import(&db, &good);
        assert_eq!(status, 0, "{}: {json}", db.label);
        let exported = export(&db);
        let dan = exported.lines().find(|line| line.contains("dan@acme.test")).unwrap();
        assert!(dan.ends_with(",Field,TRUE,E1"), "the choice as the column spells it, the default flag: {dan}");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM unique_values").await, 2, "{}", db.label);
    }
}

#[tokio::test]
async fn a_unique_column_lets_one_of_two_imports_at_once_take_a_value() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = (0..2)
        .map(|i| saved(&dir, format!("{i}.csv"), format!("Email,Last Name,Default Context,Employee Number\nnew{i}@acme.test,New,Field,E-77\n")))
        .collect();
    for db in acme_and_other(&[]).await {
        governance(&db);
        let runs: Vec<_> = (files.iter())
            .map(|file| {
                command(&db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", file, "--json"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<_> = runs.into_iter().map(|r| r.wait_with_output().unwrap()).collect();
        let mut statuses: Vec<_> = outputs.iter().map(|o| o.status.code()).collect();
        statuses.sort();
        assert_eq!(statuses, [Some(0), Some(1)], "{}: {outputs:?}", db.label);
        let loser = outputs.iter().find(|o| o.status.code() == Some(1)).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&loser.stdout).unwrap();
        assert_eq!(json["errors"][0]["code"], "already_exists", "{json}");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM unique_values WHERE value_key = 'e-77'").await, 1);
        // The database refuses a second holder even where the application would not.
        let mut conn = connect(&db).await;
        let column = scalar(&db, "SELECT column_id FROM unique_values").await;
        let bob = scalar(&db, "SELECT id FROM users WHERE email_key = 'bob@acme.test'").await;
        let second = sqlx::query(&format!("INSERT INTO unique_values (column_id, value_key, user_id) VALUES ({column}, 'e-77', {bob})")).execute(&mut conn).await;
        assert!(second.is_err(), "{}", db.label);
    }
}

#[tokio::test]
async fn a_definition_changed_after_a_preview_makes_it_stale() {
    use app::commit::{commit, Batch, CommitError};
    for db in acme_and_other(&[]).await {
        governance(&db);
        let store = app::store::Db::open(&db.url).await.unwrap();
        let tenant = scalar(&db, "SELECT id FROM tenants WHERE name = 'Acme'").await;
        let mut conn = store.pool.acquire().await.unwrap();
        let actor = app::store::users::admin(&mut conn, tenant, "ann@acme.test").await.unwrap().unwrap();
        let directory = app::store::directory::load(&mut conn, tenant, Some(actor.user_id.clone())).await.unwrap();
        drop(conn);
        let sheet = app::sheet::read(b"Email,Last Name,Default Context\nnew@acme.test,New,Field\n", &app::sheet::Limits::default());
        let digest = app::import::check_read(&sheet, &directory).digest(sheet.as_ref().unwrap(), &directory);
        // Another admin adds a value to the list the preview was checked against.
        let changed = json!({ "name": "Default Context", "kind": "choice", "required": true, "choices": ["Head Office", "Field", "Remote", "Abroad"] });
        let saved = app::columns::change(&store, tenant, "zed", "Default Context", serde_json::from_value(changed).unwrap()).await.unwrap();
        assert_eq!(saved, app::model::columns::Changed::Saved);
        let batch = Batch { key: "k", file_name: "new.csv", checksum: "c".into(), sheet, previewed: Some((directory.version, digest)), undoes: None };
        let result = commit(&store, tenant, &actor, batch).await;
        assert!(matches!(result, Err(CommitError::Stale)), "{}: {result:?}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email_key = 'new@acme.test'").await, 0);
    }
}

#[tokio::test]
async fn columns_are_changed_renamed_and_removed_with_their_values_in_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let file = saved(&dir, "users.csv", "Email,Last Name,Default Context,Employee Number\ndan@acme.test,Doe,Field,E1\neve@acme.test,Ng,Field,E1X\nfay@acme.test,Fay,Remote,\n");
    for db in acme_and_other(&[]).await {
        governance(&db);
        assert_eq!(import(&db, &file).0, 0, "{}", db.label);
        let app = spawn(&db, &[]);
        let (ann, zed) = (app.sign_in("ann@acme.test").await, app.sign_in("zed@other.test").await);

        // Shortening the limit below a value in use is refused, naming the users.
        let shorter = json!({ "name": "Employee Number", "column": { "name": "Employee Number", "kind": "text", "unique": true, "max_length": 2 } });
        let refused = app.call_json("change_column", &shorter, Some(&ann)).await;
        assert_eq!(refused.status, 200, "{}", refused.body);
        assert_eq!(refused.json()["InTheWay"]["count"], 1, "{}", refused.body);
        let eve = scalar(&db, "SELECT id FROM users WHERE email_key = 'eve@acme.test'").await;
        assert_eq!(refused.json()["InTheWay"]["link"], format!("/users?ids={eve}"));

        let renamed = app.call("rename_choice", &[("name", "Default Context"), ("old", "Field"), ("new", "On Site")], Some(&ann)).await;
        assert_eq!((renamed.status, renamed.json()), (200, json!(2)), "{}: {}", db.label, renamed.body);
        assert!(export(&db).contains(",On Site,TRUE,E1\n"), "{}", export(&db));
        let batch = scalar(&db, "SELECT MAX(id) FROM import_batches").await;
        assert_eq!(scalar(&db, &format!("SELECT COUNT(*) FROM import_changes WHERE batch_id = {batch} AND old_value = 'Field' AND new_value = 'On Site'")).await, 2);

        assert_eq!(app.call("remove_column", &[("name", "Default Context")], Some(&zed)).await.status, 400, "another tenant's column is not found");
        let asked = app.call("remove_column", &[("name", "Employee Number")], Some(&ann)).await;
        assert_eq!(asked.json(), json!({ "Confirm": { "holders": 2 } }), "{}", asked.body);
        let wrong = app.call("remove_column", &[("name", "Employee Number"), ("holders", "1")], Some(&ann)).await;
        assert_eq!(wrong.json(), json!({ "Confirm": { "holders": 2 } }), "a count that is not true removes nothing");
        let removed = app.call("remove_column", &[("name", "Employee Number"), ("holders", "2")], Some(&ann)).await;
        assert_eq!(removed.json(), json!("Removed"), "{}", removed.body);
        assert!(!export(&db).contains("Employee Number"));
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE extra LIKE '%E1%'").await, 0, "{}: the values went with it", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM import_changes WHERE field = 'Employee Number' AND new_value = ''").await, 2);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM audit_events WHERE event = 'column_removed'").await, 1);
    }
}

#[tokio::test]
async fn the_users_list_shows_sorts_and_filters_by_a_tenant_s_column() {
    use app::model::users::{Filter, ListQuery, Sort, UserPage};
    let dir = tempfile::tempdir().unwrap();
    let file = saved(&dir, "users.csv", "Email,Last Name,Default Context,Sharepoint User,Employee Number\n\
        dan@acme.test,Doe,Remote,no,E3\neve@acme.test,Ng,Field,,E1\nfay@acme.test,Fay,Field,no,E2\n");
    for db in acme_and_other(&[]).await {
        governance(&db);
        assert_eq!(import(&db, &file).0, 0, "{}", db.label);
        let app = spawn(&db, &[]);
        let (ann, zed) = (app.sign_in("ann@acme.test").await, app.sign_in("zed@other.test").await);
        let list = |session: String, query: ListQuery| {
            let app = &app;
            async move {
                let reply = app.call_json("list_users", &json!({ "query": query }), Some(&session)).await;
                assert_eq!(reply.status, 200, "{}", reply.body);
                serde_json::from_str::<UserPage>(&reply.body).unwrap()
            }
        };
        let all = list(ann.clone(), ListQuery::default()).await;
        let names: Vec<&str> = all.columns.iter().map(|(_, c)| c.name.as_str()).collect();
        assert_eq!(names, ["Default Context", "Sharepoint User", "Employee Number"]);
        let (context, sharepoint, number) = (all.columns[0].0, all.columns[1].0, all.columns[2].0);
        let eve = all.users.iter().find(|l| l.user.email == "eve@acme.test").unwrap();
        assert_eq!(eve.user.values, ["Field", "TRUE", "E1"], "{}", db.label);

        let filtered = |own: String| ListQuery { filter: Filter { own, ..Filter::default() }, ..ListQuery::default() };
        let field = list(ann.clone(), filtered(format!("{context}:Field"))).await;
        let mut emails: Vec<&str> = field.users.iter().map(|l| l.user.email.as_str()).collect();
        emails.sort();
        assert_eq!((field.total, emails), (2, vec!["eve@acme.test", "fay@acme.test"]), "{}", db.label);
        let both = list(ann.clone(), filtered(format!("{context}:Field\n{sharepoint}:TRUE"))).await;
        assert_eq!(both.total, 1, "{}: eve alone, whose blank flag is its default", db.label);
        let flagged = list(ann.clone(), filtered(format!("{sharepoint}:TRUE"))).await;
        assert_eq!(flagged.total, 3, "{}: ann and bob never had a value, so they hold the default", db.label);

        let sorted = list(ann.clone(), ListQuery { sort: Sort::Own(number), descending: true, ..ListQuery::default() }).await;
        let numbers: Vec<&str> = sorted.users.iter().map(|l| l.user.values[2].as_str()).collect();
        assert_eq!(numbers, ["E3", "E2", "E1", "", ""], "{}", db.label);

        let theirs = list(zed.clone(), filtered(format!("{context}:Field"))).await;
        assert_eq!(theirs.total, 0, "{}: another tenant's column matches none of zed's users", db.label);
        assert!(theirs.columns.is_empty());
    }
}

#[tokio::test]
async fn a_column_keeps_its_kind_takes_a_new_spelling_in_every_user_and_its_changes_are_not_undone_as_imports() {
    use app::model::users::{ListQuery, Sort, UserPage};
    let dir = tempfile::tempdir().unwrap();
    let file = saved(&dir, "users.csv", "Email,Last Name,Default Context\ndan@acme.test,Doe,Field\neve@acme.test,Ng,Remote\n");
    for db in acme_and_other(&[]).await {
        governance(&db);
        assert_eq!(import(&db, &file).0, 0, "{}", db.label);
        // A user made after a boolean column holds its default, like a user an import makes.
        person(&db, "Acme", "max@acme.test", "Manager");
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;

        let to_text = json!({ "name": "Default Context", "column": { "name": "Default Context", "kind": "text" } });
        let refused = app.call_json("change_column", &to_text, Some(&ann)).await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert!(refused.error().to_string().contains("keeps its kind"), "{}", refused.body);

        let respelt = json!({ "name": "Default Context", "column": { "name": "Default Context", "kind": "choice", "required": true, "choices": ["Head Office", "FIELD", "Remote"] } });
        let saved = app.call_json("change_column", &respelt, Some(&ann)).await;
        assert_eq!(saved.json(), json!("Saved"), "{}", saved.body);
        let exported = export(&db);
        assert!(exported.contains(",FIELD,"), "{}: the value as the column now spells it: {exported}", db.label);

        let list = |query: ListQuery| {
            let (app, ann) = (&app, ann.clone());
            async move {
                let reply = app.call_json("list_users", &json!({ "query": query }), Some(&ann)).await;
                assert_eq!(reply.status, 200, "{}", reply.body);
                serde_json::from_str::<UserPage>(&reply.body).unwrap()
            }
        };
        let page = list(ListQuery::default()).await;
        let (context, sharepoint) = (page.columns[0].0, page.columns[1].0);
        let filter = app::model::users::Filter { own: format!("{sharepoint}:TRUE"), ..Default::default() };
        assert_eq!(list(ListQuery { filter, ..ListQuery::default() }).await.total, 5, "{}: max holds the default too", db.label);

        let removed = app.call("remove_column", &[("name", "Default Context"), ("holders", "2")], Some(&ann)).await;
        assert_eq!(removed.json(), json!("Removed"), "{}", removed.body);
        let gone = list(ListQuery { sort: Sort::Own(context), ..ListQuery::default() }).await;
        assert_eq!(gone.total, 5, "{}: a sort by a column that is gone is the usual order", db.label);
        let batch = scalar(&db, "SELECT MAX(id) FROM import_batches").await;
        let undo = app.call("undo_preview", &[("id", &batch.to_string()), ("overwrite", "false")], Some(&ann)).await;
        assert_eq!(undo.status, 400, "{}", undo.body);
        assert!(undo.error().to_string().contains("Columns page"), "{}", undo.body);
    }
}
