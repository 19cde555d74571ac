//! One row's cells, checked and turned into typed values. Cross-row and
//! directory rules are in `plan`.

use super::columns::{Column, Mapping};
use super::directory::{Directory, Name};
use super::issue::{Code, Issue};
use crate::domain::names::{self, MAX_NAME};
use crate::domain::{access::AccessLevel, email::Email, password};
use crate::sheet::{longer_than, Row};

/// The locales Roster supports, as BCP 47 tags.
pub const LOCALES: &[&str] = &[
    "en-GB", "en-US", "fr-FR", "fr-CA", "de-DE", "es-ES", "es-MX", "it-IT", "nl-NL", "pt-BR", "pt-PT",
    "sv-SE", "da-DK", "nb-NO", "fi-FI", "pl-PL", "cs-CZ", "ja-JP", "zh-CN", "ko-KR",
];

pub(crate) const MAX_USER_ID: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
}

/// A row after its cells are checked, borrowing its text from the sheet.
/// `None` means the column is absent (or, where blank keeps the current
/// value, blank); `Some("")` clears the value.
#[derive(Debug, Clone, Default)]
pub struct RowInput<'s> {
    pub row: u32,
    pub action: Option<Action>,
    pub user_id: Option<&'s str>,
    pub email: Option<&'s str>,
    pub first_name: Option<&'s str>,
    pub last_name: Option<&'s str>,
    pub title: Option<&'s str>,
    pub phone: Option<&'s str>,
    pub phone2: Option<&'s str>,
    pub network_account: Option<&'s str>,
    pub password: Option<&'s str>,
    pub locale: Option<&'static str>,
    pub access: Option<AccessLevel>,
    pub active: Option<bool>,
    pub reports_to: Option<&'s str>,
    pub roles: Option<Vec<&'s str>>,
    pub groups: Option<Vec<&'s str>>,
    pub task_notification: Option<&'static str>,
    pub notify_if_new: bool,
    pub tenant: Option<&'s str>,
    pub copy_from: Option<&'s str>,
    pub copy_roles: bool,
    pub copy_groups: bool,
    /// The tenant's columns, in the directory's order: `None` where the
    /// file lacks the column, a blank where the cell is (a boolean's blank
    /// is its default already).
    pub values: Vec<Option<Name>>,
}

impl<'s> RowInput<'s> {
    /// The key the row names its user by: the User ID, else the e-mail address.
    pub(crate) fn key(&self) -> Option<super::Folded<'s>> {
        self.user_id.or(self.email).map(super::Folded)
    }

    /// The User ID or e-mail as written, for messages.
    pub fn shown(&self) -> &'s str {
        self.user_id.or(self.email).unwrap_or_default()
    }
}

/// [`str::trim`], without decoding the characters of a cell that neither
/// starts nor ends with a space (nearly every cell).
fn trim(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// The row's cell in `column`, trimmed; `None` if the sheet has no such column.
fn cell<'s>(row: &Row<'s>, mapping: &Mapping, column: Column) -> Option<&'s str> {
    mapping.position(column).map(|at| trim(row.cell(at)))
}

/// The row's Action, blank as `None`; the cell's text if it names none.
pub fn action<'s>(row: &Row<'s>, mapping: &Mapping) -> Result<Option<Action>, &'s str> {
    match cell(row, mapping, Column::Action).unwrap_or("") {
        "" => Ok(None),
        a if a.eq_ignore_ascii_case("create") => Ok(Some(Action::Create)),
        a if a.eq_ignore_ascii_case("update") => Ok(Some(Action::Update)),
        a if a.eq_ignore_ascii_case("delete") => Ok(Some(Action::Delete)),
        other => Err(other),
    }
}

