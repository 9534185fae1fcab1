//! Small SVG charts that need no JavaScript: they scale to their container, read on a phone,
//! and show each value as text (and as a tooltip on hover).

use leptos::prelude::*;

/// One series of a bar chart: its name and its Tailwind fill class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Series {
    pub name: &'static str,
    pub fill: &'static str,
}

/// Grouped horizontal bars: one group per row (`label`, one value per series), scaled to the
/// largest value, with a legend.
#[component]
pub fn BarChart(series: Vec<Series>, rows: Vec<(String, Vec<i64>)>, #[prop(optional)] testid: &'static str) -> impl IntoView {
    const LABEL_H: f64 = 18.0;
    const BAR_H: f64 = 14.0;
    const GAP: f64 = 14.0;
    let max = rows.iter().flat_map(|(_, v)| v.iter().copied()).max().unwrap_or(0).max(1) as f64;
    let group_h = LABEL_H + BAR_H * series.len() as f64 + GAP;
    let height = group_h * rows.len() as f64;
    // Bars use 80% of the width; the value is written after each bar.
    let groups = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, values))| {
            let y0 = i as f64 * group_h;
            let bars = values
                .into_iter()
                .zip(series.iter().copied())
                .enumerate()
                .map(|(j, (v, s))| {
                    let y = y0 + LABEL_H + j as f64 * BAR_H;
                    let w = (v as f64 / max * 80.0).max(if v > 0 { 0.5 } else { 0.0 });
                    view! {
                        <rect x="0" y=format!("{y:.1}") width=format!("{w:.2}%") height=format!("{:.1}", BAR_H - 3.0) rx="2" class=s.fill>
                            <title>{format!("{}: {}", s.name, v)}</title>
                        </rect>
                        <text x=format!("{:.2}%", w + 1.0) y=format!("{:.1}", y + BAR_H - 5.0) class="fill-slate-600 text-[10px]">{v.to_string()}</text>
                    }
                })
                .collect_view();
            view! {
                <text x="0" y=format!("{:.1}", y0 + 12.0) class="fill-slate-800 text-[11px] font-medium">{label}</text>
                {bars}
            }
        })
        .collect_view();
    view! {
        <figure data-testid=testid>
            <svg class="w-full" height=format!("{height:.0}") role="img" aria-label="Chart">
                {groups}
            </svg>
            <figcaption class="mt-2 flex flex-wrap gap-3 text-xs text-slate-600">
                {series.into_iter().map(|s| view! {
                    <span class="inline-flex items-center gap-1">
                        <svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" rx="2" class=s.fill /></svg>
                        {s.name}
                    </span>
                }).collect_view()}
            </figcaption>
        </figure>
    }
    .into_any()
}
