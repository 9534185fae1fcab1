//! The warm-lead pipeline: a board of stages (drag a card, or use its menu) and the same as a
//! list; admins edit the stages.

use crate::api::crm::*;
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use warmline::crm::{Board, PipelineCard, Stage};
use warmline::ContactId;

#[component]
pub fn PipelinePage() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let move_card = ServerAction::<SetStage>::new();
    let create = ServerAction::<CreateStage>::new();
    let rename = ServerAction::<RenameStage>::new();
    let remove = ServerAction::<DeleteStage>::new();
    let board = Resource::new(
        move || (live.get(), move_card.version().get(), create.version().get(), rename.version().get(), remove.version().get()),
        |_| load_board(),
    );
    let as_list = RwSignal::new(false);
    let editing = RwSignal::new(false);
    let dragging = RwSignal::new(None::<ContactId>);
    view! {
        <Title text="Pipeline" />
        <PageHeader title="Pipeline" subtitle="Warm leads from first reply to won or lost. Drag a card to another stage, or use its menu.">
            <div class="flex rounded-md border border-slate-300 bg-white p-0.5 text-sm" role="group" aria-label="View">
                <button type="button" class=move || format!("rounded px-3 py-1 {}", if as_list.get() { "text-slate-600" } else { "bg-slate-900 text-white" }) on:click=move |_| as_list.set(false)>"Board"</button>
                <button type="button" class=move || format!("rounded px-3 py-1 {}", if as_list.get() { "bg-slate-900 text-white" } else { "text-slate-600" }) on:click=move |_| as_list.set(true)>"List"</button>
            </div>
            <button type="button" class=BTN_SECONDARY on:click=move |_| editing.update(|e| *e = !*e)>"Edit stages"</button>
        </PageHeader>
        {move || move_card.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mb-4"><ErrorNote error=e /></div> })}
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match board.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(b) => {
                        let stages = b.stages.clone();
                        view! {
                            <Show when=move || editing.get()>
                                <StageEditor stages=stages.clone() create rename remove />
                            </Show>
                            {if b.cards.is_empty() {
                                view! { <Card><Empty title="Nobody in the pipeline yet">"Warm leads land in the first stage; move anyone here from their contact page."</Empty></Card> }.into_any()
                            } else {
                                let b = StoredValue::new(b);
                                (move || if as_list.get() {
                                    view! { <ListView board=b.get_value() move_card /> }.into_any()
                                } else {
                                    view! { <BoardView board=b.get_value() move_card dragging /> }.into_any()
                                }).into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

fn stage_menu(card: &PipelineCard, stages: &[Stage], move_card: ServerAction<SetStage>) -> impl IntoView {
    let contact_id = card.contact_id;
    let current = card.stage_id.or(stages.first().map(|s| s.id));
    view! {
        <select class="w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-xs" aria-label=format!("Stage of {}", card.name) data-testid="card-stage"
            on:change=move |ev| { move_card.dispatch(SetStage { contact_id, stage_id: event_target_value(&ev).parse().ok() }); }>
            {stages.iter().map(|s| view! { <option value=s.id.to_string() selected=current == Some(s.id)>{s.name.clone()}</option> }).collect_view()}
        </select>
    }
}

fn card_view(card: PipelineCard, stages: &[Stage], move_card: ServerAction<SetStage>, dragging: RwSignal<Option<ContactId>>) -> impl IntoView {
    let id = card.contact_id;
    let menu = stage_menu(&card, stages, move_card);
    view! {
        <li class="cursor-grab rounded-lg border border-slate-200 bg-white p-3 shadow-sm active:cursor-grabbing" draggable="true" data-testid="pipeline-card"
            on:dragstart=move |_| dragging.set(Some(id)) on:dragend=move |_| dragging.set(None)>
            <a href=format!("/contacts/{id}") class="block truncate text-sm font-medium text-slate-900 hover:text-orange-700" title=card.name.clone()>{card.name.clone()}</a>
            <a href=format!("tel:{}", card.phone) class="block font-mono text-xs text-slate-500 hover:text-orange-700" title="Call">{warmline::phone::display(&card.phone)}</a>
            {card.reply.map(|r| view! { <p class="mt-1 line-clamp-2 break-words text-xs text-slate-600" title=r.clone()>{format!("\u{201c}{r}\u{201d}")}</p> })}
            <div class="mt-2">{menu}</div>
        </li>
    }
}

#[component]
fn BoardView(board: Board, move_card: ServerAction<SetStage>, dragging: RwSignal<Option<ContactId>>) -> impl IntoView {
    let stages = board.stages.clone();
    view! {
        <div class="flex snap-x gap-4 overflow-x-auto pb-4" data-testid="pipeline-board">
            {board.stages.iter().map(|s| {
                let stage_id = s.id;
                let cards: Vec<PipelineCard> = board.in_stage(stage_id).cloned().collect();
                let count = cards.len() as i64;
                let stages = stages.clone();
                let over = RwSignal::new(false);
                view! {
                    <section class=move || format!("w-64 shrink-0 snap-start rounded-xl border p-3 lg:w-auto lg:min-w-[11rem] lg:flex-1 lg:shrink {}", if over.get() { "border-orange-400 bg-orange-50" } else { "border-slate-200 bg-slate-100/60" })
                        data-testid="pipeline-column" aria-label=s.name.clone()
                        on:dragover=move |ev| { ev.prevent_default(); over.set(true); }
                        on:dragleave=move |_| over.set(false)
                        on:drop=move |ev| {
                            ev.prevent_default();
                            over.set(false);
                            if let Some(contact_id) = dragging.get_untracked() {
                                move_card.dispatch(SetStage { contact_id, stage_id: Some(stage_id) });
                            }
                        }>
                        <h2 class="mb-3 flex items-center justify-between text-sm font-semibold text-slate-800">
                            <span class="truncate">{s.name.clone()}</span>
                            <span class="rounded-full bg-white px-2 text-xs font-medium text-slate-500">{count}</span>
                        </h2>
                        <ul class="min-h-[4rem] space-y-2">
                            {cards.into_iter().map(|c| card_view(c, &stages, move_card, dragging)).collect_view()}
                        </ul>
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn ListView(board: Board, move_card: ServerAction<SetStage>) -> impl IntoView {
    let stages = board.stages.clone();
    view! {
        <Card>
            <div class="overflow-x-auto">
                <table class="min-w-full divide-y divide-slate-200" data-testid="pipeline-list">
                    <thead class="bg-slate-50"><tr><th class=TH>"Contact"</th><th class=TH>"Stage"</th><th class=format!("{TH} hidden sm:table-cell")>"Reply"</th><th class=format!("{TH} hidden md:table-cell")>"Since"</th></tr></thead>
                    <tbody class="divide-y divide-slate-100">
                        {board.cards.iter().map(|c| view! {
                            <tr>
                                <td class=format!("{TD} max-w-[12rem]")>
                                    <a href=format!("/contacts/{}", c.contact_id) class="block truncate font-medium text-slate-900 hover:text-orange-700">{c.name.clone()}</a>
                                    <a href=format!("tel:{}", c.phone) class="font-mono text-xs text-slate-500">{warmline::phone::display(&c.phone)}</a>
                                </td>
                                <td class=format!("{TD} w-40")>{stage_menu(c, &stages, move_card)}</td>
                                <td class=format!("{TD} hidden max-w-xs truncate sm:table-cell")>{c.reply.clone().unwrap_or_else(|| "—".into())}</td>
                                <td class=format!("{TD} hidden whitespace-nowrap text-slate-500 md:table-cell")><Time ms=c.since /></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </Card>
    }
}

#[component]
fn StageEditor(stages: Vec<Stage>, create: ServerAction<CreateStage>, rename: ServerAction<RenameStage>, remove: ServerAction<DeleteStage>) -> impl IntoView {
    let new_name = RwSignal::new(String::new());
    view! {
        <Card class="mb-6 p-5">
            <h2 class="text-sm font-semibold text-slate-900">"Stages"</h2>
            <p class="mt-1 text-xs text-slate-500">"Admins can rename, add and delete stages. Deleting one moves its contacts to the first remaining stage."</p>
            <ul class="mt-3 space-y-2">
                {stages.into_iter().map(|s| {
                    let id = s.id;
                    let name = RwSignal::new(s.name.clone());
                    view! {
                        <li class="flex flex-wrap gap-2">
                            <input class=format!("{INPUT} max-w-xs") bind:value=name maxlength="40" aria-label=format!("Stage {} name", s.position + 1) />
                            <button type="button" class=BTN_SECONDARY on:click=move |_| { rename.dispatch(RenameStage { id, name: name.get_untracked() }); }>"Rename"</button>
                            <button type="button" class="text-sm text-red-700 hover:underline" on:click=move |_| { remove.dispatch(DeleteStage { id }); }>"Delete"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="mt-3 flex flex-wrap gap-2">
                <input class=format!("{INPUT} max-w-xs") bind:value=new_name maxlength="40" placeholder="New stage" aria-label="New stage name" />
                <button type="button" class=BTN_PRIMARY disabled=move || new_name.with(|n| n.trim().is_empty())
                    on:click=move |_| { create.dispatch(CreateStage { name: new_name.get_untracked() }); new_name.set(String::new()); }>"Add stage"</button>
            </div>
            {move || create.value().get().and_then(|r| r.err()).or_else(|| rename.value().get().and_then(|r| r.err())).or_else(|| remove.value().get().and_then(|r| r.err()))
                .map(|e| view! { <div class="mt-3"><ErrorNote error=e /></div> })}
        </Card>
    }
}
