//! What the Columns page and the server say of a change to a tenant's columns.

use serde::{Deserialize, Serialize};

/// What became of a changed definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Changed {
    Saved,
    /// Refused: the values of `count` users do not fit it; `link` lists them.
    InTheWay { count: usize, message: String, link: String },
}

/// What became of a column's removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Removal {
    Removed,
    /// Not removed yet: `holders` users hold a value, and the admin must
    /// confirm with that count.
    Confirm { holders: usize },
}

/// The users list showing the users at these ids.
pub fn users_link(ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().take(super::users::Filter::MAX_IDS).map(i64::to_string).collect();
    format!("/users?ids={}", ids.join("%2C"))
}
