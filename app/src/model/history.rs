//! The import history as the pages see it: batches, and a page of a batch's changes.

pub use engine::history::{changes_csv, ChangeRow, ROLE_CREATED, ROLE_REMOVED};
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

/// `2026-11-22 01:12 UTC`.
pub fn when(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|moment| {
            let text = moment.naive_utc().to_string();
            format!("{} UTC", &text[..16.min(text.len())])
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_utc_minutes() {
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
        assert_eq!(when(1_795_000_000), "2026-11-18 11:06 UTC");
    }
}