/// Checks every cell of one row, adding a problem for each bad one: each
/// column's rule is a function below, given the trimmed cell (a blank one
/// only where blank means something: clearing, or missing).
pub fn parse_row<'s>(row: Row<'s>, mapping: &Mapping, directory: &Directory, issues: &mut Vec<Issue>) -> RowInput<'s> {
    let min_password = directory.min_password_length;
    let number = row.number;
    let cell = |column: Column| cell(&row, mapping, column);
    let filled = |column: Column| cell(column).filter(|v| !v.is_empty());
    let mut report = Report { row: number, issues };
    let mut input = RowInput { row: number, ..RowInput::default() };

    input.action = report.take(Column::Action, action(&row, mapping).map_err(|other| {
        (Code::InvalidChoice, format!("`{other}` is not an action: write create, update, delete, or leave it blank."))
    }))
    .flatten();
    input.user_id = filled(Column::UserId).and_then(|value| report.take(Column::UserId, user_id(value)));
    input.email = match cell(Column::Email) {
        // A missing column is reported once, as `missing_column`.
        None => None,
        Some("") if input.user_id.is_some() && input.action == Some(Action::Delete) => None,
        Some(value) => report.take(Column::Email, email(value)),
    };
    for (column, slot) in [
        (Column::FirstName, &mut input.first_name),
        (Column::LastName, &mut input.last_name),
        (Column::Title, &mut input.title),
    ] {
        *slot = cell(column).and_then(|value| report.take(column, name_part(column, value)));
    }
    for (column, slot) in [(Column::Phone, &mut input.phone), (Column::Phone2, &mut input.phone2)] {
        *slot = cell(column).and_then(|value| report.take(column, phone(value)));
    }
    input.network_account = cell(Column::NetworkAccount).and_then(|value| report.take(Column::NetworkAccount, network_account(value)));
    input.password = filled(Column::Password).and_then(|value| report.take(Column::Password, strong_password(value, min_password)));
    input.locale = filled(Column::Locale).and_then(|value| report.take(Column::Locale, locale(value)));
    input.access = filled(Column::AccessLevel).and_then(|value| report.take(Column::AccessLevel, access_level(value)));
    input.task_notification = filled(Column::TaskNotification).and_then(|value| report.take(Column::TaskNotification, task_notification(value)));
    let mut boolean = |column: Column| filled(column).and_then(|value| report.take(column, flag(value)));
    input.active = boolean(Column::Active);
    input.notify_if_new = boolean(Column::NotifyIfNew).unwrap_or(false);
    input.copy_roles = boolean(Column::CopyRoles).unwrap_or(false);
    input.copy_groups = boolean(Column::CopyGroups).unwrap_or(false);
    input.reports_to = cell(Column::ReportsTo);
    input.roles = cell(Column::Roles).and_then(|value| report.take(Column::Roles, roles(value)));
    input.groups = cell(Column::Groups).map(split_list);
    input.tenant = filled(Column::Tenant);
    input.copy_from = filled(Column::CopyFrom);
    if mapping.has_own() {
        input.values = own_values(&row, mapping, directory, report.issues);
    }
    input
}

/// The cells of the tenant's columns, each read by its column's kind.
fn own_values(row: &Row, mapping: &Mapping, directory: &Directory, issues: &mut Vec<Issue>) -> Vec<Option<Name>> {
    (directory.columns.iter().enumerate())
        .map(|(index, column)| {
            let cell = trim(row.cell(mapping.own(index)?));
            if cell.is_empty() {
                return Some(Name::from(column.cleared()));
            }
            column.value(cell).map_err(|(code, message)| issues.push(Issue::own(row.number, column, code, message))).ok()
        })
        .collect()
}

/// What a column's rule makes of a cell: its value, or the problem's code and message.
type Verdict<T> = Result<T, (Code, String)>;

/// Where a row's problems go.
struct Report<'i> {
    row: u32,
    issues: &'i mut Vec<Issue>,
}

impl Report<'_> {
    /// The verdict's value; a problem is reported, in `column`, and gives `None`.
    fn take<T>(&mut self, column: Column, verdict: Verdict<T>) -> Option<T> {
        verdict.map_err(|(code, message)| self.issues.push(Issue::cell(self.row, column, code, message))).ok()
    }
}

fn user_id(value: &str) -> Verdict<&str> {
    if longer_than(value, MAX_USER_ID) || value.chars().any(char::is_whitespace) {
        Err((Code::InvalidUserId, format!("The User ID `{value}` must have at most {MAX_USER_ID} characters and no spaces.")))
    } else {
        Ok(value)
    }
}

fn email(value: &str) -> Verdict<&str> {
    if value.is_empty() {
        return Err((Code::Required, "The e-mail address is missing. Every user needs one.".into()));
    }
    Email::check(value).map_err(|_| (Code::InvalidEmail, format!("`{value}` is not a valid e-mail address. Write it as name@example.com.")))
}

/// First Name, Last Name and Title.
fn name_part(column: Column, value: &str) -> Verdict<&str> {
    if longer_than(value, MAX_NAME) {
        Err((Code::TooLong, format!("{} has {} characters; at most {MAX_NAME} fit. Shorten it.", column.name(), value.chars().count())))
    } else {
        Ok(value)
    }
}

/// A blank phone clears it.
fn phone(value: &str) -> Verdict<&str> {
    if value.is_empty() || valid_phone(value) {
        Ok(value)
    } else {
        Err((Code::InvalidPhone, format!("`{value}` is not a phone number: use 7 to 15 digits, with spaces, +, ( ) and up to three - if you like.")))
    }
}

/// A blank network account clears it.
fn network_account(value: &str) -> Verdict<&str> {
    if value.is_empty() || valid_network_account(value) {
        Ok(value)
    } else {
        Err((Code::InvalidNetworkAccount, format!("`{value}` is not a network account: write it as DOMAIN\\name.")))
    }
}

