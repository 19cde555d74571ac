//! Roster's application: the pages, the server functions behind them, and
//! on the server the use cases and queries they run. The spreadsheet engine
//! is a crate of its own (`engine`); its modules are re-exported here so that
//! paths stay short.
//!
//! Layers point down only: `pages` → `api` → (`auth`, `passwords`,
//! `commit`, `columns`, `state`) → `store` → `model` → `engine`. See docs/ARCHITECTURE.md.

#![recursion_limit = "256"]

pub use engine::{digest, domain, history, import, pace, sheet};

pub mod api;
pub mod error;
pub mod model;
mod pages;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod columns;
#[cfg(feature = "ssr")]
pub mod commit;
#[cfg(feature = "ssr")]
pub mod passwords;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;

pub use pages::{read_in_worker, shell, App};
