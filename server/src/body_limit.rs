//! How large a request body may be. Only an admin's commit of an import
//! carries a sheet, up to about twice the largest accepted file; every other
//! request, and that one from anybody else, is held to [`SMALL`], so that no
//! one can make the server take in hundreds of megabytes before the session
//! is looked at (a server function reads its arguments before its body runs).

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
    let batch = request.uri().path() == "/api/commit_import"
        && matches!(app::auth::session::from_headers(&state, request.headers()).await, Ok(Some(me)) if me.access.is_admin());
    let limit = if batch { largest() } else { SMALL };
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The request is too large.").into_response();
    }
    // A body that does not say its length is cut off at the limit.
    next.run(request.map(|body| Body::new(http_body_util::Limited::new(body, limit)))).await
}
