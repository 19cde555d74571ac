//! The import history: every batch, and every change it made, for admins.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub file_name: String,
    pub checksum: String,
    pub status: String,
    pub added: i64,
    pub updated: i64,
    pub deleted: i64,
    pub unchanged: i64,
    pub roles_added: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub row: i64,
    pub user: String,
    pub action: String,
    pub field: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchDetail {
    pub batch: BatchRow,
    pub changes: Vec<ChangeRow>,
}

#[server(endpoint = "list_batches")]
pub async fn list_batches() -> Result<Vec<BatchRow>, AppError> {
    crate::state::with_status(
        async {
            let (state, me) = crate::auth::session::require(crate::domain::access::AccessLevel::is_admin).await?;
            let mut conn = state.db.pool.acquire().await?;
            Ok(crate::store::history::batches(&mut conn, me.tenant_id).await?)
        }
        .await,
    )
}

/// One batch of the caller's tenant with its changes; another tenant's
/// batch is not found, like a missing one.
#[server(endpoint = "get_batch")]
pub async fn get_batch(id: i64) -> Result<BatchDetail, AppError> {
    crate::state::with_status(
        async {
            let (state, me) = crate::auth::session::require(crate::domain::access::AccessLevel::is_admin).await?;
            let mut conn = state.db.pool.acquire().await?;
            let batch = crate::store::history::batch(&mut conn, me.tenant_id, id).await?.ok_or(AppError::NotFound)?;
            let changes = crate::store::history::changes(&mut conn, id).await?;
            Ok(BatchDetail { batch, changes })
        }
        .await,
    )
}

/// `2026-11-22 01:12 UTC`.
pub fn when(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|moment| {
            let text = moment.naive_utc().to_string();
            format!("{} UTC", &text[..16.min(text.len())])
        })
        .unwrap_or_default()
}

/// The changes as CSV, formula cells neutralised, for the download link.
pub fn changes_csv(changes: &[ChangeRow]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["Row", "User", "Action", "Field", "Old value", "New value"]);
    for change in changes {
        let row = change.row.to_string();
        let cells = [row.as_str(), &change.user, &change.action, &change.field, &change.old, &change.new];
        let _ = writer.write_record(cells.map(|c| crate::sheet::neutralise(c).into_owned()));
    }
    writer.into_inner().map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_utc_minutes() {
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
        assert_eq!(when(1_795_000_000), "2026-11-18 11:06 UTC");
    }

    #[test]
    fn the_csv_neutralises_formulas() {
        let change = ChangeRow { row: 2, user: "u".into(), action: "update".into(), field: "Title".into(), old: "=1+1".into(), new: "x".into() };
        let csv = changes_csv(&[change]);
        assert!(csv.starts_with("Row,User,Action,Field,Old value,New value\n"));
        assert!(csv.contains("'=1+1"));
    }
}
