//! The hydrate entry: the browser picks up the server-rendered page and makes it live.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// `performance.mark(name)`: a point on the page's timeline (User Timing).
    #[wasm_bindgen(js_namespace = performance, js_name = mark)]
    fn performance_mark(name: &str);
}

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(warmline_app::App);
    // Tests and people on slow links can tell when the page has become interactive: an
    // attribute on the body, and a User Timing mark that `scripts/tti.mjs` reads next to the
    // Navigation Timing entries.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
    performance_mark("warmline-hydrated");
}
