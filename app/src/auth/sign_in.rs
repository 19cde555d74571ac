//! Checking a password, with the brakes on: each account and each network
//! address is slowed down after a few failures and then locked for a while.

use super::password_hash;
use crate::error::AppError;
use crate::clock::now;
use crate::state::app_state;
use crate::store;

pub async fn sign_in(login: &str, password: &str) -> Result<(), AppError> {
    let state = app_state()?;
    let login_key = login.trim().to_lowercase();
    if login_key.is_empty() || password.is_empty() {
        return Err(AppError::Invalid("Enter your e-mail address and your password.".into()));
    }
    let policy = &state.auth.throttle;
    let address = super::session::client_address(&state.auth.trusted_proxies);
    // The address first: an attempt from a locked address counts nothing
    // against the account it names.
    let keys = [
        (format!("address:{address}"), policy.address_limit),
        (format!("account:{login_key}"), policy.account_limit),
    ];

    let now = now();
    let mut records = Vec::with_capacity(keys.len());
    for (key, limit) in &keys {
        let counted = store::throttle::count_attempt(&state.db, key, policy, *limit, now).await?;
        if let Some(minutes) = policy.locked_minutes(&counted.0, now) {
            return Err(AppError::Locked { minutes });
        }
        records.push(counted);
    }
    let delay = records.iter().map(|(before, _)| policy.delay(before, now)).max().unwrap_or_default();
    tokio::time::sleep(delay).await;

    // No connection is held while the passwords are checked.
    let candidates = store::users::credentials(&mut *state.db.pool.acquire().await?, &login_key).await?;
    let mut matched = None;
    for candidate in &candidates {
        if password_hash::verify(password.to_string(), candidate.password_hash.clone()).await {
            matched = Some(candidate);
            break;
        }
    }
    if candidates.is_empty() {
        // Same work for an unknown account, so timing does not tell them apart.
        password_hash::verify(password.to_string(), None).await;
    }

    match matched {
        Some(user) if user.active => {
            let mut conn = state.db.pool.acquire().await?;
            store::throttle::take_back(&mut conn, &keys[0].0, records[0]).await?;
            store::throttle::clear(&mut conn, &keys[1].0).await?;
            drop(conn);
            super::session::start(&state, user.id).await?;
            tracing::info!(event = "authn_login_success", user = user.id);
            Ok(())
        }
        // A blocked user's right password gets the answer of a wrong one,
        // lock included, so that it does not tell that it was right (OWASP:
        // one message whatever the account's state).
        blocked_or_none => {
            match blocked_or_none {
                Some(user) => tracing::warn!(event = "authn_login_fail_blocked", user = user.id, "blocked user tried to sign in"),
                None => tracing::warn!(event = "authn_login_fail", %address, "failed sign-in"),
            }
            // Counted as a failure already, before the check.
            let locked = records.iter().filter_map(|(_, after)| policy.locked_minutes(after, now)).max();
            Err(locked.map_or(AppError::BadCredentials, |minutes| AppError::Locked { minutes }))
        }
    }
}
