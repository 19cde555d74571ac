//! The import page's two server functions: the directory snapshot that the
//! browser checks files against, and the commit of a confirmed batch. Both
//! travel as CBOR: a snapshot or a batch of 100,000 users is megabytes.

use crate::error::AppError;
use crate::import::snapshot::Snapshot;
use crate::import::Issue;
use crate::sheet::Parts;
use leptos::prelude::*;
use leptos::server_fn::codec::Cbor;
use serde::{Deserialize, Serialize};

/// A batch as the admin confirmed it in the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// Chosen by the page for each checked file; a second commit of it applies nothing.
    pub key: String,
    pub file_name: String,
    /// The directory version and plan digest that the admin saw.
    pub version: i64,
    pub digest: String,
    /// The rows after the admin's fixes.
    pub sheet: Parts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// SPEC's result message; `replayed` when the batch had been applied before.
    Applied { batch_id: i64, message: String, replayed: bool },
    /// The server found errors, as the page would show them; nothing changed.
    Refused { errors: Vec<Issue> },
}

/// The caller's directory, for checking files in the browser (admins only).
#[server(endpoint = "import_snapshot", output = Cbor)]
pub async fn import_snapshot() -> Result<Snapshot, AppError> {
    crate::state::with_status(
        async {
            let (state, me) = crate::auth::session::require(crate::domain::access::AccessLevel::is_admin).await?;
            let mut conn = state.db.pool.acquire().await?;
            Ok(Snapshot::encode(&crate::store::directory::load(&mut conn, me.tenant_id, Some(me.user_id)).await?))
        }
        .await,
    )
}

/// Applies a batch to the caller's own tenant, all or nothing, after
/// checking it again against the directory as it is now.
#[server(endpoint = "commit_import", input = Cbor)]
pub async fn commit_import(upload: Upload) -> Result<Outcome, AppError> {
    use crate::store::commit::{commit, Actor, Batch};
    crate::state::with_status(
        async {
            let (state, me) = crate::auth::session::require(crate::domain::access::AccessLevel::is_admin).await?;
            let sheet = crate::sheet::Sheet::from_parts(&upload.sheet, &crate::sheet::Limits::default());
            let checksum = sheet.as_ref().map(crate::import::history_checksum).unwrap_or_default();
            let batch = Batch {
                key: &upload.key,
                file_name: &upload.file_name,
                checksum,
                sheet: &sheet,
                previewed: Some((upload.version, upload.digest.clone())),
            };
            let actor = Actor { id: me.id, email: me.email, user_id: me.user_id };
            outcome(commit(&state.db, me.tenant_id, &actor, &batch).await)
        }
        .await,
    )
}

/// What a commit means for the page, for imports and undos alike.
#[cfg(feature = "ssr")]
pub(crate) fn outcome(committed: Result<crate::store::commit::Committed, crate::store::commit::CommitError>) -> Result<Outcome, AppError> {
    use crate::store::commit::{CommitError, Committed};
    match committed {
        Ok(Committed::Applied { batch_id, plan }) => Ok(Outcome::Applied { batch_id, message: plan.result_message(), replayed: false }),
        Ok(Committed::Replayed { batch_id, summary }) => Ok(Outcome::Applied { batch_id, message: summary.message(), replayed: true }),
        Ok(Committed::Refused(plan)) => Ok(Outcome::Refused { errors: plan.errors }),
        Err(error @ CommitError::Stale) => Err(AppError::Stale(error.to_string())),
        Err(CommitError::Store(error)) => Err(error.into()),
        Err(error) => Err(AppError::Invalid(error.to_string())),
    }
}
