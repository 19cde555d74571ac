//! One user: `/users/new` adds one, `/users/:id` shows one and lets an admin
//! edit, block, unlock, set the password or delete them. The form is one row
//! of the import format, so its checks and messages are an import's, and
//! every change is a batch of one in the history.

use super::frame::{Guard, Loading, NotFound};
use super::Session;
use crate::model::import::Outcome;
use crate::domain::access::AccessLevel;
use crate::error::AppError;
use crate::import::columns::Column;
use crate::import::write::names_cell;
use crate::import::write::export_row;
use crate::import::tenant_columns::{TenantColumn, ValueKind};
use crate::import::{DirectoryUser, Issue};
use crate::api::columns::list_columns;
use crate::api::user_edits::{delete_user, save_user, set_user_active, set_user_password, unlock_user, user_detail};
use crate::model::users::OneUser;
use crate::api::passwords::send_password_link;
use crate::model::passwords::Invitation;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The fields of the form, in the template's order. Action and Active are
/// buttons here, and the import-only columns belong to files.
fn fields() -> impl Iterator<Item = Column> {
    Column::ALL.into_iter().filter(|c| {
        !matches!(c, Column::Action | Column::Active | Column::NotifyIfNew | Column::Tenant | Column::CopyFrom | Column::CopyRoles | Column::CopyGroups)
    })
}

fn at(column: Column) -> usize {
    Column::ALL.iter().position(|c| *c == column).unwrap_or_default()
}

/// A new user's row: the import's defaults, spelt out, `own` being the tenant's columns.
fn blank_row(own: &[TenantColumn]) -> Vec<String> {
    let mut row: Vec<String> = vec![String::new(); Column::ALL.len()];
    row.extend(own.iter().map(|column| column.blank().to_string()));
    row[at(Column::AccessLevel)] = "User".into();
    row[at(Column::Active)] = "TRUE".into();
    row[at(Column::TaskNotification)] = "Email".into();
    // Kinder than a password to pass on: the new user sets their own.
    row[at(Column::NotifyIfNew)] = "TRUE".into();
    row
}

/// The result of a change: the server's message and the history entry, or
/// every problem it found (nothing changed then).
pub(super) type Changed = Option<Result<Outcome, AppError>>;

#[component]
pub(super) fn ChangeOutcome(outcome: RwSignal<Changed>) -> impl IntoView {
    move || match outcome.get()? {
        Ok(Outcome::Applied { batch_id, message, .. }) => Some(
            view! {
                <section class="card success" role="status">
                    <p>{message}</p>
                    <p><a href=format!("/history/{batch_id}")>"See this change in the history"</a></p>
                </section>
            }
            .into_any(),
        ),
        Ok(Outcome::Refused { errors }) => Some(
            view! {
                <section class="card error" role="alert">
                    <p>"Nothing was changed:"</p>
                    <ul>{errors.into_iter().take(50).map(|e| view! { <li>{e.message}</li> }).collect_view()}</ul>
                </section>
            }
            .into_any(),
        ),
        Err(error) => Some(view! { <section class="card error" role="alert"><p>{error.to_string()}</p></section> }.into_any()),
    }
}

#[component]
pub fn NewUserPage() -> impl IntoView {
    let outcome = RwSignal::new(None);
    let columns = Resource::new(|| (), |()| list_columns());
    view! {
        <Title text="Add a user · Roster"/>
        <Guard allow=AccessLevel::is_admin>
            <p><a href="/users">"← Users"</a></p>
            <h1>"Add a user"</h1>
            <ChangeOutcome outcome/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let own = columns.await.unwrap_or_default();
                    view! { <UserForm id=None row=blank_row(&own) own loaded=None outcome saved=Callback::new(|_| ())/> }
                })}
            </Suspense>
        </Guard>
    }
}

#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or_default();
    let detail = Resource::new(id, user_detail);
    let session = expect_context::<Session>();
    // Outside the Suspense, so that a message outlives the reload it causes.
    let outcome = RwSignal::new(None);
    let reload = Callback::new(move |()| detail.refetch());
    view! {
        <Title text="User · Roster"/>
        <Guard allow=AccessLevel::sees_directory>
            <p><a href="/users">"← Users"</a></p>
            <ChangeOutcome outcome/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let admin = matches!(session.0.await, Ok(Some(me)) if me.access.is_admin());
                    match detail.await {
                        Ok(detail) => Either::Left(view! { <UserView detail admin outcome reload/> }),
                        Err(_) => Either::Right(view! { <NotFound/> }),
                    }
                })}
            </Suspense>
        </Guard>
    }
}

