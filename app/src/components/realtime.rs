//! What the live channel shows besides refetching: who else has a conversation open (and is
//! typing in it), and a member's notice of a lead or conversation assigned to them, in the
//! page and through the browser's Notification API when they allow it.

use leptos::prelude::*;
use warmline::live::{LiveEvent, PresenceState};
use warmline::{ContactId, UserId};

/// A "viewing" lasts this long without a heartbeat (a closed tab drops out by itself).
const SEEN_MS: f64 = 25_000.0;
/// "Typing" lasts this long after the last keystroke heard.
const TYPING_MS: f64 = 4_000.0;
/// How often an open conversation says it is still open.
#[cfg(feature = "hydrate")]
const HEARTBEAT_MS: u64 = 10_000;
/// How long a notice stays in the page.
#[cfg(feature = "hydrate")]
const TOAST_MS: u64 = 20_000;
/// Keystrokes are told at most this often.
#[cfg(feature = "hydrate")]
const TYPING_EVERY_MS: f64 = 2_000.0;

/// Another member in a conversation.
#[derive(Clone, Debug, PartialEq)]
pub struct Peer {
    pub contact_id: ContactId,
    pub user_id: UserId,
    pub name: String,
    pub seen_at: f64,
    pub typing_at: Option<f64>,
}

/// A notice in the corner of the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub title: String,
    pub body: String,
    pub href: String,
}

/// The page's live state beyond refetching, shared through context by the app shell.
#[derive(Clone, Copy)]
pub struct Realtime {
    /// The signed-in member (their own presence and notices are told apart by it).
    pub me: RwSignal<Option<UserId>>,
    pub peers: RwSignal<Vec<Peer>>,
    /// The conversation this page has open.
    pub viewing: RwSignal<Option<ContactId>>,
    pub toasts: RwSignal<Vec<Toast>>,
    next_toast: StoredValue<u64>,
}

impl Default for Realtime {
    fn default() -> Realtime {
        Realtime { me: RwSignal::new(None), peers: RwSignal::new(Vec::new()), viewing: RwSignal::new(None), toasts: RwSignal::new(Vec::new()), next_toast: StoredValue::new(0) }
    }
}

impl Realtime {
    /// Takes in one event at `now` (ms); whether the pages' data should be fetched again.
    pub fn handle(&self, ev: &LiveEvent, now: f64) -> bool {
        match ev {
            LiveEvent::Presence { contact_id, user_id, name, state, hello } => {
                if Some(*user_id) != self.me.get_untracked() {
                    self.peers.update(|ps| apply_presence(ps, *contact_id, *user_id, name, *state, now));
                    if *hello && self.viewing.get_untracked() == Some(*contact_id) {
                        announce(*contact_id, PresenceState::Viewing, false);
                    }
                }
                false
            }
            LiveEvent::Assigned { contact_id, user_id, name } => {
                if Some(*user_id) == self.me.get_untracked() {
                    let who = if name.trim().is_empty() { "A contact".to_string() } else { name.clone() };
                    self.notify("Assigned to you".into(), format!("{who} is yours: their conversation is in your inbox."), format!("/conversations/{contact_id}"));
                }
                true
            }
            _ => ev.changes_data(),
        }
    }

    /// Shows a notice in the page (at most four at once), and on the desktop when allowed.
    pub fn notify(&self, title: String, body: String, href: String) {
        #[cfg(feature = "hydrate")]
        desktop_notification(&title, &body, &href);
        self.next_toast.update_value(|n| *n += 1);
        let id = self.next_toast.get_value();
        self.toasts.update(|t| {
            t.push(Toast { id, title, body, href });
            let extra = t.len().saturating_sub(4);
            t.drain(..extra);
        });
        // The assignment stays in the member's inbox; the notice goes after a while.
        #[cfg(feature = "hydrate")]
        {
            let rt = *self;
            set_timeout(move || rt.dismiss(id), std::time::Duration::from_millis(TOAST_MS));
        }
    }

    pub fn dismiss(&self, id: u64) {
        self.toasts.update(|t| t.retain(|x| x.id != id));
    }
}

/// Updates who is where after one presence event.
fn apply_presence(peers: &mut Vec<Peer>, contact: ContactId, user: UserId, name: &str, state: PresenceState, now: f64) {
    // A member is in one conversation at a time (per page); leaving removes them.
    peers.retain(|p| p.user_id != user || (p.contact_id == contact && state != PresenceState::Left));
    if state == PresenceState::Left {
        return;
    }
    match peers.iter_mut().find(|p| p.user_id == user) {
        Some(p) => {
            p.seen_at = now;
            p.name = name.to_string();
            if state == PresenceState::Typing {
                p.typing_at = Some(now);
            }
        }
        None => peers.push(Peer { contact_id: contact, user_id: user, name: name.to_string(), seen_at: now, typing_at: (state == PresenceState::Typing).then_some(now) }),
    }
}

