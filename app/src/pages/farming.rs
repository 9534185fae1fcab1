//! Warm-lead farming: the campaign list with its create form, and one campaign's page with the
//! dry run, "Send daily batch" and live batch progress.

use crate::api::farming::*;
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use warmline::farming::{BatchProgress, DryRun, NewFarmingCampaign, Source, COOL_OFF_DEFAULT};
use warmline::sms::segments;
use warmline::{FarmingCampaignId, ListId};

#[component]
pub fn FarmingPage() -> impl IntoView {
    let create = ServerAction::<CreateFarming>::new();
    let data = Resource::new(move || create.version().get(), |_| load_farming());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/farming/{id}"), Default::default());
        }
    });
    view! {
        <Title text="Lead farming" />
        <PageHeader title="Lead farming" subtitle="A capped daily first message to a big list. YES makes a warm lead, STOP an opt-out, and nobody is texted twice inside the cool-off." />
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(o) => {
                        let campaigns = o.campaigns.clone();
                        view! {
                        <div class="grid gap-6 lg:grid-cols-[minmax(0,1fr)_24rem]">
                            <Card>
                                {if campaigns.is_empty() {
                                    view! { <Empty title="No farming campaigns yet">"Create one with the form; then dry-run it before the first batch."</Empty> }.into_any()
                                } else {
                                    view! {
                                        <div class="overflow-x-auto">
                                        <table class="min-w-full divide-y divide-slate-200">
                                            <thead class="bg-slate-50"><tr>
                                                <th class=TH>"Name"</th><th class=TH>"Source"</th><th class=TH>"Daily cap"</th>
                                                <th class=format!("{TH} hidden sm:table-cell")>"Cool-off"</th>
                                                <th class=format!("{TH} hidden sm:table-cell")>"Schedule"</th>
                                            </tr></thead>
                                            <tbody class="divide-y divide-slate-100">
                                                {campaigns.into_iter().map(|c| view! {
                                                    <tr class="hover:bg-slate-50">
                                                        <td class=TD><a class="font-medium text-slate-900 hover:text-orange-700" href=format!("/farming/{}", c.id)>{c.name.clone()}</a></td>
                                                        <td class=TD>{c.source_label.clone()}</td>
                                                        <td class=TD>{fmt_count(c.daily_cap.into())}</td>
                                                        <td class=format!("{TD} hidden sm:table-cell")>{format!("{} {}", c.cool_off_days, plural(c.cool_off_days.into(), "day", "days"))}</td>
                                                        <td class=format!("{TD} hidden sm:table-cell")>{c.send_time.clone().map(|t| format!("daily at {t}")).unwrap_or_else(|| "manual".into())}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                        </div>
                                    }.into_any()
                                }}
                            </Card>
                            <NewCampaignForm overview=o create />
                        </div>
                    }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn NewCampaignForm(overview: FarmingOverview, create: ServerAction<CreateFarming>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let template = RwSignal::new(format!("Hi {{{{ first_name | default(\"there\") }}}}, {} here. Want a free quote this month? Reply YES for a quote. Reply STOP to opt out.", overview.business));
    let source = RwSignal::new(overview.lists.first().map(|l| format!("list:{}", l.id)).unwrap_or_default());
    let cap = RwSignal::new(overview.default_cap.to_string());
    let cool_off = RwSignal::new(COOL_OFF_DEFAULT.to_string());
    let send_time = RwSignal::new(String::new());
    let business = overview.business.clone();
    let fields = StoredValue::new(overview.fields.clone());
    // "Give the campaign a name" waits until the name field was used.
    let name_touched = RwSignal::new(false);
    let problems = Memo::new(move |_| {
        let c = draft(name.get(), template.get(), source.get(), &cap.get(), &cool_off.get(), send_time.get());
        let mut p = match c {
            Ok(c) => fields.with_value(|f| warmline::farming::validate(&c, &business, f)),
            Err(e) => vec![e],
        };
        if !name_touched.get() {
            p.retain(|m| m != warmline::farming::NAME_MISSING);
        }
        p
    });
    let info = move || template.with(|t| segments::analyze(t));
    view! {
        <Card class="space-y-3 p-5">
            <h2 class="text-sm font-semibold text-slate-900">"New farming campaign"</h2>
            <div><label class=LABEL for="farm-name">"Name"</label><input id="farm-name" class=INPUT bind:value=name maxlength=warmline::limits::TITLE on:blur=move |_| name_touched.set(true) placeholder="e.g. Roof check — spring" /></div>
            <div>
                <label class=LABEL for="farm-source">"Contacts from"</label>
                <select id="farm-source" class=INPUT prop:value=move || source.get() on:change=move |ev| source.set(event_target_value(&ev))>
                    {overview.lists.iter().map(|l| view! { <option value=format!("list:{}", l.id)>{format!("List: {} ({})", l.name, fmt_count(l.contact_count))}</option> }).collect_view()}
                    {overview.tags.iter().map(|(t, n)| view! { <option value=format!("tag:{t}")>{format!("Tag: {t} ({})", fmt_count(*n))}</option> }).collect_view()}
                </select>
            </div>
            <div>
                <label class=LABEL for="farm-template">"First message"</label>
                <textarea id="farm-template" class=INPUT rows="5" bind:value=template maxlength=warmline::limits::MESSAGE></textarea>
                <p class="mt-1 text-xs text-slate-400" data-testid="merge-fields">{move || format!("Fields: {}", fields.with_value(|f| f.all().join(", ")))}</p>
                <p class="mt-1 text-xs text-slate-500">{move || { let i = info(); format!("{} characters · {} segment{}", i.characters, i.segments, if i.segments == 1 { "" } else { "s" }) }}</p>
            </div>
            <div class="grid grid-cols-3 gap-2">
                <div><label class=LABEL for="farm-cap">"Daily cap"</label><input id="farm-cap" class=INPUT inputmode="numeric" bind:value=cap /></div>
                <div><label class=LABEL for="farm-cool">"Cool-off (days)"</label><input id="farm-cool" class=INPUT inputmode="numeric" bind:value=cool_off /></div>
                <div><label class=LABEL for="farm-time">"Daily at"</label><input id="farm-time" class=INPUT bind:value=send_time placeholder="manual" /></div>
            </div>
            <ul class="list-disc space-y-1 pl-5 text-sm text-red-700" data-testid="farm-problems">
                {move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
            <button type="button" class=format!("{BTN_PRIMARY} w-full") disabled=move || create.pending().get() || !problems.with(Vec::is_empty) || name.with(|n| n.trim().is_empty())
                on:click=move |_| {
                    if let Ok(c) = draft(name.get_untracked(), template.get_untracked(), source.get_untracked(), &cap.get_untracked(), &cool_off.get_untracked(), send_time.get_untracked()) {
                        create.dispatch(CreateFarming { campaign: c });
                    }
                }>"Create campaign"</button>
            {move || create.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
        </Card>
    }
}

fn draft(name: String, template: String, source: String, cap: &str, cool_off: &str, send_time: String) -> Result<NewFarmingCampaign, String> {
    let source = match source.split_once(':') {
        Some(("list", id)) => Source::List(ListId(id.parse().map_err(|_| "choose a list".to_string())?)),
        Some(("tag", t)) => Source::Tag(t.to_string()),
        _ => return Err("import a list first: farming needs contacts".into()),
    };
    let daily_cap = cap.trim().parse().map_err(|_| "the daily cap must be a whole number".to_string())?;
    let cool_off_days = cool_off.trim().parse().map_err(|_| "the cool-off must be a whole number of days".to_string())?;
    Ok(NewFarmingCampaign { name, template, source, daily_cap, cool_off_days, send_time: Some(send_time).filter(|s| !s.trim().is_empty()) })
}

fn progress_bar(p: &BatchProgress) -> impl IntoView {
    let pct = p.percent();
    let running = p.status == "running";
    view! {
        <div data-testid="batch-progress">
            <div class="flex items-baseline justify-between text-sm">
                <span class="font-medium text-slate-900">{if running { "Sending…" } else { "Batch finished" }}</span>
                <span class="text-slate-500" data-testid="batch-counts">{format!("{} of {} processed · {} sent · {} delivered{}{}",
                    fmt_count(p.queued), fmt_count(p.selected), fmt_count(p.sent), fmt_count(p.delivered),
                    if p.deferred > 0 { format!(" · {} waiting for quiet hours to end", fmt_count(p.deferred)) } else { String::new() },
                    if p.failed > 0 { format!(" · {} not sent", fmt_count(p.failed)) } else { String::new() })}</span>
            </div>
            <div class="mt-2 h-2.5 overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-valuenow=pct aria-valuemin="0" aria-valuemax="100">
                <div class="h-full rounded-full bg-orange-500 transition-all" style=format!("width: {pct}%")></div>
            </div>
        </div>
    }
}

#[component]
pub fn FarmingCampaignPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<FarmingCampaignId>().ok()).unwrap_or(FarmingCampaignId(0)));
    let live = expect_context::<Live>().0;
    let start = ServerAction::<StartFarmingBatch>::new();
    let dry = ServerAction::<FarmingDryRun>::new();
    let data = Resource::new(move || (id.get(), live.get(), start.version().get()), |(id, ..)| load_farming_detail(id));
    // The batch form lives here, not in the card: live updates re-render the card and must not
    // throw away what someone is typing.
    let size = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    view! {
        <Title text="Lead farming" />
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                let d = match data.await {
                    Err(e) => return view! { <ErrorNote error=e /> }.into_any(),
                    Ok(d) => d,
                };
                let c = d.campaign.clone();
                let running = d.batches.iter().find(|b| b.status == "running").cloned();
                let latest = d.batches.first().cloned();
                view! {
                    <div class="mb-6">
                        <p class="text-sm"><a href="/farming" class="text-slate-500 hover:text-orange-700">"← Lead farming"</a></p>
                        <h1 class="mt-1 break-words text-2xl font-semibold tracking-tight text-slate-900">{c.name.clone()}</h1>
                        <p class="mt-1 text-sm text-slate-500">{format!("From {} · at most {} a day · nobody twice within {} {} · {}",
                            c.source_label, fmt_count(c.daily_cap.into()), c.cool_off_days, plural(c.cool_off_days.into(), "day", "days"),
                            c.send_time.clone().map(|t| format!("starts by itself daily at {t} ({})", d.org_timezone)).unwrap_or_else(|| "batches start when you click".into()))}</p>
                    </div>
                    <div class="grid gap-6 lg:grid-cols-2">
                        <DryRunCard id=c.id dry />
                        <SendCard id=c.id cap=c.daily_cap left={(i64::from(c.daily_cap) - d.picked_today).max(0)} template=c.template.clone() running=running.is_some() size body start />
                    </div>
                    {latest.map(|b| view! { <Card class="mt-6 p-5">{progress_bar(&b)}</Card> })}
                    <Card class="mt-6">
                        <h2 class="border-b border-slate-200 px-4 py-3 text-sm font-semibold text-slate-900">"Batches"</h2>
                        {if d.batches.is_empty() {
                            view! { <Empty title="No batches yet">"Dry-run first to see who would get the message."</Empty> }.into_any()
                        } else {
                            view! {
                                <div class="overflow-x-auto">
                                <table class="min-w-full divide-y divide-slate-200">
                                    <thead class="bg-slate-50"><tr><th class=TH>"Started"</th><th class=TH>"Picked"</th><th class=TH>"Sent"</th><th class=TH>"Delivered"</th><th class=TH>"Status"</th></tr></thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {d.batches.iter().map(|b| view! {
                                            <tr><td class=format!("{TD} whitespace-nowrap")><Time ms=b.created_at /></td><td class=TD>{fmt_count(b.selected)}</td><td class=TD>{fmt_count(b.sent)}</td><td class=TD>{fmt_count(b.delivered)}</td><td class=TD>{b.status.clone()}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                </div>
                            }.into_any()
                        }}
                    </Card>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn DryRunCard(id: FarmingCampaignId, dry: ServerAction<FarmingDryRun>) -> impl IntoView {
    view! {
        <Card class="p-5">
            <div class="flex items-center justify-between gap-2">
                <h2 class="text-sm font-semibold text-slate-900">"Dry run"</h2>
                <button type="button" class=BTN_SECONDARY data-testid="dry-run" disabled=move || dry.pending().get()
                    on:click=move |_| { dry.dispatch(FarmingDryRun { id, max: None }); }>"Who would get it?"</button>
            </div>
            <p class="mt-1 text-sm text-slate-500">"Shows exactly who the next batch would message, without sending anything."</p>
            {move || dry.value().get().map(|r| match r {
                Err(e) => view! { <div class="mt-3"><ErrorNote error=e /></div> }.into_any(),
                Ok(d) => view! { <DryRunResult d /> }.into_any(),
            })}
        </Card>
    }
}

#[component]
fn DryRunResult(d: DryRun) -> impl IntoView {
    let e = d.excluded.clone();
    let reasons = [("Opted out", e.opted_out, "opted_out"), ("Already warm leads", e.warm_lead, "warm_lead"), ("Farming-texted in the cool-off", e.cool_off, "cool_off"), ("Invalid or landline", e.invalid, "invalid"), ("Flagged for review", e.flagged, "flagged")];
    view! {
        <div class="mt-4 space-y-3" data-testid="dry-run-result">
            <p class="text-sm text-slate-700"><span class="text-2xl font-semibold text-slate-900" data-testid="dry-run-selected">{fmt_count(d.selected)}</span>
                {format!(" would be messaged ({} already sent today, {} left of today's cap).", fmt_count(d.sent_today), fmt_count(d.remaining_today))}</p>
            <ul class="grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
                {reasons.into_iter().map(|(label, n, key)| view! {
                    <li class="flex justify-between border-b border-slate-100 py-1"><span class="text-slate-600">{label}</span><span class="font-medium text-slate-900" data-testid=format!("excluded-{key}")>{fmt_count(n)}</span></li>
                }).collect_view()}
            </ul>
            <p class="text-xs text-slate-500">"The cool-off counts farming messages only: drips and one-off texts don't hold anyone back."</p>
            {(d.without_consent > 0).then(|| view! {
                <p class="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" role="status" data-testid="consent-warning">
                    {format!("{} of them have no consent record. Only text people who agreed to hear from you.", fmt_count(d.without_consent))}
                </p>
            })}
            {(!d.sample.is_empty()).then(|| view! {
                <details class="text-sm"><summary class="cursor-pointer text-slate-600">{format!("First {} of them", d.sample.len())}</summary>
                    <ul class="mt-2 space-y-1">{d.sample.iter().map(|c| view! { <li class="flex justify-between"><span>{c.name.clone()}</span><span class="font-mono text-xs text-slate-500">{warmline::phone::display(&c.phone)}</span></li> }).collect_view()}</ul>
                </details>
            })}
        </div>
    }
}

#[component]
fn SendCard(id: FarmingCampaignId, cap: u32, left: i64, template: String, running: bool, size: RwSignal<String>, body: RwSignal<String>, start: ServerAction<StartFarmingBatch>) -> impl IntoView {
    if size.with_untracked(String::is_empty) {
        size.set(left.clamp(0, cap.into()).to_string());
    }
    if body.with_untracked(String::is_empty) {
        body.set(template.clone());
    }
    let info = move || body.with(|b| segments::analyze(b));
    // The confirmation asks a fresh dry run (the one on screen may be older than the last
    // batch) how many this batch texts and how many of them have no consent record.
    let confirm_open = RwSignal::new(false);
    let check = Resource::new(
        move || confirm_open.get().then(|| size.get_untracked().trim().parse::<i64>().ok()),
        move |req| async move {
            match req {
                Some(max) => Some(farming_dry_run(id, max).await),
                None => None,
            }
        },
    );
    let template_for_send = StoredValue::new(template.clone());
    let send_now = Callback::new(move |_| {
        let t = body.get_untracked();
        let t = if t.trim() == template_for_send.get_value().trim() { None } else { Some(t) };
        let max = size.get_untracked().trim().parse().ok();
        start.dispatch(StartFarmingBatch { id, max, template: t });
    });
    let to_text = move || check.get().flatten().and_then(|r| r.ok()).map(|d| d.selected);
    let confirm_label = Signal::derive(move || match to_text() {
        Some(n) => format!("Text {} {}", fmt_count(n), plural(n, "person", "people")),
        None => "Send".to_string(),
    });
    view! {
        <ConfirmDialog open=confirm_open title="Send today's batch?" confirm_label on_confirm=send_now
            disabled=Signal::derive(move || !matches!(to_text(), Some(n) if n > 0))>
            <Suspense fallback=|| view! { <p>"Checking who this batch would text…"</p> }>
                {move || Suspend::new(async move {
                    match check.await {
                        None => ().into_any(),
                        Some(Err(e)) => view! { <ErrorNote error=e /> }.into_any(),
                        Some(Ok(d)) => view! {
                            <p data-testid="confirm-count">
                                <span class="font-semibold text-slate-900">{format!("{} {}", fmt_count(d.selected), plural(d.selected, "person", "people"))}</span>
                                {if d.selected == 0 { " would be texted: nobody is left to message today." } else { " will get this message now, one at a time through the send gate; anyone in their quiet hours gets it in their morning." }}
                            </p>
                            {(d.without_consent > 0).then(|| view! {
                                <p class="rounded-md bg-amber-50 px-3 py-2 text-amber-900" data-testid="confirm-consent">
                                    {format!("{} of them {} no consent record. Only text people who agreed to hear from you.", fmt_count(d.without_consent), if d.without_consent == 1 { "has" } else { "have" })}
                                </p>
                            })}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </ConfirmDialog>
        <Card class="p-5">
            <h2 class="text-sm font-semibold text-slate-900">"Send daily batch"</h2>
            <div class="mt-3 space-y-3">
                <div class="flex items-center gap-2 text-sm text-slate-700">
                    <label for="batch-size">"Up to"</label>
                    <input id="batch-size" class="w-24 rounded-md border border-slate-300 px-2 py-1 text-sm" inputmode="numeric" bind:value=size />
                    <span>{format!("contacts ({} of today's cap of {} left)", fmt_count(left), fmt_count(cap.into()))}</span>
                </div>
                <textarea class=INPUT rows="4" aria-label="Batch message" bind:value=body></textarea>
                <p class="text-xs text-slate-500">{move || { let i = info(); format!("{} characters · {} segment{}", i.characters, i.segments, if i.segments == 1 { "" } else { "s" }) }}</p>
                <button type="button" class=format!("{BTN_PRIMARY} w-full") data-testid="send-batch"
                    disabled=move || { running || left == 0 || start.pending().get() || size.with(|s| s.trim().parse::<i64>().map(|n| n < 1).unwrap_or(true)) }
                    on:click=move |_| confirm_open.set(true)>
                    {if running { "A batch is sending…" } else if left == 0 { "Today's cap is used up" } else { "Send daily batch" }}
                </button>
                <p class="text-xs text-slate-500">"Goes through the send gate: quiet hours, opt-outs and the rate limit apply. Clicking twice never sends more than the cap."</p>
                {move || start.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
            </div>
        </Card>
    }
}
