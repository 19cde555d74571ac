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
    /// The file's row; none for a role's line.
    pub row: Option<i64>,
    pub user: String,
    pub action: String,
    pub field: String,
    pub old: String,
    pub new: String,
}

/// The action of a history line for a role that an import created, and for
/// one that undoing it removed; such a line has no row or user.
pub const ROLE_CREATED: &str = "create_role";
pub const ROLE_REMOVED: &str = "remove_role";

/// One batch and a page of its changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchDetail {
    pub batch: BatchRow,
    pub changes: Vec<ChangeRow>,
    /// Where the next page starts, if there is one.
    pub next: Option<i64>,
}

/// Batches a page of the history lists.
pub const BATCHES_PAGE: usize = 100;
/// Changes a batch's page shows at a time: a batch may hold millions.
pub const CHANGES_PAGE: usize = 200;

/// The caller's tenant's batches, newest first, [`BATCHES_PAGE`] of them
/// from before batch `before`.
#[server(endpoint = "list_batches")]
pub async fn list_batches(before: Option<i64>) -> Result<Vec<BatchRow>, AppError> {
    crate::state::with_status(
        async {
            let (state, me) = crate::auth::session::require(crate::domain::access::AccessLevel::is_admin).await?;
            let mut conn = state.db.pool.acquire().await?;
            let before = before.unwrap_or(i64::MAX);
            Ok(crate::store::history::batches(&mut conn, me.tenant_id, before, BATCHES_PAGE as i64).await?)
        }
        .await,
    )
}

/// One batch of the caller's tenant with a page of its changes: those after
/// `after` whose user or field holds `filter`. Another tenant's batch is not
/// found, like a missing one.
#[server(endpoint = "get_batch")]
pub async fn get_batch(id: i64, filter: Option<String>, after: Option<i64>) -> Result<BatchDetail, AppError> {
    crate::state::with_status(
        async {
            let (state, me) = crate::auth::session::require(crate::domain::access::AccessLevel::is_admin).await?;
            let mut conn = state.db.pool.acquire().await?;
            let batch = crate::store::history::batch(&mut conn, me.tenant_id, id).await?.ok_or(AppError::NotFound)?;
            let filter = filter.unwrap_or_default();
            let limit = CHANGES_PAGE as i64 + 1;
            let mut page = crate::store::history::changes_after(&mut conn, id, &filter, after.unwrap_or(0), limit).await?;
            let next = (page.len() > CHANGES_PAGE).then(|| page[CHANGES_PAGE - 1].0);
            page.truncate(CHANGES_PAGE);
            Ok(BatchDetail { batch, changes: page.into_iter().map(|(_, change)| change).collect(), next })
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

/// Changes as CSV, formula cells neutralised, for the download, which
/// writes them a part at a time: the first part starts with a byte-order
/// mark (so that Excel reads the text as UTF-8) and the headings.
pub fn changes_csv(changes: &[ChangeRow], first: bool) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(if first { "\u{feff}".as_bytes().to_vec() } else { Vec::new() });
    if first {
        let _ = writer.write_record(["Row", "User", "Action", "Field", "Old value", "New value"]);
    }
    for change in changes {
        let row = change.row.map(|r| r.to_string()).unwrap_or_default();
        let cells = [row.as_str(), &change.user, &change.action, &change.field, &change.old, &change.new];
        let _ = writer.write_record(cells.map(|c| crate::sheet::neutralise(c).into_owned()));
    }
    writer.into_inner().unwrap_or_default()
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
        let change = ChangeRow { row: Some(2), user: "u".into(), action: "update".into(), field: "Title".into(), old: "=1+1".into(), new: "x".into() };
        let csv = String::from_utf8(changes_csv(std::slice::from_ref(&change), true)).unwrap();
        assert!(csv.starts_with("\u{feff}Row,User,Action,Field,Old value,New value\n"));
        assert!(csv.contains("'=1+1"));
        let more = String::from_utf8(changes_csv(&[change], false)).unwrap();
        assert!(more.starts_with("2,u,update"), "a later part has no headings: {more}");
    }
}
