//! API keys for `/api/v1` (admins only). A new key is shown once.

use crate::api::admin::{list_api_keys, CreateApiKey, RevokeApiKey};
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_api_keys());
    view! {
        <Title text="API keys" />
        <PageHeader title="API keys" subtitle="Keys let other systems use the REST API at /api/v1 with an Authorization: Bearer header." />
        <Card class="mb-6 p-4">
            <ActionForm action=create attr:class="flex flex-wrap items-end gap-3">
                <div class="min-w-[16rem] flex-1">
                    <label class=LABEL for="key-name">"Key name"</label>
                    <input class=INPUT id="key-name" name="name" required maxlength=warmline::limits::TITLE placeholder="e.g. CRM sync" />
                </div>
                <button type="submit" class=BTN_PRIMARY disabled=move || create.pending().get()>"Create key"</button>
            </ActionForm>
            {move || create.value().get().map(|r| match r {
                Ok(secret) => view! {
                    <div class="mt-4 rounded-lg border border-emerald-200 bg-emerald-50 p-4">
                        <p class="text-sm font-medium text-emerald-900">"Copy this key now. It won't be shown again."</p>
                        <div class="mt-2 flex items-center gap-2">
                            <code class="block min-w-0 flex-1 select-all break-all rounded bg-white px-3 py-2 font-mono text-sm text-slate-900" data-testid="new-api-key">{secret.clone()}</code>
                            <CopyButton text=secret testid="copy-api-key" />
                        </div>
                    </div>
                }.into_any(),
                Err(e) => view! { <div class="mt-3"><ErrorNote error=e /></div> }.into_any(),
            })}
        </Card>
        <Card>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Err(e) => view! { <div class="p-4"><ErrorNote error=e /></div> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <Empty title="No API keys yet" /> }.into_any(),
                        Ok(list) => view! {
                            <div class="overflow-x-auto">
                            <table class="min-w-full divide-y divide-slate-200">
                                <thead class="bg-slate-50"><tr><th class=TH>"Name"</th><th class=TH>"Key"</th><th class=format!("{TH} hidden sm:table-cell")>"Last used"</th><th class=TH>"Status"</th><th class=TH></th></tr></thead>
                                <tbody class="divide-y divide-slate-100">
                                    {list.into_iter().map(|k| {
                                        let live = k.revoked_at.is_none();
                                        view! {
                                            <tr>
                                                <td class=format!("{TD} font-medium text-slate-900")>{k.name.clone()}</td>
                                                <td class=format!("{TD} font-mono text-xs")>{format!("{}…", k.prefix)}</td>
                                                <td class=format!("{TD} hidden text-slate-500 sm:table-cell")>{match k.last_used_at { Some(t) => view! { <Time ms=t /> }.into_any(), None => "never".into_any() }}</td>
                                                <td class=TD>{if live {
                                                    view! { <span class="rounded-full bg-emerald-100 px-2 py-0.5 text-xs text-emerald-800">"active"</span> }.into_any()
                                                } else {
                                                    view! { <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">"revoked"</span> }.into_any()
                                                }}</td>
                                                <td class=format!("{TD} text-right")>
                                                    {live.then(|| view! {
                                                        <ActionForm action=revoke>
                                                            <input type="hidden" name="id" value=k.id.to_string() />
                                                            <button type="submit" class="text-sm text-red-700 hover:underline">"Revoke"</button>
                                                        </ActionForm>
                                                    })}
                                                </td>
                                            </tr>
                                        }
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
