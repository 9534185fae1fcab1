//! One item of the queue: who, the text (with segments and cost), why it was suggested, who
//! suggested it, its history, and what a person can do with it.

use crate::api::approvals::*;
use crate::components::ui::*;
use leptos::prelude::*;
use warmline::approvals::{Suggestion, SuggestionId, SuggestionStatus};
use warmline::sms::segments;

/// Twilio's US list price per segment, for the cost shown on each item.
const PRICE_PER_SEGMENT_MICROS: u64 = 8_300;

pub fn status_pill(s: SuggestionStatus) -> &'static str {
    match s {
        SuggestionStatus::Suggested => "bg-amber-100 text-amber-800",
        SuggestionStatus::Approved | SuggestionStatus::Scheduled => "bg-sky-100 text-sky-800",
        SuggestionStatus::Sent => "bg-emerald-100 text-emerald-800",
        SuggestionStatus::Rejected | SuggestionStatus::Cancelled => "bg-slate-100 text-slate-600",
        SuggestionStatus::Failed => "bg-red-100 text-red-700",
    }
}

/// A key pressed for the item at `index` (`seq` makes a repeated key a new command).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Command {
    pub index: usize,
    pub key: char,
    pub seq: u64,
}

pub const KBD: &str = "rounded border border-slate-300 bg-slate-50 px-1 font-mono text-[11px] text-slate-700";

/// Whether a key press is typing in a field (then it is not a shortcut).
pub fn typing(ev: &leptos::ev::KeyboardEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            return matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT");
        }
    }
    let _ = ev;
    false
}

/// What a person has open on a row: the editor and its draft, the rejection and its reason.
#[derive(Clone, Copy)]
pub struct RowState {
    pub editing: RwSignal<bool>,
    pub rejecting: RwSignal<bool>,
    pub draft: RwSignal<String>,
    pub reason: RwSignal<String>,
}

/// Every row's [`RowState`], kept by the page: a live update rebuilds the rows, and a reason
/// half typed (or an edit) must survive it.
#[derive(Clone, Copy)]
pub struct RowStates {
    map: StoredValue<std::collections::HashMap<SuggestionId, RowState>>,
    owner: StoredValue<Option<Owner>>,
}

impl RowStates {
    pub fn new() -> RowStates {
        RowStates { map: StoredValue::new(Default::default()), owner: StoredValue::new(Owner::current()) }
    }

    /// The state of the row of `id`, made (owned by the page) the first time.
    pub fn of(&self, id: SuggestionId, text: &str) -> RowState {
        if let Some(s) = self.map.with_value(|m| m.get(&id).copied()) {
            return s;
        }
        let make = || RowState { editing: RwSignal::new(false), rejecting: RwSignal::new(false), draft: RwSignal::new(text.to_string()), reason: RwSignal::new(String::new()) };
        let s = match self.owner.get_value() {
            Some(o) => o.with(make),
            None => make(),
        };
        self.map.update_value(|m| {
            m.insert(id, s);
        });
        s
    }
}

