//! The pages and the shell around them.

mod auth_pages;
mod columns;
mod frame;
mod history;
pub(crate) mod import;
mod groups;
mod password;
mod profile;
mod table;
mod undo;
mod user_list;
mod user_page;

pub use import::read_in_worker;

use crate::api::auth::current_user;
use crate::model::session::SessionUser;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Sends the page's Content-Security-Policy: its scripts only from here or
/// with this response's nonce (Leptos gives its hydration and streamed
/// scripts the nonce), WebAssembly compiled, no framing by other sites, no
/// plugins. Inline style attributes stay allowed: the pages set heights and
/// widths as they render.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else { return };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Who is signed in, fetched once per page load and shared by every page.
#[derive(Clone, Copy)]
pub struct Session(pub Resource<Result<Option<SessionUser>, AppError>>);

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(Session(Resource::new(|| (), |_| current_user())));
    // Effects run only in the browser, once the page has come alive: the
    // browser tests wait for this mark before they click.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/roster.css"/>
        <Title text="Roster"/>
        // Async rendering (`SsrMode::Async`) lets a page answer with a redirect
        // or a 403/404 status before any HTML is sent.
        <Router>
            <a class="skip" href="#main">"Skip to content"</a>
            <frame::Header/>
            <main id="main">
                <Routes fallback=|| view! { <frame::NotFound/> }>
                    <Route path=path!("/") view=frame::Home ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=auth_pages::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/setup") view=auth_pages::SetupPage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot") view=password::ForgotPage ssr=SsrMode::Async/>
                    <Route path=path!("/password/:token") view=password::SetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/outbox") view=password::OutboxPage ssr=SsrMode::Async/>
                    <Route path=path!("/profile") view=profile::ProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("/users") view=user_list::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/users/new") view=user_page::NewUserPage ssr=SsrMode::Async/>
                    <Route path=path!("/users/:id") view=user_page::UserPage ssr=SsrMode::Async/>
                    <Route path=path!("/import") view=import::ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/history") view=history::HistoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/history/:id") view=history::BatchPage ssr=SsrMode::Async/>
                    <Route path=path!("/groups") view=groups::GroupsPage ssr=SsrMode::Async/>
                    <Route path=path!("/columns") view=columns::ColumnsPage ssr=SsrMode::Async/>
                    <Route path=path!("/roles") view=groups::RolesPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// After signing in or out the whole page reloads at `path`, so that every
/// part of it is rendered afresh for the new session. Returns the action's
/// error message, for an [`frame::ErrorMessage`].
fn reload_on_success<S>(action: ServerAction<S>, path: &'static str) -> Signal<Option<String>>
where
    S: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            let _ = window().location().set_href(path);
        }
    });
    Signal::derive(move || action.value().get().and_then(Result::err).map(|e| e.to_string()))
}
