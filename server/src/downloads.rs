//! File downloads that are plain HTTP GETs, so that a link can save them.
//! Each checks the session and the tenant itself, like a server function.

use app::auth::session;
use app::model::session::SessionUser;
use app::import::write::{self, Format};
use app::state::AppState;
use app::store;
use app::model::users::{Cursor, Filter, ListQuery, Sort};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// `/history/{id}/changes.csv`: every change of one import, as CSV,
/// streamed a few thousand at a time (a batch may hold millions).
pub async fn import_changes(State(state): State<AppState>, Path(id): Path<i64>, headers: HeaderMap) -> Response {
    let user = match admin(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let found = async { store::history::batch(&mut *state.db.pool.acquire().await?, user.tenant_id, id).await }.await;
    match found {
        Ok(Some(_)) => {}
        Ok(None) => return (StatusCode::NOT_FOUND, "Not found.").into_response(),
        Err(error) => {
            tracing::error!(%error, "import changes download failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let parts = futures::stream::unfold(Some(0), move |after| {
        let state = state.clone();
        async move {
            let after = after?;
            let part = async {
                let mut conn = state.db.pool.acquire().await?;
                store::history::changes_after(&mut conn, id, "", after, EXPORT_PART).await
            }
            .await;
            match part {
                Ok(changes) => {
                    let next = (changes.len() == EXPORT_PART as usize).then(|| changes.last().map(|(id, _)| *id)).flatten();
                    let changes: Vec<_> = changes.into_iter().map(|(_, change)| change).collect();
                    Some((Ok(app::model::history::changes_csv(&changes, after == 0)), next))
                }
                Err(error) => {
                    tracing::error!(%error, "import changes download failed");
                    Some((Err(std::io::Error::other("download failed")), None))
                }
            }
        }
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"import-{id}-changes.csv\"")),
        ],
        Body::from_stream(parts),
    )
        .into_response()
}

/// `/users/export.csv?filter`: the users that match, in the import format,
/// streamed a few thousand at a time so that memory stays flat.
pub async fn users_csv(State(state): State<AppState>, Query(filter): Query<Filter>, headers: HeaderMap) -> Response {
    let user = match admin(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let parts = futures::stream::unfold(Some(None::<Cursor>), move |after| {
        let (state, filter) = (state.clone(), filter.clone());
        async move {
            let after = after?;
            let first = after.is_none();
            let query = ListQuery { filter, sort: Sort::UserId, after, ..ListQuery::default() };
            let part = async {
                let mut conn = state.db.pool.acquire().await?;
                let (users, next, _) = store::listing::rows(&mut conn, user.tenant_id, &query, EXPORT_PART).await?;
                let users: Vec<_> = users.into_iter().map(|l| l.user).collect();
                let bytes = write::export_csv_part(&users, first).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
                Ok::<_, sqlx::Error>((bytes, next))
            }
            .await;
            match part {
                Ok((bytes, next)) => Some((Ok(bytes), next.map(Some))),
                Err(error) => {
                    tracing::error!(%error, "users export failed");
                    Some((Err(std::io::Error::other("export failed")), None))
                }
            }
        }
    });
    (
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"users.csv\"")],
        Body::from_stream(parts),
    )
        .into_response()
}

/// `/users/export.xlsx?filter`. A workbook is one zip written at the end, so
/// this one is built in memory (about 5 MB for 100,000 users).
pub async fn users_xlsx(State(state): State<AppState>, Query(filter): Query<Filter>, headers: HeaderMap) -> Response {
    let user = match admin(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let result = async {
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
        write::export(&users, Format::Xlsx).map_err(|e| sqlx::Error::Protocol(e.to_string()))
    }
    .await;
    match result {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"users.xlsx\""),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "users export failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Users or changes per database round trip of a download.
const EXPORT_PART: i64 = 5_000;

/// The signed-in admin, or the response that refuses the request.
async fn admin(state: &AppState, headers: &HeaderMap) -> Result<SessionUser, Response> {
    match session::from_headers(state, headers).await {
        Ok(Some(user)) if user.access.is_admin() => Ok(user),
        Ok(Some(_)) => Err((StatusCode::FORBIDDEN, "You do not have access to this.").into_response()),
        Ok(None) => Err((StatusCode::UNAUTHORIZED, "Please sign in first.").into_response()),
        Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
}
