//! A tenant's own columns, for admins: listed, and added once their names
//! clash with nothing.

use crate::error::AppError;
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
