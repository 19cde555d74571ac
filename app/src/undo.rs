//! The server functions behind `Undo this import`: a preview of the inverse
//! batch, and its commit through the same path as any import.

use crate::batches::Outcome;
use crate::error::AppError;
use crate::import::undo::Conflict;
use crate::import::{DirectoryUser, Plan};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InversePreview {
    /// What the undo would do, checked like an import; errors included.
    pub plan: Plan,
    /// The first of the users it would add, to list.
    pub new_users: Vec<DirectoryUser>,
    /// The plan's [`Plan::digest`] with the roles removed, for the confirmation.
    pub digest: String,
    pub conflicts: Vec<Conflict>,
    /// Passwords the import set, which stay.
    pub passwords: usize,
    /// The roles the import created that the undo removes: no user holds them after it.
    pub removed_roles: Vec<String>,
}

/// The inverse of one of the caller's tenant's imports, against the directory now.
#[cfg(feature = "ssr")]
async fn inverse(
    id: i64,
    overwrite: bool,
) -> Result<(crate::state::AppState, crate::auth::SessionUser, crate::import::undo::Inverse, crate::import::Directory, String), AppError> {
    let (state, me) = crate::auth::session::require(crate::domain::access::AccessLevel::is_admin).await?;
    let mut conn = state.db.pool.acquire().await?;
    let batch = crate::store::history::batch(&mut conn, me.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let changes = crate::store::history::changes(&mut conn, id).await?;
    let directory = crate::store::directory::load(&mut conn, me.tenant_id, Some(me.user_id.clone())).await?;
    let inverse = crate::import::undo::inverse(&changes, &directory, overwrite);
    Ok((state, me, inverse, directory, batch.file_name))
}

#[server(endpoint = "undo_preview")]
pub async fn undo_preview(id: i64, overwrite: bool) -> Result<InversePreview, AppError> {
    use crate::import::undo::{roles_left_unheld, with_removed_roles};
    crate::state::with_status(
        async {
            let (_, _, inverse, directory, _) = inverse(id, overwrite).await?;
            let plan = crate::import::check_read(&inverse.sheet, &directory);
            let (new_users, digest, removed_roles) = match &inverse.sheet {
                Ok(sheet) => {
                    let created = crate::import::plan::created_all(&plan, sheet, &directory).unwrap_or_default();
                    let removed = roles_left_unheld(&inverse.created_roles, &directory, &plan, created.iter().map(|c| &c.user));
                    let digest = with_removed_roles(plan.digest(sheet, &directory), &removed);
                    (crate::pages::import::preview::listed(&plan, sheet, &directory), digest, removed)
                }
                Err(_) => Default::default(),
            };
            Ok(InversePreview { plan, new_users, digest, conflicts: inverse.conflicts, passwords: inverse.passwords, removed_roles })
        }
        .await,
    )
}

/// Applies the undo that was previewed (`version` and `digest` from its plan).
#[server(endpoint = "undo_import")]
pub async fn undo_import(id: i64, overwrite: bool, version: i64, digest: String) -> Result<Outcome, AppError> {
    use crate::store::commit::{commit, Actor, Batch, Undoing};
    crate::state::with_status(
        async {
            let (state, me, inverse, _, file_name) = inverse(id, overwrite).await?;
            let checksum = inverse.sheet.as_ref().map(crate::import::history_checksum).unwrap_or_default();
            let batch = Batch {
                // The version tells apart undoing the same import again after it was imported again.
                key: &format!("undo-{id}-{version}-{checksum}"),
                file_name: &format!("Undo of import {id} ({file_name})"),
                checksum,
                sheet: &inverse.sheet,
                previewed: Some((version, digest)),
                undoes: Some(Undoing { batch_id: id, created_roles: &inverse.created_roles }),
            };
            let actor = Actor { id: me.id, email: me.email, user_id: me.user_id };
            crate::batches::outcome(commit(&state.db, me.tenant_id, &actor, &batch).await)
        }
        .await,
    )
}
