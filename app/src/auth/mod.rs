//! The server side of signing in: sessions, password hashes, the sign-in
//! itself with its throttle, and the first-run setup.

pub mod password_hash;
pub mod session;
pub mod setup;
pub mod sign_in;
