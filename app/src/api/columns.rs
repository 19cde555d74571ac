//! A tenant's own columns, for admins: listed, added once their names
//! clash with nothing, changed where users' values allow it, and removed.

use crate::error::AppError;
use crate::model::columns::{Changed, Removal};
use engine::import::tenant_columns::TenantColumn;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
#[cfg(feature = "ssr")]
use {super::signed_in, engine::domain::access::AccessLevel};

/// The caller's tenant's columns, in their order.
#[server(endpoint = "list_columns")]
pub async fn list_columns() -> Result<Vec<TenantColumn>, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        Ok(crate::store::columns::list(&mut conn, me.tenant_id).await?)
    })
    .await
}

/// Adds a column to the caller's tenant; a name that clashes is refused with the clash named.
#[server(endpoint = "create_column", input = Json)]
pub async fn create_column(column: TenantColumn) -> Result<(), AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move { crate::columns::define(&state.db, me.tenant_id, &me.email, column).await }).await
}

/// Changes the caller's tenant's column `name` to `column`; refused, with
/// the users in the way, where their values would not fit.
#[server(endpoint = "change_column", input = Json)]
pub async fn change_column(name: String, column: TenantColumn) -> Result<Changed, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move { crate::columns::change(&state.db, me.tenant_id, &me.email, &name, column).await }).await
}

/// Renames a value of a choice column, in every user who holds it too;
/// returns how many did.
#[server(endpoint = "rename_choice")]
pub async fn rename_choice(name: String, old: String, new: String) -> Result<usize, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        crate::columns::rename_choice(&state.db, me.tenant_id, &super::acting(me), &name, &old, &new).await
    })
    .await
}

/// Removes a column; where users hold values, only with `holders` their
/// number, as the page showed it.
#[server(endpoint = "remove_column")]
pub async fn remove_column(name: String, holders: Option<usize>) -> Result<Removal, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        crate::columns::remove(&state.db, me.tenant_id, &super::acting(me), &name, holders).await
    })
    .await
}
