//! File downloads that are plain HTTP GETs, so that a link can save them.
//! Each checks the session and the tenant itself, like a server function.

use app::auth::session;
use app::error::AppError;
use app::import::write::{self, Format};
use app::model::session::SessionUser;
use app::model::users::{Cursor, Filter, ListQuery, Sort};
use app::state::AppState;
use app::store;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use std::future::Future;

/// `/history/{id}/changes.csv`: every change of one import, as CSV,
/// streamed a few thousand at a time (a batch may hold millions).
pub async fn import_changes(State(state): State<AppState>, Path(id): Path<i64>, headers: HeaderMap) -> Result<Response, AppError> {
    let user = admin(&state, &headers).await?;
    store::history::batch(&mut *state.db.pool.acquire().await?, user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let part = move |after: Option<i64>| {
        let state = state.clone();
        async move {
            let after = after.unwrap_or(0);
            let mut conn = state.db.pool.acquire().await?;
            let changes = store::history::changes_after(&mut conn, id, "", after, EXPORT_PART).await?;
            let next = (changes.len() == EXPORT_PART as usize).then(|| changes.last().map(|(id, _)| *id)).flatten();
            let changes: Vec<_> = changes.into_iter().map(|(_, change)| change).collect();
            Ok((app::model::history::changes_csv(&changes, after == 0), next))
        }
    };
    Ok(streamed_csv(&format!("import-{id}-changes.csv"), part))
}

/// `/users/export.csv?filter`: the users that match, in the import format,
/// streamed a few thousand at a time so that memory stays flat.
pub async fn users_csv(State(state): State<AppState>, Query(filter): Query<Filter>, headers: HeaderMap) -> Result<Response, AppError> {
    let user = admin(&state, &headers).await?;
    let part = move |after: Option<Cursor>| {
        let (state, filter) = (state.clone(), filter.clone());
        async move {
            let first = after.is_none();
            let query = ListQuery { filter, sort: Sort::UserId, after, ..ListQuery::default() };
            let mut conn = state.db.pool.acquire().await?;
            let (users, next, _) = store::listing::rows(&mut conn, user.tenant_id, &query, EXPORT_PART).await?;
            let users: Vec<_> = users.into_iter().map(|l| l.user).collect();
            // The headings, the tenant's columns among them, open the first part.
            let own = if first { store::columns::list(&mut conn, user.tenant_id).await? } else { Vec::new() };
            Ok((write::export_csv_part(&users, &own, first)?, next))
        }
    };
    Ok(streamed_csv("users.csv", part))
}

/// A CSV download in parts, each asked of `part` with where the one before
/// ended (none for the first), until a part says there is no next one.
/// A part that fails ends the download, which the browser shows as failed.
fn streamed_csv<C, P, F>(file_name: &str, part: P) -> Response
where
    C: Send + 'static,
    P: Fn(Option<C>) -> F + Send + 'static,
    F: Future<Output = Result<(Vec<u8>, Option<C>), AppError>> + Send,
{
    let parts = futures::stream::unfold((Some(None), part), |(after, part)| async move {
        let after = after?;
        match part(after).await {
            Ok((bytes, next)) => Some((Ok(bytes), (next.map(Some), part))),
            Err(_) => Some((Err(std::io::Error::other("download failed")), (None, part))),
        }
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        Body::from_stream(parts),
    )
        .into_response()
}

/// `/users/export.xlsx?filter`. A workbook is one zip written at the end, so
/// this one is built in memory.
pub async fn users_xlsx(State(state): State<AppState>, Query(filter): Query<Filter>, headers: HeaderMap) -> Result<Response, AppError> {
    let user = admin(&state, &headers).await?;
    let mut conn = state.db.pool.acquire().await?;
    let mut users = Vec::new();
    let mut query = ListQuery { filter, sort: Sort::UserId, ..ListQuery::default() };
    loop {
        let (part, next, _) = store::listing::rows(&mut conn, user.tenant_id, &query, EXPORT_PART).await?;
        users.extend(part.into_iter().map(|l| l.user));
        match next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    let own = store::columns::list(&mut conn, user.tenant_id).await?;
    let bytes = write::export(&users, &own, Format::Xlsx)?;
    let headers = [
        (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"users.xlsx\""),
    ];
    Ok((headers, bytes).into_response())
}

/// Users or changes per database round trip of a download.
const EXPORT_PART: i64 = 5_000;

/// The signed-in admin; anyone else is refused as a server function refuses them.
async fn admin(state: &AppState, headers: &HeaderMap) -> Result<SessionUser, AppError> {
    let user = session::from_headers(state, headers).await?.ok_or(AppError::Unauthenticated)?;
    if user.access.is_admin() {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}
