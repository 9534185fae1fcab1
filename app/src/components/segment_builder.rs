//! The segment builder: a list or a tag, plus conditions that must all hold, with a live count
//! of who matches. Reusable: a page owns a [`SegmentForm`] and reads [`SegmentForm::segment`].

use crate::api::segments::{count_segment, segment_options, SegmentChoices};
use crate::components::ui::{fmt_count, plural, INPUT, LABEL};
use crate::error::AppError;
use leptos::prelude::*;
use warmline::segment::{Condition, Field, Op, Segment, MAX_CONDITIONS};
use warmline::ListId;

/// One condition row: each part is its own signal, so typing a value does not rebuild the row.
#[derive(Clone, Copy)]
struct Row {
    id: u64,
    field: RwSignal<String>,
    op: RwSignal<String>,
    value: RwSignal<String>,
}

impl Row {
    fn condition(&self) -> Option<Condition> {
        let field = Field::parse(&self.field.get()).ok()?;
        let op = Op::parse(&self.op.get()).unwrap_or(field.ops()[0]);
        Some(Condition { field, op, value: self.value.get() })
    }
}

/// The builder's state, owned by the page that uses it.
#[derive(Clone, Copy)]
pub struct SegmentForm {
    list: RwSignal<String>,
    tag: RwSignal<String>,
    rows: RwSignal<Vec<Row>>,
    next_id: StoredValue<u64>,
}

impl Default for SegmentForm {
    fn default() -> Self {
        SegmentForm { list: RwSignal::new(String::new()), tag: RwSignal::new(String::new()), rows: RwSignal::new(Vec::new()), next_id: StoredValue::new(0) }
    }
}

impl SegmentForm {
    /// The segment as built so far (tracked).
    pub fn segment(&self) -> Segment {
        Segment {
            list_id: self.list.get().parse::<i64>().ok().map(ListId),
            tag: Some(self.tag.get()).filter(|t| !t.is_empty()),
            conditions: self.rows.get().iter().filter_map(Row::condition).collect(),
        }
    }

    /// The segment as built so far, without tracking (for event handlers).
    pub fn segment_untracked(&self) -> Segment {
        untrack(|| self.segment())
    }

    fn add(&self) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let first = Field::DaysSinceInbound;
        let row = Row { id, field: RwSignal::new(first.key()), op: RwSignal::new(first.ops()[0].key().to_string()), value: RwSignal::new("60".into()) };
        self.rows.update(|r| r.push(row));
    }

    fn remove(&self, id: u64) {
        self.rows.update(|r| r.retain(|row| row.id != id));
    }
}

/// What a value box expects for this field and operator.
fn placeholder(field: &Field, op: Op) -> &'static str {
    match op {
        Op::Before | Op::After => "YYYY-MM-DD",
        Op::OlderThanDays | Op::WithinDays => "days",
        Op::Gt | Op::Lt if matches!(field, Field::DaysSinceInbound | Field::DaysSinceOutbound) => "days",
        Op::Gt | Op::Lt => "number",
        _ => "value",
    }
}

