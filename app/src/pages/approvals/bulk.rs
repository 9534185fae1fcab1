//! Many waiting items at once: tick them (or all), then approve or reject them with one
//! confirmation that shows the count. Items someone else changed meanwhile are skipped, and the
//! result says so.

use crate::api::approvals::DecideSuggestions;
use crate::components::ui::*;
use leptos::prelude::*;
use warmline::approvals::{BulkDecision, SuggestionId};

fn items(n: usize) -> String {
    format!("{n} suggestion{}", if n == 1 { "" } else { "s" })
}

/// The last bulk decision and what it was ("approved" or "rejected"). It belongs to the page,
/// so its result stays in view after the decided items leave the list.
#[derive(Clone, Copy)]
pub struct Bulk {
    pub decide: ServerAction<DecideSuggestions>,
    pub last: RwSignal<&'static str>,
    /// The open confirmations and the reason being typed (a live update rebuilds the bar).
    pub approve_open: RwSignal<bool>,
    pub reject_open: RwSignal<bool>,
    pub reason: RwSignal<String>,
}

impl Bulk {
    pub fn new() -> Bulk {
        Bulk { decide: ServerAction::new(), last: RwSignal::new("approved"), approve_open: RwSignal::new(false), reject_open: RwSignal::new(false), reason: RwSignal::new(String::new()) }
    }
}

/// What the last bulk decision did.
#[component]
pub fn BulkResult(bulk: Bulk) -> impl IntoView {
    let Bulk { decide, last, .. } = bulk;
    view! {
        {move || decide.value().get().map(|r| match r {
            Err(e) => view! { <div class="px-4 py-2"><ErrorNote error=e /></div> }.into_any(),
            Ok(o) => view! {
                <p class="border-b border-slate-100 bg-emerald-50 px-4 py-2 text-sm text-emerald-900" role="status" data-testid="bulk-result">
                    {format!("{} {}.", items(o.done as usize), last.get_untracked())}
                    {(!o.skipped.is_empty()).then(|| format!(" {} left as they were: {}.", o.skipped.len(), o.skipped.iter().map(|(_, why)| why.as_str()).collect::<Vec<_>>().join("; ")))}
                </p>
            }.into_any(),
        })}
    }
}

#[component]
pub fn BulkBar(bulk: Bulk, waiting: Vec<SuggestionId>, selected: RwSignal<Vec<SuggestionId>>, on_done: Callback<()>) -> impl IntoView {
    let Bulk { decide, last, approve_open, reject_open, reason } = bulk;
    let total = waiting.len();
    let all = StoredValue::new(waiting);
    let n = move || selected.with(|s| s.len());
    Effect::new(move |_| {
        if let Some(Ok(_)) = decide.value().get() {
            selected.set(Vec::new());
            reason.set(String::new());
            on_done.run(());
        }
    });
    let run = move |decision: BulkDecision| {
        last.set(if matches!(decision, BulkDecision::Approve) { "approved" } else { "rejected" });
        decide.dispatch(DecideSuggestions { ids: selected.get_untracked(), decision });
    };
    view! {
        <div class="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-slate-100 px-4 py-2 text-sm" data-testid="bulk-bar">
            <label class="inline-flex items-center gap-2 text-slate-700">
                <input type="checkbox" class="h-4 w-4 rounded border-slate-300 accent-orange-600" data-testid="select-all"
                    prop:checked=move || { total > 0 && n() == total }
                    on:change=move |ev| selected.set(if event_target_checked(&ev) { all.get_value() } else { Vec::new() }) />
                "Select all waiting"
            </label>
            <span class="text-slate-500" data-testid="selected-count">{move || format!("{} selected", n())}</span>
            <div class="ml-auto flex flex-wrap gap-2">
                <button type="button" class=BTN_PRIMARY data-testid="bulk-approve" disabled=move || n() == 0 || decide.pending().get()
                    on:click=move |_| approve_open.set(true)>{move || format!("Approve {}…", n())}</button>
                <button type="button" class=BTN_SECONDARY data-testid="bulk-reject" disabled=move || n() == 0 || decide.pending().get()
                    on:click=move |_| reject_open.set(true)>{move || format!("Reject {}…", n())}</button>
            </div>
        </div>
        <ConfirmDialog open=approve_open title="Approve the selected suggestions?" confirm_label=Signal::derive(move || format!("Approve {}", items(n())))
            on_confirm=Callback::new(move |_| run(BulkDecision::Approve))>
            <p data-testid="bulk-approve-summary">{move || format!("{} will be approved. Nothing is sent yet: they go out when their batch is approved with a plan.", items(n()))}</p>
        </ConfirmDialog>
        <ConfirmDialog open=reject_open title="Reject the selected suggestions?" danger=true confirm_label=Signal::derive(move || format!("Reject {}", items(n())))
            disabled=Signal::derive(move || reason.with(|r| r.trim().is_empty()))
            on_confirm=Callback::new(move |_| run(BulkDecision::Reject { reason: reason.get_untracked() }))>
            <p>{move || format!("{} will be rejected and never sent. The reason is kept in each one's history.", items(n()))}</p>
            <input class=INPUT placeholder="Why reject them?" aria-label="Why reject them?" data-testid="bulk-reason" bind:value=reason maxlength="500" />
        </ConfirmDialog>
    }
    .into_any()
}
