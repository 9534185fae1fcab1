//! The new-lead form: the public facts (what teasers say), the client's details (locked until
//! payment), the price and lifetime of offers, and the providers to offer it to. Providers that
//! serve the lead's city and service are listed first.

use crate::api::unlock::*;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use warmline::unlock::{LeadDetails, LeadPublic, OfferConfig, ProviderId};

#[component]
pub fn NewLeadPage() -> impl IntoView {
    let providers = Resource::new(|| (), |_| list_providers());
    let create = ServerAction::<CreateLead>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/sales/{id}"), Default::default());
        }
    });
    let f = |s: &'static str| RwSignal::new(s.to_string());
    let (city, service, window, budget, notes) = (f(""), f(""), f(""), f(""), f(""));
    let (name, phone, email, address, client_notes) = (f(""), f(""), f(""), f(""), f(""));
    let (price, ttl) = (f("20"), f("24"));
    let exclusive = RwSignal::new(false);
    let chosen = RwSignal::new(Vec::<ProviderId>::new());
    let field = move |id: &'static str, label: &'static str, sig: RwSignal<String>, placeholder: &'static str, required: bool| {
        view! {
            <div>
                <label class=LABEL for=id>{label}{required.then_some(" *")}</label>
                <input class=INPUT id=id name=id placeholder=placeholder required=required maxlength="200"
                    prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
            </div>
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let cents = price.get_untracked().trim().trim_start_matches('$').parse::<f64>().map(|d| (d * 100.0).round() as i64).unwrap_or(-1);
        let form = LeadForm {
            public: LeadPublic { city: city.get_untracked(), service_type: service.get_untracked(), preferred_time_window: window.get_untracked(), budget_range: budget.get_untracked(), notes_snippet: notes.get_untracked() },
            details: LeadDetails { client_name: name.get_untracked(), client_phone: phone.get_untracked(), client_email: email.get_untracked(), exact_address: address.get_untracked(), notes: client_notes.get_untracked() },
            config: OfferConfig { price_cents: cents, currency: "usd".into(), ttl_hours: ttl.get_untracked().trim().parse().unwrap_or(0) },
            max_buyers: exclusive.get_untracked().then_some(1),
            provider_ids: chosen.get_untracked(),
        };
        create.dispatch(CreateLead { form });
    };
    view! {
        <Title text="New lead" />
        <PageHeader title="New lead" subtitle="Providers get a teaser with the public facts. The client's details go only to a provider who pays.">
            <a href="/sales" class=BTN_SECONDARY>"Cancel"</a>
        </PageHeader>
        <form on:submit=submit class="space-y-6">
            <Card class="p-4">
                <h2 class="mb-3 text-sm font-semibold text-slate-900">"What providers see in the teaser"</h2>
                <div class="grid gap-4 sm:grid-cols-2">
                    {field("city", "City", city, "Austin", true)}
                    {field("service_type", "Service type", service, "roofing", true)}
                    {field("time_window", "Preferred time window", window, "this week, mornings", false)}
                    {field("budget", "Budget range", budget, "$5,000–10,000", false)}
                </div>
                <div class="mt-4">{field("notes_snippet", "Notes snippet", notes, "Leaking roof after the storm", false)}</div>
            </Card>
            <Card class="p-4">
                <h2 class="mb-1 text-sm font-semibold text-slate-900">"The client (locked)"</h2>
                <p class="mb-3 text-xs text-slate-500">"Encrypted at rest; sent only to a provider whose payment is confirmed."</p>
                <div class="grid gap-4 sm:grid-cols-2">
                    {field("client_name", "Client name", name, "Ann Client", true)}
                    {field("client_phone", "Client phone", phone, "(512) 555-0100", true)}
                    {field("client_email", "Client email", email, "ann@example.com", false)}
                    {field("address", "Exact address", address, "12 Elm Street", false)}
                </div>
                <div class="mt-4">{field("client_notes", "Notes for the buyer", client_notes, "Call after 5pm", false)}</div>
            </Card>
            <Card class="p-4">
                <h2 class="mb-3 text-sm font-semibold text-slate-900">"Price and offers"</h2>
                <div class="grid gap-4 sm:grid-cols-3">
                    <div>
                        <label class=LABEL for="price">"Price (USD)"</label>
                        <input class=INPUT id="price" inputmode="decimal" prop:value=move || price.get() on:input=move |ev| price.set(event_target_value(&ev)) />
                    </div>
                    <div>
                        <label class=LABEL for="ttl">"Offers last (hours, 1–24)"</label>
                        <input class=INPUT id="ttl" type="number" min="1" max="24" prop:value=move || ttl.get() on:input=move |ev| ttl.set(event_target_value(&ev)) />
                    </div>
                    <label class="mt-6 inline-flex items-center gap-2 text-sm text-slate-700">
                        <input type="checkbox" prop:checked=move || exclusive.get() on:change=move |ev| exclusive.set(event_target_checked(&ev)) />
                        "Exclusive: only one provider can buy it"
                    </label>
                </div>
                <h3 class="mb-2 mt-5 text-sm font-medium text-slate-700">"Offer to"</h3>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match providers.await {
                            Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                            Ok(list) if list.iter().all(|p| !p.active || p.offers_opted_out) => view! {
                                <p class="text-sm text-slate-500">"No active providers yet. "<a class="text-orange-700 hover:underline" href="/providers">"Add providers"</a>" first."</p>
                            }.into_any(),
                            Ok(list) => view! {
                                <div class="flex flex-wrap gap-2">
                                    {move || {
                                        let c = city.get().trim().to_lowercase();
                                        let s = service.get().trim().to_lowercase();
                                        let mut ps: Vec<_> = list.iter().filter(|p| p.active && !p.offers_opted_out).cloned().collect();
                                        let fits = |p: &warmline::unlock::Provider| (!c.is_empty() && p.cities.contains(&c)) as u8 + (!s.is_empty() && p.service_types.contains(&s)) as u8;
                                        ps.sort_by_key(|p| std::cmp::Reverse(fits(p)));
                                        ps.into_iter().map(|p| {
                                            let pid = p.id;
                                            let fit = fits(&p);
                                            view! {
                                                <label class=format!("inline-flex items-center gap-2 rounded-md border px-3 py-1.5 text-sm {}", if fit == 2 { "border-emerald-300 bg-emerald-50" } else { "border-slate-200" })>
                                                    <input type="checkbox" data-testid="choose-provider" prop:checked=move || chosen.get().contains(&pid)
                                                        on:change=move |ev| { let on = event_target_checked(&ev); chosen.update(|v| { v.retain(|x| *x != pid); if on { v.push(pid); } }); } />
                                                    {p.name.clone()}
                                                    <span class="text-xs text-slate-500">{[p.cities.join(", "), p.service_types.join(", ")].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</span>
                                                </label>
                                            }
                                        }).collect_view()
                                    }}
                                </div>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </Card>
            {move || create.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
            <div class="flex justify-end">
                <button type="submit" class=BTN_PRIMARY data-testid="create-lead" disabled=move || create.pending().get()>"Create lead and send teasers"</button>
            </div>
        </form>
    }
}
