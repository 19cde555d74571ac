//! Unknown headings, each mapped right in the page to a column or to
//! Ignore, and remembered for the next file with the same headings.

use super::browser;
use crate::import::columns::{column_name, suggest_name, Column};
use crate::import::tenant_columns::TenantColumn;
use crate::sheet::Edits;
use leptos::prelude::*;

const IGNORE: &str = "\u{0}ignore";

/// The storage key for a file's headings.
fn key(headings: &[String]) -> String {
    format!("roster.headings.{}", headings.join("\t"))
}

/// Applies the mapping chosen for a file with these headings before.
pub fn recall(edits: &mut Edits, headings: &[String]) {
    let Some(saved) = browser::recall(&key(headings)) else { return };
    let choices: Vec<&str> = saved.split('\t').collect();
    if choices.len() != headings.len() {
        return;
    }
    for (at, choice) in choices.into_iter().enumerate() {
        match choice {
            "" => {}
            IGNORE => edits.headings[at] = None,
            name => edits.headings[at] = Some(name.to_string()),
        }
    }
}

fn save(edits: &Edits, headings: &[String]) {
    let choices: Vec<&str> = headings
        .iter()
        .zip(&edits.headings)
        .map(|(original, now)| match now {
            None => IGNORE,
            Some(name) if name == original => "",
            Some(name) => name.as_str(),
        })
        .collect();
    browser::remember(&key(headings), &choices.join("\t"));
}

/// One line per heading that is not a column, Roster's or the tenant's
/// `own`, with its choice.
#[component]
pub fn Headings(headings: Vec<String>, own: Vec<TenantColumn>, edits: RwSignal<Edits>) -> impl IntoView {
    let unknown: Vec<(usize, String)> = headings
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.trim().is_empty() && column_name(h, &own).is_none())
        .map(|(at, h)| (at, h.clone()))
        .collect();
    if unknown.is_empty() {
        return None;
    }
    let headings = StoredValue::new(headings);
    let names: Vec<String> = Column::ALL.iter().map(|c| c.name().to_string()).chain(own.iter().map(|c| c.name.clone())).collect();
    let lines = unknown
        .into_iter()
        .map(|(at, heading)| {
            let suggestion = suggest_name(&heading, &own).to_string();
            let chosen = move || match edits.with(|e| e.headings.get(at).cloned()) {
                Some(None) => IGNORE.to_string(),
                Some(Some(name)) if name != headings.with_value(|h| h[at].clone()) => name,
                _ => String::new(),
            };
            let choose = move |ev: leptos::ev::Event| {
                let value = event_target_value(&ev);
                edits.update(|e| {
                    e.headings[at] = match value.as_str() {
                        "" => Some(headings.with_value(|h| h[at].clone())),
                        IGNORE => None,
                        name => Some(name.to_string()),
                    };
                    headings.with_value(|h| save(e, h));
                });
            };
            let others: Vec<String> = names.iter().filter(|name| **name != suggestion).cloned().collect();
            view! {
                <li>
                    <code>{heading.clone()}</code>
                    " is not a Roster column. "
                    <select aria-label=format!("Map {heading}") prop:value=chosen on:change=choose>
                        <option value="">"Leave unmapped"</option>
                        <option value=suggestion.clone()>{format!("{suggestion} (suggested)")}</option>
                        {others.into_iter().map(|name| { let value = name.clone(); view! { <option value=value>{name}</option> } }).collect_view()}
                        <option value=IGNORE>"Ignore"</option>
                    </select>
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <section class="card headings" aria-labelledby="headings-title">
            <h2 id="headings-title">"Headings to map"</h2>
            <p class="muted">"Choose what each heading means, or Ignore its column. Roster remembers this for files with the same headings."</p>
            <ul>{lines}</ul>
        </section>
    })
}
