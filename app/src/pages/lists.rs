//! Lists: every import makes one; more can be made by hand.

use crate::api::contacts::{contact_filters, CreateList};
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ListsPage() -> impl IntoView {
    let create = ServerAction::<CreateList>::new();
    let data = Resource::new(move || create.version().get(), |_| contact_filters());
    view! {
        <Title text="Lists" />
        <PageHeader title="Lists" subtitle="Each CSV import creates a list; you can also make your own.">
            <a href="/import" class=BTN_PRIMARY>"Import CSV"</a>
        </PageHeader>
        <Card class="mb-6 p-4">
            <ActionForm action=create attr:class="flex flex-wrap items-end gap-3">
                <div class="min-w-[16rem] flex-1">
                    <label class=LABEL for="list-name">"New list"</label>
                    <input class=INPUT id="list-name" name="name" required maxlength="100" placeholder="e.g. Spring roofing leads" />
                </div>
                <button type="submit" class=BTN_SECONDARY disabled=move || create.pending().get()>"Create list"</button>
            </ActionForm>
            {move || create.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mt-3"><ErrorNote error=e /></div> })}
        </Card>
        <Card>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <div class="p-4"><ErrorNote error=e /></div> }.into_any(),
                        Ok(f) if f.lists.is_empty() => view! { <Empty title="No lists yet">"Import a CSV file or create a list above."</Empty> }.into_any(),
                        Ok(f) => view! {
                            <div class="overflow-x-auto">
                            <table class="min-w-full divide-y divide-slate-200">
                                <thead class="bg-slate-50"><tr>
                                    <th class=TH>"Name"</th><th class=TH>"Contacts"</th>
                                    <th class=format!("{TH} hidden sm:table-cell")>"Kind"</th>
                                    <th class=format!("{TH} hidden sm:table-cell")>"Created"</th>
                                </tr></thead>
                                <tbody class="divide-y divide-slate-100">
                                    {f.lists.into_iter().map(|l| view! {
                                        <tr class="hover:bg-slate-50">
                                            <td class=TD><a class="font-medium text-slate-900 hover:text-orange-700" href=format!("/contacts?list={}", l.id)>{l.name.clone()}</a></td>
                                            <td class=TD>{fmt_count(l.contact_count)}</td>
                                            <td class=format!("{TD} hidden sm:table-cell")>{match l.kind { warmline::contact::ListKind::Import => "CSV import", warmline::contact::ListKind::Manual => "Manual" }}</td>
                                            <td class=format!("{TD} hidden whitespace-nowrap text-slate-500 sm:table-cell")><Time ms=l.created_at /></td>
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
