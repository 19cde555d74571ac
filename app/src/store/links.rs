//! Password links: invitations and resets. The database keeps each link's
//! SHA-256 only; the token itself travels once, in the message.

use crate::model::passwords::{Invitation, LinkKind};
use sqlx::AnyConnection;
use sqlx::Row;
use std::collections::HashMap;

/// The link a token names, whatever its state, with its user.
pub struct Found {
    pub user_id: i64,
    pub tenant_id: i64,
    pub kind: LinkKind,
    pub expires_at: i64,
    pub used: bool,
    pub email: String,
    pub first_name: String,
    pub user_key: String,
    pub has_password: bool,
    pub tenant: String,
    /// Active, and signs in with a password rather than through the network.
    pub may_use_password: bool,
}

pub async fn insert(conn: &mut AnyConnection, token_hash: &str, user_id: i64, kind: LinkKind, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO password_links (token_hash, user_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash)
        .bind(user_id)
        .bind(kind.as_str())
        .bind(at)
        .bind(at + kind.lifetime_secs())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<Found>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT l.user_id, l.kind, l.expires_at, l.used_at, u.tenant_id, u.email, u.first_name, u.user_id AS user_key, u.active,
                CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password,
                u.network_account, t.name AS tenant
         FROM password_links l JOIN users u ON u.id = l.user_id JOIN tenants t ON t.id = u.tenant_id
         WHERE l.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        let network: Option<String> = row.try_get("network_account")?;
        Ok(Found {
            user_id: row.try_get("user_id")?,
            tenant_id: row.try_get("tenant_id")?,
            kind: LinkKind::parse(&row.try_get::<String, _>("kind")?),
            expires_at: row.try_get("expires_at")?,
            used: row.try_get::<Option<i64>, _>("used_at")?.is_some(),
            email: row.try_get("email")?,
            first_name: row.try_get("first_name")?,
            has_password: row.try_get::<i64, _>("has_password")? == 1,
            user_key: row.try_get("user_key")?,
            tenant: row.try_get("tenant")?,
            may_use_password: row.try_get::<i64, _>("active")? == 1 && network.is_none_or(|n| n.is_empty()),
        })
    })
    .transpose()
}

/// Uses a link up, if it is still open: true for exactly one caller, however
/// many present the same token at once.
pub async fn consume(conn: &mut AnyConnection, token_hash: &str, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE password_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every open link of a user, when a newer one is sent or the password
/// is set; the outbox's messages no longer hold them either.
pub async fn expire_open(conn: &mut AnyConnection, user_id: i64, now: i64) -> Result<(), sqlx::Error> {
    for statement in end_open(now) {
        sqlx::query(&format!("{statement} = $1")).bind(user_id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The statements that end the open links of the users named after them
/// (`= $1` for one, `IN …` for many) as of `now`: the links expire, and the
/// outbox's messages no longer hold them (one still waiting is not sent).
pub fn end_open(now: i64) -> [String; 2] {
    [
        format!("UPDATE password_links SET expires_at = {now} WHERE used_at IS NULL AND expires_at > {now} AND user_id"),
        "UPDATE outbox SET link = NULL,
            status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END,
            last_error = CASE WHEN status = 'pending' THEN 'Not sent: a newer link or a new password replaced its link.' ELSE last_error END
        WHERE link IS NOT NULL AND user_id"
            .into(),
    ]
}

/// Each listed user's invitation state, from their newest invitation.
pub async fn invitations(conn: &mut AnyConnection, user_ids: &[i64], now: i64) -> Result<HashMap<i64, Invitation>, sqlx::Error> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<String> = user_ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT user_id, expires_at, used_at FROM password_links
         WHERE kind = 'invitation' AND user_id IN ({}) ORDER BY created_at, expires_at",
        ids.join(", ")
    );
    let mut states = HashMap::new();
    for row in sqlx::query(&sql).fetch_all(conn).await? {
        let state = if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
            Invitation::Accepted
        } else if row.try_get::<i64, _>("expires_at")? <= now {
            Invitation::Expired
        } else {
            Invitation::Invited
        };
        states.insert(row.try_get("user_id")?, state);
    }
    Ok(states)
}
