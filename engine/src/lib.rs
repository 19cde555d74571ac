//! Roster's spreadsheet engine: read a file, map its headings, check every
//! row against the rules and the directory, plan the changes, and write
//! templates, exports and error logs. It knows nothing of Leptos, the
//! browser or the database, so the very same code checks a file in the page
//! (WASM) and again on the server before anything is written.

pub mod digest;
pub mod domain;
pub mod history;
pub mod import;
pub mod pace;
pub mod parallel;
pub mod sheet;
