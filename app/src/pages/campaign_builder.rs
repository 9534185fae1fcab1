//! The campaign builder: settings, ordered steps with delays and templates, and a live preview
//! rendered in the browser by the same template code the server sends with.

use crate::api::campaigns::*;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use warmline::campaign::delay::Delay;
use warmline::campaign::model::{self, delay_text, Campaign, CampaignDraft, Step};
use warmline::campaign::template::{has_opt_out_language, Values};
use warmline::gate::window::Window;
use warmline::sms::segments;
use warmline::CampaignId;

/// Typical US price per segment, for the estimate.
const PRICE_PER_SEGMENT_MICROS: u64 = 8_300;

/// One step as the form edits it.
#[derive(Clone, Copy)]
struct StepEdit {
    key: u64,
    /// "minutes" | "hours" | "days" | "next_day"
    unit: RwSignal<String>,
    amount: RwSignal<String>,
    /// "HH:MM" for "next_day".
    at: RwSignal<String>,
    template: RwSignal<String>,
}

impl StepEdit {
    fn new(key: u64, step: &Step) -> StepEdit {
        let (unit, amount, at) = match step.delay {
            Delay::NextDayAt { hour, minute } => ("next_day", "1".to_string(), format!("{hour:02}:{minute:02}")),
            Delay::After { minutes } if minutes > 0 && minutes % 1440 == 0 => ("days", (minutes / 1440).to_string(), "09:00".into()),
            Delay::After { minutes } if minutes > 0 && minutes % 60 == 0 => ("hours", (minutes / 60).to_string(), "09:00".into()),
            Delay::After { minutes } => ("minutes", minutes.to_string(), "09:00".into()),
        };
        StepEdit {
            key,
            unit: RwSignal::new(unit.into()),
            amount: RwSignal::new(amount),
            at: RwSignal::new(at),
            template: RwSignal::new(step.template.clone()),
        }
    }

    /// The delay as entered; `None` when a number or time doesn't parse.
    fn delay(&self) -> Option<Delay> {
        let unit = self.unit.get();
        if unit == "next_day" {
            let at = self.at.get();
            let (h, m) = at.split_once(':')?;
            return Some(Delay::NextDayAt { hour: h.trim().parse().ok()?, minute: m.trim().parse().ok()? });
        }
        let n: u32 = self.amount.get().trim().parse().ok()?;
        let mult = match unit.as_str() {
            "days" => 1440,
            "hours" => 60,
            _ => 1,
        };
        Some(Delay::After { minutes: n.saturating_mul(mult) })
    }
}

fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    (h <= 24 && m < 60).then_some(h * 60 + m)
}

