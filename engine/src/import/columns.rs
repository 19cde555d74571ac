//! The spreadsheet's columns: canonical names, accepted aliases, and the
//! mapping of a file's headings onto them.

use super::issue::{Code, Issue};
use super::tenant_columns::TenantColumn;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Column {
    Action,
    UserId,
    Email,
    FirstName,
    LastName,
    Title,
    Phone,
    Phone2,
    NetworkAccount,
    Password,
    Locale,
    AccessLevel,
    Active,
    ReportsTo,
    Roles,
    Groups,
    TaskNotification,
    NotifyIfNew,
    Tenant,
    CopyFrom,
    CopyRoles,
    CopyGroups,
}

impl Column {
    /// Every column, in the template's order.
    pub const ALL: [Column; 22] = [
        Column::Action,
        Column::UserId,
        Column::Email,
        Column::FirstName,
        Column::LastName,
        Column::Title,
        Column::Phone,
        Column::Phone2,
        Column::NetworkAccount,
        Column::Password,
        Column::Locale,
        Column::AccessLevel,
        Column::Active,
        Column::ReportsTo,
        Column::Roles,
        Column::Groups,
        Column::TaskNotification,
        Column::NotifyIfNew,
        Column::Tenant,
        Column::CopyFrom,
        Column::CopyRoles,
        Column::CopyGroups,
    ];

    pub fn name(self) -> &'static str {
        self.names()[0]
    }

    /// The canonical name first, then the aliases SPEC accepts.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Column::Action => &["Action", "Transaction"],
            Column::UserId => &["User ID", "userId", "Login", "Username"],
            Column::Email => &["Email", "Email Address", "User Email", "E-mail"],
            Column::FirstName => &["First Name", "User First Name", "Given Name"],
            Column::LastName => &["Last Name", "User Last Name", "Surname", "Family Name"],
            Column::Title => &["Title", "User Title", "Job Title"],
            Column::Phone => &["Phone", "Phone Number", "User Phone 1", "Phone 1"],
            Column::Phone2 => &["Phone 2", "User Phone 2"],
            Column::NetworkAccount => &["Network Account", "User NT Account", "NT Account", "Network ID"],
            Column::Password => &["Password", "User Password"],
            Column::Locale => &["Locale", "Language and Culture", "Language"],
            Column::AccessLevel => &["Access Level", "User Type", "Access", "Role"],
            Column::Active => &["Active", "Enabled"],
            Column::ReportsTo => &["Reports To", "reportsTo", "Manager"],
            Column::Roles => &["Roles", "Role Names"],
            Column::Groups => &["Groups", "Teams", "User Group Names"],
            Column::TaskNotification => &["Task Notification", "taskNotification"],
            Column::NotifyIfNew => &["Notify If New", "notifyIfNewUser"],
            Column::Tenant => &["Tenant"],
            Column::CopyFrom => &["Copy From", "Copy User Email"],
            Column::CopyRoles => &["Copy Roles"],
            Column::CopyGroups => &["Copy Groups", "Copy User Group"],
        }
    }

    /// What the column holds, for the template's explanation sheet.
    pub fn rule(self) -> &'static str {
        match self {
            Column::Action => "create, update, delete or blank: blank creates a new user and updates an existing one",
            Column::UserId => "the sign-in name, unique in the organisation; blank means the e-mail address; at most 64 characters, no spaces",
            Column::Email => "required; a valid e-mail address, unique in the organisation",
            Column::FirstName => "at most 100 characters",
            Column::LastName => "required for a new user; at most 100 characters",
            Column::Title => "the job title; at most 100 characters",
            Column::Phone | Column::Phone2 => "7 to 15 digits; spaces, +, ( ) and up to three - allowed",
            Column::NetworkAccount => "DOMAIN\\name; unique; such a user signs in through the network, so Password stays blank",
            Column::Password => "optional; at least 8 characters with a letter and a digit; blank keeps the current one",
            Column::Locale => "a language tag such as en-GB, en-US, fr-FR, de-DE; blank means the organisation's default",
            Column::AccessLevel => "Admin, Manager or User; blank means User",
            Column::Active => "TRUE or FALSE; FALSE blocks sign-in; blank means TRUE",
            Column::ReportsTo => "the User ID or e-mail of the user's manager, existing or in this file",
            Column::Roles => "role names separated by | or ;, without spaces; new roles are created",
            Column::Groups => "group names separated by | or ;; each group must exist already",
            Column::TaskNotification => "OFF or Email; blank means Email",
            Column::NotifyIfNew => "TRUE sends a new user an invitation to set a password",
            Column::Tenant => "optional; your own organisation's name",
            Column::CopyFrom => "a user whose roles and/or groups are copied (see Copy Roles, Copy Groups)",
            Column::CopyRoles => "TRUE copies the roles of the Copy From user",
            Column::CopyGroups => "TRUE copies the groups of the Copy From user",
        }
    }

    /// The fixed choices a cell may hold, for the template's drop-down lists.
    pub fn choices(self) -> Option<&'static [&'static str]> {
        match self {
            Column::Action => Some(&["create", "update", "delete"]),
            Column::AccessLevel => Some(&["Admin", "Manager", "User"]),
            Column::Active | Column::NotifyIfNew | Column::CopyRoles | Column::CopyGroups => Some(&["TRUE", "FALSE"]),
            Column::TaskNotification => Some(&["OFF", "Email"]),
            Column::Locale => Some(super::fields::LOCALES),
            _ => None,
        }
    }
}