/// One suggestion: who, the text (with segments), why, and what a person can do with it.
#[component]
pub fn Row(item: Suggestion, index: usize, cursor: RwSignal<usize>, command: RwSignal<Option<Command>>, selected: RwSignal<Vec<SuggestionId>>, open_history: RwSignal<Vec<SuggestionId>>, states: RowStates, on_change: Callback<()>) -> impl IntoView {
    let id = item.id;
    let approve = ServerAction::<ApproveSuggestion>::new();
    let reject = ServerAction::<RejectSuggestion>::new();
    let cancel = ServerAction::<CancelSuggestion>::new();
    let RowState { editing, rejecting, draft, reason } = states.of(id, &item.text);
    Effect::new(move |_| {
        if matches!(approve.value().get(), Some(Ok(_))) || matches!(reject.value().get(), Some(Ok(_))) || matches!(cancel.value().get(), Some(Ok(_))) {
            // Decided: nothing stays open on it.
            editing.set(false);
            rejecting.set(false);
            reason.set(String::new());
            on_change.run(());
        }
    });
    let error = move || approve.value().get().and_then(|r| r.err()).or_else(|| reject.value().get().and_then(|r| r.err())).or_else(|| cancel.value().get().and_then(|r| r.err()));
    let info = segments::analyze(&item.text);
    let context: Vec<(String, String)> = item.context.as_object().map(|o| o.iter().filter(|(k, _)| k.as_str() != "writer").map(|(k, v)| (k.replace('_', " "), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect()).unwrap_or_default();
    let waiting = item.status == SuggestionStatus::Suggested;
    let can_cancel = matches!(item.status, SuggestionStatus::Suggested | SuggestionStatus::Approved | SuggestionStatus::Scheduled);
    let busy = move || approve.pending().get() || reject.pending().get() || cancel.pending().get();
    let is_selected = move || selected.with(|s| s.contains(&id));
    let toggle = move || {
        selected.update(|s| {
            if let Some(i) = s.iter().position(|x| *x == id) {
                s.remove(i);
            } else {
                s.push(id);
            }
        })
    };
    // The audit trail, loaded when asked for. Which histories are open belongs to the page, so
    // one stays open (and is loaded again) when a live update rebuilds the list.
    let history = ServerAction::<SuggestionHistory>::new();
    let show_history = move || open_history.with(|o| o.contains(&id));
    if open_history.with_untracked(|o| o.contains(&id)) {
        history.dispatch(SuggestionHistory { id });
    }
    let current = move || cursor.get() == index;
    // Only keys pressed after this row appeared: a row that takes the place of one just approved
    // must not act on the key that approved it.
    let before = command.get_untracked().map(|c| c.seq);
    Effect::new(move |_| {
        let Some(c) = command.get() else { return };
        if before.is_some_and(|b| c.seq <= b) || c.index != index || !waiting || busy() {
            return;
        }
        match c.key {
            'a' => {
                approve.dispatch(ApproveSuggestion { id, text: editing.get_untracked().then(|| draft.get_untracked()) });
            }
            'e' => editing.set(true),
            'r' => rejecting.set(true),
            'x' => toggle(),
            _ => {}
        }
    });
    view! {
        <li class=move || format!("space-y-2 px-4 py-3 {}", if current() { "bg-orange-50/60 ring-2 ring-inset ring-orange-300" } else { "" })
            data-testid="suggestion" data-status=item.status.as_str() data-current=move || current().to_string() data-selected=move || is_selected().to_string()>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <p class="flex items-center gap-2 text-sm">
                    {waiting.then(|| view! {
                        <input type="checkbox" class="h-4 w-4 rounded border-slate-300 accent-orange-600" data-testid="select"
                            aria-label=format!("Select {}", item.contact_name) prop:checked=is_selected on:change=move |_| toggle() />
                    })}
                    <a class="font-medium text-slate-900 hover:text-orange-700" href=format!("/contacts/{}", item.contact_id)>{item.contact_name.clone()}</a>
                    <span class="ml-2 font-mono text-xs text-slate-500">{warmline::phone::display(&item.phone)}</span>
                </p>
                <span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {}", status_pill(item.status)) data-testid="suggestion-status">{item.status.as_str()}</span>
            </div>
            <Show when=move || waiting && editing.get() fallback={
                let text = item.text.clone();
                move || view! { <p class="whitespace-pre-wrap break-words rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-800" data-testid="suggestion-text">{text.clone()}</p> }
            }>
                <textarea class=INPUT rows="3" aria-label="Message" data-testid="edit-text" bind:value=draft maxlength=warmline::limits::MESSAGE></textarea>
            </Show>
            <p class="text-xs text-slate-500">
                {format!("{} segment{} · about ${:.3} · {} · suggested by {}", info.segments, if info.segments == 1 { "" } else { "s" }, segments::estimate_cost_micros(&info, PRICE_PER_SEGMENT_MICROS) as f64 / 1e6, item.campaign_type.replace('_', " "), item.suggested_by)}
                {item.send_at.map(|t| view! { " · sends " <Time ms=t /> })}
                {item.reason.clone().map(|r| format!(" · {r}"))}
            </p>
            {(!context.is_empty()).then(|| view! {
                <div class="flex flex-wrap gap-1" aria-label="Why this message">
                    {context.into_iter().map(|(k, v)| view! { <span class="rounded bg-violet-50 px-2 py-0.5 text-xs text-violet-800">{format!("{k}: {v}")}</span> }).collect_view()}
                </div>
            })}
            <Show when=move || waiting && rejecting.get()>
                <div class="flex flex-wrap gap-2">
                    <input class=format!("{INPUT} min-w-0 flex-1") aria-label="Why reject it?" placeholder="Why reject it?" data-testid="reject-reason" bind:value=reason />
                    <button type="button" class=BTN_DANGER data-testid="reject-confirm" disabled=move || busy() || reason.with(|r| r.trim().is_empty())
                        on:click=move |_| { reject.dispatch(RejectSuggestion { id, reason: reason.get_untracked() }); }>"Reject"</button>
                </div>
            </Show>
            <div class="flex flex-wrap gap-2">
                {waiting.then(|| view! {
                    <button type="button" class=BTN_PRIMARY data-testid="approve" disabled=busy
                        on:click=move |_| { approve.dispatch(ApproveSuggestion { id, text: editing.get_untracked().then(|| draft.get_untracked()) }); }>
                        {move || if editing.get() { "Save and approve" } else { "Approve" }}
                    </button>
                    <button type="button" class=BTN_SECONDARY data-testid="edit" on:click={
                        let text = item.text.clone();
                        move |_| {
                            // The editor opens on the text as it is now.
                            if !editing.get_untracked() {
                                draft.set(text.clone());
                            }
                            editing.update(|e| *e = !*e)
                        }
                    }>{move || if editing.get() { "Stop editing" } else { "Edit" }}</button>
                    <button type="button" class=BTN_SECONDARY data-testid="reject" on:click=move |_| rejecting.update(|r| *r = !*r)>"Reject…"</button>
                })}
                <button type="button" class="text-sm font-medium text-slate-500 hover:text-slate-800" data-testid="history" aria-expanded=move || show_history().to_string()
                    on:click=move |_| {
                        let open = !open_history.with_untracked(|o| o.contains(&id));
                        open_history.update(|o| {
                            o.retain(|x| *x != id);
                            if open {
                                o.push(id);
                            }
                        });
                        if open {
                            history.dispatch(SuggestionHistory { id });
                        }
                    }>{move || if show_history() { "Hide history" } else { "History" }}</button>
                {can_cancel.then(|| view! {
                    <button type="button" class="text-sm font-medium text-slate-500 hover:text-red-700" data-testid="cancel" disabled=busy
                        on:click=move |_| { cancel.dispatch(CancelSuggestion { id }); }>"Cancel"</button>
                })}
            </div>
            {move || show_history().then(|| history.value().get().map(|r| match r {
                Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                Ok(events) => view! {
                    <ol class="space-y-1 border-l-2 border-slate-200 pl-3 text-xs text-slate-600" data-testid="history-list">
                        {events.into_iter().map(|e| {
                            let change = e.old_text.as_ref().map(|old| format!(" · was “{}”", warmline::limits::ellipsize(old, 80)));
                            view! {
                                <li>
                                    <Time ms=e.created_at />" · "
                                    <span class="font-medium text-slate-800">{e.kind.replace('_', " ")}</span>
                                    {format!(" · {}", e.actor)}
                                    {e.note.map(|n| format!(" · {n}"))}
                                    {change}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }))}
            {move || error().map(|e| view! { <ErrorNote error=e /> })}
        </li>
    }
}

