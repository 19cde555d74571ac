//! What `Undo this import` shows before the admin confirms it.

use engine::import::undo::Conflict;
use engine::import::{DirectoryUser, Plan};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InversePreview {
    /// What the undo would do, checked like an import; errors included.
    pub plan: Plan,
    /// The first of the users it would add, to list.
    pub new_users: Vec<DirectoryUser>,
    /// The plan's [`Plan::digest`] with the roles removed, for the confirmation.
    pub digest: String,
    pub conflicts: Vec<Conflict>,
    /// Passwords the import set, which stay.
    pub passwords: usize,
    /// The roles the import created that the undo removes: no user holds them after it.
    pub removed_roles: Vec<String>,
}

