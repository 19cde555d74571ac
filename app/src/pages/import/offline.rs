//! Checking files with no network: the last directory snapshot is kept in
//! the browser's Cache Storage, and a service worker (`public/sw.js`) keeps
//! the page, its WASM and its styles. Signing out clears both.

use crate::import::snapshot::Snapshot;
use leptos::prelude::window;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

const CACHE: &str = "roster-snapshot";

/// One entry per user, so that another admin on the same browser never sees it.
fn key(user: i64) -> String {
    format!("/offline/snapshot/{user}")
}

/// The saved snapshot and when it was fetched (milliseconds since 1970).
pub async fn load(user: i64) -> Option<(f64, Snapshot)> {
    let hit = JsFuture::from(open().await?.match_with_str(&key(user))).await.ok()?;
    let response: web_sys::Response = hit.dyn_into().ok()?;
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let (at, snapshot) = bytes.split_first_chunk::<8>()?;
    Some((f64::from_le_bytes(*at), Snapshot(snapshot.to_vec())))
}

/// Keeps the snapshot as it came, after the time it was fetched.
pub async fn save(user: i64, at: f64, snapshot: &Snapshot) {
    let mut bytes = [&at.to_le_bytes()[..], &snapshot.0].concat();
    let (Some(cache), Ok(response)) = (open().await, web_sys::Response::new_with_opt_u8_array(Some(&mut bytes))) else { return };
    // Not saved only means no offline check next time.
    let _ = JsFuture::from(cache.put_with_str(&key(user), &response)).await;
}

async fn open() -> Option<web_sys::Cache> {
    let caches = window().caches().ok()?;
    JsFuture::from(caches.open(CACHE)).await.ok()?.dyn_into().ok()
}

/// Lets the service worker keep the page for offline visits.
pub fn keep_page() {
    let _ = window().navigator().service_worker().register("/sw.js");
}
