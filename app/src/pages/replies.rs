//! Settings → Business: the business name and time zone, the wording of automatic keyword
//! replies, and the approval queue's test numbers (admins).

use crate::api::approvals::{load_test_mode, SaveTestMode};
use crate::api::conversations::{business_settings, reply_settings, SaveBusinessSettings, SaveReplySettings};
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;

fn label(key: &str) -> (&'static str, &'static str) {
    match key {
        "reply_opt_out" => ("Reply to STOP", "Sent once when someone opts out."),
        "reply_opt_in" => ("Reply to START", "Sent when someone opts back in."),
        "reply_help" => ("Reply to HELP", "Your business name, how to reach you, and how to opt out."),
        "reply_warm_lead" => ("Reply to a new warm lead", "Sent once, when a reply to a farming message makes someone a warm lead."),
        "interest_keywords" => ("Interest keywords", "Comma-separated. A reply to a farming message that starts with one of these makes a warm lead."),
        _ => ("", ""),
    }
}

#[component]
pub fn RepliesPage() -> impl IntoView {
    let save = ServerAction::<SaveReplySettings>::new();
    let data = Resource::new(move || save.version().get(), |_| reply_settings());
    view! {
        <Title text="Business" />
        <PageHeader title="Business" subtitle="Your business name and time zone, what Warmline answers to STOP, START, HELP and new warm leads, and which replies mean interest." />
        <BusinessCard />
        <TestNumbersCard />
        <h2 class="mb-3 mt-8 text-lg font-semibold text-slate-900">"Automatic replies"</h2>
        <p class="mb-3 text-sm text-slate-500">"{brand} is replaced by the business name."</p>
        <Card class="p-6">
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(values) => view! {
                            <ActionForm action=save attr:class="space-y-5">
                                {values.into_iter().map(|(key, value)| {
                                    let (title, help) = label(&key);
                                    let id = format!("reply-{key}");
                                    view! {
                                        <div>
                                            <label class=LABEL for=id.clone()>{title}</label>
                                            {if key == "interest_keywords" {
                                                view! { <input class=INPUT id=id name=key value=value required maxlength="320" /> }.into_any()
                                            } else {
                                                view! { <textarea class=INPUT id=id name=key rows="2" required maxlength="320">{value}</textarea> }.into_any()
                                            }}
                                            <p class="mt-1 text-xs text-slate-500">{help}</p>
                                        </div>
                                    }
                                }).collect_view()}
                                <div class="flex items-center gap-3">
                                    <button type="submit" class=BTN_PRIMARY disabled=move || save.pending().get()>"Save replies"</button>
                                    {move || save.value().get().map(|r| match r {
                                        Ok(()) => view! { <span class="text-sm text-emerald-700" role="status">"Saved."</span> }.into_any(),
                                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                                    })}
                                </div>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
}

#[component]
fn BusinessCard() -> impl IntoView {
    let save = ServerAction::<SaveBusinessSettings>::new();
    let data = Resource::new(move || save.version().get(), |_| business_settings());
    view! {
        <Card class="p-6">
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(b) => {
                            let mut zones: Vec<(String, String)> = warmline::org::COMMON_ZONES.iter().map(|(z, l)| (z.to_string(), l.to_string())).collect();
                            if !zones.iter().any(|(z, _)| *z == b.timezone) {
                                zones.insert(0, (b.timezone.clone(), b.timezone.clone()));
                            }
                            view! {
                                <ActionForm action=save attr:class="grid gap-5 sm:grid-cols-2">
                                    <div>
                                        <label class=LABEL for="business-name">"Business name"</label>
                                        <input class=INPUT id="business-name" name="business_name" value=b.name required maxlength=warmline::limits::TITLE />
                                        <p class="mt-1 text-xs text-slate-500">"Texts and replies name it; farming messages must include it."</p>
                                    </div>
                                    <div>
                                        <label class=LABEL for="business-timezone">"Time zone"</label>
                                        <select class=INPUT id="business-timezone" name="timezone">
                                            {zones.into_iter().map(|(z, label)| {
                                                let selected = z == b.timezone;
                                                view! { <option value=z selected=selected>{label}</option> }
                                            }).collect_view()}
                                        </select>
                                        <p class="mt-1 text-xs text-slate-500">"Daily caps and schedules count in it; quiet hours use it when a number's zone is unknown."</p>
                                    </div>
                                    <div class="flex items-center gap-3 sm:col-span-2">
                                        <button type="submit" class=BTN_PRIMARY disabled=move || save.pending().get()>"Save business"</button>
                                        {move || save.value().get().map(|r| match r {
                                            Ok(_) => view! { <span class="text-sm text-emerald-700" role="status" data-testid="business-saved">"Saved."</span> }.into_any(),
                                            Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                                        })}
                                    </div>
                                </ActionForm>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </Card>
    }
}

/// The approval queue's test mode: the team's own numbers for "Send test", and whether a batch
/// needs a test send before it can be approved.
#[component]
fn TestNumbersCard() -> impl IntoView {
    let save = ServerAction::<SaveTestMode>::new();
    let data = Resource::new(move || save.version().get(), |_| load_test_mode());
    view! {
        <h2 class="mb-3 mt-8 text-lg font-semibold text-slate-900">"Test numbers"</h2>
        <p class="mb-3 text-sm text-slate-500">"The approval queue's “Send test” texts a batch's messages to these numbers first, marked [Test], so you see exactly what customers will get."</p>
        <Card class="p-6">
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(m) => view! {
                            <ActionForm action=save attr:class="grid gap-5 sm:grid-cols-2">
                                <div>
                                    <label class=LABEL for="test-numbers">"Test numbers (one per line, up to 5)"</label>
                                    <textarea class=INPUT id="test-numbers" name="numbers" rows="3" data-testid="test-numbers" placeholder="(415) 555-0199">{m.numbers.join("\n")}</textarea>
                                </div>
                                <div class="flex items-start gap-2 pt-6">
                                    <input type="checkbox" class="mt-0.5 h-4 w-4 rounded border-slate-300 accent-orange-600" id="require-test" name="require_test" value="true" checked=m.require_test data-testid="require-test" />
                                    <label class="text-sm text-slate-700" for="require-test">
                                        "Require a test send before a batch can be approved"
                                        <span class="block text-xs text-slate-500">"A batch that was never sent as a test can't be scheduled."</span>
                                    </label>
                                </div>
                                <div class="flex items-center gap-3 sm:col-span-2">
                                    <button type="submit" class=BTN_PRIMARY data-testid="save-test-mode" disabled=move || save.pending().get()>"Save test numbers"</button>
                                    {move || save.value().get().map(|r| match r {
                                        Ok(_) => view! { <span class="text-sm text-emerald-700" role="status" data-testid="test-mode-saved">"Saved."</span> }.into_any(),
                                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                                    })}
                                </div>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
}
