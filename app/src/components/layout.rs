//! The signed-in app shell: sidebar with the sections that exist, header with the user.

use crate::api::auth::{current_user, Logout};
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;
use crate::components::realtime::{AlertsButton, Realtime, ToastStack};
use warmline::user::User;

/// Bumped on every live event from the server (and on reconnect); resources that show live
/// data read it so they refetch.
#[derive(Clone, Copy)]
pub struct Live(pub RwSignal<u64>);

/// Opens the server's event stream; the browser reconnects it by itself after a drop, and
/// the server's first event on every connection is a `resync`.
/// Each event is read: presence only updates who is shown in a conversation, an assignment
/// also notifies its assignee, and every other event bumps `live`.
#[cfg(feature = "hydrate")]
fn listen_for_changes(live: RwSignal<u64>, rt: Realtime) {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    let Ok(source) = web_sys::EventSource::new("/app/events") else { return };
    // (a burst is under way, more events arrived in it)
    let burst = StoredValue::new((false, false));
    let on_event = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        let data = ev.dyn_ref::<web_sys::MessageEvent>().and_then(|m| m.data().as_string()).unwrap_or_default();
        let refetch = match serde_json::from_str::<warmline::live::LiveEvent>(&data) {
            Ok(e) => rt.handle(&e, crate::components::realtime::now_ms()),
            // A resync (or an event this page doesn't know yet): fetch everything again.
            Err(_) => true,
        };
        // The first event refetches at once; the rest of a burst (a payment, its reveal, their
        // delivery ticks) is one more refetch at its end, instead of one overlapping refetch
        // each.
        if !refetch {
            return;
        }
        if burst.get_value().0 {
            burst.update_value(|b| b.1 = true);
            return;
        }
        burst.set_value((true, false));
        live.update(|v| *v += 1);
        set_timeout(
            move || {
                let (_, more) = burst.get_value();
                burst.set_value((false, false));
                if more {
                    live.update(|v| *v += 1);
                }
            },
            std::time::Duration::from_millis(150),
        );
    });
    for event in ["change", "resync"] {
        let _ = source.add_event_listener_with_callback(event, on_event.as_ref().unchecked_ref());
    }
    // The stream lives as long as the page.
    on_event.forget();
    std::mem::forget(source);
}

