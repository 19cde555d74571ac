//! Failed sign-in counters, kept in the database so that every server
//! instance behind a load balancer sees the same count.

use crate::auth::throttle::Record;
use sqlx::AnyConnection;
use sqlx::Row;

pub async fn get(conn: &mut AnyConnection, key: &str) -> Result<Record, sqlx::Error> {
    let row = sqlx::query("SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else { return Ok(Record::default()) };
    Ok(Record {
        failures: row.try_get::<i64, _>("failures")? as u32,
        last_failure_at: row.try_get("last_failure_at")?,
        locked_until: row.try_get("locked_until")?,
    })
}

pub async fn put(conn: &mut AnyConnection, key: &str, record: Record) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
             last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
    )
    .bind(key)
    .bind(i64::from(record.failures))
    .bind(record.last_failure_at)
    .bind(record.locked_until)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear(conn: &mut AnyConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key).execute(conn).await?;
    Ok(())
}
