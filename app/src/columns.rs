//! Defining, changing and removing a tenant's own columns, for the command
//! line and the pages alike. Each runs under the tenant's write lock and
//! moves the directory's version on, so that a file checked before is
//! checked again.

use crate::store::imports::Actor;
use crate::error::AppError;
use crate::model::columns::{users_link, Changed, Removal};
use crate::store::{self, Db};
use engine::import::tenant_columns::{check_definition, in_the_way, TenantColumn, ValueKind};

/// How the history labels the changes of columns in many users at once,
/// which no undo takes back: a renamed value is renamed back, a removed
/// column defined again.
pub const LABEL: &str = "Columns page: ";

/// Trims what an admin typed and keeps the default as the column spells it.
fn tidy(mut column: TenantColumn) -> TenantColumn {
    column.name = column.name.trim().to_string();
    column.aliases.iter_mut().for_each(|alias| *alias = alias.trim().to_string());
    column.aliases.retain(|alias| !alias.is_empty());
    column.choices.iter_mut().for_each(|choice| *choice = choice.trim().to_string());
    column.default = column.default.map(|value| value.trim().to_string()).filter(|value| !value.is_empty());
    column
}

/// Adds `column` to the tenant's columns once it clashes with none of them.
/// The audit log names `actor`.
pub async fn define(db: &Db, tenant_id: i64, actor: &str, column: TenantColumn) -> Result<(), AppError> {
    let mut column = tidy(column);
    let mut tx = db.begin_directory_write(tenant_id).await?;
    let others = store::columns::list(&mut tx, tenant_id).await?;
    check_definition(&column, &others).map_err(AppError::Invalid)?;
    column.settle_default();
    store::columns::create(&mut tx, db.backend, tenant_id, &column).await?;
    store::tenants::bump_version(&mut tx, tenant_id).await?;
    store::audit::record(&mut tx, tenant_id, actor, "column_created", &column.name).await?;
    tx.commit().await?;
    Ok(())
}

/// The tenant's column called `name` (as a heading would match it), with its
/// place among the tenant's columns.
fn find<'a>(columns: &'a [(i64, TenantColumn)], name: &str) -> Result<(usize, &'a (i64, TenantColumn)), AppError> {
    let key = engine::import::columns::normalise(name);
    columns
        .iter()
        .enumerate()
        .find(|(_, (_, column))| engine::import::columns::normalise(&column.name) == key)
        .ok_or_else(|| AppError::Invalid(format!("There is no column {name}. Reload the page to see the columns as they are.")))
}

/// Changes the definition of the column called `name` to `column` (which
/// may rename it). Refused, with the users in the way, where values that
/// users hold would not fit it.
pub async fn change(db: &Db, tenant_id: i64, actor: &str, name: &str, column: TenantColumn) -> Result<Changed, AppError> {
    let mut column = tidy(column);
    let mut tx = db.begin_directory_write(tenant_id).await?;
    let loaded = store::directory::load_with_ids(&mut tx, tenant_id, None).await?;
    let columns: Vec<(i64, TenantColumn)> = loaded.column_ids.iter().copied().zip(loaded.directory.columns.iter().cloned()).collect();
    let (index, (id, was)) = find(&columns, name)?;
    if column.kind != was.kind {
        return Err(AppError::Invalid(format!(
            "{} holds {} values, and a column keeps its kind. Add a new {} column, and remove this one once its values are moved.",
            was.name, was.kind.as_str(), column.kind.as_str()
        )));
    }
    let others: Vec<TenantColumn> = columns.iter().filter(|(other, _)| other != id).map(|(_, c)| c.clone()).collect();
    check_definition(&column, &others).map_err(AppError::Invalid)?;
    column.settle_default();
    let values: Vec<&str> = loaded.directory.users.iter().map(|u| u.values[index].as_str()).collect();
    // A boolean's blank is its default: a user who never had a value is in nobody's way.
    let values: Vec<&str> = if column.kind == ValueKind::Boolean { values.into_iter().map(|v| if v.is_empty() { column.blank() } else { v }).collect() } else { values };
    let blocking = in_the_way(was, &column, &values);
    if !blocking.is_empty() {
        let ids: Vec<i64> = blocking.iter().map(|at| loaded.user_ids[*at]).collect();
        let users = if ids.len() == 1 { "1 user holds a value".to_string() } else { format!("{} users hold values", ids.len()) };
        let message = format!("{users} that the changed {} would not take. Change or clear their values first, then try again.", column.name);
        return Ok(Changed::InTheWay { count: ids.len(), message, link: users_link(&ids) });
    }
    store::columns::update(&mut tx, db.backend, tenant_id, *id, &column).await?;
    // Values kept as the column now spells them (a choice re-spelt, `Field` as `FIELD`).
    let mut respelt: Vec<(&str, String)> = Vec::new();
    for value in values.iter().filter(|v| !v.is_empty()) {
        if let Ok(spelt) = column.value(value) {
            if spelt != *value && !respelt.iter().any(|(old, _)| old == value) {
                respelt.push((value, spelt.to_string()));
            }
        }
    }
    for (old, new) in &respelt {
        store::columns::rename_value(&mut tx, db.backend, tenant_id, *id, old, new).await?;
    }
    let values: Vec<&str> = values.iter().map(|v| respelt.iter().find(|(old, _)| old == v).map_or(*v, |(_, new)| new.as_str())).collect();
    let holders = if column.unique {
        loaded.user_ids.iter().zip(&values).filter(|(_, v)| !v.is_empty()).map(|(user, v)| (*user, v.to_string())).collect()
    } else {
        Vec::new()
    };
    store::columns::index_unique(&mut tx, db.backend, *id, holders).await?;
    store::tenants::bump_version(&mut tx, tenant_id).await?;
    store::audit::record(&mut tx, tenant_id, actor, "column_changed", &column.name).await?;
    tx.commit().await?;
    Ok(Changed::Saved)
}

