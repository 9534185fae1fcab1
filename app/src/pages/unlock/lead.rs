//! One lead: its public facts, each provider's offer with its state and timeline, revenue, the
//! client's details for an admin who asks, refunds, and offering it to more providers.

use super::state_badge;
use crate::api::unlock::*;
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use warmline::unlock::{format_price, LeadDetails, Offer, OfferEvent, OfferId, ProviderId};

#[component]
pub fn LeadSalePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let live = expect_context::<Live>().0;
    let offer_more = ServerAction::<OfferLead>::new();
    let refund = ServerAction::<RefundOffer>::new();
    let data = Resource::new(move || (id(), live.get(), offer_more.version().get(), refund.version().get()), |(id, _, _, _)| load_lead_page(id));
    // Opened client details belong to the page, not to the body a live update rebuilds.
    let shown: DetailsAction = Action::new(move |id: &String| open_lead_details(id.clone()));
    // Another lead's page starts with its details closed.
    Effect::new(move |_| {
        id();
        shown.value().set(None);
    });
    view! {
        <Title text="Lead" />
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(page) => view! { <LeadBody page offer_more refund shown /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn LeadBody(page: LeadPage, offer_more: ServerAction<OfferLead>, refund: ServerAction<RefundOffer>, shown: DetailsAction) -> impl IntoView {
    let lead = page.view.lead.clone();
    let lead_id = lead.id.to_string();
    let p = &lead.public;
    let facts = vec![
        ("City", p.city.clone()),
        ("Service", p.service_type.clone()),
        ("Time window", p.preferred_time_window.clone()),
        ("Budget", p.budget_range.clone()),
        ("Notes", p.notes_snippet.clone()),
        ("Price", format!("{} · offers last {} h", format_price(lead.price_cents, &lead.currency), lead.ttl_hours)),
        ("Buyers", match lead.max_buyers { None => "Any number".to_string(), Some(1) => "Exclusive (one buyer)".to_string(), Some(n) => format!("At most {n}") }),
        ("Revenue", format_price(page.view.revenue_cents, &lead.currency)),
    ];
    let timeline = page.timeline.clone();
    let is_admin = page.is_admin;
    let (id_for_details, id_for_more) = (lead_id.clone(), lead_id.clone());
    view! {
        <PageHeader title="Lead" subtitle="The client's details stay locked until a provider's payment is confirmed.">
            <a href="/sales" class=BTN_SECONDARY>"All leads"</a>
        </PageHeader>
        <div class="grid gap-6 lg:grid-cols-3">
            <Card class="p-4 lg:col-span-1">
                <h2 class="font-mono text-lg font-semibold text-slate-900" data-testid="lead-id">{lead_id.clone()}</h2>
                <dl class="mt-3 space-y-2 text-sm">
                    {facts.into_iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| view! {
                        <div class="flex gap-3"><dt class="w-24 shrink-0 text-slate-500">{k}</dt><dd class="text-slate-900">{v}</dd></div>
                    }).collect_view()}
                </dl>
                {is_admin.then(move || view! { <Details id=id_for_details shown /> })}
            </Card>
            <div class="space-y-6 lg:col-span-2">
                <Card>
                    <h2 class="border-b border-slate-200 px-4 py-3 text-sm font-semibold text-slate-900">"Offers"</h2>
                    {if page.view.offers.is_empty() {
                        view! { <Empty title="Not offered yet">"Choose providers below."</Empty> }.into_any()
                    } else {
                        view! {
                            <ul class="divide-y divide-slate-100">
                                {page.view.offers.into_iter().map(|o| {
                                    let events: Vec<OfferEvent> = timeline.iter().filter(|e| e.offer_id == o.id).cloned().collect();
                                    view! { <OfferRow offer=o events is_admin refund /> }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </Card>
                <OfferMore id=id_for_more providers=page.providers action=offer_more />
            </div>
        </div>
    }
}

type DetailsAction = Action<String, Result<LeadDetails, crate::error::AppError>>;

#[component]
fn Details(id: String, shown: DetailsAction) -> impl IntoView {
    let id2 = id.clone();
    view! {
        <div class="mt-4 border-t border-slate-200 pt-4">
            {move || match shown.value().get() {
                None => view! {
                    <button type="button" class=BTN_SECONDARY data-testid="show-details" on:click={let id = id2.clone(); move |_| { shown.dispatch(id.clone()); }}>"Show client details"</button>
                    <p class="mt-1 text-xs text-slate-500">"Admins only; opening them is logged."</p>
                }.into_any(),
                Some(Err(e)) => view! { <ErrorNote error=e /> }.into_any(),
                Some(Ok(d)) => {
                    let rows = [("Client", d.client_name.clone()), ("Phone", warmline::phone::display(&d.client_phone)), ("Email", d.client_email.clone()), ("Address", d.exact_address.clone()), ("Notes", d.notes.clone())];
                    view! {
                        <dl class="space-y-1 text-sm" data-testid="client-details">
                            {rows.into_iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| view! { <div><dt class="inline text-slate-500">{format!("{k}: ")}</dt><dd class="inline">{v}</dd></div> }).collect_view()}
                        </dl>
                    }.into_any()
                }
            }}
        </div>
    }
}

#[component]
fn OfferRow(offer: Offer, events: Vec<OfferEvent>, is_admin: bool, refund: ServerAction<RefundOffer>) -> impl IntoView {
    let can_refund = is_admin && offer.payment_intent.is_some() && offer.refunded_at.is_none();
    let asking = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let id: OfferId = offer.id;
    view! {
        <li class="px-4 py-3" data-testid="offer-row">
            <div class="flex flex-wrap items-center justify-between gap-2">
                <div>
                    <a class="font-medium text-slate-900 hover:text-orange-700" href=format!("/conversations/{}", offer.provider_contact_id)>{offer.provider_name.clone()}</a>
                    <span class="ml-2">{state_badge(offer.state)}</span>
                    {offer.reason.clone().map(|r| view! { <div class="text-xs text-slate-500">{r}</div> })}
                </div>
                <div class="text-right text-sm text-slate-600">
                    {format_price(offer.price_cents, &offer.currency)}
                    {offer.paid_at.map(|t| view! { <div class="text-xs text-emerald-700">"Paid "<Time ms=t /></div> })}
                    {offer.refunded_at.map(|t| view! { <div class="text-xs text-slate-500">"Refunded "<Time ms=t /></div> })}
                    {offer.state.is_open().then(|| view! { <div class="text-xs text-slate-500">"Expires "<Time ms=offer.expires_at /></div> })}
                </div>
            </div>
            {offer.attention.clone().map(|a| view! { <p class="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="offer-alert">{a}</p> })}
            {offer.payment_url.clone().filter(|_| offer.state.is_open()).map(|u| view! { <p class="mt-1 truncate text-xs"><a class="text-orange-700 hover:underline" href=u.clone() target="_blank" rel="noopener">{format!("Payment link: {u}")}</a></p> })}
            <details class="mt-2">
                <summary class="cursor-pointer text-xs text-slate-500">{format!("Timeline ({})", events.len())}</summary>
                <ol class="mt-2 space-y-1 border-l border-slate-200 pl-3 text-xs">
                    {events.into_iter().map(|e| view! {
                        <li><span class="font-medium text-slate-700">{e.kind.replace('_', " ").to_lowercase()}</span>" · "<Time ms=e.created_at />{e.note.map(|n| format!(" · {n}"))}<span class="text-slate-400">{format!(" ({})", e.actor)}</span></li>
                    }).collect_view()}
                </ol>
            </details>
            {can_refund.then(|| view! {
                <div class="mt-2">
                    {move || if asking.get() {
                        view! {
                            <div class="flex flex-wrap gap-2">
                                <input class=format!("{INPUT} max-w-xs") placeholder="Reason (the provider is told)" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                                <button type="button" class=BTN_DANGER disabled=move || reason.get().trim().is_empty() || refund.pending().get()
                                    on:click=move |_| { refund.dispatch(RefundOffer { offer_id: id, reason: reason.get_untracked() }); asking.set(false); }>"Refund"</button>
                                <button type="button" class=BTN_SECONDARY on:click=move |_| asking.set(false)>"Cancel"</button>
                            </div>
                        }.into_any()
                    } else {
                        view! { <button type="button" class="text-sm text-red-700 hover:underline" on:click=move |_| asking.set(true)>"Refund…"</button> }.into_any()
                    }}
                    {move || refund.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
                </div>
            })}
        </li>
    }
}

#[component]
fn OfferMore(id: String, providers: Vec<warmline::unlock::Provider>, action: ServerAction<OfferLead>) -> impl IntoView {
    let chosen = RwSignal::new(Vec::<ProviderId>::new());
    let empty = providers.is_empty();
    view! {
        <Card class="p-4">
            <h2 class="text-sm font-semibold text-slate-900">"Offer to more providers"</h2>
            {if empty {
                view! { <p class="mt-2 text-sm text-slate-500">"Every active provider already has this lead. "<a class="text-orange-700 hover:underline" href="/providers">"Add providers"</a></p> }.into_any()
            } else {
                view! {
                    <div class="mt-2 flex flex-wrap gap-2">
                        {providers.into_iter().map(|p| {
                            let pid = p.id;
                            view! {
                                <label class="inline-flex items-center gap-2 rounded-md border border-slate-200 px-3 py-1.5 text-sm">
                                    <input type="checkbox" on:change=move |ev| { let on = event_target_checked(&ev); chosen.update(|c| { c.retain(|x| *x != pid); if on { c.push(pid); } }); } />
                                    {p.name.clone()}<span class="text-xs text-slate-500">{p.cities.join(", ")}</span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    <button type="button" class=format!("{BTN_PRIMARY} mt-3") disabled=move || chosen.get().is_empty() || action.pending().get()
                        on:click={let id = id.clone(); move |_| { action.dispatch(OfferLead { id: id.clone(), provider_ids: chosen.get_untracked() }); chosen.set(Vec::new()); }}>"Send teasers"</button>
                }.into_any()
            }}
            {move || action.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mt-2"><ErrorNote error=e /></div> })}
        </Card>
    }
}
