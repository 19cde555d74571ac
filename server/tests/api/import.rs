//! `roster import`: all or nothing, once, and recorded.

use crate::helpers::*;
use serde_json::Value;

fn import(db: &TestDb, file: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["import", "--tenant", "Acme", "--as", "ann@acme.test", file, "--json"];
    args.extend_from_slice(extra);
    let out = roster(db, &args, "");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}: {out:?}", db.label));
    (out.status.code().unwrap(), json)
}

async fn acme() -> Vec<TestDb> {
    let mut all = databases().await;
    for db in &mut all {
        person(db, "Acme", "ann@acme.test", "Admin");
        person(db, "Acme", "bob@acme.test", "User");
        assert!(roster(db, &["group", "create", "--tenant", "Acme", "Sales"], "").status.success());
    }
    all
}

/// Every table, row by row, as text: equal dumps mean an unchanged database.
async fn dump(db: &TestDb) -> String {
    use sqlx::Row;
    let mut conn = connect(db).await;
    let mut out = String::new();
    for (table, order) in [
        ("tenants", "id"), ("users", "id"), ("roles", "id"), (r#""groups""#, "id"), ("user_roles", "user_id, role_id"),
        ("user_groups", "user_id, group_id"), ("import_batches", "id"), ("import_changes", "id"), ("audit_events", "id"),
    ] {
        let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {order}")).fetch_all(&mut conn).await.unwrap();
        for row in rows {
            let cells: Vec<String> = (0..row.len())
                .map(|i| {
                    row.try_get::<Option<String>, _>(i)
                        .map(|v| format!("{v:?}"))
                        .or_else(|_| row.try_get::<Option<i64>, _>(i).map(|v| format!("{v:?}")))
                        .unwrap_or_else(|_| "?".into())
                })
                .collect();
            out.push_str(&format!("{table}: {}\n", cells.join(", ")));
        }
    }
    out
}

#[tokio::test]
async fn an_import_applies_every_row_and_records_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(&dir, "users.csv", "User ID,Email,First Name,Last Name,Password,Roles,Groups,Reports To,Access Level\n\
        dan,dan@acme.test,Dan,Doe,Welcome123,Support|Ops,Sales,ann@acme.test,Manager\n\
        eve,eve@acme.test,Eve,Ng,,Support,,dan,User\n\
        bob@acme.test,bob@acme.test,Bob,Tester,,,,dan,User\n");
    let file = path;
    for db in acme().await {
        let (status, json) = import(&db, &file, &[]);
        assert_eq!(status, 0, "{}: {json}", db.label);
        assert_eq!(json["applied"], true);
        assert_eq!(json["summary"], serde_json::json!({"added": 2, "updated": 1, "deleted": 0, "unchanged": 0, "roles_added": 2}));
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users").await, 4);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM roles").await, 2);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM user_roles").await, 3);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM user_groups").await, 1);
        let reports_to_dan = "SELECT COUNT(*) FROM users u JOIN users m ON m.id = u.reports_to WHERE m.user_id = 'dan'";
        assert_eq!(scalar(&db, reports_to_dan).await, 2, "eve and bob report to dan");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM import_batches WHERE added = 2 AND updated = 1").await, 1);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM audit_events WHERE event = 'user_created'").await, 2);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM audit_events WHERE event IN ('user_updated', 'authz_change')").await, 1, "bob");
        let first = "SELECT COUNT(*) FROM audit_events WHERE event = 'batch_started' AND id = (SELECT MIN(id) FROM audit_events WHERE batch_id IS NOT NULL)";
        let last = "SELECT COUNT(*) FROM audit_events WHERE event = 'batch_finished' AND id = (SELECT MAX(id) FROM audit_events WHERE batch_id IS NOT NULL)";
        assert_eq!((scalar(&db, first).await, scalar(&db, last).await), (1, 1), "the batch's events start and end it");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM audit_events WHERE batch_id IS NOT NULL").await, 5, "start, three users, end");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM import_changes WHERE new_value LIKE '%Welcome123%'").await, 0, "no password in the history");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM import_changes WHERE action = 'create' AND new_value LIKE '%Password=set%'").await, 1);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM import_changes WHERE action = 'update' AND field = 'Reports To'").await, 1, "bob's new manager");

        // dan signs in with the imported password.
        let app = spawn(&db, &[]);
        let reply = app.call("login", &[("email", "dan"), ("password", "Welcome123")], None).await;
        assert_eq!(reply.status, 200, "{}", reply.body);

        // Checking the same file again now changes nothing.
        let again = roster(&db, &["check", "--tenant", "Acme", &file, "--json"], "");
        let json: Value = serde_json::from_slice(&again.stdout).unwrap();
        assert_eq!(json["summary"]["unchanged"], 2, "{json}");
    }
}

