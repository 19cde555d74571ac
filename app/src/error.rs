//! The one error type that server functions return; it crosses the network
//! intact, so the page shows the same words the server chose.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in first.")]
    Unauthenticated,
    #[error("You do not have access to this.")]
    Forbidden,
    /// Also the answer for another tenant's data, so that its existence does not leak.
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("The e-mail address or password is wrong.")]
    BadCredentials,
    #[error("Too many failed sign-ins. Try again in {minutes} minutes.")]
    Locked { minutes: u64 },
    #[error("Too many requests for a link. Try again in {minutes} minutes.")]
    TooManyLinks { minutes: u64 },
    /// Too many imports of the organisation, or of the server, wait their turn already.
    #[error("Another import is running for your organisation. Try again in a moment; your file is still checked.")]
    Busy,
    /// The directory changed since the file was checked: check it again.
    #[error("{0}")]
    Stale(String),
    #[error("Something went wrong on the server. It has been logged; please try again.")]
    Internal,
    #[error("The request could not be handled: {0}")]
    Request(String),
    /// Said in the browser when the request never reached the server.
    #[error("Importing needs a connection, and the server cannot be reached. Your checked file stays here: press Import again when you are back online.")]
    Unreachable,
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated | Self::BadCredentials => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Invalid(_) | Self::Request(_) => 400,
            Self::Locked { .. } | Self::TooManyLinks { .. } | Self::Busy => 429,
            Self::Stale(_) => 409,
            Self::Internal => 500,
            Self::Unreachable => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => Self::Unreachable,
            other => Self::Request(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        Self::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<engine::import::write::WriteError> for AppError {
    fn from(error: engine::import::write::WriteError) -> Self {
        tracing::error!(%error, "a download could not be written");
        Self::Internal
    }
}

/// For the plain axum routes (downloads): the status and the same words a
/// server function's caller sees; the internals were logged where they arose.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, self.to_string()).into_response()
    }
}
