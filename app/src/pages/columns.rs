//! `/columns`: the organisation's own columns (licences, a default context,
//! flags, employee numbers), listed with their rules, and a form to add one.

use super::frame::{ErrorMessage, Guard, Loading};
use super::table::DataTable;
use crate::api::columns::{create_column, list_columns};
use crate::domain::access::AccessLevel;
use crate::import::tenant_columns::{TenantColumn, ValueKind, DEFAULT_MAX_LENGTH};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

#[component]
pub fn ColumnsPage() -> impl IntoView {
    let columns = Resource::new(|| (), |()| list_columns());
    let error = RwSignal::new(None::<String>);
    let reload = Callback::new(move |()| columns.refetch());
    view! {
        <Title text="Columns · Roster"/>
        <Guard allow=AccessLevel::is_admin>
            <h1>"Columns"</h1>
            <p class="muted">"Your organisation's own columns, besides Roster's: licences, a default context, flags, employee numbers."</p>
            <AddColumn error reload/>
            <ErrorMessage message=error/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match columns.await {
                        Ok(list) if list.is_empty() => EitherOf3::A(view! { <p class="muted">"No columns of your own yet."</p> }),
                        Ok(list) => EitherOf3::B(view! { <ColumnsTable list/> }),
                        Err(e) => EitherOf3::C(view! { <p class="error" role="alert">{e.to_string()}</p> }),
                    }
                })}
            </Suspense>
        </Guard>
    }
}

#[component]
fn ColumnsTable(list: Vec<TenantColumn>) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|column| {
            let mut rules = Vec::new();
            rules.extend(column.required.then(|| "required".to_string()));
            rules.extend(column.unique.then(|| "unique".to_string()));
            rules.extend(column.default.as_ref().map(|value| format!("default {value}")));
            rules.extend((column.kind == ValueKind::Text).then(|| format!("at most {} characters", column.max_length)));
            view! {
                <tr>
                    <td>{column.name}</td>
                    <td>{column.kind.as_str()}</td>
                    <td>{rules.join(", ")}</td>
                    <td>{column.choices.join(" | ")}</td>
                    <td>{column.aliases.join(", ")}</td>
                    <td>{column.description}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable caption="Your organisation's columns, in the order files show them" headings=&["Name", "Kind", "Rules", "Values", "Aliases", "Description"]>
            {rows}
        </DataTable>
    }
}

/// The form that adds a column; the server checks it and names any clash.
#[component]
fn AddColumn(error: RwSignal<Option<String>>, reload: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(ValueKind::Text);
    let choices = RwSignal::new(String::new());
    let required = RwSignal::new(false);
    let unique = RwSignal::new(false);
    let default = RwSignal::new(String::new());
    let max_length = RwSignal::new(DEFAULT_MAX_LENGTH.to_string());
    let aliases = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
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
        spawn_local(async move {
            match create_column(column).await {
                Ok(()) => {
                    error.set(None);
                    for field in [name, choices, default, aliases, description] {
                        field.set(String::new());
                    }
                    required.set(false);
                    unique.set(false);
                    max_length.set(DEFAULT_MAX_LENGTH.to_string());
                    reload.run(());
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
    view! {
        <form class="card" on:submit=submit aria-label="Add a column">
            {text_field("column-name", "Name", name)}
            <div class="field">
                <label for="column-kind">"Kind"</label>
                <select id="column-kind" on:change=move |ev| kind.set(ValueKind::parse(&event_target_value(&ev)).unwrap_or(ValueKind::Text))>
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
            <button type="submit" class="primary">"Add column"</button>
        </form>
    }
}
