//! Checking files with no network: the last directory snapshot is kept in
//! the browser's Cache Storage, and a service worker (`public/sw.js`) keeps
//! the page, its WASM and its styles. Signing out clears both.

use crate::import::Directory;
use leptos::prelude::window;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

const CACHE: &str = "roster-snapshot";

/// One entry per user, so that another admin on the same browser never sees it.
fn key(user: i64) -> String {
    format!("/offline/snapshot/{user}")
}

/// The saved snapshot and when it was fetched (milliseconds since 1970).
pub async fn load(user: i64) -> Option<(f64, Directory)> {
    let hit = JsFuture::from(open().await?.match_with_str(&key(user))).await.ok()?;
    let response: web_sys::Response = hit.dyn_into().ok()?;
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    ciborium::from_reader(&js_sys::Uint8Array::new(&buffer).to_vec()[..]).ok()
}

pub async fn save(user: i64, at: f64, directory: &Directory) {
    let mut bytes = Vec::new();
    if ciborium::into_writer(&(at, directory), &mut bytes).is_err() {
        return;
    }
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
