//! The table that the history, groups and outbox pages share: a caption
//! for screen readers, column headings, and rows given by the page.

use leptos::prelude::*;

/// A table in its scrolling frame. `headings` name the columns; the
/// children are the body's rows.
#[component]
pub fn DataTable(
    #[prop(into)] caption: String,
    /// Said to screen readers only, where the page's heading says it already.
    #[prop(optional)]
    caption_hidden: bool,
    headings: &'static [&'static str],
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let headings = headings.iter().map(|heading| view! { <th scope="col">{*heading}</th> }).collect_view();
    view! {
        <div class="table-wrap">
            <table class=class>
                <caption class=caption_hidden.then_some("visually-hidden")>{caption}</caption>
                <thead><tr>{headings}</tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
