//! The signed-in person's own profile.

use super::frame::Guard;
use super::Session;
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
                        <super::password::ChangePasswordForm/>
                    })
                })}
            </Suspense>
        </Guard>
    }
}
