//! The signed-in pages. Each is guarded here for the page, and each server
//! function behind it checks the session again for the data.

use super::frame::Guard;
use super::Session;
use crate::domain::access::AccessLevel;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <Title text="Profile · Roster"/>
        <Guard allow=|_| true>
            <h1>"Your profile"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    session.0.await.ok().flatten().map(|user| view! {
                        <dl class="card facts">
                            <dt>"Name"</dt><dd>{user.name}</dd>
                            <dt>"Email"</dt><dd>{user.email}</dd>
                            <dt>"User ID"</dt><dd>{user.user_id}</dd>
                            <dt>"Access level"</dt><dd>{user.access.as_str()}</dd>
                            <dt>"Organisation"</dt><dd>{user.tenant}</dd>
                        </dl>
                    })
                })}
            </Suspense>
        </Guard>
    }
}

/// A guarded page whose content a later part of Roster fills in.
#[component]
fn Planned(title: &'static str, heading: &'static str, allow: fn(AccessLevel) -> bool, about: &'static str) -> impl IntoView {
    view! {
        <Title text=format!("{title} · Roster")/>
        <Guard allow>
            <h1>{heading}</h1>
            <p class="muted">{about}</p>
        </Guard>
    }
}

#[component]
pub fn GroupsPage() -> impl IntoView {
    let about = "Groups must exist before an import names them; they will be managed here.";
    view! { <Planned title="Groups" heading="Groups" allow=AccessLevel::is_admin about/> }
}
