//! The web server: Leptos pages and server functions on axum.

use crate::cli::ServeArgs;
use crate::mailer::{self, Mailer};
use crate::{body_limit, csrf, downloads};
use anyhow::Context;
use app::state::{AppState, AuthSettings, MailSettings};
use app::store::Db;
use app::{shell, App};
use axum::http::{header, HeaderValue};
use axum::Router;
use leptos::prelude::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub async fn serve(db: Db, args: ServeArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{}", listener.local_addr().unwrap_or(args.addr)));
    let mailer = args.smtp_url.as_deref().map(|url| Mailer::new(url, &args.smtp_from, &public_url)).transpose()?;
    let state = AppState {
        leptos_options: leptos_options(&args),
        db: db.clone(),
        auth: AuthSettings {
            session_idle: Duration::from_secs(args.session_idle_secs),
            session_max: Duration::from_secs(args.session_max_secs),
            secure_cookies: args.secure_cookies,
            trusted_proxies: args.trusted_proxies.clone(),
            ..AuthSettings::default()
        },
        mail: MailSettings { public_url, sending: mailer.is_some() },
    };
    tokio::spawn(mailer::run(db, mailer));
    // Tests and scripts read this line to learn the port when given port 0.
    println!("Roster is listening on http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    Router::new()
        .route("/history/{id}/changes.csv", axum::routing::get(downloads::import_changes))
        .route("/users/export.csv", axum::routing::get(downloads::users_csv))
        .route("/users/export.xlsx", axum::routing::get(downloads::users_xlsx))
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(csrf::refuse_cross_site))
        .layer(axum::middleware::from_fn(no_store))
        .layer(axum::middleware::from_fn_with_state(state.clone(), body_limit::limit))
        // In place of axum's own 2 MB for every body, which server functions
        // heed too: the limits above are the ones meant.
        .layer(axum::extract::DefaultBodyLimit::disable())
        // Nothing bigger than the largest batch reaches any route, multipart included.
        .layer(RequestBodyLimitLayer::new(body_limit::largest()))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// Pages, server functions and downloads hold a tenant's data: neither the
/// browser's cache nor a proxy keeps them, so that the next person at a
/// shared computer cannot bring them back. The site's own files may be kept.
async fn no_store(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let site_file = is_site_file(request.uri().path());
    let mut response = next.run(request).await;
    if !site_file {
        response.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

/// The WASM, scripts, styles and icon that every visitor gets alike.
fn is_site_file(path: &str) -> bool {
    path.starts_with("/pkg/") || matches!(path, "/favicon.svg" | "/reader.js" | "/sw.js")
}

/// The span a request is traced in (its events show at `debug`), with the
/// path as [`traced_path`] gives it.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!("request", method = %request.method(), path = traced_path(request.uri().path()))
}

/// A path as it may be logged: the token of a set-password link is as good
/// as a password until used, so it never reaches a log.
fn traced_path(path: &str) -> &str {
    if path.starts_with("/password/") { "/password/[token]" } else { path }
}

fn leptos_options(args: &ServeArgs) -> LeptosOptions {
    let site_root = args.site_root.clone().unwrap_or_else(find_site_root);
    LeptosOptions::builder()
        .output_name("roster")
        .site_root(site_root.to_string_lossy().as_ref())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build()
}

/// `target/site` from the repository root, else next to the binary
/// (`target/release/roster` → `target/site`).
fn find_site_root() -> PathBuf {
    let from_cwd = PathBuf::from("target/site");
    if from_cwd.is_dir() {
        return from_cwd;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("site")))
        .filter(|dir| dir.is_dir())
        .unwrap_or(from_cwd)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::{is_site_file, traced_path};

    #[test]
    fn set_password_tokens_are_never_traced() {
        assert_eq!(traced_path("/password/3q2-secret-token"), "/password/[token]");
        assert_eq!(traced_path("/users/12"), "/users/12");
        assert_eq!(traced_path("/password"), "/password");
    }

    #[test]
    fn only_the_sites_own_files_may_be_kept() {
        for path in ["/pkg/roster.wasm", "/pkg/roster.js", "/favicon.svg", "/reader.js", "/sw.js"] {
            assert!(is_site_file(path), "{path}");
        }
        for path in ["/users", "/import", "/users/export.csv", "/api/list_users", "/history/1/changes.csv", "/pkgs"] {
            assert!(!is_site_file(path), "{path}");
        }
    }
}
