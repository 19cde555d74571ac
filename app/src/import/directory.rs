//! The snapshot of a tenant's directory that a file is checked against. The
//! server loads it from the database; the browser keeps a copy.

use crate::domain::access::AccessLevel;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// Changes with every change to the tenant's directory.
    pub version: i64,
    pub tenant: String,
    pub default_locale: String,
    pub min_password_length: usize,
    /// The User ID of the admin who runs the import, who must not lock themselves out.
    pub acting_user: Option<String>,
    pub users: Vec<DirectoryUser>,
    pub roles: Vec<String>,
    pub groups: Vec<String>,
}

impl Default for Directory {
    fn default() -> Self {
        Self {
            version: 0,
            tenant: String::new(),
            default_locale: "en-GB".into(),
            min_password_length: crate::domain::password::DEFAULT_MIN_LENGTH,
            acting_user: None,
            users: Vec::new(),
            roles: Vec::new(),
            groups: Vec::new(),
        }
    }
}

/// A user as the spreadsheet sees them. Empty strings mean "none".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryUser {
    pub user_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub phone: String,
    pub phone2: String,
    pub network_account: String,
    pub has_password: bool,
    pub locale: String,
    pub access: AccessLevel,
    pub active: bool,
    /// The manager's User ID.
    pub reports_to: String,
    pub task_notification: String,
    pub roles: Vec<String>,
    pub groups: Vec<String>,
}

impl DirectoryUser {
    /// Every value of the user as text, in a fixed order, for fingerprints;
    /// the roles and the groups each end with an empty text, which no name is.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let flag = |on: bool| if on { "TRUE" } else { "FALSE" };
        [
            &self.user_id, &self.email, &self.first_name, &self.last_name, &self.title, &self.phone, &self.phone2,
            &self.network_account, &self.locale, &self.reports_to, &self.task_notification,
        ]
        .into_iter()
        .map(String::as_str)
        .chain([flag(self.has_password), self.access.as_str(), flag(self.active)])
        .chain(self.roles.iter().map(String::as_str).chain([""]))
        .chain(self.groups.iter().map(String::as_str).chain([""]))
    }

    /// A new user with the tenant's defaults, before the row's values apply.
    pub fn new(directory: &Directory) -> Self {
        Self {
            user_id: String::new(),
            email: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            title: String::new(),
            phone: String::new(),
            phone2: String::new(),
            network_account: String::new(),
            has_password: false,
            locale: directory.default_locale.clone(),
            access: AccessLevel::User,
            active: true,
            reports_to: String::new(),
            task_notification: "Email".into(),
            roles: Vec::new(),
            groups: Vec::new(),
        }
    }
}
