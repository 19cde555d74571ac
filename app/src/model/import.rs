//! A batch as the import page sends it, and what the server answers.

use engine::import::plan::created;
use engine::import::{Directory, DirectoryUser, Issue, Plan};
use engine::sheet::{Parts, Sheet};
use serde::{Deserialize, Serialize};


/// A batch as the admin confirmed it in the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// Chosen by the page for each checked file; a second commit of it applies nothing.
    pub key: String,
    pub file_name: String,
    /// The directory version and plan digest that the admin saw.
    pub version: i64,
    pub digest: String,
    /// The rows after the admin's fixes.
    pub sheet: Parts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// SPEC's result message; `replayed` when the batch had been applied before.
    Applied { batch_id: i64, message: String, replayed: bool },
    /// The server found errors, as the page would show them; nothing changed.
    Refused { errors: Vec<Issue> },
}

/// Previews list this many entries; the counts are always complete.
pub const LISTED: usize = 200;

/// The new users a preview lists, made from their rows.
pub fn listed(plan: &Plan, sheet: &Sheet, directory: &Directory) -> Vec<DirectoryUser> {
    created(plan, sheet, directory).take(LISTED).map(|c| c.user).collect()
}
