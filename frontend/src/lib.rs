//! The hydrate entry: the browser picks up the server-rendered page and makes it live.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(warmline_app::App);
    // Tests and people on slow links can tell when the page has become interactive.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
