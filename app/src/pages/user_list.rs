//! `/users`: the tenant's users, sorted by any column heading, filtered, and
//! paged on the server. The filter and sort live in the address, so a view
//! can be bookmarked and shared. Admins tick users (or take all that match)
//! to delete them, change their groups or roles, or export them; managers
//! see the same list, read only.

use super::frame::{Guard, Loading};
use super::user_page::{ChangeOutcome, Changed};
use super::Session;
use crate::model::import::Outcome;
use crate::domain::access::AccessLevel;
use crate::import::bulk::BulkAction;
use crate::import::write::names_cell;
use crate::api::user_edits::{bulk_apply, bulk_preview};
use crate::model::users::BulkPlan;
use crate::api::users::list_users;
use crate::import::tenant_columns::{TenantColumn, ValueKind};
use crate::model::users::{Cursor, Filter, ListQuery, Sort, UserPage};
use leptos::task::spawn_local;
use std::collections::BTreeSet;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

/// The list's state as the address holds it.
fn from_address(params: &ParamsMap) -> ListQuery {
    let text = |name: &str| params.get(name).unwrap_or_default();
    let cursor = |key: &str, id: &str| Some(Cursor { key: params.get(key)?, id: params.get(id)?.parse().ok()? });
    ListQuery {
        filter: Filter {
            q: text("q"),
            access: text("access"),
            active: text("active"),
            group: text("group"),
            role: text("role"),
            manager: text("manager"),
            ids: text("ids"),
            // The form sends one `own` a column; the list's own links join them in one.
            own: params.get_all("own").unwrap_or_default().into_iter().filter(|v| !v.is_empty()).collect::<Vec<_>>().join(&Filter::OWN_SEPARATOR.to_string()),
        },
        sort: Sort::parse(&text("sort")).unwrap_or_default(),
        descending: text("desc") == "1",
        after: cursor("after", "after_id"),
        before: cursor("before", "before_id"),
    }
}

/// The filter's part of an address, `q=…&access=…`, blanks left out.
pub fn filter_pairs(filter: &Filter) -> String {
    let mut pairs = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("q", &filter.q),
        ("access", &filter.access),
        ("active", &filter.active),
        ("group", &filter.group),
        ("role", &filter.role),
        ("manager", &filter.manager),
        ("ids", &filter.ids),
        ("own", &filter.own),
    ] {
        if !value.is_empty() {
            pairs.append_pair(name, value);
        }
    }
    pairs.finish()
}

/// The address of the list with this filter, sort and starting point.
fn address(filter: &Filter, sort: Sort, descending: bool, start: Option<(&str, &Cursor)>) -> String {
    let mut pairs = form_urlencoded::Serializer::new(filter_pairs(filter));
    if sort != Sort::default() {
        pairs.append_pair("sort", &sort.param());
    }
    if descending {
        pairs.append_pair("desc", "1");
    }
    if let Some((side, cursor)) = start {
        pairs.append_pair(side, &cursor.key).append_pair(&format!("{side}_id"), &cursor.id.to_string());
    }
    format!("/users?{}", pairs.finish())
}

/// The users an admin has chosen: ticked one by one, or all that match the filter.
#[derive(Clone, Copy)]
struct Selection {
    ticked: RwSignal<BTreeSet<i64>>,
    all_matching: RwSignal<bool>,
}

impl Selection {
    fn is_empty(&self) -> bool {
        !self.all_matching.get() && self.ticked.with(BTreeSet::is_empty)
    }

    /// The chosen users as a filter the server understands.
    fn filter(&self, current: &Filter) -> Filter {
        if self.all_matching.get() {
            current.clone()
        } else {
            let ids: Vec<String> = self.ticked.with(|t| t.iter().map(i64::to_string).collect());
            Filter { ids: ids.join(","), ..Filter::default() }
        }
    }

