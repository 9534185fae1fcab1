//! Team members (admins only).

use crate::api::admin::{list_users, CreateUser, DeleteUser, ResetPassword};
use crate::api::auth::current_user;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let users = Resource::new(move || (create.version().get(), delete.version().get()), |_| list_users());
    // Who is looking: they can't remove themselves, so their row has no button.
    let me = Resource::new(|| (), |_| current_user());
    // Removing someone asks first, naming them.
    let removing = RwSignal::new(None::<(warmline::UserId, String)>);
    let confirm_open = RwSignal::new(false);
    let remove = Callback::new(move |_| {
        if let Some((id, _)) = removing.get_untracked() {
            delete.dispatch(DeleteUser { id });
        }
    });
    // Resetting a password: an admin sets a new one for someone who forgot theirs.
    let reset = ServerAction::<ResetPassword>::new();
    let resetting = RwSignal::new(None::<(warmline::UserId, String)>);
    let reset_open = RwSignal::new(false);
    let new_password = RwSignal::new(String::new());
    let do_reset = Callback::new(move |_| {
        if let Some((id, _)) = resetting.get_untracked() {
            reset.dispatch(ResetPassword { id, password: new_password.get_untracked() });
            new_password.set(String::new());
        }
    });
    view! {
        <Title text="Team" />
        <ConfirmDialog open=reset_open title="Set a new password" confirm_label="Set password" on_confirm=do_reset
            disabled=Signal::derive(move || new_password.with(|p| p.chars().count() < 8))>
            <p>{move || resetting.get().map(|(_, email)| format!("For {email}. They are signed out everywhere and sign in with the new password; tell it to them privately."))}</p>
            <label class=LABEL for="reset-pass">"New password"</label>
            <input class=INPUT id="reset-pass" type="password" autocomplete="new-password" minlength="8" maxlength=warmline::limits::PASSWORD bind:value=new_password />
            <p class="text-xs text-slate-500">"At least 8 characters."</p>
        </ConfirmDialog>
        {move || reset.value().get().map(|r| match r {
            Ok(()) => view! { <p class="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900" role="status" data-testid="password-reset">"Password set. Their sessions ended."</p> }.into_any(),
            Err(e) => view! { <div class="mb-4"><ErrorNote error=e /></div> }.into_any(),
        })}
        <ConfirmDialog open=confirm_open title="Remove this team member?" confirm_label="Remove" danger=true on_confirm=remove>
            <p data-testid="remove-who">{move || removing.get().map(|(_, email)| format!("{email} will be signed out and can no longer sign in. Conversations assigned to them become unassigned; messages they sent stay in the history."))}</p>
        </ConfirmDialog>
        <PageHeader title="Team" subtitle="People who can sign in. Admins also manage the team and API keys." />
        <Card class="mb-6 p-4">
            <h2 class="mb-3 text-sm font-semibold text-slate-900">"Add a team member"</h2>
            <ActionForm action=create attr:class="grid gap-3 sm:grid-cols-[minmax(0,1fr)_1fr_9rem_auto] sm:items-end">
                <div><label class=LABEL for="u-email">"Email"</label><input class=INPUT id="u-email" name="email" type="email" required maxlength=warmline::limits::EMAIL /></div>
                <div><label class=LABEL for="u-pass">"Initial password"</label><input class=INPUT id="u-pass" name="password" type="password" minlength="8" maxlength=warmline::limits::PASSWORD autocomplete="new-password" required /></div>
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
                    let me = me.await.ok().flatten().map(|u| u.id);
                    match users.await {
                        Err(e) => view! { <div class="p-4"><ErrorNote error=e /></div> }.into_any(),
                        Ok(list) => view! {
                            <div class="overflow-x-auto">
                            <table class="min-w-full divide-y divide-slate-200">
                                <thead class="bg-slate-50"><tr><th class=TH>"Email"</th><th class=TH>"Role"</th><th class=format!("{TH} hidden sm:table-cell")>"Added"</th><th class=TH></th></tr></thead>
                                <tbody class="divide-y divide-slate-100">
                                    {list.into_iter().map(|u| view! {
                                        <tr>
                                            <td class=format!("{TD} max-w-[16rem] truncate font-medium text-slate-900")>{u.email.clone()}</td>
                                            <td class=TD><span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs">{u.role.as_str()}</span></td>
                                            <td class=format!("{TD} hidden text-slate-500 sm:table-cell")><Time ms=u.created_at /></td>
                                            <td class=format!("{TD} text-right")>
                                                {if me == Some(u.id) {
                                                    view! { <span class="text-sm text-slate-400">"you"</span> }.into_any()
                                                } else {
                                                    let who = (u.id, u.email.clone());
                                                    let who2 = who.clone();
                                                    view! {
                                                        <div class="flex justify-end gap-4 whitespace-nowrap">
                                                            <button type="button" class="text-sm text-slate-700 hover:underline"
                                                                on:click=move |_| { resetting.set(Some(who2.clone())); reset_open.set(true); }>"Reset password"</button>
                                                            <button type="button" class="text-sm text-red-700 hover:underline"
                                                                on:click=move |_| { removing.set(Some(who.clone())); confirm_open.set(true); }>"Remove"</button>
                                                        </div>
                                                    }.into_any()
                                                }}
                                            </td>
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