#[tokio::test]
async fn an_error_in_the_last_row_of_10000_changes_nothing_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("Email,Last Name,Phone\n");
    for i in 0..9_999 {
        text.push_str(&format!("user{i}@acme.test,User{i},0123456789\n"));
    }
    text.push_str("not-an-email,Last,0123456789\n");
    let path = saved(&dir, "big.csv", text);
    for db in acme().await {
        let before = dump(&db).await;
        let (status, json) = import(&db, &path, &[]);
        assert_eq!(status, 1, "{}: {json}", db.label);
        assert_eq!(json["applied"], false);
        assert_eq!(json["errors"][0]["row"], 10_001);
        assert_eq!(json["errors"][0]["code"], "invalid_email");
        assert_eq!(dump(&db).await, before, "{}: the database is exactly as it was", db.label);
    }
}

#[tokio::test]
async fn new_users_may_report_to_a_new_manager_further_down_a_big_file() {
    // 10,001 rows, more than one chunk of writes: every row names the last
    // one as manager, so writing in file order would name a user not there yet.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("User ID,Email,Last Name,Reports To\n");
    for i in 0..10_000 {
        text.push_str(&format!("u{i},u{i}@acme.test,User{i},boss\n"));
    }
    text.push_str("boss,boss@acme.test,Boss,ann@acme.test\n");
    let path = saved(&dir, "big.csv", text);
    for db in acme().await {
        let (status, json) = import(&db, &path, &[]);
        assert_eq!(status, 0, "{}: {json}", db.label);
        let reports_to_boss = "SELECT COUNT(*) FROM users u JOIN users m ON m.id = u.reports_to WHERE m.user_id = 'boss'";
        assert_eq!(scalar(&db, reports_to_boss).await, 10_000, "{}", db.label);
        let boss_reports_to_ann = "SELECT COUNT(*) FROM users u JOIN users m ON m.id = u.reports_to WHERE u.user_id = 'boss' AND m.email = 'ann@acme.test'";
        assert_eq!(scalar(&db, boss_reports_to_ann).await, 1);
        // The import took its ids ahead of the writes; a user added afterwards gets a fresh one.
        person(&db, "Acme", "later@acme.test", "User");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users").await, 10_004, "{}", db.label);
    }
}

#[tokio::test]
async fn each_update_writes_exactly_the_fields_it_changes() {
    // Two rows that change different fields: each statement sets only its own.
    let dir = tempfile::tempdir().unwrap();
    let path = saved(&dir, "updates.csv", "User ID,Email,Last Name,Title\n\
        bob@acme.test,robert@acme.test,Tester,\n\
        ann@acme.test,ann@acme.test,Tester,Chief\n");
    let file = path;
    for db in acme().await {
        let (status, json) = import(&db, &file, &[]);
        assert_eq!(status, 0, "{}: {json}", db.label);
        assert_eq!(json["summary"]["updated"], 2, "{json}");
        let bob = "SELECT COUNT(*) FROM users WHERE user_id = 'bob@acme.test' AND email_key = 'robert@acme.test'
                   AND search LIKE '%robert@acme.test%' AND title = '' AND last_name = 'Tester'";
        assert_eq!(scalar(&db, bob).await, 1, "{}: bob's new address, its key and the search text", db.label);
        let ann = "SELECT COUNT(*) FROM users WHERE email_key = 'ann@acme.test' AND title = 'Chief' AND search LIKE '%ann@acme.test%'";
        assert_eq!(scalar(&db, ann).await, 1, "{}", db.label);
        let again = roster(&db, &["check", "--tenant", "Acme", &file, "--json"], "");
        let json: Value = serde_json::from_slice(&again.stdout).unwrap();
        assert_eq!(json["summary"]["unchanged"], 2, "{}: {json}", db.label);
    }
}

