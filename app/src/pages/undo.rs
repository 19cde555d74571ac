//! `Undo this import` on a batch's page: a preview of the inverse batch,
//! the users changed since (the admin decides whether to overwrite them),
//! then the commit, recorded in the history like any import.

use super::import::{preview::Preview, ImportOutcome};
use crate::model::import::Outcome;
use crate::error::AppError;
use crate::api::undo::{undo_import, undo_preview};
use crate::model::undo::InversePreview;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;

#[component]
pub fn Undo(id: i64) -> impl IntoView {
    let overwrite = RwSignal::new(false);
    let shown = RwSignal::new(None::<Result<InversePreview, AppError>>);
    let outcome = RwSignal::new(None::<Result<Outcome, AppError>>);
    let busy = RwSignal::new(false);
    let load = move || {
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            shown.set(Some(undo_preview(id, overwrite.get_untracked()).await));
            busy.set(false);
        });
    };
    let check_again = Callback::new(move |()| load());
    let confirm = move |version: i64, digest: String| {
        busy.set(true);
        spawn_local(async move {
            let result = undo_import(id, overwrite.get_untracked(), version, digest).await;
            if matches!(result, Ok(Outcome::Applied { .. })) {
                shown.set(None);
            }
            outcome.set(Some(result));
            busy.set(false);
        });
    };
    let body = move || match shown.get() {
        None => view! {
            <p>"Undo takes this import back: users it created are deleted, users it deleted come back with their roles, groups and manager, and changed fields get their old values. You see what it will do before anything changes."</p>
            <button type="button" disabled=move || busy.get() on:click=move |_| load()>"Undo this import"</button>
        }
        .into_any(),
        Some(Err(error)) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
        Some(Ok(preview)) => {
            let plan = Arc::new(preview.plan);
            let s = plan.summary();
            let nothing = s.added + s.updated + s.deleted == 0;
            let valid = plan.is_valid() && !nothing;
            let (version, digest) = (plan.version, preview.digest);
            let overwritable = preview.conflicts.iter().filter(|c| c.undoable).count();
            let conflicts = (!preview.conflicts.is_empty()).then(|| {
                view! {
                    <h3>"Changed since this import"</h3>
                    <ul class="conflicts">
                        {preview.conflicts.iter().map(|c| view! { <li><strong>{c.user.clone()}</strong>" "{c.what.clone()}</li> }).collect_view()}
                    </ul>
                    {(overwritable > 0).then(|| view! {
                        <label class="check">
                            <input type="checkbox" prop:checked=move || overwrite.get() on:change=move |ev| { overwrite.set(event_target_checked(&ev)); load(); }/>
                            {format!(" Also undo the {overwritable} users changed since, overwriting the later changes")}
                        </label>
                    })}
                }
            });
            let passwords = (preview.passwords > 0).then(|| {
                view! { <p class="muted">{format!("{} passwords set by this import stay as they are.", preview.passwords)}</p> }
            });
            // Removed with the users' changes only: nothing is undone without them.
            let roles = (!nothing && !preview.removed_roles.is_empty()).then(|| {
                let names = preview.removed_roles.join(", ");
                view! { <p>{format!("Roles this import created, which no user holds after the undo, are removed: {names}.")}</p> }
            });
            let problems = (!plan.errors.is_empty()).then(|| {
                view! {
                    <div role="alert">
                        <p class="error">"This import cannot be undone as it stands:"</p>
                        <ul>{plan.errors.iter().take(50).map(|e| view! { <li>{e.message.clone()}</li> }).collect_view()}</ul>
                    </div>
                }
            });
            view! {
                {conflicts}
                {passwords}
                {roles}
                {problems}
                {nothing.then(|| view! { <p>"There is nothing left to undo."</p> })}
                <Preview plan=plan.clone() new_users=preview.new_users/>
                <button type="button" class="primary" disabled=move || !valid || busy.get() on:click=move |_| confirm(version, digest.clone())>
                    "Confirm undo"
                </button>
            }
            .into_any()
        }
    };
    view! {
        <section class="card undo" aria-labelledby="undo-title">
            <h2 id="undo-title">"Undo"</h2>
            {body}
            {move || busy.get().then(|| view! { <p class="muted" role="status">"Loading…"</p> })}
            <ImportOutcome outcome check_again/>
        </section>
    }
}
