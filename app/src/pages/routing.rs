//! Routing: who takes each new lead and conversation. Rules in priority order (a condition on
//! a field, the source or the score → a member, or a group taking turns), the groups, the
//! default round robin, and beside them the team with who is available now. Live.

use crate::api::routing::{routing_page, SaveRouting, SetAvailability};
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use warmline::routing::{Condition, Group, Member, RoutingRule, RoutingSettings, Target};
use warmline::scoring::FieldOp;
use warmline::UserId;

#[component]
pub fn RoutingPage() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let save = ServerAction::<SaveRouting>::new();
    let toggle = ServerAction::<SetAvailability>::new();
    // The team follows live events; the editor loads once, so nobody's typing is reset.
    let team = Resource::new(move || (live.get(), toggle.version().get()), |_| routing_page());
    let editor = Resource::new(|| (), |_| routing_page());
    view! {
        <Title text="Routing" />
        <PageHeader title="Routing" subtitle="Who takes each new lead and conversation. The first rule that matches picks a member, or a group whose available members take turns; the assignee is told at once." />
        <div class="grid items-start gap-6 xl:grid-cols-[minmax(0,1fr)_20rem]">
            <div class="min-w-0 xl:order-2">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match team.await {
                            Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                            Ok(o) => view! { <Team members=o.members toggle /> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
            <div class="min-w-0 xl:order-1">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match editor.await {
                            Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                            Ok(o) => view! { <Editor settings=o.settings members=o.members save /> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </div>
    }
}

#[component]
fn Team(members: Vec<Member>, toggle: ServerAction<SetAvailability>) -> impl IntoView {
    view! {
        <Card>
            <div class="border-b border-slate-200 px-5 py-3">
                <h2 class="text-sm font-semibold text-slate-900">"Team"</h2>
                <p class="text-xs text-slate-500">"Away members get no new leads; what they have stays theirs."</p>
            </div>
            <ul class="divide-y divide-slate-100" data-testid="routing-team">
                {members.into_iter().map(|m| {
                    let (id, available) = (m.id, m.available);
                    view! {
                        <li class="flex items-center justify-between gap-3 px-5 py-3" data-testid="routing-member">
                            <div class="min-w-0">
                                <p class="truncate text-sm font-medium text-slate-900" title=m.email.clone()>{m.email.clone()}</p>
                                <p class="text-xs text-slate-500">{format!("{} open conversation{}", m.open, plural(m.open, "", "s"))}</p>
                            </div>
                            <button type="button" role="switch" aria-checked=available.to_string() aria-label=format!("{} available", m.email)
                                class=if available { "shrink-0 rounded-full bg-emerald-100 px-3 py-1 text-xs font-medium text-emerald-800 ring-1 ring-inset ring-emerald-600/20 hover:bg-emerald-200" } else { "shrink-0 rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-600 ring-1 ring-inset ring-slate-400/30 hover:bg-slate-200" }
                                on:click=move |_| { toggle.dispatch(SetAvailability { user_id: id, available: !available }); }
                                data-testid="availability">
                                {if available { "Available" } else { "Away" }}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || toggle.value().get().and_then(|r| r.err()).map(|e| view! { <div class="px-5 pb-3"><ErrorNote error=e /></div> })}
        </Card>
    }
}

/// A rule as the editor holds it while someone types.
#[derive(Clone, Copy)]
struct RuleRow {
    key: u32,
    kind: RwSignal<String>,
    field: RwSignal<String>,
    op: RwSignal<String>,
    value: RwSignal<String>,
    /// "m:12" for a member, "g:Name" for a group.
    to: RwSignal<String>,
}

impl RuleRow {
    fn new(key: u32, r: &RoutingRule) -> RuleRow {
        let (field, op, value) = match &r.when {
            Condition::Field { key, op, value } => (key.clone(), op.key().to_string(), value.clone()),
            Condition::Source { value } => (String::new(), FieldOp::Is.key().into(), value.clone()),
            Condition::ScoreAtLeast { score } => (String::new(), FieldOp::Is.key().into(), score.to_string()),
            Condition::Always => (String::new(), FieldOp::Is.key().into(), String::new()),
        };
        let to = match &r.to {
            Target::Member { user_id } => format!("m:{user_id}"),
            Target::Group { group } => format!("g:{group}"),
        };
        RuleRow { key, kind: RwSignal::new(r.when.kind().into()), field: RwSignal::new(field), op: RwSignal::new(op), value: RwSignal::new(value), to: RwSignal::new(to) }
    }

    fn rule(&self, n: usize) -> Result<RoutingRule, String> {
        let value = self.value.get_untracked();
        let when = match self.kind.get_untracked().as_str() {
            "always" => Condition::Always,
            "source" => Condition::Source { value: value.trim().to_lowercase() },
            "score_at_least" => Condition::ScoreAtLeast { score: value.trim().parse().map_err(|_| format!("rule {n}: '{}' is not a score", value.trim()))? },
            _ => Condition::Field {
                key: self.field.get_untracked().trim().to_lowercase().replace(' ', "_"),
                op: FieldOp::from_key(&self.op.get_untracked()).unwrap_or(FieldOp::Is),
                value,
            },
        };
        let to = self.to.get_untracked();
        let to = if let Some(id) = to.strip_prefix("m:").and_then(|i| i.parse().ok()) {
            Target::Member { user_id: UserId(id) }
        } else if let Some(g) = to.strip_prefix("g:").filter(|g| !g.trim().is_empty()) {
            Target::Group { group: g.to_string() }
        } else {
            return Err(format!("rule {n}: pick who gets the contact"));
        };
        Ok(RoutingRule { when, to })
    }
}

#[derive(Clone, Copy)]
struct GroupRow {
    key: u32,
    name: RwSignal<String>,
    members: RwSignal<Vec<UserId>>,
}

const SMALL: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm shadow-sm focus:border-orange-500 focus:outline-none focus:ring-2 focus:ring-orange-500/30";

#[component]
fn Editor(settings: RoutingSettings, members: Vec<Member>, save: ServerAction<SaveRouting>) -> impl IntoView {
    let next = StoredValue::new(0u32);
    let fresh = move || {
        next.update_value(|n| *n += 1);
        next.get_value()
    };
    let rules = RwSignal::new(settings.rules.iter().map(|r| RuleRow::new(fresh(), r)).collect::<Vec<_>>());
    let groups = RwSignal::new(settings.groups.iter().map(|g| GroupRow { key: fresh(), name: RwSignal::new(g.name.clone()), members: RwSignal::new(g.members.clone()) }).collect::<Vec<_>>());
    let round_robin = RwSignal::new(settings.round_robin);
    let problem = RwSignal::new(None::<String>);
    let members = StoredValue::new(members.into_iter().map(|m| (m.id, m.email)).collect::<Vec<_>>());

    let collect = move || -> Result<RoutingSettings, String> {
        let rules = rules.get_untracked().iter().enumerate().map(|(i, r)| r.rule(i + 1)).collect::<Result<Vec<_>, _>>()?;
        let groups = groups.get_untracked().iter().map(|g| Group { name: g.name.get_untracked().trim().to_string(), members: g.members.get_untracked() }).collect();
        let s = RoutingSettings { rules, groups, round_robin: round_robin.get_untracked() };
        s.check()?;
        Ok(s)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match collect() {
            Err(e) => problem.set(Some(e)),
            Ok(settings) => {
                problem.set(None);
                save.dispatch(SaveRouting { settings });
            }
        }
    };
    let add_rule = move |_| {
        let first = members.with_value(|m| m.first().map(|(id, _)| *id)).unwrap_or(UserId(0));
        let row = RuleRow::new(fresh(), &RoutingRule { when: Condition::Field { key: "city".into(), op: FieldOp::Is, value: String::new() }, to: Target::Member { user_id: first } });
        rules.update(|r| r.push(row));
    };
    let add_group = move |_| {
        let n = groups.with(Vec::len) + 1;
        groups.update(|g| g.push(GroupRow { key: fresh(), name: RwSignal::new(format!("Group {n}")), members: RwSignal::new(Vec::new()) }));
    };
    let move_rule = move |key: u32, up: bool| {
        rules.update(|v| {
            if let Some(i) = v.iter().position(|r| r.key == key) {
                let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < v.len()) };
                if let Some(j) = j {
                    v.swap(i, j);
                }
            }
        })
    };
    // The groups a rule can name, as they are being edited.
    let group_names = Signal::derive(move || groups.get().iter().map(|g| g.name.get()).filter(|n| !n.trim().is_empty()).collect::<Vec<_>>());

    view! {
        <form class="space-y-6" on:submit=submit data-testid="routing-form">
            <Card>
                <div class="border-b border-slate-200 px-5 py-3">
                    <h2 class="text-sm font-semibold text-slate-900">"Rules"</h2>
                    <p class="text-xs text-slate-500">"Checked top to bottom when a lead submits a form or someone writes in for the first time. A rule whose member is away, or whose group has nobody available, is passed over."</p>
                </div>
                {move || if rules.with(Vec::is_empty) {
                    view! { <p class="px-5 py-4 text-sm text-slate-500">"No rules yet."</p> }.into_any()
                } else {
                    let count = rules.with(Vec::len);
                    view! {
                        <ol class="divide-y divide-slate-100" data-testid="routing-rules">
                            {rules.get().into_iter().enumerate().map(|(i, r)| view! {
                                <RuleEditor row=r n=i + 1 last=i + 1 == count members=members.get_value() group_names
                                    up=Callback::new(move |_| move_rule(r.key, true)) down=Callback::new(move |_| move_rule(r.key, false))
                                    remove=Callback::new(move |_| rules.update(|v| v.retain(|x| x.key != r.key))) />
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
                <div class="border-t border-slate-100 px-5 py-3">
                    <button type="button" class=BTN_SECONDARY on:click=add_rule data-testid="add-routing-rule">"+ Add rule"</button>
                </div>
            </Card>

            <Card>
                <div class="border-b border-slate-200 px-5 py-3">
                    <h2 class="text-sm font-semibold text-slate-900">"Groups"</h2>
                    <p class="text-xs text-slate-500">"The available members of a group take turns."</p>
                </div>
                {move || if groups.with(Vec::is_empty) {
                    view! { <p class="px-5 py-4 text-sm text-slate-500">"No groups yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="divide-y divide-slate-100" data-testid="routing-groups">
                            {groups.get().into_iter().map(|g| view! {
                                <GroupEditor row=g members=members.get_value() remove=Callback::new(move |_| groups.update(|v| v.retain(|x| x.key != g.key))) />
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <div class="border-t border-slate-100 px-5 py-3">
                    <button type="button" class=BTN_SECONDARY on:click=add_group data-testid="add-group">"+ Add group"</button>
                </div>
            </Card>

            <Card class="p-5">
                <label class="flex items-start gap-3">
                    <input type="checkbox" class="mt-0.5 h-4 w-4 rounded border-slate-300 text-orange-600 focus:ring-orange-500" bind:checked=round_robin data-testid="round-robin" />
                    <span>
                        <span class="block text-sm font-medium text-slate-900">"Otherwise, take turns among everyone available"</span>
                        <span class="block text-xs text-slate-500">"When no rule matches. Off, such contacts wait in the inbox's Unassigned view."</span>
                    </span>
                </label>
            </Card>

            <div class="flex flex-wrap items-center gap-3">
                <button type="submit" class=BTN_PRIMARY disabled=move || save.pending().get() data-testid="save-routing">"Save routing"</button>
                {move || problem.get().map(|p| view! { <p role="alert" class="text-sm text-red-700" data-testid="routing-problem">{p}</p> })}
                {move || save.value().get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(()) => view! { <p class="text-sm text-green-700" data-testid="routing-saved">"Saved. New leads follow these rules."</p> }.into_any(),
                })}
            </div>
        </form>
    }
}

#[component]
fn RuleEditor(row: RuleRow, n: usize, last: bool, members: Vec<(UserId, String)>, group_names: Signal<Vec<String>>, up: Callback<()>, down: Callback<()>, remove: Callback<()>) -> impl IntoView {
    let kind = move || row.kind.get();
    let needs_value = move || row.op.get() != FieldOp::Present.key();
    let members = StoredValue::new(members);
    view! {
        <li class="flex flex-wrap items-center gap-2 px-5 py-3 text-sm text-slate-700" data-testid="routing-rule">
            <span class="w-5 shrink-0 text-xs font-semibold text-slate-400">{n}"."</span>
            "If"
            <select class=format!("{SMALL} max-w-full") aria-label="Condition" bind:value=row.kind data-testid="rule-if">
                {Condition::KINDS.into_iter().map(|(k, l)| view! { <option value=k selected=move || row.kind.get_untracked() == k>{l}</option> }).collect_view()}
            </select>
            <Show when=move || kind() == "field">
                <input class=format!("{SMALL} w-28") placeholder="e.g. city" aria-label="Field" maxlength="60" bind:value=row.field data-testid="rule-field" />
                <select class=SMALL aria-label="Comparison" bind:value=row.op>
                    {FieldOp::ALL.into_iter().map(|o| view! { <option value=o.key() selected=move || row.op.get_untracked() == o.key()>{o.label()}</option> }).collect_view()}
                </select>
            </Show>
            <Show when=move || kind() != "always" && (kind() != "field" || needs_value())>
                <input class=format!("{SMALL} w-28") aria-label="Value" maxlength="200" bind:value=row.value data-testid="rule-value"
                    placeholder=move || match kind().as_str() { "source" => "google", "score_at_least" => "60", _ => "Oakland" } />
            </Show>
            "→"
            <select class=format!("{SMALL} max-w-full") aria-label="Assign to" bind:value=row.to data-testid="rule-to">
                <optgroup label="Member">
                    {members.get_value().into_iter().map(|(id, email)| {
                        let v = format!("m:{id}");
                        let v2 = v.clone();
                        view! { <option value=v selected=move || row.to.get_untracked() == v2>{email}</option> }
                    }).collect_view()}
                </optgroup>
                <optgroup label="Group, in turn">
                    {move || group_names.get().into_iter().map(|g| {
                        let v = format!("g:{g}");
                        let v2 = v.clone();
                        view! { <option value=v selected=move || row.to.get_untracked() == v2>{g}</option> }
                    }).collect_view()}
                </optgroup>
            </select>
            <span class="ml-auto flex gap-1">
                <button type="button" class="rounded p-1 text-slate-500 hover:bg-slate-100 disabled:opacity-30" aria-label="Move up" disabled=n == 1 on:click=move |_| up.run(())>"↑"</button>
                <button type="button" class="rounded p-1 text-slate-500 hover:bg-slate-100 disabled:opacity-30" aria-label="Move down" disabled=last on:click=move |_| down.run(())>"↓"</button>
                <button type="button" class="rounded p-1 text-slate-500 hover:bg-red-50 hover:text-red-700" aria-label="Remove rule" on:click=move |_| remove.run(())>"✕"</button>
            </span>
        </li>
    }
}

#[component]
fn GroupEditor(row: GroupRow, members: Vec<(UserId, String)>, remove: Callback<()>) -> impl IntoView {
    view! {
        <li class="px-5 py-3" data-testid="routing-group">
            <div class="flex items-center gap-2">
                <input class=format!("{SMALL} w-48") aria-label="Group name" maxlength="60" bind:value=row.name data-testid="group-name" />
                <button type="button" class="ml-auto rounded p-1 text-slate-500 hover:bg-red-50 hover:text-red-700" aria-label="Remove group" on:click=move |_| remove.run(())>"✕"</button>
            </div>
            <div class="mt-2 flex flex-wrap gap-x-4 gap-y-1">
                {members.into_iter().map(|(id, email)| view! {
                    <label class="flex items-center gap-1.5 text-sm text-slate-700">
                        <input type="checkbox" class="h-4 w-4 rounded border-slate-300 text-orange-600 focus:ring-orange-500"
                            prop:checked=move || row.members.with(|m| m.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                row.members.update(|m| {
                                    m.retain(|x| *x != id);
                                    if on {
                                        m.push(id);
                                    }
                                });
                            } />
                        {email}
                    </label>
                }).collect_view()}
            </div>
        </li>
    }
}
