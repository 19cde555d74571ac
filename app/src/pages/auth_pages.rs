//! Sign-in and first-run setup.

use super::frame::{ErrorMessage, Loading, NotFound};
use super::{reload_on_success, Session};
use crate::api::auth::{needs_setup, Login, Setup};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let login = ServerAction::<Login>::new();
    let error = reload_on_success(login, "/");
    view! {
        <Title text="Sign in · Roster"/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(session.0.await, Ok(Some(_))).then(|| view! { <Redirect path="/"/> })
            })}
        </Suspense>
        <section class="card narrow" aria-labelledby="login-title">
            <h1 id="login-title">"Sign in"</h1>
            <ActionForm action=login>
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="text" inputmode="email" autocomplete="username" required/>
                    <p class="hint">"Your e-mail address or your user ID."</p>
                </div>
                <PasswordField id="password" label="Password" autocomplete="current-password"/>
                <ErrorMessage message=error/>
                <button type="submit" class="primary" disabled=move || login.pending().get()>"Sign in"</button>
            </ActionForm>
            <p><a href="/forgot">"Forgotten your password?"</a></p>
        </section>
    }
}

/// A password input with a button that shows what was typed; the button is
/// also how the tests see that the page is hydrated.
#[component]
pub(super) fn PasswordField(id: &'static str, label: &'static str, autocomplete: &'static str, #[prop(default = id)] name: &'static str) -> impl IntoView {
    let shown = RwSignal::new(false);
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <div class="with-button">
                <input
                    id=id
                    name=name
                    type=move || if shown.get() { "text" } else { "password" }
                    autocomplete=autocomplete
                    required
                />
                <button
                    type="button"
                    class="secondary"
                    aria-controls=id
                    aria-label=format!("Show {}", label.to_lowercase())
                    aria-pressed=move || shown.get().to_string()
                    on:click=move |_| shown.update(|s| *s = !*s)
                >
                    {move || if shown.get() { "Hide" } else { "Show" }}
                </button>
            </div>
        </div>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let needed = Resource::new(|| (), |_| needs_setup());
    view! {
        <Title text="Set up Roster"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match needed.await {
                    Ok(true) => Either::Left(view! { <SetupForm/> }),
                    _ => Either::Right(view! { <NotFound/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SetupForm() -> impl IntoView {
    let setup = ServerAction::<Setup>::new();
    let error = reload_on_success(setup, "/");
    view! {
        <section class="card narrow" aria-labelledby="setup-title">
            <h1 id="setup-title">"Set up Roster"</h1>
            <p>"Name your organisation and create its first administrator. This page is shown only once."</p>
            <ActionForm action=setup>
                <div class="field">
                    <label for="organisation">"Organisation"</label>
                    <input id="organisation" name="organisation" type="text" autocomplete="organization" required maxlength="100"/>
                </div>
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="email" required/>
                </div>
                <div class="field">
                    <label for="first_name">"First name"</label>
                    <input id="first_name" name="first_name" type="text" autocomplete="given-name" maxlength="100"/>
                </div>
                <div class="field">
                    <label for="last_name">"Last name"</label>
                    <input id="last_name" name="last_name" type="text" autocomplete="family-name" required maxlength="100"/>
                </div>
                <PasswordField id="password" label="Password" autocomplete="new-password"/>
                <p class="hint">"At least 8 characters, with a letter and a digit."</p>
                <PasswordField id="password_confirm" label="Confirm password" autocomplete="new-password"/>
                <ErrorMessage message=error/>
                <button type="submit" class="primary" disabled=move || setup.pending().get()>"Create organisation"</button>
            </ActionForm>
        </section>
    }
}
