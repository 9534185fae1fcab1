//! Small building blocks shared by pages.

use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn PageHeader(title: &'static str, #[prop(optional)] subtitle: &'static str, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
                {(!subtitle.is_empty()).then(|| view! { <p class="mt-1 text-sm text-slate-500">{subtitle}</p> })}
            </div>
            <div class="flex flex-wrap gap-2">{children.map(|c| c())}</div>
        </div>
    }
}

#[component]
pub fn Card(#[prop(optional)] class: &'static str, children: Children) -> impl IntoView {
    view! { <section class=format!("rounded-xl border border-slate-200 bg-white shadow-sm {class}")>{children()}</section> }
}

/// A red box with an error; an ended session links to the sign-in page.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let signed_out = error == AppError::Unauthorized;
    view! {
        <div role="alert" class="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            {error.to_string()}
            {signed_out.then(|| view! { " " <a href="/login" class="font-medium underline">"Sign in"</a> })}
        </div>
    }
}

/// The app's own confirmation dialog, in place of the browser's `confirm()`: says what will
/// happen, and does it only on the confirm button. Cancel, the backdrop or Escape close it.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: String,
    #[prop(into)] confirm_label: Signal<String>,
    on_confirm: Callback<()>,
    #[prop(optional)] danger: bool,
    #[prop(optional, into)] disabled: Signal<bool>,
    children: ChildrenFn,
) -> impl IntoView {
    let title = StoredValue::new(title);
    // Escape closes it, wherever the focus is (a no-op on the server).
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
        }
    });
    on_cleanup(move || escape.remove());
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-40 flex items-end justify-center bg-slate-900/50 p-4 sm:items-center"
                on:click=move |_| open.set(false)>
                <div role="dialog" aria-modal="true" aria-label=title.get_value() data-testid="dialog"
                    class="w-full max-w-md rounded-xl bg-white p-6 shadow-xl"
                    on:click=|ev| ev.stop_propagation()>
                    <h2 class="text-lg font-semibold text-slate-900">{title.get_value()}</h2>
                    <div class="mt-3 space-y-3 text-sm text-slate-600">{children()}</div>
                    <div class="mt-6 flex flex-wrap justify-end gap-2">
                        <button type="button" class=BTN_SECONDARY on:click=move |_| open.set(false) autofocus>"Cancel"</button>
                        <button type="button" class=if danger { BTN_DANGER } else { BTN_PRIMARY } data-testid="dialog-confirm"
                            disabled=move || disabled.get()
                            on:click=move |_| { open.set(false); on_confirm.run(()); }>
                            {move || confirm_label.get()}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}

/// A "Copy" button that puts `text` on the clipboard and says so.
#[component]
pub fn CopyButton(#[prop(into)] text: String, #[prop(optional)] testid: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = StoredValue::new(text);
    view! {
        <button type="button" class=BTN_SECONDARY data-testid=testid
            on:click=move |_| {
                let text = text.get_value();
                leptos::task::spawn_local(async move {
                    if copy_to_clipboard(&text).await {
                        copied.set(true);
                    }
                });
            }>
            {move || if copied.get() { "Copied ✓" } else { "Copy" }}
        </button>
    }
}

/// `await navigator.clipboard.writeText(text)`; false where the browser has no clipboard API
/// or refused the write.
#[cfg(feature = "hydrate")]
async fn copy_to_clipboard(text: &str) -> bool {
    use wasm_bindgen::{JsCast, JsValue};
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined());
    let Some(navigator) = get(&js_sys::global().into(), "navigator") else { return false };
    let Some(clipboard) = get(&navigator, "clipboard") else { return false };
    let Some(write) = get(&clipboard, "writeText").and_then(|f| f.dyn_into::<js_sys::Function>().ok()) else { return false };
    let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)) else { return false };
    match promise.dyn_into::<js_sys::Promise>() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.is_ok(),
        Err(_) => false,
    }
}

#[cfg(not(feature = "hydrate"))]
async fn copy_to_clipboard(_text: &str) -> bool {
    false
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="py-8 text-center text-sm text-slate-400">"Loading…"</p> }
}

#[component]
pub fn Empty(title: &'static str, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <div class="px-6 py-12 text-center">
            <p class="text-sm font-medium text-slate-700">{title}</p>
            <div class="mt-2 text-sm text-slate-500">{children.map(|c| c())}</div>
        </div>
    }
}

pub const BTN_PRIMARY: &str = "inline-flex items-center justify-center gap-2 rounded-md bg-orange-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-orange-500 disabled:cursor-not-allowed disabled:opacity-50";
pub const BTN_DANGER: &str = "inline-flex items-center justify-center gap-2 rounded-md bg-red-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-red-500 disabled:cursor-not-allowed disabled:opacity-50";
pub const BTN_SECONDARY: &str = "inline-flex items-center justify-center gap-2 rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 disabled:opacity-50";
pub const INPUT: &str = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-orange-500 focus:outline-none focus:ring-2 focus:ring-orange-500/30 disabled:cursor-not-allowed disabled:bg-slate-100 disabled:text-slate-400";
pub const LABEL: &str = "mb-1 block text-sm font-medium text-slate-700";
pub const TH: &str = "px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
pub const TD: &str = "px-4 py-3 text-sm text-slate-700";

