//! Access levels: what a signed-in person may see and change.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccessLevel {
    Admin,
    Manager,
    User,
}

impl AccessLevel {
    /// Reads a spreadsheet or database value; SPEC's synonyms for Admin included.
    pub fn parse(value: &str) -> Option<Self> {
        // Compared in place: a lower-cased copy was an allocation for every cell of an import.
        let value = value.trim();
        let is = |name: &&str| value.eq_ignore_ascii_case(name);
        if ["admin", "account owner", "org admin", "tenant admin"].iter().any(is) {
            Some(Self::Admin)
        } else if is(&"manager") {
            Some(Self::Manager)
        } else if is(&"user") {
            Some(Self::User)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "Admin",
            Self::Manager => "Manager",
            Self::User => "User",
        }
    }

    /// Admins and managers see the tenant's user list; users see only themselves.
    pub fn sees_directory(self) -> bool {
        matches!(self, Self::Admin | Self::Manager)
    }

    pub fn is_admin(self) -> bool {
        self == Self::Admin
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_levels_and_admin_synonyms_case_insensitively() {
        assert_eq!(AccessLevel::parse("ADMIN"), Some(AccessLevel::Admin));
        assert_eq!(AccessLevel::parse(" Org Admin "), Some(AccessLevel::Admin));
        assert_eq!(AccessLevel::parse("account owner"), Some(AccessLevel::Admin));
        assert_eq!(AccessLevel::parse("Tenant Admin"), Some(AccessLevel::Admin));
        assert_eq!(AccessLevel::parse("manager"), Some(AccessLevel::Manager));
        assert_eq!(AccessLevel::parse("User"), Some(AccessLevel::User));
        assert_eq!(AccessLevel::parse("root"), None);
    }

    #[test]
    fn round_trips_through_its_name() {
        for level in [AccessLevel::Admin, AccessLevel::Manager, AccessLevel::User] {
            assert_eq!(AccessLevel::parse(level.as_str()), Some(level));
        }
    }

    #[test]
    fn only_admins_and_managers_see_the_directory() {
        assert!(AccessLevel::Admin.sees_directory());
        assert!(AccessLevel::Manager.sees_directory());
        assert!(!AccessLevel::User.sees_directory());
        assert!(!AccessLevel::Manager.is_admin());
    }
}
