//! Changing many users at once from the users page: the rows of the batch
//! that deletes them, or adds them to (or removes them from) a group or a
//! role. The batch is then checked and applied like any import, so the same
//! rules hold (a manager with reports stays, an admin keeps themselves).

use super::directory::{Directory, DirectoryUser};
use super::fold;
use super::columns::{normalise, Column};
use super::write::action_row;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    Delete,
    AddToGroup,
    RemoveFromGroup,
    AddToRole,
    RemoveFromRole,
    /// Gives one of the tenant's columns a value.
    SetValue,
}

impl BulkAction {
    pub const ALL: [BulkAction; 6] = [
        BulkAction::Delete,
        BulkAction::AddToGroup,
        BulkAction::RemoveFromGroup,
        BulkAction::AddToRole,
        BulkAction::RemoveFromRole,
        BulkAction::SetValue,
    ];

    /// The name in the page's drop-down list and in forms.
    pub fn param(self) -> &'static str {
        match self {
            BulkAction::Delete => "delete",
            BulkAction::AddToGroup => "add_group",
            BulkAction::RemoveFromGroup => "remove_group",
            BulkAction::AddToRole => "add_role",
            BulkAction::RemoveFromRole => "remove_role",
            BulkAction::SetValue => "set_value",
        }
    }

    pub fn parse(param: &str) -> Option<BulkAction> {
        BulkAction::ALL.into_iter().find(|a| a.param() == param)
    }

    pub fn label(self) -> &'static str {
        match self {
            BulkAction::Delete => "Delete",
            BulkAction::AddToGroup => "Add to group",
            BulkAction::RemoveFromGroup => "Remove from group",
            BulkAction::AddToRole => "Add to role",
            BulkAction::RemoveFromRole => "Remove from role",
            BulkAction::SetValue => "Set",
        }
    }

    /// Whether the action needs the name of a group or a role.
    pub fn needs_name(self) -> bool {
        self != BulkAction::Delete
    }

    /// How the history names a batch of `count` users (`name` the group,
    /// role or column, `value` what a column is set to).
    pub fn describe(self, count: usize, name: &str, value: &str) -> String {
        let users = if count == 1 { "1 user".to_string() } else { format!("{count} users") };
        match self {
            BulkAction::Delete => format!("Users page: delete {users}"),
            BulkAction::AddToGroup => format!("Users page: add {users} to group {name}"),
            BulkAction::RemoveFromGroup => format!("Users page: remove {users} from group {name}"),
            BulkAction::AddToRole => format!("Users page: add {users} to role {name}"),
            BulkAction::RemoveFromRole => format!("Users page: remove {users} from role {name}"),
            BulkAction::SetValue if value.is_empty() => format!("Users page: clear {name} of {users}"),
            BulkAction::SetValue => format!("Users page: set {name} to {value} for {users}"),
        }
    }
}

