//! The frame around every page: header, navigation, access guard, and the
//! pages for "not found" and "no access".

use super::{reload_on_success, Session};
use crate::api::auth::{needs_setup, Logout};
use crate::model::session::SessionUser;
use crate::domain::access::AccessLevel;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

#[component]
pub fn Header() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <header class="top">
            <a class="brand" href="/">"Roster"</a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    session.0.await.ok().flatten().map(|user| view! { <Nav user/> })
                })}
            </Transition>
        </header>
    }
}

#[component]
fn Nav(user: SessionUser) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    reload_on_success(logout, "/login");
    let directory = user.access.sees_directory().then(|| view! { <li><A href="/users">"Users"</A></li> });
    let admin = user.access.is_admin().then(|| {
        view! {
            <li><A href="/import">"Import"</A></li>
            <li><A href="/history">"History"</A></li>
            <li><A href="/groups">"Groups"</A></li>
            <li><A href="/roles">"Roles"</A></li>
            <li><A href="/columns">"Columns"</A></li>
            <li><A href="/outbox">"Outbox"</A></li>
        }
    });
    view! {
        <nav aria-label="Main">
            <ul>
                {directory}
                {admin}
                <li><A href="/profile">"Profile"</A></li>
            </ul>
        </nav>
        <div class="who">
            <span>{user.name.clone()}</span>
            <span class="muted">{format!("{} · {}", user.access, user.tenant)}</span>
            <ActionForm action=logout>
                <button type="submit" class="link">"Sign out"</button>
            </ActionForm>
        </div>
    }
}

/// `/`: the first-run setup while there is no admin, else the sign-in page or
/// the start page for the signed-in person's access level.
#[component]
pub fn Home() -> impl IntoView {
    let session = expect_context::<Session>();
    let setup_needed = Resource::new(|| (), |_| needs_setup());
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let target = match (setup_needed.await, session.0.await) {
                    (Ok(true), _) => "/setup",
                    (_, Ok(Some(user))) if user.access.sees_directory() => "/users",
                    (_, Ok(Some(_))) => "/profile",
                    _ => "/login",
                };
                view! { <Redirect path=target/> }
            })}
        </Suspense>
    }
}

/// Shows its children only to a signed-in person whose access level passes
/// `allow`. The server functions check again: this only spares the page.
#[component]
pub fn Guard(allow: fn(AccessLevel) -> bool, children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match session.0.await {
                        Ok(Some(user)) if allow(user.access) => EitherOf3::A(children()),
                        Ok(Some(_)) => EitherOf3::B(view! { <Forbidden/> }),
                        _ => EitherOf3::C(view! { <Redirect path="/login"/> }),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted" role="status">"Loading…"</p> }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    set_status(403);
    view! {
        <section class="card">
            <h1>"No access"</h1>
            <p>"Your access level does not include this page. Ask an administrator of your organisation if you need it."</p>
            <p><a href="/">"Go to your start page"</a></p>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address."</p>
            <p><a href="/">"Go to the start page"</a></p>
        </section>
    }
}

/// Shows a server function's error where a screen reader announces it.
#[component]
pub fn ErrorMessage(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="error" role="alert">
            {move || message.get()}
        </p>
    }
}

fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(code))
    {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}
