//! Pages for getting in without the admin: the set-password page behind an
//! invitation or reset link, the forgotten-password page, changing one's own
//! password, and the admin's outbox.

use super::auth_pages::PasswordField;
use super::frame::{ErrorMessage, Guard, Loading};
use super::reload_on_success;
use crate::domain::access::AccessLevel;
use crate::model::history::when;
use crate::api::passwords::{outbox_messages, password_link, ChangePassword, ForgotPassword, RenewPasswordLink, SetPasswordByLink};
use crate::model::passwords::{LinkKind, LinkState, Message};
use leptos::either::{Either, EitherOf3};
use super::table::DataTable;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/password/:token`: set a password through a link, or learn why the link
/// no longer works and ask for a new one.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, password_link);
    view! {
        <Title text="Set your password · Roster"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match link.await {
                    Ok(LinkState::Open { kind, user_id, tenant, min_length }) => {
                        EitherOf3::A(view! { <SetPasswordForm token=token() kind user_id tenant min_length/> })
                    }
                    Ok(spent) => EitherOf3::B(view! { <SpentLink token=token() spent/> }),
                    Err(error) => EitherOf3::C(view! { <p role="alert" class="error">{error.to_string()}</p> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SetPasswordForm(token: String, kind: LinkKind, user_id: String, tenant: String, min_length: usize) -> impl IntoView {
    let set = ServerAction::<SetPasswordByLink>::new();
    let error = reload_on_success(set, "/");
    let title = match kind {
        LinkKind::Invitation => "Welcome: set your password",
        LinkKind::Reset => "Set a new password",
    };
    view! {
        <section class="card narrow" aria-labelledby="set-title">
            <h1 id="set-title">{title}</h1>
            <p>{format!("For {user_id} in {tenant}. You are signed in once it is set.")}</p>
            <ActionForm action=set>
                <input type="hidden" name="token" value=token/>
                <PasswordField id="password" label="New password" autocomplete="new-password"/>
                <p class="hint">{format!("At least {min_length} characters, with a letter and a digit.")}</p>
                <PasswordField id="password_confirm" label="Confirm new password" autocomplete="new-password"/>
                <ErrorMessage message=error/>
                <button type="submit" class="primary" disabled=move || set.pending().get()>"Set password"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn SpentLink(token: String, spent: LinkState) -> impl IntoView {
    let renew = ServerAction::<RenewPasswordLink>::new();
    let (heading, text, renewable) = match spent {
        LinkState::Expired => ("This link has expired", "Links work for a limited time, for your safety.", true),
        LinkState::Used => ("This link has been used", "Each link works once. If that was not you, ask for a new link now.", true),
        LinkState::Closed => ("This account cannot set a password here", "It is blocked or signs in through the network. Ask your administrator.", false),
        _ => ("This link is not valid", "Check that you opened all of it, or ask for a new link below.", false),
    };
    let answer = move || renew.value().get().map(|r| r.map_err(|e| e.to_string()));
    view! {
        <section class="card narrow" aria-labelledby="spent-title">
            <h1 id="spent-title">{heading}</h1>
            <p>{text}</p>
            {renewable.then(|| view! {
                <ActionForm action=renew>
                    <input type="hidden" name="token" value=token/>
                    <button type="submit" class="primary" disabled=move || renew.pending().get()>"Send me a new link"</button>
                </ActionForm>
            })}
            <p role="status">{move || answer().and_then(Result::ok)}</p>
            <ErrorMessage message=Signal::derive(move || answer().and_then(Result::err))/>
            <p><a href="/forgot">"Forgotten your password?"</a>" · "<a href="/login">"Sign in"</a></p>
        </section>
    }
}

/// `/forgot`: asks for a link by e-mail address; the answer is the same
/// whether or not the address has an account.
#[component]
pub fn ForgotPage() -> impl IntoView {
    let forgot = ServerAction::<ForgotPassword>::new();
    let answer = move || forgot.value().get().map(|r| r.map_err(|e| e.to_string()));
    view! {
        <Title text="Forgotten password · Roster"/>
        <section class="card narrow" aria-labelledby="forgot-title">
            <h1 id="forgot-title">"Forgotten your password?"</h1>
            <p>"Enter the e-mail address of your account, and we will send you a link to set a new password."</p>
            <ActionForm action=forgot>
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="email" required/>
                </div>
                <p role="status">{move || answer().and_then(Result::ok)}</p>
                <ErrorMessage message=Signal::derive(move || answer().and_then(Result::err))/>
                <button type="submit" class="primary" disabled=move || forgot.pending().get()>"Send link"</button>
            </ActionForm>
            <p><a href="/login">"Back to sign in"</a></p>
        </section>
    }
}

/// On the profile page: a new password, with the current one.
#[component]
pub fn ChangePasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let done = move || matches!(change.value().get(), Some(Ok(())));
    let error = Signal::derive(move || change.value().get().and_then(Result::err).map(|e| e.to_string()));
    view! {
        <section class="card narrow" aria-labelledby="change-title">
            <h2 id="change-title">"Change your password"</h2>
            <ActionForm action=change>
                <PasswordField id="current" label="Current password" autocomplete="current-password"/>
                <PasswordField id="password" label="New password" autocomplete="new-password"/>
                <p class="hint">"At least 8 characters (or what your organisation asks), with a letter and a digit."</p>
                <PasswordField id="password_confirm" label="Confirm new password" autocomplete="new-password"/>
                <p role="status">{move || done().then_some("Your password is changed. Your other sessions have ended.")}</p>
                <ErrorMessage message=error/>
                <button type="submit" class="primary" disabled=move || change.pending().get()>"Change password"</button>
            </ActionForm>
        </section>
    }
}

/// `/outbox` (admins): the invitations and password links of the tenant,
/// newest first, and whether they are on their way.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let outbox = Resource::new(|| (), |_| outbox_messages());
    view! {
        <Title text="Outbox · Roster"/>
        <Guard allow=AccessLevel::is_admin>
            <h1>"Outbox"</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match outbox.await {
                        Ok(outbox) => Either::Left(view! {
                            {(!outbox.sending).then(|| view! {
                                <p class="notice">
                                    "No mail server is configured (SMTP_URL), so messages wait here. Until one is, you can copy a waiting message's link and hand it to its recipient yourself."
                                </p>
                            })}
                            <MessageTable messages=outbox.messages/>
                        }),
                        Err(error) => Either::Right(view! { <p role="alert" class="error">{error.to_string()}</p> }),
                    }
                })}
            </Suspense>
        </Guard>
    }
}

#[component]
fn MessageTable(messages: Vec<Message>) -> impl IntoView {
    if messages.is_empty() {
        return Either::Left(view! { <p class="muted">"No messages yet. An import with Notify If New TRUE sends new users an invitation."</p> });
    }
    Either::Right(view! {
        <DataTable caption="Invitations and password links, newest first" headings=&["Written", "To", "Subject", "Status", "Message"]>
                    {messages.into_iter().map(|m| {
                        let status = match (m.status.as_str(), &m.last_error) {
                            ("sent", _) => format!("sent {}", m.sent_at.map(when).unwrap_or_default()),
                            (status, Some(error)) => format!("{status} after {} attempts: {error}", m.attempts),
                            (status, None) => status.to_string(),
                        };
                        view! {
                            <tr>
                                <td>{when(m.created_at)}</td>
                                <td>{m.recipient}</td>
                                <td>{m.subject}</td>
                                <td>{status}</td>
                                <td>
                                    <details>
                                        <summary>"Show"</summary>
                                        <pre class="message">{m.body}</pre>
                                    </details>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
        </DataTable>
    })
}
