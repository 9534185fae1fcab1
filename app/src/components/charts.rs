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

/// One day of a [`DailyChart`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub sent: i64,
    pub delivered: i64,
    pub replied: i64,
    pub opted_out: i64,
}

fn short_day(day: &str) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mut it = day.split('-').skip(1);
    match (it.next().and_then(|m| m.parse::<usize>().ok()), it.next().and_then(|d| d.parse::<u32>().ok())) {
        (Some(m @ 1..=12), Some(d)) => format!("{} {d}", MONTHS[m - 1]),
        _ => day.to_string(),
    }
}

/// A daily series as two panels of columns, each on its own scale: sent with delivered inside
/// it, then replies beside opt-outs (a few replies would vanish on the scale of the sends).
/// Hovering or tapping a day writes its values under the chart; without a choice it shows
/// the last day.
#[component]
pub fn DailyChart(days: Vec<Day>, #[prop(optional)] testid: &'static str) -> impl IntoView {
    let n = days.len().max(1);
    let chosen = RwSignal::new(days.len().saturating_sub(1));
    let max_sent = days.iter().map(|d| d.sent).max().unwrap_or(0).max(1) as f64;
    let max_resp = days.iter().map(|d| d.replied.max(d.opted_out)).max().unwrap_or(0).max(1) as f64;
    // Each day is 10 units wide; the panels stretch to the width. A short period gets at least
    // a week's room, centred, so one day is a column rather than a wall.
    let slots = n.max(7);
    let width = slots * 10;
    let offset = ((slots - n) * 10 / 2) as f64;
    let h = |v: i64, max: f64| (v as f64 / max * 96.0).max(if v > 0 { 1.5 } else { 0.0 });
    let column = |i: usize, x: f64, w: f64, v: i64, max: f64, class: &'static str| {
        let hh = h(v, max);
        view! { <rect x=format!("{:.1}", offset + i as f64 * 10.0 + x) y=format!("{:.2}", 100.0 - hh) width=format!("{w:.1}") height=format!("{hh:.2}") class=class /> }
    };
    let hits = |days: &Vec<Day>| {
        days.iter()
            .enumerate()
            .map(|(i, d)| {
                let tip = format!("{}: {} sent, {} delivered, {} replies, {} opt-outs", short_day(&d.day), d.sent, d.delivered, d.replied, d.opted_out);
                view! {
                    <rect x=format!("{:.1}", offset + i as f64 * 10.0) y="0" width="10" height="100" class=move || if chosen.get() == i { "fill-orange-500/10" } else { "fill-transparent" }
                        on:mouseenter=move |_| chosen.set(i) on:click=move |_| chosen.set(i)>
                        <title>{tip}</title>
                    </rect>
                }
            })
            .collect_view()
    };
    let top = days.iter().enumerate().map(|(i, d)| view! { {column(i, 1.5, 7.0, d.sent, max_sent, "fill-slate-300")}{column(i, 3.0, 4.0, d.delivered, max_sent, "fill-emerald-500")} }).collect_view();
    let bottom = days.iter().enumerate().map(|(i, d)| view! { {column(i, 1.5, 3.5, d.replied, max_resp, "fill-sky-500")}{column(i, 5.0, 3.5, d.opted_out, max_resp, "fill-red-500")} }).collect_view();
    let (hits_top, hits_bottom) = (hits(&days), hits(&days));
    let first = days.first().map(|d| short_day(&d.day)).unwrap_or_default();
    let last = days.last().map(|d| short_day(&d.day)).unwrap_or_default();
    let readout = {
        let days = days.clone();
        move || {
            days.get(chosen.get()).map(|d| {
                view! {
                    <span class="font-medium text-slate-900">{short_day(&d.day)}</span>
                    <span>{format!("{} sent", d.sent)}</span>
                    <span class="text-emerald-700">{format!("{} delivered", d.delivered)}</span>
                    <span class="text-sky-700">{format!("{} {}", d.replied, if d.replied == 1 { "reply" } else { "replies" })}</span>
                    <span class="text-red-700">{format!("{} opt-out{}", d.opted_out, if d.opted_out == 1 { "" } else { "s" })}</span>
                }
            })
        }
    };
    let panel = |title: &'static str, max: f64, bars: AnyView, hits: AnyView| {
        view! {
            <div>
                <div class="flex justify-between text-[11px] text-slate-500"><span>{title}</span><span>{format!("max {}", max as i64)}</span></div>
                <svg class="mt-1 h-24 w-full rounded bg-slate-50" viewBox=format!("0 0 {width} 100") preserveAspectRatio="none" role="img" aria-label=title>
                    {bars}{hits}
                </svg>
            </div>
        }
    };
    view! {
        <figure data-testid=testid class="space-y-3">
            {panel("Sent and delivered", max_sent, top.into_any(), hits_top.into_any())}
            {panel("Replies and opt-outs", max_resp, bottom.into_any(), hits_bottom.into_any())}
            <div class="flex justify-between text-[11px] text-slate-500"><span>{first}</span><span>{last}</span></div>
            <figcaption class="flex flex-wrap gap-x-4 gap-y-1 rounded-md bg-white text-sm text-slate-600" data-testid="chart-readout" aria-live="polite">{readout}</figcaption>
        </figure>
    }
    .into_any()
}

/// A funnel: each stage as a bar scaled to the first, with its count and its share of the
/// first stage.
#[component]
pub fn FunnelChart(name: String, stages: Vec<(String, i64)>, #[prop(optional)] testid: &'static str) -> impl IntoView {
    let top = stages.first().map(|s| s.1).unwrap_or(0);
    let key = name.clone();
    if stages.iter().all(|(_, v)| *v == 0) {
        return view! {
            <figure data-testid=testid data-funnel=key>
                <figcaption class="text-sm font-semibold text-slate-900">{name.clone()}</figcaption>
                <p class="mt-1 text-xs text-slate-500">{format!("Nothing in this period yet: {}.", stages.iter().map(|(l, _)| l.to_lowercase()).collect::<Vec<_>>().join(" → "))}</p>
            </figure>
        }
        .into_any();
    }
    view! {
        <figure data-testid=testid data-funnel=key>
            <figcaption class="mb-2 text-sm font-semibold text-slate-900">{name}</figcaption>
            <ol class="space-y-2">
                {stages.into_iter().enumerate().map(|(i, (label, v))| {
                    let share = if top > 0 { v as f64 / top as f64 } else { 0.0 };
                    let pct = if i == 0 || top == 0 { String::new() } else { format!(" · {:.0}%", share * 100.0) };
                    view! {
                        <li>
                            <div class="flex justify-between text-xs text-slate-600"><span>{label}</span><span class="tabular-nums" data-testid="funnel-value">{format!("{v}{pct}")}</span></div>
                            <div class="mt-1 h-2.5 rounded-full bg-slate-100">
                                <div class="h-2.5 rounded-full bg-orange-500" style=format!("width: {:.1}%", if v > 0 { (share * 100.0).max(1.0) } else { 0.0 })></div>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </figure>
    }
    .into_any()
}
