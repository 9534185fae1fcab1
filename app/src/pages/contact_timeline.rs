//! The contact's timeline: everything that happened to them, oldest first — added or imported,
//! lists, consent, messages each way with their status, campaign steps, warm lead, approvals,
//! lead offers and payments. Live.

use crate::api::analytics::contact_timeline;
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use warmline::ContactId;

/// How many of the latest events show before "Show all".
const FIRST: usize = 30;

fn dot(kind: &str) -> &'static str {
    match kind {
        "message_out" => "bg-orange-500",
        "message_in" => "bg-sky-500",
        "consent" => "bg-violet-500",
        "warm_lead" => "bg-emerald-500",
        "lead_offer" => "bg-amber-500",
        "campaign" => "bg-slate-500",
        _ => "bg-slate-300",
    }
}

#[component]
pub fn TimelineCard(contact_id: ContactId) -> impl IntoView {
    let live = expect_context::<Live>().0;
    let all = RwSignal::new(false);
    let data = Resource::new(move || (contact_id, live.get()), |(id, _)| contact_timeline(id));
    view! {
        <Card class="mt-6 p-6">
            <h3 class="text-sm font-semibold text-slate-900">"Timeline"</h3>
            <p class="mt-1 text-xs text-slate-500">"Everything that happened with this contact, oldest first."</p>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(events) => {
                            let total = events.len();
                            let hidden = if all.get() { 0 } else { total.saturating_sub(FIRST) };
                            view! {
                                {(hidden > 0).then(|| view! {
                                    <button type="button" class="mt-3 text-sm font-medium text-orange-700 hover:underline" data-testid="timeline-show-all" on:click=move |_| all.set(true)>
                                        {format!("Show {hidden} earlier event{}", if hidden == 1 { "" } else { "s" })}
                                    </button>
                                })}
                                <ol class="mt-4 space-y-4 border-l border-slate-200 pl-4" data-testid="contact-timeline">
                                    {events.into_iter().skip(hidden).map(|e| view! {
                                        <li class="relative" data-kind=e.kind.clone()>
                                            <span class=format!("absolute -left-[21px] top-1.5 h-2.5 w-2.5 rounded-full ring-4 ring-white {}", dot(&e.kind)) aria-hidden="true"></span>
                                            <div class="flex flex-wrap items-baseline justify-between gap-x-3">
                                                <p class="text-sm font-medium text-slate-900">{e.title}</p>
                                                <p class="text-xs text-slate-400"><Time ms=e.at /></p>
                                            </div>
                                            {(!e.detail.is_empty()).then(|| view! { <p class="mt-0.5 break-words text-sm text-slate-600">{e.detail}</p> })}
                                        </li>
                                    }).collect_view()}
                                </ol>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </Card>
    }
}
