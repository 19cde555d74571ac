//! What every request handler and server function shares: no state of the
//! process itself, only the pool and settings, so instances can be many.

use crate::error::AppError;
use crate::store::Db;
use axum::extract::FromRef;
use leptos::prelude::*;
use std::time::Duration;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub auth: AuthSettings,
    pub mail: MailSettings,
}

#[derive(Clone, Debug)]
pub struct MailSettings {
    /// The address users reach Roster at; the links in messages start with it.
    pub public_url: String,
    /// Whether a mail server is configured; without one, messages wait in the outbox.
    pub sending: bool,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub session_max: Duration,
    /// Add `Secure` to the cookie even when no proxy says the request came over TLS.
    pub secure_cookies: bool,
    /// Proxies in front of Roster whose `X-Forwarded-For` tells the client's address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub throttle: crate::model::throttle::Policy,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(30 * 60),
            session_max: Duration::from_secs(12 * 60 * 60),
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            throttle: Default::default(),
        }
    }
}

/// The state, inside a server function.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}
