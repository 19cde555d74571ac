//! Roster's application: the pages, the server functions behind them, and the
//! domain that both the browser and the server run.

#![recursion_limit = "256"]

pub mod auth;
pub mod batches;
pub mod domain;
pub mod error;
pub mod groups;
pub mod history;
pub mod import;
pub mod manage;
mod pages;
pub mod passwords;
pub mod pace;
mod parallel;
pub mod sheet;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
pub mod undo;
pub mod users;

pub use pages::{read_in_worker, shell, App};