/// `First Name`, `first_name` and `firstName` are one heading.
pub fn normalise(heading: &str) -> String {
    heading
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each known column is in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    /// In the file's order.
    positions: Vec<(Column, usize)>,
    /// The same by column, for the dozen look-ups of every row.
    by_column: [Option<usize>; Column::ALL.len()],
    /// Where each of the tenant's columns is, in the directory's order.
    own: Vec<Option<usize>>,
}

impl Mapping {
    pub fn position(&self, column: Column) -> Option<usize> {
        self.by_column[column as usize]
    }

    pub fn has(&self, column: Column) -> bool {
        self.position(column).is_some()
    }

    pub fn columns(&self) -> impl Iterator<Item = (Column, usize)> + '_ {
        self.positions.iter().copied()
    }

    /// Where the tenant's column at `index` (the directory's order) is.
    pub fn own(&self, index: usize) -> Option<usize> {
        self.own.get(index).copied().flatten()
    }

    /// Whether the file has any of the tenant's columns.
    pub fn has_own(&self) -> bool {
        self.own.iter().any(Option::is_some)
    }
}

/// What a heading names: a built-in column, or the tenant's column at an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heading {
    BuiltIn(Column),
    Own(usize),
}

impl Heading {
    /// The name of the column a heading names, as messages give it.
    pub fn name(self, own: &[TenantColumn]) -> &str {
        match self {
            Heading::BuiltIn(column) => column.name(),
            Heading::Own(index) => &own[index].name,
        }
    }
}

/// Maps headings to Roster's columns and the tenant's `own`. Unknown and
/// duplicate headings are all reported, each with row 1 and the heading as
/// it was written. Blank headings are skipped; a value under one is
/// reported by the reader.
pub fn map_headings(headings: &[String], own: &[TenantColumn]) -> (Mapping, Vec<Issue>) {
    let mut mapping = Mapping { own: vec![None; own.len()], ..Mapping::default() };
    let mut issues = Vec::new();
    for (at, heading) in headings.iter().enumerate() {
        let key = normalise(heading);
        if key.is_empty() {
            continue;
        }
        let Some(found) = lookup(&key).map(Heading::BuiltIn).or_else(|| own_column(own, &key).map(Heading::Own)) else {
            issues.push(Issue::heading(
                Code::UnknownColumn,
                heading,
                format!("The heading `{heading}` is not a Roster column. Did you mean `{}`? Rename the heading, or remove the column.", nearest(&key, own)),
            ));
            continue;
        };
        let slot = match found {
            Heading::BuiltIn(column) => &mut mapping.by_column[column as usize],
            Heading::Own(index) => &mut mapping.own[index],
        };
        if let Some(first) = *slot {
            issues.push(Issue::heading(
                Code::DuplicateColumn,
                heading,
                format!("`{heading}` is the column {} again (first as `{}`). Keep one of the two.", found.name(own), headings[first]),
            ));
            continue;
        }
        *slot = Some(at);
        if let Heading::BuiltIn(column) = found {
            mapping.positions.push((column, at));
        }
    }
    (mapping, issues)
}

/// The tenant's column whose name or alias is `key`, normalised.
fn own_column(own: &[TenantColumn], key: &str) -> Option<usize> {
    own.iter().position(|column| column.keys().any(|(name, _)| name == key))
}

/// The missing required columns; Last Name is needed only when the file
/// can create users.
pub fn missing(mapping: &Mapping, only_deletes: bool) -> Vec<Issue> {
    let mut required = vec![Column::Email];
    if !only_deletes {
        required.push(Column::LastName);
    }
    required
        .into_iter()
        .filter(|column| !mapping.has(*column))
        .map(|column| Issue {
            row: None,
            column: Some(column.name().into()),
            code: Code::MissingColumn,
            message: format!("The column {} is missing. Add a column with the heading `{}`.", column.name(), column.name()).into(),
        })
        .collect()
}

/// The column a heading names, if any.
pub fn column_of(heading: &str) -> Option<Column> {
    lookup(&normalise(heading))
}

/// The name of the column, Roster's or the tenant's `own`, that a heading names.
pub fn column_name<'a>(heading: &str, own: &'a [TenantColumn]) -> Option<&'a str> {
    let key = normalise(heading);
    lookup(&key).map(Column::name).or_else(|| own_column(own, &key).map(|index| own[index].name.as_str()))
}