#[tokio::test]
async fn the_same_batch_id_applies_once_and_cannot_be_reused_for_another_file() {
    let dir = tempfile::tempdir().unwrap();
    let first = saved(&dir, "a.csv", "Email,Last Name\nnew@acme.test,New\n");
    let second = saved(&dir, "b.csv", "Email,Last Name\nother@acme.test,Other\n");
    for db in acme().await {
        let (status, _) = import(&db, &first, &["--batch-id", "b-1"]);
        assert_eq!(status, 0, "{}", db.label);
        let (status, json) = import(&db, &first, &["--batch-id", "b-1"]);
        assert_eq!(status, 0);
        assert_eq!(json["summary"]["added"], 1, "the first result is given back");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email_key = 'new@acme.test'").await, 1);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM import_batches").await, 1);

        let reused = roster(&db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", &second, "--batch-id", "b-1"], "");
        assert_eq!(reused.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&reused.stderr).contains("used before for a different file"));
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email_key = 'other@acme.test'").await, 0);
    }
}

#[tokio::test]
async fn two_imports_of_the_same_new_address_at_once_let_exactly_one_win() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = (0..2)
        .map(|i| {
            let path = saved(&dir, format!("{i}.csv"), format!("Action,Email,Last Name,Title\ncreate,same@acme.test,Same,Try {i}\n"));
            path
        })
        .collect();
    for db in acme().await {
        let runs: Vec<_> = files
            .iter()
            .map(|file| {
                command(&db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", file, "--json"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<_> = runs.into_iter().map(|r| r.wait_with_output().unwrap()).collect();
        let statuses: Vec<_> = outputs.iter().map(|o| o.status.code()).collect();
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(sorted, [Some(0), Some(1)], "{}: {outputs:?}", db.label);
        let loser = &outputs[statuses.iter().position(|s| *s == Some(1)).unwrap()];
        let json: Value = serde_json::from_slice(&loser.stdout).unwrap();
        assert_eq!(json["errors"][0]["code"], "already_exists", "the second sees the first's user, not a busy error");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email_key = 'same@acme.test'").await, 1);
    }
}

#[tokio::test]
async fn an_admin_cannot_lock_themselves_out_and_only_admins_may_import() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(&dir, "self.csv", "Email,Last Name,Active\nann@acme.test,Tester,FALSE\n");
    for db in acme().await {
        let (status, json) = import(&db, &path, &[]);
        assert_eq!(status, 1, "{}", db.label);
        assert_eq!(json["errors"][0]["code"], "self_lockout");
        let as_user = roster(&db, &["import", "--tenant", "Acme", "--as", "bob@acme.test", &path], "");
        assert_eq!(as_user.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&as_user.stderr).contains("is not an active admin"));
    }
}

