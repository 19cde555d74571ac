//! Session cookies. The browser holds a random token; the database holds only
//! its SHA-256, so a leaked copy of the database cannot be used to sign in.

use crate::model::session::SessionUser;
use crate::domain::access::AccessLevel;
use crate::error::AppError;
use crate::clock::now;
use crate::state::{app_state, AppState};
use crate::store;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use http::{header, request::Parts, HeaderMap, HeaderValue};
use leptos::prelude::*;

pub const COOKIE: &str = "roster_session";

/// The signed-in user, or `None`. An expired session is deleted on the way.
pub async fn current(state: &AppState) -> Result<Option<SessionUser>, AppError> {
    match use_context::<Parts>() {
        Some(parts) => from_headers(state, &parts.headers).await,
        None => Ok(None),
    }
}

/// As [`current`], for plain axum handlers outside Leptos.
pub async fn from_headers(state: &AppState, headers: &HeaderMap) -> Result<Option<SessionUser>, AppError> {
    let Some(token) = cookie_token(headers) else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    let mut conn = state.db.pool.acquire().await?;
    let Some(found) = store::sessions::find(&mut conn, &hash).await? else {
        return Ok(None);
    };
    let now = now();
    let idle = state.auth.session_idle.as_secs() as i64;
    let expired = now - found.last_seen_at > idle
        || now - found.created_at > state.auth.session_max.as_secs() as i64;
    if expired || !found.active {
        store::sessions::delete(&mut conn, &hash).await?;
        set_cookie(state, "", 0);
        return Ok(None);
    }
    // Writing on every request would serialise readers on SQLite; a coarse
    // timestamp is enough for the idle limit.
    if now - found.last_seen_at >= (idle / 10).min(60) {
        store::sessions::touch(&mut conn, &hash, now).await?;
    }
    Ok(Some(found.user))
}

/// The signed-in user if their access level passes `allow`; the check every
/// server function starts with.
pub async fn require(allow: fn(AccessLevel) -> bool) -> Result<(AppState, SessionUser), AppError> {
    let state = app_state()?;
    let user = current(&state).await?.ok_or(AppError::Unauthenticated)?;
    if allow(user.access) {
        Ok((state, user))
    } else {
        Err(AppError::Forbidden)
    }
}

/// Starts a session with a new token, ending the one the request came with,
/// so that a token planted before sign-in is worthless after it.
pub async fn start(state: &AppState, user_id: i64) -> Result<(), AppError> {
    let mut conn = state.db.pool.acquire().await?;
    if let Some(old) = presented_token() {
        store::sessions::delete(&mut conn, &token_hash(&old)).await?;
    }
    let now = now();
    store::sessions::delete_expired(
        &mut conn,
        now - state.auth.session_idle.as_secs() as i64,
        now - state.auth.session_max.as_secs() as i64,
    )
    .await?;
    let token = new_token();
    store::sessions::create(&mut conn, &token_hash(&token), user_id, now).await?;
    set_cookie(state, &token, state.auth.session_max.as_secs());
    Ok(())
}

pub async fn end(state: &AppState) -> Result<(), AppError> {
    if let Some(token) = presented_token() {
        let mut conn = state.db.pool.acquire().await?;
        store::sessions::delete(&mut conn, &token_hash(&token)).await?;
    }
    set_cookie(state, "", 0);
    Ok(())
}

fn set_cookie(state: &AppState, token: &str, max_age: u64) {
    let secure = state.auth.secure_cookies
        || use_context::<Parts>().is_some_and(|parts| {
            parts.headers.get("x-forwarded-proto").is_some_and(|proto| proto == "https")
        });
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
}

/// The hash of the session token the current request came with: the
/// session to keep when the others end.
pub fn current_token_hash() -> Option<String> {
    presented_token().map(|token| token_hash(&token))
}

