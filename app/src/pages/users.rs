//! `/users`: the tenant's users, sorted by any column heading, filtered, and
//! paged on the server. The filter and sort live in the address, so a view
//! can be bookmarked and shared. Managers see the same list, read only.

use super::frame::{Guard, Loading};
use super::Session;
use crate::domain::access::AccessLevel;
use crate::import::plan::list;
use crate::users::{list_users, Cursor, Filter, ListQuery, Sort, UserPage};
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
        pairs.append_pair("sort", sort.param());
    }
    if descending {
        pairs.append_pair("desc", "1");
    }
    if let Some((side, cursor)) = start {
        pairs.append_pair(side, &cursor.key).append_pair(&format!("{side}_id"), &cursor.id.to_string());
    }
    format!("/users?{}", pairs.finish())
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| from_address(&params.read()));
    let page = Resource::new(move || query.get(), list_users);
    let session = expect_context::<Session>();
    view! {
        <Title text="Users · Roster"/>
        <Guard allow=AccessLevel::sees_directory>
            <h1>"Users"</h1>
            <FilterForm query/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let admin = matches!(session.0.await, Ok(Some(user)) if user.access.is_admin());
                    match page.await {
                        Ok(page) => Either::Left(view! { <UserTable page query=query.get_untracked() admin/> }),
                        Err(error) => Either::Right(view! { <p class="error" role="alert">{error.to_string()}</p> }),
                    }
                })}
            </Suspense>
        </Guard>
    }
}

#[component]
fn FilterForm(query: Memo<ListQuery>) -> impl IntoView {
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
            <input type="hidden" name="sort" prop:value=move || sort().param()/>
            <div class="field buttons">
                <button type="submit">"Filter"</button>
                <a href="/users">"Clear"</a>
            </div>
        </Form>
    }
}

#[component]
fn UserTable(page: UserPage, query: ListQuery, admin: bool) -> impl IntoView {
    let filter = query.filter.clone();
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
    ];
    let heading_cells = headings
        .into_iter()
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
                        <a href=address(&filter, sort, descending, None)>{name}{arrow}</a>
                    </th>
                }
                .into_any()
            }
            None => view! { <th scope="col">{name}</th> }.into_any(),
        })
        .collect_view();
    let rows = page
        .users
        .iter()
        .map(|listed| {
            let u = &listed.user;
            view! {
                <tr>
                    <td>{u.user_id.clone()}</td>
                    <td>{u.email.clone()}</td>
                    <td>{u.first_name.clone()}</td>
                    <td>{u.last_name.clone()}</td>
                    <td>{u.title.clone()}</td>
                    <td>{u.phone.clone()}</td>
                    <td>{u.access.as_str()}</td>
                    <td>{if u.active { "TRUE" } else { "FALSE" }}</td>
                    <td>{u.reports_to.clone()}</td>
                    <td>{list(&u.roles)}</td>
                    <td>{list(&u.groups)}</td>
                </tr>
            }
        })
        .collect_view();
    let at = |side: &'static str, cursor: &Option<Cursor>| {
        cursor.as_ref().map(|c| address(&query.filter, query.sort, query.descending, Some((side, c))))
    };
    let (next, previous) = (at("after", &page.next), at("before", &page.previous));
    let first = previous.is_some().then(|| address(&query.filter, query.sort, query.descending, None));
    let pairs = filter_pairs(&query.filter);
    let exports = admin.then(|| {
        view! {
            <a class="button" href=format!("/users/export.csv?{pairs}") download>"Export CSV"</a>
            <a class="button" href=format!("/users/export.xlsx?{pairs}") download>"Export XLSX"</a>
        }
    });
    let count = if page.total == 1 { "1 user matches".to_string() } else { format!("{} users match", page.total) };
    view! {
        <div class="toolbar list-bar">
            <p role="status">{count}</p>
            {exports}
        </div>
        <div class="table-wrap">
            <table class="users">
                <caption class="visually-hidden">"Users"</caption>
                <thead><tr>{heading_cells}</tr></thead>
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
