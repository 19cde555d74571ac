//! The server side of password links and password changes.

use super::letters::{self, Addressee};
use crate::model::passwords::{LinkKind, LinkState, Message, Outbox, LINK_ON_ITS_WAY};
use crate::auth::{password_hash, session, sign_in};
use crate::domain::password;
use crate::model::session::SessionUser;
use crate::error::AppError;
use crate::clock::now;
use crate::state::{app_state, AppState};
use crate::store::{self, links, tenants};

/// Link requests allowed per e-mail address and per network address in the
/// throttle's window, before a pause.
const LINKS_PER_ACCOUNT: u32 = 3;
const LINKS_PER_ADDRESS: u32 = 20;

pub async fn link_state(token: &str) -> Result<LinkState, AppError> {
    let state = app_state()?;
    let mut conn = state.db.pool.acquire().await?;
    let Some(found) = links::find(&mut conn, &session::token_hash(token.trim())).await? else {
        return Ok(LinkState::Unknown);
    };
    Ok(if found.used {
        LinkState::Used
    } else if found.expires_at <= now() {
        LinkState::Expired
    } else if !found.may_use_password {
        LinkState::Closed
    } else {
        let min_length = tenants::min_password_length(&mut conn, found.tenant_id).await?;
        LinkState::Open { kind: found.kind, user_id: found.user_key, tenant: found.tenant, min_length }
    })
}

pub async fn set_by_link(token: &str, password: &str, confirm: &str) -> Result<(), AppError> {
    let state = app_state()?;
    let hash = session::token_hash(token.trim());
    let mut conn = state.db.pool.acquire().await?;
    let found = links::find(&mut conn, &hash).await?.ok_or_else(|| AppError::Invalid(UNKNOWN.into()))?;
    if found.used || found.expires_at <= now() {
        return Err(AppError::Invalid(SPENT.into()));
    }
    if !found.may_use_password {
        return Err(AppError::Invalid(CLOSED.into()));
    }
    let min_length = tenants::min_password_length(&mut conn, found.tenant_id).await?;
    drop(conn);
    let password_hash = checked_hash(password, confirm, min_length).await?;

    let now = now();
    let mut tx = state.db.begin_directory_write(found.tenant_id).await?;
    // Two tabs sending the same link at once: one of them wins.
    if !links::consume(&mut tx, &hash, now).await? {
        return Err(AppError::Invalid(SPENT.into()));
    }
    store::users::set_password(&mut tx, found.user_id, &password_hash, now).await?;
    links::expire_open(&mut tx, found.user_id, now).await?;
    store::sessions::delete_for_user(&mut tx, found.user_id, None).await?;
    tenants::bump_version(&mut tx, found.tenant_id).await?;
    let event = match found.kind {
        LinkKind::Invitation => "authn_invitation_accepted",
        LinkKind::Reset => "authn_password_change",
    };
    store::audit::record(&mut tx, found.tenant_id, &found.email, event, &found.user_key).await?;
    tx.commit().await?;
    // Whoever holds the mailbox may sign in again at once.
    let mut conn = state.db.pool.acquire().await?;
    store::throttle::clear(&mut conn, &sign_in::account_key(found.user_id)).await?;
    drop(conn);
    tracing::info!(event, user = found.user_id, "password set through a link");
    session::start(&state, found.user_id).await
}

pub async fn renew(token: &str) -> Result<String, AppError> {
    let state = app_state()?;
    let mut conn = state.db.pool.acquire().await?;
    let found = links::find(&mut conn, &session::token_hash(token.trim())).await?.ok_or_else(|| AppError::Invalid(UNKNOWN.into()))?;
    drop(conn);
    if !found.may_use_password {
        return Err(AppError::Invalid(CLOSED.into()));
    }
    throttle(&state, &found.email).await?;
    let to = Addressee { id: found.user_id, first_name: &found.first_name, user_id: &found.user_key, email: &found.email };
    send(&state, found.tenant_id, &found.tenant, None, &to, letters::kind_for(found.has_password)).await?;
    Ok(format!("A new link is on its way to {}.", mask(&found.email)))
}

pub async fn forgot(email: &str) -> Result<String, AppError> {
    let state = app_state()?;
    let key = email.trim().to_lowercase();
    if key.is_empty() {
        return Err(AppError::Invalid("Enter your e-mail address.".into()));
    }
    throttle(&state, &key).await?;
    let mut conn = state.db.pool.acquire().await?;
    let recipients = store::users::link_recipients(&mut conn, &key).await?;
    drop(conn);
    tracing::info!(event = "authn_password_link_requested", accounts = recipients.len());
    // Written after the answer, so that its time does not tell whether the
    // address has an account.
    tokio::spawn(async move {
        for r in &recipients {
            let to = Addressee { id: r.id, first_name: &r.first_name, user_id: &r.user_id, email: &r.email };
            if let Err(error) = send(&state, r.tenant_id, &r.tenant, None, &to, letters::kind_for(r.has_password)).await {
                tracing::error!(%error, user = r.id, "a password link could not be written");
            }
        }
    });
    Ok(LINK_ON_ITS_WAY.into())
}

