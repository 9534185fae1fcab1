//! Drip campaigns: the list, and one campaign's page (funnel, enrollment, live progress).

use crate::api::campaigns::*;
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use warmline::campaign::model::{delay_text, Audience, CampaignStatus, EnrollmentStatus};
use warmline::{CampaignId, ContactId, ListId};

/// What a person calls the campaign's state: an active campaign nobody is still in is
/// "finished", and one launched for later is "scheduled".
pub fn status_label(s: CampaignStatus, in_progress: i64, enrolled: i64, scheduled: bool) -> &'static str {
    match s {
        CampaignStatus::Active if scheduled => "scheduled",
        CampaignStatus::Active if enrolled > 0 && in_progress == 0 => "finished",
        other => other.as_str(),
    }
}

pub fn status_badge(label: &'static str) -> impl IntoView {
    let class = match label {
        "draft" => "bg-slate-100 text-slate-700",
        "active" => "bg-emerald-100 text-emerald-800",
        "scheduled" => "bg-sky-100 text-sky-800",
        "paused" => "bg-amber-100 text-amber-800",
        _ => "bg-slate-200 text-slate-600",
    };
    view! { <span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {class}") data-testid="campaign-status">{label}</span> }
}

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let data = Resource::new(move || live.get(), |_| list_campaigns());
    view! {
        <Title text="Campaigns" />
        <PageHeader title="Campaigns" subtitle="Multi-step SMS sequences. Each step waits for its delay and for the contact's quiet hours.">
            <a href="/campaigns/new" class=BTN_PRIMARY>"New campaign"</a>
        </PageHeader>
        <Card>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <div class="p-4"><ErrorNote error=e /></div> }.into_any(),
                        Ok(items) if items.is_empty() => view! { <Empty title="No campaigns yet">"Create one, preview it, then enroll a list."</Empty> }.into_any(),
                        Ok(items) => view! {
                            <div class="overflow-x-auto">
                            <table class="min-w-full divide-y divide-slate-200">
                                <thead class="bg-slate-50"><tr>
                                    <th class=TH>"Name"</th><th class=TH>"Status"</th>
                                    <th class=format!("{TH} hidden sm:table-cell")>"Steps"</th>
                                    <th class=TH>"In progress"</th>
                                    <th class=format!("{TH} hidden sm:table-cell")>"Enrolled"</th>
                                    <th class=format!("{TH} hidden md:table-cell")>"Sent"</th>
                                </tr></thead>
                                <tbody class="divide-y divide-slate-100">
                                    {items.into_iter().map(|c| view! {
                                        <tr class="hover:bg-slate-50">
                                            <td class=format!("{TD} max-w-[16rem]")><a class="block truncate font-medium text-slate-900 hover:text-orange-700" href=format!("/campaigns/{}", c.id) title=c.name.clone()>{c.name.clone()}</a></td>
                                            <td class=TD>{status_badge(status_label(c.status, c.active, c.enrolled, false))}</td>
                                            <td class=format!("{TD} hidden sm:table-cell")>{c.steps}</td>
                                            <td class=TD>{fmt_count(c.active)}</td>
                                            <td class=format!("{TD} hidden sm:table-cell")>{fmt_count(c.enrolled)}</td>
                                            <td class=format!("{TD} hidden md:table-cell")>{fmt_count(c.sent)}</td>
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
    }
}

/// The launch confirmation: how many people step 1 texts, and when (now or a chosen time).
/// `when` and `at` belong to the page, not the dialog: the dialog is rebuilt whenever a live
/// update reloads the campaign, and a choice made a moment before must survive that.
#[component]
fn LaunchDialog(open: RwSignal<bool>, id: CampaignId, resume: bool, launch: ServerAction<LaunchCampaign>, when: RwSignal<String>, at: RwSignal<String>) -> impl IntoView {
    let preview = Resource::new(move || open.get().then_some(id), |id| async move {
        match id {
            Some(id) => Some(load_launch_preview(id).await),
            None => None,
        }
    });
    // The chosen local time as epoch ms (the browser knows its own zone).
    let starts_at = move || -> Option<i64> {
        if when.get() != "later" {
            return None;
        }
        #[cfg(feature = "hydrate")]
        {
            let v = at.get();
            let t = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&v)).get_time();
            (!v.is_empty() && t.is_finite()).then_some(t as i64)
        }
        #[cfg(not(feature = "hydrate"))]
        None
    };
    let waiting = move || preview.get().flatten().and_then(|r| r.ok()).map(|p| p.waiting_first_step);
    let bad_time = move || when.get() == "later" && starts_at().is_none_or(|t| t <= now_ms());
    let label = Signal::derive(move || {
        let verb = if resume { "Resume" } else { "Launch" };
        match (when.get() == "later", waiting()) {
            (true, _) => format!("Schedule {}", verb.to_lowercase()),
            (false, Some(n)) if n > 0 => format!("{verb} and text {} {}", fmt_count(n), plural(n, "person", "people")),
            _ => verb.to_string(),
        }
    });
    let confirm = Callback::new(move |_| {
        launch.dispatch(LaunchCampaign { id, starts_at: starts_at() });
    });
    view! {
        <ConfirmDialog open title=if resume { "Resume this campaign?" } else { "Launch this campaign?" } confirm_label=label on_confirm=confirm disabled=Signal::derive(bad_time)>
            <Suspense fallback=|| view! { <p>"Counting who is waiting…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        None => ().into_any(),
                        Some(Err(e)) => view! { <ErrorNote error=e /> }.into_any(),
                        Some(Ok(p)) => view! {
                            <p data-testid="launch-count">
                                {if p.waiting_first_step == 0 {
                                    "Nobody is waiting for step 1 yet: enroll contacts, and step 1 texts them as they join.".to_string()
                                } else {
                                    format!("{} {} waiting for step 1.", fmt_count(p.waiting_first_step), plural(p.waiting_first_step, "person is", "people are"))
                                }}
                            </p>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <fieldset class="space-y-2">
                <legend class="font-medium text-slate-700">"The first step goes out"</legend>
                <label class="flex items-center gap-2"><input type="radio" name="launch-when" value="now" class="accent-orange-600" prop:checked=move || when.get() == "now" on:change=move |_| when.set("now".into()) />"Now"</label>
                <label class="flex items-center gap-2"><input type="radio" name="launch-when" value="later" class="accent-orange-600" prop:checked=move || when.get() == "later" on:change=move |_| when.set("later".into()) data-testid="launch-later" />"At a time I choose"</label>
                <Show when=move || when.get() == "later">
                    <input type="datetime-local" class=INPUT aria-label="Start time" bind:value=at data-testid="launch-at" />
                    {move || (bad_time() && !at.get().is_empty()).then(|| view! { <p class="text-xs text-red-700">"Choose a time in the future."</p> })}
                </Show>
            </fieldset>
            <p class="text-xs text-slate-500">"Quiet hours still apply: anyone outside 08:00–21:00 in their own time zone gets it in their morning."</p>
        </ConfirmDialog>
    }
}

pub(crate) fn enrollment_badge(s: EnrollmentStatus, reason: Option<&str>) -> (String, &'static str) {
    match s {
        EnrollmentStatus::Active => ("active".into(), "bg-emerald-100 text-emerald-800"),
        EnrollmentStatus::Completed => ("completed".into(), "bg-slate-100 text-slate-700"),
        EnrollmentStatus::Stopped => {
            let why = match reason {
                Some("replied") => "stopped · replied",
                Some("opted_out") => "stopped · opted out",
                Some("unenrolled") => "stopped · unenrolled",
                _ => "stopped",
            };
            (why.into(), "bg-amber-100 text-amber-800")
        }
        EnrollmentStatus::Failed => ("failed".into(), "bg-red-100 text-red-700"),
    }
}

#[component]
pub fn CampaignPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<CampaignId>().ok()).unwrap_or(CampaignId(0)));
    let live = expect_context::<Live>().0;
    let command = ServerAction::<CampaignCommand>::new();
    let launch = ServerAction::<LaunchCampaign>::new();
    let launch_open = RwSignal::new(false);
    let launch_when = RwSignal::new("now".to_string());
    let launch_at = RwSignal::new(String::new());
    let archive_open = RwSignal::new(false);
    let unenroll_open = RwSignal::new(false);
    let enroll = ServerAction::<EnrollAudience>::new();
    let unenroll = ServerAction::<UnenrollContacts>::new();
    let filter = RwSignal::new(None::<EnrollmentStatus>);
    let page = RwSignal::new(1i64);
    let data = Resource::new(
        move || (id.get(), filter.get(), page.get(), live.get(), command.version().get(), launch.version().get(), enroll.version().get(), unenroll.version().get()),
        |(id, f, p, ..)| load_campaign(id, f, p),
    );
    // Enrollment form state.
    let source = RwSignal::new("list".to_string());
    let list_choice = RwSignal::new(String::new());
    let tag_choice = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let reenroll = RwSignal::new(false);
    let audience = move || -> Option<Audience> {
        match source.get().as_str() {
            "list" => list_choice.get().parse::<i64>().ok().map(|l| Audience::List(ListId(l))),
            "tag" => Some(tag_choice.get()).filter(|t| !t.is_empty()).map(Audience::Tag),
            _ => Some(search.get()).filter(|q| !q.trim().is_empty()).map(Audience::Search),
        }
    };

    view! {
        <Title text="Campaign" />
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                let v = match data.await {
                    Err(e) => return view! { <ErrorNote error=e /> }.into_any(),
                    Ok(v) => v,
                };
                let c = v.detail.campaign.clone();
                let cid = c.id;
                let status = c.status;
                if list_choice.get_untracked().is_empty() {
                    if let Some(l) = v.lists.first() {
                        list_choice.set(l.id.to_string());
                    }
                }
                let counts = v.detail.enrollments.clone();
                let total_sent: i64 = v.detail.funnel.iter().map(|f| f.sent).sum();
                let steps = c.draft.steps.clone();
                let n_steps = steps.len() as i64;
                let enrollments = v.enrollments.clone();
                let pages = enrollments.pages();
                view! {
                    <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
                        <div>
                            <p class="text-sm"><a href="/campaigns" class="text-slate-500 hover:text-orange-700">"← Campaigns"</a></p>
                            <h1 class="mt-1 flex items-center gap-3 text-2xl font-semibold tracking-tight text-slate-900"><span class="min-w-0 break-words">{c.draft.name.clone()}</span> {status_badge(status_label(status, counts.active, counts.active + counts.completed + counts.stopped + counts.failed, c.starts_at.is_some_and(|t| t > now_ms())))}</h1>
                            <p class="mt-1 text-sm text-slate-500">
                                {format!("{} step{} · ", n_steps, if n_steps == 1 { "" } else { "s" })}
                                {if c.draft.stop_on_reply { "stops when a contact replies" } else { "keeps going after replies" }}
                                {c.draft.daily_cap.map(|cap| format!(" · at most {cap} a day"))}
                                {c.draft.window.map(|w| format!(" · sends {w} local time"))}
                            </p>
                        </div>
                        <div class="flex flex-wrap gap-2">
                            {status.editable().then(|| view! { <a href=format!("/campaigns/{cid}/edit") class=BTN_SECONDARY>"Edit"</a> })}
                            {match status {
                                CampaignStatus::Draft => Some(view! { <button type="button" class=BTN_PRIMARY data-testid="activate" on:click=move |_| { launch_when.set("now".into()); launch_at.set(String::new()); launch_open.set(true); }>"Launch…"</button> }.into_any()),
                                CampaignStatus::Paused => Some(view! { <button type="button" class=BTN_PRIMARY data-testid="activate" on:click=move |_| { launch_when.set("now".into()); launch_at.set(String::new()); launch_open.set(true); }>"Resume…"</button> }.into_any()),
                                CampaignStatus::Active => Some(view! { <button type="button" class=BTN_SECONDARY data-testid="pause" on:click=move |_| { command.dispatch(CampaignCommand { id: cid, command: Command::Pause }); }>"Pause"</button> }.into_any()),
                                CampaignStatus::Archived => None,
                            }}
                            {(status != CampaignStatus::Archived).then(|| view! {
                                <button type="button" class=BTN_SECONDARY on:click=move |_| archive_open.set(true)>"Archive…"</button>
                            })}
                        </div>
                    </div>
                    <crate::components::alarms::AlarmBanners campaign=cid />
                    <LaunchDialog open=launch_open id=cid resume=status == CampaignStatus::Paused launch when=launch_when at=launch_at />
                    <ConfirmDialog open=unenroll_open title="Unenroll everyone?" confirm_label="Unenroll all" danger=true
                        on_confirm=Callback::new(move |_| { unenroll.dispatch(UnenrollContacts { id: cid, contact_id: None }); })>
                        <p>{format!("The sequence stops for the {} {} still in progress. Nothing already sent is undone.", fmt_count(counts.active), plural(counts.active, "person", "people"))}</p>
                    </ConfirmDialog>
                    <ConfirmDialog open=archive_open title="Archive this campaign?" confirm_label="Archive" danger=true
                        on_confirm=Callback::new(move |_| { command.dispatch(CampaignCommand { id: cid, command: Command::Archive }); })>
                        <p>"It stops for everyone still in it and never sends again. Its history and figures stay."</p>
                    </ConfirmDialog>
                    {move || launch.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mb-4"><ErrorNote error=e /></div> })}
                    {c.starts_at.filter(|t| *t > now_ms() && status == CampaignStatus::Active).map(|t| view! {
                        <div class="mb-4 rounded-lg border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900" data-testid="scheduled-note">"Scheduled: the first messages go out " <Time ms=t /> "."</div>
                    })}
                    {move || command.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mb-4"><ErrorNote error=e /></div> })}
                    {(status == CampaignStatus::Draft).then(|| view! {
                        <div class="mb-4 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">"Draft: enroll contacts now if you like; nothing sends until you launch it."</div>
                    })}
                    {(status == CampaignStatus::Paused).then(|| view! {
                        <div class="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">"Paused: nothing sends. Resume to continue where it stopped."</div>
                    })}

                    <div class="mb-6 grid gap-4 sm:grid-cols-4">
                        <Stat label=if status == CampaignStatus::Draft { "Waiting for launch" } else { "In progress" } value=counts.active testid="count-active" />
                        <Stat label="Completed" value=counts.completed testid="count-completed" />
                        <Stat label="Stopped" value=counts.stopped testid="count-stopped" />
                        <Stat label="Messages sent" value=total_sent testid="count-sent" />
                    </div>

                    <Card class="mb-6 overflow-x-auto">
                        <h2 class="border-b border-slate-200 px-4 py-3 text-sm font-semibold text-slate-900">"Steps"</h2>
                        <table class="min-w-full divide-y divide-slate-200" data-testid="funnel">
                            <thead class="bg-slate-50"><tr>
                                <th class=TH>"Step"</th><th class=TH>"Due"</th><th class=TH>"Sent"</th><th class=TH>"Delivered"</th>
                                <th class=TH>"Replied"</th><th class=TH>"Opted out"</th><th class=TH>"Failed"</th>
                            </tr></thead>
                            <tbody class="divide-y divide-slate-100">
                                {v.detail.funnel.iter().zip(steps.iter()).enumerate().map(|(i, (f, s))| {
                                    let pct = |n: i64| if f.sent > 0 { format!(" ({:.0}%)", n as f64 * 100.0 / f.sent as f64) } else { String::new() };
                                    view! {
                                        <tr data-testid="funnel-row">
                                            <td class=format!("{TD} max-w-md")>
                                                <p class="font-medium text-slate-900">{format!("{}. {}", f.step, delay_text(&s.delay, i == 0))}</p>
                                                <p class="truncate text-xs text-slate-500" title=s.template.clone()>{s.template.clone()}</p>
                                            </td>
                                            <td class=TD data-testid="funnel-due">{fmt_count(f.due)}</td>
                                            <td class=TD data-testid="funnel-sent">{fmt_count(f.sent)}</td>
                                            <td class=TD data-testid="funnel-delivered">{format!("{}{}", fmt_count(f.delivered), pct(f.delivered))}</td>
                                            <td class=TD data-testid="funnel-replied">{format!("{}{}", fmt_count(f.replied), pct(f.replied))}</td>
                                            <td class=TD>{fmt_count(f.opted_out)}</td>
                                            <td class=TD>{fmt_count(f.failed)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </Card>

                    {(status != CampaignStatus::Archived).then(|| view! {
                        <Card class="mb-6 p-5">
                            <h2 class="mb-3 text-sm font-semibold text-slate-900">"Enroll contacts"</h2>
                            <div class="flex flex-wrap items-end gap-3">
                                <label class="text-sm text-slate-700">
                                    <span class=LABEL>"From"</span>
                                    <select class="rounded-md border border-slate-300 px-2 py-2 text-sm" prop:value=move || source.get() on:change=move |ev| source.set(event_target_value(&ev)) aria-label="Enroll from">
                                        <option value="list">"a list"</option>
                                        <option value="tag">"a tag"</option>
                                        <option value="search">"a search"</option>
                                    </select>
                                </label>
                                <div class="min-w-[14rem] flex-1">
                                    {
                                        let lists = v.lists.clone();
                                        let tags = v.tags.clone();
                                        move || match source.get().as_str() {
                                            "list" => view! {
                                                <select class=INPUT aria-label="List" prop:value=move || list_choice.get() on:change=move |ev| list_choice.set(event_target_value(&ev))>
                                                    {lists.iter().map(|l| view! { <option value=l.id.to_string()>{format!("{} ({})", l.name, fmt_count(l.contact_count))}</option> }).collect_view()}
                                                </select>
                                            }.into_any(),
                                            "tag" => view! {
                                                <select class=INPUT aria-label="Tag" prop:value=move || tag_choice.get() on:change=move |ev| tag_choice.set(event_target_value(&ev))>
                                                    <option value="">"Choose a tag"</option>
                                                    {tags.iter().map(|(t, n)| view! { <option value=t.clone()>{format!("{t} ({})", fmt_count(*n))}</option> }).collect_view()}
                                                </select>
                                            }.into_any(),
                                            _ => view! { <input class=INPUT aria-label="Search contacts" placeholder="Name, email or phone (one contact or many)" bind:value=search /> }.into_any(),
                                        }
                                    }
                                </div>
                                <label class="flex items-center gap-2 pb-2 text-sm text-slate-700"><input type="checkbox" class="h-4 w-4 accent-orange-600" bind:checked=reenroll />"Restart contacts already enrolled"</label>
                                <button type="button" class=BTN_PRIMARY data-testid="enroll" disabled=move || audience().is_none() || enroll.pending().get()
                                    on:click=move |_| { if let Some(a) = audience() { enroll.dispatch(EnrollAudience { id: cid, audience: a, reenroll: reenroll.get_untracked() }); } }>
                                    "Enroll"
                                </button>
                            </div>
                            {move || enroll.value().get().map(|r| match r {
                                Ok(o) => view! {
                                    <p class="mt-3 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900" role="status" data-testid="enroll-outcome">
                                        {format!("Enrolled {}.", fmt_count(o.enrolled))}
                                        {(o.already_enrolled > 0).then(|| format!(" {} already in this campaign.", fmt_count(o.already_enrolled)))}
                                        {(o.skipped_opted_out > 0).then(|| format!(" Skipped {} who opted out.", fmt_count(o.skipped_opted_out)))}
                                        {(o.skipped_unreachable > 0).then(|| format!(" Skipped {} flagged or unreachable.", fmt_count(o.skipped_unreachable)))}
                                    </p>
                                }.into_any(),
                                Err(e) => view! { <div class="mt-3"><ErrorNote error=e /></div> }.into_any(),
                            })}
                        </Card>
                    })}

                    <Card>
                        <div class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-3">
                            <h2 class="text-sm font-semibold text-slate-900">{format!("Enrollments ({})", fmt_count(enrollments.total))}</h2>
                            <div class="flex flex-wrap items-center gap-2">
                                <select class="rounded-md border border-slate-300 px-2 py-1 text-sm" aria-label="Filter enrollments"
                                    on:change=move |ev| { page.set(1); filter.set(EnrollmentStatus::parse(&event_target_value(&ev))); }>
                                    <option value="" selected=filter.get_untracked().is_none()>"All"</option>
                                    {[EnrollmentStatus::Active, EnrollmentStatus::Completed, EnrollmentStatus::Stopped, EnrollmentStatus::Failed].into_iter().map(|s| view! {
                                        <option value=s.as_str() selected=filter.get_untracked() == Some(s)>{s.as_str()}</option>
                                    }).collect_view()}
                                </select>
                                {(counts.active > 0).then(|| view! {
                                    <button type="button" class="rounded-md border border-slate-300 px-2 py-1 text-sm text-slate-700 hover:bg-slate-50" on:click=move |_| unenroll_open.set(true)>"Unenroll all…"</button>
                                })}
                            </div>
                        </div>
                        {if enrollments.items.is_empty() {
                            view! { <Empty title="Nobody is enrolled yet">"Enroll a list, a tag or a search above."</Empty> }.into_any()
                        } else {
                            view! {
                                <div class="overflow-x-auto">
                                <table class="min-w-full divide-y divide-slate-200" data-testid="enrollments">
                                    <thead class="bg-slate-50"><tr>
                                        <th class=TH>"Contact"</th><th class=TH>"Status"</th><th class=TH>"Step"</th>
                                        <th class=format!("{TH} hidden md:table-cell")>"Next send"</th><th class=TH></th>
                                    </tr></thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {enrollments.items.into_iter().map(|e| {
                                            let (label, class) = enrollment_badge(e.status, e.stop_reason.as_deref());
                                            let contact: ContactId = e.contact_id;
                                            let step = if e.status == EnrollmentStatus::Completed { format!("{n_steps} of {n_steps}") } else { format!("{} of {n_steps}", (e.next_step + 1).min(n_steps)) };
                                            let next = match (e.status, e.next_at) {
                                                (EnrollmentStatus::Active, Some(t)) => view! { <Time ms=t /> }.into_any(),
                                                _ => "—".into_any(),
                                            };
                                            view! {
                                                <tr data-testid="enrollment-row">
                                                    <td class=TD>
                                                        <a class="font-medium text-slate-900 hover:text-orange-700" href=format!("/conversations/{contact}")>{e.contact_name.clone()}</a>
                                                        <p class="font-mono text-xs text-slate-400">{warmline::phone::display(&e.phone)}</p>
                                                    </td>
                                                    <td class=TD><span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {class}") data-testid="enrollment-status">{label}</span></td>
                                                    <td class=TD>{step}</td>
                                                    <td class=format!("{TD} hidden whitespace-nowrap text-slate-500 md:table-cell")>{next}</td>
                                                    <td class=format!("{TD} text-right")>
                                                        {(e.status == EnrollmentStatus::Active).then(|| view! {
                                                            <button type="button" class="text-sm text-slate-500 hover:text-red-700" on:click=move |_| { unenroll.dispatch(UnenrollContacts { id: cid, contact_id: Some(contact) }); }>"Unenroll"</button>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                </div>
                                {(pages > 1).then(|| view! {
                                    <div class="flex items-center justify-between border-t border-slate-200 px-4 py-3 text-sm">
                                        <button type="button" class=BTN_SECONDARY disabled=move || { page.get() <= 1 } on:click=move |_| page.update(|p| *p -= 1)>"Previous"</button>
                                        <span class="text-slate-500">{move || format!("Page {} of {pages}", page.get())}</span>
                                        <button type="button" class=BTN_SECONDARY disabled=move || { page.get() >= pages } on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
                                    </div>
                                })}
                            }.into_any()
                        }}
                    </Card>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn Stat(label: &'static str, value: i64, testid: &'static str) -> impl IntoView {
    view! {
        <Card class="p-4">
            <p class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
            <p class="mt-1 text-2xl font-semibold text-slate-900" data-testid=testid>{fmt_count(value)}</p>
        </Card>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_reads_as_people_say_it() {
        // An active campaign everyone finished is "finished", not "active".
        assert_eq!(status_label(CampaignStatus::Active, 0, 3, false), "finished");
        assert_eq!(status_label(CampaignStatus::Active, 1, 3, false), "active");
        // Nobody enrolled yet: still active (it texts people as they are enrolled).
        assert_eq!(status_label(CampaignStatus::Active, 0, 0, false), "active");
        assert_eq!(status_label(CampaignStatus::Active, 3, 3, true), "scheduled");
        assert_eq!(status_label(CampaignStatus::Draft, 3, 3, false), "draft");
    }
}