#[component]
fn UserView(detail: OneUser, admin: bool, outcome: RwSignal<Changed>, reload: Callback<()>) -> impl IntoView {
    let u = &detail.user;
    let name = format!("{} {}", u.first_name, u.last_name).trim().to_string();
    let state = match (u.active, detail.locked) {
        (false, _) => "Blocked: cannot sign in",
        (true, true) => "Locked for a while after failed sign-ins",
        (true, false) => "Active",
    };
    let sign_in = match (u.network_account.is_empty(), u.has_password, detail.invitation) {
        (false, _, _) => "Signs in through the network".to_string(),
        (true, true, _) => "Has a password".to_string(),
        (true, false, Invitation::NotInvited) => "No password yet, and not invited".to_string(),
        (true, false, invitation) => format!("No password yet; invitation {}", invitation.label()),
    };
    let body = if admin {
        Either::Left(view! {
            <UserForm id=Some(detail.id) row=export_row(u) own=detail.columns.clone() loaded=Some(u.clone()) outcome saved=reload/>
            <Actions detail=detail.clone() outcome reload/>
        })
    } else {
        let row = export_row(u);
        let facts = fields()
            .filter(|c| *c != Column::Password)
            .map(|c| (c.name().to_string(), row[at(c)].clone()))
            .chain(detail.columns.iter().zip(&u.values).map(|(column, value)| (column.name.clone(), value.to_string())))
            .map(|(name, value)| view! { <dt>{name}</dt><dd>{value}</dd> })
            .collect_view();
        Either::Right(view! { <dl class="card facts">{facts}</dl> })
    };
    view! {
        <h1>{if name.is_empty() { u.user_id.to_string() } else { name }}</h1>
        <p class="muted" role="status"><span>{state}</span>" · "<span>{sign_in}</span></p>
        {body}
    }
}

/// The user's fields; saving sends them as one row of the import format,
/// with the user as `loaded`, so that the server can tell whether someone
/// changed them meanwhile.
#[component]
fn UserForm(id: Option<i64>, row: Vec<String>, own: Vec<TenantColumn>, loaded: Option<DirectoryUser>, outcome: RwSignal<Changed>, saved: Callback<()>) -> impl IntoView {
    let cells = RwSignal::new(row);
    let columns: Vec<String> = own.iter().map(|c| c.name.clone()).collect();
    let issues = RwSignal::new(Vec::<Issue>::new());
    let busy = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let (loaded, columns) = (loaded.clone(), columns.clone());
        spawn_local(async move {
            let result = save_user(id, cells.get_untracked(), loaded, columns).await;
            issues.set(match &result {
                Ok(Outcome::Refused { errors }) => errors.clone(),
                _ => Vec::new(),
            });
            if matches!(result, Ok(Outcome::Applied { .. })) {
                cells.update(|row| row[at(Column::Password)].clear());
                saved.run(());
            }
            outcome.set(Some(result));
            busy.set(false);
        });
    };
    let inputs = fields()
        // Only a new user can be sent an invitation.
        .chain(id.is_none().then_some(Column::NotifyIfNew))
        // Editing, the password has its own two fields below, and the User ID
        // is how the batch finds the user, so it stays.
        .filter(|c| id.is_none() || *c != Column::Password)
        .map(|column| view! { <Field column cells issues locked=id.is_some() && column == Column::UserId/> })
        .collect_view();
    let own_inputs = own.into_iter().enumerate().map(|(index, column)| view! { <OwnField column at=Column::ALL.len() + index cells issues/> }).collect_view();
    view! {
        <form class="card user-form" on:submit=save aria-label="User">
            <div class="fields">{inputs}{own_inputs}</div>
            <button type="submit" class="primary" disabled=move || busy.get()>{if id.is_some() { "Save changes" } else { "Add user" }}</button>
        </form>
    }
}

