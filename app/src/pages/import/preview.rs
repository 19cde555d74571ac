//! What a valid file will do: the counts, who is added, updated (field by
//! field, old → new), deleted, the roles to add, and the warnings apart.

use crate::model::import::LISTED;
use crate::import::{DirectoryUser, Plan};
use leptos::prelude::*;
use std::sync::Arc;

/// `new_users` are the first of the users to add ([`crate::model::import::listed`]).
#[component]
pub fn Preview(plan: Arc<Plan>, new_users: Vec<DirectoryUser>) -> impl IntoView {
    let s = plan.summary();
    let name = |first: &str, last: &str| format!("{first} {last}").trim().to_string();
    let creates = new_users
        .iter()
        .map(|u| view! { <li>{format!("{} · {} · {}", u.user_id, u.email, name(&u.first_name, &u.last_name))}</li> })
        .collect_view();
    let updates = plan
        .updates
        .iter()
        .take(LISTED)
        .map(|u| {
            let changes = u
                .changes
                .iter()
                .map(|c| view! { <li>{format!("{}: {} → {}", c.field.name(), shown(&c.old), shown(&c.new))}</li> })
                .collect_view();
            view! { <li>{format!("{} (row {})", u.user.user_id, u.row)}<ul>{changes}</ul></li> }
        })
        .collect_view();
    let deletes = plan.deletes.iter().take(LISTED).map(|d| view! { <li>{format!("{} (row {})", d.user.user_id, d.row)}</li> }).collect_view();
    let roles = plan.new_roles.iter().take(LISTED).map(|r| view! { <li>{r.clone()}</li> }).collect_view();
    view! {
        <section class="card preview" aria-labelledby="preview-title">
            <h2 id="preview-title">"Preview"</h2>
            <dl class="counts">
                <div><dt>"To add"</dt><dd>{s.added}</dd></div>
                <div><dt>"To update"</dt><dd>{s.updated}</dd></div>
                <div><dt>"To delete"</dt><dd>{s.deleted}</dd></div>
                <div><dt>"Unchanged"</dt><dd>{s.unchanged}</dd></div>
                <div><dt>"Roles to add"</dt><dd>{s.roles_added}</dd></div>
                <div><dt>"Invitations to send"</dt><dd>{plan.invitations()}</dd></div>
            </dl>
            <Listed title="Users to add" count=s.added>{creates}</Listed>
            <Listed title="Users to update" count=s.updated>{updates}</Listed>
            <Listed title="Users to delete" count=s.deleted>{deletes}</Listed>
            <Listed title="Roles to add" count=s.roles_added>{roles}</Listed>
            <Warnings plan=plan.clone()/>
        </section>
    }
}

/// A list of at most [`LISTED`] entries under its count; short lists start open.
#[component]
fn Listed(title: &'static str, count: usize, children: Children) -> impl IntoView {
    view! {
        <details open=few(count)>
            <summary>{format!("{title} ({count})")}</summary>
            <ul>{children()}{(count > LISTED).then(|| view! { <li class="muted">{format!("and {} more", count - LISTED)}</li> })}</ul>
        </details>
    }
}

/// Short lists start open.
fn few(count: usize) -> bool {
    count > 0 && count <= 20
}

fn shown(value: &str) -> &str {
    if value.is_empty() { "(blank)" } else { value }
}

#[component]
fn Warnings(plan: Arc<Plan>) -> impl IntoView {
    (!plan.warnings.is_empty()).then(|| {
        let total = plan.warnings.len();
        let items = plan
            .warnings
            .iter()
            .take(LISTED)
            .map(|w| view! { <li>{format!("Row {}: {}", w.row.unwrap_or_default(), w.message)}</li> })
            .collect_view();
        view! { <Listed title="Warnings" count=total>{items}</Listed> }
    })
}
