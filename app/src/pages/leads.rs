//! Warm leads: who said YES, "message all warm leads", and the inbound log; plus the dashboard
//! widget with the target band and the volume math.

use crate::api::farming::*;
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use warmline::farming::with_opt_out_footer;
use warmline::farming::WarmLeadStats;
use warmline::sms::segments;

#[component]
pub fn LeadsPage() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let period = RwSignal::new(Period::Week);
    let leads = Resource::new(move || (period.get(), live.get()), |(p, _)| list_warm_leads(p));
    let log = Resource::new(move || live.get(), |_| inbound_log());
    let tab = move |p: Period, label: &'static str| {
        view! {
            <button type="button" class=move || format!("rounded-md px-3 py-1 text-sm font-medium {}", if period.get() == p { "bg-slate-900 text-white" } else { "text-slate-600 hover:bg-slate-100" })
                on:click=move |_| period.set(p)>{label}</button>
        }
    };
    view! {
        <Title text="Warm leads" />
        <PageHeader title="Warm leads" subtitle="People who answered a farming message with interest. Call them while they're warm." />
        <div class="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
            <Card>
                <div class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-3">
                    <div class="flex gap-1">{tab(Period::Today, "Today")}{tab(Period::Week, "This week")}{tab(Period::All, "All")}</div>
                </div>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match leads.await {
                            Err(e) => view! { <div class="p-4"><ErrorNote error=e /></div> }.into_any(),
                            Ok(items) if items.is_empty() => view! { <Empty title="No warm leads in this period">"Send a farming batch; replies of YES show up here."</Empty> }.into_any(),
                            Ok(items) => view! {
                                <div class="overflow-x-auto">
                                <table class="min-w-full divide-y divide-slate-200" data-testid="warm-leads">
                                    <thead class="bg-slate-50"><tr><th class=TH>"Contact"</th><th class=TH>"Reply"</th><th class=format!("{TH} hidden xl:table-cell")>"Campaign"</th><th class=format!("{TH} hidden sm:table-cell")>"When"</th><th class=TH><span class="sr-only">"Actions"</span></th></tr></thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {items.into_iter().map(|l| view! {
                                            <tr data-testid="warm-lead-row">
                                                <td class=format!("{TD} max-w-[12rem]")>
                                                    <p class="truncate font-medium text-slate-900" title=l.name.clone()>{l.name.clone()}</p>
                                                    <a class="whitespace-nowrap font-mono text-xs text-slate-500 hover:text-orange-700" href=format!("tel:{}", l.phone) title="Call">{warmline::phone::display(&l.phone)}</a>
                                                    {l.opted_out.then(|| view! { <span class="ml-1 rounded-full bg-red-100 px-2 text-xs text-red-700">"opted out since"</span> })}
                                                </td>
                                                <td class=format!("{TD} min-w-[8rem] max-w-xs")><p class="line-clamp-2 break-words" title=l.reply_text.clone()>{format!("\u{201c}{}\u{201d}", l.reply_text)}</p></td>
                                                <td class=format!("{TD} hidden max-w-[10rem] truncate xl:table-cell")>{l.campaign.clone().unwrap_or_else(|| "—".into())}</td>
                                                <td class=format!("{TD} hidden whitespace-nowrap text-slate-500 sm:table-cell")><Time ms=l.replied_at /></td>
                                                <td class=format!("{TD} whitespace-nowrap text-right")><a class="text-sm font-medium text-orange-700 hover:underline" href=format!("/conversations/{}", l.contact_id) data-testid="open-conversation">"Open chat"</a></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                </div>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </Card>
            <MessageAll />
        </div>
        <Card class="mt-6">
            <h2 class="border-b border-slate-200 px-4 py-3 text-sm font-semibold text-slate-900">"Inbound log"</h2>
            <p class="px-4 pt-2 text-xs text-slate-500">"Every reply and what Warmline did with it (latest 200)."</p>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match log.await {
                        Err(e) => view! { <div class="p-4"><ErrorNote error=e /></div> }.into_any(),
                        Ok(items) if items.is_empty() => view! { <Empty title="No replies yet" /> }.into_any(),
                        Ok(items) => view! {
                            <div class="overflow-x-auto">
                            <table class="min-w-full divide-y divide-slate-200" data-testid="inbound-log">
                                <thead class="bg-slate-50"><tr><th class=TH>"When"</th><th class=TH>"From"</th><th class=TH>"Message"</th><th class=TH>"Read as"</th><th class=TH>"Action"</th></tr></thead>
                                <tbody class="divide-y divide-slate-100">
                                    {items.into_iter().map(|e| {
                                        let class = match e.action.as_str() {
                                            "warm_lead" => "bg-emerald-100 text-emerald-800",
                                            "opt_out" | "flagged" => "bg-red-100 text-red-700",
                                            "opt_in" => "bg-sky-100 text-sky-800",
                                            _ => "bg-slate-100 text-slate-600",
                                        };
                                        view! {
                                            <tr>
                                                <td class=format!("{TD} whitespace-nowrap text-slate-500")><Time ms=e.created_at /></td>
                                                <td class=TD><a class="hover:text-orange-700" href=format!("/conversations/{}", e.contact_id)>{e.name.clone()}</a></td>
                                                <td class=format!("{TD} max-w-xs truncate")>{e.body.clone()}</td>
                                                <td class=TD>{intent_label(&e.intent)}</td>
                                                <td class=TD><span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {class}")>{e.action.replace('_', " ")}</span></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
}

/// How the inbound log names what a reply read as (stored as the classifier's names).
fn intent_label(intent: &str) -> String {
    match intent {
        "optout" => "opt-out (STOP)",
        "softoptout" => "possible opt-out",
        "optin" => "opt-in (START)",
        "help" => "HELP",
        "interest" => "interested",
        "other" => "other",
        other => other,
    }
    .to_string()
}

#[component]
fn MessageAll() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let send = ServerAction::<MessageWarmLeads>::new();
    let body = RwSignal::new(String::new());
    let preview = move || body.with(|b| with_opt_out_footer(b));
    let broadcast = move || send.value().get().and_then(|r| r.ok());
    let progress = Resource::new(move || (broadcast(), live.get()), |(b, _)| async move {
        match b {
            Some((key, _)) => warm_lead_broadcast(key).await.ok(),
            None => None,
        }
    });
    let confirm_open = RwSignal::new(false);
    let send_now = Callback::new(move |_| {
        send.dispatch(MessageWarmLeads { body: body.get_untracked() });
    });
    view! {
        <ConfirmDialog open=confirm_open title="Message every warm lead?" confirm_label="Send to all warm leads" on_confirm=send_now>
            <p>"Every current warm lead who hasn't opted out gets this text, through the send gate (quiet hours apply)."</p>
        </ConfirmDialog>
        <Card class="space-y-3 p-5">
            <h2 class="text-sm font-semibold text-slate-900">"Message all warm leads"</h2>
            <textarea class=INPUT rows="4" aria-label="Message to all warm leads" bind:value=body maxlength=warmline::limits::MESSAGE placeholder="Hi {{ first_name | default(\"there\") }}, we have two install slots left this week — want one?"></textarea>
            <p class="text-xs text-slate-400">"Merge fields such as {{ first_name }} work here as in campaigns."</p>
            {move || (!body.with(|b| b.trim().is_empty())).then(|| {
                let text = preview();
                let i = segments::analyze(&text);
                view! {
                    <div>
                        <p class="text-xs font-medium text-slate-500">"Preview"</p>
                        <div class="mt-1 whitespace-pre-wrap break-words rounded-2xl rounded-br-sm bg-orange-600 px-3 py-2 text-sm text-white" data-testid="broadcast-preview">{text}</div>
                        <p class="mt-1 text-right text-[11px] text-slate-400">{format!("{} segment{}", i.segments, if i.segments == 1 { "" } else { "s" })}</p>
                    </div>
                }
            })}
            <button type="button" class=format!("{BTN_PRIMARY} w-full") disabled=move || send.pending().get() || body.with(|b| b.trim().is_empty())
                on:click=move |_| confirm_open.set(true)>"Send to all warm leads…"</button>
            <p class="text-xs text-slate-500">"Marketing wording gets \"Reply STOP to opt out.\" added when it's missing. Opted-out leads are skipped."</p>
            {move || send.value().get().map(|r| match r {
                Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                Ok((_, queued)) => view! {
                    <p class="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900" role="status" data-testid="broadcast-result">
                        {move || {
                            let sent = progress.get().flatten().map(|(_, s)| s).unwrap_or(0);
                            format!("Queued {queued}; {sent} sent so far.")
                        }}
                    </p>
                }.into_any(),
            })}
        </Card>
    }
}

/// The dashboard widget: warm leads against the 10–16 a day band, and the volume math.
#[component]
pub fn WarmLeadWidget() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let stats = Resource::new(move || live.get(), |_| load_warm_lead_stats());
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match stats.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(s) => view! { <WidgetBody s /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn WidgetBody(s: WarmLeadStats) -> impl IntoView {
    let (band_class, band_text) = if s.today < s.target_low {
        ("text-amber-700", format!("below the {}–{} a day target", s.target_low, s.target_high))
    } else if s.today > s.target_high {
        ("text-sky-700", format!("above the {}–{} target", s.target_low, s.target_high))
    } else {
        ("text-emerald-700", format!("within the {}–{} target", s.target_low, s.target_high))
    };
    let max = s.per_day.iter().map(|(_, n)| *n).max().unwrap_or(0).max(s.target_high);
    let rate = s.opt_in_rate;
    view! {
        <Card class="p-5">
            <div class="flex flex-wrap items-start justify-between gap-4">
                <div>
                    <h2 class="text-sm font-semibold text-slate-900">"Warm leads"</h2>
                    <p class="mt-2"><span class="text-4xl font-semibold tracking-tight text-slate-900" data-testid="warm-today">{s.today}</span><span class="ml-2 text-sm text-slate-500">"today"</span></p>
                    <p class=format!("text-sm font-medium {band_class}")>{band_text}</p>
                </div>
                <dl class="grid grid-cols-2 gap-x-6 gap-y-1 text-sm">
                    <dt class="text-slate-500">"Last 7 days"</dt><dd class="text-right font-medium text-slate-900" data-testid="warm-week">{s.last_7_days}</dd>
                    <dt class="text-slate-500">"Farming sends today"</dt><dd class="text-right font-medium text-slate-900" data-testid="sends-today">{fmt_count(s.sends_today)}</dd>
                    <dt class="text-slate-500">"Opt-in rate (7 days)"</dt><dd class="text-right font-medium text-slate-900">{rate.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "—".into())}</dd>
                </dl>
            </div>
            <div class="mt-4 flex h-28 items-end" aria-label="Warm leads per day, last 7 days">
                {s.per_day.iter().map(|(label, n)| {
                    let h = if max == 0 { 0 } else { n * 100 / max };
                    let in_band = *n >= s.target_low && *n <= s.target_high;
                    // The shaded strip behind the bars is the target band.
                    let band = format!("bottom: {}%; height: {}%", s.target_low * 100 / max.max(1), (s.target_high - s.target_low) * 100 / max.max(1));
                    view! {
                        <div class="flex h-full min-w-0 flex-1 flex-col items-center gap-1">
                            <span class="text-[11px] text-slate-500">{*n}</span>
                            <div class="relative flex w-full flex-1 items-end">
                                <div class="absolute inset-x-0 border-y border-dashed border-emerald-300 bg-emerald-50" style=band></div>
                                <div class=format!("relative mx-1 flex-1 rounded-t {}", if in_band { "bg-emerald-500" } else { "bg-orange-400" }) style=format!("height: {}%", h.max(2))></div>
                            </div>
                            <span class="whitespace-nowrap text-[10px] text-slate-400 sm:text-[11px]">{label.clone()}</span>
                        </div>
                    }
                }).collect_view()}
            </div>
            <p class="mt-1 text-right text-[11px] text-slate-400">{format!("Shaded: the {}–{} a day target", s.target_low, s.target_high)}</p>
            <p class="mt-4 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600" data-testid="volume-math">
                {match (rate, s.suggested_batch) {
                    (Some(r), Some((lo, hi))) => format!(
                        "At the observed {:.1}% of farming messages answered with YES ({} {} from {} {} in 7 days), a daily batch of {}–{} lands in the {}–{} band. Assumes the next contacts answer like the last week's and every message is delivered.",
                        r * 100.0, s.last_7_days, plural(s.last_7_days, "warm lead", "warm leads"), fmt_count(s.sends_7_days), plural(s.sends_7_days, "send", "sends"), fmt_count(lo), fmt_count(hi), s.target_low, s.target_high),
                    _ => "Send a first batch: the suggested daily batch size is worked out from the share of people who answer YES.".to_string(),
                }}
            </p>
        </Card>
    }
}
