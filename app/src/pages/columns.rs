//! `/columns`: the organisation's own columns (licences, a default context,
//! flags, employee numbers), listed with their rules; a form to add one or
//! change one, a value of a list renamed in every user, and a column removed
//! once the admin confirms how many users hold a value.

use super::frame::{ErrorMessage, Guard, Loading};
use super::table::DataTable;
use crate::api::columns::{change_column, create_column, list_columns, remove_column, rename_choice};
use crate::domain::access::AccessLevel;
use crate::import::tenant_columns::{TenantColumn, ValueKind, DEFAULT_MAX_LENGTH};
use crate::model::columns::{Changed, Removal};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

/// What the page tells the admin after a change: a message, and where a
/// change was refused for users' values, the link to those users.
#[derive(Clone, Default)]
struct Notice {
    text: String,
    link: Option<String>,
}

#[component]
pub fn ColumnsPage() -> impl IntoView {
    let columns = Resource::new(|| (), |()| list_columns());
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<Notice>);
    let editing = RwSignal::new(None::<TenantColumn>);
    let reload = Callback::new(move |()| columns.refetch());
    view! {
        <Title text="Columns · Roster"/>
        <Guard allow=AccessLevel::is_admin>
            <h1>"Columns"</h1>
            <p class="muted">"Your organisation's own columns, besides Roster's: licences, a default context, flags, employee numbers."</p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match columns.await {
                        Ok(list) if list.is_empty() => EitherOf3::A(view! { <p class="muted">"No columns of your own yet."</p> }),
                        Ok(list) => EitherOf3::B(view! { <ColumnsTable list error notice editing reload/> }),
                        Err(e) => EitherOf3::C(view! { <p class="error" role="alert">{e.to_string()}</p> }),
                    }
                })}
            </Suspense>
            <ErrorMessage message=error/>
            {move || notice.get().map(|Notice { text, link }| view! {
                <p class="card" role="status">{text}" "{link.map(|href| view! { <a href=href>"See these users"</a> })}</p>
            })}
            {move || {
                // A new form for each column edited, and for adding, so that its fields start from it.
                let column = editing.get();
                view! { <ColumnForm column error notice editing reload/> }
            }}
        </Guard>
    }
}

#[component]
fn ColumnsTable(
    list: Vec<TenantColumn>,
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<Notice>>,
    editing: RwSignal<Option<TenantColumn>>,
    reload: Callback<()>,
) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|column| {
            let mut rules = Vec::new();
            rules.extend(column.required.then(|| "required".to_string()));
            rules.extend(column.unique.then(|| "unique".to_string()));
            rules.extend(column.default.as_ref().map(|value| format!("default {value}")));
            rules.extend((column.kind == ValueKind::Text).then(|| format!("at most {} characters", column.max_length)));
            let edited = column.clone();
            let name = column.name.clone();
            view! {
                <tr>
                    <td>{column.name.clone()}</td>
                    <td>{column.kind.as_str()}</td>
                    <td>{rules.join(", ")}</td>
                    <td>{column.choices.join(" | ")}</td>
                    <td>{column.aliases.join(", ")}</td>
                    <td>{column.description.clone()}</td>
                    <td class="buttons">
                        <button type="button" aria-label=format!("Edit {name}") on:click=move |_| editing.set(Some(edited.clone()))>"Edit"</button>
                        <RemoveColumn name=name.clone() error notice reload/>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable caption="Your organisation's columns, in the order files show them" headings=&["Name", "Kind", "Rules", "Values", "Aliases", "Description", "Change"]>
            {rows}
        </DataTable>
    }
}

