//! Team members (admins only).

use crate::api::admin::{list_users, CreateUser, DeleteUser};
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let users = Resource::new(move || (create.version().get(), delete.version().get()), |_| list_users());
    view! {
        <Title text="Team" />
        <PageHeader title="Team" subtitle="People who can sign in. Admins also manage the team and API keys." />
        <Card class="mb-6 p-4">
            <h2 class="mb-3 text-sm font-semibold text-slate-900">"Add a team member"</h2>
            <ActionForm action=create attr:class="grid gap-3 sm:grid-cols-[minmax(0,1fr)_1fr_9rem_auto] sm:items-end">
                <div><label class=LABEL for="u-email">"Email"</label><input class=INPUT id="u-email" name="email" type="email" required /></div>
                <div><label class=LABEL for="u-pass">"Initial password"</label><input class=INPUT id="u-pass" name="password" type="password" minlength="8" autocomplete="new-password" required /></div>
                <div><label class=LABEL for="u-role">"Role"</label>
                    <select class=INPUT id="u-role" name="role"><option value="member">"Member"</option><option value="admin">"Admin"</option></select></div>
                <button type="submit" class=BTN_PRIMARY disabled=move || create.pending().get()>"Add member"</button>
            </ActionForm>
            {move || create.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mt-3"><ErrorNote error=e /></div> })}
        </Card>
        {move || delete.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mb-4"><ErrorNote error=e /></div> })}
        <Card>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Err(e) => view! { <div class="p-4"><ErrorNote error=e /></div> }.into_any(),
                        Ok(list) => view! {
                            <table class="min-w-full divide-y divide-slate-200">
                                <thead class="bg-slate-50"><tr><th class=TH>"Email"</th><th class=TH>"Role"</th><th class=format!("{TH} hidden sm:table-cell")>"Added"</th><th class=TH></th></tr></thead>
                                <tbody class="divide-y divide-slate-100">
                                    {list.into_iter().map(|u| view! {
                                        <tr>
                                            <td class=format!("{TD} font-medium text-slate-900")>{u.email.clone()}</td>
                                            <td class=TD><span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs">{u.role.as_str()}</span></td>
                                            <td class=format!("{TD} hidden text-slate-500 sm:table-cell")>{fmt_time(u.created_at)}</td>
                                            <td class=format!("{TD} text-right")>
                                                <ActionForm action=delete>
                                                    <input type="hidden" name="id" value=u.id.to_string() />
                                                    <button type="submit" class="text-sm text-red-700 hover:underline">"Remove"</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
}
