//! The approval queue: suggested messages wait here for a person. Review them (approve, edit,
//! reject with a reason, cancel; many at once), generate a batch from a segment, send a test to
//! the team's own numbers, approve a batch with a staggered plan that is shown before it is
//! confirmed, and see how batches did.

mod batch_report;
mod bulk;
mod generate;
mod plan;
mod reports;
mod row;

use crate::api::approvals::*;
use crate::components::layout::Live;
use crate::components::ui::*;
use batch_report::ReportCard;
use bulk::{Bulk, BulkBar, BulkResult};
use generate::GenerateCard;
use leptos::prelude::*;
use leptos_meta::Title;
use plan::PlanCard;
use reports::ReportsSection;
use row::{typing, Command, Row, KBD};
use warmline::approvals::{SuggestionBatchId, SuggestionId, SuggestionStatus, CAMPAIGN_TYPES};

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let status = RwSignal::new("suggested".to_string());
    let batch = RwSignal::new(None::<SuggestionBatchId>);
    let refresh = RwSignal::new(0u64);
    // Items ticked for a bulk decision (waiting items only).
    let selected = RwSignal::new(Vec::<SuggestionId>::new());
    let bulk = Bulk::new();
    // Items whose history is open.
    let open_history = RwSignal::new(Vec::<SuggestionId>::new());
    let row_states = row::RowStates::new();
    let kind = RwSignal::new(String::new());
    let queue = Resource::new(move || (status.get(), batch.get(), kind.get(), refresh.get(), live.get()), |(s, b, k, _, _)| load_queue(Some(s), b, Some(k)));
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
            k @ ("a" | "e" | "r" | "x") if n > 0 => {
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
                            // The usual types and any a batch uses.
                            let mut types: Vec<String> = CAMPAIGN_TYPES.iter().map(|t| t.to_string()).collect();
                            for b in &batches {
                                if !types.contains(&b.campaign_type) {
                                    types.push(b.campaign_type.clone());
                                }
                            }
                            view! {
                                <div class="flex flex-wrap gap-2">
                                <select class=format!("{INPUT} w-auto") aria-label="Type" data-testid="type-filter"
                                    on:change=move |ev| kind.set(event_target_value(&ev))>
                                    <option value="" selected=move || kind.with(|k| k.is_empty())>"All types"</option>
                                    {types.into_iter().map(|t| {
                                        let label = t.replace('_', " ");
                                        let value = t.clone();
                                        view! { <option value=value selected=move || kind.with(|k| *k == t)>{label}</option> }
                                    }).collect_view()}
                                </select>
                                <select class=format!("{INPUT} w-auto max-w-[16rem]") aria-label="Batch" data-testid="batch-filter"
                                    on:change=move |ev| batch.set(event_target_value(&ev).parse().ok())>
                                    <option value="" selected=move || batch.get().is_none()>"All batches"</option>
                                    {batches.into_iter().map(|b| {
                                        let id = b.id;
                                        view! { <option value=id.to_string() selected=move || batch.get() == Some(id)>{format!("{} ({})", b.name, b.campaign_type)}</option> }
                                    }).collect_view()}
                                </select>
                                </div>
                            }
                        })}
                    </Transition>
                </div>
                <BulkResult bulk />
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
                                let waiting: Vec<SuggestionId> = q.items.iter().filter(|s| s.status == SuggestionStatus::Suggested).map(|s| s.id).collect();
                                // What left the waiting state is no longer selected.
                                if selected.with_untracked(|s| s.iter().any(|id| !waiting.contains(id))) {
                                    selected.update(|s| s.retain(|id| waiting.contains(id)));
                                }
                                view! {
                                    {(!waiting.is_empty()).then(|| view! { <BulkBar bulk waiting selected on_done=Callback::new(move |_| bump()) /> })}
                                    <p class="hidden border-b border-slate-100 px-4 py-2 text-xs text-slate-500 sm:block" data-testid="key-hint">
                                        "Keys: " <kbd class=KBD>"j"</kbd>" / "<kbd class=KBD>"k"</kbd>" move · "<kbd class=KBD>"a"</kbd>" approve · "<kbd class=KBD>"e"</kbd>" edit · "<kbd class=KBD>"r"</kbd>" reject · "<kbd class=KBD>"x"</kbd>" select"
                                    </p>
                                    <ul class="divide-y divide-slate-100" data-testid="suggestions">
                                        {q.items.into_iter().enumerate().map(|(index, s)| view! { <Row item=s index cursor command selected open_history states=row_states on_change=Callback::new(move |_| bump()) /> }).collect_view()}
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
                <PlanCard queue selected on_done=Callback::new(move |_| { status.set("scheduled".into()); bump(); }) />
            </div>
        </div>
        <ReportsSection />
    }
}

