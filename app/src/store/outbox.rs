//! The outbox: messages written in the same transaction as the change they
//! announce, and delivered afterwards by the sender. Any server instance may
//! send; a message is claimed by one of them at a time.

use crate::model::passwords::Message;
use sqlx::AnyConnection;
use sqlx::Row;

/// A message about to be written.
pub struct Letter<'a> {
    pub tenant_id: i64,
    pub user_id: i64,
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    /// With `{link}` where the link goes.
    pub body: &'a str,
    /// The path with the token, e.g. `/password/…`.
    pub link: &'a str,
}

pub async fn queue(conn: &mut AnyConnection, letter: &Letter<'_>, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (tenant_id, user_id, kind, recipient, subject, body, link, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(letter.tenant_id)
    .bind(letter.user_id)
    .bind(letter.kind)
    .bind(letter.recipient)
    .bind(letter.subject)
    .bind(letter.body)
    .bind(letter.link)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A message claimed for sending.
pub struct Claimed {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    pub attempts: i64,
}

/// The ids of messages due now, oldest first.
pub async fn due(conn: &mut AnyConnection, now: i64, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows = sqlx::query("SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2")
        .bind(now)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(|row| row.try_get("id")).collect()
}

/// Claims a due message for `lease` seconds: the one instance whose update
/// finds it still due gets it. A sender that dies mid-send leaves it to be
/// claimed again once the lease is over.
pub async fn claim(conn: &mut AnyConnection, id: i64, now: i64, lease: i64) -> Result<Option<Claimed>, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $3, attempts = attempts + 1
         WHERE id = $1 AND status = 'pending' AND next_attempt_at <= $2",
    )
    .bind(id)
    .bind(now)
    .bind(now + lease)
    .execute(&mut *conn)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(None);
    }
    let row = sqlx::query("SELECT recipient, subject, body, link, attempts FROM outbox WHERE id = $1").bind(id).fetch_one(conn).await?;
    Ok(Some(Claimed {
        id,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        link: row.try_get("link")?,
        attempts: row.try_get("attempts")?,
    }))
}

/// Sent: the link (and its token) is dropped from the outbox.
pub async fn sent(conn: &mut AnyConnection, id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $2, link = NULL, last_error = NULL WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Not sent: tried again at `retry_at`, or given up for good with `None`.
pub async fn failed(conn: &mut AnyConnection, id: i64, error: &str, retry_at: Option<i64>) -> Result<(), sqlx::Error> {
    let (status, link_kept) = if retry_at.is_some() { ("pending", true) } else { ("failed", false) };
    sqlx::query(
        "UPDATE outbox SET status = $2, last_error = $3, next_attempt_at = COALESCE($4, next_attempt_at),
                           link = CASE WHEN $5 = 1 THEN link ELSE NULL END
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(error)
    .bind(retry_at)
    .bind(i64::from(link_kept))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn pending_count(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'").fetch_one(conn).await?.try_get("n")
}

/// The tenant's newest messages, for the admin's outbox page, each with its
/// waiting link and whether it goes to an admin.
pub async fn list(conn: &mut AnyConnection, tenant_id: i64, limit: i64) -> Result<Vec<(Message, Option<String>, bool)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT o.id, o.kind, o.recipient, o.subject, o.body, o.link, o.status, o.attempts, o.created_at, o.sent_at, o.last_error,
                CASE WHEN u.access_level = 'Admin' THEN 1 ELSE 0 END AS to_admin
         FROM outbox o LEFT JOIN users u ON u.id = o.user_id
         WHERE o.tenant_id = $1 ORDER BY o.id DESC LIMIT $2",
    )
    .bind(tenant_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let message = Message {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                recipient: row.try_get("recipient")?,
                subject: row.try_get("subject")?,
                body: row.try_get("body")?,
                status: row.try_get("status")?,
                attempts: row.try_get("attempts")?,
                created_at: row.try_get("created_at")?,
                sent_at: row.try_get("sent_at")?,
                last_error: row.try_get("last_error")?,
            };
            Ok((message, row.try_get("link")?, row.try_get::<i64, _>("to_admin")? == 1))
        })
        .collect()
}
