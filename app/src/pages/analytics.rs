//! The analytics page: a period and filters, the headline figures with rates and costs, the
//! daily chart, the funnels, the breakdowns and the team's days (each in the CSV), and the
//! alarms. Live.

use crate::api::analytics::{analytics_options, analytics_report, team_activity};
use crate::components::alarms::AlarmBanners;
use crate::components::charts::{DailyChart, Day, FunnelChart};
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use warmline::analytics::alarms::AlarmLevel;
use warmline::analytics::{Breakdown, FilterInput, Report, Summary, TeamDay};

fn pct(r: Option<f64>) -> String {
    r.map(|r| if r > 0.0 && r < 0.001 { "<0.1%".into() } else { format!("{:.1}%", r * 100.0) }).unwrap_or_else(|| "—".into())
}

fn money(cents: f64) -> String {
    if cents.abs() < 100.0 && cents != 0.0 {
        format!("{:.1}¢", cents)
    } else {
        format!("${:.2}", cents / 100.0)
    }
}

fn money_opt(cents: Option<f64>) -> String {
    cents.map(money).unwrap_or_else(|| "—".into())
}

/// The query string of a filter for the CSV link (only what is set).
fn query(f: &FilterInput) -> String {
    let keep = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect::<String>();
    let mut q = Vec::new();
    if let Some(n) = f.last_days {
        q.push(format!("last_days={n}"));
    }
    if !f.from.is_empty() {
        q.push(format!("from={}", keep(&f.from)));
    }
    if !f.to.is_empty() {
        q.push(format!("to={}", keep(&f.to)));
    }
    if let Some(k) = &f.kind {
        q.push(format!("kind={}", keep(k)));
    }
    if let Some(c) = f.campaign_id {
        q.push(format!("campaign_id={c}"));
    }
    if let Some(s) = f.step {
        q.push(format!("step={s}"));
    }
    if let Some(s) = &f.sender {
        // `+` in a query string is a space: encode it.
        q.push(format!("sender={}", s.replace('+', "%2B")));
    }
    if let Some(m) = f.member {
        q.push(format!("member={m}"));
    }
    q.join("&")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    Today,
    Week,
    Month,
    Custom,
}

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let period = RwSignal::new(Period::Month);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let campaign = RwSignal::new(String::new());
    let step = RwSignal::new(String::new());
    let sender = RwSignal::new("*".to_string());
    let member = RwSignal::new(String::new());
    let filter = Memo::new(move |_| {
        let (from_s, to_s, last_days) = match period.get() {
            Period::Today => (String::new(), String::new(), Some(1)),
            Period::Week => (String::new(), String::new(), Some(7)),
            Period::Month => (String::new(), String::new(), Some(30)),
            Period::Custom => (from.get(), to.get(), None),
        };
        let opt = |s: String| Some(s).filter(|s| !s.is_empty());
        FilterInput {
            from: from_s,
            to: to_s,
            last_days,
            kind: opt(kind.get()),
            campaign_id: campaign.get().parse().ok(),
            step: campaign.get().parse::<i64>().ok().and(step.get().parse().ok()),
            // The default number is the empty value; "all" is no filter.
            sender: Some(sender.get()).filter(|s| s != "*"),
            member: member.get().parse().ok(),
        }
    });
    let options = Resource::new(|| (), |_| analytics_options());
    let report = Resource::new(move || (filter.get(), live.get()), |(f, _)| analytics_report(f));
    let team = Resource::new(move || (filter.get(), live.get()), |(f, _)| team_activity(f));
    let period_button = move |p: Period, label: &'static str| {
        view! {
            <button type="button" data-testid=format!("period-{}", label.to_lowercase().replace(' ', "-"))
                aria-pressed=move || (period.get() == p).to_string()
                class=move || format!("rounded-md px-3 py-1.5 text-sm font-medium {}", if period.get() == p { "bg-slate-900 text-white" } else { "text-slate-600 hover:bg-slate-100" })
                on:click=move |_| period.set(p)>{label}</button>
        }
    };
    view! {
        <Title text="Analytics" />
        <PageHeader title="Analytics" subtitle="Whether your messages arrive, get answers and pay off. Days are in your organisation's time zone.">
            <a class=BTN_SECONDARY data-testid="export-analytics" rel="external" download="analytics.csv"
                href=move || format!("/app/exports/analytics.csv?{}", query(&filter.get()))>"Download CSV"</a>
        </PageHeader>
        <AlarmBanners />
        <Card class="mb-6 space-y-4 p-4">
            <div class="flex flex-wrap items-center gap-1 rounded-lg bg-slate-50 p-1 sm:w-fit" role="group" aria-label="Period">
                {period_button(Period::Today, "Today")}
                {period_button(Period::Week, "7 days")}
                {period_button(Period::Month, "30 days")}
                {period_button(Period::Custom, "Custom")}
            </div>
            <Show when=move || period.get() == Period::Custom>
                <div class="grid grid-cols-2 gap-3 sm:w-96">
                    <div><label class=LABEL for="an-from">"From"</label><input id="an-from" type="date" class=INPUT data-testid="analytics-from" bind:value=from /></div>
                    <div><label class=LABEL for="an-to">"To"</label><input id="an-to" type="date" class=INPUT data-testid="analytics-to" bind:value=to /></div>
                </div>
            </Show>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let o = match options.await {
                        Ok(o) => o,
                        Err(e) => return view! { <ErrorNote error=e /> }.into_any(),
                    };
                    let steps_of: Vec<(String, i64)> = o.campaigns.iter().map(|(id, _, n)| (id.to_string(), *n)).collect();
                    let steps = move || steps_of.iter().find(|(id, _)| *id == campaign.get()).map(|(_, n)| *n).unwrap_or(0);
                    view! {
                        <div class="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
                            <div>
                                <label class=LABEL for="an-kind">"Messages"</label>
                                <select id="an-kind" class=INPUT data-testid="filter-kind" bind:value=kind>
                                    <option value="">"All kinds"</option>
                                    {o.kinds.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                                </select>
                            </div>
                            <div>
                                <label class=LABEL for="an-campaign">"Drip campaign"</label>
                                <select id="an-campaign" class=INPUT data-testid="filter-campaign" bind:value=campaign on:change=move |_| step.set(String::new())>
                                    <option value="">"All campaigns"</option>
                                    {o.campaigns.into_iter().map(|(id, n, _)| view! { <option value=id.to_string()>{n}</option> }).collect_view()}
                                </select>
                            </div>
                            <div>
                                <label class=LABEL for="an-step">"Step"</label>
                                <select id="an-step" class=INPUT data-testid="filter-step" bind:value=step disabled=move || campaign.get().is_empty()>
                                    <option value="">{move || if campaign.get().is_empty() { "Pick a campaign" } else { "All steps" }}</option>
                                    {move || (0..steps()).map(|i| view! { <option value=i.to_string()>{format!("Step {}", i + 1)}</option> }).collect_view()}
                                </select>
                            </div>
                            <div>
                                <label class=LABEL for="an-sender">"Sender number"</label>
                                <select id="an-sender" class=INPUT data-testid="filter-sender" bind:value=sender>
                                    <option value="*">"All numbers"</option>
                                    {o.senders.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                                </select>
                            </div>
                            <div>
                                <label class=LABEL for="an-member">"Team member"</label>
                                <select id="an-member" class=INPUT data-testid="filter-member" bind:value=member>
                                    <option value="">"Everyone"</option>
                                    <option value="0">"Automatic sends"</option>
                                    {o.members.into_iter().map(|(id, n)| view! { <option value=id.to_string()>{n}</option> }).collect_view()}
                                </select>
                            </div>
                        </div>
                    }.into_any()
                })}
            </Transition>
        </Card>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match report.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(r) => view! { <ReportView report=r /> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match team.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(rows) => view! { <TeamCard rows /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// "1 h 5 min", "3 min 20 s", "45 s".
fn duration(secs: i64) -> String {
    match secs {
        s if s >= 3600 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        s if s >= 60 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{s} s"),
    }
}

#[component]
fn TeamCard(rows: Vec<TeamDay>) -> impl IntoView {
    view! {
        <Card class="mt-6">
            <div class="border-b border-slate-200 px-4 py-3">
                <h2 class="text-sm font-semibold text-slate-900">"Team, day by day"</h2>
                <p class="mt-0.5 text-xs text-slate-500">"Messages people sent themselves, the conversations they handled, and how long a contact waited for their answer (the median, from the contact's first unanswered message)."</p>
            </div>
            {if rows.is_empty() {
                view! { <p class="px-4 py-6 text-sm text-slate-500" data-testid="team-empty">"Nobody on the team wrote to a contact in this period. Replies typed in Conversations show up here."</p> }.into_any()
            } else {
                view! {
                    <div class="overflow-x-auto">
                        <table class="min-w-full divide-y divide-slate-200" data-testid="team-days">
                            <thead class="bg-slate-50"><tr>
                                <th class=TH>"Day"</th><th class=TH>"Team member"</th><th class=TH>"Messages"</th>
                                <th class=TH>"Conversations"</th><th class=TH>"Answers"</th><th class=TH>"Median first response"</th>
                            </tr></thead>
                            <tbody class="divide-y divide-slate-100">
                                {rows.into_iter().map(|t| view! {
                                    <tr>
                                        <td class=format!("{TD} whitespace-nowrap tabular-nums")>{t.day}</td>
                                        <td class=format!("{TD} max-w-56 truncate font-medium text-slate-900") title=t.member.clone()>{t.member.clone()}</td>
                                        <td class=format!("{TD} tabular-nums")>{fmt_count(t.messages)}</td>
                                        <td class=format!("{TD} tabular-nums")>{fmt_count(t.conversations)}</td>
                                        <td class=format!("{TD} tabular-nums")>{fmt_count(t.responses)}</td>
                                        <td class=format!("{TD} tabular-nums") data-testid="median-response">{t.median_response_secs.map(duration).unwrap_or_else(|| "—".into())}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </Card>
    }
}

#[component]
fn ReportView(report: Report) -> impl IntoView {
    let Report { days, summary: s, series, by_kind, by_campaign, by_step, by_member, funnels, alarms, by_source } = report;
    let period = if days.0 == days.1 { days.0.clone() } else { format!("{} to {}", days.0, days.1) };
    let nothing = s.sent == 0 && s.paid_unlocks == 0 && by_source.is_empty() && funnels.iter().all(|f| f.stages.iter().all(|(_, v)| *v == 0));
    if nothing {
        return view! {
            <Card>
                <p class="px-6 pt-4 text-xs text-slate-500" data-testid="analytics-period">{period}</p>
                <Empty title="No messages in this period">
                    "Figures appear as soon as messages go out. "
                    <a class="font-medium text-orange-700 hover:underline" href="/campaigns">"Launch a drip campaign"</a>
                    ", start "
                    <a class="font-medium text-orange-700 hover:underline" href="/farming">"lead farming"</a>
                    ", or choose a longer period or fewer filters above."
                </Empty>
            </Card>
        }
        .into_any();
    }
    let days: Vec<Day> = series.iter().map(|p| Day { day: p.day.clone(), sent: p.sent, delivered: p.delivered, replied: p.replied, opted_out: p.opted_out }).collect();
    view! {
        <p class="mb-3 text-xs text-slate-500" data-testid="analytics-period">{period}</p>
        <Figures s=s.clone() />
        <div class="mt-6 grid gap-6 lg:grid-cols-3">
            <Card class="p-5 lg:col-span-2">
                <h2 class="mb-3 text-sm font-semibold text-slate-900">"Day by day"</h2>
                <DailyChart days testid="daily-chart" />
            </Card>
            <Card class="space-y-5 p-5">
                {funnels.into_iter().map(|f| view! { <FunnelChart name=f.name stages=f.stages testid="funnel" /> }).collect_view()}
            </Card>
        </div>
        <BreakdownCard title="By kind of message" first="Kind" rows=by_kind testid="by-kind" />
        <BreakdownCard title="By drip campaign" first="Campaign" rows=by_campaign testid="by-campaign" />
        {(!by_step.is_empty()).then(|| view! { <BreakdownCard title="By step" first="Step" rows=by_step testid="by-step" /> })}
        <BreakdownCard title="By team member" first="Sent by" rows=by_member testid="by-member" />
        <SourcesCard rows=by_source />
        {(!alarms.is_empty()).then(|| view! {
            <Card class="mt-6">
                <div class="border-b border-slate-200 px-4 py-3"><h2 class="text-sm font-semibold text-slate-900">"Recent alarms"</h2></div>
                <ul class="divide-y divide-slate-100" data-testid="recent-alarms">
                    {alarms.into_iter().map(|a| view! {
                        <li class="flex flex-wrap items-start gap-x-3 gap-y-1 px-4 py-3 text-sm">
                            <span class=if a.level == AlarmLevel::Pause { "rounded bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800" } else { "rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800" }>
                                {if a.level == AlarmLevel::Pause { "paused" } else { "warning" }}
                            </span>
                            <span class="min-w-0 flex-1 break-words text-slate-700">{a.headline()}</span>
                            <span class="text-xs text-slate-500"><Time ms=a.created_at />{if a.active { " · active".to_string() } else { " · ended".to_string() }}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </Card>
        })}
    }
    .into_any()
}

#[component]
fn Figure(label: &'static str, value: String, #[prop(optional, into)] note: String, #[prop(optional)] testid: &'static str, #[prop(optional)] tone: &'static str) -> impl IntoView {
    view! {
        <div class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid=testid>
            <p class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
            <p class=format!("mt-1 text-2xl font-semibold tabular-nums {}", if tone.is_empty() { "text-slate-900" } else { tone }) data-testid="figure-value">{value}</p>
            <p class="mt-0.5 min-h-4 text-xs text-slate-500">{note}</p>
        </div>
    }
}

#[component]
fn Figures(s: Summary) -> impl IntoView {
    let failed = s.failed + s.undelivered;
    let opt_tone = if s.opt_out_rate.unwrap_or(0.0) >= 0.02 { "text-red-700" } else { "" };
    view! {
        <div class="grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="figures">
            <Figure label="Sent" value=fmt_count(s.sent) note=format!("{} segment{}", fmt_count(s.segments), if s.segments == 1 { "" } else { "s" }) testid="fig-sent" />
            <Figure label="Delivered" value=fmt_count(s.delivered) note=format!("{} delivery rate", pct(s.delivery_rate)) testid="fig-delivered" />
            <Figure label="Failed" value=fmt_count(failed)
                note={if s.filtered > 0 { format!("{} undelivered · {} filtered by carriers", s.undelivered, s.filtered) } else { format!("{} undelivered", s.undelivered) }}
                testid="fig-failed" tone={if failed > 0 { "text-amber-700" } else { "" }} />
            <Figure label="Replies" value=fmt_count(s.replied) note=format!("{} reply rate", pct(s.reply_rate)) testid="fig-replied" />
            <Figure label="Opt-outs" value=fmt_count(s.opted_out) note=format!("{} opt-out rate", pct(s.opt_out_rate)) testid="fig-opted-out" tone=opt_tone />
            <Figure label="Warm leads" value=fmt_count(s.warm_leads) note=format!("{} each", money_opt(s.cost_per_warm_lead_cents)) testid="fig-warm" />
            <Figure label="Cost" value=money(s.cost_cents) note=format!("{} a delivered message · {} a reply", money_opt(s.cost_per_delivered_cents), money_opt(s.cost_per_reply_cents)) testid="fig-cost" />
            <Figure label="Lead revenue" value=format!("${:.2}", s.revenue_cents as f64 / 100.0)
                note=format!("{} paid unlock{} · cost {} each", s.paid_unlocks, if s.paid_unlocks == 1 { "" } else { "s" }, money_opt(s.cost_per_paid_unlock_cents))
                testid="fig-revenue" tone={if s.revenue_cents > 0 { "text-emerald-700" } else { "" }} />
        </div>
    }
}

/// Form leads by source: each row opens the contacts from that source.
#[component]
fn SourcesCard(rows: Vec<warmline::analytics::SourceRow>) -> impl IntoView {
    view! {
        <Card class="mt-6">
            <div class="border-b border-slate-200 px-4 py-3">
                <h2 class="text-sm font-semibold text-slate-900">"Form leads by source"</h2>
                <p class="text-xs text-slate-500">"Leads from lead forms in the period, by where they first came from (the period applies; the other filters are for messages)."</p>
            </div>
            {if rows.is_empty() {
                view! { <p class="px-4 py-6 text-sm text-slate-500">"No form leads in the period."</p> }.into_any()
            } else {
                view! {
                    <div class="overflow-x-auto">
                        <table class="min-w-full divide-y divide-slate-200" data-testid="by-source">
                            <thead class="bg-slate-50"><tr>
                                <th class=TH>"Source"</th><th class=TH>"Leads"</th><th class=TH>"Submissions"</th><th class=TH>"Replied"</th>
                                <th class=TH>"Warm"</th><th class=TH>"Opt-outs"</th><th class=TH>"Sold"</th>
                            </tr></thead>
                            <tbody class="divide-y divide-slate-100">
                                {rows.into_iter().map(|r| {
                                    let rate = |n: i64| if r.leads > 0 { format!(" ({:.0}%)", n as f64 * 100.0 / r.leads as f64) } else { String::new() };
                                    let href = format!("/contacts?source={}", warmline::url::encode_component(&r.source));
                                    view! {
                                        <tr>
                                            <td class=format!("{TD} max-w-56 truncate font-medium")><a class="text-slate-900 hover:text-orange-700" href=href title=r.source.clone()>{r.source.clone()}</a></td>
                                            <td class=format!("{TD} tabular-nums")>{fmt_count(r.leads)}</td>
                                            <td class=format!("{TD} tabular-nums")>{fmt_count(r.submissions)}</td>
                                            <td class=format!("{TD} tabular-nums")>{format!("{}{}", fmt_count(r.replied), rate(r.replied))}</td>
                                            <td class=format!("{TD} tabular-nums")>{format!("{}{}", fmt_count(r.warm_leads), rate(r.warm_leads))}</td>
                                            <td class=format!("{TD} tabular-nums")>{format!("{}{}", fmt_count(r.opted_out), rate(r.opted_out))}</td>
                                            <td class=format!("{TD} tabular-nums")>{fmt_count(r.sold)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </Card>
    }
}

#[component]
fn BreakdownCard(title: &'static str, first: &'static str, rows: Vec<Breakdown>, testid: &'static str) -> impl IntoView {
    view! {
        <Card class="mt-6">
            <div class="border-b border-slate-200 px-4 py-3"><h2 class="text-sm font-semibold text-slate-900">{title}</h2></div>
            {if rows.is_empty() {
                view! { <p class="px-4 py-6 text-sm text-slate-500">"No messages of this kind in the period."</p> }.into_any()
            } else {
                view! {
                    <div class="overflow-x-auto">
                        <table class="min-w-full divide-y divide-slate-200" data-testid=testid>
                            <thead class="bg-slate-50"><tr>
                                <th class=TH>{first}</th><th class=TH>"Sent"</th><th class=TH>"Delivered"</th><th class=TH>"Failed"</th>
                                <th class=TH>"Replies"</th><th class=TH>"Opt-outs"</th><th class=TH>"Warm"</th><th class=TH>"Cost"</th>
                            </tr></thead>
                            <tbody class="divide-y divide-slate-100">
                                {rows.into_iter().map(|b| {
                                    let rate = |n: i64| if b.sent > 0 { format!(" ({:.1}%)", n as f64 * 100.0 / b.sent as f64) } else { String::new() };
                                    view! {
                                        <tr>
                                            <td class=format!("{TD} max-w-56 truncate font-medium text-slate-900") title=b.label.clone()>{b.label.clone()}</td>
                                            <td class=format!("{TD} tabular-nums")>{fmt_count(b.sent)}</td>
                                            <td class=format!("{TD} tabular-nums")>{format!("{}{}", fmt_count(b.delivered), rate(b.delivered))}</td>
                                            <td class=format!("{TD} tabular-nums")>{fmt_count(b.failed)}</td>
                                            <td class=format!("{TD} tabular-nums")>{format!("{}{}", fmt_count(b.replied), rate(b.replied))}</td>
                                            <td class=format!("{TD} tabular-nums")>{format!("{}{}", fmt_count(b.opted_out), rate(b.opted_out))}</td>
                                            <td class=format!("{TD} tabular-nums")>{fmt_count(b.warm_leads)}</td>
                                            <td class=format!("{TD} tabular-nums")>{money(b.cost_cents)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </Card>
    }
}
