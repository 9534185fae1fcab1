//! The contact page's CRM parts: editing the record, deleting it, notes, the pipeline stage
//! and the message history.

use crate::api::contacts::contact_filters;
use crate::api::crm::*;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use std::collections::BTreeMap;
use warmline::contact::Contact;
use warmline::crm::ContactPatch;
use warmline::ContactId;

/// The edit form: names, email, time zone, tags, lists and custom attributes.
#[component]
pub fn EditContactForm(contact: Contact, on_done: Callback<()>) -> impl IntoView {
    let save = ServerAction::<UpdateContact>::new();
    let first = RwSignal::new(contact.first_name.clone().unwrap_or_default());
    let last = RwSignal::new(contact.last_name.clone().unwrap_or_default());
    let email = RwSignal::new(contact.email.clone().unwrap_or_default());
    let zone = RwSignal::new(contact.timezone.clone().unwrap_or_default());
    let tags = RwSignal::new(contact.tags.join(", "));
    let lists = RwSignal::new(contact.lists.iter().map(|l| l.id).collect::<Vec<_>>());
    let attrs = RwSignal::new(contact.attributes.iter().map(|(k, v)| (RwSignal::new(k.clone()), RwSignal::new(v.clone()))).collect::<Vec<_>>());
    let all_lists = Resource::new(|| (), |_| contact_filters());
    let id = contact.id;
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            on_done.run(());
        }
    });
    let submit = move |_| {
        let attributes: BTreeMap<String, String> = attrs.get_untracked().iter().map(|(k, v)| (k.get_untracked(), v.get_untracked())).filter(|(k, _)| !k.trim().is_empty()).collect();
        let patch = ContactPatch {
            first_name: Some(first.get_untracked()),
            last_name: Some(last.get_untracked()),
            email: Some(email.get_untracked()),
            timezone: Some(zone.get_untracked()),
            attributes: Some(attributes),
            tags: Some(tags.get_untracked().split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()),
            list_ids: Some(lists.get_untracked()),
        };
        save.dispatch(UpdateContact { id, patch });
    };
    view! {
        <div class="space-y-4" data-testid="edit-contact">
            <div class="grid gap-4 sm:grid-cols-2">
                <div><label class=LABEL for="edit-first">"First name"</label><input id="edit-first" class=INPUT bind:value=first maxlength=warmline::limits::NAME /></div>
                <div><label class=LABEL for="edit-last">"Last name"</label><input id="edit-last" class=INPUT bind:value=last maxlength=warmline::limits::NAME /></div>
                <div><label class=LABEL for="edit-email">"Email"</label><input id="edit-email" class=INPUT type="email" bind:value=email maxlength=warmline::limits::EMAIL /></div>
                <div><label class=LABEL for="edit-zone">"Time zone"</label><input id="edit-zone" class=INPUT bind:value=zone placeholder="e.g. America/Chicago" maxlength="64" /></div>
                <div class="sm:col-span-2"><label class=LABEL for="edit-tags">"Tags"</label><input id="edit-tags" class=INPUT bind:value=tags placeholder="vip, roofing" /></div>
            </div>
            <fieldset>
                <legend class=LABEL>"Lists"</legend>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        let options = all_lists.await.map(|f| f.lists).unwrap_or_default();
                        view! {
                            <div class="flex flex-wrap gap-x-4 gap-y-1">
                                {options.into_iter().map(|l| {
                                    let lid = l.id;
                                    view! {
                                        <label class="flex max-w-full items-center gap-2 text-sm text-slate-700">
                                            <input type="checkbox" class="h-4 w-4 accent-orange-600" prop:checked=move || lists.with(|v| v.contains(&lid))
                                                on:change=move |ev| { let on = event_target_checked(&ev); lists.update(|v| { v.retain(|x| *x != lid); if on { v.push(lid); } }); } />
                                            <span class="truncate">{l.name}</span>
                                        </label>
                                    }
                                }).collect_view()}
                            </div>
                        }
                    })}
                </Transition>
            </fieldset>
            <fieldset>
                <legend class=LABEL>"Custom attributes"</legend>
                <div class="space-y-2">
                    {move || attrs.get().into_iter().enumerate().map(|(i, (k, v))| view! {
                        <div class="flex gap-2">
                            <input class=INPUT aria-label=format!("Attribute {} name", i + 1) bind:value=k maxlength=warmline::limits::ATTRIBUTE_KEY placeholder="name" />
                            <input class=INPUT aria-label=format!("Attribute {} value", i + 1) bind:value=v maxlength=warmline::limits::ATTRIBUTE_VALUE placeholder="value" />
                            <button type="button" class="px-2 text-slate-400 hover:text-red-700" aria-label=format!("Remove attribute {}", i + 1)
                                on:click=move |_| attrs.update(|a| { a.remove(i); })>"✕"</button>
                        </div>
                    }).collect_view()}
                    <button type="button" class="text-sm font-medium text-orange-700 hover:underline"
                        on:click=move |_| attrs.update(|a| a.push((RwSignal::new(String::new()), RwSignal::new(String::new()))))>"+ Add attribute"</button>
                </div>
            </fieldset>
            {move || save.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
            <div class="flex gap-2">
                <button type="button" class=BTN_PRIMARY data-testid="save-contact" disabled=move || save.pending().get() on:click=submit>"Save contact"</button>
                <button type="button" class=BTN_SECONDARY on:click=move |_| on_done.run(())>"Cancel"</button>
            </div>
        </div>
    }
}

