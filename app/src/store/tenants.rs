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

fn from_row(row: &sqlx::any::AnyRow) -> Result<Tenant, sqlx::Error> {
    Ok(Tenant {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        default_locale: row.try_get("default_locale")?,
    })
}
