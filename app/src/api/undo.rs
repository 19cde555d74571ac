//! The server functions behind `Undo this import`: a preview of the inverse
//! batch, and its commit through the same path as any import.

use crate::error::AppError;
use crate::model::import::Outcome;
use crate::model::undo::InversePreview;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {super::signed_in, engine::domain::access::AccessLevel};

/// The inverse of one of the caller's tenant's imports, against the directory now.
#[cfg(feature = "ssr")]
async fn inverse(
    state: &crate::state::AppState,
    me: &crate::model::session::SessionUser,
    id: i64,
    overwrite: bool,
) -> Result<(engine::import::undo::Inverse, engine::import::Directory, String), AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let batch = crate::store::history::batch(&mut conn, me.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    if batch.file_name.starts_with(crate::columns::LABEL) {
        return Err(AppError::Invalid("A change made on the Columns page is not undone here: rename the value back, or define the column again, there.".into()));
    }
    let changes = crate::store::history::changes(&mut conn, id).await?;
    let directory = crate::store::directory::load(&mut conn, me.tenant_id, Some(me.user_id.clone())).await?;
    let inverse = crate::import::undo::inverse(&changes, &directory, overwrite);
    Ok((inverse, directory, batch.file_name))
}

#[server(endpoint = "undo_preview")]
pub async fn undo_preview(id: i64, overwrite: bool) -> Result<InversePreview, AppError> {
    use crate::import::undo::{roles_left_unheld, with_removed_roles};
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let (inverse, directory, _) = inverse(&state, &me, id, overwrite).await?;
        let plan = crate::import::check_read(&inverse.sheet, &directory);
        let (new_users, digest, removed_roles) = match &inverse.sheet {
            Ok(sheet) => {
                let created = crate::import::plan::created_all(&plan, sheet, &directory).unwrap_or_default();
                let removed = roles_left_unheld(&inverse.created_roles, &directory, &plan, created.iter().map(|c| &c.user));
                let digest = with_removed_roles(plan.digest(sheet, &directory), &removed);
                (crate::model::import::listed(&plan, sheet, &directory), digest, removed)
            }
            Err(_) => Default::default(),
        };
        Ok(InversePreview { plan, new_users, digest, conflicts: inverse.conflicts, passwords: inverse.passwords, removed_roles })
    })
    .await
}

/// Applies the undo that was previewed (`version` and `digest` from its plan).
#[server(endpoint = "undo_import")]
pub async fn undo_import(id: i64, overwrite: bool, version: i64, digest: String) -> Result<Outcome, AppError> {
    use crate::commit::{commit, Batch, Undoing};
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let (inverse, _, file_name) = inverse(&state, &me, id, overwrite).await?;
        let checksum = inverse.sheet.as_ref().map(crate::import::history_checksum).unwrap_or_default();
        let batch = Batch {
            // The version tells apart undoing the same import again after it was imported again.
            key: &format!("undo-{id}-{version}-{checksum}"),
            file_name: &format!("Undo of import {id} ({file_name})"),
            checksum,
            sheet: inverse.sheet,
            previewed: Some((version, digest)),
            undoes: Some(Undoing { batch_id: id, created_roles: &inverse.created_roles }),
        };
        let actor = super::acting(me.clone());
        crate::commit::outcome(commit(&state.db, me.tenant_id, &actor, batch).await)
    })
    .await
}
