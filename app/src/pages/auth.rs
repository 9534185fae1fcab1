//! Sign-in and the one-time setup page.

use crate::api::auth::{setup_defaults, Login, SetupAdmin};
use crate::components::layout::Logo;
use crate::components::ui::{ErrorNote, BTN_PRIMARY, INPUT, LABEL};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
fn AuthCard(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="flex min-h-full flex-col items-center justify-center px-4 py-12">
            <div class="mb-8 flex items-center gap-3">
                <Logo />
                <span class="text-2xl font-semibold tracking-tight text-slate-900">"Warmline"</span>
            </div>
            <div class="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
                <h1 class="text-xl font-semibold text-slate-900">{title}</h1>
                <p class="mt-1 mb-6 text-sm text-slate-500">{subtitle}</p>
                {children()}
            </div>
        </div>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || login.value().get().and_then(|r| r.err());
    view! {
        <Title text="Sign in" />
        <AuthCard title="Sign in" subtitle="Welcome back. Sign in to your team's workspace.">
            <ActionForm action=login attr:class="space-y-4">
                <input type="hidden" name="next" prop:value=next />
                <div>
                    <label class=LABEL for="email">"Email"</label>
                    <input class=INPUT id="email" name="email" type="email" autocomplete="username" required autofocus />
                </div>
                <div>
                    <label class=LABEL for="password">"Password"</label>
                    <input class=INPUT id="password" name="password" type="password" autocomplete="current-password" required />
                </div>
                {move || error().map(|e| view! { <ErrorNote error=e /> })}
                <button type="submit" class=format!("{BTN_PRIMARY} w-full") disabled=move || login.pending().get()>
                    {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </AuthCard>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<SetupAdmin>::new();
    let error = move || setup.value().get().and_then(|r| r.err());
    let zone = Resource::new(|| (), |_| async { setup_defaults().await.ok() });
    view! {
        <Title text="Set up" />
        <AuthCard title="Set up Warmline" subtitle="Your business, and the first admin account. You can invite your team afterwards.">
            <ActionForm action=setup attr:class="space-y-4">
                <div>
                    <label class=LABEL for="business">"Business name"</label>
                    <input class=INPUT id="business" name="business_name" required autofocus maxlength=warmline::limits::TITLE placeholder="e.g. Sunrise Roofing" />
                    <p class="mt-1 text-xs text-slate-500">"Your texts and the STOP/HELP replies name it, as carriers require."</p>
                </div>
                <div>
                    <label class=LABEL for="timezone">"Time zone"</label>
                    <Transition fallback=|| view! { <select class=INPUT id="timezone" name="timezone" disabled></select> }>
                    {move || Suspend::new(async move {
                            let current = zone.await.unwrap_or_else(|| "America/New_York".to_string());
                            let mut zones: Vec<(String, String)> = warmline::org::COMMON_ZONES.iter().map(|(z, l)| (z.to_string(), l.to_string())).collect();
                            if !zones.iter().any(|(z, _)| *z == current) {
                                zones.insert(0, (current.clone(), current.clone()));
                            }
                            view! {
                                <select class=INPUT id="timezone" name="timezone">
                                    {zones.into_iter().map(|(z, label)| {
                                        let selected = z == current;
                                        view! { <option value=z selected=selected>{label}</option> }
                                    }).collect_view()}
                                </select>
                            }
                    })}
                    </Transition>
                    <p class="mt-1 text-xs text-slate-500">"Your working day: daily caps and schedules count in it, and it is the quiet-hours zone for numbers whose zone is unknown."</p>
                </div>
                <div>
                    <label class=LABEL for="email">"Admin email"</label>
                    <input class=INPUT id="email" name="email" type="email" autocomplete="username" required maxlength=warmline::limits::EMAIL />
                </div>
                <div>
                    <label class=LABEL for="password">"Password"</label>
                    <input class=INPUT id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength=warmline::limits::PASSWORD required />
                    <p class="mt-1 text-xs text-slate-500">"At least 8 characters."</p>
                </div>
                <div>
                    <label class=LABEL for="confirm">"Confirm password"</label>
                    <input class=INPUT id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="8" required />
                </div>
                {move || error().map(|e| view! { <ErrorNote error=e /> })}
                <button type="submit" class=format!("{BTN_PRIMARY} w-full") disabled=move || setup.pending().get()>
                    "Create admin account"
                </button>
            </ActionForm>
        </AuthCard>
    }
}
