//! How the chosen batch did.

use crate::api::approvals::batch_report;
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use warmline::approvals::SuggestionBatchId;

/// How the chosen batch did: outcomes, and replies and opt-outs within 7 days of each send.
#[component]
pub fn ReportCard(batch: SuggestionBatchId) -> impl IntoView {
    let live = expect_context::<Live>().0;
    let report = Resource::new(move || live.get(), move |_| batch_report(batch));
    let pct = |r: Option<f64>| r.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_else(|| "—".into());
    view! {
        <Card class="p-5">
            <h2 class="text-sm font-semibold text-slate-900">"How this batch did"</h2>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(r) => view! {
                            <dl class="mt-3 grid grid-cols-3 gap-3 text-center" data-testid="batch-report">
                                <div><dt class="text-xs text-slate-500">"Suggested"</dt><dd class="text-lg font-semibold text-slate-900">{r.suggested}</dd></div>
                                <div><dt class="text-xs text-slate-500">"Approved"</dt><dd class="text-lg font-semibold text-slate-900">{r.approved}</dd></div>
                                <div><dt class="text-xs text-slate-500">"Sent"</dt><dd class="text-lg font-semibold text-slate-900" data-testid="report-sent">{r.sent}</dd></div>
                                <div><dt class="text-xs text-slate-500">"Rejected"</dt><dd class="text-lg font-semibold text-slate-900">{r.rejected}</dd></div>
                                <div><dt class="text-xs text-slate-500">"Cancelled"</dt><dd class="text-lg font-semibold text-slate-900">{r.cancelled}</dd></div>
                                <div><dt class="text-xs text-slate-500">"Failed"</dt><dd class="text-lg font-semibold text-slate-900">{r.failed}</dd></div>
                            </dl>
                            <p class="mt-3 text-sm text-slate-700" data-testid="report-rates">
                                {format!("Response rate {} ({} of {} replied within 7 days) · opt-outs {}", pct(r.response_rate()), r.replied, r.sent, pct(r.opt_out_rate()))}
                            </p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
}
