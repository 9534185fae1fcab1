//! Your account: change your own password.

use crate::api::auth::ChangePassword;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    view! {
        <Title text="Your account" />
        <PageHeader title="Your account" subtitle="Change your password. Your other signed-in devices are signed out." />
        <Card class="max-w-lg p-6">
            <ActionForm action=change attr:class="space-y-4">
                <div>
                    <label class=LABEL for="pw-current">"Current password"</label>
                    <input class=INPUT id="pw-current" name="current" type="password" autocomplete="current-password" required maxlength=warmline::limits::PASSWORD />
                </div>
                <div>
                    <label class=LABEL for="pw-new">"New password"</label>
                    <input class=INPUT id="pw-new" name="new" type="password" autocomplete="new-password" minlength="8" maxlength=warmline::limits::PASSWORD required />
                    <p class="mt-1 text-xs text-slate-500">"At least 8 characters."</p>
                </div>
                <div>
                    <label class=LABEL for="pw-confirm">"New password again"</label>
                    <input class=INPUT id="pw-confirm" name="confirm" type="password" autocomplete="new-password" minlength="8" maxlength=warmline::limits::PASSWORD required />
                </div>
                <div class="flex flex-wrap items-center gap-3">
                    <button type="submit" class=BTN_PRIMARY disabled=move || change.pending().get()>"Change password"</button>
                    {move || change.value().get().map(|r| match r {
                        Ok(()) => view! { <span class="text-sm text-emerald-700" role="status" data-testid="password-changed">"Password changed."</span> }.into_any(),
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    })}
                </div>
            </ActionForm>
        </Card>
    }
}
