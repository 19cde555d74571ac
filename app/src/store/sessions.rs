//! Sessions, in the database so that any server instance can serve any request.

use crate::model::session::SessionUser;
use sqlx::AnyConnection;
use sqlx::Row;

pub struct Found {
    pub user: SessionUser,
    pub active: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn create(conn: &mut AnyConnection, token_hash: &str, user_id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)")
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<Found>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.created_at, s.last_seen_at, u.id, u.tenant_id, t.name AS tenant, u.email, u.user_id,
                u.first_name, u.last_name, u.access_level, u.active
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN tenants t ON t.id = u.tenant_id
         WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        let first: String = row.try_get("first_name")?;
        let last: String = row.try_get("last_name")?;
        Ok(Found {
            user: SessionUser {
                id: row.try_get("id")?,
                tenant_id: row.try_get("tenant_id")?,
                tenant: row.try_get("tenant")?,
                email: row.try_get("email")?,
                user_id: row.try_get("user_id")?,
                name: format!("{first} {last}").trim().to_string(),
                access: super::users::access_level(&row)?,
            },
            active: row.try_get::<i64, _>("active")? == 1,
            created_at: row.try_get("created_at")?,
            last_seen_at: row.try_get("last_seen_at")?,
        })
    })
    .transpose()
}

pub async fn touch(conn: &mut AnyConnection, token_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(conn).await?;
    Ok(())
}

/// Housekeeping, run at each sign-in: sessions past either limit go.
pub async fn delete_expired(conn: &mut AnyConnection, idle_since: i64, created_since: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_since)
        .bind(created_since)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user but the one kept (the caller's own).
pub async fn delete_for_user(conn: &mut AnyConnection, user_id: i64, keep: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or_default())
        .execute(conn)
        .await?;
    Ok(())
}
