//! The few browser calls the import page needs: reading a chosen file,
//! saving bytes as a download, remembering small settings, and pausing so
//! that the page can paint between long steps.

use crate::pace::{Pace, Wait};
use leptos::prelude::{document, set_timeout, window, RwSignal, Set};
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

pub async fn read(blob: &web_sys::Blob) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await.map_err(|error| format!("{error:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Offers `bytes` as a download named `name`, made in the page: no server
/// round trip, so it works offline too.
pub fn save(name: &str, bytes: &[u8]) {
    let saved = (|| {
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let link: web_sys::HtmlAnchorElement = document().create_element("a").ok()?.dyn_into().ok()?;
        link.set_href(&url);
        link.set_download(name);
        link.click();
        // Revoked later: some browsers still read the URL after the click.
        set_timeout(move || drop(web_sys::Url::revoke_object_url(&url)), Duration::from_secs(60));
        Some(())
    })();
    if saved.is_none() {
        leptos::logging::warn!("the browser refused to save {name}");
    }
}

pub fn recall(key: &str) -> Option<String> {
    window().local_storage().ok()??.get_item(key).ok()?
}

pub fn remember(key: &str, value: &str) {
    if let Ok(Some(storage)) = window().local_storage() {
        // A full or disabled storage only means the choice is not remembered.
        let _ = storage.set_item(key, value);
    }
}

pub fn online() -> bool {
    window().navigator().on_line()
}

/// Yields to the browser so that a status message paints before a long step.
pub async fn pause() {
    let (done, paused) = futures::channel::oneshot::channel();
    set_timeout(move || { let _ = done.send(()); }, Duration::ZERO);
    let _ = paused.await;
}

/// Gives the browser a turn (input, painting) and comes back at once: a
/// message to itself, which, unlike a zero timeout, is not held back to 4 ms
/// when it happens again and again.
async fn take_turns() {
    let Ok(channel) = web_sys::MessageChannel::new() else { return };
    let (done, answered) = futures::channel::oneshot::channel();
    let on_message = Closure::once(move || {
        let _ = done.send(());
    });
    channel.port1().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    if channel.port2().post_message(&JsValue::UNDEFINED).is_ok() {
        let _ = answered.await;
    }
}

/// Paces the engine in the page: it works for a slice of time, then lets the
/// browser take its turn, so that no task runs over 50 ms however big the
/// file, and the progress bar moves.
pub struct Slices<Stale> {
    started: f64,
    progress: RwSignal<Option<f64>>,
    /// Whether a newer check has replaced this one.
    stale: Stale,
}

/// Milliseconds of work between turns: under the 50 ms a long task starts
/// at, with room for the step that overruns it.
const SLICE_MS: f64 = 25.0;

impl<Stale: Fn() -> bool> Slices<Stale> {
    pub fn new(progress: RwSignal<Option<f64>>, stale: Stale) -> Self {
        Self { started: now_ms(), progress, stale }
    }
}

impl<Stale: Fn() -> bool> Pace for Slices<Stale> {
    fn step(&mut self, done: usize, total: usize) -> Wait<'_> {
        if now_ms() - self.started < SLICE_MS {
            return Box::pin(std::future::ready(()));
        }
        self.progress.set(Some(done as f64 / total.max(1) as f64));
        Box::pin(async move {
            take_turns().await;
            if (self.stale)() {
                // Never resume: nothing holds the task any more, so the browser
                // drops it with the half-made plan instead of finishing it.
                std::future::pending::<()>().await;
            }
            self.started = now_ms();
        })
    }
}

/// An id for one checked file, so that a second click imports nothing twice.
pub fn batch_key() -> String {
    let part = || (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
    format!("web-{:013x}{:013x}", part(), part())
}

/// Milliseconds since 1970, for how old the directory snapshot is.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
