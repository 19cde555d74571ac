//! Failed sign-in counters, kept in the database so that every server
//! instance behind a load balancer sees the same count.

use super::Db;
use crate::model::throttle::{Policy, Record};
use sqlx::AnyConnection;
use sqlx::Row;

/// Counts one attempt on `key` as a failure before it is checked, so that
/// attempts sent at once cannot all pass on the same count: the record is
/// read and written in one step for every server (SQLite's write lock; on
/// PostgreSQL a lock on the key). A record that is locked stays as it is.
/// Returns the record before the attempt and after it.
pub async fn count_attempt(db: &Db, key: &str, policy: &Policy, limit: u32, now: i64) -> Result<(Record, Record), sqlx::Error> {
    let mut tx = db.begin_counter_write(key).await?;
    let before = get(&mut tx, key).await?;
    let after = if policy.locked_minutes(&before, now).is_some() { before } else { policy.after_failure(&before, now, limit) };
    put(&mut tx, key, after).await?;
    tx.commit().await?;
    Ok((before, after))
}

/// Takes back the count of an attempt that succeeded, given the record
/// before it and after: a lock that this attempt set is lifted again (unless
/// another attempt has locked it since), else one failure is taken off.
pub async fn take_back(conn: &mut AnyConnection, key: &str, (before, after): (Record, Record)) -> Result<(), sqlx::Error> {
    if after.locked_until != before.locked_until {
        sqlx::query("UPDATE login_throttle SET failures = $2, last_failure_at = $3, locked_until = $4 WHERE key = $1 AND locked_until = $5")
            .bind(key)
            .bind(i64::from(before.failures))
            .bind(before.last_failure_at)
            .bind(before.locked_until)
            .bind(after.locked_until)
            .execute(conn)
            .await?;
    } else {
        sqlx::query("UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0").bind(key).execute(conn).await?;
    }
    Ok(())
}

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
