//! Undo an import: the inverse batch restores the directory, conflicts with
//! later changes are shown and only overwritten on request.

use crate::helpers::*;
use app::model::import::Outcome;
use app::model::undo::InversePreview;

/// Imports `csv` on the command line and returns the new batch's id.
async fn import(db: &TestDb, csv: &str) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(&dir, "batch.csv", csv);
    let out = roster(db, &["import", "--tenant", "Acme", "--as", "ann@acme.test", &path], "");
    assert!(out.status.success(), "{}: {out:?}", db.label);
    scalar(db, "SELECT MAX(id) FROM import_batches").await
}

/// The directory in the import format, one line per user in a stable order.
fn directory(db: &TestDb) -> Vec<String> {
    let out = roster(db, &["export", "--tenant", "Acme"], "");
    let mut lines: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect();
    lines.sort();
    lines
}

async fn preview(app: &TestApp, session: &str, id: i64, overwrite: bool) -> InversePreview {
    let reply = app.call("undo_preview", &[("id", &id.to_string()), ("overwrite", &overwrite.to_string())], Some(session)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

async fn undo(app: &TestApp, session: &str, id: i64, overwrite: bool, previewed: &InversePreview) -> Outcome {
    let version = previewed.plan.version.to_string();
    let digest = previewed.digest.clone();
    let form = [("id", id.to_string()), ("overwrite", overwrite.to_string()), ("version", version), ("digest", digest)];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = app.call("undo_import", &form, Some(session)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

#[tokio::test]
async fn undo_gives_back_the_directory_as_it_was_for_creates_updates_and_deletes() {
    for db in acme_and_other(&["Sales", "Ops"]).await {
        import(&db, "User ID,Email,Last Name,Title,Roles,Groups,Reports To,Phone\n\
            dan,dan@acme.test,Doe,Lead,Support|Ops,Sales,,+44 20 7946 0001\n\
            eve,eve@acme.test,Ng,Clerk,Support,Sales,dan,\n").await;
        let before = directory(&db);
        let batch = "Action,User ID,Email,Last Name,Title,Roles,Groups,Reports To\n\
            create,fay,fay@acme.test,Fox,New,Audit,Ops,ann@acme.test\n\
            update,eve,eve@acme.test,Ng,Senior Clerk,Audit,Ops,ann@acme.test\n\
            delete,dan,,,,,,\n";
        let id = import(&db, batch).await;
        assert_ne!(directory(&db), before);

        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let previewed = preview(&app, &ann, id, false).await;
        assert!(previewed.conflicts.is_empty(), "{}: {:?}", db.label, previewed.conflicts);
        let s = previewed.plan.summary();
        assert_eq!((s.added, s.updated, s.deleted), (1, 1, 1), "{}: {:?}", db.label, previewed.plan.errors);

        let Outcome::Applied { message, .. } = undo(&app, &ann, id, false, &previewed).await else { panic!("{}", db.label) };
        assert_eq!(message, "Users Loaded successfully. 1 Added, 1 Updated, 1 Deleted, 0 Roles Added.");
        assert_eq!(directory(&db), before, "{}: the directory is back as it was", db.label);
        assert_eq!(previewed.removed_roles, ["Audit"], "{}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM roles WHERE name = 'Audit'").await, 0, "{}: the role the import created is gone", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM roles").await, 2, "{}: Support and Ops stay", db.label);
        let role_lines = "SELECT COUNT(*) FROM import_changes WHERE field = 'Roles' AND row_number IS NULL AND user_key = ''";
        assert_eq!(scalar(&db, &format!("{role_lines} AND action = 'create_role' AND new_value = 'Audit' AND batch_id = {id}")).await, 1);
        assert_eq!(scalar(&db, &format!("{role_lines} AND action = 'remove_role' AND old_value = 'Audit' AND batch_id > {id}")).await, 1);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM audit_events WHERE event = 'role_deleted' AND target = 'Audit'").await, 1);
        assert!(preview(&app, &ann, id, false).await.removed_roles.is_empty(), "{}: the role is gone already", db.label);
        let name = format!("Undo of import {id} (batch.csv)");
        assert_eq!(scalar(&db, &format!("SELECT COUNT(*) FROM import_batches WHERE file_name = '{name}'")).await, 1);
        assert_eq!(scalar(&db, &format!("SELECT COUNT(*) FROM import_batches WHERE undoes_batch_id = {id}")).await, 1);

        // The same import again and the same undo again: the same inverse
        // batch, applied anew rather than taken for a repeat of the first.
        import(&db, batch).await;
        let again = preview(&app, &ann, id, false).await;
        let Outcome::Applied { replayed, .. } = undo(&app, &ann, id, false, &again).await else { panic!("{}", db.label) };
        assert!(!replayed, "{}", db.label);
        assert_eq!(directory(&db), before, "{}", db.label);
    }
}

#[tokio::test]
async fn a_role_the_import_created_stays_when_someone_was_given_it_since() {
    for db in acme_and_other(&[]).await {
        let id = import(&db, "Email,Last Name,Roles\ncyd@acme.test,Cole,Audit|Payroll\n").await;
        import(&db, "Email,Last Name,Roles\nbob@acme.test,Tester,Audit\n").await;
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let previewed = preview(&app, &ann, id, false).await;
        assert_eq!(previewed.removed_roles, ["Payroll"], "{}: bob holds Audit", db.label);
        assert!(matches!(undo(&app, &ann, id, false, &previewed).await, Outcome::Applied { .. }), "{}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email = 'cyd@acme.test'").await, 0, "{}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM roles WHERE name = 'Audit'").await, 1, "{}: bob holds it", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM roles WHERE name = 'Payroll'").await, 0, "{}", db.label);
    }
}

#[tokio::test]
async fn an_undo_previewed_to_remove_a_role_that_someone_was_given_since_is_stale() {
    for db in acme_and_other(&[]).await {
        let id = import(&db, "Email,Last Name,Roles\ncyd@acme.test,Cole,Payroll\n").await;
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let previewed = preview(&app, &ann, id, false).await;
        assert_eq!(previewed.removed_roles, ["Payroll"], "{}", db.label);
        // The undo's users are as they were; only the role's fate changed.
        import(&db, "Email,Last Name,Roles\nbob@acme.test,Tester,Payroll\n").await;
        let form = [("id", id.to_string()), ("overwrite", "false".into()), ("version", previewed.plan.version.to_string()), ("digest", previewed.digest)];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(app.call("undo_import", &form, Some(&ann)).await.status, 409, "{}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email = 'cyd@acme.test'").await, 1, "{}: nothing changed", db.label);

        let again = preview(&app, &ann, id, false).await;
        assert!(again.removed_roles.is_empty(), "{}", db.label);
        assert!(matches!(undo(&app, &ann, id, false, &again).await, Outcome::Applied { .. }), "{}", db.label);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM roles WHERE name = 'Payroll'").await, 1, "{}: bob holds it", db.label);
    }
}

#[tokio::test]
async fn a_later_change_is_a_conflict_that_is_only_overwritten_when_the_admin_says_so() {
    for db in acme_and_other(&["Sales", "Ops"]).await {
        let id = import(&db, "Email,Last Name,Title\nbob@acme.test,Tester,Engineer\n").await;
        import(&db, "Email,Last Name,Title\nbob@acme.test,Tester,Director\n").await;
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;

        let careful = preview(&app, &ann, id, false).await;
        assert_eq!(careful.conflicts.len(), 1, "{}", db.label);
        assert!(careful.conflicts[0].what.contains("Title changed after this import"), "{:?}", careful.conflicts);
        assert_eq!(careful.plan.summary().updated, 0, "left out unless the admin decides");

        let overwrite = preview(&app, &ann, id, true).await;
        assert_eq!(overwrite.plan.updates[0].changes[0].old, "Director");
        assert!(matches!(undo(&app, &ann, id, true, &overwrite).await, Outcome::Applied { .. }));
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email = 'bob@acme.test' AND title = ''").await, 1, "{}", db.label);
    }
}

#[tokio::test]
async fn only_the_tenants_admins_can_preview_or_undo_its_imports() {
    for db in acme_and_other(&["Sales", "Ops"]).await {
        let id = import(&db, "Email,Last Name\ncyd@acme.test,Cole\n").await;
        let app = spawn(&db, &[]);
        let form = [("id", id.to_string()), ("overwrite", "false".to_string())];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let zed = app.sign_in("zed@other.test").await;
        assert_eq!(app.call("undo_preview", &form, Some(&zed)).await.status, 404, "{}", db.label);
        let bob = app.sign_in("bob@acme.test").await;
        assert_eq!(app.call("undo_preview", &form, Some(&bob)).await.status, 403);
        assert_eq!(app.call("undo_preview", &form, None).await.status, 401);
        let mut undo_form = form.clone();
        undo_form.extend([("version", "1"), ("digest", "x")]);
        assert_eq!(app.call("undo_import", &undo_form, Some(&zed)).await.status, 404);
        assert_eq!(app.call("undo_import", &undo_form, Some(&bob)).await.status, 403);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM users WHERE email = 'cyd@acme.test'").await, 1);
    }
}

#[tokio::test]
async fn undo_gives_back_the_values_of_the_organisation_s_own_columns() {
    for db in acme_and_other(&[]).await {
        for args in [&["--kind", "boolean", "Lone Working"][..], &["--kind", "choice", "--choices", "Head Office|Field", "Default Context"]] {
            let mut all = vec!["column", "create", "--tenant", "Acme"];
            all.extend_from_slice(args);
            assert!(roster(&db, &all, "").status.success(), "{}", db.label);
        }
        import(&db, "User ID,Email,Last Name,Lone Working,Default Context\ndan,dan@acme.test,Doe,TRUE,Field\n").await;
        let before = directory(&db);
        let id = import(&db, "Action,User ID,Email,Last Name,Lone Working,Default Context\n\
            update,dan,dan@acme.test,Doe,FALSE,Head Office\n\
            create,eve,eve@acme.test,Ng,TRUE,Field\n\
            delete,bob@acme.test,,,,\n").await;
        assert_ne!(directory(&db), before);
        let app = spawn(&db, &[]);
        let ann = app.sign_in("ann@acme.test").await;
        let previewed = preview(&app, &ann, id, false).await;
        assert!(previewed.conflicts.is_empty() && previewed.plan.errors.is_empty(), "{}: {:?} {:?}", db.label, previewed.conflicts, previewed.plan.errors);
        assert!(matches!(undo(&app, &ann, id, false, &previewed).await, Outcome::Applied { .. }));
        assert_eq!(directory(&db), before, "{}: dan's values back, eve gone, bob back with his", db.label);
    }
}
