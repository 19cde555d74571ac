//! The import page's two server functions: the directory snapshot that the
//! browser checks files against, and the commit of a confirmed batch. A
//! snapshot or a batch of 100,000 users is megabytes: the batch travels as
//! CBOR, the snapshot as its own bytes, streamed.

use crate::error::AppError;
use crate::model::import::{Outcome, Upload};
use engine::import::snapshot::Snapshot;
use leptos::prelude::*;
use leptos::server_fn::codec::{ByteStream, Cbor, Streaming};
#[cfg(feature = "ssr")]
use {super::signed_in, crate::commit::outcome, engine::domain::access::AccessLevel};

/// The caller's directory, for checking files in the browser (admins only):
/// the snapshot's bytes as they are, so that the page takes them in as they
/// arrive: decoded in one go, a big directory would hold the page up.
#[server(endpoint = "import_snapshot", output = Streaming)]
pub async fn import_snapshot() -> Result<ByteStream<AppError>, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let mut conn = state.db.pool.acquire().await?;
        let snapshot = Snapshot::encode(&crate::store::directory::load(&mut conn, me.tenant_id, Some(me.user_id)).await?);
        Ok(ByteStream::new(futures::stream::iter([Ok::<_, AppError>(snapshot.0)])))
    })
    .await
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
    use crate::commit::{commit, Batch};
    signed_in(AccessLevel::is_admin, |state, me| async move {
        let sheet = crate::sheet::Sheet::from_parts(&upload.sheet, &crate::sheet::Limits::default());
        let checksum = sheet.as_ref().map(crate::import::history_checksum).unwrap_or_default();
        let batch = Batch {
            key: &upload.key,
            file_name: &upload.file_name,
            checksum,
            sheet,
            previewed: Some((upload.version, upload.digest.clone())),
            undoes: None,
        };
        let actor = super::acting(me.clone());
        outcome(commit(&state.db, me.tenant_id, &actor, batch).await)
    })
    .await
}

