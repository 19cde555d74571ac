//! The import history, always within one tenant.

use crate::model::history::{BatchRow, ChangeRow};
use sqlx::{AnyConnection, Row};

const BATCH_COLUMNS: &str = "id, started_at, actor_email, file_name, checksum, status, added, updated, deleted, unchanged, roles_added";

/// The tenant's batches before batch `before`, newest first, at most `limit`.
pub async fn batches(conn: &mut AnyConnection, tenant_id: i64, before: i64, limit: i64) -> Result<Vec<BatchRow>, sqlx::Error> {
    let sql = format!("SELECT {BATCH_COLUMNS} FROM import_batches WHERE tenant_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3");
    let rows = sqlx::query(&sql).bind(tenant_id).bind(before).bind(limit).fetch_all(conn).await?;
    rows.iter().map(batch_row).collect()
}

pub async fn batch(conn: &mut AnyConnection, tenant_id: i64, id: i64) -> Result<Option<BatchRow>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {BATCH_COLUMNS} FROM import_batches WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(batch_row).transpose()
}

/// Every change of a batch; the caller has checked that the batch is the tenant's.
pub async fn changes(conn: &mut AnyConnection, batch_id: i64) -> Result<Vec<ChangeRow>, sqlx::Error> {
    Ok(changes_after(conn, batch_id, "", 0, i64::MAX).await?.into_iter().map(|(_, change)| change).collect())
}

/// The changes of a batch after change `after`, at most `limit`, each with
/// its id, whose user or field holds `filter` (in any case, ASCII's at least
/// on SQLite); the caller has checked that the batch is the tenant's.
pub async fn changes_after(conn: &mut AnyConnection, batch_id: i64, filter: &str, after: i64, limit: i64) -> Result<Vec<(i64, ChangeRow)>, sqlx::Error> {
    let wanted = filter.trim().to_lowercase();
    let like = super::contains_pattern(&wanted);
    let rows = sqlx::query(
        "SELECT id, row_number, user_key, action, field, old_value, new_value FROM import_changes
         WHERE batch_id = $1 AND id > $2 AND ($3 = '' OR lower(user_key) LIKE $4 ESCAPE '\\' OR lower(field) LIKE $4 ESCAPE '\\')
         ORDER BY id LIMIT $5",
    )
    .bind(batch_id)
    .bind(after)
    .bind(&wanted)
    .bind(like)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let change = ChangeRow {
                row: r.try_get("row_number")?,
                user: r.try_get("user_key")?,
                action: r.try_get("action")?,
                field: r.try_get("field")?,
                old: r.try_get::<Option<String>, _>("old_value")?.unwrap_or_default(),
                new: r.try_get::<Option<String>, _>("new_value")?.unwrap_or_default(),
            };
            Ok((r.try_get("id")?, change))
        })
        .collect()
}

fn batch_row(r: &sqlx::any::AnyRow) -> Result<BatchRow, sqlx::Error> {
    Ok(BatchRow {
        id: r.try_get("id")?,
        at: r.try_get("started_at")?,
        actor: r.try_get("actor_email")?,
        file_name: r.try_get("file_name")?,
        checksum: r.try_get("checksum")?,
        status: r.try_get("status")?,
        added: r.try_get("added")?,
        updated: r.try_get("updated")?,
        deleted: r.try_get("deleted")?,
        unchanged: r.try_get("unchanged")?,
        roles_added: r.try_get("roles_added")?,
    })
}
