//! The users directory: the list of a tenant's users, sorted, filtered and
//! paged on the server, for admins and (read only) managers.

use crate::error::AppError;
use crate::model::users::{ListQuery, UserPage, UserSummary};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
#[cfg(feature = "ssr")]
use {super::signed_in, crate::model::users::PAGE_SIZE, engine::domain::access::AccessLevel};

/// One page of the caller's tenant's users (admins and managers).
#[server(endpoint = "list_users", input = Json)]
pub async fn list_users(query: ListQuery) -> Result<UserPage, AppError> {
    signed_in(AccessLevel::sees_directory, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        Ok(crate::store::listing::page(&mut conn, me.tenant_id, &query, PAGE_SIZE).await?)
    })
    .await
}

/// One user of the caller's own tenant (admins and managers).
#[server(endpoint = "get_user")]
pub async fn get_user(id: i64) -> Result<UserSummary, AppError> {
    signed_in(AccessLevel::sees_directory, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        crate::store::users::find(&mut conn, me.tenant_id, id).await?.ok_or(AppError::NotFound)
    })
    .await
}