fn strong_password(value: &str, min_length: usize) -> Verdict<&str> {
    password::check(value, min_length).map(|()| value).map_err(|weak| (Code::WeakPassword, format!("The password is too weak: {weak}.")))
}

/// The supported locale the cell names, matched whatever its case and with `_` for `-`.
fn locale(value: &str) -> Verdict<&'static str> {
    let same = |tag: &&&str| tag.len() == value.len() && tag.bytes().zip(value.bytes()).all(|(a, b)| a.eq_ignore_ascii_case(&b) || (a == b'-' && b == b'_'));
    LOCALES
        .iter()
        .find(same)
        .copied()
        .ok_or_else(|| (Code::InvalidChoice, format!("`{value}` is not a supported locale. Use one of {}.", LOCALES.join(", "))))
}

fn access_level(value: &str) -> Verdict<AccessLevel> {
    AccessLevel::parse(value).ok_or_else(|| (Code::InvalidChoice, format!("`{value}` is not an access level: write Admin, Manager or User.")))
}

fn task_notification(value: &str) -> Verdict<&'static str> {
    if value.eq_ignore_ascii_case("off") {
        Ok("OFF")
    } else if value.eq_ignore_ascii_case("email") || value.eq_ignore_ascii_case("e-mail") {
        Ok("Email")
    } else {
        Err((Code::InvalidChoice, format!("`{value}` is not a task notification: write OFF or Email.")))
    }
}

fn flag(value: &str) -> Verdict<bool> {
    parse_bool(value).ok_or_else(|| (Code::InvalidBoolean, format!("`{value}` is not TRUE or FALSE (yes/no and 1/0 work too).")))
}

/// The cell's role names, each one word of at most [`MAX_NAME`] characters.
fn roles(value: &str) -> Verdict<Vec<&str>> {
    let names = split_list(value);
    let bad: Vec<_> = names.iter().filter(|name| !names::is_role_name(name)).map(|name| format!("`{name}`")).collect();
    if bad.is_empty() {
        Ok(names)
    } else {
        Err((Code::InvalidRoleName, format!(
            "Role names have no spaces and at most {MAX_NAME} characters: {} breaks this. Separate several roles with | or ;.",
            bad.join(", ")
        )))
    }
}

/// Digits, spaces, `+`, `(`, `)` and up to three `-`, with 7 to 15 digits.
pub fn valid_phone(value: &str) -> bool {
    let (mut digits, mut hyphens) = (0, 0);
    for byte in value.bytes() {
        match byte {
            b'0'..=b'9' => digits += 1,
            b'-' => hyphens += 1,
            b' ' | b'+' | b'(' | b')' => {}
            _ => return false,
        }
    }
    (7..=15).contains(&digits) && hyphens <= 3
}

/// `DOMAIN\name`.
pub fn valid_network_account(value: &str) -> bool {
    let Some((domain, name)) = value.split_once('\\') else { return false };
    let domain_ok = !domain.is_empty()
        && domain.len() <= 64
        && domain.chars().all(|c| c.is_alphanumeric() || ".-_".contains(c));
    let name_ok = !name.is_empty()
        && !longer_than(name, 104)
        && !name.chars().any(|c| c.is_whitespace() || c == '\\');
    domain_ok && name_ok
}

pub fn parse_bool(value: &str) -> Option<bool> {
    let value = value.trim();
    let is = |word: &str| value.eq_ignore_ascii_case(word);
    if is("true") || is("yes") || is("y") || value == "1" {
        Some(true)
    } else if is("false") || is("no") || is("n") || value == "0" {
        Some(false)
    } else {
        None
    }
}

