//! A lead score as a coloured badge: the number and its band.

use leptos::prelude::*;
use warmline::scoring::Band;

pub fn band_class(band: Band) -> &'static str {
    match band {
        Band::Hot => "bg-red-100 text-red-800 ring-red-200",
        Band::Warm => "bg-orange-100 text-orange-800 ring-orange-200",
        Band::Qualified => "bg-amber-50 text-amber-800 ring-amber-200",
        Band::Cold => "bg-sky-50 text-sky-800 ring-sky-200",
        Band::Unqualified => "bg-slate-100 text-slate-600 ring-slate-200",
    }
}

#[component]
pub fn ScoreBadge(score: i32, band: Band) -> impl IntoView {
    view! {
        <span class=format!("inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {}", band_class(band))
            title=format!("Lead score {score} of 100: {}", band.label())>
            <span class="tabular-nums font-semibold">{score}</span>
            <span>{band.label()}</span>
        </span>
    }
}