/// Renames the value `old` of the choice column `name` to `new`, in the
/// definition and in every user who holds it: one batch in the history.
/// Returns how many users held it.
pub async fn rename_choice(db: &Db, tenant_id: i64, actor: &Actor, name: &str, old: &str, new: &str) -> Result<usize, AppError> {
    let new = new.trim();
    let mut tx = db.begin_directory_write(tenant_id).await?;
    let loaded = store::directory::load_with_ids(&mut tx, tenant_id, None).await?;
    let columns: Vec<(i64, TenantColumn)> = loaded.column_ids.iter().copied().zip(loaded.directory.columns.iter().cloned()).collect();
    let (index, (id, column)) = find(&columns, name)?;
    let Some(at) = column.choices.iter().position(|choice| choice == old) else {
        return Err(AppError::Invalid(format!("{} has no value {old}. Reload the page to see its values as they are.", column.name)));
    };
    let mut renamed = column.clone();
    renamed.choices[at] = new.to_string();
    if renamed.default.as_deref() == Some(old) {
        renamed.default = Some(new.to_string());
    }
    let others: Vec<TenantColumn> = columns.iter().filter(|(other, _)| other != id).map(|(_, c)| c.clone()).collect();
    check_definition(&renamed, &others).map_err(AppError::Invalid)?;
    let holders: Vec<usize> = (0..loaded.directory.users.len()).filter(|&u| loaded.directory.users[u].values[index] == old).collect();
    store::columns::update(&mut tx, db.backend, tenant_id, *id, &renamed).await?;
    store::columns::rename_value(&mut tx, db.backend, tenant_id, *id, old, new).await?;
    if renamed.unique {
        let values = loaded.user_ids.iter().zip(&loaded.directory.users).map(|(user, u)| (*user, u.values[index].to_string()));
        let values = values.map(|(user, value)| (user, if value == old { new.to_string() } else { value })).filter(|(_, v)| !v.is_empty());
        store::columns::index_unique(&mut tx, db.backend, *id, values.collect()).await?;
    }
    let changes: Vec<(&str, &str, &str)> = holders.iter().map(|&u| (loaded.directory.users[u].user_id.as_str(), old, new)).collect();
    let label = format!("{LABEL}{} value {old} renamed {new}", column.name);
    store::imports::record_column_change(&mut tx, db.backend, tenant_id, actor, &label, &column.name, &changes, crate::clock::now()).await?;
    store::tenants::bump_version(&mut tx, tenant_id).await?;
    tx.commit().await?;
    Ok(holders.len())
}

/// Removes the column called `name` with every value in it, once the
/// admin has confirmed that `holders` users hold a value (the count they
/// were shown, which must still be true). The values removed are in the
/// history, as one batch.
pub async fn remove(db: &Db, tenant_id: i64, actor: &Actor, name: &str, holders: Option<usize>) -> Result<Removal, AppError> {
    let mut tx = db.begin_directory_write(tenant_id).await?;
    let loaded = store::directory::load_with_ids(&mut tx, tenant_id, None).await?;
    let columns: Vec<(i64, TenantColumn)> = loaded.column_ids.iter().copied().zip(loaded.directory.columns.iter().cloned()).collect();
    let (index, (id, column)) = find(&columns, name)?;
    // A boolean left at its default holds nothing the admin would lose.
    let held: Vec<(&str, &str, &str)> = (loaded.directory.users.iter())
        .filter(|u| !u.values[index].is_empty() && (column.kind != ValueKind::Boolean || u.values[index] != column.blank()))
        .map(|u| (u.user_id.as_str(), u.values[index].as_str(), ""))
        .collect();
    if !held.is_empty() && holders != Some(held.len()) {
        return Ok(Removal::Confirm { holders: held.len() });
    }
    store::columns::remove(&mut tx, db.backend, tenant_id, *id).await?;
    if !held.is_empty() {
        let label = format!("{LABEL}column {} removed", column.name);
        store::imports::record_column_change(&mut tx, db.backend, tenant_id, actor, &label, &column.name, &held, crate::clock::now()).await?;
    }
    store::tenants::bump_version(&mut tx, tenant_id).await?;
    store::audit::record(&mut tx, tenant_id, &actor.email, "column_removed", &column.name).await?;
    tx.commit().await?;
    Ok(Removal::Removed)
}
