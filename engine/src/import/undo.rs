//! Undoing an import: the inverse batch, built from the import's history and
//! the directory as it is now, then checked and applied like any other file.
//! A user that a later change touched is a conflict: left out unless the
//! admin chooses to overwrite the later change.

use super::columns::Column;
use super::directory::{Directory, DirectoryUser, Name};
use super::{fold, Folded, Plan};
use rustc_hash::FxHashSet;
use super::tenant_columns::TenantColumn;
use super::write::{action_row, export_row, headings};
use crate::history::{ChangeRow, ROLE_CREATED, ROLE_REMOVED};
use crate::sheet::{Limits, ReadError, Sheet};
use serde::{Deserialize, Serialize};

/// A whole user in one history cell, `Email=…; Last Name=…`, blank fields
/// left out, `own` naming the tenant's columns; a password shows as `set`,
/// never as itself.
pub fn describe(user: &DirectoryUser, password: bool, own: &[TenantColumn]) -> String {
    let mut fields: Vec<String> = headings(own)
        .iter()
        .zip(export_row(user))
        .filter(|(_, value)| !value.is_empty())
        .map(|(field, value)| format!("{field}={value}"))
        .collect();
    if password {
        fields.push("Password=set".into());
    }
    fields.join("; ")
}

/// The fields of a [`describe`]d user, each by its place in `names` (the
/// [`headings`] of the directory now). A value may itself hold `; `: a new
/// field starts where a column's name and `=` follow, or a name that the
/// organisation's columns no longer have (a column renamed or removed
/// since), whose field is left out.
pub fn described(text: &str, names: &[String]) -> Vec<(usize, String)> {
    // Each field: its place in `names`, none for a column that is gone; and its value.
    let mut fields: Vec<(Option<usize>, String)> = Vec::new();
    for piece in text.split("; ") {
        let field = piece.split_once('=').and_then(|(name, value)| match names.iter().position(|c| c == name) {
            Some(at) => Some((Some(at), value)),
            None if is_gone_column(name) => Some((None, value)),
            None => None,
        });
        match (field, fields.last_mut()) {
            (Some((column, value)), _) => fields.push((column, value.to_string())),
            (None, Some((_, value))) => {
                value.push_str("; ");
                value.push_str(piece);
            }
            (None, None) => {}
        }
    }
    fields.into_iter().filter_map(|(at, value)| Some((at?, value))).collect()
}

/// Whether `name`, not a column now, could be one of the organisation's
/// that is gone: not Roster's (whose names never go), and a heading's
/// shape (no `;` or `=`, not blank, not too long).
fn is_gone_column(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty() && name.chars().count() <= crate::domain::names::MAX_NAME && !name.contains(['=', ';']) && super::columns::column_of(name).is_none()
}

/// A user whose state is no longer what the import left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub user: String,
    pub what: String,
    /// Whether undoing would overwrite a later change (else there is nothing to undo).
    pub undoable: bool,
}

pub struct Inverse {
    pub sheet: Result<Sheet, ReadError>,
    pub conflicts: Vec<Conflict>,
    /// Passwords the import set, which no undo can take back.
    pub passwords: usize,
    /// The roles the import created, as its history names them.
    pub created_roles: Vec<String>,
}

