//! Conversations: the inbox on the left, the thread on the right; live updates from the
//! server's event stream refetch what changed.

use crate::api::conversations::*;
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use warmline::message::{ConversationStatus, Direction, Message, MessageStatus};
use warmline::sms::segments;
use warmline::ContactId;

/// Typical US price per segment, for the composer's estimate.
const PRICE_PER_SEGMENT_MICROS: u64 = 8_300;

#[component]
pub fn ConversationsPage() -> impl IntoView {
    let params = use_params_map();
    let selected = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<ContactId>().ok()));
    view! {
        <Title text="Conversations" />
        <div class="grid h-[calc(100dvh-7rem)] grid-cols-[minmax(0,1fr)] gap-4 lg:grid-cols-[22rem_minmax(0,1fr)]">
            <div class=move || if selected.get().is_some() { "hidden min-h-0 lg:flex lg:flex-col" } else { "flex min-h-0 flex-col" }>
                <InboxPanel selected />
            </div>
            <div class=move || if selected.get().is_some() { "flex min-h-0 flex-col" } else { "hidden min-h-0 lg:flex lg:flex-col" }>
                {move || match selected.get() {
                    Some(id) => view! { <ThreadPanel contact_id=id /> }.into_any(),
                    None => view! {
                        <Card class="flex flex-1 items-center justify-center p-8 text-center">
                            <div>
                                <p class="text-sm font-medium text-slate-700">"Pick a conversation"</p>
                                <p class="mt-1 text-sm text-slate-500">"or start a new one with the form on the left."</p>
                            </div>
                        </Card>
                    }.into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn InboxPanel(selected: Memo<Option<ContactId>>) -> impl IntoView {
    let live = expect_context::<Live>().0;
    let filter = RwSignal::new(Filter::All);
    let status = RwSignal::new(Some(ConversationStatus::Open));
    let search = RwSignal::new(String::new());
    let start = ServerAction::<StartConversation>::new();
    let list = Resource::new(move || (filter.get(), status.get(), search.get(), live.get(), start.version().get()), |(f, s, q, _, _)| inbox(f, s, Some(q)));
    let show_new = RwSignal::new(false);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            show_new.set(false);
            navigate(&format!("/conversations/{id}"), Default::default());
        }
    });
    let tab = move |f: Filter, label: &'static str| {
        view! {
            <button type="button"
                class=move || format!("rounded-md px-3 py-1 text-sm font-medium {}", if filter.get() == f { "bg-slate-900 text-white" } else { "text-slate-600 hover:bg-slate-100" })
                on:click=move |_| filter.set(f)>{label}</button>
        }
    };
    view! {
        <Card class="flex min-h-0 flex-1 flex-col">
            <div class="space-y-3 border-b border-slate-200 p-3">
                <div class="flex items-center justify-between">
                    <h1 class="text-lg font-semibold text-slate-900">"Conversations"</h1>
                    <button type="button" class=BTN_PRIMARY on:click=move |_| show_new.update(|s| *s = !*s)>"New message"</button>
                </div>
                <Show when=move || show_new.get()>
                    <ActionForm action=start attr:class="space-y-2 rounded-lg bg-slate-50 p-3">
                        <input class=INPUT name="phone" placeholder="Phone number" required aria-label="Phone number" />
                        <textarea class=INPUT name="body" rows="2" placeholder="Message" required aria-label="First message"></textarea>
                        <button type="submit" class=format!("{BTN_PRIMARY} w-full") disabled=move || start.pending().get()>"Send"</button>
                        {move || start.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
                    </ActionForm>
                </Show>
                <input class=INPUT type="search" placeholder="Search name, phone or text" aria-label="Search conversations"
                    on:input=move |ev| search.set(event_target_value(&ev)) prop:value=move || search.get() />
                <div class="flex flex-wrap items-center justify-between gap-2">
                    <div class="flex gap-1">{tab(Filter::All, "All")}{tab(Filter::Mine, "Mine")}{tab(Filter::Unassigned, "Unassigned")}</div>
                    <select class="rounded-md border border-slate-300 px-2 py-1 text-sm" aria-label="Conversation status" data-testid="status-filter"
                        on:change=move |ev| status.set(ConversationStatus::parse(&event_target_value(&ev)))>
                        <option value="open" selected=true>"Open"</option>
                        <option value="snoozed">"Snoozed"</option>
                        <option value="closed">"Closed"</option>
                        <option value="any">"Any status"</option>
                    </select>
                </div>
            </div>
            <div class="min-h-0 flex-1 overflow-y-auto" data-testid="inbox">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Err(e) => view! { <div class="p-3"><ErrorNote error=e /></div> }.into_any(),
                            Ok(items) if items.is_empty() => match status.get_untracked() {
                                Some(ConversationStatus::Open) if search.with_untracked(String::is_empty) => view! { <Empty title="No open conversations">"Send a message to start one; closed and snoozed ones are under the status menu."</Empty> }.into_any(),
                                _ => view! { <Empty title="No conversations match" /> }.into_any(),
                            },
                            Ok(items) => items.into_iter().map(|c| {
                                let active = move || selected.get() == Some(c.contact_id);
                                let preview = format!("{}{}", if c.last_direction == Direction::Out { "You: " } else { "" }, c.last_body);
                                view! {
                                    <a href=format!("/conversations/{}", c.contact_id)
                                        class=move || format!("block border-b border-slate-100 px-4 py-3 hover:bg-slate-50 {}", if active() { "bg-orange-50" } else { "" })>
                                        <div class="flex items-baseline justify-between gap-2">
                                            <span class="truncate text-sm font-medium text-slate-900" title=c.name.clone()>{c.name.clone()}</span>
                                            <span class="shrink-0 text-xs text-slate-400"><Time ms=c.last_message_at /></span>
                                        </div>
                                        <div class="mt-0.5 flex items-center justify-between gap-2">
                                            <span class="truncate text-sm text-slate-500">{preview}</span>
                                            {(c.unread > 0).then(|| view! { <span class="rounded-full bg-orange-600 px-2 text-xs font-semibold text-white" data-testid="unread">{c.unread}</span> })}
                                            {c.opted_out.then(|| view! { <span class="shrink-0 whitespace-nowrap rounded-full bg-red-100 px-2 text-xs text-red-700">"opted out"</span> })}
                                        </div>
                                        <p class="font-mono text-xs text-slate-400">{c.phone.display()}</p>
                                    </a>
                                }
                            }).collect_view().into_any(),
                        }
                    })}
                </Transition>
            </div>
        </Card>
    }
}

