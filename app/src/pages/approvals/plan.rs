//! Approving a batch: a test send to the team's own numbers (required first when Settings say
//! so), then a start time and a gap range give a plan, shown before it is confirmed.

use crate::api::approvals::*;
use crate::components::ui::*;
use leptos::prelude::*;
use warmline::approvals::{SuggestionBatchId, SuggestionId, SuggestionStatus, TestMode};

/// Approve a batch: a start time and a gap range give a plan, shown before it is confirmed.
#[component]
pub fn PlanCard(queue: Resource<Result<QueueView, crate::error::AppError>>, selected: RwSignal<Vec<SuggestionId>>, on_done: Callback<()>) -> impl IntoView {
    let plan = ServerAction::<PlanBatch>::new();
    let approve = ServerAction::<ApproveBatch>::new();
    let batch = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let gap_min = RwSignal::new("1".to_string());
    let gap_max = RwSignal::new("15".to_string());
    let confirm_open = RwSignal::new(false);
    let test = ServerAction::<SendTestMessages>::new();
    let args = move || -> Option<(SuggestionBatchId, String, u32, u32)> {
        Some((batch.get_untracked().parse().ok()?, start.get_untracked(), gap_min.get_untracked().trim().parse().ok()?, gap_max.get_untracked().trim().parse().ok()?))
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = approve.value().get() {
            on_done.run(());
        }
    });
    let planned = move || plan.value().get().and_then(|r| r.ok()).unwrap_or_default();
    let confirm = Callback::new(move |_| {
        if let Some((b, s, lo, hi)) = args() {
            approve.dispatch(ApproveBatch { batch: b, start: s, gap_min: lo, gap_max: hi });
        }
    });
    view! {
        <ConfirmDialog open=confirm_open title="Approve and schedule this batch?" confirm_label=Signal::derive(move || format!("Approve and schedule {}", planned().len())) on_confirm=confirm>
            <p>{move || format!("{} messages go out between the times shown, each in its recipient's daytime, through the send gate.", planned().len())}</p>
        </ConfirmDialog>
        <Card class="space-y-3 p-5">
            <h2 class="text-sm font-semibold text-slate-900">"Approve a batch"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let q = queue.await.ok();
                    let (batches, per_minute, per_hour, zone, test_mode, items) = q.map(|q| (q.batches, q.per_minute, q.per_hour, q.org_timezone, q.test_mode, q.items)).unwrap_or_default();
                    let items: Vec<(SuggestionId, SuggestionBatchId)> = items.iter().map(|s| (s.id, s.batch_id)).collect();
                    let waiting: Vec<_> = batches.into_iter().filter(|b| b.counts.iter().any(|(s, n)| matches!(s, SuggestionStatus::Suggested | SuggestionStatus::Approved) && *n > 0)).collect();
                    view! {
                        <select class=INPUT aria-label="Batch to approve" data-testid="plan-batch" on:change=move |ev| batch.set(event_target_value(&ev))>
                            <option value="">{if waiting.is_empty() { "No batch is waiting" } else { "Choose a batch" }}</option>
                            {waiting.into_iter().map(|b| view! { <option value=b.id.to_string() selected=move || batch.get() == b.id.to_string()>{b.name.clone()}</option> }).collect_view()}
                        </select>
                        <p class="text-xs text-slate-500">{format!("Start (in {zone}; empty: tomorrow 10:00). At most {per_minute} a minute and {per_hour} an hour.")}</p>
                        <TestSend mode=test_mode test batch selected items />
                    }
                })}
            </Transition>
            <input class=INPUT type="datetime-local" aria-label="Start" data-testid="plan-start" bind:value=start />
            <div class="grid grid-cols-2 gap-2">
                <div><label class=LABEL for="gap-min">"Gap from (min)"</label><input id="gap-min" class=INPUT type="number" min="0" data-testid="gap-min" bind:value=gap_min /></div>
                <div><label class=LABEL for="gap-max">"to (min)"</label><input id="gap-max" class=INPUT type="number" min="0" data-testid="gap-max" bind:value=gap_max /></div>
            </div>
            <button type="button" class=format!("{BTN_SECONDARY} w-full") data-testid="preview-plan" disabled=move || plan.pending().get() || batch.with(|b| b.is_empty())
                on:click=move |_| { if let Some((b, s, lo, hi)) = args() { approve.value().set(None); test.value().set(None); plan.dispatch(PlanBatch { batch: b, start: s, gap_min: lo, gap_max: hi }); } }>"Show the planned times"</button>
            // Once the batch is approved, its plan gives way to the result.
            {move || plan.value().get().filter(|_| approve.value().get().is_none()).map(|r| match r {
                Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                Ok(items) => view! {
                    <ol class="max-h-48 space-y-1 overflow-y-auto text-xs text-slate-600" data-testid="plan">
                        {items.iter().map(|p| view! { <li><Time ms=p.send_at /></li> }).collect_view()}
                    </ol>
                    <button type="button" class=format!("{BTN_PRIMARY} w-full") data-testid="approve-batch" disabled=move || approve.pending().get()
                        on:click=move |_| confirm_open.set(true)>{format!("Approve and schedule {}…", items.len())}</button>
                }.into_any(),
            })}
            {move || approve.value().get().map(|r| match r {
                Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                Ok(items) => view! { <p class="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900" role="status" data-testid="approve-batch-result">{format!("{} scheduled.", items.len())}</p> }.into_any(),
            })}
        </Card>
    }
}

