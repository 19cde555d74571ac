//! Signing in and out, the first-run setup, and who is signed in.

#[cfg(feature = "ssr")]
pub mod password_hash;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
mod setup;
#[cfg(feature = "ssr")]
mod sign_in;
pub mod throttle;

use crate::domain::access::AccessLevel;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in person, as the pages need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub tenant_id: i64,
    pub tenant: String,
    pub email: String,
    pub user_id: String,
    pub name: String,
    pub access: AccessLevel,
}

#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let state = crate::state::app_state()?;
    crate::state::with_status(session::current(&state).await)
}

/// Signs in with an e-mail address or user ID and sets a fresh session cookie.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    crate::state::with_status(sign_in::sign_in(&email, &password).await)
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    crate::state::with_status(session::end(&state).await)
}

/// True until the first admin exists; then the setup page is gone.
#[server(endpoint = "needs_setup")]
pub async fn needs_setup() -> Result<bool, AppError> {
    let state = crate::state::app_state()?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(!crate::store::users::admin_exists(&mut conn).await?)
}

/// Creates the first tenant and its admin, once, and signs the admin in.
#[server(endpoint = "setup")]
pub async fn setup(
    organisation: String,
    email: String,
    first_name: String,
    last_name: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    let form = setup::Form { organisation, email, first_name, last_name, password, password_confirm };
    crate::state::with_status(setup::run(form).await)
}
