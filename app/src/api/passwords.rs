//! Getting in without a password from the admin: invitations for new users,
//! links for forgotten passwords, changing one's own password, and the
//! outbox that carries the links.

use crate::error::AppError;
use crate::model::passwords::{LinkState, Outbox};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {super::{answered, signed_in}, engine::domain::access::AccessLevel};
#[cfg(feature = "ssr")]
use crate::passwords::links as server;

/// What the link behind `/password/:token` is good for; needs no session.
#[server(endpoint = "password_link")]
pub async fn password_link(token: String) -> Result<LinkState, AppError> {
    answered(server::link_state(&token)).await
}

/// Sets the password through a link, uses the link up, ends the user's
/// other sessions and signs them in.
#[server(endpoint = "set_password_by_link")]
pub async fn set_password_by_link(token: String, password: String, password_confirm: String) -> Result<(), AppError> {
    answered(server::set_by_link(&token, &password, &password_confirm)).await
}

/// A fresh link for the owner of an expired or used one, sent to their own address.
#[server(endpoint = "renew_password_link")]
pub async fn renew_password_link(token: String) -> Result<String, AppError> {
    answered(server::renew(&token)).await
}

/// Sends a reset link to every account with this address that may use one;
/// answers [`crate::model::passwords::LINK_ON_ITS_WAY`] either way.
#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<String, AppError> {
    answered(server::forgot(&email)).await
}

/// The signed-in user's own new password; their other sessions end.
#[server(endpoint = "change_password")]
pub async fn change_password(current: String, password: String, password_confirm: String) -> Result<(), AppError> {
    signed_in(|_| true, |state, me| server::change(state, me, &current, &password, &password_confirm)).await
}

/// An admin sends a user of their tenant an invitation (no password yet) or
/// a set-password link (one set already); earlier open links stop working.
#[server(endpoint = "send_password_link")]
pub async fn send_password_link(id: i64) -> Result<String, AppError> {
    signed_in(AccessLevel::is_admin, |state, me| server::send_for_user(state, me, id)).await
}

/// The admin's view of their tenant's outbox.
#[server(endpoint = "outbox_messages")]
pub async fn outbox_messages() -> Result<Outbox, AppError> {
    signed_in(AccessLevel::is_admin, server::outbox).await
}
