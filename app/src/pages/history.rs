//! The import history pages: the list of batches and one batch's changes.

use super::frame::{Guard, Loading, NotFound};
use crate::domain::access::AccessLevel;
use crate::api::history::{get_batch, list_batches};
use crate::model::history::{when, BatchDetail, BatchRow, BATCHES_PAGE, CHANGES_PAGE};
use leptos::either::{Either, EitherOf3};
use super::table::DataTable;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The history, [`BATCHES_PAGE`] batches a page: `?before=ID` lists those older than batch ID.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let query = use_query_map();
    let before = move || query.read().get("before").and_then(|v| v.parse::<i64>().ok());
    let batches = Resource::new(before, list_batches);
    view! {
        <Title text="History · Roster"/>
        <Guard allow=AccessLevel::is_admin>
            <h1>"Import history"</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match batches.await {
                        Ok(list) if list.is_empty() => EitherOf3::A(view! { <p class="muted">"No imports yet."</p> }),
                        Ok(list) => EitherOf3::B(view! { <BatchTable list/> }),
                        Err(error) => EitherOf3::C(view! { <p role="alert" class="error">{error.to_string()}</p> }),
                    }
                })}
            </Suspense>
        </Guard>
    }
}

#[component]
fn BatchTable(list: Vec<BatchRow>) -> impl IntoView {
    let older = (list.len() == BATCHES_PAGE).then(|| list.last().map(|b| format!("/history?before={}", b.id))).flatten();
    view! {
        <DataTable caption="Every import, newest first" headings=&["When", "By", "File", "Added", "Updated", "Deleted", "Unchanged", "Roles added"]>
                    {list
                        .into_iter()
                        .map(|b| {
                            view! {
                                <tr>
                                    <td><a href=format!("/history/{}", b.id)>{when(b.at)}</a></td>
                                    <td>{b.actor}</td>
                                    <td>{b.file_name}</td>
                                    <td>{b.added}</td>
                                    <td>{b.updated}</td>
                                    <td>{b.deleted}</td>
                                    <td>{b.unchanged}</td>
                                    <td>{b.roles_added}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
        </DataTable>
        <p class="pager">
            <a href="/history">"Newest imports"</a>
            {older.map(|href| view! { " · " <a href=href>"Older imports"</a> })}
        </p>
    }
}

#[component]
pub fn BatchPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or_default();
    let detail = Resource::new(id, |id| get_batch(id, None, None));
    view! {
        <Title text="Import · Roster"/>
        <Guard allow=AccessLevel::is_admin>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => Either::Left(view! { <BatchView detail/> }),
                        Err(_) => Either::Right(view! { <NotFound/> }),
                    }
                })}
            </Suspense>
        </Guard>
    }
}

/// One batch: its changes a page at a time, filtered by the server.
#[component]
fn BatchView(detail: BatchDetail) -> impl IntoView {
    let b = detail.batch;
    let id = b.id;
    let changes = RwSignal::new(detail.changes);
    let next = RwSignal::new(detail.next);
    let filter = RwSignal::new(String::new());
    // The first page for a filter, or the page after `after`; an answer for a
    // filter that has changed since is dropped.
    let load = move |wanted: String, after: Option<i64>| {
        spawn_local(async move {
            let Ok(page) = get_batch(id, Some(wanted.clone()), after).await else { return };
            if filter.get_untracked() != wanted {
                return;
            }
            match after {
                Some(_) => changes.update(|shown| shown.extend(page.changes)),
                None => changes.set(page.changes),
            }
            next.set(page.next);
        });
    };
    let summary = format!(
        "{} by {}: {} added, {} updated, {} deleted, {} unchanged, {} roles added.",
        when(b.at), b.actor, b.added, b.updated, b.deleted, b.unchanged, b.roles_added
    );
    view! {
        <p><a href="/history">"← All imports"</a></p>
        <h1>{format!("Import of {}", b.file_name)}</h1>
        <p>{summary}</p>
        <p class="muted">"SHA-256 of the file: " <code>{b.checksum}</code></p>
        <super::undo::Undo id=b.id/>
        <div class="toolbar">
            <div class="field">
                <label for="filter">"Filter by user or field"</label>
                <input id="filter" type="search" prop:value=filter on:input=move |ev| {
                    let wanted = event_target_value(&ev);
                    filter.set(wanted.clone());
                    load(wanted, None);
                }/>
            </div>
            <a class="button" href=format!("/history/{}/changes.csv", b.id) download>"Download changes (CSV)"</a>
        </div>
        <DataTable caption="Every change, field by field" headings=&["Row", "User", "Action", "Field", "Old value", "New value"]>
                    {move || {
                        changes
                            .get()
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <tr>
                                        <td>{c.row}</td>
                                        <td>{c.user}</td>
                                        <td>{c.action}</td>
                                        <td>{c.field}</td>
                                        <td>{c.old}</td>
                                        <td>{c.new}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
        </DataTable>
        {move || next.get().map(|after| view! {
            <p class="pager">
                <button type="button" on:click=move |_| load(filter.get_untracked(), Some(after))>
                    {format!("Show the next {CHANGES_PAGE} changes")}
                </button>
            </p>
        })}
    }
}