/// `a|b; c` → `[a, b, c]`. Cut at the bytes of `|` and `;`, which are
/// never part of a longer character, so nothing is decoded.
pub fn split_list(value: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut start = 0;
    for (at, byte) in value.bytes().enumerate().chain([(value.len(), b'|')]) {
        if byte == b'|' || byte == b';' {
            let name = trim(&value[start..at]);
            if !name.is_empty() {
                names.push(name);
            }
            start = at + 1;
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::columns::map_headings;

    /// Parses one data row, given as row 7 of a sheet with these headings.
    fn parse(headings: &[&str], cells: &[&str]) -> (RowInput<'static>, Vec<Issue>) {
        let mut text = headings.join("\t");
        text.push_str(&"\n".repeat(6));
        text.push_str(&cells.join("\t"));
        let sheet: &'static crate::sheet::Sheet = Box::leak(Box::new(crate::sheet::read(text.as_bytes(), &Default::default()).unwrap()));
        let (mapping, _) = map_headings(&sheet.headings, &[]);
        let mut issues = Vec::new();
        let directory = Directory { min_password_length: 8, ..Directory::default() };
        let input = parse_row(sheet.rows().next().unwrap(), &mapping, &directory, &mut issues);
        (input, issues)
    }

    fn codes(issues: &[Issue]) -> Vec<(Code, &str)> {
        issues.iter().map(|i| (i.code, i.column.as_deref().unwrap_or(""))).collect()
    }

    #[test]
    fn a_good_row_parses_into_typed_values() {
        let (input, issues) = parse(
            &["Action", "User ID", "Email", "Last Name", "Phone", "Locale", "Access Level", "Active", "Roles", "Groups", "Task Notification", "Notify If New"],
            &["UPDATE", "jdoe", " Jane@X.org ", "Doe", "+44 (20) 7946-0958", "en_gb", "org admin", "no", "a|b; c", "Sales;Ops", "off", "yes"],
        );
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(input.action, Some(Action::Update));
        assert_eq!(input.user_id, Some("jdoe"));
        assert_eq!(input.email, Some("Jane@X.org"));
        assert_eq!(input.locale, Some("en-GB"));
        assert_eq!(input.access, Some(AccessLevel::Admin));
        assert_eq!(input.active, Some(false));
        assert_eq!(input.roles, Some(vec!["a", "b", "c"]));
        assert_eq!(input.groups, Some(vec!["Sales", "Ops"]));
        assert_eq!(input.task_notification, Some("OFF"));
        assert!(input.notify_if_new);
        assert_eq!(input.key().map(|key| key.0), Some("jdoe"));
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_code_and_column() {
        let (_, issues) = parse(
            &["Action", "User ID", "Email", "Last Name", "Phone", "Phone 2", "Network Account", "Password", "Locale", "Access Level", "Active", "Roles", "Task Notification"],
            &["remove", "j doe", "jane@", &"x".repeat(101), "12345", "1-2-3-4-5678", "nodomain", "password", "xx-YY", "boss", "maybe", "two words", "sms"],
        );
        assert_eq!(
            codes(&issues),
            [
                (Code::InvalidChoice, "Action"),
                (Code::InvalidUserId, "User ID"),
                (Code::InvalidEmail, "Email"),
                (Code::TooLong, "Last Name"),
                (Code::InvalidPhone, "Phone"),
                (Code::InvalidPhone, "Phone 2"),
                (Code::InvalidNetworkAccount, "Network Account"),
                (Code::WeakPassword, "Password"),
                (Code::InvalidChoice, "Locale"),
                (Code::InvalidChoice, "Access Level"),
                (Code::InvalidChoice, "Task Notification"),
                (Code::InvalidBoolean, "Active"),
                (Code::InvalidRoleName, "Roles"),
            ]
        );
        assert!(issues.iter().all(|i| i.row == Some(7)), "{issues:?}");
        assert!(issues.iter().all(|i| !i.message.contains("`password`")), "passwords are never echoed");
    }

    #[test]
    fn email_is_required_except_to_delete_by_user_id() {
        let (_, issues) = parse(&["Email", "Last Name"], &["", "Doe"]);
        assert_eq!(codes(&issues), [(Code::Required, "Email")]);
        let (input, issues) = parse(&["Action", "User ID", "Email"], &["delete", "jdoe", ""]);
        assert!(issues.is_empty());
        assert_eq!(input.key().map(|key| key.0), Some("jdoe"));
    }

    #[test]
    fn phones_need_7_to_15_digits_and_at_most_three_hyphens() {
        assert!(valid_phone("+1 (555) 010-0000"));
        assert!(valid_phone("0123456"));
        assert!(!valid_phone("012345"));
        assert!(!valid_phone("1234567890123456"));
        assert!(!valid_phone("1-2-3-4-567"));
        assert!(!valid_phone("555 0100 ext 5"));
    }

    #[test]
    fn network_accounts_are_domain_backslash_name() {
        assert!(valid_network_account("ACME\\jdoe"));
        assert!(valid_network_account("corp.acme-1\\j.doe"));
        assert!(!valid_network_account("jdoe"));
        assert!(!valid_network_account("\\jdoe"));
        assert!(!valid_network_account("ACME\\"));
        assert!(!valid_network_account("ACME\\j doe"));
    }

    #[test]
    fn booleans_and_lists() {
        for (text, value) in [("TRUE", Some(true)), ("Yes", Some(true)), ("1", Some(true)), ("false", Some(false)), ("NO", Some(false)), ("0", Some(false)), ("maybe", None)] {
            assert_eq!(parse_bool(text), value, "{text}");
        }
        assert_eq!(split_list(" a | b;;c ; "), ["a", "b", "c"]);
        assert_eq!(split_list("Zoë|\u{a0}Ærø ;東京"), ["Zoë", "Ærø", "東京"]);
        assert!(split_list("").is_empty());
        assert!(split_list(" | ; ").is_empty());
    }
}