#[component]
pub fn AppShell() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let live = RwSignal::new(0u64);
    provide_context(Live(live));
    let rt = Realtime::default();
    provide_context(rt);
    Effect::new(move |_| {
        if let Some(Ok(Some(u))) = user.get() {
            rt.me.set(Some(u.id));
        }
    });
    #[cfg(feature = "hydrate")]
    Effect::new(move |prev: Option<()>| {
        if prev.is_none() {
            listen_for_changes(live, rt);
            crate::components::realtime::leave_on_unload(rt);
        }
    });
    let (menu_open, set_menu_open) = signal(false);
    provide_context(CloseMenu(set_menu_open));
    let location = use_location();
    // Close the phone menu after navigating.
    Effect::new(move |_| {
        location.pathname.track();
        set_menu_open.set(false);
    });

    view! {
        <div class="min-h-full lg:flex">
            <aside class=move || {
                format!(
                    "{} fixed inset-y-0 left-0 z-30 w-64 overflow-y-auto overscroll-contain bg-slate-900 text-slate-200 transition-transform lg:static lg:overflow-visible lg:translate-x-0 lg:flex lg:flex-col",
                    if menu_open.get() { "translate-x-0" } else { "-translate-x-full" },
                )
            }>
                <div class="flex h-16 items-center gap-2 px-6 border-b border-slate-800">
                    <Logo />
                    <span class="text-lg font-semibold tracking-tight text-white">"Warmline"</span>
                </div>
                <nav class="flex-1 space-y-1 px-3 py-4" aria-label="Main">
                    <NavLink href="/" label="Dashboard" icon="M3 12l9-9 9 9M5 10v10h14V10" />
                    <NavLink href="/conversations" label="Conversations" icon="M8 10h8M8 14h5M21 12a8 8 0 01-11.6 7.1L3 21l1.9-6.4A8 8 0 1121 12z" />
                    <NavLink href="/leads" label="Warm leads" icon="M12 3c2 3 5 5 5 9a5 5 0 01-10 0c0-2 1-3 2-4 0 2 1 3 2 3 0-3-1-5 1-8z" />
                    <NavLink href="/approvals" label="Approval queue" icon="M9 12l2 2 4-4M7 4h10a2 2 0 012 2v14l-7-3-7 3V6a2 2 0 012-2z" />
                    <NavLink href="/sales" label="Lead sales" icon="M12 3v18M16 7H10a3 3 0 000 6h4a3 3 0 010 6H7" />
                    <NavLink href="/providers" label="Providers" icon="M3 21h18M5 21V7l7-4 7 4v14M9 9h6M9 13h6M9 17h6" />
                    <NavLink href="/pipeline" label="Pipeline" icon="M4 5h4v14H4zM10 5h4v9h-4zM16 5h4v5h-4z" />
                    <NavLink href="/analytics" label="Analytics" icon="M4 20V10M10 20V4M16 20v-7M22 20H2" />
                    <NavLink href="/farming" label="Lead farming" icon="M4 20h16M6 16l4-4 3 3 5-6M18 9h-3M18 9v3" />
                    <NavLink href="/campaigns" label="Campaigns" icon="M4 6h10M4 12h7M4 18h4M15 10l5 4-5 4v-8z" />
                    <NavLink href="/contacts" label="Contacts" icon="M16 14a4 4 0 10-8 0M12 10a3 3 0 100-6 3 3 0 000 6zM4 20h16" />
                    <NavLink href="/lists" label="Lists" icon="M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01" />
                    <NavLink href="/forms" label="Lead forms" icon="M9 5H7a2 2 0 00-2 2v12a2 2 0 002 2h10a2 2 0 002-2V7a2 2 0 00-2-2h-2M9 5a2 2 0 012-2h2a2 2 0 012 2M9 5h6M9 12h6M9 16h4" />
                    <NavLink href="/scoring" label="Lead scoring" icon="M12 3l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.4 6.8 19.1l1-5.8L3.5 9.2l5.9-.9L12 3z" />
                    <NavLink href="/routing" label="Routing" icon="M4 6h6l4 6-4 6H4M14 12h6M17 9l3 3-3 3" />
                    <NavLink href="/import" label="Import CSV" icon="M12 3v12m0 0l-4-4m4 4l4-4M4 21h16" />
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let admin = matches!(user.await, Ok(Some(u)) if u.is_admin());
                            view! {
                                <p class="px-3 pt-6 pb-1 text-xs font-semibold uppercase tracking-wider text-slate-500">"Settings"</p>
                                <NavLink href="/settings/account" label="Your account" icon="M12 12a4 4 0 100-8 4 4 0 000 8zM4 20a8 8 0 0116 0" />
                                {admin.then(|| view! {
                                <NavLink href="/settings/users" label="Team" icon="M17 20h5v-2a3 3 0 00-5.4-1.8M9 20H2v-2a4 4 0 017-2.6M15 7a3 3 0 11-6 0 3 3 0 016 0z" />
                                <NavLink href="/settings/business" label="Business" icon="M3 10h10a8 8 0 018 8v2M3 10l6 6m-6-6l6-6" />
                                <NavLink href="/settings/api-keys" label="API keys" icon="M15 7a2 2 0 012 2m4 0a6 6 0 01-7.7 5.7L11 17H9v2H7v2H4v-3l5.3-5.3A6 6 0 1121 9z" />
                                })}
                            }
                        })}
                    </Transition>
                </nav>
                <p class="px-6 py-4 text-xs text-slate-500">"Self-hosted SMS lead engagement"</p>
            </aside>
            <div
                class=move || if menu_open.get() { "fixed inset-0 z-20 bg-slate-900/40 lg:hidden" } else { "hidden" }
                on:click=move |_| set_menu_open.set(false)
            ></div>
            <div class="flex min-w-0 flex-1 flex-col">
                <header class="sticky top-0 z-10 flex h-16 items-center justify-between gap-4 border-b border-slate-200 bg-white/90 px-4 backdrop-blur sm:px-6">
                    <button
                        type="button"
                        class="rounded-md p-2 text-slate-600 hover:bg-slate-100 lg:hidden"
                        aria-label="Open menu"
                        on:click=move |_| set_menu_open.update(|o| *o = !*o)
                    >
                        <svg class="h-6 w-6" fill="none" viewBox="0 0 24 24" stroke="currentColor" stroke-width="2">
                            <path stroke-linecap="round" d="M4 6h16M4 12h16M4 18h16" />
                        </svg>
                    </button>
                    <div class="flex-1"></div>
                    <AlertsButton />
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match user.await {
                                Ok(Some(u)) => view! { <UserMenu user=u /> }.into_any(),
                                _ => view! {
                                    <a href="/login" class="text-sm font-medium text-orange-700 hover:underline">"Sign in"</a>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </header>
                <main class="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6 lg:px-8">
                    <Outlet />
                </main>
            </div>
            <ToastStack />
        </div>
    }
}

