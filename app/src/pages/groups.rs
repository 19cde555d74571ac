//! `/groups` and `/roles`: the names an import refers to, with their member
//! counts. Groups are created here before a file names them; roles appear
//! with the first file that names them. Both can be renamed and deleted (a
//! role only once nobody has it).

use super::frame::{ErrorMessage, Guard, Loading};
use crate::domain::access::AccessLevel;
use crate::error::AppError;
use crate::api::groups::{create_group, delete_name, list_names, rename_name};
use crate::model::groups::{Kind, Named};
use leptos::either::EitherOf3;
use super::table::DataTable;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

#[component]
pub fn GroupsPage() -> impl IntoView {
    view! { <NamesPage kind=Kind::Group title="Groups"/> }
}

#[component]
pub fn RolesPage() -> impl IntoView {
    view! { <NamesPage kind=Kind::Role title="Roles"/> }
}

#[component]
fn NamesPage(kind: Kind, title: &'static str) -> impl IntoView {
    let names = Resource::new(move || kind, list_names);
    let error = RwSignal::new(None::<String>);
    let reload = Callback::new(move |()| names.refetch());
    let about = match kind {
        Kind::Group => "A group must exist here before an import names it in the Groups column.",
        Kind::Role => "Roles are created by the first import that names them. A role can be deleted once nobody has it.",
    };
    view! {
        <Title text=format!("{title} · Roster")/>
        <Guard allow=AccessLevel::is_admin>
            <h1>{title}</h1>
            <p class="muted">{about}</p>
            {(kind == Kind::Group).then(|| view! { <CreateGroup error reload/> })}
            <ErrorMessage message=error/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match names.await {
                        Ok(list) if list.is_empty() => EitherOf3::A(view! { <p class="muted">{format!("No {} yet.", kind.noun())}</p> }),
                        Ok(list) => EitherOf3::B(view! { <NamesTable kind list error reload/> }),
                        Err(e) => EitherOf3::C(view! { <p class="error" role="alert">{e.to_string()}</p> }),
                    }
                })}
            </Suspense>
        </Guard>
    }
}

/// Runs a change, then shows its error or reloads the list.
fn change(error: RwSignal<Option<String>>, reload: Callback<()>, call: impl std::future::Future<Output = Result<(), AppError>> + 'static) {
    spawn_local(async move {
        match call.await {
            Ok(()) => {
                error.set(None);
                reload.run(());
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    });
}

#[component]
fn CreateGroup(error: RwSignal<Option<String>>, reload: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change(error, reload, create_group(name.get_untracked()));
        name.set(String::new());
    };
    view! {
        <form class="card toolbar" on:submit=submit aria-label="Create a group">
            <div class="field">
                <label for="new-group">"New group"</label>
                <input id="new-group" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="primary">"Create group"</button>
        </form>
    }
}

#[component]
fn NamesTable(kind: Kind, list: Vec<Named>, error: RwSignal<Option<String>>, reload: Callback<()>) -> impl IntoView {
    let rows = list.into_iter().map(|named| view! { <NameRow kind named error reload/> }).collect_view();
    view! {
        <DataTable caption=format!("{}s", kind.noun()) caption_hidden=true headings=&["Name", "Members", "Change"] class="names">
            {rows}
        </DataTable>
    }
}

#[component]
fn NameRow(kind: Kind, named: Named, error: RwSignal<Option<String>>, reload: Callback<()>) -> impl IntoView {
    let Named { id, name, members } = named;
    let renaming = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let new_name = RwSignal::new(name.clone());
    let members_href = format!("/users?{}={}", kind.filter_param(), form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>());
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change(error, reload, rename_name(kind, id, new_name.get_untracked()));
    };
    let in_use = kind == Kind::Role && members > 0;
    let consequence = match (kind, members) {
        (Kind::Group, 0) => "Nobody is in it.".to_string(),
        (Kind::Group, 1) => "Its 1 member leaves it.".to_string(),
        (Kind::Group, n) => format!("Its {n} members leave it."),
        (Kind::Role, _) => "Nobody has it.".to_string(),
    };
    let (label, noun) = (name.clone(), kind.noun());
    view! {
        <tr>
            <td>
                <Show when=move || renaming.get() fallback={ let name = name.clone(); move || name.clone() }>
                    <form class="inline" on:submit=rename aria-label=format!("Rename {noun} {label}")>
                        <label class="visually-hidden" for=format!("rename-{id}")>"New name"</label>
                        <input id=format!("rename-{id}") prop:value=new_name on:input=move |ev| new_name.set(event_target_value(&ev))/>
                        <button type="submit">"Save name"</button>
                        <button type="button" on:click=move |_| renaming.set(false)>"Cancel"</button>
                    </form>
                </Show>
            </td>
            <td><a href=members_href>{members}</a></td>
            <td class="buttons">
                <button type="button" on:click=move |_| renaming.set(true) aria-label=format!("Rename {noun} {}", name.clone())>"Rename"</button>
                <button type="button" class="danger" disabled=in_use title=in_use.then_some("Members still have this role")
                    on:click=move |_| confirming.set(true) aria-label=format!("Delete {noun} {}", name.clone())>"Delete"</button>
                <Show when=move || confirming.get()>
                    <span role="alert">{format!("Delete this {noun}? {consequence} ")}</span>
                    <button type="button" class="danger" on:click=move |_| change(error, reload, delete_name(kind, id))>"Confirm delete"</button>
                    <button type="button" on:click=move |_| confirming.set(false)>"Keep it"</button>
                </Show>
            </td>
        </tr>
    }
}