/// "Send test": the chosen items of this batch (or its first few) to the test numbers, marked
/// as a test; the items keep their state.
#[component]
fn TestSend(mode: TestMode, test: ServerAction<SendTestMessages>, batch: RwSignal<String>, selected: RwSignal<Vec<SuggestionId>>, items: Vec<(SuggestionId, SuggestionBatchId)>) -> impl IntoView {
    if mode.numbers.is_empty() {
        return view! {
            <p class="text-xs text-slate-500" data-testid="test-numbers-missing">
                "To send a test to your own phone first, add test numbers in "<a class="font-medium text-orange-700 hover:underline" href="/settings/business">"Settings → Business"</a>"."
            </p>
        }
        .into_any();
    }
    let numbers = mode.numbers.iter().map(|n| warmline::phone::display(n)).collect::<Vec<_>>().join(", ");
    // Ticked items of the chosen batch; none means its first few.
    let chosen = move || -> Vec<SuggestionId> {
        let b: Option<SuggestionBatchId> = batch.get().parse().ok();
        selected.with(|s| s.iter().copied().filter(|id| items.iter().any(|(i, ib)| i == id && Some(*ib) == b)).collect())
    };
    let chosen = Memo::new(move |_| chosen());
    view! {
        <div class="space-y-2 rounded-lg border border-dashed border-slate-300 p-3">
            <p class="text-xs text-slate-600">
                {format!("Test numbers: {numbers}.")}
                {mode.require_test.then_some(" A test send is required before a batch is approved.")}
            </p>
            <button type="button" class=format!("{BTN_SECONDARY} w-full") data-testid="send-test" disabled=move || test.pending().get() || batch.with(|b| b.is_empty())
                on:click=move |_| {
                    if let Ok(b) = batch.get_untracked().parse() {
                        test.dispatch(SendTestMessages { batch: b, items: chosen.get_untracked() });
                    }
                }>
                {move || match chosen.get().len() {
                    0 => "Send a test of the first few".to_string(),
                    n => format!("Send a test of the {n} selected"),
                }}
            </button>
            {move || test.value().get().map(|r| match r {
                Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                Ok(t) => view! {
                    <p class="rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-900" role="status" data-testid="test-result">
                        {format!("Test sent: {} message{} to {}. The items are unchanged.", t.sent, if t.sent == 1 { "" } else { "s" }, t.numbers.iter().map(|n| warmline::phone::display(n)).collect::<Vec<_>>().join(", "))}
                        {(!t.notes.is_empty()).then(|| format!(" {}", t.notes.join("; ")))}
                    </p>
                }.into_any(),
            })}
        </div>
    }
    .into_any()
}
