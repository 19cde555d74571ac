//! Upgrading a database keeps what it holds, on both backends: a database
//! made by an older Roster, with history in it, is brought up to date by the
//! new one on start.

use crate::helpers::*;
use sqlx::Connection;

/// The migrations an older Roster had: those of `backend` numbered below `before`.
async fn older_migrator(backend: &str, before: i64, dir: &std::path::Path) -> sqlx::migrate::Migrator {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/migrations").join(backend);
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let version: i64 = name.split('_').next().unwrap().parse().unwrap();
        if version < before {
            std::fs::copy(&path, dir.join(&name)).unwrap();
        }
    }
    sqlx::migrate::Migrator::new(dir).await.unwrap()
}

#[tokio::test]
async fn the_logs_keep_their_lines_when_their_foreign_keys_go() {
    for db in databases().await {
        let (backend, url, before) = match db.label {
            "sqlite" => ("sqlite", format!("{}?mode=rwc", db.url), 5),
            _ => ("postgres", db.url.clone(), 7),
        };
        let dir = tempfile::tempdir().unwrap();
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        older_migrator(backend, before, dir.path()).await.run(&mut conn).await.unwrap();
        for statement in [
            "INSERT INTO tenants (name, name_key, created_at) VALUES ('Acme', 'acme', 0)",
            "INSERT INTO import_batches (tenant_id, batch_key, actor_email, file_name, checksum, started_at, status)
             VALUES (1, 'k', 'ann@acme.test', 'old.csv', 'c', 0, 'applied')",
            "INSERT INTO import_changes (batch_id, row_number, user_key, action, field, old_value, new_value)
             VALUES (1, 2, 'kim', 'update', 'Title', 'Clerk', 'Lead')",
            "INSERT INTO audit_events (tenant_id, at, actor, event, target, batch_id) VALUES (1, 5, 'ann@acme.test', 'user_updated', 'kim', 1)",
        ] {
            sqlx::query(statement).execute(&mut conn).await.unwrap();
        }
        drop(conn);

        // The current Roster opens it, and migrates it, on its first command.
        let out = roster(&db, &["tenant", "create", "Other"], "");
        assert!(out.status.success(), "{}: {out:?}", db.label);
        let line = "SELECT COUNT(*) FROM import_changes WHERE id = 1 AND batch_id = 1 AND row_number = 2 AND user_key = 'kim'
                    AND action = 'update' AND field = 'Title' AND old_value = 'Clerk' AND new_value = 'Lead'";
        assert_eq!(scalar(&db, line).await, 1, "{}: the history's line is kept", db.label);
        let event = "SELECT COUNT(*) FROM audit_events WHERE id = 1 AND tenant_id = 1 AND at = 5 AND event = 'user_updated' AND batch_id = 1";
        assert_eq!(scalar(&db, event).await, 1, "{}: the audit event is kept", db.label);
        // Unbound now: a line may name a batch the database no longer has
        // (none is ever deleted), and new lines follow the old ones.
        sql(&db, "INSERT INTO import_changes (batch_id, user_key, action, field) VALUES (99, '', 'create_role', 'Roles')").await;
        assert_eq!(scalar(&db, "SELECT MAX(id) FROM import_changes WHERE batch_id = 99").await, 2, "{}", db.label);
        sql(&db, "INSERT INTO audit_events (tenant_id, at, actor, event, target, batch_id) VALUES (99, 6, 'x', 'e', 't', 99)").await;
    }
}
