//! What an update changes, field by field, old → new.

use super::{Change, Field};
use crate::import::columns::Column;
use crate::import::directory::{DirectoryUser, Name};
use crate::import::tenant_columns::TenantColumn;
use crate::import::write::names_cell;
use crate::import::Folded;

/// The fields that differ, old → new, `own` naming the tenant's columns.
/// Lists compare as sets; a new password shows as "set", never as itself.
pub fn changes(old: &DirectoryUser, new: &DirectoryUser, password: bool, own: &[TenantColumn]) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut differ = |field: Column, old: &str, new: &str, same: bool| {
        if !same {
            changes.push(Change { field: Field::BuiltIn(field), old: old.into(), new: new.into() });
        }
    };
    for (field, a, b) in [
        (Column::Email, &old.email, &new.email),
        (Column::FirstName, &old.first_name, &new.first_name),
        (Column::LastName, &old.last_name, &new.last_name),
        (Column::Title, &old.title, &new.title),
        (Column::Phone, &old.phone, &new.phone),
        (Column::Phone2, &old.phone2, &new.phone2),
        (Column::NetworkAccount, &old.network_account, &new.network_account),
        (Column::Locale, &old.locale, &new.locale),
    ] {
        differ(field, a, b, a == b);
    }
    differ(Column::AccessLevel, old.access.as_str(), new.access.as_str(), old.access == new.access);
    differ(Column::Active, flag(old.active), flag(new.active), old.active == new.active);
    let same_manager = Folded(&old.reports_to) == Folded(&new.reports_to);
    differ(Column::ReportsTo, &old.reports_to, &new.reports_to, same_manager);
    for (field, a, b) in [(Column::Roles, &old.roles, &new.roles), (Column::Groups, &old.groups, &new.groups)] {
        if !same_names(a, b) {
            differ(field, &names_cell(a), &names_cell(b), false);
        }
    }
    differ(Column::TaskNotification, &old.task_notification, &new.task_notification, old.task_notification == new.task_notification);
    for ((column, a), b) in own.iter().zip(&old.values).zip(&new.values) {
        if a != b {
            changes.push(Change { field: Field::Own(column.name.as_str().into()), old: a.clone(), new: b.clone() });
        }
    }
    if password {
        changes.push(Change { field: Field::BuiltIn(Column::Password), old: Name::default(), new: "set".into() });
    }
    changes
}

fn flag(value: bool) -> &'static str {
    if value { "TRUE" } else { "FALSE" }
}


fn same_names(a: &[Name], b: &[Name]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| Folded(x) == Folded(y)))
}