/// The group, role or column's name as the directory spells it, and the
/// batch's rows (in the import format) for the users with these User IDs;
/// unknown User IDs are left out. A group must exist already; a role that
/// does not is created, as in an import; a column takes `value`, which the
/// check reads by the column's kind.
pub fn rows(directory: &Directory, user_ids: &[String], action: BulkAction, name: &str, value: &str) -> Result<(String, Vec<Vec<String>>), String> {
    let name = name.trim();
    let own = (action == BulkAction::SetValue)
        .then(|| {
            let key = normalise(name);
            directory.columns.iter().position(|c| normalise(&c.name) == key).ok_or_else(|| format!("There is no column `{name}`. Reload the page to see the columns as they are."))
        })
        .transpose()?;
    let name = match action {
        BulkAction::Delete => String::new(),
        BulkAction::SetValue => own.map(|index| directory.columns[index].name.clone()).unwrap_or_default(),
        _ if name.is_empty() => return Err("Enter the name of the group or role.".into()),
        BulkAction::AddToGroup | BulkAction::RemoveFromGroup => directory
            .groups
            .iter()
            .find(|g| fold(g) == fold(name))
            .cloned()
            .ok_or_else(|| format!("There is no group `{name}`. Create it on the Groups page first, or correct the name."))?,
        BulkAction::AddToRole | BulkAction::RemoveFromRole => {
            directory.roles.iter().find(|r| fold(r) == fold(name)).cloned().unwrap_or_else(|| name.to_string())
        }
    };
    let by_key: FxHashMap<_, &DirectoryUser> = directory.users.iter().map(|u| (fold(&u.user_id), u)).collect();
    let rows = user_ids
        .iter()
        .filter_map(|key| by_key.get(&fold(key)))
        .map(|user| {
            if action == BulkAction::Delete {
                return action_row("delete", user);
            }
            if let Some(index) = own {
                let mut row = action_row("update", user);
                row[Column::ALL.len() + index] = value.trim().to_string();
                return row;
            }
            let mut user = (*user).clone();
            let names = if matches!(action, BulkAction::AddToGroup | BulkAction::RemoveFromGroup) { &mut user.groups } else { &mut user.roles };
            names.retain(|n| fold(n) != fold(&name));
            if matches!(action, BulkAction::AddToGroup | BulkAction::AddToRole) {
                names.push(name.as_str().into());
            }
            action_row("update", &user)
        })
        .collect();
    Ok((name, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::check_read;
    use crate::import::write::headings;
    use crate::sheet::{Limits, Sheet};

    fn directory() -> Directory {
        let mut directory = Directory { groups: vec!["Sales".into()], roles: vec!["Audit".into()], acting_user: Some("ann".into()), ..Directory::default() };
        for (id, reports_to, groups) in [("ann", "", vec![]), ("bob", "ann", vec!["Sales".into()]), ("cat", "bob", vec![])] {
            directory.users.push(DirectoryUser {
                user_id: id.into(),
                email: format!("{id}@x.org").into(),
                last_name: id.to_uppercase().into(),
                reports_to: reports_to.into(),
                groups,
                ..DirectoryUser::new(&directory)
            });
        }
        directory
    }

    fn plan(directory: &Directory, users: &[&str], action: BulkAction, name: &str) -> crate::import::Plan {
        let users: Vec<String> = users.iter().map(|u| u.to_string()).collect();
        let (_, rows) = rows(directory, &users, action, name, "").unwrap();
        check_read(&Sheet::from_rows(&headings(&directory.columns), &rows, &Limits::default()), directory)
    }

    #[test]
    fn adding_to_a_group_keeps_other_groups_and_changes_only_those_without_it() {
        let mut d = directory();
        d.groups.push("Ops".into());
        let plan = plan(&d, &["bob", "CAT"], BulkAction::AddToGroup, "ops");
        assert!(plan.is_valid(), "{:?}", plan.errors);
        assert_eq!(plan.summary().updated, 2);
        let bob = plan.updates.iter().find(|u| u.user.user_id == "bob").unwrap();
        assert_eq!(bob.user.groups, vec!["Ops".to_string(), "Sales".to_string()], "the group's own spelling, and Sales kept");
    }

    #[test]
    fn removing_from_a_group_leaves_those_without_it_unchanged() {
        let plan = plan(&directory(), &["bob", "cat"], BulkAction::RemoveFromGroup, "SALES");
        let s = plan.summary();
        assert_eq!((s.updated, s.unchanged), (1, 1));
        assert!(plan.updates[0].user.groups.is_empty());
    }

    #[test]
    fn a_new_role_is_created_and_an_unknown_group_is_refused_before_any_row() {
        let plan = plan(&directory(), &["cat"], BulkAction::AddToRole, "Payroll");
        assert_eq!((plan.summary().updated, plan.summary().roles_added), (1, 1));
        let refused = rows(&directory(), &["cat".into()], BulkAction::AddToGroup, "Nope", "").unwrap_err();
        assert!(refused.contains("`Nope`") && refused.contains("Groups page"), "{refused}");
        assert!(rows(&directory(), &["cat".into()], BulkAction::AddToRole, " ", "").is_err());
    }

    #[test]
    fn setting_a_tenant_s_column_is_checked_by_its_kind() {
        use crate::import::tenant_columns::{TenantColumn, ValueKind};
        let mut d = directory();
        d.columns.push(TenantColumn::new("Lone Working", ValueKind::Boolean));
        d.users.iter_mut().for_each(|u| u.values = vec!["FALSE".into()]);
        let users: Vec<String> = vec!["bob".into(), "cat".into()];
        let (name, set) = rows(&d, &users, BulkAction::SetValue, "lone working", "yes").unwrap();
        assert_eq!(name, "Lone Working");
        let plan = check_read(&Sheet::from_rows(&headings(&d.columns), &set, &Limits::default()), &d);
        assert_eq!(plan.summary().updated, 2, "{:?}", plan.errors);
        assert_eq!(plan.updates[0].user.values, ["TRUE"]);
        let (_, bad) = rows(&d, &users, BulkAction::SetValue, "Lone Working", "maybe").unwrap();
        let plan = check_read(&Sheet::from_rows(&headings(&d.columns), &bad, &Limits::default()), &d);
        assert_eq!(plan.errors[0].code, crate::import::Code::InvalidBoolean);
        assert!(rows(&d, &users, BulkAction::SetValue, "Shoe Size", "9").unwrap_err().contains("no column"));
    }

    #[test]
    fn deleting_follows_the_import_rules_for_managers_and_the_acting_admin() {
        let d = directory();
        assert_eq!(plan(&d, &["cat"], BulkAction::Delete, "").summary().deleted, 1);
        let keeps_reports = plan(&d, &["bob"], BulkAction::Delete, "");
        assert!(keeps_reports.errors.iter().any(|e| e.code == crate::import::Code::HasReports), "{:?}", keeps_reports.errors);
        assert_eq!(plan(&d, &["bob", "cat"], BulkAction::Delete, "").summary().deleted, 2, "a manager goes with their reports");
        let me = plan(&d, &["ann"], BulkAction::Delete, "");
        assert!(me.errors.iter().any(|e| e.code == crate::import::Code::SelfLockout));
    }

    #[test]
    fn unknown_user_ids_are_left_out_and_actions_read_back_from_their_names() {
        assert_eq!(rows(&directory(), &["nobody".into()], BulkAction::Delete, "", "").unwrap().1.len(), 0);
        assert_eq!(rows(&directory(), &["bob".into()], BulkAction::RemoveFromGroup, "sales", "").unwrap().0, "Sales");
        for action in BulkAction::ALL {
            assert_eq!(BulkAction::parse(action.param()), Some(action));
        }
        assert_eq!(BulkAction::AddToGroup.describe(1, "Sales", ""), "Users page: add 1 user to group Sales");
        assert_eq!(BulkAction::SetValue.describe(2, "Lone Working", "TRUE"), "Users page: set Lone Working to TRUE for 2 users");
    }
}
