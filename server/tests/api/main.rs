//! API tests: each starts the real `roster` binary on its own database
//! (SQLite, and PostgreSQL when ROSTER_TEST_POSTGRES_URL names a server)
//! and talks to it over HTTP.

mod batches;
mod cli;
mod columns;
mod helpers;
mod import;
mod manage;
mod pages;
mod passwords;
mod setup;
mod sheets;
mod sign_in;
mod smtp;
mod undo;
mod upgrade;
mod users;
