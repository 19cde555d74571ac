//! Problems found in a file, each with a stable code from SPEC.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    UnknownColumn,
    DuplicateColumn,
    MissingColumn,
    Required,
    TooLong,
    InvalidEmail,
    InvalidUserId,
    InvalidPhone,
    InvalidNetworkAccount,
    WeakPassword,
    PasswordNotAllowed,
    InvalidChoice,
    InvalidBoolean,
    InvalidRoleName,
    UnknownGroup,
    DuplicateInFile,
    AlreadyExists,
    NotFound,
    UnknownManager,
    ManagerCycle,
    SelfReference,
    HasReports,
    OtherTenant,
    SelfLockout,
    UnknownCopySource,
    FileUnreadable,
    FileTooLarge,
    EmptyFile,
    InvalidDate,
    // Warnings:
    Unchanged,
    NoPhone,
    NoSignIn,
}

impl Code {
    pub fn is_warning(self) -> bool {
        matches!(self, Code::Unchanged | Code::NoPhone | Code::NoSignIn)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Code::UnknownColumn => "unknown_column",
            Code::DuplicateColumn => "duplicate_column",
            Code::MissingColumn => "missing_column",
            Code::Required => "required",
            Code::TooLong => "too_long",
            Code::InvalidEmail => "invalid_email",
            Code::InvalidUserId => "invalid_user_id",
            Code::InvalidPhone => "invalid_phone",
            Code::InvalidNetworkAccount => "invalid_network_account",
            Code::WeakPassword => "weak_password",
            Code::PasswordNotAllowed => "password_not_allowed",
            Code::InvalidChoice => "invalid_choice",
            Code::InvalidBoolean => "invalid_boolean",
            Code::InvalidRoleName => "invalid_role_name",
            Code::UnknownGroup => "unknown_group",
            Code::DuplicateInFile => "duplicate_in_file",
            Code::AlreadyExists => "already_exists",
            Code::NotFound => "not_found",
            Code::UnknownManager => "unknown_manager",
            Code::ManagerCycle => "manager_cycle",
            Code::SelfReference => "self_reference",
            Code::HasReports => "has_reports",
            Code::OtherTenant => "other_tenant",
            Code::SelfLockout => "self_lockout",
            Code::UnknownCopySource => "unknown_copy_source",
            Code::FileUnreadable => "file_unreadable",
            Code::FileTooLarge => "file_too_large",
            Code::EmptyFile => "empty_file",
            Code::InvalidDate => "invalid_date",
            Code::Unchanged => "unchanged",
            Code::NoPhone => "no_phone",
            Code::NoSignIn => "no_sign_in",
        }
    }
}

/// Words of an issue. Fixed words (every column's name, and the warnings that
/// thousands of rows of one file can share) are not copied for each row.
pub type Text = Cow<'static, str>;

/// One problem: where (row as the admin sees it, column heading) and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// The spreadsheet row (headings are row 1); `None` for the whole file.
    pub row: Option<u32>,
    pub column: Option<Text>,
    pub code: Code,
    pub message: Text,
}

impl Issue {
    pub fn file(code: Code, message: impl Into<Text>) -> Self {
        Self { row: None, column: None, code, message: message.into() }
    }

    pub fn heading(code: Code, heading: &str, message: String) -> Self {
        Self { row: Some(1), column: Some(heading.to_string().into()), code, message: message.into() }
    }

    pub fn cell(row: u32, column: super::columns::Column, code: Code, message: impl Into<Text>) -> Self {
        Self { row: Some(row), column: Some(column.name().into()), code, message: message.into() }
    }

    /// A problem in a cell of one of the tenant's own columns.
    pub fn own(row: u32, column: &super::tenant_columns::TenantColumn, code: Code, message: impl Into<Text>) -> Self {
        Self { row: Some(row), column: Some(column.name.clone().into()), code, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_spec_names() {
        for code in [Code::UnknownColumn, Code::InvalidNetworkAccount, Code::NoSignIn, Code::EmptyFile, Code::InvalidDate] {
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{}\"", code.as_str()));
        }
        assert!(Code::Unchanged.is_warning() && Code::NoPhone.is_warning());
        assert!(!Code::Required.is_warning());
    }
}