#[tokio::test]
async fn an_address_or_network_account_a_file_frees_may_be_taken_in_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let first = saved(&dir, "first.csv", "User ID,Email,Last Name,Network Account\ndan,dan@acme.test,Dan,ACME\\dan\neve,eve@acme.test,Eve,ACME\\eve\n");
    // Bob leaves and a new user takes his address; Dan and Eve swap theirs.
    let second = saved(&dir, "second.csv", "Action,User ID,Email,Last Name,Network Account\n\
        delete,bob@acme.test,,,\n\
        create,bobby,bob@acme.test,Bobby,\n\
        update,dan,eve@acme.test,Dan,ACME\\eve\n\
        update,eve,dan@acme.test,Eve,ACME\\dan\n");
    for db in acme().await {
        assert_eq!(import(&db, &first, &[]).0, 0, "{}", db.label);
        let (status, json) = import(&db, &second, &[]);
        assert_eq!(status, 0, "{}: {json}", db.label);
        assert_eq!(json["summary"]["added"], 1, "{json}");
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE user_id = 'bobby' AND email_key = 'bob@acme.test'").await, 1, "{}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE user_id = 'bob@acme.test'").await, 0);
        for (user, email, network) in [("dan", "eve@acme.test", "acme\\eve"), ("eve", "dan@acme.test", "acme\\dan")] {
            let query = format!("SELECT COUNT(*) FROM users WHERE user_id = '{user}' AND email_key = '{email}' AND network_account_key = '{network}'");
            assert_eq!(scalar(&db, &query).await, 1, "{}: {user}", db.label);
        }
    }
}

/// The store of `db` opened in this process, Acme's id, and Ann as the
/// actor of a commit called directly, as a server function calls it.
async fn direct(db: &TestDb) -> (app::store::Db, i64, app::commit::Actor) {
    let store = app::store::Db::open(&db.url).await.unwrap();
    let tenant = scalar(db, "SELECT id FROM tenants").await;
    let mut conn = store.pool.acquire().await.unwrap();
    let actor = app::store::users::admin(&mut conn, tenant, "ann@acme.test").await.unwrap().expect("ann is an admin");
    drop(conn);
    (store, tenant, actor)
}

#[tokio::test]
async fn an_admin_demoted_before_their_import_takes_the_lock_imports_nothing() {
    use app::commit::{commit, Batch, CommitError};
    for db in acme().await {
        let (store, tenant, actor) = direct(&db).await;
        // Another admin demotes Ann after her session was checked.
        sql(&db, "UPDATE users SET access_level = 'User' WHERE email_key = 'ann@acme.test'").await;
        let sheet = app::sheet::read(b"Email,Last Name\nnew@acme.test,New\n", &app::sheet::Limits::default());
        let batch = Batch { key: "k-1", file_name: "new.csv", checksum: "c".into(), sheet, previewed: None, undoes: None };
        let result = commit(&store, tenant, &actor, batch).await;
        assert!(matches!(result, Err(CommitError::NotAdmin)), "{}: {result:?}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email_key = 'new@acme.test'").await, 0);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM import_batches").await, 0);
    }
}

#[tokio::test]
async fn a_delete_previewed_before_the_user_changed_is_stale() {
    use app::commit::{commit, Batch, CommitError};
    for db in acme().await {
        let (store, tenant, actor) = direct(&db).await;
        let mut conn = store.pool.acquire().await.unwrap();
        let directory = app::store::directory::load(&mut conn, tenant, Some(actor.user_id.clone())).await.unwrap();
        drop(conn);
        let sheet = app::sheet::read(b"Action,User ID,Email\ndelete,bob@acme.test,\n", &app::sheet::Limits::default());
        let previewed = app::import::check_read(&sheet, &directory);
        let digest = previewed.digest(sheet.as_ref().unwrap(), &directory);
        // Someone changes Bob after the preview: the delete would now take that change with him.
        sql(&db, "UPDATE users SET title = 'Chief' WHERE email_key = 'bob@acme.test'").await;
        sql(&db, "UPDATE tenants SET version = version + 1").await;
        let batch = Batch { key: "k-2", file_name: "leave.csv", checksum: "c".into(), sheet, previewed: Some((directory.version, digest)), undoes: None };
        let result = commit(&store, tenant, &actor, batch).await;
        assert!(matches!(result, Err(CommitError::Stale)), "{}: {result:?}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email_key = 'bob@acme.test'").await, 1);
    }
}

