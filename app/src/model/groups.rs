//! Groups and roles: the names an import refers to. Groups must exist before
//! a file names them; roles appear when a file names them first.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Group,
    Role,
}

impl Kind {
    /// "group" or "role", for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Group => "group",
            Kind::Role => "role",
        }
    }

    /// The users list's filter for its members, `group=…` or `role=…`.
    pub fn filter_param(self) -> &'static str {
        self.noun()
    }

    /// The name, trimmed, if the spreadsheet can hold it.
    pub fn check(self, name: &str) -> Result<&str, String> {
        match self {
            Kind::Group => engine::domain::names::group(name),
            Kind::Role => engine::domain::names::role(name),
        }
    }
}

/// A group or role and how many users belong to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: i64,
    pub name: String,
    pub members: i64,
}
