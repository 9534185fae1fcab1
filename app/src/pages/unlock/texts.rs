//! The teaser, payment-link and reveal texts, editable by admins.

use crate::api::unlock::*;
use crate::components::ui::*;
use leptos::prelude::*;

#[component]
pub fn TextsCard() -> impl IntoView {
    let save = ServerAction::<SaveUnlockTemplate>::new();
    let texts = Resource::new(move || save.version().get(), |_| unlock_templates());
    view! {
        <Card class="p-4">
            <details>
                <summary class="cursor-pointer text-sm font-semibold text-slate-900">"Message texts"</summary>
                <p class="mt-2 text-sm text-slate-500">"Placeholders in double braces are filled in per provider and lead. The teaser never carries the client's details; the reveal goes out only after payment."</p>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match texts.await {
                            Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                            Ok(list) => list.into_iter().map(|(t, body)| {
                                let value = RwSignal::new(body);
                                let id = format!("text-{}", t.key());
                                view! {
                                    <div class="mt-4">
                                        <label class=LABEL for=id.clone()>{t.label()}</label>
                                        <textarea id=id class=INPUT rows="3" maxlength="1600" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
                                        <div class="mt-1 flex flex-wrap items-center justify-between gap-2">
                                            <span class="text-xs text-slate-500">{format!("Can use: {}", t.placeholders().iter().map(|p| format!("{{{{{p}}}}}")).collect::<Vec<_>>().join(" "))}</span>
                                            <div class="flex gap-2">
                                                <button type="button" class=BTN_SECONDARY on:click=move |_| value.set(t.default_text().to_string())>"Default"</button>
                                                <button type="button" class=BTN_SECONDARY disabled=move || save.pending().get()
                                                    on:click=move |_| { save.dispatch(SaveUnlockTemplate { text: t, body: value.get_untracked() }); }>"Save"</button>
                                            </div>
                                        </div>
                                    </div>
                                }
                            }).collect_view().into_any(),
                        }
                    })}
                </Transition>
                {move || save.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mt-3"><ErrorNote error=e /></div> })}
            </details>
        </Card>
    }
}

