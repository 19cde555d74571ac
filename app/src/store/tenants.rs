//! Tenants: the organisations whose directories Roster keeps apart.

use super::StoreError;
use sqlx::AnyConnection;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: i64,
    pub name: String,
    pub default_locale: String,
}

pub async fn create(conn: &mut AnyConnection, name: &str, now: i64) -> Result<Tenant, StoreError> {
    let name = name.trim();
    let row = sqlx::query(
        "INSERT INTO tenants (name, name_key, created_at) VALUES ($1, $2, $3)
         RETURNING id, name, default_locale",
    )
    .bind(name)
    .bind(name.to_lowercase())
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(from_row(&row)?)
}

pub async fn find(conn: &mut AnyConnection, name: &str) -> Result<Tenant, StoreError> {
    let row = sqlx::query("SELECT id, name, default_locale FROM tenants WHERE name_key = $1")
        .bind(name.trim().to_lowercase())
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound("organisation"))?;
    Ok(from_row(&row)?)
}

/// The directory's version, which every change to it bumps.
pub async fn version(conn: &mut AnyConnection, tenant_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT version FROM tenants WHERE id = $1").bind(tenant_id).fetch_one(conn).await?.try_get("version")
}

/// Marks the tenant's directory as changed, so that earlier previews are checked again.
pub async fn bump_version(conn: &mut AnyConnection, tenant_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE tenants SET version = version + 1 WHERE id = $1").bind(tenant_id).execute(conn).await?;
    Ok(())
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Tenant, sqlx::Error> {
    Ok(Tenant {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        default_locale: row.try_get("default_locale")?,
    })
}

/// The shortest password the tenant accepts.
pub async fn min_password_length(conn: &mut AnyConnection, tenant_id: i64) -> Result<usize, sqlx::Error> {
    let row = sqlx::query("SELECT min_password_length FROM tenants WHERE id = $1").bind(tenant_id).fetch_one(conn).await?;
    Ok(row.try_get::<i64, _>("min_password_length")? as usize)
}

pub async fn name(conn: &mut AnyConnection, tenant_id: i64) -> Result<String, sqlx::Error> {
    sqlx::query("SELECT name FROM tenants WHERE id = $1").bind(tenant_id).fetch_one(conn).await?.try_get("name")
}

/// Notes that the first-run setup is done; fails if it was done before, so
/// that two setups racing each other cannot both succeed.
pub async fn mark_installed(conn: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO installation (id, set_up_at) VALUES (1, $1)").bind(now).execute(conn).await?;
    Ok(())
}