#[component]
pub fn SegmentBuilder(form: SegmentForm) -> impl IntoView {
    let options = Resource::new(|| (), |_| segment_options());
    let segment = Memo::new(move |_| form.segment());
    // The live count: checked in the browser first, so a half-typed value says what is wrong
    // without a round trip.
    let count = Resource::new(move || segment.get(), |seg| async move {
        match seg.check() {
            Err(e) => Err(AppError::Invalid(e)),
            Ok(_) => count_segment(seg).await,
        }
    });
    let opts = move || options.get().and_then(|r| r.ok()).unwrap_or_default();
    let field_choices = move || -> Vec<Field> {
        let SegmentChoices { attributes, .. } = opts();
        Field::FIXED.into_iter().chain(attributes.into_iter().map(Field::Attribute)).collect()
    };
    view! {
        <div class="space-y-3" data-testid="segment-builder">
            <div class="grid grid-cols-1 gap-2 sm:grid-cols-2">
                <div>
                    <label class=LABEL for="segment-list">"List"</label>
                    <select id="segment-list" class=INPUT data-testid="segment-list" on:change=move |ev| form.list.set(event_target_value(&ev))>
                        <option value="" selected=move || form.list.get().is_empty()>"All contacts"</option>
                        {move || opts().lists.into_iter().map(|l| {
                            let v = l.id.to_string();
                            let v2 = v.clone();
                            view! { <option value=v selected=move || form.list.get() == v2>{l.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label class=LABEL for="segment-tag">"Tag"</label>
                    <select id="segment-tag" class=INPUT data-testid="segment-tag" on:change=move |ev| form.tag.set(event_target_value(&ev))>
                        <option value="" selected=move || form.tag.get().is_empty()>"Any tag"</option>
                        {move || opts().tags.into_iter().map(|(t, n)| {
                            let t2 = t.clone();
                            let t3 = t.clone();
                            view! { <option value=t selected=move || form.tag.get() == t2>{format!("{t3} ({})", fmt_count(n))}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="space-y-2">
                <For each=move || form.rows.get() key=|r| r.id let:row>
                    <ConditionRow row fields=Signal::derive(field_choices) on_remove=Callback::new(move |_| form.remove(row.id)) />
                </For>
                <button type="button" class="text-sm font-medium text-orange-700 hover:text-orange-600 disabled:opacity-50" data-testid="segment-add"
                    disabled=move || form.rows.with(|r| r.len() >= MAX_CONDITIONS)
                    on:click=move |_| form.add()>"+ Add condition"</button>
            </div>
            <p class="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700" role="status" aria-live="polite" data-testid="segment-count">
                <Transition fallback=|| "Counting…">
                    {move || Suspend::new(async move {
                        match count.await {
                            Err(AppError::Invalid(m)) => view! { <span class="text-red-700">{m}</span> }.into_any(),
                            Err(e) => view! { <span class="text-red-700">{e.to_string()}</span> }.into_any(),
                            Ok(c) => view! {
                                <span>
                                    <strong class="font-semibold text-slate-900">{format!("{} {}", fmt_count(c.matching), plural(c.matching, "contact matches", "contacts match"))}</strong>
                                    {format!(" · {} can be texted", fmt_count(c.textable))}
                                </span>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </p>
        </div>
    }
    .into_any()
}

#[component]
fn ConditionRow(row: Row, fields: Signal<Vec<Field>>, on_remove: Callback<()>) -> impl IntoView {
    let field = Memo::new(move |_| Field::parse(&row.field.get()).unwrap_or(Field::FirstName));
    let op = Memo::new(move |_| Op::parse(&row.op.get()).filter(|o| field.get().ops().contains(o)).unwrap_or(field.get().ops()[0]));
    view! {
        // Stacked, so it fits a narrow side column as well as a wide page.
        <div class="space-y-2 rounded-md border border-slate-200 bg-white p-2" data-testid="segment-condition">
            <div class="flex items-center gap-2">
            <select class=format!("{INPUT} min-w-0 flex-1") aria-label="Field" data-testid="condition-field"
                on:change=move |ev| {
                    let key = event_target_value(&ev);
                    // Keep the operator if the new field takes it; otherwise its first one.
                    if let Ok(f) = Field::parse(&key) {
                        if !Op::parse(&row.op.get_untracked()).is_some_and(|o| f.ops().contains(&o)) {
                            row.op.set(f.ops()[0].key().to_string());
                        }
                    }
                    row.field.set(key);
                }>
                {move || fields.get().into_iter().map(|f| {
                    let key = f.key();
                    let key2 = key.clone();
                    let label = if matches!(f, Field::Attribute(_)) { format!("{} (imported)", f.label()) } else { f.label() };
                    view! { <option value=key selected=move || row.field.get() == key2>{label}</option> }
                }).collect_view()}
            </select>
            <button type="button" class="px-2 text-lg leading-none text-slate-400 hover:text-red-700" aria-label="Remove condition" data-testid="condition-remove"
                on:click=move |_| on_remove.run(())>"×"</button>
            </div>
            <div class="flex flex-wrap items-center gap-2">
            <select class=format!("{INPUT} min-w-[9rem] flex-1") aria-label="Comparison" data-testid="condition-op" on:change=move |ev| row.op.set(event_target_value(&ev))>
                {move || {
                    let f = field.get();
                    f.ops().iter().map(|o| {
                        let o = *o;
                        view! { <option value=o.key() selected=move || op.get() == o>{o.label(f.kind())}</option> }
                    }).collect_view()
                }}
            </select>
            <Show when=move || op.get().takes_value()>
                <input class=format!("{INPUT} min-w-[6rem] flex-1") aria-label="Value" data-testid="condition-value" bind:value=row.value
                    placeholder=move || placeholder(&field.get(), op.get()) maxlength=warmline::segment::MAX_VALUE_CHARS />
            </Show>
            </div>
        </div>
    }
    .into_any()
}