pub async fn change(state: AppState, me: SessionUser, current: &str, password: &str, confirm: &str) -> Result<(), AppError> {
    // Guessing the current password here is as slow as at the sign-in.
    let policy = &state.auth.throttle;
    let key = sign_in::account_key(me.id);
    let (before, _) = store::throttle::count_attempt(&state.db, &key, policy, policy.account_limit, now()).await?;
    if let Some(minutes) = policy.locked_minutes(&before, now()) {
        return Err(AppError::Locked { minutes });
    }
    let (stored, network) = store::users::password_of(&mut *state.db.pool.acquire().await?, me.id).await?;
    if network {
        return Err(AppError::Invalid("Your account signs in through the network; change your password there.".into()));
    }
    if !password_hash::verify(current.to_string(), stored).await {
        tracing::warn!(event = "authn_password_change_fail", user = me.id);
        return Err(AppError::Invalid("Your current password is not right.".into()));
    }
    let mut conn = state.db.pool.acquire().await?;
    // The right current password: as at the sign-in, the account's count starts over.
    store::throttle::clear(&mut conn, &key).await?;
    let min_length = tenants::min_password_length(&mut conn, me.tenant_id).await?;
    drop(conn);
    let password_hash = checked_hash(password, confirm, min_length).await?;
    let now = now();
    let mut tx = state.db.begin_directory_write(me.tenant_id).await?;
    store::users::set_password(&mut tx, me.id, &password_hash, now).await?;
    links::expire_open(&mut tx, me.id, now).await?;
    store::sessions::delete_for_user(&mut tx, me.id, session::current_token_hash().as_deref()).await?;
    tenants::bump_version(&mut tx, me.tenant_id).await?;
    store::audit::record(&mut tx, me.tenant_id, &me.email, "authn_password_change", &me.user_id).await?;
    tx.commit().await?;
    tracing::info!(event = "authn_password_change", user = me.id);
    Ok(())
}

pub async fn send_for_user(state: AppState, me: SessionUser, id: i64) -> Result<String, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let user = store::listing::one(&mut conn, me.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    if !user.active {
        return Err(AppError::Invalid(format!("{} is blocked. Unblock them first, then send the link.", user.user_id)));
    }
    if !user.network_account.is_empty() {
        return Err(AppError::Invalid(format!("{} signs in through the network and has no password here.", user.user_id)));
    }
    let inviter = store::users::signature(&mut conn, me.id).await?;
    drop(conn);
    let kind = letters::kind_for(user.has_password);
    let to = Addressee { id, first_name: &user.first_name, user_id: &user.user_id, email: &user.email };
    send(&state, me.tenant_id, &me.tenant, Some(&inviter), &to, kind).await?;
    let mut conn = state.db.pool.acquire().await?;
    store::audit::record(&mut conn, me.tenant_id, &me.email, "authn_password_link_sent", &user.user_id).await?;
    Ok(match kind {
        LinkKind::Invitation => format!("An invitation is on its way to {}.", user.email),
        LinkKind::Reset => format!("A link to set a new password is on its way to {}.", user.email),
    })
}

pub async fn outbox(state: AppState, me: SessionUser) -> Result<Outbox, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let messages = store::outbox::list(&mut conn, me.tenant_id, 200).await?;
    let messages = messages
        .into_iter()
        .map(|(message, link, to_admin)| {
            // A link to an admin's account would let whoever reads the
            // outbox (any admin of the tenant) take that account over.
            let body = if to_admin { letters::withheld(&message.body) } else { letters::render(&message.body, &state.mail.public_url, link.as_deref()) };
            Message { body, ..message }
        })
        .collect();
    Ok(Outbox { messages, sending: state.mail.sending })
}

const UNKNOWN: &str = "This link is not valid. Check that you opened all of it, or ask for a new one on the sign-in page.";
const SPENT: &str = "This link has been used or has expired. Ask for a new one.";
const CLOSED: &str = "This account cannot set a password here: it is blocked or signs in through the network. Ask your administrator.";

/// The new password, typed twice and within the tenant's rules, hashed.
async fn checked_hash(password: &str, confirm: &str, min_length: usize) -> Result<String, AppError> {
    if password != confirm {
        return Err(AppError::Invalid("The two passwords differ. Type the same password twice.".into()));
    }
    password::check(password, min_length).map_err(|e| AppError::Invalid(format!("Choose another password: {e}.")))?;
    password_hash::hash(password.to_string()).await
}

/// Counts a link request against the account and the caller's network
/// address; over either limit, the request is refused for a while, the same
/// way whether or not the account exists.
async fn throttle(state: &AppState, email: &str) -> Result<(), AppError> {
    let policy = &state.auth.throttle;
    let now = now();
    let keys = [
        (format!("link:{}", email.to_lowercase()), LINKS_PER_ACCOUNT),
        (format!("link-address:{}", session::counted(&session::client_address(&state.auth.trusted_proxies))), LINKS_PER_ADDRESS),
    ];
    for (key, limit) in &keys {
        let (before, _) = store::throttle::count_attempt(&state.db, key, policy, *limit, now).await?;
        if let Some(minutes) = policy.locked_minutes(&before, now) {
            return Err(AppError::TooManyLinks { minutes });
        }
    }
    Ok(())
}

async fn send(state: &AppState, tenant_id: i64, tenant: &str, inviter: Option<&str>, to: &Addressee<'_>, kind: LinkKind) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    letters::issue(&mut tx, tenant_id, tenant, inviter, to, kind, now()).await?;
    tx.commit().await?;
    Ok(())
}

/// `k***@acme.test`: enough for the owner to recognise, little for anyone else.
fn mask(email: &str) -> String {
    match email.split_once('@') {
        Some((name, domain)) => format!("{}***@{domain}", name.chars().next().unwrap_or('*')),
        None => "your address".into(),
    }
}