#[component]
fn Field(column: Column, cells: RwSignal<Vec<String>>, issues: RwSignal<Vec<Issue>>, locked: bool) -> impl IntoView {
    let i = at(column);
    let field_id = format!("field-{}", column.name().to_lowercase().replace(' ', "-"));
    let hint_id = format!("{field_id}-hint");
    let value = move || cells.with(|row| row[i].clone());
    let set = move |ev| cells.update(|row| row[i] = event_target_value(&ev));
    let problems = move || issues.with(|all| all.iter().filter(|e| e.column.as_deref() == Some(column.name())).map(|e| e.message.clone()).collect::<Vec<_>>());
    let input = match column.choices() {
        Some(choices) => {
            let options = choices.iter().map(|c| view! { <option value=*c>{*c}</option> }).collect_view();
            let blank = (column == Column::Locale).then(|| view! { <option value="">"The organisation's default"</option> });
            Either::Left(view! {
                <select id=field_id.clone() aria-describedby=hint_id.clone() prop:value=value on:change=set>{blank}{options}</select>
            })
        }
        None => {
            let kind = match column {
                Column::Password => "password",
                Column::Email => "email",
                Column::Phone | Column::Phone2 => "tel",
                _ => "text",
            };
            Either::Right(view! {
                <input id=field_id.clone() type=kind aria-describedby=hint_id.clone() readonly=locked
                    aria-invalid=move || if problems().is_empty() { "false" } else { "true" }
                    prop:value=value on:input=set/>
            })
        }
    };
    view! {
        <div class="field">
            <label for=field_id>{column.name()}</label>
            {input}
            <small id=hint_id class="muted">{column.rule()}</small>
            {move || problems().into_iter().map(|p| view! { <small class="error">{p}</small> }).collect_view()}
        </div>
    }
}

/// A field of one of the tenant's columns, of the column's kind, at place `at` of the row.
#[component]
fn OwnField(column: TenantColumn, at: usize, cells: RwSignal<Vec<String>>, issues: RwSignal<Vec<Issue>>) -> impl IntoView {
    let field_id = format!("own-field-{at}");
    let hint_id = format!("{field_id}-hint");
    let value = move || cells.with(|row| row.get(at).cloned().unwrap_or_default());
    let set = move |ev| cells.update(|row| if let Some(cell) = row.get_mut(at) { *cell = event_target_value(&ev) });
    let name = column.name.clone();
    let problems = move || issues.with(|all| all.iter().filter(|e| e.column.as_deref() == Some(name.as_str())).map(|e| e.message.clone()).collect::<Vec<_>>());
    let choices = match column.kind {
        ValueKind::Boolean => Some(vec!["TRUE".to_string(), "FALSE".to_string()]),
        ValueKind::Choice => Some(column.choices.clone()),
        ValueKind::Text | ValueKind::Date => None,
    };
    let input = match choices {
        Some(choices) => {
            let none = (column.kind == ValueKind::Choice && !column.required).then(|| view! { <option value="">"None"</option> });
            let options = choices.into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view();
            Either::Left(view! { <select id=field_id.clone() aria-describedby=hint_id.clone() prop:value=value on:change=set>{none}{options}</select> })
        }
        None => {
            let kind = if column.kind == ValueKind::Date { "date" } else { "text" };
            let most = (column.kind == ValueKind::Text).then_some(column.max_length);
            Either::Right(view! {
                <input id=field_id.clone() type=kind aria-describedby=hint_id.clone() maxlength=most required=column.required
                    aria-invalid={let problems = problems.clone(); move || if problems().is_empty() { "false" } else { "true" }}
                    prop:value=value on:input=set/>
            })
        }
    };
    let hint = if column.description.trim().is_empty() { column.kind.as_str().to_string() } else { column.description.clone() };
    view! {
        <div class="field">
            <label for=field_id>{column.name.clone()}</label>
            {input}
            <small id=hint_id class="muted">{hint}</small>
            {move || problems().into_iter().map(|p| view! { <small class="error">{p}</small> }).collect_view()}
        </div>
    }
}

