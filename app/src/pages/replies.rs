//! Settings → Replies: the wording of automatic keyword replies (admins).

use crate::api::conversations::{reply_settings, SaveReplySettings};
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;

fn label(key: &str) -> (&'static str, &'static str) {
    match key {
        "brand_name" => ("Brand name", "Used as {brand} in the replies below."),
        "reply_opt_out" => ("Reply to STOP", "Sent once when someone opts out."),
        "reply_opt_in" => ("Reply to START", "Sent when someone opts back in."),
        "reply_help" => ("Reply to HELP", "Your brand, how to reach you, and how to opt out."),
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
        <Title text="Replies" />
        <PageHeader title="Automatic replies" subtitle="What Warmline answers to STOP, START, HELP and new warm leads, and which replies mean interest. {brand} is replaced by the brand name." />
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
                                            {if key == "brand_name" || key == "interest_keywords" {
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