/// The name of the column, Roster's or the tenant's `own`, that an unknown heading most likely means.
pub fn suggest_name<'a>(heading: &str, own: &'a [TenantColumn]) -> &'a str {
    nearest(&normalise(heading), own)
}

/// The built-in column an unknown heading most likely means.
pub fn suggest(heading: &str) -> Column {
    nearest_built_in(&normalise(heading)).0
}

fn lookup(key: &str) -> Option<Column> {
    Column::ALL
        .into_iter()
        .find(|column| column.names().iter().any(|name| normalise(name) == key))
}

/// Jaro-Winkler rather than edit distance: it favours a shared beginning, so
/// that `Famly` suggests Last Name (`Family Name`) rather than Email.
fn nearest_built_in(key: &str) -> (Column, f64) {
    Column::ALL
        .into_iter()
        .flat_map(|column| column.names().iter().map(move |name| (column, strsim::jaro_winkler(key, &normalise(name)))))
        .max_by(|(_, a), (_, b)| a.total_cmp(b))
        .unwrap_or((Column::Email, 0.0))
}

/// The name of the column, Roster's or the tenant's, that an unknown heading most likely means.
fn nearest<'a>(key: &str, own: &'a [TenantColumn]) -> &'a str {
    let (column, score) = nearest_built_in(key);
    own.iter()
        .flat_map(|column| column.keys().map(move |(name, _)| (column.name.as_str(), strsim::jaro_winkler(key, &name))))
        .filter(|(_, own_score)| *own_score > score)
        .max_by(|(_, a), (_, b)| a.total_cmp(b))
        .map_or(column.name(), |(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_name_and_alias_maps_to_its_column_in_any_spelling() {
        for column in Column::ALL {
            for name in column.names() {
                for spelling in [name.to_string(), name.to_uppercase(), name.replace(' ', "_"), name.replace(' ', "-")] {
                    let (mapping, issues) = map_headings(std::slice::from_ref(&spelling), &[]);
                    assert!(issues.is_empty(), "{spelling}: {issues:?}");
                    assert_eq!(mapping.position(column), Some(0), "{spelling}");
                }
            }
        }
        let (mapping, _) = map_headings(&headings(&["firstName", "first_name", "First Name"]), &[]);
        assert_eq!(mapping.position(Column::FirstName), Some(0));
    }

    #[test]
    fn role_is_the_access_level_and_roles_the_role_list() {
        let (mapping, _) = map_headings(&headings(&["Role", "Roles"]), &[]);
        assert_eq!(mapping.position(Column::AccessLevel), Some(0));
        assert_eq!(mapping.position(Column::Roles), Some(1));
    }

    #[test]
    fn unknown_headings_are_all_listed_with_a_suggestion() {
        let (_, issues) = map_headings(&headings(&["Emial", "Frist Name", "Email", "Shoe Size", "Famly"]), &[]);
        let codes: Vec<_> = issues.iter().map(|i| (i.code, i.column.as_deref().unwrap())).collect();
        assert_eq!(codes[..3], [(Code::UnknownColumn, "Emial"), (Code::UnknownColumn, "Frist Name"), (Code::UnknownColumn, "Shoe Size")]);
        assert!(issues[0].message.contains("Did you mean `Email`?"), "{}", issues[0].message);
        assert!(issues[1].message.contains("Did you mean `First Name`?"));
        assert!(issues[3].message.contains("Did you mean `Last Name`?"), "{}", issues[3].message);
        assert!(issues.iter().all(|i| i.row == Some(1)));
    }

    #[test]
    fn a_column_given_twice_is_reported_with_both_headings() {
        let (mapping, issues) = map_headings(&headings(&["Email", "Last Name", "E-mail"]), &[]);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, Code::DuplicateColumn);
        assert!(issues[0].message.contains("`E-mail`") && issues[0].message.contains("`Email`"));
        assert_eq!(mapping.position(Column::Email), Some(0));
    }

    #[test]
    fn email_and_last_name_are_required_unless_the_file_only_deletes() {
        let (mapping, _) = map_headings(&headings(&["Action", "User ID"]), &[]);
        let missing_all: Vec<_> = missing(&mapping, false).into_iter().map(|i| i.column.unwrap()).collect();
        assert_eq!(missing_all, ["Email", "Last Name"]);
        let missing_deletes: Vec<_> = missing(&mapping, true).into_iter().map(|i| i.column.unwrap()).collect();
        assert_eq!(missing_deletes, ["Email"]);
    }

    #[test]
    fn blank_headings_are_skipped() {
        let (mapping, issues) = map_headings(&headings(&["Email", "", "Last Name"]), &[]);
        assert!(issues.is_empty());
        assert_eq!(mapping.position(Column::LastName), Some(2));
    }
}
