//! The plan a check produces: who is added, updated (field by field),
//! deleted or left unchanged, with every problem found, and the digest that
//! tells whether a confirmed plan is still the one the admin saw. The
//! planner that makes it is in `planner`, with the rules that span rows and
//! the directory; `created` makes new users again from their rows.

mod changes;
mod created;
mod planner;

pub use changes::changes;
pub use created::{created, created_all};
pub use planner::{check, check_paced};

use super::columns::Column;
use super::directory::{Directory, DirectoryUser, Name};
use super::issue::{Code, Issue};
use crate::pace::{self, Pace, Paced, Steps, Straight, ROWS_A_STEP};
use crate::sheet::Sheet;
use created::maker_paced;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub added: usize,
    pub updated: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub roles_added: usize,
}

impl Summary {
    /// SPEC's result line for a batch that was applied.
    pub fn message(&self) -> String {
        format!(
            "Users Loaded successfully. {} Added, {} Updated, {} Deleted, {} Roles Added.",
            self.added, self.updated, self.deleted, self.roles_added
        )
    }
}

/// A field of a user: one of Roster's columns, or one of the tenant's, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    BuiltIn(Column),
    Own(Name),
}

impl Field {
    pub fn name(&self) -> &str {
        match self {
            Field::BuiltIn(column) => column.name(),
            Field::Own(name) => name,
        }
    }
}

impl PartialEq<Column> for Field {
    fn eq(&self, column: &Column) -> bool {
        *self == Field::BuiltIn(*column)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: Field,
    /// In place up to 24 bytes, nearly every value: no allocation for most changes.
    pub old: Name,
    pub new: Name,
}

/// A user the file adds. The plan keeps only what the check found out
/// about them: the user is made again from their row where needed
/// ([`created`]), since a whole user takes three times the memory of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Create {
    pub row: u32,
    /// The manager's User ID (the row may name the manager by e-mail).
    pub reports_to: Name,
    /// Hashed before it is stored; never shown or logged.
    pub password: Option<String>,
    pub invite: bool,
}

/// A new user, made again from their row, with what the plan says of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created<'p> {
    pub create: &'p Create,
    pub user: DirectoryUser,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    pub row: u32,
    /// The user as they will be.
    pub user: Box<DirectoryUser>,
    pub changes: Vec<Change>,
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delete {
    pub row: u32,
    /// The user as they are before the delete, so that an undo can restore them.
    pub user: Box<DirectoryUser>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The directory version the plan was made against.
    pub version: i64,
    pub creates: Vec<Create>,
    pub updates: Vec<Update>,
    pub deletes: Vec<Delete>,
    pub unchanged: Vec<u32>,
    pub new_roles: Vec<String>,
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        Summary {
            added: self.creates.len(),
            updated: self.updates.len(),
            deleted: self.deletes.len(),
            unchanged: self.unchanged.len(),
            roles_added: self.new_roles.len(),
        }
    }

    /// How many new users the batch will send an invitation.
    pub fn invitations(&self) -> usize {
        self.creates.iter().filter(|c| c.invite).count()
    }

    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// A fingerprint of what the plan would change (never of passwords): a
    /// commit compares it with the previewed one to tell whether the
    /// directory moved under the preview in a way that matters. `sheet` and
    /// `directory` are those the plan was checked with.
    pub fn digest(&self, sheet: &Sheet, directory: &Directory) -> String {
        pace::straight(self.digest_paced(sheet, directory, &mut Straight))
    }

    /// As [`Self::digest`], offering `pace` a step every few hundred new
    /// users, who are made again from their rows: the page's Import button
    /// would otherwise hold the page for a whole file's users.
    pub fn digest_paced<'a>(&'a self, sheet: &'a Sheet, directory: &'a Directory, pace: &'a mut dyn Pace) -> Paced<'a, String> {
        Box::pin(async move {
            use sha2::{Digest, Sha256};
            let mut steps = Steps::new(pace, self.creates.len(), ROWS_A_STEP);
            let make = maker_paced(sheet, directory, &mut steps).await;
            let mut hash = Sha256::new();
            // The tenant's columns as defined: a preview checked before a definition changed is stale.
            let mut definitions = Vec::new();
            // Writing into a Vec cannot fail.
            let _ = ciborium::into_writer(&directory.columns, &mut definitions);
            hash.update(&definitions);
            // Every value with its length before it, so that no two plans feed alike.
            let mut text = |value: &str| {
                hash.update((value.len() as u32).to_le_bytes());
                hash.update(value);
            };
            for Created { create, user } in self.creates.iter().filter_map(&make) {
                steps.advance(1).await;
                text("c");
                text(&create.row.to_string());
                user.texts().for_each(&mut text);
                text(if create.invite { "invite" } else { "" });
            }
            for update in &self.updates {
                text("u");
                text(&update.row.to_string());
                for change in &update.changes {
                    text(change.field.name());
                    text(&change.old);
                    text(&change.new);
                }
            }
            // The user as they are: an undo's preview must not delete a user
            // whom someone changed after it.
            for delete in &self.deletes {
                text("d");
                text(&delete.row.to_string());
                delete.user.texts().for_each(&mut text);
            }
            self.new_roles.iter().for_each(|role| text(role));
            crate::digest::hex(&hash.finalize())
    
        })
    }

    /// SPEC's result line.
    pub fn result_message(&self) -> String {
        if self.errors.iter().any(|e| e.code == Code::EmptyFile) {
            return "Users file is empty".into();
        }
        self.summary().message()
    }

    fn push(&mut self, issue: Issue) {
        if issue.code.is_warning() {
            self.warnings.push(issue);
        } else {
            self.errors.push(issue);
        }
    }
}