/// The batch that takes an import back, as far as the directory allows.
pub fn inverse(changes: &[ChangeRow], directory: &Directory, overwrite_later_changes: bool) -> Inverse {
    let names = headings(&directory.columns);
    let password = Column::ALL.iter().position(|c| *c == Column::Password).unwrap_or_default();
    // An index, not a scan per user: undoing 100,000 changes stays linear.
    let by_key: rustc_hash::FxHashMap<_, &DirectoryUser> = directory.users.iter().map(|u| (fold(&u.user_id), u)).collect();
    let find = |key: &str| by_key.get(&fold(key)).copied();
    let mut rows = Vec::new();
    let mut conflicts = Vec::new();
    let mut passwords = 0;
    let mut conflict = |user: &str, what: String, undoable: bool| {
        conflicts.push(Conflict { user: user.to_string(), what, undoable });
        undoable && overwrite_later_changes
    };
    for (user, action, fields) in by_user(changes) {
        let now = find(user);
        let row = match (action, now) {
            ("create", None) => {
                conflict(user, "was deleted since; there is nothing to undo".into(), false);
                continue;
            }
            ("create", Some(current)) => {
                let created: Vec<(usize, String)> = fields.first().map(|c| described(&c.new, &names)).unwrap_or_default();
                // A field the description leaves out was blank, or belongs to a
                // column added since, which a boolean's default fills.
                let left_out = |at: usize| at.checked_sub(Column::ALL.len()).and_then(|own| directory.columns.get(own)).map_or("", |c| c.cleared());
                let changed = export_row(current).into_iter().enumerate().any(|(at, value)| {
                    at != password && created.iter().find(|(c, _)| *c == at).map_or(left_out(at), |(_, v)| v.as_str()) != value
                });
                if changed && !conflict(user, "was changed after this import; undoing deletes them anyway".into(), true) {
                    continue;
                }
                row_for("delete", &DirectoryUser { user_id: current.user_id.clone(), ..DirectoryUser::new(directory) }, &[])
            }
            ("delete", Some(_)) => {
                conflict(user, "exists again; there is nothing to restore".into(), false);
                continue;
            }
            ("delete", None) => {
                // Their password hash is gone with them: they set a new one.
                let old: Vec<(usize, String)> =
                    fields.first().map(|c| described(&c.old, &names)).unwrap_or_default().into_iter().filter(|(c, _)| *c != password).collect();
                let mut restored = DirectoryUser::new(directory);
                restored.user_id = Name::from(user);
                row_for("create", &restored, &old)
            }
            (_, None) => {
                conflict(user, "was deleted since; there is nothing to undo".into(), false);
                continue;
            }
            (_, Some(current)) => {
                passwords += fields.iter().filter(|c| c.field == Column::Password.name()).count();
                let values = export_row(current);
                let at = |name: &str| names.iter().position(|c| c == name);
                let later: Vec<&str> = fields
                    .iter()
                    .filter(|c| at(&c.field).is_some_and(|i| i != password && values[i] != c.new))
                    .map(|c| c.field.as_str())
                    .collect();
                if !later.is_empty() && !conflict(user, format!("{} changed after this import", later.join(", ")), true) {
                    continue;
                }
                let old: Vec<(usize, String)> =
                    fields.iter().filter_map(|c| Some((at(&c.field)?, c.old.clone()))).filter(|(at, _)| *at != password).collect();
                row_for("update", current, &old)
            }
        };
        rows.push(row);
    }
    let created_roles = changes.iter().filter(|c| c.action == ROLE_CREATED).map(|c| c.new.clone()).collect();
    Inverse { sheet: Sheet::from_rows(&names, &rows, &Limits::default()), conflicts, passwords, created_roles }
}

/// Of the roles an import `created`, those the directory still has that no
/// user holds once `plan` is applied (`new_users` being the users it
/// creates): the ones its undo removes, named as the directory names them.
pub fn roles_left_unheld<'u>(
    created: &[String],
    directory: &'u Directory,
    plan: &'u Plan,
    new_users: impl IntoIterator<Item = &'u DirectoryUser>,
) -> Vec<String> {
    let rewritten: FxHashSet<Folded> =
        plan.deletes.iter().map(|d| Folded(&d.user.user_id)).chain(plan.updates.iter().map(|u| Folded(&u.user.user_id))).collect();
    let kept = directory.users.iter().filter(|u| !rewritten.contains(&Folded(&u.user_id)));
    let after = kept.chain(plan.updates.iter().map(|u| &*u.user)).chain(new_users);
    let held: FxHashSet<Folded> = after.flat_map(|u| u.roles.iter().map(|role| Folded(role))).collect();
    let wanted: FxHashSet<Folded> = created.iter().map(|role| Folded(role)).collect();
    directory.roles.iter().filter(|role| wanted.contains(&Folded(role)) && !held.contains(&Folded(role))).map(|role| role.to_string()).collect()
}

/// The digest that an undo's preview shows and its commit checks: the
/// plan's, which leaves out the roles an undo removes, and those roles.
pub fn with_removed_roles(plan_digest: String, removed_roles: &[String]) -> String {
    if removed_roles.is_empty() {
        plan_digest
    } else {
        // `|` is in no role's name.
        format!("{plan_digest}|{}", removed_roles.join("|"))
    }
}

/// The user's row, with `set` (values by their places in the row) taking
/// precedence over their values.
fn row_for(action: &str, user: &DirectoryUser, set: &[(usize, String)]) -> Vec<String> {
    let mut row = action_row(action, user);
    for (at, value) in set {
        if let Some(cell) = row.get_mut(*at) {
            *cell = value.clone();
        }
    }
    row
}

