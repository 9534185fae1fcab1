//! One contact: details, consent, lists, tags and custom attributes.

use crate::api::contacts::get_contact;
use crate::api::conversations::contact_consent;
use crate::api::scoring::contact_score;
use crate::components::score::ScoreBadge;
use crate::components::ui::*;
use crate::pages::contact_crm::{DeleteContactButton, EditContactForm, HistoryCard, NotesCard, StageCard};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use warmline::ContactId;

#[component]
pub fn ContactDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<ContactId>().ok());
    let live = expect_context::<crate::components::layout::Live>().0;
    let editing = RwSignal::new(false);
    let note_draft = crate::pages::contact_crm::NoteDraft::new();
    // Another contact's page starts with an empty note.
    Effect::new(move |prev: Option<Option<ContactId>>| {
        let now = id();
        if prev.is_some_and(|p| p != now) {
            note_draft.body.set(String::new());
        }
        now
    });
    // Refetched after an edit (and on live changes) so the page shows what was saved.
    // (Not while the form is open: a live event would reset what is being typed.)
    let contact = Resource::new(move || { let e = editing.get(); (id(), e, (!e).then(|| live.get())) }, |(id, ..)| async move {
        match id {
            Some(id) => get_contact(id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    let consent = Resource::new(id, |id| async move {
        match id {
            Some(id) => contact_consent(id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    view! {
        <Title text="Contact" />
        <a href="/contacts" class="mb-4 inline-block text-sm text-slate-500 hover:text-orange-700">"← All contacts"</a>
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match contact.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(c) => {
                    let (tags, lists, attributes, contact_id) = (c.tags.clone(), c.lists.clone(), c.attributes.clone(), c.id);
                    view! {
                        <Title text=c.display_name() />
                        <PageHeader title="Contact">
                            <button type="button" class=BTN_SECONDARY data-testid="edit-contact-button" on:click=move |_| editing.set(true)>"Edit"</button>
                            <DeleteContactButton contact_id />
                            <a href=format!("/conversations/{}", c.id) class=BTN_PRIMARY>"Message"</a>
                        </PageHeader>
                        <div class="grid gap-6 lg:grid-cols-3">
                            <div class="lg:col-span-2">
                            <Card class="min-w-0 p-6">
                                {if editing.get_untracked() {
                                    let c = c.clone();
                                    view! { <EditContactForm contact=c on_done=Callback::new(move |_| editing.set(false)) /> }.into_any()
                                } else { view! {
                                <h2 class="break-words text-xl font-semibold text-slate-900" data-testid="contact-name">{c.display_name()}</h2>
                                <a class="mt-1 inline-block font-mono text-sm text-slate-600 hover:text-orange-700" href=format!("tel:{}", c.phone) title="Call" data-testid="contact-phone">{c.phone.display()}</a>
                                <dl class="mt-6 grid gap-4 sm:grid-cols-2">
                                    <Field label="Email" value=c.email.clone() />
                                    <Field label="Time zone" value=c.timezone.clone() />
                                    <Field label="Consent source" value=c.consent_source.clone() />
                                    <TimeField label="Consent given" ms=c.consent_at />
                                    <TimeField label="Added" ms=Some(c.created_at) />
                                    <TimeField label="Updated" ms=Some(c.updated_at) />
                                </dl>
                                {(!attributes.is_empty()).then(|| view! {
                                    <h3 class="mt-8 text-sm font-semibold text-slate-900">"Custom attributes"</h3>
                                    <dl class="mt-3 grid gap-4 sm:grid-cols-2">
                                        {attributes.iter().map(|(k, v)| view! { <Field label=k.clone() value=Some(v.clone()) /> }).collect_view()}
                                    </dl>
                                })}
                                }.into_any() }}
                            </Card>
                            <HistoryCard contact_id />
                            <crate::pages::contact_timeline::TimelineCard contact_id />
                            </div>
                            <div class="space-y-6">
                                <ScoreCard contact_id />
                                <ConsentCard consent />
                                <StageCard contact_id />
                                <NotesCard contact_id draft=note_draft />
                                <CampaignsCard contact_id />
                                <Card class="p-6">
                                    <h3 class="text-sm font-semibold text-slate-900">"Lists"</h3>
                                    <ul class="mt-3 space-y-1 text-sm">
                                        {if lists.is_empty() { view! { <li class="text-slate-500">"Not on any list"</li> }.into_any() } else {
                                            lists.iter().map(|l| view! {
                                                <li><a class="text-orange-700 hover:underline" href=format!("/contacts?list={}", l.id)>{l.name.clone()}</a></li>
                                            }).collect_view().into_any()
                                        }}
                                    </ul>
                                </Card>
                                <Card class="p-6">
                                    <h3 class="text-sm font-semibold text-slate-900">"Tags"</h3>
                                    <div class="mt-3 flex flex-wrap gap-1">
                                        {if tags.is_empty() { view! { <span class="text-sm text-slate-500">"No tags"</span> }.into_any() } else {
                                            tags.iter().map(|t| view! {
                                                <a href=format!("/contacts?tag={t}") class="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700 hover:bg-orange-100">{t.clone()}</a>
                                            }).collect_view().into_any()
                                        }}
                                    </div>
                                </Card>
                            </div>
                        </div>
                    }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The lead score with the rules that produced it ("+20 replied YES"); follows live changes.
#[component]
fn ScoreCard(contact_id: ContactId) -> impl IntoView {
    let live = expect_context::<crate::components::layout::Live>().0;
    let score = Resource::new(move || live.get(), move |_| contact_score(contact_id));
    view! {
        <Card class="p-6">
            <div class="flex items-center justify-between gap-2">
                <h3 class="text-sm font-semibold text-slate-900">"Lead score"</h3>
                <a href="/scoring" class="text-xs text-slate-500 hover:text-orange-700">"Rules"</a>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match score.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(s) => view! {
                            <div class="mt-3" data-testid="contact-score-card"><ScoreBadge score=s.value band=s.band /></div>
                            {if s.reasons.is_empty() {
                                view! { <p class="mt-2 text-sm text-slate-500">"No rule has counted yet."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="mt-3 space-y-1 text-sm" data-testid="score-reasons">
                                        {s.reasons.into_iter().map(|r| view! {
                                            <li class=if r.points < 0 { "text-red-700" } else { "text-slate-700" }>{r.text()}</li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        }.into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
}

#[component]
fn Field(#[prop(into)] label: String, value: Option<String>) -> impl IntoView {
    view! {
        <div>
            <dt class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
            <dd class="mt-1 break-words text-sm text-slate-800">{value.unwrap_or_else(|| "—".into())}</dd>
        </div>
    }
}

#[component]
fn TimeField(label: &'static str, ms: Option<i64>) -> impl IntoView {
    view! {
        <div>
            <dt class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
            <dd class="mt-1 text-sm text-slate-800">{match ms { Some(ms) => view! { <Time ms /> }.into_any(), None => "—".into_any() }}</dd>
        </div>
    }
}

#[component]
fn ConsentCard(consent: Resource<Result<warmline::message::ConsentState, crate::error::AppError>>) -> impl IntoView {
    use warmline::message::ConsentKind;
    view! {
        <Card class="p-6">
            <h3 class="text-sm font-semibold text-slate-900">"Consent"</h3>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match consent.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(c) => {
                            let (label, class) = if c.opted_out {
                                ("Opted out", "bg-red-100 text-red-700")
                            } else if c.flagged {
                                ("Flagged for review", "bg-amber-100 text-amber-800")
                            } else if c.number_status != warmline::message::NumberStatus::Ok {
                                ("Number unusable", "bg-slate-200 text-slate-700")
                            } else {
                                ("Can be messaged", "bg-emerald-100 text-emerald-800")
                            };
                            view! {
                                <p class="mt-3"><span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {class}") data-testid="consent-state">{label}</span>
                                    {(c.number_status != warmline::message::NumberStatus::Ok).then(|| view! { <span class="ml-2 text-xs text-slate-500">{format!("number: {}", c.number_status)}</span> })}
                                </p>
                                <ol class="mt-4 space-y-2 text-sm" data-testid="consent-history">
                                    {if c.history.is_empty() {
                                        view! { <li class="text-slate-500">"No consent changes recorded."</li> }.into_any()
                                    } else {
                                        c.history.into_iter().rev().map(|e| {
                                            let what = match e.kind {
                                                ConsentKind::OptOut => "Opted out",
                                                ConsentKind::OptIn => "Opted in",
                                                ConsentKind::Flagged => "Flagged (free-text opt-out)",
                                                ConsentKind::Unflagged => "Flag cleared after review",
                                            };
                                            view! {
                                                <li>
                                                    <p class="font-medium text-slate-800">{what} <span class="font-normal text-slate-500">{format!(" · {}", e.source)}</span></p>
                                                    <p class="text-xs text-slate-500"><Time ms=e.created_at />{e.note.map(|n| format!(" · {n}")).unwrap_or_default()}</p>
                                                </li>
                                            }
                                        }).collect_view().into_any()
                                    }}
                                </ol>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </Card>
    }
}

/// The contact's drip campaigns, and enrolling them in one.
#[component]
fn CampaignsCard(contact_id: ContactId) -> impl IntoView {
    use crate::api::campaigns::{contact_campaigns, EnrollAudience};
    use crate::components::layout::Live;
    use warmline::campaign::model::{Audience, EnrollmentStatus};
    let live = expect_context::<Live>().0;
    let enroll = ServerAction::<EnrollAudience>::new();
    let data = Resource::new(move || (live.get(), enroll.version().get()), move |_| contact_campaigns(contact_id));
    let choice = RwSignal::new(String::new());
    view! {
        <Card class="p-6">
            <h3 class="text-sm font-semibold text-slate-900">"Campaigns"</h3>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(d) => {
                            let in_campaign: Vec<_> = d.enrollments.iter().map(|(_, e)| e.campaign_id).collect();
                            let open: Vec<_> = d.campaigns.into_iter().filter(|c| !in_campaign.contains(&c.id)).collect();
                            if choice.get_untracked().is_empty() {
                                if let Some(c) = open.first() {
                                    choice.set(c.id.to_string());
                                }
                            }
                            view! {
                                <ul class="mt-3 space-y-2 text-sm" data-testid="contact-campaigns">
                                    {if d.enrollments.is_empty() {
                                        view! { <li class="text-slate-500">"Not in any campaign"</li> }.into_any()
                                    } else {
                                        d.enrollments.iter().map(|(name, e)| {
                                            let (label, class) = crate::pages::campaigns::enrollment_badge(e.status, e.stop_reason.as_deref());
                                            let step = if e.status == EnrollmentStatus::Active { format!(" · next: step {}", e.next_step + 1) } else { String::new() };
                                            view! {
                                                <li class="flex flex-wrap items-center justify-between gap-2">
                                                    <a class="text-orange-700 hover:underline" href=format!("/campaigns/{}", e.campaign_id)>{name.clone()}</a>
                                                    <span class="text-xs text-slate-500"><span class=format!("rounded-full px-2 py-0.5 font-medium {class}")>{label}</span>{step}</span>
                                                </li>
                                            }
                                        }).collect_view().into_any()
                                    }}
                                </ul>
                                {(!open.is_empty()).then(|| view! {
                                    <div class="mt-4 flex gap-2">
                                        <select class="min-w-0 flex-1 rounded-md border border-slate-300 px-2 py-1 text-sm" aria-label="Campaign to enroll in"
                                            prop:value=move || choice.get() on:change=move |ev| choice.set(event_target_value(&ev))>
                                            {open.iter().map(|c| view! { <option value=c.id.to_string()>{format!("{} ({})", c.name, c.status.as_str())}</option> }).collect_view()}
                                        </select>
                                        <button type="button" class=BTN_SECONDARY data-testid="contact-enroll" disabled=move || enroll.pending().get()
                                            on:click=move |_| {
                                                if let Ok(id) = choice.get_untracked().parse() {
                                                    enroll.dispatch(EnrollAudience { id, audience: Audience::Contacts(vec![contact_id]), reenroll: false });
                                                }
                                            }>"Enroll"</button>
                                    </div>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            {move || enroll.value().get().map(|r| match r {
                Err(e) => view! { <div class="mt-3"><ErrorNote error=e /></div> }.into_any(),
                Ok(o) if o.enrolled == 0 => view! { <p class="mt-3 text-sm text-amber-800" role="status">{
                    if o.skipped_opted_out > 0 { "Not enrolled: they opted out." } else if o.skipped_unreachable > 0 { "Not enrolled: their number can't be texted." } else { "Already in that campaign." }
                }</p> }.into_any(),
                Ok(_) => view! { <p class="mt-3 text-sm text-emerald-700" role="status">"Enrolled."</p> }.into_any(),
            })}
        </Card>
    }
}
