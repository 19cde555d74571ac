//! Checking a password, with the brakes on: each account and each network
//! address is slowed down after a few failures and then locked for a while.

use super::password_hash;
use crate::error::AppError;
use crate::clock::now;
use crate::state::app_state;
use crate::store;

/// The sign-in lock's key of one account. Addresses and User IDs are
/// unique only within a tenant, so the lock is the account's, not the
/// login's: signing in by address or by User ID counts against the same
/// lock, and nothing done in one tenant clears or shows another's.
/// (Keys of the login's text, `account:<login>`, were the lock before; a
/// prefix of its own keeps an old one from passing for an id's.)
pub fn account_key(user_id: i64) -> String {
    format!("account-id:{user_id}")
}

pub async fn sign_in(login: &str, password: &str) -> Result<(), AppError> {
    let state = app_state()?;
    let login_key = login.trim().to_lowercase();
    if login_key.is_empty() || password.is_empty() {
        return Err(AppError::Invalid("Enter your e-mail address and your password.".into()));
    }
    let policy = &state.auth.throttle;
    let address = super::session::client_address(&state.auth.trusted_proxies);
    let now = now();
    // The address first: an attempt from a locked address counts nothing
    // against the accounts it names.
    let address_key = format!("address:{}", super::session::counted(&address));
    let by_address = store::throttle::count_attempt(&state.db, &address_key, policy, policy.address_limit, now).await?;
    if let Some(minutes) = policy.locked_minutes(&by_address.0, now) {
        return Err(AppError::Locked { minutes });
    }

    let candidates = store::users::credentials(&mut *state.db.pool.acquire().await?, &login_key).await?;
    // A login that names no account is slowed down all the same, under its own name.
    let keys: Vec<String> = if candidates.is_empty() { vec![format!("login:{login_key}")] } else { candidates.iter().map(|c| account_key(c.id)).collect() };
    // Each account the login names counts the attempt; a locked one is not tried.
    let (mut open, mut locked_for) = (Vec::with_capacity(keys.len()), None);
    for (at, key) in keys.iter().enumerate() {
        let counted = store::throttle::count_attempt(&state.db, key, policy, policy.account_limit, now).await?;
        match policy.locked_minutes(&counted.0, now) {
            Some(minutes) => locked_for = locked_for.max(Some(minutes)),
            None => open.push((at, counted)),
        }
    }
    if let (true, Some(minutes)) = (open.is_empty(), locked_for) {
        return Err(AppError::Locked { minutes });
    }
    // The records this attempt was counted in, before it and after.
    let records = || std::iter::once(&by_address).chain(open.iter().map(|(_, counted)| counted));
    let delay = records().map(|(before, _)| policy.delay(before, now)).max();
    tokio::time::sleep(delay.unwrap_or_default()).await;

    // No connection is held while the passwords are checked.
    let mut matched = None;
    for (at, _) in open.iter().filter(|(at, _)| *at < candidates.len()) {
        let candidate = &candidates[*at];
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
            store::throttle::take_back(&mut conn, &address_key, by_address).await?;
            store::throttle::clear(&mut conn, &account_key(user.id)).await?;
            // The other accounts of that login were not guessed at: their owner's right password was given.
            for (at, counted) in open.iter().filter(|(at, _)| candidates.get(*at).is_some_and(|c| c.id != user.id)) {
                store::throttle::take_back(&mut conn, &keys[*at], *counted).await?;
            }
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
            // Counted as a failure already, before the check. An account of
            // the login that was locked and not tried may be the one meant.
            let locked = records().filter_map(|(_, after)| policy.locked_minutes(after, now)).max().max(locked_for);
            Err(locked.map_or(AppError::BadCredentials, |minutes| AppError::Locked { minutes }))
        }
    }
}