/// Epoch milliseconds as `21 Nov 2026, 14:03 UTC` (the same on server and browser).
pub fn fmt_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%-d %b %Y, %H:%M UTC").to_string()).unwrap_or_default()
}

/// A moment, as a person reads it: "5 min ago" for recent events, otherwise the date and time in
/// the browser's zone; the exact time (with its zone) on hover.
///
/// The server renders the UTC form and hydration keeps it; once the page is live the browser
/// rewrites it, since only the browser knows its zone and its clock.
#[component]
pub fn Time(ms: i64) -> impl IntoView {
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let text = move || if live.get() { human_time(ms, browser_now(), browser_offset_minutes(ms)) } else { fmt_time(ms) };
    let title = move || if live.get() { exact_time(ms, browser_offset_minutes(ms)) } else { fmt_time(ms) };
    let iso = chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339()).unwrap_or_default();
    view! { <time datetime=iso title=title>{text}</time> }
}

/// The current time: the browser's clock in the browser, the server's on the server.
pub fn now_ms() -> i64 {
    browser_now()
}

#[cfg(feature = "hydrate")]
fn browser_now() -> i64 {
    js_sys::Date::now() as i64
}

#[cfg(not(feature = "hydrate"))]
fn browser_now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Minutes to add to UTC to get the browser's local time at `ms` (east of UTC is positive).
#[cfg(feature = "hydrate")]
fn browser_offset_minutes(ms: i64) -> i32 {
    -(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).get_timezone_offset() as i32)
}

#[cfg(not(feature = "hydrate"))]
fn browser_offset_minutes(_ms: i64) -> i32 {
    0
}

fn local(ms: i64, offset_minutes: i32) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let offset = chrono::FixedOffset::east_opt(offset_minutes * 60)?;
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&offset))
}

/// "just now", "5 min ago", "3 h ago", "in 20 min", else "3 Dec, 14:05" (with the year when
/// it isn't this year's) in the zone `offset_minutes` east of UTC.
pub fn human_time(ms: i64, now: i64, offset_minutes: i32) -> String {
    let diff = now - ms;
    let min = 60_000;
    match diff {
        d if d.abs() < min => "just now".into(),
        d if d > 0 && d < 60 * min => format!("{} min ago", d / min),
        d if d > 0 && d < 24 * 60 * min => format!("{} h ago", d / (60 * min)),
        d if d < 0 && -d < 60 * min => format!("in {} min", (-d + min - 1) / min),
        _ => {
            let (Some(t), Some(n)) = (local(ms, offset_minutes), local(now, offset_minutes)) else { return fmt_time(ms) };
            use chrono::Datelike;
            if t.year() == n.year() {
                t.format("%-d %b, %H:%M").to_string()
            } else {
                t.format("%-d %b %Y, %H:%M").to_string()
            }
        }
    }
}

/// The full time in the zone `offset_minutes` east of UTC: "Thu 3 Dec 2026, 14:05:09 UTC−05:00".
pub fn exact_time(ms: i64, offset_minutes: i32) -> String {
    local(ms, offset_minutes).map(|t| t.format("%a %-d %b %Y, %H:%M:%S UTC%:z").to_string().replace('-', "−")).unwrap_or_default()
}

/// "1 warm lead", "2 warm leads": `one` for exactly one, `many` otherwise.
pub fn plural(n: i64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `12,345`
pub fn fmt_count(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_counts_and_times() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(1234567), "1,234,567");
        assert_eq!(fmt_count(-1000), "-1,000");
        assert_eq!(fmt_time(1_735_776_000_000), "2 Jan 2025, 00:00 UTC");
    }

    #[test]
    fn recent_times_are_relative_and_older_ones_local() {
        let now = 1_764_770_000_000; // 3 Dec 2025, 13:53:20 UTC
        assert_eq!(human_time(now - 20_000, now, 0), "just now");
        assert_eq!(human_time(now - 5 * 60_000, now, 0), "5 min ago");
        assert_eq!(human_time(now - 3 * 3_600_000, now, 0), "3 h ago");
        assert_eq!(human_time(now + 20 * 60_000, now, 0), "in 20 min");
        // Two days ago, in New York (UTC−5): the local clock, not UTC.
        assert_eq!(human_time(now - 48 * 3_600_000, now, -300), "1 Dec, 08:53");
        assert_eq!(human_time(1_735_776_000_000, now, 0), "2 Jan, 00:00");
        assert_eq!(human_time(1_704_153_600_000, now, 0), "2 Jan 2024, 00:00");
        assert_eq!(exact_time(now, -300), "Wed 3 Dec 2025, 08:53:20 UTC−05:00");
    }
}