/// Block, unlock, password and delete: each its own one-row batch.
#[component]
fn Actions(detail: OneUser, outcome: RwSignal<Changed>, reload: Callback<()>) -> impl IntoView {
    let id = detail.id;
    let busy = RwSignal::new(false);
    let run = move |change: std::pin::Pin<Box<dyn std::future::Future<Output = Result<Outcome, AppError>>>>, then_home: bool| {
        busy.set(true);
        spawn_local(async move {
            let result = change.await;
            let applied = matches!(result, Ok(Outcome::Applied { .. }));
            outcome.set(Some(result));
            busy.set(false);
            if applied && then_home {
                let _ = window().location().set_href("/users");
            } else if applied {
                reload.run(());
            }
        });
    };
    let (password, again) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let confirming = RwSignal::new(false);
    let active = detail.user.active;
    let user_id = detail.user.user_id.clone();
    let run_block = run;
    let run_password = run;
    let unlock = move |_| {
        busy.set(true);
        spawn_local(async move {
            if let Err(error) = unlock_user(id).await {
                outcome.set(Some(Err(error)));
            } else {
                outcome.set(None);
                reload.run(());
            }
            busy.set(false);
        });
    };
    let loses = {
        let u = &detail.user;
        let mut lines = Vec::new();
        if !u.roles.is_empty() {
            lines.push(format!("Their roles: {}", names_cell(&u.roles)));
        }
        if !u.groups.is_empty() {
            lines.push(format!("Their groups: {}", names_cell(&u.groups)));
        }
        if !detail.reports.is_empty() {
            lines.push(format!(
                "{} people report to them ({}): give them another manager first, or Roster refuses.",
                detail.reports.len(),
                detail.reports.iter().take(20).cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        lines
    };
    let link_sent = RwSignal::new(None::<Result<String, AppError>>);
    let can_link = detail.user.active && detail.user.network_account.is_empty();
    let link_label = if detail.user.has_password { "Send set-password link" } else { "Resend invitation" };
    let send_link = move |_| {
        busy.set(true);
        spawn_local(async move {
            link_sent.set(Some(send_password_link(id).await));
            busy.set(false);
        });
    };
    let me_note = detail.is_me.then(|| view! { <p class="muted">"This is you: another admin can block or delete you."</p> });
    let others = (!detail.is_me).then(|| {
        view! {
            <button type="button" disabled=move || busy.get()
                on:click=move |_| run_block(Box::pin(set_user_active(id, !active)), false)>
                {if active { "Block" } else { "Unblock" }}
            </button>
            <button type="button" class="danger" disabled=move || busy.get() on:click=move |_| confirming.set(true)>"Delete user…"</button>
            <Show when=move || confirming.get()>
                <section class="card confirm" role="alertdialog" aria-labelledby="confirm-delete">
                    <h3 id="confirm-delete">{format!("Delete {user_id}?")}</h3>
                    <p>"They can no longer sign in, and this is recorded in the history, where Undo can bring them back."</p>
                    <ul>{loses.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}</ul>
                    <button type="button" class="danger" disabled=move || busy.get()
                        on:click=move |_| run(Box::pin(delete_user(id)), true)>
                        {format!("Delete {user_id}")}
                    </button>
                    <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </section>
            </Show>
        }
    });
    view! {
        <section class="card account" aria-labelledby="actions-title">
            <h2 id="actions-title">"Account"</h2>
            {me_note}
            <div class="buttons">
                {others}
                {detail.locked.then(|| view! { <button type="button" disabled=move || busy.get() on:click=unlock>"Unlock sign-in"</button> })}
                {can_link.then(|| view! { <button type="button" disabled=move || busy.get() on:click=send_link>{link_label}</button> })}
            </div>
            <p role="status">{move || link_sent.get().and_then(Result::ok)}</p>
            <p class="error" role="alert">{move || link_sent.get().and_then(Result::err).map(|e| e.to_string())}</p>
            <form class="password-form" aria-label="Set password" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                run_password(Box::pin(set_user_password(id, password.get_untracked(), again.get_untracked())), false);
                password.set(String::new());
                again.set(String::new());
            }>
                <div class="field">
                    <label for="new-password">"New password"</label>
                    <input id="new-password" type="password" autocomplete="new-password" prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="new-password-again">"New password again"</label>
                    <input id="new-password-again" type="password" autocomplete="new-password" prop:value=again on:input=move |ev| again.set(event_target_value(&ev))/>
                </div>
                <button type="submit" disabled=move || busy.get()>"Set password"</button>
            </form>
        </section>
    }
}
