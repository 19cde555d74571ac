//! Signing in and out, the first-run setup, and who is signed in.

use crate::error::AppError;
use crate::model::session::SessionUser;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use super::answered;
#[cfg(feature = "ssr")]
use crate::auth::{session, setup, sign_in};

#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let state = crate::state::app_state()?;
    answered(session::current(&state)).await
}

/// Signs in with an e-mail address or user ID and sets a fresh session cookie.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    answered(sign_in::sign_in(&email, &password)).await
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    answered(session::end(&state)).await
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
    answered(setup::run(form)).await
}
