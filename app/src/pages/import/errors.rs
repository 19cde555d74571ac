//! The problems of a checked file: a virtualised table (only the rows in
//! view are in the page, so 100,000 problems scroll smoothly), filters by
//! column and by problem with counts, and fixes made right in the table.

use super::Checked;
use crate::import::columns::{column_name, Column};
use crate::import::tenant_columns::TenantColumn;
use crate::import::{Code, Issue};
use leptos::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Must match `.problems tbody tr` in the style sheet.
const ROW_PX: f64 = 48.0;
const SHOWN: usize = 14;

/// Where a fix goes: the row number and the column's position in the file.
pub type Cell = (u32, usize);

#[component]
pub fn Problems(
    checked: Checked,
    /// Where each column is in the file as read, by its name, for fixes.
    positions: Arc<Vec<(String, usize)>>,
    /// The tenant's columns the file was checked with.
    own: Vec<TenantColumn>,
    on_fix: Callback<(Cell, String)>,
    on_remove: Callback<u32>,
) -> impl IntoView {
    let plan = checked.plan.clone();
    let column_filter = RwSignal::new(String::new());
    let code_filter = RwSignal::new(String::new());
    let scroll = RwSignal::new(0.0_f64);

    let counts = |key: fn(&Issue) -> &str| {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        plan.errors.iter().for_each(|issue| *counts.entry(key(issue)).or_default() += 1);
        counts.into_iter().map(|(name, n)| (name.to_string(), n)).collect::<Vec<_>>()
    };
    let by_column = counts(|i| i.column.as_deref().unwrap_or_default());
    let by_code = counts(|i| i.code.as_str());
    let shown = {
        let plan = plan.clone();
        Memo::new(move |_| {
            let (column, code) = (column_filter.get(), code_filter.get());
            let keep = |i: &Issue| {
                (column.is_empty() || i.column.as_deref().unwrap_or_default() == column)
                    && (code.is_empty() || i.code.as_str() == code)
            };
            plan.errors.iter().enumerate().filter(|(_, i)| keep(i)).map(|(at, _)| at).collect::<Vec<_>>()
        })
    };
    Effect::new(move |_| {
        // A new filter starts at the top.
        shown.track();
        scroll.set(0.0);
    });

    let sheet = checked.sheet.clone();
    let render_row = move |issue: &Issue| {
        let column = issue.column.as_deref();
        let row = issue.row.filter(|r| *r > 1);
        // The checked sheet's columns, and the file's as read (which the fixes edit).
        let checked_at = column.and_then(|name| sheet.headings.iter().position(|h| column_name(h, &own) == Some(name)));
        let value = match (row.and_then(|r| sheet.row(r)), checked_at) {
            (Some(r), Some(at)) => r.cell(at).to_string(),
            _ => String::new(),
        };
        let fix_at = row.zip(column.and_then(|name| positions.iter().find(|(p, _)| p == name).map(|(_, at)| *at)));
        let secret = column == Some(Column::Password.name());
        let place = issue.column.clone().unwrap_or_default();
        let value_cell = match fix_at {
            Some((number, at)) => {
                let label = format!("Row {number}, {place}");
                view! {
                    <input
                        type=if secret { "password" } else { "text" }
                        aria-label=label
                        value=value
                        on:change=move |ev| on_fix.run(((number, at), event_target_value(&ev)))
                    />
                }
                .into_any()
            }
            None if secret => view! { <span>"••••••"</span> }.into_any(),
            None => view! { <span>{value}</span> }.into_any(),
        };
        let remove = row.map(|number| {
            view! {
                <button type="button" class="link" aria-label=format!("Delete row {number}") on:click=move |_| on_remove.run(number)>
                    "Delete row"
                </button>
            }
        });
        view! {
            <tr>
                <td>{issue.row.map_or_else(|| "File".to_string(), |r| r.to_string())}</td>
                <td>{place}</td>
                <td class="value">{value_cell}</td>
                <td class="problem"><div title=issue.message.clone()>{issue.message.clone()}</div></td>
                <td>{remove}</td>
            </tr>
        }
    };
    let body = move || {
        let list = shown.get();
        let first = ((scroll.get() / ROW_PX) as usize).saturating_sub(2).min(list.len());
        let last = (first + SHOWN + 4).min(list.len());
        let above = first as f64 * ROW_PX;
        let below = (list.len() - last) as f64 * ROW_PX;
        view! {
            <tr aria-hidden="true" class="spacer" style=format!("height:{above}px")></tr>
            {list[first..last].iter().map(|at| render_row(&plan.errors[*at])).collect_view()}
            <tr aria-hidden="true" class="spacer" style=format!("height:{below}px")></tr>
        }
    };
    let total = checked.plan.errors.len();
    let empty_file = checked.plan.errors.iter().any(|i| i.code == Code::EmptyFile);
    view! {
        <section class="card problems" aria-labelledby="problems-title">
            <h2 id="problems-title">
                {if empty_file { "Users file is empty".to_string() } else { format!("{total} problems to fix before importing") }}
            </h2>
            <div class="filters">
                <label>
                    "Column "
                    <select prop:value=move || column_filter.get() on:change=move |ev| column_filter.set(event_target_value(&ev))>
                        <option value="">"All columns"</option>
                        {by_column.into_iter().map(|(name, n)| {
                            let shown = if name.is_empty() { "File".to_string() } else { name.clone() };
                            view! { <option value=name>{format!("{shown} ({n})")}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    "Problem "
                    <select prop:value=move || code_filter.get() on:change=move |ev| code_filter.set(event_target_value(&ev))>
                        <option value="">"All problems"</option>
                        {by_code.into_iter().map(|(code, n)| view! { <option value=code.clone()>{format!("{code} ({n})")}</option> }).collect_view()}
                    </select>
                </label>
                <span class="muted" role="status">{move || format!("{} shown", shown.with(Vec::len))}</span>
            </div>
            <div class="scroller" on:scroll=move |ev| scroll.set(event_target::<web_sys::HtmlElement>(&ev).scroll_top() as f64)>
                <table>
                    <thead>
                        <tr><th scope="col">"Row"</th><th scope="col">"Column"</th><th scope="col">"Value"</th><th scope="col">"Problem"</th><th scope="col"><span class="visually-hidden">"Fix"</span></th></tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </section>
    }
}
