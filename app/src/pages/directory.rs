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

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Title text="Users · Roster"/>
        <Guard allow=AccessLevel::sees_directory>
            <h1>"Users"</h1>
            <p class="muted">"The directory of your organisation's users will be listed here."</p>
        </Guard>
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    view! {
        <Title text="Import · Roster"/>
        <Guard allow=AccessLevel::is_admin>
            <h1>"Import users"</h1>
            <p class="muted">"Upload a spreadsheet to create, update and delete users in one batch."</p>
        </Guard>
    }
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    view! {
        <Title text="History · Roster"/>
        <Guard allow=AccessLevel::is_admin>
            <h1>"Import history"</h1>
            <p class="muted">"Every import, who ran it, and what it changed will be listed here."</p>
        </Guard>
    }
}

#[component]
pub fn GroupsPage() -> impl IntoView {
    view! {
        <Title text="Groups · Roster"/>
        <Guard allow=AccessLevel::is_admin>
            <h1>"Groups"</h1>
            <p class="muted">"Groups must exist before an import names them; they will be managed here."</p>
        </Guard>
    }
}