/// Tells the other members where this page is in a conversation.
pub fn announce(contact: ContactId, state: PresenceState, hello: bool) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let _ = crate::api::routing::thread_presence(contact, state, hello).await;
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (contact, state, hello);
}

pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now();
    #[cfg(not(feature = "hydrate"))]
    0.0
}

/// Says "left" for the open conversation when the page goes away (a closed tab, a reload):
/// a beacon, which the browser still sends as the page unloads.
#[cfg(feature = "hydrate")]
pub fn leave_on_unload(rt: Realtime) {
    use leptos::server_fn::ServerFn;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else { return };
    let on_hide = Closure::<dyn FnMut()>::new(move || {
        let Some(contact) = rt.viewing.get_untracked() else { return };
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(&format!("contact_id={contact}&presence=left&hello=false")) else { return };
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().send_beacon_with_opt_url_search_params(<crate::api::routing::ThreadPresence as ServerFn>::PATH, Some(&params));
        }
    });
    let _ = window.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
    on_hide.forget();
}

/// Keeps an open conversation's presence told: once on opening (asking the others to say
/// they are there), every few seconds while open, and on leaving. Call it in the component
/// that lives as long as the conversation is open.
pub fn stay_present(contact: ContactId) {
    #[cfg(feature = "hydrate")]
    {
        let rt = expect_context::<Realtime>();
        rt.viewing.set(Some(contact));
        announce(contact, PresenceState::Viewing, true);
        let beat = set_interval_with_handle(move || announce(contact, PresenceState::Viewing, false), std::time::Duration::from_millis(HEARTBEAT_MS)).ok();
        on_cleanup(move || {
            if let Some(b) = beat {
                b.clear();
            }
            rt.viewing.update(|v| {
                if *v == Some(contact) {
                    *v = None;
                }
            });
            announce(contact, PresenceState::Left, false);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = contact;
}

/// A keystroke handler for a reply box: tells the others "typing", at most every two seconds.
pub fn typing_notifier(contact: ContactId) -> impl Fn() + Copy + 'static {
    let last = StoredValue::new(f64::MIN);
    move || {
        #[cfg(feature = "hydrate")]
        {
            let now = now_ms();
            if now - last.get_value() >= TYPING_EVERY_MS {
                last.set_value(now);
                announce(contact, PresenceState::Typing, false);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (contact, last);
    }
}

fn names(list: &[String]) -> String {
    match list {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "Ana is typing…" or "Also here: Ana", for the conversation `contact_id`.
#[component]
pub fn PresenceLine(contact_id: ContactId) -> impl IntoView {
    let rt = expect_context::<Realtime>();
    // Ticks so that presence runs out when nobody says anything more.
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        let h = set_interval_with_handle(move || tick.update(|t| *t = t.wrapping_add(1)), std::time::Duration::from_millis(1000)).ok();
        on_cleanup(move || {
            if let Some(h) = h {
                h.clear();
            }
        });
    }
    let state = move || {
        tick.track();
        let now = now_ms();
        rt.peers.with(|ps| {
            let here: Vec<&Peer> = ps.iter().filter(|p| p.contact_id == contact_id && now - p.seen_at < SEEN_MS).collect();
            let typing: Vec<String> = here.iter().filter(|p| p.typing_at.is_some_and(|t| now - t < TYPING_MS)).map(|p| p.name.clone()).collect();
            let viewing: Vec<String> = here.iter().map(|p| p.name.clone()).collect();
            (typing, viewing)
        })
    };
    view! {
        {move || {
            let (typing, viewing) = state();
            if !typing.is_empty() {
                let verb = if typing.len() == 1 { "is" } else { "are" };
                view! {
                    <p class="mb-2 flex items-center gap-2 text-xs font-medium text-orange-800" role="status" data-testid="typing">
                        <span class="inline-flex gap-0.5" aria-hidden="true">
                            <span class="h-1.5 w-1.5 animate-bounce rounded-full bg-orange-500"></span>
                            <span class="h-1.5 w-1.5 animate-bounce rounded-full bg-orange-500 [animation-delay:150ms]"></span>
                            <span class="h-1.5 w-1.5 animate-bounce rounded-full bg-orange-500 [animation-delay:300ms]"></span>
                        </span>
                        {format!("{} {verb} typing a reply…", names(&typing))}
                    </p>
                }.into_any()
            } else if !viewing.is_empty() {
                view! {
                    <p class="mb-2 flex items-center gap-2 text-xs text-slate-600" role="status" data-testid="presence">
                        <span class="h-2 w-2 rounded-full bg-emerald-500" aria-hidden="true"></span>
                        {format!("Also here: {}", names(&viewing))}
                    </p>
                }.into_any()
            } else {
                ().into_any()
            }
        }}
    }
}

/// The notices in the corner of the page.
#[component]
pub fn ToastStack() -> impl IntoView {
    let rt = expect_context::<Realtime>();
    view! {
        <div class="pointer-events-none fixed inset-x-3 bottom-3 z-50 flex flex-col items-end gap-2 sm:inset-x-auto sm:right-4 sm:bottom-4 sm:w-80" aria-live="polite">
            <For each=move || rt.toasts.get() key=|t| t.id let:t>
                <div class="pointer-events-auto w-full rounded-lg border border-slate-200 bg-white p-3 shadow-lg ring-1 ring-black/5" role="status" data-testid="toast">
                    <div class="flex items-start gap-3">
                        <span class="mt-1 h-2 w-2 shrink-0 rounded-full bg-orange-500" aria-hidden="true"></span>
                        <a class="min-w-0 flex-1" href=t.href.clone() on:click=move |_| rt.dismiss(t.id)>
                            <p class="text-sm font-semibold text-slate-900">{t.title.clone()}</p>
                            <p class="mt-0.5 text-sm text-slate-600">{t.body.clone()}</p>
                        </a>
                        <button type="button" class="rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700" aria-label="Dismiss" on:click=move |_| rt.dismiss(t.id)>"✕"</button>
                    </div>
                </div>
            </For>
        </div>
    }
}

/// "Turn on alerts": asks for the browser's permission to show desktop notifications, shown
/// while the member hasn't answered.
#[component]
pub fn AlertsButton() -> impl IntoView {
    let permission = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| permission.set(current_permission()));
    let ask = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if let Ok(p) = web_sys::Notification::request_permission() {
                let _ = wasm_bindgen_futures::JsFuture::from(p).await;
            }
            permission.set(current_permission());
        });
    };
    view! {
        <Show when=move || permission.get() == "default">
            <button type="button" on:click=ask data-testid="enable-alerts" title="Get a desktop notification when a lead is assigned to you"
                class="hidden items-center gap-1.5 rounded-md border border-slate-300 px-2.5 py-1.5 text-sm text-slate-700 hover:bg-slate-50 sm:inline-flex">
                <svg class="h-4 w-4" fill="none" viewBox="0 0 24 24" stroke="currentColor" stroke-width="2" aria-hidden="true">
                    <path stroke-linecap="round" stroke-linejoin="round" d="M15 17h5l-1.4-1.4A2 2 0 0118 14.2V11a6 6 0 10-12 0v3.2a2 2 0 01-.6 1.4L4 17h5m6 0a3 3 0 11-6 0" />
                </svg>
                "Turn on alerts"
            </button>
        </Show>
    }
}

/// "granted", "denied", "default", or "unsupported" where the browser has no notifications.
#[cfg(feature = "hydrate")]
fn current_permission() -> String {
    let supported = web_sys::window().is_some_and(|w| js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false));
    if !supported {
        return "unsupported".into();
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => "granted",
        web_sys::NotificationPermission::Denied => "denied",
        _ => "default",
    }
    .into()
}

