//! How large a request body may be. Only an admin's commit of an import
//! carries a sheet, up to about twice the largest accepted file; every other
//! request, and that one from anybody else, is held to [`SMALL`], so that no
//! one can make the server take in hundreds of megabytes before the session
//! is looked at (a server function reads its arguments before its body runs).

use app::error::AppError;
use app::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Any request but a batch: a users-page change of many ticked users is the
/// largest, at about 8 bytes an id.
pub const SMALL: usize = 4 << 20;

/// The largest batch: what the largest accepted file needs.
pub fn largest() -> usize {
    app::sheet::Limits::default().max_bytes * 2 + (16 << 20)
}

pub async fn limit(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    let batch = request.uri().path() == "/api/commit_import";
    let sender = if batch { app::auth::session::from_headers(&state, request.headers()).await.ok().flatten() } else { None };
    let limit = if sender.as_ref().is_some_and(|me| me.access.is_admin()) { largest() } else { SMALL };
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        // Answered as the server function would answer, so that the page can say why.
        let (status, error) = match (batch, sender) {
            (true, None) => (StatusCode::UNAUTHORIZED, AppError::Unauthenticated),
            (true, Some(_)) => (StatusCode::FORBIDDEN, AppError::Forbidden),
            (false, _) => (StatusCode::PAYLOAD_TOO_LARGE, AppError::Invalid(format!("The request is larger than the {} MB Roster takes.", limit >> 20))),
        };
        return (status, [(header::CONTENT_TYPE, "application/json")], serde_json::to_string(&error).unwrap_or_default()).into_response();
    }
    // A body that does not say its length is cut off at the limit.
    next.run(request.map(|body| Body::new(http_body_util::Limited::new(body, limit)))).await
}
