//! Groups (teams) and roles: per tenant, unique by name in any case.

use super::StoreError;
use crate::model::groups::{Kind, Named};
use sqlx::{AnyConnection, Row};

/// The table of the names and the table linking them to users.
fn tables(kind: Kind) -> (&'static str, &'static str, &'static str) {
    match kind {
        Kind::Group => (r#""groups""#, "user_groups", "group_id"),
        Kind::Role => ("roles", "user_roles", "role_id"),
    }
}

/// Creates a group; `Ok(false)` when the tenant already has one of that name.
pub async fn create(conn: &mut AnyConnection, tenant_id: i64, name: &str) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        r#"INSERT INTO "groups" (tenant_id, name, name_key) VALUES ($1, $2, $3)
           ON CONFLICT (tenant_id, name_key) DO NOTHING"#,
    )
    .bind(tenant_id)
    .bind(name)
    .bind(name.to_lowercase())
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

fn named(row: &sqlx::any::AnyRow) -> Result<Named, sqlx::Error> {
    Ok(Named { id: row.try_get("id")?, name: row.try_get("name")?, members: row.try_get("members")? })
}

fn select(kind: Kind) -> String {
    let (table, link, key) = tables(kind);
    format!("SELECT t.id, t.name, (SELECT COUNT(*) FROM {link} l WHERE l.{key} = t.id) AS members FROM {table} t WHERE t.tenant_id = $1")
}

/// The tenant's groups or roles by name, with their member counts.
pub async fn list(conn: &mut AnyConnection, tenant_id: i64, kind: Kind) -> Result<Vec<Named>, sqlx::Error> {
    let rows = sqlx::query(&format!("{} ORDER BY t.name_key", select(kind))).bind(tenant_id).fetch_all(conn).await?;
    rows.iter().map(named).collect()
}

/// One of the tenant's groups or roles; another tenant's is not found.
pub async fn find(conn: &mut AnyConnection, tenant_id: i64, kind: Kind, id: i64) -> Result<Option<Named>, sqlx::Error> {
    let row = sqlx::query(&format!("{} AND t.id = $2", select(kind))).bind(tenant_id).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(named).transpose()
}

/// Renames one; returns the old name, or `None` if the tenant has no such one.
pub async fn rename(conn: &mut AnyConnection, tenant_id: i64, kind: Kind, id: i64, name: &str) -> Result<Option<String>, StoreError> {
    let Some(old) = find(conn, tenant_id, kind, id).await? else { return Ok(None) };
    let (table, _, _) = tables(kind);
    sqlx::query(&format!("UPDATE {table} SET name = $1, name_key = $2 WHERE id = $3"))
        .bind(name)
        .bind(name.to_lowercase())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(Some(old.name))
}

/// Deletes one and its memberships; the caller has checked the tenant.
pub async fn delete(conn: &mut AnyConnection, kind: Kind, id: i64) -> Result<(), sqlx::Error> {
    let (table, link, key) = tables(kind);
    sqlx::query(&format!("DELETE FROM {link} WHERE {key} = $1")).bind(id).execute(&mut *conn).await?;
    sqlx::query(&format!("DELETE FROM {table} WHERE id = $1")).bind(id).execute(conn).await?;
    Ok(())
}
