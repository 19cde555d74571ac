//! The rules of Roster's data, free of Leptos, the browser and the database,
//! so that the same code runs natively on the server and as WASM in the page.

pub mod access;
pub mod email;
pub mod names;
pub mod password;