#[tokio::test]
async fn a_big_batch_is_shown_a_page_of_changes_at_a_time_and_downloaded_whole() {
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..450).map(|i| format!("p{i:03},p{i:03}@acme.test,P\n")).collect();
    let path = saved(&dir, "many.csv", format!("User ID,Email,Last Name\n{rows}"));
    for db in acme().await {
        assert_eq!(import(&db, &path, &[]).0, 0, "{}", db.label);
        let id = scalar(&db, "SELECT MAX(id) FROM import_batches").await.to_string();
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let page = |after: Option<String>, filter: &'static str| {
            let (app, ann, id) = (&app, ann.clone(), id.clone());
            async move {
                let mut form = vec![("id", id), ("filter", filter.to_string())];
                form.extend(after.map(|after| ("after", after)));
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.call("get_batch", &form, Some(&ann)).await.json()
            }
        };
        let (mut seen, mut after, mut pages) = (Vec::new(), None, 0);
        loop {
            let json = page(after, "").await;
            seen.extend(json["changes"].as_array().unwrap().iter().map(|c| c["user"].as_str().unwrap().to_string()));
            pages += 1;
            match json["next"].as_i64() {
                Some(next) => after = Some(next.to_string()),
                None => break,
            }
        }
        assert_eq!((pages, seen.len()), (3, 450), "{}: pages of 200", db.label);
        assert_eq!(seen.iter().collect::<std::collections::BTreeSet<_>>().len(), 450, "no change twice");
        let filtered = page(None, "P04").await;
        let users: Vec<&str> = filtered["changes"].as_array().unwrap().iter().map(|c| c["user"].as_str().unwrap()).collect();
        assert_eq!(users.len(), 10, "{}: p040 to p049, found by the server in any case: {users:?}", db.label);

        let csv = app.http.get(format!("{}/history/{id}/changes.csv", app.base)).header("cookie", format!("roster_session={ann}")).send().await.unwrap();
        let text = csv.text().await.unwrap();
        assert!(text.starts_with("\u{feff}Row,User"), "{}", &text[..40]);
        assert_eq!(text.lines().count(), 451, "{}: every change, in parts", db.label);
    }
}

#[tokio::test]
async fn the_history_lists_a_hundred_batches_a_page() {
    for db in acme().await {
        let tenant = scalar(&db, "SELECT id FROM tenants").await;
        for i in 0..105 {
            sql(&db, &format!("INSERT INTO import_batches (tenant_id, batch_key, actor_email, file_name, checksum, started_at, status) VALUES ({tenant}, 'k{i}', 'ann@acme.test', 'f{i}.csv', 'c', {i}, 'applied')")).await;
        }
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let first = app.call("list_batches", &[], Some(&ann)).await.json();
        let first = first.as_array().unwrap();
        assert_eq!((first.len(), first[0]["file_name"].as_str()), (100, Some("f104.csv")), "{}: newest first", db.label);
        let before = first[99]["id"].to_string();
        let older = app.call("list_batches", &[("before", &before)], Some(&ann)).await.json();
        let names: Vec<&str> = older.as_array().unwrap().iter().map(|b| b["file_name"].as_str().unwrap()).collect();
        assert_eq!(names, ["f4.csv", "f3.csv", "f2.csv", "f1.csv", "f0.csv"], "{}", db.label);
    }
}