fn fmt_hhmm(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[component]
pub fn CampaignBuilderPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<CampaignId>().ok()));
    let data = Resource::new(move || id.get(), load_builder);
    view! {
        <Title text=move || if id.get().is_some() { "Edit campaign" } else { "New campaign" } />
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(d) => view! { <Builder id=id.get_untracked() data=d /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Builder(id: Option<CampaignId>, data: BuilderData) -> impl IntoView {
    let initial: CampaignDraft = data.campaign.as_ref().map(|c: &Campaign| c.draft.clone()).unwrap_or_else(|| CampaignDraft {
        steps: vec![Step { delay: Delay::After { minutes: 0 }, template: format!("Hi {{{{ first_name | default(\"there\") }}}}, this is {}. Reply STOP to opt out.", data.business) }],
        ..CampaignDraft::default()
    });
    let editable = data.campaign.as_ref().is_none_or(|c| c.status.editable());
    let name = RwSignal::new(initial.name.clone());
    let name_touched = RwSignal::new(false);
    let stop_on_reply = RwSignal::new(initial.stop_on_reply);
    let stop_on_failure = RwSignal::new(initial.stop_on_failure);
    let daily_cap = RwSignal::new(initial.daily_cap.map(|c| c.to_string()).unwrap_or_default());
    let sender = RwSignal::new(initial.sender.clone().unwrap_or_default());
    let window_start = RwSignal::new(initial.window.map(|w| fmt_hhmm(w.start_minute)).unwrap_or_default());
    let window_end = RwSignal::new(initial.window.map(|w| fmt_hhmm(w.end_minute)).unwrap_or_default());
    let next_key = StoredValue::new(initial.steps.len() as u64);
    let steps = RwSignal::new(initial.steps.iter().enumerate().map(|(i, s)| StepEdit::new(i as u64, s)).collect::<Vec<_>>());
    let fields = StoredValue::new(data.fields.clone());
    let samples = StoredValue::new(data.samples.clone());
    let sample = RwSignal::new(0usize);

    // The draft as entered, and what is wrong with it (checked in the browser as you type).
    let draft = Memo::new(move |_| {
        let mut bad_delay = false;
        let steps = steps
            .get()
            .iter()
            .map(|s| {
                let delay = s.delay().unwrap_or_else(|| {
                    bad_delay = true;
                    Delay::After { minutes: 0 }
                });
                Step { delay, template: s.template.get() }
            })
            .collect();
        let window = match (parse_hhmm(&window_start.get()), parse_hhmm(&window_end.get())) {
            (Some(s), Some(e)) => Some(Window { start_minute: s, end_minute: e }),
            _ => None,
        };
        let d = CampaignDraft {
            name: name.get(),
            steps,
            stop_on_reply: stop_on_reply.get(),
            stop_on_failure: stop_on_failure.get(),
            window,
            daily_cap: daily_cap.get().trim().parse().ok(),
            sender: Some(sender.get()).filter(|s| !s.trim().is_empty()),
        };
        (d, bad_delay)
    });
    let problems = Memo::new(move |_| {
        let (d, bad_delay) = draft.get();
        let mut p = fields.with_value(|f| model::validate(&d, f));
        if bad_delay {
            p.general.push("every delay needs a whole number (or a time like 09:30)".into());
        }
        if (window_start.with(|s| !s.trim().is_empty()) || window_end.with(|s| !s.trim().is_empty())) && d.window.is_none() {
            p.window = Some("write both window times like 09:00 and 18:00, or leave both empty".into());
        }
        if daily_cap.with(|c| !c.trim().is_empty()) && d.daily_cap.is_none() {
            p.daily_cap = Some("the daily cap must be a whole number".into());
        }
        p
    });

    let save = ServerAction::<SaveCampaign>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            navigate(&format!("/campaigns/{saved}"), Default::default());
        }
    });

    let add_step = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        steps.update(|v| v.push(StepEdit::new(key, &Step { delay: Delay::After { minutes: 1440 }, template: String::new() })));
    };
    let move_step = move |key: u64, by: isize| {
        steps.update(|v| {
            if let Some(i) = v.iter().position(|s| s.key == key) {
                let j = i as isize + by;
                if j >= 0 && (j as usize) < v.len() {
                    v.swap(i, j as usize);
                }
            }
        })
    };
    let remove_step = move |key: u64| steps.update(|v| v.retain(|s| s.key != key));
    let step_rows = move || steps.get().into_iter().enumerate().map(|(i, s)| (i, s.key, s)).collect::<Vec<_>>();
    let step_key = |row: &(usize, u64, StepEdit)| (row.0, row.1);

    view! {
        <PageHeader title=if id.is_some() { "Edit campaign" } else { "New campaign" } subtitle="Build the sequence, preview it against a real contact, then save and launch it from the campaign page.">
            <a href=id.map(|i| format!("/campaigns/{i}")).unwrap_or_else(|| "/campaigns".into()) class=BTN_SECONDARY>"Cancel"</a>
        </PageHeader>
        {(!editable).then(|| view! { <div class="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">"This campaign is sending. Pause it before editing."</div> })}
        <div class="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
            <div class="space-y-6">
                <Card class="space-y-4 p-5">
                    <div>
                        <label class=LABEL for="campaign-name">"Name"</label>
                        <input id="campaign-name" class=INPUT bind:value=name placeholder="e.g. Spring roof check" maxlength=warmline::limits::TITLE data-testid="campaign-name" on:blur=move |_| name_touched.set(true) />
                        // A new campaign's empty name is not an error until the field was used.
                        {move || problems.with(|p| p.name.clone()).filter(|_| name_touched.get() || !name.with(|n| n.trim().is_empty())).map(|m| view! { <p class="mt-1 text-xs text-red-700" data-testid="name-problem">{m}</p> })}
                    </div>
                    <div class="grid gap-4 sm:grid-cols-3">
                        <div>
                            <label class=LABEL for="daily-cap">"Daily cap"</label>
                            <input id="daily-cap" class=INPUT inputmode="numeric" bind:value=daily_cap placeholder="No cap" />
                            {move || problems.with(|p| p.daily_cap.clone()).map(|m| view! { <p class="mt-1 text-xs text-red-700">{m}</p> })}
                        </div>
                        <div class="sm:col-span-2">
                            <span class=LABEL>"Sending window (contact's local time)"</span>
                            <div class="flex items-center gap-2">
                                <input class=INPUT bind:value=window_start placeholder="08:00" aria-label="Window start" />
                                <span class="text-slate-400">"–"</span>
                                <input class=INPUT bind:value=window_end placeholder="21:00" aria-label="Window end" />
                            </div>
                            <p class="mt-1 text-xs text-slate-500">"Optional; only narrows the legal 08:00–21:00 (20:00 in FL, OK, MD, WA)."</p>
                            {move || problems.with(|p| p.window.clone()).map(|m| view! { <p class="mt-1 text-xs text-red-700">{m}</p> })}
                        </div>
                    </div>
                    <div>
                        <label class=LABEL for="campaign-sender">"Send from"</label>
                        <input id="campaign-sender" class=INPUT bind:value=sender placeholder="The default sender" inputmode="tel" maxlength="20" />
                        <p class="mt-1 text-xs text-slate-500">"Optional: one of your Twilio numbers, like +14155550100, if this campaign should text from its own number."</p>
                        {move || problems.with(|p| p.sender.clone()).map(|m| view! { <p class="mt-1 text-xs text-red-700">{m}</p> })}
                    </div>
                    <div class="flex flex-wrap gap-6 text-sm text-slate-700">
                        <label class="flex items-center gap-2"><input type="checkbox" bind:checked=stop_on_reply class="h-4 w-4 accent-orange-600" />"Stop when the contact replies"</label>
                        <label class="flex items-center gap-2"><input type="checkbox" bind:checked=stop_on_failure class="h-4 w-4 accent-orange-600" />"Stop a contact's sequence after a failed send"</label>
                    </div>
                </Card>

                <div class="space-y-4" data-testid="steps">
                    <For each=step_rows key=step_key let:item>
                        {
                            let (index, key, s) = item;
                            let info = move || s.template.with(|t| segments::analyze(t));
                            let step_problems = move || problems.with(|p| p.steps.iter().filter(|(i, _)| *i == index).map(|(_, m)| m.clone()).collect::<Vec<_>>());
                            let count = move || steps.with(Vec::len);
                            view! {
                                <Card class="p-5">
                                    <div class="mb-3 flex flex-wrap items-center justify-between gap-2">
                                        <h2 class="text-sm font-semibold text-slate-900">{format!("Step {}", index + 1)}</h2>
                                        <div class="flex gap-1">
                                            <button type="button" class="rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 disabled:opacity-30" title="Move up" aria-label=format!("Move step {} up", index + 1) disabled=index == 0 on:click=move |_| move_step(key, -1)>"↑"</button>
                                            <button type="button" class="rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 disabled:opacity-30" title="Move down" aria-label=format!("Move step {} down", index + 1) disabled=move || { index + 1 >= count() } on:click=move |_| move_step(key, 1)>"↓"</button>
                                            <button type="button" class="rounded px-2 py-1 text-sm text-red-600 hover:bg-red-50 disabled:opacity-30" aria-label=format!("Delete step {}", index + 1) disabled=move || { count() <= 1 } on:click=move |_| remove_step(key)>"Delete"</button>
                                        </div>
                                    </div>
                                    <div class="mb-3 flex flex-wrap items-center gap-2 text-sm text-slate-700">
                                        <span>"Send"</span>
                                        <Show when=move || s.unit.get() != "next_day">
                                            <input class="w-20 rounded-md border border-slate-300 px-2 py-1 text-sm" inputmode="numeric" bind:value=s.amount aria-label=format!("Step {} delay", index + 1) />
                                        </Show>
                                        <select class="rounded-md border border-slate-300 px-2 py-1 text-sm" aria-label=format!("Step {} delay unit", index + 1)
                                            prop:value=move || s.unit.get() on:change=move |ev| s.unit.set(event_target_value(&ev))>
                                            <option value="minutes">"minutes after"</option>
                                            <option value="hours">"hours after"</option>
                                            <option value="days">"days after"</option>
                                            <option value="next_day">"the next day at"</option>
                                        </select>
                                        <Show when=move || s.unit.get() == "next_day" fallback=move || view! { <span>{if index == 0 { "enrollment" } else { "the previous step" }}</span> }>
                                            <input class="w-24 rounded-md border border-slate-300 px-2 py-1 text-sm" bind:value=s.at placeholder="09:00" aria-label=format!("Step {} time", index + 1) />
                                            <span class="text-slate-500">"(contact's time zone)"</span>
                                        </Show>
                                        <span class="text-xs text-slate-400">{move || s.delay().map(|d| format!("· {}", delay_text(&d, index == 0))).unwrap_or_default()}</span>
                                    </div>
                                    <textarea class=INPUT rows="4" bind:value=s.template aria-label=format!("Step {} message", index + 1) data-testid="step-template" maxlength=warmline::limits::MESSAGE
                                        placeholder="Hi {{ first_name | default(\"there\") }}, …"></textarea>
                                    <p class="mt-1 text-xs text-slate-500" data-testid="step-segments">{move || {
                                        let i = info();
                                        format!("{} characters · {} segment{} · {} · about ${:.3} per contact",
                                            i.characters, i.segments, if i.segments == 1 { "" } else { "s" },
                                            match i.encoding { segments::Encoding::Gsm7 => "GSM-7", segments::Encoding::Ucs2 => "Unicode (UCS-2)" },
                                            segments::estimate_cost_micros(&i, PRICE_PER_SEGMENT_MICROS) as f64 / 1e6)
                                    }}</p>
                                    {move || (index == 0 && s.template.with(|t| !t.trim().is_empty() && !has_opt_out_language(t))).then(|| view! {
                                        <p class="mt-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" role="alert" data-testid="stop-warning">
                                            "The first message must say how to opt out, e.g. \"Reply STOP to opt out\", and name your business."
                                        </p>
                                    })}
                                    {move || step_problems().into_iter().filter(|m| !m.contains("opt out")).map(|m| view! { <p class="mt-2 text-sm text-red-700" data-testid="step-error">{m}</p> }).collect_view()}
                                </Card>
                            }
                        }
                    </For>
                    <button type="button" class=BTN_SECONDARY on:click=add_step>"+ Add step"</button>
                </div>
            </div>

            <aside class="space-y-4 lg:sticky lg:top-20 lg:self-start">
                <Card class="p-5">
                    <h2 class="text-sm font-semibold text-slate-900">"Preview"</h2>
                    {move || if samples.with_value(Vec::is_empty) {
                        view! { <p class="mt-2 text-sm text-slate-500">"Import contacts to preview with real data; showing fallbacks."</p> }.into_any()
                    } else {
                        view! {
                            <select class="mt-2 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm" aria-label="Preview contact"
                                on:change=move |ev| sample.set(event_target_value(&ev).parse().unwrap_or(0))>
                                {samples.get_value().into_iter().enumerate().map(|(i, c)| view! { <option value=i.to_string()>{c.label}</option> }).collect_view()}
                            </select>
                        }.into_any()
                    }}
                    <div class="mt-3 space-y-3" data-testid="preview">
                        {move || {
                            let values = samples.with_value(|s| s.get(sample.get()).map(|c| c.values.clone())).unwrap_or_else(Values::new);
                            steps.get().into_iter().enumerate().map(|(i, s)| {
                                let src = s.template.get();
                                let rendered = fields.with_value(|f| f.parse(&src)).map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")).and_then(|t| t.render(&values).map_err(|e| e.to_string()));
                                let when = s.delay().map(|d| delay_text(&d, i == 0)).unwrap_or_default();
                                view! {
                                    <div>
                                        <p class="text-xs font-medium text-slate-500">{format!("Step {} · {when}", i + 1)}</p>
                                        {match rendered {
                                            Ok(text) if text.trim().is_empty() => view! { <p class="text-sm italic text-slate-400">"(empty)"</p> }.into_any(),
                                            Ok(text) => {
                                                let info = segments::analyze(&text);
                                                view! {
                                                    <div class="mt-1 rounded-2xl rounded-br-sm bg-orange-600 px-3 py-2 text-sm text-white whitespace-pre-wrap break-words" data-testid="preview-text">{text}</div>
                                                    <p class="mt-1 text-right text-[11px] text-slate-400" data-testid="preview-segments">{format!("{} segment{}", info.segments, if info.segments == 1 { "" } else { "s" })}</p>
                                                }.into_any()
                                            }
                                            Err(e) => view! { <p class="mt-1 rounded-md bg-red-50 px-2 py-1 text-xs text-red-700">{e}</p> }.into_any(),
                                        }}
                                    </div>
                                }
                            }).collect_view()
                        }}
                    </div>
                    <p class="mt-3 text-xs text-slate-400" data-testid="merge-fields">{move || format!("Fields: {}", fields.with_value(|f| f.all().join(", ")))}</p>
                </Card>
                <Card class="p-5">
                    {move || problems.with(|p| (!p.general.is_empty()).then(|| view! {
                        <ul class="mb-3 list-disc pl-5 text-sm text-red-700">{p.general.iter().map(|m| view! { <li>{m.clone()}</li> }).collect_view()}</ul>
                    }))}
                    <button type="button" class=format!("{BTN_PRIMARY} w-full") data-testid="save-campaign"
                        disabled=move || !editable || save.pending().get() || !problems.with(|p| p.is_empty())
                        on:click=move |_| { save.dispatch(SaveCampaign { id, draft: draft.get_untracked().0 }); }>
                        {if id.is_some() { "Save changes" } else { "Save campaign" }}
                    </button>
                    <p class="mt-2 text-xs text-slate-500">"Saving doesn't send anything: launch it from the campaign page."</p>
                    {move || save.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mt-3"><ErrorNote error=e /></div> })}
                </Card>
            </aside>
        </div>
    }
}
