//! Lead scoring: the rules (points on events and field conditions, once or each time), decay
//! for inactivity, the bands and what happens when a contact enters one; beside them, how many
//! contacts are in each band and the progress of the recompute a save starts. Live.

use crate::api::scoring::{scoring_page, SaveScoring};
use crate::components::layout::Live;
use crate::components::score::band_class;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use warmline::scoring::{Band, BandAction, Bands, Decay, FieldOp, RecomputeProgress, Rule, ScoringSettings, Trigger};
use warmline::{CampaignId, UserId};

#[component]
pub fn ScoringPage() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let save = ServerAction::<SaveScoring>::new();
    // Figures follow live events; the editor loads once, so nobody's typing is reset.
    let figures = Resource::new(move || (live.get(), save.version().get()), |_| scoring_page());
    let editor = Resource::new(|| (), |_| scoring_page());
    view! {
        <Title text="Lead scoring" />
        <PageHeader title="Lead scoring" subtitle="Points for what a contact does and tells you. The score (0–100) sorts and filters the contacts list, and a band can tag, assign or enroll." />
        <div class="grid items-start gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
            <div class="min-w-0 xl:order-2">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match figures.await {
                            Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                            Ok(o) => view! { <Figures bands=o.bands progress=o.progress /> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
            <div class="min-w-0 xl:order-1">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match editor.await {
                            Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                            Ok(o) => view! { <Editor settings=o.settings campaigns=o.campaigns members=o.members save /> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </div>
    }
}

#[component]
fn Figures(bands: Vec<(Band, i64)>, progress: Option<RecomputeProgress>) -> impl IntoView {
    let total: i64 = bands.iter().map(|(_, n)| n).sum();
    view! {
        <div class="space-y-6">
            <Card class="p-5">
                <h2 class="text-sm font-semibold text-slate-900">"Contacts by band"</h2>
                <ul class="mt-3 space-y-2" data-testid="band-counts">
                    {bands.into_iter().map(|(band, n)| {
                        let width = if total > 0 { (n * 100 / total).max(if n > 0 { 2 } else { 0 }) } else { 0 };
                        view! {
                            <li>
                                <a class="group block" href=format!("/contacts?band={}&sort=score", band.key())>
                                    <div class="flex items-center justify-between text-sm">
                                        <span class=format!("rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {}", band_class(band))>{band.label()}</span>
                                        <span class="tabular-nums text-slate-700 group-hover:text-orange-700" data-testid=format!("band-{}", band.key())>{fmt_count(n)}</span>
                                    </div>
                                    <div class="mt-1 h-1.5 rounded-full bg-slate-100"><div class="h-1.5 rounded-full bg-orange-400" style=format!("width:{width}%")></div></div>
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Card>
            <Card class="p-5">
                <h2 class="text-sm font-semibold text-slate-900">"Recompute"</h2>
                {match progress {
                    None => view! { <p class="mt-2 text-sm text-slate-500">"Scores are worked out as contacts act. Saving the rules scores everyone again."</p> }.into_any(),
                    Some(p) => {
                        let pct = p.percent();
                        let text = match p.state.as_str() {
                            "done" => format!("Done: {} contacts scored, {} changed.", fmt_count(p.done), fmt_count(p.changed)),
                            "cancelled" => "Replaced by a newer recompute.".to_string(),
                            "queued" => format!("Waiting to start ({} contacts).", fmt_count(p.total)),
                            _ => format!("{} of {} contacts…", fmt_count(p.done), fmt_count(p.total)),
                        };
                        view! {
                            <div class="mt-3" data-testid="recompute" data-state=p.state.clone()>
                                <div class="h-2 rounded-full bg-slate-100" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.to_string()>
                                    <div class=if p.finished() { "h-2 rounded-full bg-green-500" } else { "h-2 rounded-full bg-orange-500 transition-all" } style=format!("width:{pct}%")></div>
                                </div>
                                <p class="mt-2 text-sm text-slate-600" data-testid="recompute-text">{text}</p>
                                <p class="text-xs text-slate-400">"Started " <Time ms=p.created_at /></p>
                            </div>
                        }.into_any()
                    }
                }}
            </Card>
        </div>
    }
}

/// One rule as the editor holds it while someone types.
#[derive(Clone, Copy)]
struct RuleRow {
    key: u32,
    on: RwSignal<String>,
    field: RwSignal<String>,
    op: RwSignal<String>,
    value: RwSignal<String>,
    points: RwSignal<String>,
    each: RwSignal<bool>,
}

fn event_key(t: &Trigger) -> &'static str {
    match t {
        Trigger::Replied => "replied",
        Trigger::WarmLead => "warm_lead",
        Trigger::FormSubmitted => "form_submitted",
        Trigger::OptedOut => "opted_out",
        Trigger::Field { .. } => "field",
    }
}

impl RuleRow {
    fn new(key: u32, r: &Rule) -> RuleRow {
        let (field, op, value) = match &r.trigger {
            Trigger::Field { key, op, value } => (key.clone(), op.key(), value.clone()),
            _ => (String::new(), FieldOp::Is.key(), String::new()),
        };
        RuleRow {
            key,
            on: RwSignal::new(event_key(&r.trigger).to_string()),
            field: RwSignal::new(field),
            op: RwSignal::new(op.to_string()),
            value: RwSignal::new(value),
            points: RwSignal::new(r.points.to_string()),
            each: RwSignal::new(r.repeatable),
        }
    }

    fn trigger(&self) -> Trigger {
        match self.on.get_untracked().as_str() {
            "replied" => Trigger::Replied,
            "warm_lead" => Trigger::WarmLead,
            "form_submitted" => Trigger::FormSubmitted,
            "opted_out" => Trigger::OptedOut,
            _ => Trigger::Field {
                key: self.field.get_untracked().trim().to_lowercase().replace(' ', "_"),
                op: FieldOp::from_key(&self.op.get_untracked()).unwrap_or(FieldOp::Is),
                value: self.value.get_untracked(),
            },
        }
    }

    fn rule(&self) -> Result<Rule, String> {
        let trigger = self.trigger();
        let points = self.points.get_untracked().trim().replace('−', "-").parse::<i32>().map_err(|_| format!("'{}' is not a number of points", self.points.get_untracked()))?;
        Ok(Rule { repeatable: self.each.get_untracked() && trigger.can_repeat(), trigger, points })
    }
}

#[derive(Clone, Copy)]
struct ActionRow {
    key: u32,
    band: RwSignal<String>,
    tag: RwSignal<String>,
    assign: RwSignal<String>,
    enroll: RwSignal<String>,
}

impl ActionRow {
    fn new(key: u32, a: &BandAction) -> ActionRow {
        ActionRow {
            key,
            band: RwSignal::new(a.band.unwrap_or(Band::Hot).key().to_string()),
            tag: RwSignal::new(a.tag.clone().unwrap_or_default()),
            assign: RwSignal::new(a.assign_to.map(|u| u.0.to_string()).unwrap_or_default()),
            enroll: RwSignal::new(a.enroll.map(|c| c.0.to_string()).unwrap_or_default()),
        }
    }

    fn action(&self) -> BandAction {
        BandAction {
            band: Band::from_key(&self.band.get_untracked()),
            tag: Some(self.tag.get_untracked().trim().to_string()).filter(|t| !t.is_empty()),
            assign_to: self.assign.get_untracked().parse().ok().map(UserId),
            enroll: self.enroll.get_untracked().parse().ok().map(CampaignId),
        }
    }
}

fn number(s: RwSignal<String>, what: &str) -> Result<i32, String> {
    s.get_untracked().trim().parse().map_err(|_| format!("{what}: '{}' is not a whole number", s.get_untracked()))
}

/// A compact input; sized by its use (inline in a rule, or the full width of a cell).
const SMALL: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm shadow-sm focus:border-orange-500 focus:outline-none focus:ring-2 focus:ring-orange-500/30";

#[component]
fn Editor(settings: ScoringSettings, campaigns: Vec<(i64, String)>, members: Vec<(i64, String)>, save: ServerAction<SaveScoring>) -> impl IntoView {
    let next = StoredValue::new(0u32);
    let fresh = move || {
        next.update_value(|n| *n += 1);
        next.get_value()
    };
    let rules = RwSignal::new(settings.rules.iter().map(|r| RuleRow::new(fresh(), r)).collect::<Vec<_>>());
    let actions = RwSignal::new(settings.actions.iter().map(|a| ActionRow::new(fresh(), a)).collect::<Vec<_>>());
    let decay_points = RwSignal::new(settings.decay.points.to_string());
    let decay_days = RwSignal::new(settings.decay.after_days.to_string());
    let b = settings.bands;
    let (hot, warm, qualified, cold) = (RwSignal::new(b.hot.to_string()), RwSignal::new(b.warm.to_string()), RwSignal::new(b.qualified.to_string()), RwSignal::new(b.cold.to_string()));
    let problem = RwSignal::new(None::<String>);
    let (campaigns, members) = (StoredValue::new(campaigns), StoredValue::new(members));

    let collect = move || -> Result<ScoringSettings, String> {
        let rules = rules.get_untracked().iter().map(RuleRow::rule).collect::<Result<Vec<_>, _>>()?;
        let days = number(decay_days, "decay days")?;
        let s = ScoringSettings {
            rules,
            decay: Decay { points: number(decay_points, "decay points")?, after_days: u32::try_from(days).map_err(|_| "decay days cannot be negative".to_string())? },
            bands: Bands { hot: number(hot, "hot")?, warm: number(warm, "warm")?, qualified: number(qualified, "qualified")?, cold: number(cold, "cold")? },
            actions: actions.get_untracked().iter().map(ActionRow::action).collect(),
        };
        s.check()?;
        Ok(s)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match collect() {
            Err(e) => problem.set(Some(e)),
            Ok(settings) => {
                problem.set(None);
                save.dispatch(SaveScoring { settings });
            }
        }
    };
    let add_rule = move |_| {
        let row = RuleRow::new(fresh(), &Rule { trigger: Trigger::Field { key: String::new(), op: FieldOp::Is, value: String::new() }, points: 10, repeatable: false });
        rules.update(|r| r.push(row));
    };
    let add_action = move |_| {
        let row = ActionRow::new(fresh(), &BandAction { band: Some(Band::Hot), ..BandAction::default() });
        actions.update(|a| a.push(row));
    };

    view! {
        <form class="space-y-6" on:submit=submit data-testid="scoring-form">
            <Card>
                <div class="border-b border-slate-200 px-5 py-3">
                    <h2 class="text-sm font-semibold text-slate-900">"Rules"</h2>
                    <p class="text-xs text-slate-500">"Each rule adds (or with a minus, removes) points once per contact, or each time for replies and form submissions. Fields are a contact's details and custom attributes, such as budget, timeline, city or source."</p>
                </div>
                <ul class="divide-y divide-slate-100" data-testid="rules">
                    {move || rules.get().into_iter().map(|r| view! { <RuleEditor row=r remove=Callback::new(move |_| rules.update(|v| v.retain(|x| x.key != r.key))) /> }).collect_view()}
                </ul>
                <div class="border-t border-slate-100 px-5 py-3">
                    <button type="button" class=BTN_SECONDARY on:click=add_rule data-testid="add-rule">"+ Add rule"</button>
                </div>
            </Card>

            <div class="grid gap-6 lg:grid-cols-2">
                <Card class="p-5">
                    <h2 class="text-sm font-semibold text-slate-900">"Decay"</h2>
                    <p class="mt-1 text-xs text-slate-500">"Scores cool down when a contact goes quiet. 0 points turns decay off."</p>
                    <div class="mt-3 flex flex-wrap items-center gap-2 text-sm text-slate-700">
                        "Minus"
                        <input class=format!("{SMALL} w-16") type="number" min="0" max="100" aria-label="Decay points" bind:value=decay_points data-testid="decay-points" />
                        "points every"
                        <input class=format!("{SMALL} w-16") type="number" min="1" max="3650" aria-label="Decay days" bind:value=decay_days data-testid="decay-days" />
                        "days without a reply or form"
                    </div>
                </Card>
                <Card class="p-5">
                    <h2 class="text-sm font-semibold text-slate-900">"Bands"</h2>
                    <p class="mt-1 text-xs text-slate-500">"The lowest score of each band; below cold is unqualified."</p>
                    <div class="mt-3 grid grid-cols-2 gap-3">
                        {[(Band::Hot, hot), (Band::Warm, warm), (Band::Qualified, qualified), (Band::Cold, cold)].into_iter().map(|(band, v)| view! {
                            <label class="block text-xs">
                                <span class=format!("mb-1 inline-block rounded-full px-2 py-0.5 font-medium ring-1 ring-inset {}", band_class(band))>{band.label()}</span>
                                <input class=format!("{SMALL} block w-full") type="number" min="1" max="100" bind:value=v data-testid=format!("band-min-{}", band.key()) />
                            </label>
                        }).collect_view()}
                    </div>
                </Card>
            </div>

            <Card>
                <div class="border-b border-slate-200 px-5 py-3">
                    <h2 class="text-sm font-semibold text-slate-900">"When a contact enters a band"</h2>
                    <p class="text-xs text-slate-500">"Runs once, as the contact's score crosses into the band: add a tag, assign the conversation, or enroll in an active drip campaign."</p>
                </div>
                {move || if actions.with(Vec::is_empty) {
                    view! { <p class="px-5 py-4 text-sm text-slate-500">"No band actions yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="divide-y divide-slate-100" data-testid="band-actions">
                            {actions.get().into_iter().map(|a| view! {
                                <ActionEditor row=a campaigns=campaigns.get_value() members=members.get_value() remove=Callback::new(move |_| actions.update(|v| v.retain(|x| x.key != a.key))) />
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <div class="border-t border-slate-100 px-5 py-3">
                    <button type="button" class=BTN_SECONDARY on:click=add_action data-testid="add-action">"+ Add band action"</button>
                </div>
            </Card>

            <div class="flex flex-wrap items-center gap-3">
                <button type="submit" class=BTN_PRIMARY disabled=move || save.pending().get() data-testid="save-scoring">"Save and rescore everyone"</button>
                {move || problem.get().map(|p| view! { <p role="alert" class="text-sm text-red-700" data-testid="scoring-problem">{p}</p> })}
                {move || save.value().get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(_) => view! { <p class="text-sm text-green-700" data-testid="scoring-saved">"Saved. Every contact is being scored again."</p> }.into_any(),
                })}
            </div>
        </form>
    }
}

#[component]
fn RuleEditor(row: RuleRow, remove: Callback<()>) -> impl IntoView {
    let is_field = move || row.on.get() == "field";
    let can_each = move || matches!(row.on.get().as_str(), "replied" | "form_submitted");
    let needs_value = move || row.op.get() != FieldOp::Present.key();
    view! {
        <li class="flex flex-wrap items-center gap-2 px-5 py-3" data-testid="rule">
            <select class=format!("{SMALL} max-w-full") aria-label="When" bind:value=row.on data-testid="rule-on">
                {Trigger::EVENTS.into_iter().map(|(k, l)| view! { <option value=k selected=move || row.on.get_untracked() == k>{l}</option> }).collect_view()}
            </select>
            <Show when=is_field>
                <input class=format!("{SMALL} w-32") placeholder="field, e.g. budget" aria-label="Field" maxlength="60" bind:value=row.field data-testid="rule-field" />
                <select class=format!("{SMALL} max-w-full") aria-label="Condition" bind:value=row.op>
                    {FieldOp::ALL.into_iter().map(|o| view! { <option value=o.key() selected=move || row.op.get_untracked() == o.key()>{o.label()}</option> }).collect_view()}
                </select>
                <Show when=needs_value>
                    <input class=format!("{SMALL} w-32") placeholder="value" aria-label="Value" maxlength="200" bind:value=row.value data-testid="rule-value" />
                </Show>
            </Show>
            <span class="ml-auto flex items-center gap-2">
                <input class=format!("{SMALL} w-20 text-right tabular-nums") type="number" min="-100" max="100" aria-label="Points" bind:value=row.points data-testid="rule-points" />
                <span class="text-sm text-slate-500">"points"</span>
                <Show when=can_each>
                    <label class="flex items-center gap-1 whitespace-nowrap text-xs text-slate-600"><input type="checkbox" bind:checked=row.each />"each time"</label>
                </Show>
                <button type="button" class="rounded p-1 text-slate-400 hover:bg-red-50 hover:text-red-600" aria-label="Remove rule" title="Remove rule" on:click=move |_| remove.run(())>"✕"</button>
            </span>
        </li>
    }
}

#[component]
fn ActionEditor(row: ActionRow, campaigns: Vec<(i64, String)>, members: Vec<(i64, String)>, remove: Callback<()>) -> impl IntoView {
    view! {
        <li class="grid gap-2 px-5 py-3 sm:grid-cols-[8rem_1fr_1fr_1fr_auto] sm:items-center" data-testid="band-action">
            <select class=format!("{SMALL} w-full") aria-label="Band" bind:value=row.band>
                {[Band::Hot, Band::Warm, Band::Qualified, Band::Cold].into_iter().map(|b| view! { <option value=b.key() selected=move || row.band.get_untracked() == b.key()>{b.label()}</option> }).collect_view()}
            </select>
            <input class=format!("{SMALL} w-full") placeholder="add tag, e.g. call-today" aria-label="Tag" maxlength="40" bind:value=row.tag data-testid="action-tag" />
            <select class=format!("{SMALL} w-full") aria-label="Assign to" bind:value=row.assign>
                <option value="">"Don't assign"</option>
                {members.into_iter().map(|(id, email)| view! { <option value=id.to_string() selected=move || row.assign.get_untracked() == id.to_string()>{format!("Assign to {email}")}</option> }).collect_view()}
            </select>
            <select class=format!("{SMALL} w-full") aria-label="Enroll in" bind:value=row.enroll>
                <option value="">"Don't enroll"</option>
                {campaigns.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=move || row.enroll.get_untracked() == id.to_string()>{format!("Enroll in {name}")}</option> }).collect_view()}
            </select>
            <button type="button" class="justify-self-end rounded p-1 text-slate-400 hover:bg-red-50 hover:text-red-600" aria-label="Remove band action" title="Remove band action" on:click=move |_| remove.run(())>"✕"</button>
        </li>
    }
}