#[component]
fn ThreadPanel(contact_id: ContactId) -> impl IntoView {
    let live = expect_context::<Live>().0;
    let send = ServerAction::<SendMessage>::new();
    let simulate = ServerAction::<SimulateReply>::new();
    let assign = ServerAction::<AssignConversation>::new();
    let unflag = ServerAction::<ClearFlag>::new();
    let set_status = ServerAction::<crate::api::crm::SetConversationStatus>::new();
    let suggest = ServerAction::<SuggestReply>::new();
    let add_note = ServerAction::<crate::api::crm::AddNote>::new();
    // The composer writes a reply, or an internal note for the team (never sent).
    let note_mode = RwSignal::new(false);
    // Saved replies: kept here, so a live refetch of the thread doesn't close the menu.
    let replies = SavedReplyActions::new();
    // The others with this conversation open see this member here, and typing.
    crate::components::realtime::stay_present(contact_id);
    let typing = crate::components::realtime::typing_notifier(contact_id);
    let data = Resource::new(
        move || (contact_id, live.get(), send.version().get(), simulate.version().get(), assign.version().get(), unflag.version().get(), set_status.version().get(), add_note.version().get()),
        |(id, ..)| get_thread(id),
    );
    let body = RwSignal::new(String::new());
    let reply = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = send.value().get() {
            body.set(String::new());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = add_note.value().get() {
            body.set(String::new());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(text)) = replies.pick.value().get() {
            body.set(text);
            replies.open.set(false);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = simulate.value().get() {
            reply.set(String::new());
        }
    });
    // A suggested reply lands in the composer, for a person to edit and send.
    Effect::new(move |_| {
        if let Some(Ok(d)) = suggest.value().get() {
            body.set(d.text);
        }
    });
    let info = move || body.with(|b| segments::analyze(b));

    // Scrolling: the newest message is in view when a thread opens and whenever one arrives,
    // unless the person scrolled up to read; then a "New messages" pill offers the way down.
    // The list is rebuilt on every refetch, so where the person was is kept here.
    let thread_ref = NodeRef::<leptos::html::Div>::new();
    let follow = StoredValue::new(true);
    let kept_scroll = StoredValue::new(0i32);
    let shown = StoredValue::new(0usize);
    let rendered = StoredValue::new(0usize);
    let new_below = RwSignal::new(false);
    // Only the browser scrolls.
    #[cfg(not(feature = "hydrate"))]
    let _ = (kept_scroll, shown);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = thread_ref.get() {
            let count = rendered.get_value();
            if follow.get_value() {
                el.set_scroll_top(el.scroll_height());
                new_below.set(false);
            } else {
                el.set_scroll_top(kept_scroll.get_value());
                if count > shown.get_value() {
                    new_below.set(true);
                }
            }
            shown.set_value(count);
        }
    });
    let on_scroll = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = thread_ref.get_untracked() {
            let at_bottom = el.scroll_top() + el.client_height() >= el.scroll_height() - 40;
            follow.set_value(at_bottom);
            kept_scroll.set_value(el.scroll_top());
            if at_bottom {
                new_below.set(false);
            }
        }
    };
    let jump_down = move |_| {
        follow.set_value(true);
        new_below.set(false);
        #[cfg(feature = "hydrate")]
        if let Some(el) = thread_ref.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    // Sending a message follows the thread down, wherever it was.
    Effect::new(move |_| {
        if send.version().get() > 0 {
            follow.set_value(true);
        }
    });

    view! {
        <Card class="flex min-h-0 flex-1 flex-col">
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    let t = match data.await {
                        Err(e) => return view! { <div class="p-4"><ErrorNote error=e /></div> }.into_any(),
                        Ok(t) => t,
                    };
                    let gate = t.gate.clone();
                    let blocked = !gate.can_send;
                    let consent_badge = if t.consent.opted_out {
                        Some(("opted out", "bg-red-100 text-red-700"))
                    } else if t.consent.flagged {
                        Some(("flagged for review", "bg-amber-100 text-amber-800"))
                    } else if t.consent.number_status != warmline::message::NumberStatus::Ok {
                        Some(("number unusable", "bg-slate-200 text-slate-700"))
                    } else {
                        None
                    };
                    let assigned = t.assigned_to;
                    view! {
                        <div class="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-4 py-3">
                            <div class="min-w-0">
                                <a href="/conversations" class="mr-2 text-sm text-slate-500 lg:hidden">"←"</a>
                                <a href=format!("/contacts/{}", t.contact_id) class="inline-block max-w-[14rem] truncate align-bottom font-semibold text-slate-900 hover:text-orange-700" data-testid="thread-name" title=t.name.clone()>{t.name.clone()}</a>
                                <a href=format!("tel:{}", t.phone) class="ml-2 font-mono text-xs text-slate-500 hover:text-orange-700" title="Call">{t.phone_display.clone()}</a>
                                {consent_badge.map(|(label, class)| view! { <span class=format!("ml-2 rounded-full px-2 py-0.5 text-xs {class}") data-testid="consent-badge">{label}</span> })}
                            </div>
                            <div class="flex flex-wrap items-center gap-2" data-testid="conversation-status">
                                {match t.status {
                                    ConversationStatus::Open => view! {
                                        <button type="button" class="rounded-md border border-slate-300 px-2 py-1 text-sm text-slate-700 hover:bg-slate-50"
                                            on:click=move |_| { set_status.dispatch(crate::api::crm::SetConversationStatus { contact_id, status: ConversationStatus::Closed, until: None }); }>"Close"</button>
                                        <select class="rounded-md border border-slate-300 px-2 py-1 text-sm" aria-label="Snooze"
                                            on:change=move |ev| {
                                                let until = match event_target_value(&ev).as_str() {
                                                    "hour" => Some(now_ms() + 3_600_000),
                                                    "tomorrow" => Some(local_morning(1)),
                                                    "week" => Some(local_morning(7)),
                                                    _ => None,
                                                };
                                                if until.is_some() {
                                                    set_status.dispatch(crate::api::crm::SetConversationStatus { contact_id, status: ConversationStatus::Snoozed, until });
                                                }
                                            }>
                                            <option value="" selected=true>"Snooze…"</option>
                                            <option value="hour">"For an hour"</option>
                                            <option value="tomorrow">"Until tomorrow 09:00"</option>
                                            <option value="week">"For a week"</option>
                                        </select>
                                    }.into_any(),
                                    other => view! {
                                        <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700" data-testid="status-badge">
                                            {if other == ConversationStatus::Closed { "closed".into_any() } else {
                                                view! { "snoozed until " {t.snoozed_until.map(|u| view! { <Time ms=u /> })} }.into_any()
                                            }}
                                        </span>
                                        <button type="button" class="rounded-md border border-slate-300 px-2 py-1 text-sm text-slate-700 hover:bg-slate-50"
                                            on:click=move |_| { set_status.dispatch(crate::api::crm::SetConversationStatus { contact_id, status: ConversationStatus::Open, until: None }); }>"Reopen"</button>
                                    }.into_any(),
                                }}
                            </div>
                            <label class="flex items-center gap-2 text-sm text-slate-600">"Assigned to"
                                <select class="rounded-md border border-slate-300 px-2 py-1 text-sm" aria-label="Assign conversation"
                                    on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        assign.dispatch(AssignConversation { contact_id, user_id: v.parse::<i64>().ok().map(warmline::UserId) });
                                    }>
                                    <option value="" selected=assigned.is_none()>"Nobody"</option>
                                    {t.team.iter().map(|m| view! { <option value=m.id.to_string() selected=assigned == Some(m.id)>{m.email.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                        </div>
                        {t.provider.clone().map(|_| view! {
                            <div class="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-indigo-50 px-4 py-2 text-xs text-indigo-900" data-testid="thread-provider">
                                <span class="rounded-full bg-indigo-100 px-2 py-0.5 font-medium">"Provider"</span>
                                "Lead offers: Y unlocks, N skips, STOP opts out of offers."
                                <a class="font-medium hover:underline" href="/sales">"Lead sales"</a>
                            </div>
                        })}
                        {(!t.campaigns.is_empty()).then(|| view! {
                            <div class="flex flex-wrap gap-2 border-b border-slate-200 px-4 py-2 text-xs" data-testid="thread-campaigns">
                                {t.campaigns.iter().map(|c| {
                                    use warmline::campaign::model::EnrollmentStatus as S;
                                    let (text, class) = match (c.status, c.stop_reason.as_deref()) {
                                        (S::Active, _) => ("in progress".to_string(), "bg-emerald-50 text-emerald-800"),
                                        (S::Completed, _) => ("completed".into(), "bg-slate-100 text-slate-600"),
                                        (S::Stopped, Some("replied")) => ("stopped: they replied".into(), "bg-amber-50 text-amber-900"),
                                        (S::Stopped, Some("opted_out")) => ("stopped: opted out".into(), "bg-red-50 text-red-700"),
                                        (S::Stopped, _) => ("stopped".into(), "bg-amber-50 text-amber-900"),
                                        (S::Failed, _) => ("failed".into(), "bg-red-50 text-red-700"),
                                    };
                                    view! {
                                        <a href=format!("/campaigns/{}", c.campaign_id) class=format!("rounded-full px-2 py-0.5 {class}") data-testid="thread-campaign">
                                            {format!("Campaign \"{}\": {text}", c.name)}
                                        </a>
                                    }
                                }).collect_view()}
                            </div>
                        })}
                        {rendered.set_value(t.messages.len() + t.notes.len())}
                        <div class="relative flex min-h-0 flex-1 flex-col">
                            <div node_ref=thread_ref on:scroll=on_scroll class="min-h-[8rem] flex-1 space-y-2 overflow-y-auto bg-slate-50 px-4 py-4" data-testid="thread">
                                {if t.messages.is_empty() && t.notes.is_empty() { view! { <p class="text-center text-sm text-slate-400">"No messages yet."</p> }.into_any() } else {
                                    interleave(t.messages, t.notes).into_iter().map(|item| match item {
                                        Item::Message(m) => view! { <Bubble m /> }.into_any(),
                                        Item::Note(n) => view! { <NoteBubble n /> }.into_any(),
                                    }).collect_view().into_any()
                                }}
                            </div>
                            <Show when=move || new_below.get()>
                                <button type="button" on:click=jump_down data-testid="new-messages"
                                    class="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full bg-slate-900 px-4 py-1.5 text-sm font-medium text-white shadow-lg hover:bg-slate-700">
                                    "New messages ↓"
                                </button>
                            </Show>
                        </div>
                        {view! { <div class="border-t border-slate-200 p-3">
                            {gate.reason.clone().map(|r| {
                                if blocked {
                                    view! { <p class="mb-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800" role="status" data-testid="gate-note">{format!("Sending is blocked: {r}.")}</p> }.into_any()
                                } else {
                                    view! {
                                        <p class="mb-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" role="status" data-testid="gate-note">
                                            {format!("A message now will wait: {r}")}
                                            {gate.defer_until.map(|u| view! { " (until " <Time ms=u /> ")" })}
                                            "."
                                        </p>
                                    }.into_any()
                                }
                            })}
                            {(t.consent.flagged && !t.consent.opted_out).then(|| view! {
                                <div class="mb-2 flex flex-wrap items-center justify-between gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                                    <span>"Their last message may be an opt-out. Read it; if it isn't, allow messages again."</span>
                                    <button type="button" class=BTN_SECONDARY on:click=move |_| { unflag.dispatch(ClearFlag { contact_id }); }>"Reviewed: allow messages"</button>
                                </div>
                            })}
                            <crate::components::realtime::PresenceLine contact_id />
                            <div class="mb-2 flex gap-1 text-sm" role="tablist" aria-label="Composer">
                                <button type="button" role="tab" aria-selected=move || (!note_mode.get()).to_string() on:click=move |_| note_mode.set(false)
                                    class=move || if note_mode.get() { "rounded-md px-3 py-1 text-slate-500 hover:bg-slate-100" } else { "rounded-md bg-slate-900 px-3 py-1 font-medium text-white" }>"Reply"</button>
                                <button type="button" role="tab" aria-selected=move || note_mode.get().to_string() on:click=move |_| note_mode.set(true) data-testid="note-mode"
                                    class=move || if note_mode.get() { "rounded-md bg-amber-500 px-3 py-1 font-medium text-white" } else { "rounded-md px-3 py-1 text-slate-500 hover:bg-slate-100" }>"Internal note"</button>
                            </div>
                            <textarea rows="3"
                                class=move || if note_mode.get() { format!("{INPUT} bg-amber-50") } else { INPUT.to_string() }
                                placeholder=move || if note_mode.get() { "A note for your team. It is never sent." } else if blocked { "You can't message this contact" } else { "Type a message" }
                                aria-label=move || if note_mode.get() { "Internal note" } else { "Message" }
                                bind:value=body disabled=move || blocked && !note_mode.get() data-testid="composer" maxlength=warmline::limits::MESSAGE
                                on:input=move |_| if !note_mode.get_untracked() { typing() }></textarea>
                            <Show when=move || note_mode.get()>
                                <div class="mt-2 flex items-center justify-between gap-2">
                                    <p class="text-xs text-amber-800">"Only your team sees notes."</p>
                                    <button type="button" class=BTN_PRIMARY data-testid="add-note"
                                        disabled=move || add_note.pending().get() || body.with(|b| b.trim().is_empty())
                                        on:click=move |_| { add_note.dispatch(crate::api::crm::AddNote { contact_id, body: body.get_untracked() }); }>
                                        "Add note"
                                    </button>
                                </div>
                                {move || add_note.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mt-2"><ErrorNote error=e /></div> })}
                            </Show>
                            <div class=move || if note_mode.get() { "hidden" } else { "mt-2 flex flex-wrap items-center justify-between gap-2" }>
                                <p class="text-xs text-slate-500" data-testid="segment-info">{move || {
                                    let i = info();
                                    format!("{} characters · {} segment{} · {} · about ${:.3}",
                                        i.characters, i.segments, if i.segments == 1 { "" } else { "s" },
                                        match i.encoding { segments::Encoding::Gsm7 => "GSM-7", segments::Encoding::Ucs2 => "Unicode (UCS-2)" },
                                        segments::estimate_cost_micros(&i, PRICE_PER_SEGMENT_MICROS) as f64 / 1e6)
                                }}</p>
                                <div class="flex flex-wrap gap-2">
                                    <SavedReplies contact_id body actions=replies />
                                    <button type="button" class=BTN_SECONDARY data-testid="suggest-reply" disabled=move || blocked || suggest.pending().get()
                                        on:click=move |_| { suggest.dispatch(SuggestReply { contact_id }); }>
                                        {move || if suggest.pending().get() { "Drafting…" } else { "Suggest a reply" }}
                                    </button>
                                    <button type="button" class=BTN_PRIMARY
                                        disabled=move || blocked || send.pending().get() || body.with(|b| b.trim().is_empty())
                                        on:click=move |_| { send.dispatch(SendMessage { contact_id, body: body.get_untracked() }); }>
                                        "Send"
                                    </button>
                                </div>
                            </div>
                            {move || suggest.value().get().map(|r| match r {
                                Err(e) => view! { <div class="mt-2"><ErrorNote error=e /></div> }.into_any(),
                                Ok(d) => view! {
                                    <p class="mt-2 text-xs text-slate-500" data-testid="suggest-note">
                                        {if d.writer == "ai" { "Drafted by the AI writer." } else { "Drafted from a template." }}
                                        {d.note.map(|n| format!(" (The AI's draft was not used: {n}.)"))}
                                        " Edit it as you like. Nothing is sent until you press Send."
                                    </p>
                                }.into_any(),
                            })}
                            {move || send.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mt-2"><ErrorNote error=e /></div> })}
                            {t.simulator.then(|| view! {
                                <div class="mt-3 flex gap-2 rounded-lg border border-dashed border-slate-300 p-2">
                                    <input class=INPUT placeholder="Reply as the contact (simulator)" aria-label="Simulated reply" bind:value=reply />
                                    <button type="button" class=BTN_SECONDARY disabled=move || reply.with(|r| r.trim().is_empty())
                                        on:click=move |_| { simulate.dispatch(SimulateReply { contact_id, body: reply.get_untracked() }); }>
                                        "Simulate reply"
                                    </button>
                                </div>
                            })}
                        </div> }.into_any()}
                    }.into_any()
                })}
            </Transition>
        </Card>
    }
}

/// `days` from today at 09:00 in the browser's zone.
fn local_morning(days: u32) -> i64 {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new_0();
        d.set_date(d.get_date() + days);
        d.set_hours(9);
        d.set_minutes(0);
        d.set_seconds(0);
        d.set_milliseconds(0);
        d.get_time() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        now_ms() + i64::from(days) * 86_400_000
    }
}

fn status_label(m: &Message) -> (&'static str, &'static str) {
    match m.status {
        MessageStatus::Scheduled => ("scheduled", "text-amber-700"),
        MessageStatus::Queued | MessageStatus::Sending => ("queued", "text-slate-400"),
        MessageStatus::Sent => ("sent ✓", "text-slate-500"),
        MessageStatus::Delivered | MessageStatus::Read => ("delivered ✓✓", "text-emerald-600"),
        MessageStatus::Undelivered | MessageStatus::Failed => ("failed", "text-red-600"),
        MessageStatus::Canceled => ("not sent", "text-red-600"),
        MessageStatus::Received => ("", ""),
    }
}

/// The saved-replies menu's state and actions, owned by the thread panel.
#[derive(Clone, Copy)]
struct SavedReplyActions {
    open: RwSignal<bool>,
    pick: ServerAction<crate::api::crm::UseSavedReply>,
    save: ServerAction<crate::api::crm::SaveReply>,
    delete: ServerAction<crate::api::crm::DeleteSavedReply>,
    name: RwSignal<String>,
}

impl SavedReplyActions {
    fn new() -> SavedReplyActions {
        SavedReplyActions { open: RwSignal::new(false), pick: ServerAction::new(), save: ServerAction::new(), delete: ServerAction::new(), name: RwSignal::new(String::new()) }
    }
}

/// "Saved replies": pick one (its {{ }} fields filled in for this contact) into the composer,
/// save the composer's text as one, or delete one.
#[component]
fn SavedReplies(contact_id: ContactId, body: RwSignal<String>, actions: SavedReplyActions) -> impl IntoView {
    let a = actions;
    let list = Resource::new(move || (a.open.get(), a.save.version().get(), a.delete.version().get()), |(open, ..)| async move {
        if open { crate::api::crm::saved_replies().await.map(Some) } else { Ok(None) }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = a.save.value().get() {
            a.name.set(String::new());
        }
    });
    view! {
        <div class="relative">
            <button type="button" class=BTN_SECONDARY aria-expanded=move || a.open.get().to_string() data-testid="saved-replies"
                on:click=move |_| a.open.update(|o| *o = !*o)>"Saved replies"</button>
            <Show when=move || a.open.get()>
                <div class="absolute bottom-full right-0 z-20 mb-2 w-[min(22rem,calc(100vw-2rem))] rounded-lg border border-slate-200 bg-white p-2 shadow-xl" data-testid="saved-replies-menu">
                    <Transition fallback=|| view! { <p class="p-2 text-sm text-slate-500">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match list.await {
                                Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                                Ok(None) => ().into_any(),
                                Ok(Some(v)) if v.is_empty() => view! { <p class="p-2 text-sm text-slate-500">"None yet. Write a message below and save it for next time; {{ first_name }} fills in the contact's name."</p> }.into_any(),
                                Ok(Some(v)) => view! {
                                    <ul class="max-h-60 overflow-y-auto">
                                        {v.into_iter().map(|r| {
                                            let id = r.id;
                                            view! {
                                                <li class="group flex items-start gap-1 rounded-md hover:bg-slate-50">
                                                    <button type="button" class="min-w-0 flex-1 p-2 text-left" data-testid="saved-reply"
                                                        on:click=move |_| { a.pick.dispatch(crate::api::crm::UseSavedReply { id, contact_id }); }>
                                                        <span class="block text-sm font-medium text-slate-900">{r.name.clone()}</span>
                                                        <span class="block truncate text-xs text-slate-500">{r.body.clone()}</span>
                                                    </button>
                                                    <button type="button" class="m-1 rounded p-1 text-xs text-slate-400 hover:bg-red-50 hover:text-red-700" aria-label=format!("Delete {}", r.name)
                                                        on:click=move |_| { a.delete.dispatch(crate::api::crm::DeleteSavedReply { id }); }>"✕"</button>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                    {move || a.pick.value().get().and_then(|r| r.err()).map(|e| view! { <div class="p-2"><ErrorNote error=e /></div> })}
                    <div class="mt-1 flex gap-2 border-t border-slate-100 p-2">
                        <input class=INPUT placeholder="Name, to save the message below" aria-label="Saved reply name" bind:value=a.name maxlength="60" data-testid="saved-reply-name" />
                        <button type="button" class=BTN_SECONDARY data-testid="save-reply"
                            disabled=move || a.name.with(|n| n.trim().is_empty()) || body.with(|b| b.trim().is_empty()) || a.save.pending().get()
                            on:click=move |_| { a.save.dispatch(crate::api::crm::SaveReply { name: a.name.get_untracked(), body: body.get_untracked() }); }>"Save"</button>
                    </div>
                    {move || a.save.value().get().and_then(|r| r.err()).map(|e| view! { <div class="p-2"><ErrorNote error=e /></div> })}
                </div>
            </Show>
        </div>
    }
}

/// A message or a note, in the order they happened.
enum Item {
    Message(Message),
    Note(warmline::crm::Note),
}

fn interleave(messages: Vec<Message>, notes: Vec<warmline::crm::Note>) -> Vec<Item> {
    let mut items: Vec<(i64, Item)> = messages.into_iter().map(|m| (m.created_at, Item::Message(m))).chain(notes.into_iter().map(|n| (n.created_at, Item::Note(n)))).collect();
    items.sort_by_key(|(at, _)| *at);
    items.into_iter().map(|(_, i)| i).collect()
}

#[component]
fn NoteBubble(n: warmline::crm::Note) -> impl IntoView {
    view! {
        <div class="mx-auto max-w-[85%] rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-950" data-testid="thread-note">
            <p class="text-xs font-medium text-amber-800">
                "Internal note"
                {n.author.clone().map(|a| format!(" · {a}"))}
                " · " <Time ms=n.created_at />
            </p>
            <p class="mt-0.5 whitespace-pre-wrap break-words">{n.body.clone()}</p>
        </div>
    }
}

#[component]
fn Bubble(m: Message) -> impl IntoView {
    let out = m.direction == Direction::Out;
    let (label, label_class) = status_label(&m);
    let error = m.error_message.clone().map(|e| match m.error_code {
        Some(c) => format!("{e} ({c})"),
        None => e,
    });
    view! {
        <div class=if out { "flex justify-end" } else { "flex justify-start" } data-testid=if out { "bubble-out" } else { "bubble-in" }>
            <div class=if out { "max-w-[80%] rounded-2xl rounded-br-sm bg-orange-600 px-3 py-2 text-sm text-white" } else { "max-w-[80%] rounded-2xl rounded-bl-sm bg-white px-3 py-2 text-sm text-slate-800 shadow-sm" }>
                <p class="whitespace-pre-wrap break-words">{m.body.clone()}</p>
                <p class=if out { "mt-1 text-right text-[11px] text-orange-100" } else { "mt-1 text-[11px] text-slate-400" }>
                    <Time ms=m.created_at />
                    {out.then(|| view! { " · " <span class=format!("font-medium {label_class} rounded bg-white/90 px-1") data-testid="message-status">{label}</span> })}
                </p>
                {error.map(|e| view! { <p class="mt-1 text-[11px] text-orange-50">{e}</p> })}
            </div>
        </div>
    }
}
