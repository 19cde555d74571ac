//! File downloads that are plain HTTP GETs, so that a link can save them.
//! Each checks the session and the tenant itself, like a server function.

use app::auth::{session, SessionUser};
use app::import::write::{self, Format};
use app::state::AppState;
use app::store;
use app::users::{Cursor, Filter, ListQuery, Sort};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// `/history/{id}/changes.csv`: every change of one import, as CSV.
pub async fn import_changes(State(state): State<AppState>, Path(id): Path<i64>, headers: HeaderMap) -> Response {
    let user = match admin(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let result = async {
        let mut conn = state.db.pool.acquire().await?;
        match store::history::batch(&mut conn, user.tenant_id, id).await? {
            Some(_) => store::history::changes(&mut conn, id).await.map(Some),
            None => Ok(None),
        }
    }
    .await;
    match result {
        Ok(Some(changes)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"import-{id}-changes.csv\"")),
            ],
            app::history::changes_csv(&changes),
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "Not found.").into_response(),
        Err(error) => {
            tracing::error!(%error, "import changes download failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
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

/// Users per database round trip of an export.
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
