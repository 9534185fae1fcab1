//! The approval queue: suggested messages wait here for a person. Review them (approve, edit,
//! reject with a reason, cancel), generate a batch from a list with a template, and approve a
//! batch with a staggered plan that is shown before it is confirmed.

use crate::api::approvals::*;
use crate::components::layout::Live;
use crate::components::segment_builder::{SegmentBuilder, SegmentForm};
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use warmline::approvals::{Generate, Suggestion, SuggestionBatchId, SuggestionStatus, CAMPAIGN_TYPES, DEFAULT_BATCH_SIZE, DEFAULT_WINDOW_DAYS};
use warmline::sms::segments;

fn status_pill(s: SuggestionStatus) -> &'static str {
    match s {
        SuggestionStatus::Suggested => "bg-amber-100 text-amber-800",
        SuggestionStatus::Approved | SuggestionStatus::Scheduled => "bg-sky-100 text-sky-800",
        SuggestionStatus::Sent => "bg-emerald-100 text-emerald-800",
        SuggestionStatus::Rejected | SuggestionStatus::Cancelled => "bg-slate-100 text-slate-600",
        SuggestionStatus::Failed => "bg-red-100 text-red-700",
    }
}

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let status = RwSignal::new("suggested".to_string());
    let batch = RwSignal::new(None::<SuggestionBatchId>);
    let refresh = RwSignal::new(0u64);
    let queue = Resource::new(move || (status.get(), batch.get(), refresh.get(), live.get()), |(s, b, _, _)| load_queue(Some(s), b));
    let bump = move || refresh.update(|n| *n += 1);
    // Keyboard review: j/k move, a approves, e edits, r rejects the current item.
    let cursor = RwSignal::new(0usize);
    let count = RwSignal::new(0usize);
    let command = RwSignal::new(None::<Command>);
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing(&ev) {
            return;
        }
        let n = count.get_untracked();
        match ev.key().as_str() {
            "j" if n > 0 => cursor.update(|c| *c = (*c + 1).min(n - 1)),
            "k" => cursor.update(|c| *c = c.saturating_sub(1)),
            k @ ("a" | "e" | "r") if n > 0 => {
                ev.prevent_default();
                command.update(|c| *c = Some(Command { index: cursor.get_untracked(), key: k.chars().next().unwrap_or('a'), seq: c.map_or(0, |c| c.seq + 1) }));
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    let pause = ServerAction::<SetQueuePaused>::new();
    Effect::new(move |_| {
        if pause.value().get().is_some() {
            bump();
        }
    });
    let tab = move |value: &'static str, label: &'static str| {
        view! {
            <button type="button" data-testid=format!("tab-{value}")
                class=move || format!("rounded-md px-3 py-1 text-sm font-medium {}", if status.get() == value { "bg-slate-900 text-white" } else { "text-slate-600 hover:bg-slate-100" })
                on:click=move |_| status.set(value.to_string())>{label}</button>
        }
    };
    view! {
        <Title text="Approval queue" />
        <PageHeader title="Approval queue" subtitle="Suggested messages wait here for a person. Nothing is sent until someone approves it.">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let paused = queue.await.map(|q| q.paused).unwrap_or(false);
                    view! {
                        <div class="flex items-center gap-2">
                            <span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {}", if paused { "bg-red-100 text-red-700" } else { "bg-emerald-100 text-emerald-800" }) data-testid="queue-state">
                                {if paused { "Paused" } else { "Sending as planned" }}
                            </span>
                            <button type="button" class=BTN_SECONDARY data-testid="toggle-pause" disabled=move || pause.pending().get()
                                on:click=move |_| { pause.dispatch(SetQueuePaused { paused: !paused }); }>
                                {if paused { "Resume queue" } else { "Pause queue" }}
                            </button>
                        </div>
                    }
                })}
            </Transition>
        </PageHeader>
        <div class="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
            <Card>
                <div class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-3">
                    <div class="flex flex-wrap gap-1">
                        {tab("suggested", "Waiting")}{tab("approved", "Approved")}{tab("scheduled", "Scheduled")}{tab("sent", "Sent")}{tab("", "All")}
                    </div>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let batches = queue.await.map(|q| q.batches).unwrap_or_default();
                            view! {
                                <select class=format!("{INPUT} w-auto max-w-[16rem]") aria-label="Batch" data-testid="batch-filter"
                                    on:change=move |ev| batch.set(event_target_value(&ev).parse().ok())>
                                    <option value="" selected=move || batch.get().is_none()>"All batches"</option>
                                    {batches.into_iter().map(|b| {
                                        let id = b.id;
                                        view! { <option value=id.to_string() selected=move || batch.get() == Some(id)>{format!("{} ({})", b.name, b.campaign_type)}</option> }
                                    }).collect_view()}
                                </select>
                            }
                        })}
                    </Transition>
                </div>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match queue.await {
                            Err(e) => view! { <div class="p-4"><ErrorNote error=e /></div> }.into_any(),
                            Ok(q) if q.items.is_empty() => view! {
                                <Empty title="Nothing here">"Use Generate suggestions to draft messages for a list, or send them in through the API (POST /api/v1/suggestions)."</Empty>
                            }.into_any(),
                            Ok(q) => {
                                count.set(q.items.len());
                                cursor.update(|c| *c = (*c).min(q.items.len().saturating_sub(1)));
                                view! {
                                    <p class="hidden border-b border-slate-100 px-4 py-2 text-xs text-slate-500 sm:block" data-testid="key-hint">
                                        "Keys: " <kbd class=KBD>"j"</kbd>" / "<kbd class=KBD>"k"</kbd>" move · "<kbd class=KBD>"a"</kbd>" approve · "<kbd class=KBD>"e"</kbd>" edit · "<kbd class=KBD>"r"</kbd>" reject"
                                    </p>
                                    <ul class="divide-y divide-slate-100" data-testid="suggestions">
                                        {q.items.into_iter().enumerate().map(|(index, s)| view! { <Row item=s index cursor command on_change=Callback::new(move |_| bump()) /> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }
                        }
                    })}
                </Transition>
            </Card>
            <div class="space-y-6">
                {move || batch.get().map(|b| view! { <ReportCard batch=b /> })}
                <GenerateCard queue on_done=Callback::new(move |b: Option<SuggestionBatchId>| { batch.set(b); status.set("suggested".into()); bump(); }) />
                <PlanCard queue on_done=Callback::new(move |_| { status.set("scheduled".into()); bump(); }) />
            </div>
        </div>
    }
}

