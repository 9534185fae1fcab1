//! Generating a batch: a segment, a type, a size and a template (or a brief for the AI writer).

use crate::api::approvals::*;
use crate::components::segment_builder::{SegmentBuilder, SegmentForm};
use crate::components::ui::*;
use leptos::prelude::*;
use warmline::approvals::{Generate, SuggestionBatchId, CAMPAIGN_TYPES, DEFAULT_BATCH_SIZE, DEFAULT_WINDOW_DAYS};

/// Generate a batch from a segment with a template (or the AI writer).
#[component]
pub fn GenerateCard(queue: Resource<Result<QueueView, crate::error::AppError>>, on_done: Callback<Option<SuggestionBatchId>>) -> impl IntoView {
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