#[component]
fn UserMenu(user: User) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let initial = user.email.chars().next().unwrap_or('?').to_ascii_uppercase().to_string();
    view! {
        <div class="flex items-center gap-3">
            <div class="hidden text-right sm:block">
                <p class="text-sm font-medium text-slate-900" data-testid="signed-in-user">{user.email.clone()}</p>
                <p class="text-xs text-slate-500">{user.role.as_str()}</p>
            </div>
            <span class="flex h-9 w-9 items-center justify-center rounded-full bg-orange-100 text-sm font-semibold text-orange-700">
                {initial}
            </span>
            <ActionForm action=logout>
                <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
                    "Log out"
                </button>
            </ActionForm>
        </div>
    }
}

/// Closes the phone menu; a sidebar link uses it, so choosing the page already open closes
/// the menu too (a route change alone would not).
#[derive(Clone, Copy)]
struct CloseMenu(WriteSignal<bool>);

#[component]
fn NavLink(href: &'static str, label: &'static str, icon: &'static str) -> impl IntoView {
    let location = use_location();
    let close = use_context::<CloseMenu>();
    let active = move || {
        let path = location.pathname.get();
        if href == "/" {
            path == "/"
        } else {
            path == href || path.starts_with(&format!("{href}/"))
        }
    };
    view! {
        <a
            href=href
            on:click=move |_| if let Some(CloseMenu(set)) = close { set.set(false) }
            aria-current=move || active().then_some("page")
            class=move || {
                format!(
                    "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium {}",
                    if active() { "bg-slate-800 text-white" } else { "text-slate-300 hover:bg-slate-800 hover:text-white" },
                )
            }
        >
            <svg class="h-5 w-5 shrink-0" fill="none" viewBox="0 0 24 24" stroke="currentColor" stroke-width="1.8">
                <path stroke-linecap="round" stroke-linejoin="round" d=icon />
            </svg>
            {label}
        </a>
    }
}

#[component]
pub fn Logo() -> impl IntoView {
    view! {
        <svg class="h-8 w-8" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="#ea580c" />
            <path d="M8 11h16a2 2 0 012 2v7a2 2 0 01-2 2h-9l-5 4v-4H8a2 2 0 01-2-2v-7a2 2 0 012-2z" fill="#fff7ed" />
            <circle cx="12" cy="16.5" r="1.5" fill="#ea580c" />
            <circle cx="16" cy="16.5" r="1.5" fill="#ea580c" />
            <circle cx="20" cy="16.5" r="1.5" fill="#ea580c" />
        </svg>
    }
}
