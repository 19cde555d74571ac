//! What the pages and the server share: the types that cross the network,
//! and the pure rules around them. No server code, no SQL, no views.

pub mod columns;
pub mod groups;
pub mod history;
pub mod import;
pub mod passwords;
pub mod session;
pub mod throttle;
pub mod undo;
pub mod users;
