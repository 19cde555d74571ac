//! The server side of password links: the letters that carry them, and
//! what using, renewing and sending a link does.

pub mod letters;
pub mod links;
