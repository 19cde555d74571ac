//! The browser entry: hydrates the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

/// The import page's reader, run in a Web Worker by `public/reader.js`.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn read_sheet(bytes: &[u8]) -> wasm_bindgen::JsValue {
    app::read_in_worker(bytes)
}
