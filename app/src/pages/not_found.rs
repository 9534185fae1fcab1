use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <div class="flex min-h-full flex-col items-center justify-center px-4 py-24 text-center">
            <p class="text-sm font-semibold text-orange-600">"404"</p>
            <h1 class="mt-2 text-2xl font-semibold text-slate-900">"Page not found"</h1>
            <p class="mt-2 text-sm text-slate-500">"The page you asked for doesn't exist."</p>
            <a href="/" class="mt-6 text-sm font-medium text-orange-700 hover:underline">"Back to the dashboard"</a>
        </div>
    }
}
