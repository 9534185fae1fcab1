//! Lead sales (lead unlock): leads sold to service providers over SMS. The list with each lead's
//! offers by state and the figures, a lead's page, the new-lead form, the providers, and the
//! message texts.

mod lead;
mod new_lead;
mod providers;
mod texts;

pub use lead::LeadSalePage;
pub use new_lead::NewLeadPage;
pub use providers::ProvidersPage;

use crate::api::unlock::*;
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use warmline::unlock::{format_price, OfferState, UnlockFigures};

/// A coloured label for an offer's state.
pub fn state_badge(state: OfferState) -> impl IntoView {
    let tone = match state {
        OfferState::Done | OfferState::RevealDetailsSent | OfferState::Paid => "bg-emerald-100 text-emerald-800",
        OfferState::Expired | OfferState::OptedOut => "bg-slate-100 text-slate-600",
        OfferState::AwaitingPayment | OfferState::PaymentLinkSent | OfferState::CreatePaymentLink | OfferState::CheckExistingPayment => "bg-amber-100 text-amber-800",
        _ => "bg-sky-100 text-sky-800",
    };
    view! { <span class=format!("inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium {tone}") data-testid="offer-state" title=state.as_str()>{state.label()}</span> }
}

fn stat(label: &'static str, value: String, hint: String) -> impl IntoView {
    view! {
        <div class="rounded-lg border border-slate-200 bg-white p-4">
            <div class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</div>
            <div class="mt-1 text-2xl font-semibold text-slate-900">{value}</div>
            <div class="mt-1 text-xs text-slate-500">{hint}</div>
        </div>
    }
}

fn figures(f: &UnlockFigures) -> impl IntoView {
    let per_lead = if f.leads > 0 { format_price(f.revenue_cents / f.leads, "usd") } else { "—".into() };
    let median = match f.median_response_secs {
        None => "—".to_string(),
        Some(s) if s < 120 => format!("{s} s"),
        Some(s) if s < 7200 => format!("{} min", s / 60),
        Some(s) => format!("{} h", s / 3600),
    };
    view! {
        <div class="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-5">
            {stat("Teaser → Y", UnlockFigures::pct(f.confirmed, f.teasers), format!("{} of {} teasers", f.confirmed, f.teasers))}
            {stat("Y → paid", UnlockFigures::pct(f.paid, f.confirmed), format!("{} paid", f.paid))}
            {stat("Payment success", UnlockFigures::pct(f.paid, f.checkouts), format!("of {} payment links", f.checkouts))}
            {stat("Revenue", format_price(f.revenue_cents, "usd"), format!("{per_lead} per lead"))}
            {stat("Median response", median, "teaser to first answer".into())}
        </div>
    }
}

#[component]
pub fn LeadSalesPage() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let data = Resource::new(move || live.get(), |_| unlock_overview());
    view! {
        <Title text="Lead sales" />
        <PageHeader title="Lead sales" subtitle="Offer client inquiries to service providers by SMS. They reply Y, pay, and only then get the client's details.">
            <div class="flex gap-2">
                <a href="/providers" class=BTN_SECONDARY>"Providers"</a>
                <a href="/sales/new" class=BTN_PRIMARY data-testid="new-lead">"New lead"</a>
            </div>
        </PageHeader>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(o) => view! {
                        {o.simulated.then(|| view! {
                            <p class="mb-4 rounded-md bg-amber-50 px-4 py-2 text-sm text-amber-800">"Payments use the built-in simulator: payment links open a test checkout page, no money moves. Set STRIPE_PROVIDER=stripe for real payments."</p>
                        })}
                        {figures(&o.figures)}
                        <Card class="mb-6">
                            {if o.leads.is_empty() {
                                view! { <Empty title="No leads yet">"Add your providers, then create a lead: each chosen provider gets a teaser by SMS."</Empty> }.into_any()
                            } else {
                                view! {
                                    <div class="overflow-x-auto">
                                    <table class="min-w-full divide-y divide-slate-200">
                                        <thead class="bg-slate-50"><tr>
                                            <th class=TH>"Lead"</th>
                                            <th class=format!("{TH} hidden sm:table-cell")>"Price"</th>
                                            <th class=TH>"Offers"</th>
                                            <th class=TH>"Revenue"</th>
                                            <th class=format!("{TH} hidden md:table-cell")>"Created"</th>
                                        </tr></thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {o.leads.into_iter().map(|l| {
                                                let href = format!("/sales/{}", l.lead.id);
                                                view! {
                                                    <tr class="hover:bg-slate-50" data-testid="lead-row">
                                                        <td class=TD>
                                                            <a class="font-medium text-slate-900 hover:text-orange-700" href=href>{l.lead.id.to_string()}</a>
                                                            <div class="text-xs text-slate-500">{format!("{} · {}", l.lead.public.city, l.lead.public.service_type)}</div>
                                                            {(l.attention > 0).then(|| view! { <span class="mt-1 inline-flex rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800">"Needs attention"</span> })}
                                                        </td>
                                                        <td class=format!("{TD} hidden sm:table-cell")>{format_price(l.lead.price_cents, &l.lead.currency)}{l.lead.max_buyers.map(|m| if m == 1 { " · exclusive".to_string() } else { format!(" · max {m}") })}</td>
                                                        <td class=format!("{TD} whitespace-nowrap")>
                                                            <span class="text-slate-900">{l.offers}</span>
                                                            <span class="text-xs text-slate-500">{format!(" · {} open · {} paid · {} ended", l.open, l.paid, l.expired)}</span>
                                                        </td>
                                                        <td class=TD>{format_price(l.revenue_cents, &l.lead.currency)}</td>
                                                        <td class=format!("{TD} hidden whitespace-nowrap text-slate-500 md:table-cell")><Time ms=l.lead.created_at /></td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                }.into_any()
                            }}
                        </Card>
                        {(!o.figures.by_city.is_empty()).then(|| view! {
                            <Card class="mb-6">
                                <h2 class="border-b border-slate-200 px-4 py-3 text-sm font-semibold text-slate-900">"By city"</h2>
                                <div class="overflow-x-auto">
                                <table class="min-w-full divide-y divide-slate-200">
                                    <thead class="bg-slate-50"><tr><th class=TH>"City"</th><th class=TH>"Leads"</th><th class=TH>"Teasers"</th><th class=TH>"Paid"</th><th class=TH>"Revenue"</th></tr></thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {o.figures.by_city.into_iter().map(|c| view! {
                                            <tr><td class=TD>{c.city}</td><td class=TD>{c.leads}</td><td class=TD>{c.teasers}</td><td class=TD>{c.paid}</td><td class=TD>{format_price(c.revenue_cents, "usd")}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                </div>
                            </Card>
                        })}
                    }.into_any(),
                }
            })}
        </Transition>
        <texts::TextsCard />
    }
}