/// One suggestion: who, the text (with segments), why, and what a person can do with it.
/// A key pressed for the item at `index` (`seq` makes a repeated key a new command).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Command {
    index: usize,
    key: char,
    seq: u64,
}

const KBD: &str = "rounded border border-slate-300 bg-slate-50 px-1 font-mono text-[11px] text-slate-700";

/// Whether a key press is typing in a field (then it is not a shortcut).
fn typing(ev: &leptos::ev::KeyboardEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            return matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT");
        }
    }
    let _ = ev;
    false
}

#[component]
fn Row(item: Suggestion, index: usize, cursor: RwSignal<usize>, command: RwSignal<Option<Command>>, on_change: Callback<()>) -> impl IntoView {
    let id = item.id;
    let approve = ServerAction::<ApproveSuggestion>::new();
    let reject = ServerAction::<RejectSuggestion>::new();
    let cancel = ServerAction::<CancelSuggestion>::new();
    let editing = RwSignal::new(false);
    let rejecting = RwSignal::new(false);
    let draft = RwSignal::new(item.text.clone());
    let reason = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(approve.value().get(), Some(Ok(_))) || matches!(reject.value().get(), Some(Ok(_))) || matches!(cancel.value().get(), Some(Ok(_))) {
            on_change.run(());
        }
    });
    let error = move || approve.value().get().and_then(|r| r.err()).or_else(|| reject.value().get().and_then(|r| r.err())).or_else(|| cancel.value().get().and_then(|r| r.err()));
    let info = segments::analyze(&item.text);
    let context: Vec<(String, String)> = item.context.as_object().map(|o| o.iter().filter(|(k, _)| k.as_str() != "writer").map(|(k, v)| (k.replace('_', " "), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect()).unwrap_or_default();
    let waiting = item.status == SuggestionStatus::Suggested;
    let can_cancel = matches!(item.status, SuggestionStatus::Suggested | SuggestionStatus::Approved | SuggestionStatus::Scheduled);
    let busy = move || approve.pending().get() || reject.pending().get() || cancel.pending().get();
    let current = move || cursor.get() == index;
    // Only keys pressed after this row appeared: a row that takes the place of one just approved
    // must not act on the key that approved it.
    let before = command.get_untracked().map(|c| c.seq);
    Effect::new(move |_| {
        let Some(c) = command.get() else { return };
        if before.is_some_and(|b| c.seq <= b) || c.index != index || !waiting || busy() {
            return;
        }
        match c.key {
            'a' => {
                approve.dispatch(ApproveSuggestion { id, text: editing.get_untracked().then(|| draft.get_untracked()) });
            }
            'e' => editing.set(true),
            'r' => rejecting.set(true),
            _ => {}
        }
    });
    view! {
        <li class=move || format!("space-y-2 px-4 py-3 {}", if current() { "bg-orange-50/60 ring-2 ring-inset ring-orange-300" } else { "" })
            data-testid="suggestion" data-status=item.status.as_str() data-current=move || current().to_string()>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <p class="text-sm">
                    <a class="font-medium text-slate-900 hover:text-orange-700" href=format!("/contacts/{}", item.contact_id)>{item.contact_name.clone()}</a>
                    <span class="ml-2 font-mono text-xs text-slate-500">{warmline::phone::display(&item.phone)}</span>
                </p>
                <span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {}", status_pill(item.status)) data-testid="suggestion-status">{item.status.as_str()}</span>
            </div>
            <Show when=move || editing.get() fallback={
                let text = item.text.clone();
                move || view! { <p class="whitespace-pre-wrap break-words rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-800" data-testid="suggestion-text">{text.clone()}</p> }
            }>
                <textarea class=INPUT rows="3" aria-label="Message" data-testid="edit-text" bind:value=draft maxlength=warmline::limits::MESSAGE></textarea>
            </Show>
            <p class="text-xs text-slate-500">
                {format!("{} segment{} · {} · suggested by {}", info.segments, if info.segments == 1 { "" } else { "s" }, item.campaign_type, item.suggested_by)}
                {item.send_at.map(|t| view! { " · sends " <Time ms=t /> })}
                {item.reason.clone().map(|r| format!(" · {r}"))}
            </p>
            {(!context.is_empty()).then(|| view! {
                <div class="flex flex-wrap gap-1" aria-label="Why this message">
                    {context.into_iter().map(|(k, v)| view! { <span class="rounded bg-violet-50 px-2 py-0.5 text-xs text-violet-800">{format!("{k}: {v}")}</span> }).collect_view()}
                </div>
            })}
            <Show when=move || rejecting.get()>
                <div class="flex flex-wrap gap-2">
                    <input class=format!("{INPUT} min-w-0 flex-1") aria-label="Why reject it?" placeholder="Why reject it?" data-testid="reject-reason" bind:value=reason />
                    <button type="button" class=BTN_DANGER data-testid="reject-confirm" disabled=move || busy() || reason.with(|r| r.trim().is_empty())
                        on:click=move |_| { reject.dispatch(RejectSuggestion { id, reason: reason.get_untracked() }); }>"Reject"</button>
                </div>
            </Show>
            <div class="flex flex-wrap gap-2">
                {waiting.then(|| view! {
                    <button type="button" class=BTN_PRIMARY data-testid="approve" disabled=busy
                        on:click=move |_| { approve.dispatch(ApproveSuggestion { id, text: editing.get_untracked().then(|| draft.get_untracked()) }); }>
                        {move || if editing.get() { "Save and approve" } else { "Approve" }}
                    </button>
                    <button type="button" class=BTN_SECONDARY data-testid="edit" on:click=move |_| editing.update(|e| *e = !*e)>{move || if editing.get() { "Stop editing" } else { "Edit" }}</button>
                    <button type="button" class=BTN_SECONDARY data-testid="reject" on:click=move |_| rejecting.update(|r| *r = !*r)>"Reject…"</button>
                })}
                {can_cancel.then(|| view! {
                    <button type="button" class="text-sm font-medium text-slate-500 hover:text-red-700" data-testid="cancel" disabled=busy
                        on:click=move |_| { cancel.dispatch(CancelSuggestion { id }); }>"Cancel"</button>
                })}
            </div>
            {move || error().map(|e| view! { <ErrorNote error=e /> })}
        </li>
    }
}

/// Generate a batch from a segment with a template (or the AI writer).
#[component]
fn GenerateCard(queue: Resource<Result<QueueView, crate::error::AppError>>, on_done: Callback<Option<SuggestionBatchId>>) -> impl IntoView {
    let generate = ServerAction::<GenerateSuggestions>::new();
    let segment = SegmentForm::default();
    let kind = RwSignal::new("retention".to_string());
    let name = RwSignal::new(String::new());
    let template = RwSignal::new("Hi {{ first_name | default(\"there\") }}, we haven't seen you in a while. Here's 10% off your next visit this week. Reply STOP to opt out.".to_string());
    let size = RwSignal::new(DEFAULT_BATCH_SIZE.to_string());
    let brief = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(g)) = generate.value().get() {
            on_done.run(g.batch_id);
        }
    });
    view! {
        <Card class="space-y-3 p-5">
            <h2 class="text-sm font-semibold text-slate-900">"Generate suggestions"</h2>
            <div>
                <h3 class="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">"Who"</h3>
                <SegmentBuilder form=segment />
            </div>
            <div class="grid grid-cols-2 gap-2">
                <div>
                    <label class=LABEL for="gen-type">"Type"</label>
                    <select id="gen-type" class=INPUT on:change=move |ev| kind.set(event_target_value(&ev))>
                        {CAMPAIGN_TYPES.into_iter().map(|t| view! { <option value=t selected=move || kind.get() == t>{t.replace('_', " ")}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label class=LABEL for="gen-size">"How many"</label>
                    <input id="gen-size" class=INPUT type="number" min="1" max="1000" bind:value=size />
                </div>
            </div>
            <div>
                <label class=LABEL for="gen-name">"Batch name"</label>
                <input id="gen-name" class=INPUT placeholder="60-day win-back" bind:value=name maxlength="120" />
            </div>
            <div>
                <label class=LABEL for="gen-template">"Message"</label>
                <textarea id="gen-template" class=INPUT rows="4" data-testid="gen-template" bind:value=template maxlength=warmline::limits::MESSAGE></textarea>
                <p class="mt-1 text-xs text-slate-400">{format!("Merge fields such as {{{{ first_name }}}} work as in campaigns. Opted-out, flagged and unreachable contacts, and anyone suggested in the last {DEFAULT_WINDOW_DAYS} days, are left out.")}</p>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    queue.await.map(|q| q.ai_writer).unwrap_or(false).then(|| view! {
                        <div>
                            <label class=LABEL for="gen-brief">"Brief for the AI writer (optional)"</label>
                            <textarea id="gen-brief" class=INPUT rows="2" bind:value=brief maxlength="1000" placeholder="We miss them; 10% off their favourite category this week"></textarea>
                            <p class="mt-1 text-xs text-slate-400">"Each contact gets their own draft. A draft that fails or breaks a rule (no business name, a link, no opt-out wording) falls back to the message above, and says so."</p>
                        </div>
                    })
                })}
            </Transition>
            <button type="button" class=format!("{BTN_PRIMARY} w-full") data-testid="generate" disabled=move || generate.pending().get()
                on:click=move |_| {
                    generate.dispatch(GenerateSuggestions { generate: Generate {
                        segment: segment.segment_untracked(), campaign_type: kind.get_untracked(), name: Some(name.get_untracked()), template: template.get_untracked(),
                        size: size.get_untracked().trim().parse().unwrap_or(0), window_days: DEFAULT_WINDOW_DAYS,
                        brief: Some(brief.get_untracked()).filter(|b| !b.trim().is_empty()),
                    } });
                }>"Generate"</button>
            {move || generate.value().get().map(|r| match r {
                Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                Ok(g) => {
                    let l = g.left_out;
                    view! {
                        <p class="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900" role="status" data-testid="generate-result">
                            {format!("{} suggestion{} added for review.", g.added, if g.added == 1 { "" } else { "s" })}
                            {format!(" Left out: {} opted out, {} flagged, {} unreachable, {} suggested recently, {} the template couldn't fill.", l.opted_out, l.flagged, l.unreachable, l.recent, l.template_failed)}
                            {g.ai.map(|a| format!(" The AI wrote {}; {} fell back to the template{}.", a.written, a.fell_back, a.first_reason.map(|r| format!(" ({r})")).unwrap_or_default()))}
                        </p>
                    }.into_any()
                }
            })}
        </Card>
    }
    .into_any()
}