/// `roster import` of `file` for Acme as ann. Attempt 0 runs to its end and
/// sets `duration` to how long it took; a later attempt is killed (SIGKILL)
/// `attempt / parts` of that time after it started.
fn import_or_kill(db: &TestDb, file: &str, attempt: u32, parts: u32, duration: &mut std::time::Duration) {
    let child = command(db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", file])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    if attempt == 0 {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}: {out:?}", db.label);
        *duration = started.elapsed();
    } else {
        let mut child = child;
        std::thread::sleep(*duration * attempt / parts);
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

/// Users, the attempt's role and batches, read once the killed import is over
/// and in one statement, so in one snapshot. A killed client's COMMIT may
/// already be on its way to PostgreSQL, so wait for the tenant's import lock
/// first; a dead SQLite process has nothing left in flight.
async fn settled_counts(db: &TestDb, attempt: u32) -> (i64, i64, i64) {
    use sqlx::Row;
    let mut conn = connect(db).await;
    if db.label == "postgres" {
        for step in ["pg_advisory_lock", "pg_advisory_unlock"] {
            sqlx::query(&format!("SELECT {step}(id) FROM tenants WHERE name_key = 'acme'")).execute(&mut conn).await.unwrap();
        }
    }
    let row = sqlx::query(&format!(
        "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM roles WHERE name = 'R{attempt}'), (SELECT COUNT(*) FROM import_batches)"
    ))
    .fetch_one(&mut conn)
    .await
    .unwrap();
    (row.get(0), row.get(1), row.get(2))
}

#[tokio::test]
async fn an_import_killed_at_any_moment_leaves_the_directory_before_or_after() {
    let dir = tempfile::tempdir().unwrap();
    const ROWS: i64 = 3_000;
    for db in acme().await {
        let mut outcomes = (0, 0);
        // Attempt 0 runs to the end, to learn how long an import takes; the
        // others are killed at moments spread over that time and a bit beyond.
        let mut duration = std::time::Duration::from_secs(60);
        for attempt in 0..12u32 {
            let mut text = String::from("Email,Last Name,Phone,Roles\n");
            for i in 0..ROWS {
                text.push_str(&format!("u{attempt}x{i}@acme.test,User,0123456789,R{attempt}\n"));
            }
            let path = saved(&dir, format!("{}-{attempt}.csv", db.label), text);
            let before = scalar(&db, "SELECT COUNT(*) FROM users").await;
            import_or_kill(&db, &path, attempt, 7, &mut duration);
            let (after, roles, batches) = settled_counts(&db, attempt).await;
            if after == before {
                assert_eq!(roles, 0, "{}: attempt {attempt} left a role behind", db.label);
                outcomes.0 += 1;
            } else {
                assert_eq!(after, before + ROWS, "{}: attempt {attempt} left {} of {ROWS} users", db.label, after - before);
                assert_eq!(roles, 1);
                outcomes.1 += 1;
            }
            assert_eq!(batches, outcomes.1, "a batch is recorded exactly when it applied");
        }
        if db.label == "sqlite" {
            use sqlx::Row;
            let check: String = sqlx::query("PRAGMA integrity_check").fetch_one(&mut connect(&db).await).await.unwrap().get(0);
            assert_eq!(check, "ok");
        }
        eprintln!("{}: {} attempts killed before commit, {} after", db.label, outcomes.0, outcomes.1);
    }
}

#[tokio::test]
async fn an_import_killed_while_sqlite_builds_indexes_again_leaves_them_whole() {
    // Every attempt starts from the same one-user database, so each import
    // at least doubles its tables and SQLite drops their indexes to build
    // them again; the attempts are killed at moments spread over an import.
    let dir = tempfile::tempdir().unwrap();
    let db = databases().await.remove(0);
    person(&db, "Acme", "ann@acme.test", "Admin");
    let path = db.url.strip_prefix("sqlite://").unwrap().to_string();
    // A copy with whatever the write-ahead log still holds.
    let pristine = dir.path().join("pristine.db");
    let mut conn = connect(&db).await;
    sqlx::query(&format!("VACUUM INTO '{}'", pristine.display())).execute(&mut conn).await.unwrap();
    sqlx::Connection::close(conn).await.unwrap();
    // Integrity, indexes and users, on a connection closed before the file
    // is replaced (sqlx closes a dropped connection later, on its own thread).
    let inspect = || async {
        use sqlx::{Connection, Row};
        let mut conn = connect(&db).await;
        let check: String = sqlx::query("PRAGMA integrity_check").fetch_one(&mut conn).await.unwrap().get(0);
        let counts = "SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'), (SELECT COUNT(*) FROM users)";
        let row = sqlx::query(counts).fetch_one(&mut conn).await.unwrap();
        let found: (String, i64, i64) = (check, row.get(0), row.get(1));
        conn.close().await.unwrap();
        found
    };
    let (_, index_count, _) = inspect().await;
    let mut text = String::from("Email,Last Name,Roles,Groups\n");
    for i in 0..3_000 {
        text.push_str(&format!("u{i}@acme.test,User,R{},\n", i % 7));
    }
    let file = saved(&dir, "big.csv", text);
    let (mut duration, mut killed_before_commit) = (std::time::Duration::from_secs(60), 0);
    for attempt in 0..8u32 {
        for end in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{end}"));
        }
        std::fs::copy(&pristine, &path).unwrap();
        import_or_kill(&db, &file, attempt, 6, &mut duration);
        let (check, indexes, users) = inspect().await;
        assert_eq!(check, "ok", "attempt {attempt}");
        assert_eq!(indexes, index_count, "attempt {attempt}: every index is there");
        match users {
            1 => killed_before_commit += 1,
            users => assert_eq!(users, 3_001, "attempt {attempt}"),
        }
    }
    assert!(killed_before_commit > 0, "no attempt was killed inside its import");
    eprintln!("an import took {duration:?}; {killed_before_commit} of 7 attempts killed before their commit");
}

