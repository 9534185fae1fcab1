//! One contact: details, consent, lists, tags and custom attributes.

use crate::api::contacts::get_contact;
use crate::api::conversations::contact_consent;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use warmline::ContactId;

#[component]
pub fn ContactDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<ContactId>().ok());
    let contact = Resource::new(id, |id| async move {
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
                    let (tags, lists, attributes) = (c.tags.clone(), c.lists.clone(), c.attributes.clone());
                    view! {
                        <Title text=c.display_name() />
                        <PageHeader title="Contact">
                            <a href=format!("/conversations/{}", c.id) class=BTN_PRIMARY>"Message"</a>
                        </PageHeader>
                        <div class="grid gap-6 lg:grid-cols-3">
                            <Card class="p-6 lg:col-span-2">
                                <h2 class="text-xl font-semibold text-slate-900" data-testid="contact-name">{c.display_name()}</h2>
                                <p class="mt-1 font-mono text-sm text-slate-600" data-testid="contact-phone">{c.phone.to_string()}</p>
                                <dl class="mt-6 grid gap-4 sm:grid-cols-2">
                                    <Field label="Email" value=c.email.clone() />
                                    <Field label="Time zone" value=c.timezone.clone() />
                                    <Field label="Consent source" value=c.consent_source.clone() />
                                    <Field label="Consent given" value=c.consent_at.map(fmt_time) />
                                    <Field label="Added" value=Some(fmt_time(c.created_at)) />
                                    <Field label="Updated" value=Some(fmt_time(c.updated_at)) />
                                </dl>
                                {(!attributes.is_empty()).then(|| view! {
                                    <h3 class="mt-8 text-sm font-semibold text-slate-900">"Custom attributes"</h3>
                                    <dl class="mt-3 grid gap-4 sm:grid-cols-2">
                                        {attributes.iter().map(|(k, v)| view! { <Field label=k.clone() value=Some(v.clone()) /> }).collect_view()}
                                    </dl>
                                })}
                            </Card>
                            <div class="space-y-6">
                                <ConsentCard consent />
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

#[component]
fn Field(#[prop(into)] label: String, value: Option<String>) -> impl IntoView {
    view! {
        <div>
            <dt class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
            <dd class="mt-1 text-sm text-slate-800">{value.unwrap_or_else(|| "—".into())}</dd>
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
                            } else if c.number_status != "ok" {
                                ("Number unusable", "bg-slate-200 text-slate-700")
                            } else {
                                ("Can be messaged", "bg-emerald-100 text-emerald-800")
                            };
                            view! {
                                <p class="mt-3"><span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {class}") data-testid="consent-state">{label}</span>
                                    {(c.number_status != "ok").then(|| view! { <span class="ml-2 text-xs text-slate-500">{format!("number: {}", c.number_status)}</span> })}
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
                                                    <p class="text-xs text-slate-500">{fmt_time(e.created_at)}{e.note.map(|n| format!(" · {n}")).unwrap_or_default()}</p>
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
