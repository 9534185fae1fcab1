//! Service providers: add one, import a CSV, pause or opt out, remove. Each provider's SMS
//! thread is a normal conversation, linked from here.

use crate::api::unlock::*;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use warmline::unlock::{Provider, ProviderInput};

fn list(s: &str) -> Vec<String> {
    s.split([',', ';']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

#[component]
pub fn ProvidersPage() -> impl IntoView {
    let save = ServerAction::<SaveProvider>::new();
    let import = ServerAction::<ImportProviders>::new();
    let remove = ServerAction::<DeleteProvider>::new();
    let data = Resource::new(move || (save.version().get(), import.version().get(), remove.version().get()), |_| list_providers());
    let (name, phone, cities, types) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            for s in [name, phone, cities, types] {
                s.set(String::new());
            }
        }
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = ProviderInput { name: Some(name.get_untracked()), phone: Some(phone.get_untracked()), cities: Some(list(&cities.get_untracked())), service_types: Some(list(&types.get_untracked())), active: None, offers_opted_out: None };
        save.dispatch(SaveProvider { id: None, input });
    };
    let csv = RwSignal::new(String::new());
    view! {
        <Title text="Providers" />
        <PageHeader title="Providers" subtitle="Service providers who buy leads. Their replies (Y, N, STOP) arrive in Conversations.">
            <a href="/sales" class=BTN_SECONDARY>"Lead sales"</a>
        </PageHeader>
        <div class="mb-6 grid gap-6 lg:grid-cols-2">
            <Card class="p-4">
                <h2 class="mb-3 text-sm font-semibold text-slate-900">"Add a provider"</h2>
                <form on:submit=add class="grid gap-3 sm:grid-cols-2">
                    <div><label class=LABEL for="p-name">"Name"</label><input class=INPUT id="p-name" required maxlength="120" placeholder="Bob's Roofing" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></div>
                    <div><label class=LABEL for="p-phone">"Mobile number"</label><input class=INPUT id="p-phone" required placeholder="(512) 555-0142" prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev)) /></div>
                    <div><label class=LABEL for="p-cities">"Cities (comma-separated)"</label><input class=INPUT id="p-cities" placeholder="Austin, Round Rock" prop:value=move || cities.get() on:input=move |ev| cities.set(event_target_value(&ev)) /></div>
                    <div><label class=LABEL for="p-types">"Services (comma-separated)"</label><input class=INPUT id="p-types" placeholder="roofing, gutters" prop:value=move || types.get() on:input=move |ev| types.set(event_target_value(&ev)) /></div>
                    <div class="sm:col-span-2"><button type="submit" class=BTN_PRIMARY data-testid="add-provider" disabled=move || save.pending().get()>"Add provider"</button></div>
                </form>
                {move || save.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mt-3"><ErrorNote error=e /></div> })}
            </Card>
            <Card class="p-4">
                <h2 class="mb-1 text-sm font-semibold text-slate-900">"Import a CSV"</h2>
                <p class="mb-3 text-xs text-slate-500">"Columns: name, phone, cities, service_types (several values separated by ; or |). All rows or none: a bad row imports nothing and is named."</p>
                <input type="file" accept=".csv,text/csv" class="block w-full text-sm" on:change=move |ev| read_file(ev, csv) />
                <textarea class=format!("{INPUT} mt-2 font-mono text-xs") rows="4" placeholder="name,phone,cities,service_types" prop:value=move || csv.get() on:input=move |ev| csv.set(event_target_value(&ev))></textarea>
                <button type="button" class=format!("{BTN_SECONDARY} mt-2") disabled=move || csv.get().trim().is_empty() || import.pending().get()
                    on:click=move |_| { import.dispatch(ImportProviders { csv: csv.get_untracked() }); }>"Import"</button>
                {move || import.value().get().map(|r| match r {
                    Ok(n) => view! { <p class="mt-2 text-sm text-emerald-700">{format!("{n} providers imported.")}</p> }.into_any(),
                    Err(e) => view! { <div class="mt-2"><ErrorNote error=e /></div> }.into_any(),
                })}
            </Card>
        </div>
        <Card>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <div class="p-4"><ErrorNote error=e /></div> }.into_any(),
                        Ok(ps) if ps.is_empty() => view! { <Empty title="No providers yet">"Add the service providers you sell leads to, or import a CSV."</Empty> }.into_any(),
                        Ok(ps) => view! {
                            <ul class="divide-y divide-slate-100">
                                {ps.into_iter().map(|p| view! { <ProviderRow p save remove /> }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
            {move || remove.value().get().and_then(|r| r.err()).map(|e| view! { <div class="p-4"><ErrorNote error=e /></div> })}
        </Card>
    }
}

#[component]
fn ProviderRow(p: Provider, save: ServerAction<SaveProvider>, remove: ServerAction<DeleteProvider>) -> impl IntoView {
    let id = p.id;
    let toggle = move |active: Option<bool>, opted: Option<bool>| {
        save.dispatch(SaveProvider { id: Some(id), input: ProviderInput { active, offers_opted_out: opted, ..Default::default() } });
    };
    let (active, opted) = (p.active, p.offers_opted_out);
    view! {
        <li class="flex flex-wrap items-center justify-between gap-3 px-4 py-3" data-testid="provider-row">
            <div class="min-w-0">
                <a class="font-medium text-slate-900 hover:text-orange-700" href=format!("/conversations/{}", p.contact_id)>{p.name.clone()}</a>
                <span class="ml-2 text-sm text-slate-500">{warmline::phone::display(&p.phone)}</span>
                <div class="text-xs text-slate-500">{[p.cities.join(", "), p.service_types.join(", ")].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</div>
            </div>
            <div class="flex flex-wrap items-center gap-2 text-sm">
                {opted.then(|| view! { <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">"Opted out of offers"</span> })}
                {(!active).then(|| view! { <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">"Paused"</span> })}
                <button type="button" class=BTN_SECONDARY on:click=move |_| toggle(Some(!active), None)>{if active { "Pause" } else { "Activate" }}</button>
                {opted.then(|| view! { <button type="button" class=BTN_SECONDARY on:click=move |_| toggle(None, Some(false))>"Allow offers"</button> })}
                <button type="button" class="text-sm text-red-700 hover:underline" on:click=move |_| { remove.dispatch(DeleteProvider { id }); }>"Remove"</button>
            </div>
        </li>
    }
}

/// Puts the chosen file's text in `into` (browser only).
fn read_file(ev: leptos::ev::Event, into: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        leptos::task::spawn_local(async move {
            if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                into.set(text.as_string().unwrap_or_default());
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, into);
}
