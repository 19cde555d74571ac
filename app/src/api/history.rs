//! The import history: every batch, and every change it made, for admins.

use crate::error::AppError;
use crate::model::history::{BatchDetail, BatchRow};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {super::signed_in, crate::model::history::{BATCHES_PAGE, CHANGES_PAGE}, engine::domain::access::AccessLevel};


/// The caller's tenant's batches, newest first, [`BATCHES_PAGE`] of them
/// from before batch `before`.
#[server(endpoint = "list_batches")]
pub async fn list_batches(before: Option<i64>) -> Result<Vec<BatchRow>, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        let before = before.unwrap_or(i64::MAX);
        Ok(crate::store::history::batches(&mut conn, me.tenant_id, before, BATCHES_PAGE as i64).await?)
    })
    .await
}

/// One batch of the caller's tenant with a page of its changes: those after
/// `after` whose user or field holds `filter`. Another tenant's batch is not
/// found, like a missing one.
#[server(endpoint = "get_batch")]
pub async fn get_batch(id: i64, filter: Option<String>, after: Option<i64>) -> Result<BatchDetail, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        let batch = crate::store::history::batch(&mut conn, me.tenant_id, id).await?.ok_or(AppError::NotFound)?;
        let filter = filter.unwrap_or_default();
        let limit = CHANGES_PAGE as i64 + 1;
        let mut page = crate::store::history::changes_after(&mut conn, id, &filter, after.unwrap_or(0), limit).await?;
        let next = (page.len() > CHANGES_PAGE).then(|| page[CHANGES_PAGE - 1].0);
        page.truncate(CHANGES_PAGE);
        Ok(BatchDetail { batch, changes: page.into_iter().map(|(_, change)| change).collect(), next })
    })
    .await
}
