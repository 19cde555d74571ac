//! The import page's two server functions: the directory snapshot that the
//! browser checks files against, and the commit of a confirmed batch. A
//! snapshot or a batch of 100,000 users is megabytes: the batch travels as
//! CBOR, the snapshot as its own bytes, streamed.

use crate::error::AppError;
use crate::import::snapshot::Snapshot;
use crate::import::Issue;
use crate::sheet::Parts;
use leptos::prelude::*;
use leptos::server_fn::codec::{ByteStream, Cbor, Streaming};
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

/// The caller's directory, for checking files in the browser (admins only):
/// the snapshot's bytes as they are, so that the page takes them in as they
/// arrive. Decoded from CBOR in one go, 100,000 users held the page for up
/// to 90 ms.
#[server(endpoint = "import_snapshot", output = Streaming)]
pub async fn import_snapshot() -> Result<ByteStream<AppError>, AppError> {
    crate::state::with_status(
        async {
            let (state, me) = crate::auth::session::require(crate::domain::access::AccessLevel::is_admin).await?;
            let mut conn = state.db.pool.acquire().await?;
            let snapshot = Snapshot::encode(&crate::store::directory::load(&mut conn, me.tenant_id, Some(me.user_id)).await?);
            Ok(ByteStream::new(futures::stream::iter([Ok::<_, AppError>(snapshot.0)])))
        }
        .await,
    )
}

/// The caller's directory snapshot, piece by piece as the network brings
/// it, offering `pace` a step every 64 KiB: pieces that have all arrived
/// are otherwise taken in one task.
pub async fn fetch_snapshot(pace: &mut dyn crate::pace::Pace) -> Result<Snapshot, AppError> {
    use futures::StreamExt;
    let mut pieces = import_snapshot().await?.into_inner();
    let mut bytes = Vec::new();
    // The size is not known before the end: progress is not shown.
    let mut steps = crate::pace::Steps::new(pace, usize::MAX, 64 << 10);
    while let Some(piece) = pieces.next().await {
        let piece = piece?;
        bytes.extend_from_slice(&piece);
        steps.advance(piece.len()).await;
    }
    Ok(Snapshot(bytes))
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
                undoes: None,
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