/// The network address the request came from, for throttling. Behind
/// trusted proxies it is the last address in `X-Forwarded-For` that is not
/// one of them (a client can write the rest of the header itself); else the
/// peer's, so that everyone behind one proxy does not share one counter.
pub fn client_address(trusted: &[std::net::IpAddr]) -> String {
    let Some(parts) = use_context::<Parts>() else { return "unknown".into() };
    let Some(peer) = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip()) else {
        return "unknown".into();
    };
    let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|value| value.to_str().ok()).collect::<Vec<_>>();
    client_of(peer, &forwarded, trusted).to_string()
}

/// A [`client_address`] as the limits count it ([`counted_as`]).
pub fn counted(address: &str) -> String {
    address.parse().map_or_else(|_| address.to_string(), counted_as)
}

/// The address as the limits count it: an IPv6 client by its /64, the
/// block that one subscriber is given and can use address by address.
fn counted_as(address: std::net::IpAddr) -> String {
    match address.to_canonical() {
        std::net::IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
        v4 => v4.to_string(),
    }
}

/// [`client_address`] from the peer and the `X-Forwarded-For` values, in order.
fn client_of(peer: std::net::IpAddr, forwarded: &[&str], trusted: &[std::net::IpAddr]) -> std::net::IpAddr {
    let mut hops = forwarded.iter().flat_map(|value| value.split(',')).rev().map(|hop| hop.trim().parse::<std::net::IpAddr>());
    let mut address = peer;
    while trusted.contains(&address) {
        match hops.next() {
            Some(Ok(hop)) => address = hop,
            // A hop that is not an address: the proxy's own peer is all that is known.
            _ => break,
        }
    }
    address
}

/// The session token the current request came with.
fn presented_token() -> Option<String> {
    use_context::<Parts>().and_then(|parts| cookie_token(&parts.headers))
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    engine::digest::hex(&bytes)
}

/// The SHA-256 of a token, in hexadecimal: all that is stored of it.
pub(crate) fn token_hash(token: &str) -> String {
    engine::digest::checksum(token.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_hexadecimal_and_their_hash_is_sha256() {
        let token = new_token();
        assert!(token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("theme=dark; roster_session=abc123"));
        assert_eq!(cookie_token(&headers).as_deref(), Some("abc123"));
        headers.clear();
        headers.append(header::COOKIE, HeaderValue::from_static("roster_session=; other=1"));
        assert_eq!(cookie_token(&headers), None);
    }

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn the_client_is_the_last_forwarded_address_that_no_trusted_proxy_has() {
        let ip = |text: &str| text.parse::<std::net::IpAddr>().unwrap();
        let (proxy, inner) = (ip("10.0.0.1"), ip("10.0.0.2"));
        let trusted = [proxy, inner];
        // The client wrote 1.1.1.1 itself; the proxy added the address it saw.
        assert_eq!(client_of(proxy, &["1.1.1.1, 203.0.113.7"], &trusted), ip("203.0.113.7"));
        assert_eq!(client_of(inner, &["203.0.113.7", "10.0.0.1"], &trusted), ip("203.0.113.7"), "two proxies, two headers");
        assert_eq!(client_of(ip("198.51.100.9"), &["1.1.1.1"], &trusted), ip("198.51.100.9"), "an untrusted peer's header counts for nothing");
        assert_eq!(client_of(proxy, &[], &trusted), proxy, "no header: the proxy itself");
        assert_eq!(client_of(proxy, &["garbage"], &[]), proxy, "nothing trusted: the peer");
    }

    #[test]
    fn an_ipv6_client_counts_as_its_64_block() {
        let ip = |text: &str| text.parse::<std::net::IpAddr>().unwrap();
        assert_eq!(counted_as(ip("2001:db8:aa:bb:1:2:3:4")), "2001:db8:aa:bb::/64");
        assert_eq!(counted_as(ip("2001:db8:aa:bb:ffff::9")), "2001:db8:aa:bb::/64", "another address of the same block");
        assert_eq!(counted_as(ip("203.0.113.7")), "203.0.113.7");
        assert_eq!(counted_as(ip("::ffff:203.0.113.7")), "203.0.113.7", "an IPv4 client seen through IPv6");
    }
}
