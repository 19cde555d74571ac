//! Password links (invitations for new users, resets for forgotten
//! passwords) and the outbox that carries them, as the pages see them.

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

