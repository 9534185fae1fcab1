//! The dashboard: what's in the workspace so far.

use crate::api::contacts::get_overview;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_overview());
    view! {
        <Title text="Dashboard" />
        <PageHeader title="Dashboard" subtitle="Warm leads against the daily target, your contacts and recent imports.">
            <a href="/import" class=BTN_PRIMARY>"Import contacts"</a>
        </PageHeader>
        <crate::components::alarms::AlarmBanners />
        // Outside the overview's Suspense, so its data loads alongside the overview's instead
        // of after it.
        <div class="mb-6"><crate::pages::WarmLeadWidget /></div>
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(o) => view! {
                        <div class="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
                            <Stat label="Contacts" value=fmt_count(o.contacts) href="/contacts" />
                            <Stat label="Lists" value=fmt_count(o.lists) href="/lists" />
                            <Stat label="Imports" value=fmt_count(o.imports) href="/import" />
                        </div>
                        <Card class="mt-6">
                            <div class="border-b border-slate-200 px-4 py-3">
                                <h2 class="text-sm font-semibold text-slate-900">"Recent imports"</h2>
                            </div>
                            {if o.recent_imports.is_empty() {
                                view! {
                                    <Empty title="No imports yet">
                                        <a href="/import" class="font-medium text-orange-700 hover:underline">"Import a CSV file"</a>
                                        " to add your first contacts."
                                    </Empty>
                                }.into_any()
                            } else {
                                view! {
                                    <div class="overflow-x-auto">
                                        <table class="min-w-full divide-y divide-slate-200">
                                            <thead class="bg-slate-50"><tr>
                                                <th class=TH>"File"</th><th class=TH>"List"</th><th class=TH>"Imported"</th>
                                                <th class=TH>"New"</th><th class=TH>"Skipped"</th><th class=TH>"When"</th>
                                            </tr></thead>
                                            <tbody class="divide-y divide-slate-100">
                                                {o.recent_imports.into_iter().map(|i| view! {
                                                    <tr>
                                                        <td class=TD>{i.filename.unwrap_or_else(|| "API upload".into())}</td>
                                                        <td class=TD>{match (i.list_id, i.list_name) {
                                                            (Some(id), Some(name)) => view! { <a class="text-orange-700 hover:underline" href=format!("/contacts?list={id}")>{name}</a> }.into_any(),
                                                            _ => view! { "—" }.into_any(),
                                                        }}</td>
                                                        <td class=TD>{fmt_count(i.imported)}</td>
                                                        <td class=TD>{fmt_count(i.created)}</td>
                                                        <td class=TD>{fmt_count(i.skipped)}</td>
                                                        <td class=format!("{TD} whitespace-nowrap text-slate-500")><Time ms=i.created_at /></td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }}
                        </Card>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Stat(label: &'static str, value: String, href: &'static str) -> impl IntoView {
    view! {
        <a href=href class="block rounded-xl border border-slate-200 bg-white p-5 shadow-sm hover:border-orange-300">
            <p class="text-sm font-medium text-slate-500">{label}</p>
            <p class="mt-2 text-3xl font-semibold tracking-tight text-slate-900">{value}</p>
        </a>
    }
}
