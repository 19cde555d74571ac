//! Refuses state-changing requests that a browser sent from another site.
//! Leptos does no CSRF checking of its own; the SameSite=Strict cookie is the
//! first line, this the second.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn refuse_cross_site(request: Request<Body>, next: Next) -> Response {
    if is_cross_site(&request) {
        tracing::warn!(uri = %request.uri(), "refused a cross-site request");
        return (StatusCode::FORBIDDEN, "Refused: this request came from another site.").into_response();
    }
    next.run(request).await
}

fn is_cross_site(request: &Request<Body>) -> bool {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let headers = request.headers();
    // Browsers send Sec-Fetch-Site; `none` is the user typing or bookmarking.
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    // Older browsers: compare Origin with the host the request was sent to.
    // No Origin at all is a non-browser client (curl, scripts), which has no
    // ambient cookie to abuse.
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or_default();
            let host = host.to_str().unwrap_or_default();
            origin.split_once("://").map(|(_, authority)| authority) != Some(host)
        }
        (Some(_), None) => true,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(headers: &[(&str, &str)]) -> Request<Body> {
        let mut builder = Request::post("/api/login");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn same_origin_and_header_less_clients_pass() {
        assert!(!is_cross_site(&post(&[("sec-fetch-site", "same-origin")])));
        assert!(!is_cross_site(&post(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")])));
        assert!(!is_cross_site(&post(&[])));
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(is_cross_site(&post(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&post(&[("sec-fetch-site", "same-site")])));
        assert!(is_cross_site(&post(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")])));
        assert!(is_cross_site(&post(&[("origin", "null"), ("host", "127.0.0.1:3000")])));
    }

    #[test]
    fn reads_are_never_refused() {
        let request = Request::get("/").header("sec-fetch-site", "cross-site").body(Body::empty()).unwrap();
        assert!(!is_cross_site(&request));
    }
}
