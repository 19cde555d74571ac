//! Getting in without a password from the admin: invitations for new users,
//! links for forgotten passwords, changing one's own password, and the
//! outbox that carries the links.

#[cfg(feature = "ssr")]
pub mod letters;
#[cfg(feature = "ssr")]
mod server;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkKind {
    /// For a new user: expires after 72 hours.
    Invitation,
    /// For a forgotten password: expires after an hour.
    Reset,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Reset => "reset",
        }
    }

    pub fn parse(value: &str) -> Self {
        if value == "invitation" { Self::Invitation } else { Self::Reset }
    }

    pub fn lifetime_secs(self) -> i64 {
        match self {
            Self::Invitation => 72 * 60 * 60,
            Self::Reset => 60 * 60,
        }
    }
}

/// Where a user's invitation stands, as the users pages show it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Invitation {
    #[default]
    NotInvited,
    Invited,
    Accepted,
    Expired,
}

impl Invitation {
    pub fn label(self) -> &'static str {
        match self {
            Self::NotInvited => "not invited",
            Self::Invited => "invited",
            Self::Accepted => "accepted",
            Self::Expired => "expired",
        }
    }
}

/// What a password link is good for, as its page needs to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    Open { kind: LinkKind, user_id: String, tenant: String, min_length: usize },
    Expired,
    Used,
    /// The account is blocked or signs in through the network.
    Closed,
    Unknown,
}

/// A message in the outbox, as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    /// The text with its link, while it waits; once sent, without.
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

/// The outbox of the admin's tenant, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    pub messages: Vec<Message>,
    /// False when no mail server is configured: messages wait here.
    pub sending: bool,
}

/// Said whether or not the address has an account, so that the answer
/// tells nobody which addresses do.
pub const LINK_ON_ITS_WAY: &str =
    "If an account with that address can sign in with a password, a link to set a new one is on its way. It works once, within an hour.";

/// What the link behind `/password/:token` is good for; needs no session.
#[server(endpoint = "password_link")]
pub async fn password_link(token: String) -> Result<LinkState, AppError> {
    crate::state::with_status(server::link_state(&token).await)
}

/// Sets the password through a link, uses the link up, ends the user's
/// other sessions and signs them in.
#[server(endpoint = "set_password_by_link")]
pub async fn set_password_by_link(token: String, password: String, password_confirm: String) -> Result<(), AppError> {
    crate::state::with_status(server::set_by_link(&token, &password, &password_confirm).await)
}

/// A fresh link for the owner of an expired or used one, sent to their own address.
#[server(endpoint = "renew_password_link")]
pub async fn renew_password_link(token: String) -> Result<String, AppError> {
    crate::state::with_status(server::renew(&token).await)
}

/// Sends a reset link to every account with this address that may use one;
/// answers [`LINK_ON_ITS_WAY`] either way.
#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<String, AppError> {
    crate::state::with_status(server::forgot(&email).await)
}

/// The signed-in user's own new password; their other sessions end.
#[server(endpoint = "change_password")]
pub async fn change_password(current: String, password: String, password_confirm: String) -> Result<(), AppError> {
    crate::state::with_status(server::change(&current, &password, &password_confirm).await)
}

/// An admin sends a user of their tenant an invitation (no password yet) or
/// a set-password link (one set already); earlier open links stop working.
#[server(endpoint = "send_password_link")]
pub async fn send_password_link(id: i64) -> Result<String, AppError> {
    crate::state::with_status(server::send_for_user(id).await)
}

/// The admin's view of their tenant's outbox.
#[server(endpoint = "outbox_messages")]
pub async fn outbox_messages() -> Result<Outbox, AppError> {
    crate::state::with_status(server::outbox().await)
}