    fn clear(&self) {
        self.ticked.set(BTreeSet::new());
        self.all_matching.set(false);
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| from_address(&params.read()));
    let page = Resource::new(move || query.get(), list_users);
    let session = expect_context::<Session>();
    let selection = Selection { ticked: RwSignal::new(BTreeSet::new()), all_matching: RwSignal::new(false) };
    // A new filter is a new list: what was chosen from the old one is let
    // go. Paging and sorting keep it, so that ticks add up across pages.
    let filter = Memo::new(move |_| query.with(|q| q.filter.clone()));
    Effect::new(move |_| {
        filter.track();
        selection.clear();
    });
    let outcome = RwSignal::new(None);
    let reload = Callback::new(move |()| page.refetch());
    view! {
        <Title text="Users · Roster"/>
        <Guard allow=AccessLevel::sees_directory>
            <h1>"Users"</h1>
            <ChangeOutcome outcome/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let admin = matches!(session.0.await, Ok(Some(user)) if user.access.is_admin());
                    match page.await {
                        Ok(page) => Either::Left(view! {
                            <FilterForm query own=page.columns.clone()/>
                            <UserTable page query=query.get_untracked() admin selection outcome reload/>
                        }),
                        Err(error) => Either::Right(view! { <p class="error" role="alert">{error.to_string()}</p> }),
                    }
                })}
            </Suspense>
        </Guard>
    }
}

/// A drop-down list for each boolean or choice column of the tenant's `own`.
fn own_filters(query: Memo<ListQuery>, own: Vec<(i64, TenantColumn)>) -> impl IntoView {
    own.into_iter()
        .filter_map(|(id, column)| {
            let values: Vec<String> = match column.kind {
                ValueKind::Boolean => vec!["TRUE".into(), "FALSE".into()],
                ValueKind::Choice => column.choices.clone(),
                ValueKind::Text | ValueKind::Date => return None,
            };
            let chosen = move || query.with(|q| q.filter.own_values().iter().find(|(c, _)| *c == id).map(|(_, v)| format!("{id}:{v}")).unwrap_or_default());
            let field = format!("own-{id}");
            Some(view! {
                <div class="field">
                    <label for=field.clone()>{column.name.clone()}</label>
                    <select id=field name="own" prop:value=chosen>
                        <option value="">"Any"</option>
                        {values.into_iter().map(|value| view! { <option value=format!("{id}:{value}")>{value.clone()}</option> }).collect_view()}
                    </select>
                </div>
            })
        })
        .collect_view()
}

#[component]
fn FilterForm(query: Memo<ListQuery>, own: Vec<(i64, TenantColumn)>) -> impl IntoView {
    let f = move || query.get().filter;
    let sort = move || query.get().sort;
    view! {
        <Form method="GET" action="/users" attr:class="card filters-form" attr:aria-label="Filter users">
            <div class="field wide">
                <label for="q">"Search"</label>
                <input id="q" name="q" type="search" placeholder="Name, e-mail or user ID" prop:value=move || f().q/>
            </div>
            <div class="field">
                <label for="access">"Access level"</label>
                <select id="access" name="access" prop:value=move || f().access>
                    <option value="">"Any"</option>
                    <option value="Admin">"Admin"</option>
                    <option value="Manager">"Manager"</option>
                    <option value="User">"User"</option>
                </select>
            </div>
            <div class="field">
                <label for="active">"Active"</label>
                <select id="active" name="active" prop:value=move || f().active>
                    <option value="">"Any"</option>
                    <option value="TRUE">"Active"</option>
                    <option value="FALSE">"Blocked"</option>
                </select>
            </div>
            <div class="field">
                <label for="group">"Group"</label>
                <input id="group" name="group" prop:value=move || f().group/>
            </div>
            <div class="field">
                <label for="role">"Role"</label>
                <input id="role" name="role" prop:value=move || f().role/>
            </div>
            <div class="field">
                <label for="manager">"Reports to"</label>
                <input id="manager" name="manager" placeholder="User ID" prop:value=move || f().manager/>
            </div>
            {own_filters(query, own)}
            <input type="hidden" name="sort" prop:value=move || sort().param()/>
            <div class="field buttons">
                <button type="submit">"Filter"</button>
                <a href="/users">"Clear"</a>
            </div>
        </Form>
    }
}