#[tokio::test]
async fn the_history_shows_each_batch_to_its_own_tenants_admins_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(&dir, "team.csv", "Email,Last Name,Title,Password\nzed@acme.test,Zed,=2+2,Secret123\n");
    for db in acme().await {
        person(&db, "Globex", "gus@globex.test", "Admin");
        let (status, _) = import(&db, &path, &[]);
        assert_eq!(status, 0, "{}", db.label);
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let list = app.call("list_batches", &[], Some(&ann)).await;
        assert_eq!(list.status, 200, "{}", list.body);
        let id = list.json()[0]["id"].as_i64().unwrap().to_string();
        assert_eq!(list.json()[0]["file_name"], "team.csv");

        let detail = app.call("get_batch", &[("id", &id)], Some(&ann)).await;
        let created = detail.json()["changes"][0]["new"].as_str().unwrap().to_string();
        assert!(created.contains("Email=zed@acme.test") && created.contains("Password=set"), "{created}");
        assert!(!detail.body.contains("Secret123"));

        let csv = app.http.get(format!("{}/history/{id}/changes.csv", app.base)).header("cookie", format!("roster_session={ann}")).send().await.unwrap();
        assert_eq!(csv.status(), 200);
        assert!(csv.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let text = csv.text().await.unwrap();
        assert!(text.starts_with("\u{feff}Row,User,Action,Field,Old value,New value"));
        assert!(text.contains("Title==2+2") && !text.contains("Secret123"), "{text}");

        let gus = app.sign_in("gus@globex.test").await;
        let foreign = app.call("get_batch", &[("id", &id)], Some(&gus)).await;
        let missing = app.call("get_batch", &[("id", "999999")], Some(&gus)).await;
        assert_eq!((foreign.status, &foreign.body), (404, &missing.body), "{}", db.label);
        assert_eq!(app.call("list_batches", &[], Some(&gus)).await.body, "[]");
        let csv_status = |token: Option<String>| {
            let mut request = app.http.get(format!("{}/history/{id}/changes.csv", app.base));
            if let Some(token) = token {
                request = request.header("cookie", format!("roster_session={token}"));
            }
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(csv_status(Some(gus)).await, 404);
        assert_eq!(csv_status(None).await, 401);
        let bob = app.sign_in("bob@acme.test").await;
        assert_eq!(csv_status(Some(bob.clone())).await, 403);
        assert_eq!(app.call("list_batches", &[], Some(&bob)).await.status, 403);
    }
}

#[tokio::test]
async fn a_batch_that_cannot_apply_hashes_no_password() {
    use app::auth::password_hash::batch_hashes;
    use app::commit::{commit, Batch, CommitError, Committed};
    for db in acme().await {
        let (store, tenant, actor) = direct(&db).await;
        let read = |csv: &str| app::sheet::read(csv.as_bytes(), &app::sheet::Limits::default());
        let before = batch_hashes();
        // Refused: a row has an error.
        let refused = read("Email,Last Name,Password\np1@acme.test,P,Secret123a\np2@acme.test,,Secret123b\n");
        let batch = Batch { key: "k-h1", file_name: "f.csv", checksum: "c1".into(), sheet: refused, previewed: None, undoes: None };
        assert!(matches!(commit(&store, tenant, &actor, batch).await, Ok(Committed::Refused(_))), "{}", db.label);
        // Stale: checked against a directory version that has moved, to another plan.
        let stale = read("Email,Last Name,Password\np1@acme.test,P,Secret123a\n");
        let batch = Batch { key: "k-h2", file_name: "f.csv", checksum: "c2".into(), sheet: stale, previewed: Some((-1, "other".into())), undoes: None };
        assert!(matches!(commit(&store, tenant, &actor, batch).await, Err(CommitError::Stale)), "{}", db.label);
        assert_eq!(batch_hashes(), before, "{}: neither hashed a password", db.label);
        // Applied, then the same key again: hashed once, for the batch that applied.
        for _ in 0..2 {
            let good = read("Email,Last Name,Password\np1@acme.test,P,Secret123a\n");
            let batch = Batch { key: "k-h3", file_name: "f.csv", checksum: "c3".into(), sheet: good, previewed: None, undoes: None };
            assert!(commit(&store, tenant, &actor, batch).await.is_ok(), "{}", db.label);
        }
        assert_eq!(batch_hashes(), before + 1, "{}: a replay hashes nothing", db.label);
    }
}

#[tokio::test]
async fn commits_beyond_the_tenants_queue_are_answered_at_once_and_the_rest_apply() {
    use app::commit::{commit, Batch, CommitError, Committed};
    for db in acme().await {
        let (store, tenant, actor) = direct(&db).await;
        let batches: Vec<(String, Vec<u8>)> = (0..8)
            .map(|i| {
                let rows: String = (0..300).map(|n| format!("q{i}-{n}@acme.test,Q\n")).collect();
                (format!("k-q{i}"), format!("Email,Last Name\n{rows}").into_bytes())
            })
            .collect();
        let runs = batches.iter().map(|(key, csv)| {
            let sheet = app::sheet::read(csv, &app::sheet::Limits::default());
            commit(&store, tenant, &actor, Batch { key, file_name: "q.csv", checksum: key.clone(), sheet, previewed: None, undoes: None })
        });
        let results = futures::future::join_all(runs).await;
        let applied = results.iter().filter(|r| matches!(r, Ok(Committed::Applied { .. }))).count();
        let busy = results.iter().filter(|r| matches!(r, Err(CommitError::Busy))).count();
        assert_eq!((applied, busy), (4, 4), "{}: four wait their turn and apply, four are told to try again: {results:?}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email_key LIKE 'q%'").await, 4 * 300, "{}", db.label);
        // The queue is free again once they are done.
        let sheet = app::sheet::read(b"Email,Last Name\nlater@acme.test,L\n", &app::sheet::Limits::default());
        let later = Batch { key: "k-later", file_name: "l.csv", checksum: "l".into(), sheet, previewed: None, undoes: None };
        assert!(matches!(commit(&store, tenant, &actor, later).await, Ok(Committed::Applied { .. })), "{}", db.label);
        assert_eq!(app::error::AppError::Busy.status(), 429);
    }
}
