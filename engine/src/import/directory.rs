//! The snapshot of a tenant's directory that a file is checked against. The
//! server loads it from the database; the browser keeps a copy.

use super::tenant_columns::TenantColumn;
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
    /// The tenant's own columns, in their order; each user has a value for each.
    #[serde(default)]
    pub columns: Vec<TenantColumn>,
    /// The users indexed, once a check has needed it.
    #[serde(skip)]
    pub index: super::index::Kept,
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
            columns: Vec::new(),
            index: Default::default(),
        }
    }
}

impl Directory {
    /// The places of the tenant's unique columns among its columns.
    pub(crate) fn unique_columns(&self) -> Vec<usize> {
        self.columns.iter().enumerate().filter(|(_, column)| column.unique).map(|(index, _)| index).collect()
    }
}

/// A value of a user: kept in place when short (nearly always), so that
/// copying a user allocates nothing.
pub type Name = compact_str::CompactString;

/// A user as the spreadsheet sees them. Empty strings mean "none".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryUser {
    pub user_id: Name,
    pub email: Name,
    pub first_name: Name,
    pub last_name: Name,
    pub title: Name,
    pub phone: Name,
    pub phone2: Name,
    pub network_account: Name,
    pub has_password: bool,
    pub locale: Name,
    pub access: AccessLevel,
    pub active: bool,
    /// The manager's User ID.
    pub reports_to: Name,
    pub task_notification: Name,
    pub roles: Vec<Name>,
    pub groups: Vec<Name>,
    /// The values of the tenant's columns, in the directory's order; blank
    /// for none. A boolean always has one: its default, if nothing else.
    #[serde(default)]
    pub values: Vec<Name>,
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
        .map(Name::as_str)
        .chain([flag(self.has_password), self.access.as_str(), flag(self.active)])
        .chain(self.roles.iter().map(Name::as_str).chain([""]))
        .chain(self.groups.iter().map(Name::as_str).chain([""]))
        .chain(self.values.iter().map(Name::as_str))
    }

    /// A new user with the tenant's defaults, before the row's values apply.
    pub fn new(directory: &Directory) -> Self {
        Self {
            user_id: Name::default(),
            email: Name::default(),
            first_name: Name::default(),
            last_name: Name::default(),
            title: Name::default(),
            phone: Name::default(),
            phone2: Name::default(),
            network_account: Name::default(),
            has_password: false,
            locale: directory.default_locale.as_str().into(),
            access: AccessLevel::User,
            active: true,
            reports_to: Name::default(),
            task_notification: "Email".into(),
            roles: Vec::new(),
            groups: Vec::new(),
            values: directory.columns.iter().map(|column| Name::from(column.blank())).collect(),
        }
    }
}