/// Approve a batch: a start time and a gap range give a plan, shown before it is confirmed.
#[component]
fn PlanCard(queue: Resource<Result<QueueView, crate::error::AppError>>, on_done: Callback<()>) -> impl IntoView {
    let plan = ServerAction::<PlanBatch>::new();
    let approve = ServerAction::<ApproveBatch>::new();
    let batch = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let gap_min = RwSignal::new("1".to_string());
    let gap_max = RwSignal::new("15".to_string());
    let confirm_open = RwSignal::new(false);
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
                    let (batches, per_minute, per_hour, zone) = q.map(|q| (q.batches, q.per_minute, q.per_hour, q.org_timezone)).unwrap_or_default();
                    let waiting: Vec<_> = batches.into_iter().filter(|b| b.counts.iter().any(|(s, n)| matches!(s, SuggestionStatus::Suggested | SuggestionStatus::Approved) && *n > 0)).collect();
                    view! {
                        <select class=INPUT aria-label="Batch to approve" data-testid="plan-batch" on:change=move |ev| batch.set(event_target_value(&ev))>
                            <option value="">{if waiting.is_empty() { "No batch is waiting" } else { "Choose a batch" }}</option>
                            {waiting.into_iter().map(|b| view! { <option value=b.id.to_string() selected=move || batch.get() == b.id.to_string()>{b.name.clone()}</option> }).collect_view()}
                        </select>
                        <p class="text-xs text-slate-500">{format!("Start (in {zone}; empty: tomorrow 10:00). At most {per_minute} a minute and {per_hour} an hour.")}</p>
                    }
                })}
            </Transition>
            <input class=INPUT type="datetime-local" aria-label="Start" data-testid="plan-start" bind:value=start />
            <div class="grid grid-cols-2 gap-2">
                <div><label class=LABEL for="gap-min">"Gap from (min)"</label><input id="gap-min" class=INPUT type="number" min="0" data-testid="gap-min" bind:value=gap_min /></div>
                <div><label class=LABEL for="gap-max">"to (min)"</label><input id="gap-max" class=INPUT type="number" min="0" data-testid="gap-max" bind:value=gap_max /></div>
            </div>
            <button type="button" class=format!("{BTN_SECONDARY} w-full") data-testid="preview-plan" disabled=move || plan.pending().get() || batch.with(|b| b.is_empty())
                on:click=move |_| { if let Some((b, s, lo, hi)) = args() { approve.value().set(None); plan.dispatch(PlanBatch { batch: b, start: s, gap_min: lo, gap_max: hi }); } }>"Show the planned times"</button>
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

/// How the chosen batch did: outcomes, and replies and opt-outs within 7 days of each send.
#[component]
fn ReportCard(batch: SuggestionBatchId) -> impl IntoView {
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