#[cfg(feature = "hydrate")]
fn desktop_notification(title: &str, body: &str, href: &str) {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    if current_permission() != "granted" {
        return;
    }
    let opts = web_sys::NotificationOptions::new();
    opts.set_body(body);
    opts.set_tag(href);
    if let Ok(n) = web_sys::Notification::new_with_options(title, &opts) {
        let href = href.to_string();
        let click = Closure::<dyn FnMut()>::new(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.focus();
                let _ = w.location().set_href(&href);
            }
        });
        n.set_onclick(Some(click.as_ref().unchecked_ref()));
        click.forget();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_follows_viewing_typing_and_leaving() {
        let (c1, c2, ana) = (ContactId(1), ContactId(2), UserId(7));
        let mut ps = Vec::new();
        apply_presence(&mut ps, c1, ana, "ana", PresenceState::Viewing, 1.0);
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].typing_at, None);
        apply_presence(&mut ps, c1, ana, "ana", PresenceState::Typing, 2.0);
        assert_eq!(ps[0].typing_at, Some(2.0));
        // A heartbeat keeps the typing time.
        apply_presence(&mut ps, c1, ana, "ana", PresenceState::Viewing, 3.0);
        assert_eq!((ps[0].seen_at, ps[0].typing_at), (3.0, Some(2.0)));
        // Opening another conversation moves them there.
        apply_presence(&mut ps, c2, ana, "ana", PresenceState::Viewing, 4.0);
        assert_eq!(ps.iter().map(|p| p.contact_id).collect::<Vec<_>>(), [c2]);
        apply_presence(&mut ps, c2, ana, "ana", PresenceState::Left, 5.0);
        assert!(ps.is_empty());
    }

    #[test]
    fn names_read_as_a_list() {
        assert_eq!(names(&["ana".into()]), "ana");
        assert_eq!(names(&["ana".into(), "bo".into(), "cy".into()]), "ana, bo and cy");
    }
}