/// The history's users' rows grouped by user, in the order of the import.
/// Roles' rows are left out: a role comes back with a user who held it.
fn by_user(changes: &[ChangeRow]) -> Vec<(&str, &str, Vec<&ChangeRow>)> {
    let mut groups: Vec<(&str, &str, Vec<&ChangeRow>)> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for change in changes.iter().filter(|c| c.action != ROLE_CREATED && c.action != ROLE_REMOVED) {
        let index = *at.entry(change.user.as_str()).or_insert_with(|| {
            groups.push((change.user.as_str(), change.action.as_str(), Vec::new()));
            groups.len() - 1
        });
        groups[index].2.push(change);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roles_an_import_created_are_handed_on_and_their_lines_undo_no_user() {
        let line = |user: &str, action: &str, field: &str, old: &str, new: &str| ChangeRow {
            row: (!user.is_empty()).then_some(2),
            user: user.into(),
            action: action.into(),
            field: field.into(),
            old: old.into(),
            new: new.into(),
        };
        let changes = [
            line("", ROLE_CREATED, "Roles", "", "Audit"),
            line("kim", "update", "Title", "", "Lead"),
            line("", ROLE_REMOVED, "Roles", "Old", ""),
        ];
        let directory = Directory {
            users: vec![DirectoryUser { user_id: "kim".into(), title: "Lead".into(), ..DirectoryUser::new(&Directory::default()) }],
            ..Directory::default()
        };
        let inverse = inverse(&changes, &directory, false);
        assert_eq!(inverse.created_roles, ["Audit"]);
        assert!(inverse.conflicts.is_empty(), "{:?}", inverse.conflicts);
        assert_eq!(inverse.sheet.expect("a sheet").len(), 1, "kim's update only");
    }

    #[test]
    fn an_undo_removes_the_created_roles_that_no_user_holds_after_it() {
        let user = |id: &str, roles: &[&str]| DirectoryUser {
            user_id: id.into(),
            roles: roles.iter().map(|r| (*r).into()).collect(),
            ..DirectoryUser::new(&Directory::default())
        };
        let directory = Directory {
            users: vec![user("gone", &["a", "B"]), user("kept", &["c"]), user("changed", &["d"])],
            roles: ["A", "B", "C", "D", "E", "F"].map(String::from).to_vec(),
            ..Directory::default()
        };
        let plan = Plan {
            deletes: vec![crate::import::plan::Delete { row: 2, user: Box::new(user("gone", &["a", "B"])) }],
            updates: vec![crate::import::plan::Update { row: 3, user: Box::new(user("changed", &["B"])), changes: Vec::new(), password: None }],
            ..Plan::default()
        };
        let created: Vec<String> = ["a", "b", "c", "d", "e", "f", "gone-since"].map(String::from).to_vec();
        let newcomer = user("new", &["E"]);
        // a: only the deleted user held it; d: the changed user gives it up;
        // b: the changed user takes it; c: a user the undo leaves holds it;
        // e: a new user gets it; the last is no longer in the directory.
        assert_eq!(roles_left_unheld(&created, &directory, &plan, [&newcomer]), ["A", "D", "F"]);
    }

    #[test]
    fn a_described_user_reads_back_field_by_field_even_with_semicolons_in_values() {
        let user = DirectoryUser {
            user_id: "kim".into(),
            email: "kim@x.org".into(),
            last_name: "Kim".into(),
            title: "R&D; Ops".into(),
            roles: vec!["B".into(), "A".into()],
            ..DirectoryUser::new(&Directory::default())
        };
        let text = describe(&user, true, &[]);
        assert!(text.ends_with("Password=set"));
        let fields = described(&text, &headings(&[]));
        let gone = described("User ID=kim; Lone Working=TRUE; Title=R&D; Ops", &headings(&[]));
        assert_eq!(gone, [(Column::UserId as usize, "kim".to_string()), (Column::Title as usize, "R&D; Ops".to_string())], "a removed column's field is left out, not added to the one before");
        let at = |column: Column| column as usize;
        assert!(fields.contains(&(at(Column::Title), "R&D; Ops".into())), "{fields:?}");
        assert!(fields.contains(&(at(Column::Roles), "A|B".into())));
        assert!(fields.contains(&(at(Column::UserId), "kim".into())));
    }
}