#[component]
fn UserTable(page: UserPage, query: ListQuery, admin: bool, selection: Selection, outcome: RwSignal<Changed>, reload: Callback<()>) -> impl IntoView {
    let filter = query.filter.clone();
    let on_page: Vec<i64> = page.users.iter().map(|l| l.id).collect();
    let headings = [
        (Some(Sort::UserId), "User ID"),
        (Some(Sort::Email), "Email"),
        (Some(Sort::FirstName), "First Name"),
        (Some(Sort::LastName), "Last Name"),
        (Some(Sort::Title), "Title"),
        (None, "Phone"),
        (Some(Sort::AccessLevel), "Access Level"),
        (Some(Sort::Active), "Active"),
        (None, "Reports To"),
        (None, "Roles"),
        (None, "Groups"),
        (None, "Invitation"),
    ];
    let own = page.columns.iter().map(|(id, column)| (Some(Sort::Own(*id)), column.name.as_str()));
    let heading_cells = headings
        .into_iter()
        .chain(own)
        .map(|(sort, name)| match sort {
            Some(sort) => {
                let current = sort == query.sort;
                let descending = current && !query.descending;
                let state = match (current, query.descending) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                };
                let arrow = if !current { "" } else if query.descending { " ↓" } else { " ↑" };
                view! {
                    <th scope="col" aria-sort=state>
                        <a href=address(&filter, sort, descending, None)>{name.to_string()}{arrow}</a>
                    </th>
                }
                .into_any()
            }
            None => view! { <th scope="col">{name.to_string()}</th> }.into_any(),
        })
        .collect_view();
    let tick_all = admin.then(|| {
        let (listed, ids) = (on_page.clone(), on_page.clone());
        let all_ticked = move || selection.all_matching.get() || (!listed.is_empty() && selection.ticked.with(|t| listed.iter().all(|id| t.contains(id))));
        view! {
            <th scope="col">
                <input type="checkbox" aria-label="Select every user on this page" prop:checked=all_ticked
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selection.all_matching.set(false);
                        selection.ticked.update(|t| for id in &ids { if on { t.insert(*id); } else { t.remove(id); } });
                    }/>
            </th>
        }
    });
    let rows = page
        .users
        .iter()
        .map(|listed| {
            let u = &listed.user;
            let id = listed.id;
            let page_ids = on_page.clone();
            let tick = admin.then(|| view! {
                <td>
                    <input type="checkbox" aria-label=format!("Select {}", u.user_id)
                        prop:checked=move || selection.all_matching.get() || selection.ticked.with(|t| t.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            if selection.all_matching.get_untracked() && !on {
                                // Leaving one out of "all that match" turns the rest of this page into ticks.
                                selection.all_matching.set(false);
                                selection.ticked.update(|t| t.extend(page_ids.iter().copied()));
                            }
                            selection.ticked.update(|t| if on { t.insert(id); } else { t.remove(&id); });
                        }/>
                </td>
            });
            view! {
                <tr>
                    {tick}
                    <td><a href=format!("/users/{id}")>{u.user_id.to_string()}</a></td>
                    <td>{u.email.to_string()}</td>
                    <td>{u.first_name.to_string()}</td>
                    <td>{u.last_name.to_string()}</td>
                    <td>{u.title.to_string()}</td>
                    <td>{u.phone.to_string()}</td>
                    <td>{u.access.as_str()}</td>
                    <td>{if u.active { "TRUE" } else { "FALSE" }}</td>
                    <td>{u.reports_to.to_string()}</td>
                    <td>{names_cell(&u.roles)}</td>
                    <td>{names_cell(&u.groups)}</td>
                    <td>{listed.invitation.label()}</td>
                    {u.values.iter().map(|value| view! { <td>{value.to_string()}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    let at = |side: &'static str, cursor: &Option<Cursor>| {
        cursor.as_ref().map(|c| address(&query.filter, query.sort, query.descending, Some((side, c))))
    };
    let (next, previous) = (at("after", &page.next), at("before", &page.previous));
    let first = previous.is_some().then(|| address(&query.filter, query.sort, query.descending, None));
    let current = query.filter.clone();
    // The export holds the ticked users if any, else every user that matches.
    let pairs = move || filter_pairs(&if selection.is_empty() { current.clone() } else { selection.filter(&current) });
    let exports = admin.then(|| {
        let csv = pairs.clone();
        view! {
            <a class="button" href="/users/new">"Add user"</a>
            <a class="button" href=move || format!("/users/export.csv?{}", csv()) download>"Export CSV"</a>
            <a class="button" href=move || format!("/users/export.xlsx?{}", pairs()) download>"Export XLSX"</a>
        }
    });
    let bulk = admin.then(|| view! { <BulkBar filter=query.filter.clone() total=page.total shown=on_page.len() own=page.columns.clone() selection outcome reload/> });
    let count = if page.total == 1 { "1 user matches".to_string() } else { format!("{} users match", page.total) };
    view! {
        <div class="toolbar list-bar">
            <p role="status">{count}</p>
            {exports}
        </div>
        {bulk}
        <div class="table-wrap">
            <table class="users">
                <caption class="visually-hidden">"Users"</caption>
                <thead><tr>{tick_all}{heading_cells}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pages" aria-label="Pages">
            {first.map(|href| view! { <a href=href>"First page"</a> })}
            {previous.map(|href| view! { <a href=href rel="prev">"Previous"</a> })}
            {next.map(|href| view! { <a href=href rel="next">"Next"</a> })}
        </nav>
    }
}

/// What to do with the chosen users: review first, then confirm.
#[component]
fn BulkBar(
    filter: Filter,
    total: i64,
    shown: usize,
    /// The tenant's columns, each of which a Set action offers.
    own: Vec<(i64, TenantColumn)>,
    selection: Selection,
    outcome: RwSignal<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let action = RwSignal::new(BulkAction::Delete);
    let name = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<Result<BulkPlan, crate::error::AppError>>);
    let own = StoredValue::new(own.into_iter().map(|(_, column)| column).collect::<Vec<_>>());
    // The action's choice in the list: a Set action names its column.
    let choice = move || match action.get() {
        BulkAction::SetValue => format!("set:{}", name.get()),
        other => other.param().to_string(),
    };
    let choose = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        match chosen.strip_prefix("set:") {
            Some(column) => {
                action.set(BulkAction::SetValue);
                name.set(column.to_string());
                value.set(own.with_value(|own| own.iter().find(|c| c.name == column).map(|c| c.blank().to_string()).unwrap_or_default()));
            }
            None => {
                action.set(BulkAction::parse(&chosen).unwrap_or(BulkAction::Delete));
                name.set(String::new());
            }
        }
        preview.set(None);
    };
    let busy = RwSignal::new(false);
    let filter = StoredValue::new(filter);
    let chosen = move || selection.filter(&filter.get_value());
    let review = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            preview.set(Some(bulk_preview(chosen(), action.get_untracked(), name.get_untracked(), value.get_untracked()).await));
            busy.set(false);
        });
    };
    let confirm = move |version: i64, digest: String| {
        busy.set(true);
        spawn_local(async move {
            let result = bulk_apply(chosen(), action.get_untracked(), name.get_untracked(), value.get_untracked(), version, digest).await;
            if matches!(result, Ok(Outcome::Applied { .. })) {
                preview.set(None);
                selection.clear();
                reload.run(());
            }
            outcome.set(Some(result));
            busy.set(false);
        });
    };
    let count = move || {
        if selection.all_matching.get() {
            format!("All {total} users that match are selected.")
        } else {
            format!("{} selected.", selection.ticked.with(BTreeSet::len))
        }
    };
    let confirmation = move || {
        let shown = preview.get()?;
        Some(match shown {
            Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
            Ok(p) => {
                let (version, digest) = (p.version, p.digest.clone());
                let question = match action.get_untracked() {
                    BulkAction::Delete => format!("Delete {} users?", p.count),
                    BulkAction::SetValue => format!("Set {} to {} for {} users?", name.get_untracked(), value.get_untracked().trim(), p.count),
                    other => format!("{} {} users: {}?", other.label(), p.count, name.get_untracked().trim()),
                };
                let mut named = p.users.join(", ");
                if p.count > p.users.len() {
                    named += &format!(" and {} more", p.count - p.users.len());
                }
                let s = &p.summary;
                let effect = format!("{} will be deleted, {} updated, {} unchanged; {} new roles.", s.deleted, s.updated, s.unchanged, s.roles_added);
                let valid = p.problems.is_empty();
                let problems = (!valid).then(|| view! {
                    <div role="alert">
                        <p class="error">"This cannot be done as it stands; nothing has changed:"</p>
                        <ul>{p.problems.iter().take(50).map(|m| view! { <li>{m.clone()}</li> }).collect_view()}</ul>
                    </div>
                });
                view! {
                    <section class="card confirm" role="alertdialog" aria-labelledby="bulk-question">
                        <h2 id="bulk-question">{question}</h2>
                        <p>{named}</p>
                        <p>{effect}</p>
                        {problems}
                        <button type="button" class="primary" disabled=move || !valid || busy.get() on:click=move |_| confirm(version, digest.clone())>"Confirm"</button>
                        <button type="button" on:click=move |_| preview.set(None)>"Cancel"</button>
                    </section>
                }
                .into_any()
            }
        })
    };
    view! {
        <Show when=move || !selection.is_empty()>
            <form class="card toolbar bulk" aria-label="Change the selected users" on:submit=review>
                <p role="status">{count}</p>
                {(total as usize > shown).then(|| view! {
                    <button type="button" class="link" on:click=move |_| selection.all_matching.set(true)>
                        {format!("Select all {total} users that match")}
                    </button>
                })}
                <button type="button" class="link" on:click=move |_| { selection.clear(); preview.set(None); }>"Clear selection"</button>
                <div class="field">
                    <label for="bulk-action">"With the selected users"</label>
                    <select id="bulk-action" prop:value=choice on:change=choose>
                        {BulkAction::ALL.iter().filter(|a| **a != BulkAction::SetValue).map(|a| view! { <option value=a.param()>{a.label()}</option> }).collect_view()}
                        {own.get_value().into_iter().map(|c| view! { <option value=format!("set:{}", c.name)>{format!("Set {}", c.name)}</option> }).collect_view()}
                    </select>
                </div>
                <Show when=move || action.get() == BulkAction::SetValue>
                    {move || {
                        let column = own.with_value(|own| own.iter().find(|c| c.name == name.get()).cloned())?;
                        let choices = match column.kind {
                            ValueKind::Boolean => Some(vec!["TRUE".to_string(), "FALSE".to_string()]),
                            ValueKind::Choice => Some(std::iter::once(String::new()).chain(column.choices.clone()).collect()),
                            ValueKind::Text | ValueKind::Date => None,
                        };
                        let set = move |ev| value.set(event_target_value(&ev));
                        let input = match choices {
                            Some(choices) => Either::Left(view! {
                                <select id="bulk-value" prop:value=value on:change=set>
                                    {choices.into_iter().map(|c| view! { <option value=c.clone()>{if c.is_empty() { "None".to_string() } else { c.clone() }}</option> }).collect_view()}
                                </select>
                            }),
                            None => Either::Right(view! {
                                <input id="bulk-value" type=if column.kind == ValueKind::Date { "date" } else { "text" } prop:value=value on:input=set/>
                            }),
                        };
                        Some(view! {
                            <div class="field">
                                <label for="bulk-value">{format!("New {}", column.name)}</label>
                                {input}
                            </div>
                        })
                    }}
                </Show>
                <Show when=move || action.get().needs_name() && action.get() != BulkAction::SetValue>
                    <div class="field">
                        <label for="bulk-name">"Group or role"</label>
                        <input id="bulk-name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
                    </div>
                </Show>
                <button type="submit" disabled=move || busy.get()>"Review"</button>
            </form>
        </Show>
        {confirmation}
    }
}