/// "Delete contact…" (admins): says what goes (and that an opt-out stays), then deletes.
#[component]
pub fn DeleteContactButton(contact_id: ContactId) -> impl IntoView {
    let me = Resource::new(|| (), |_| crate::api::auth::current_user());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let admin = matches!(me.await, Ok(Some(u)) if u.is_admin());
                admin.then(|| view! { <DeleteContact contact_id /> })
            })}
        </Transition>
    }
}

#[component]
fn DeleteContact(contact_id: ContactId) -> impl IntoView {
    let open = RwSignal::new(false);
    let impact = Resource::new(move || open.get().then_some(contact_id), |id| async move {
        match id {
            Some(id) => Some(contact_delete_impact(id).await),
            None => None,
        }
    });
    let delete = ServerAction::<DeleteContact>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = delete.value().get() {
            navigate("/contacts", Default::default());
        }
    });
    view! {
        <button type="button" class=BTN_SECONDARY data-testid="delete-contact" on:click=move |_| open.set(true)>"Delete…"</button>
        {move || delete.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
        <ConfirmDialog open title="Delete this contact?" confirm_label="Delete contact" danger=true
            on_confirm=Callback::new(move |_| { delete.dispatch(DeleteContact { id: contact_id }); })>
            <Suspense fallback=|| view! { <p>"Counting what goes with it…"</p> }>
                {move || Suspend::new(async move {
                    match impact.await {
                        None => ().into_any(),
                        Some(Err(e)) => view! { <ErrorNote error=e /> }.into_any(),
                        Some(Ok(i)) => view! {
                            <p data-testid="delete-impact">{format!(
                                "This removes the contact with {} {}, {} {}, {} campaign {} and {} list {}. It can't be undone.",
                                fmt_count(i.messages), plural(i.messages, "message", "messages"),
                                fmt_count(i.notes), plural(i.notes, "note", "notes"),
                                fmt_count(i.enrollments), plural(i.enrollments, "enrollment", "enrollments"),
                                fmt_count(i.lists), plural(i.lists, "membership", "memberships"),
                            )}</p>
                            {i.keeps_opt_out.then(|| view! {
                                <p class="rounded-md bg-amber-50 px-3 py-2 text-amber-900" data-testid="keeps-opt-out">
                                    "This number opted out. Its opt-out is kept: if it is imported or added again, it stays opted out."
                                </p>
                            })}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </ConfirmDialog>
    }
}

/// Notes: newest first, with a box to add one.
/// The note being written and its actions, owned by the contact page: a live update rebuilds
/// the card, and the half-written note must survive it.
#[derive(Clone, Copy)]
pub struct NoteDraft {
    pub body: RwSignal<String>,
    pub add: ServerAction<AddNote>,
    pub remove: ServerAction<DeleteNote>,
}

impl NoteDraft {
    pub fn new() -> NoteDraft {
        let d = NoteDraft { body: RwSignal::new(String::new()), add: ServerAction::new(), remove: ServerAction::new() };
        Effect::new(move |_| {
            if let Some(Ok(_)) = d.add.value().get() {
                d.body.set(String::new());
            }
        });
        d
    }
}

#[component]
pub fn NotesCard(contact_id: ContactId, draft: NoteDraft) -> impl IntoView {
    let NoteDraft { body, add, remove } = draft;
    let notes = Resource::new(move || (contact_id, add.version().get(), remove.version().get()), |(id, ..)| contact_notes(id));
    view! {
        <Card class="p-6">
            <h3 class="text-sm font-semibold text-slate-900">"Notes"</h3>
            <textarea class=format!("{INPUT} mt-3") rows="2" aria-label="New note" bind:value=body maxlength=warmline::limits::NOTE placeholder="Called, wants a quote for Thursday…"></textarea>
            <button type="button" class=format!("{BTN_SECONDARY} mt-2") disabled=move || add.pending().get() || body.with(|b| b.trim().is_empty())
                on:click=move |_| { add.dispatch(AddNote { contact_id, body: body.get_untracked() }); }>"Add note"</button>
            {move || add.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mt-2"><ErrorNote error=e /></div> })}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match notes.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="mt-3 text-sm text-slate-500">"No notes yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="mt-4 space-y-3" data-testid="notes">
                                {list.into_iter().map(|n| {
                                    let id = n.id;
                                    view! {
                                        <li class="rounded-md bg-slate-50 px-3 py-2">
                                            <p class="whitespace-pre-wrap break-words text-sm text-slate-800">{n.body}</p>
                                            <p class="mt-1 flex justify-between gap-2 text-xs text-slate-500">
                                                <span class="truncate">{n.author.unwrap_or_else(|| "API".into())} " · " <Time ms=n.created_at /></span>
                                                <button type="button" class="hover:text-red-700" on:click=move |_| { remove.dispatch(DeleteNote { contact_id, id }); }>"Delete"</button>
                                            </p>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
}

/// The contact's pipeline stage, changed from a menu.
#[component]
pub fn StageCard(contact_id: ContactId) -> impl IntoView {
    let set = ServerAction::<SetStage>::new();
    let data = Resource::new(move || (contact_id, set.version().get()), |(id, _)| contact_stage(id));
    view! {
        <Card class="p-6">
            <h3 class="text-sm font-semibold text-slate-900">"Pipeline stage"</h3>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok((current, stages)) => view! {
                            <select class=format!("{INPUT} mt-3") aria-label="Pipeline stage" data-testid="contact-stage"
                                on:change=move |ev| { set.dispatch(SetStage { contact_id, stage_id: event_target_value(&ev).parse().ok() }); }>
                                <option value="" selected=current.is_none()>"Not in the pipeline"</option>
                                {stages.into_iter().map(|s| view! { <option value=s.id.to_string() selected=current == Some(s.id)>{s.name}</option> }).collect_view()}
                            </select>
                            <a href="/pipeline" class="mt-2 inline-block text-sm text-orange-700 hover:underline">"Open the pipeline"</a>
                        }.into_any(),
                    }
                })}
            </Transition>
            {move || set.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mt-2"><ErrorNote error=e /></div> })}
        </Card>
    }
}

/// The latest messages with this contact, both ways.
#[component]
pub fn HistoryCard(contact_id: ContactId) -> impl IntoView {
    let live = expect_context::<crate::components::layout::Live>().0;
    let thread = Resource::new(move || (contact_id, live.get()), |(id, _)| contact_messages(id));
    view! {
        <Card class="mt-6 p-6">
            <div class="flex items-center justify-between gap-2">
                <h3 class="text-sm font-semibold text-slate-900">"Messages"</h3>
                <a href=format!("/conversations/{contact_id}") class="text-sm text-orange-700 hover:underline">"Open conversation"</a>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match thread.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(msgs) if msgs.is_empty() => view! { <p class="mt-3 text-sm text-slate-500">"No messages yet."</p> }.into_any(),
                        Ok(msgs) => view! {
                            <ul class="mt-3 divide-y divide-slate-100" data-testid="contact-history">
                                {msgs.into_iter().rev().map(|m| {
                                    let out = m.direction == warmline::message::Direction::Out;
                                    view! {
                                        <li class="flex gap-3 py-2 text-sm">
                                            <span class=if out { "w-10 shrink-0 text-xs font-medium text-orange-700" } else { "w-10 shrink-0 text-xs font-medium text-sky-700" }>{if out { "sent" } else { "got" }}</span>
                                            <span class="min-w-0 flex-1 break-words text-slate-800">{m.body}</span>
                                            <span class="shrink-0 text-xs text-slate-400"><Time ms=m.created_at /></span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
}