/// Removes a column; where users hold values, asks first with their number.
#[component]
fn RemoveColumn(name: String, error: RwSignal<Option<String>>, notice: RwSignal<Option<Notice>>, reload: Callback<()>) -> impl IntoView {
    let asking = RwSignal::new(None::<usize>);
    let name = StoredValue::new(name);
    let remove = move |holders: Option<usize>| {
        spawn_local(async move {
            match remove_column(name.get_value(), holders).await {
                Ok(Removal::Removed) => {
                    asking.set(None);
                    error.set(None);
                    notice.set(Some(Notice { text: format!("{} was removed; the history has the values it held.", name.get_value()), link: None }));
                    reload.run(());
                }
                Ok(Removal::Confirm { holders }) => asking.set(Some(holders)),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <button type="button" class="danger" aria-label=format!("Remove {}", name.get_value()) on:click=move |_| remove(None)>"Remove"</button>
        {move || asking.get().map(|holders| view! {
            <section class="card confirm" role="alertdialog" aria-labelledby="confirm-remove">
                <h3 id="confirm-remove">{format!("Remove {}?", name.get_value())}</h3>
                <p>{format!("{} a value in it. Their values go with the column; the history keeps what they were.", if holders == 1 { "1 user holds".to_string() } else { format!("{holders} users hold") })}</p>
                <button type="button" class="danger" on:click=move |_| remove(Some(holders))>{format!("Remove {} and its values", name.get_value())}</button>
                <button type="button" on:click=move |_| asking.set(None)>"Cancel"</button>
            </section>
        })}
    }
}

/// The form that adds a column, or changes `column`; the server checks it,
/// names any clash, and refuses a change that users' values would break.
#[component]
fn ColumnForm(
    column: Option<TenantColumn>,
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<Notice>>,
    editing: RwSignal<Option<TenantColumn>>,
    reload: Callback<()>,
) -> impl IntoView {
    let was = column.clone();
    let start = column.clone().unwrap_or_else(|| TenantColumn::new("", ValueKind::Text));
    let name = RwSignal::new(start.name.clone());
    let kind = RwSignal::new(start.kind);
    let choices = RwSignal::new(start.choices.join("|"));
    let required = RwSignal::new(start.required);
    let unique = RwSignal::new(start.unique);
    let default = RwSignal::new(start.default.clone().unwrap_or_default());
    let max_length = RwSignal::new(start.max_length.to_string());
    let aliases = RwSignal::new(start.aliases.join(", "));
    let description = RwSignal::new(start.description.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let list = |text: String, separator: char| text.split(separator).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
        let column = TenantColumn {
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            required: required.get_untracked(),
            unique: unique.get_untracked(),
            default: Some(default.get_untracked()).filter(|value| !value.trim().is_empty()),
            max_length: if kind.get_untracked() == ValueKind::Text { max_length.get_untracked().trim().parse().unwrap_or(0) } else { DEFAULT_MAX_LENGTH },
            choices: if kind.get_untracked() == ValueKind::Choice { list(choices.get_untracked(), '|') } else { Vec::new() },
            aliases: list(aliases.get_untracked(), ','),
            description: description.get_untracked().trim().to_string(),
        };
        let was = was.clone();
        spawn_local(async move {
            let result = match was {
                None => create_column(column).await.map(|()| Changed::Saved),
                Some(was) => change_column(was.name, column).await,
            };
            match result {
                Ok(Changed::Saved) => {
                    error.set(None);
                    notice.set(None);
                    // A fresh form: for adding the next column.
                    editing.set(None);
                    reload.run(());
                }
                Ok(Changed::InTheWay { message, link, .. }) => {
                    error.set(None);
                    notice.set(Some(Notice { text: message, link: Some(link) }));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let text_field = |id: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id prop:value=value on:input=move |ev| value.set(event_target_value(&ev))/>
            </div>
        }
    };
    let (form_name, button) = match &column {
        None => ("Add a column".to_string(), "Add column"),
        Some(column) => (format!("Change {}", column.name), "Save changes"),
    };
    let rename = column.filter(|c| c.kind == ValueKind::Choice).map(|c| view! { <RenameChoice column=c error notice reload/> });
    let label = form_name.clone();
    view! {
        <form class="card" on:submit=submit aria-label=label>
            <h2>{form_name}</h2>
            {text_field("column-name", "Name", name)}
            <div class="field">
                <label for="column-kind">"Kind"</label>
                <select id="column-kind" prop:value=move || kind.get().as_str() on:change=move |ev| kind.set(ValueKind::parse(&event_target_value(&ev)).unwrap_or(ValueKind::Text))>
                    {ValueKind::ALL.map(|k| view! { <option value=k.as_str()>{k.as_str()}</option> }).collect_view()}
                </select>
            </div>
            <Show when=move || kind.get() == ValueKind::Choice>
                {text_field("column-values", "Values (separated by |)", choices)}
            </Show>
            <Show when=move || kind.get() == ValueKind::Text>
                <div class="field">
                    <label for="column-max">"Maximum length"</label>
                    <input id="column-max" type="number" min="1" max="1000" prop:value=max_length on:input=move |ev| max_length.set(event_target_value(&ev))/>
                </div>
            </Show>
            {text_field("column-default", "Default", default)}
            {text_field("column-aliases", "Aliases (separated by commas)", aliases)}
            {text_field("column-description", "Description", description)}
            <label class="check"><input type="checkbox" prop:checked=required on:change=move |ev| required.set(event_target_checked(&ev))/>" Required"</label>
            <label class="check"><input type="checkbox" prop:checked=unique on:change=move |ev| unique.set(event_target_checked(&ev))/>" Unique"</label>
            <button type="submit" class="primary">{button}</button>
            {editing.get_untracked().is_some().then(|| view! { <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button> })}
        </form>
        {rename}
    }
}

/// Renames a value of a choice column, in the column and in every user who holds it.
#[component]
fn RenameChoice(column: TenantColumn, error: RwSignal<Option<String>>, notice: RwSignal<Option<Notice>>, reload: Callback<()>) -> impl IntoView {
    let old = RwSignal::new(column.choices.first().cloned().unwrap_or_default());
    let new = RwSignal::new(String::new());
    let name = column.name.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (name, old_value, new_value) = (name.clone(), old.get_untracked(), new.get_untracked());
        spawn_local(async move {
            match rename_choice(name.clone(), old_value.clone(), new_value.clone()).await {
                Ok(count) => {
                    error.set(None);
                    let users = if count == 1 { "1 user".to_string() } else { format!("{count} users") };
                    notice.set(Some(Notice { text: format!("{old_value} is now {} in {name} and for {users}.", new_value.trim()), link: None }));
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let options = column.choices.iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view();
    view! {
        <form class="card" on:submit=submit aria-label=format!("Rename a value of {}", column.name)>
            <div class="field">
                <label for="rename-old">"Value"</label>
                <select id="rename-old" prop:value=old on:change=move |ev| old.set(event_target_value(&ev))>{options}</select>
            </div>
            <div class="field">
                <label for="rename-new">"New name"</label>
                <input id="rename-new" prop:value=new on:input=move |ev| new.set(event_target_value(&ev))/>
            </div>
            <button type="submit">"Rename value"</button>
        </form>
    }
}
