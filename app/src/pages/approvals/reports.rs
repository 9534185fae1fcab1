//! The approval queue's reports over a date range: per campaign type and per batch, as a chart
//! and tables, with CSV exports of the reports and of the audit trail.

use crate::api::approvals::approval_reports;
use crate::components::charts::{BarChart, Series};
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use warmline::approvals::Report;

fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_else(|| "—".into())
}

fn query(from: &str, to: &str) -> String {
    format!("from={}&to={}", urlencoding(from), urlencoding(to))
}

/// Dates are digits and dashes; anything else is dropped rather than sent.
fn urlencoding(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_digit() || *c == '-').collect()
}

#[component]
fn ReportTable(rows: Vec<Report>, first: &'static str, #[prop(optional)] testid: &'static str) -> impl IntoView {
    view! {
        <div class="overflow-x-auto">
            <table class="min-w-full divide-y divide-slate-200" data-testid=testid>
                <thead>
                    <tr>
                        <th class=TH>{first}</th>
                        <th class=TH>"Suggested"</th><th class=TH>"Approved"</th><th class=TH>"Rejected"</th><th class=TH>"Cancelled"</th>
                        <th class=TH>"Sent"</th><th class=TH>"Failed"</th><th class=TH>"Response rate"</th><th class=TH>"Opt-outs"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <td class=format!("{TD} font-medium text-slate-900")>{r.label.replace('_', " ")}</td>
                            <td class=TD>{r.suggested}</td><td class=TD>{r.approved}</td><td class=TD>{r.rejected}</td><td class=TD>{r.cancelled}</td>
                            <td class=TD>{r.sent}</td><td class=TD>{r.failed}</td>
                            <td class=TD>{format!("{} ({} of {})", pct(r.response_rate()), r.replied, r.sent)}</td>
                            <td class=TD>{format!("{} ({})", r.opted_out, pct(r.opt_out_rate()))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn ReportsSection() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let reports = Resource::new(move || (from.get(), to.get(), live.get()), |(f, t, _)| approval_reports(f, t));
    let series = || {
        vec![
            Series { name: "Sent", fill: "fill-slate-400" },
            Series { name: "Replied within 7 days", fill: "fill-emerald-500" },
            Series { name: "Opted out within 7 days", fill: "fill-red-500" },
        ]
    };
    view! {
        <Card class="mt-6 space-y-4 p-5">
            <div class="flex flex-wrap items-end justify-between gap-3">
                <div>
                    <h2 class="text-sm font-semibold text-slate-900">"Reports"</h2>
                    <p class="text-xs text-slate-500">"Suggestions made in the period, by campaign type and by batch. A reply or an opt-out counts when it comes within 7 days of the send."</p>
                </div>
                <div class="flex flex-wrap items-end gap-2">
                    <div><label class=LABEL for="report-from">"From"</label><input id="report-from" type="date" class=INPUT data-testid="report-from" bind:value=from /></div>
                    <div><label class=LABEL for="report-to">"To"</label><input id="report-to" type="date" class=INPUT data-testid="report-to" bind:value=to /></div>
                </div>
            </div>
            <div class="flex flex-wrap gap-2 text-sm">
                <a class=BTN_SECONDARY data-testid="export-report" rel="external" download="approvals-report.csv"
                    href=move || format!("/app/exports/approvals-report.csv?{}", query(&from.get(), &to.get()))>"Download report (CSV)"</a>
                <a class=BTN_SECONDARY data-testid="export-audit" rel="external" download="approvals-audit.csv"
                    href=move || format!("/app/exports/approvals-audit.csv?{}", query(&from.get(), &to.get()))>"Download audit trail (CSV)"</a>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match reports.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(r) if r.by_type.is_empty() => view! {
                            <Empty title="No suggestions in this period">{format!("Nothing was suggested from {} to {}. Generate a batch above, or pick a longer period.", r.days.0, r.days.1)}</Empty>
                        }.into_any(),
                        Ok(r) => {
                            let rows = r.by_type.iter().map(|x| (x.label.replace('_', " "), vec![x.sent, x.replied, x.opted_out])).collect();
                            view! {
                                <p class="text-xs text-slate-500" data-testid="report-period">{format!("{} to {}", r.days.0, r.days.1)}</p>
                                <div class="max-w-xl">
                                    <BarChart series=series() rows testid="report-chart" />
                                </div>
                                <h3 class="text-xs font-semibold uppercase tracking-wide text-slate-500">"By campaign type"</h3>
                                <ReportTable rows=r.by_type first="Campaign type" testid="report-by-type" />
                                <h3 class="text-xs font-semibold uppercase tracking-wide text-slate-500">"By batch"</h3>
                                <ReportTable rows=r.by_batch first="Batch" testid="report-by-batch" />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </Card>
    }
    .into_any()
}
