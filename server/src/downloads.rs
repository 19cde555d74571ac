//! File downloads that are plain HTTP GETs, so that a link can save them.
//! Each checks the session and the tenant itself, like a server function.

use app::auth::session;
use app::state::AppState;
use app::store;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// `/history/{id}/changes.csv`: every change of one import, as CSV.
pub async fn import_changes(State(state): State<AppState>, Path(id): Path<i64>, headers: HeaderMap) -> Response {
    let user = match session::from_headers(&state, &headers).await {
        Ok(Some(user)) if user.access.is_admin() => user,
        Ok(Some(_)) => return (StatusCode::FORBIDDEN, "You do not have access to this.").into_response(),
        Ok(None) => return (StatusCode::UNAUTHORIZED, "Please sign in first.").into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
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
