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
pub const BTN_SECONDARY: &str = "inline-flex items-center justify-center gap-2 rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 disabled:opacity-50";
pub const INPUT: &str = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-orange-500 focus:outline-none focus:ring-2 focus:ring-orange-500/30 disabled:cursor-not-allowed disabled:bg-slate-100 disabled:text-slate-400";
pub const LABEL: &str = "mb-1 block text-sm font-medium text-slate-700";
pub const TH: &str = "px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
pub const TD: &str = "px-4 py-3 text-sm text-slate-700";

/// Epoch milliseconds as `21 Nov 2026, 14:03 UTC` (the same on server and browser).
pub fn fmt_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%-d %b %Y, %H:%M UTC").to_string()).unwrap_or_default()
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
}
