//! Checking files with no network: the last directory snapshot is kept in
//! the browser's Cache Storage, and a service worker (`public/sw.js`) keeps
//! the page, its WASM and its styles. Signing out clears both.

use crate::import::snapshot::Snapshot;
use leptos::prelude::window;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

const CACHE: &str = "roster-snapshot";

/// The snapshot is kept in entries of this size: one entry of many
/// megabytes holds the page up past a long task to write, and to read back.
const PIECE: usize = 1 << 20;

/// One set of entries per user, so that another admin on the same browser
/// never sees it: the head (when fetched, how many pieces), then the pieces.
fn key(user: i64, piece: Option<usize>) -> String {
    match piece {
        None => format!("/offline/snapshot/{user}"),
        Some(piece) => format!("/offline/snapshot/{user}/{piece}"),
    }
}

/// The saved snapshot and when it was fetched (milliseconds since 1970).
pub async fn load(user: i64) -> Option<(f64, Snapshot)> {
    let cache = open().await?;
    let head = get(&cache, &key(user, None)).await?;
    let (at, count) = head.split_first_chunk::<8>()?;
    let count = u64::from_le_bytes(count.try_into().ok()?);
    let mut bytes = Vec::new();
    for piece in 0..count {
        bytes.extend(get(&cache, &key(user, Some(piece as usize))).await?);
    }
    Some((f64::from_le_bytes(*at), Snapshot(bytes)))
}

/// Keeps the snapshot as it came, with the time it was fetched. The head
/// goes first and comes back last, so that a save cut short leaves none.
pub async fn save(user: i64, at: f64, snapshot: &Snapshot) {
    let Some(cache) = open().await else { return };
    // Not saved only means no offline check next time.
    let _ = JsFuture::from(cache.delete_with_str(&key(user, None))).await;
    let pieces = snapshot.0.chunks(PIECE);
    let count = pieces.len() as u64;
    for (piece, bytes) in pieces.enumerate() {
        if !put(&cache, &key(user, Some(piece)), bytes).await {
            return;
        }
    }
    put(&cache, &key(user, None), &[at.to_le_bytes(), count.to_le_bytes()].concat()).await;
}

async fn get(cache: &web_sys::Cache, key: &str) -> Option<Vec<u8>> {
    let hit = JsFuture::from(cache.match_with_str(key)).await.ok()?;
    let response: web_sys::Response = hit.dyn_into().ok()?;
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

async fn put(cache: &web_sys::Cache, key: &str, bytes: &[u8]) -> bool {
    let Ok(response) = web_sys::Response::new_with_opt_buffer_source(Some(&js_sys::Uint8Array::from(bytes))) else { return false };
    JsFuture::from(cache.put_with_str(key, &response)).await.is_ok()
}

async fn open() -> Option<web_sys::Cache> {
    let caches = window().caches().ok()?;
    JsFuture::from(caches.open(CACHE)).await.ok()?.dyn_into().ok()
}

/// Lets the service worker keep the page for offline visits.
pub fn keep_page() {
    let _ = window().navigator().service_worker().register("/sw.js");
}
