//! Alarm banners: what tripped (the figures), what was done, and what a person can do about
//! it. Shown on the dashboard, the analytics page and the campaign's page; live.

use crate::api::analytics::{active_alarms, AcknowledgeAlarm};
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use warmline::analytics::alarms::{Alarm, AlarmLevel, Scope};
use warmline::CampaignId;

/// The active alarms: every one, or one campaign's.
#[component]
pub fn AlarmBanners(#[prop(optional)] campaign: Option<CampaignId>) -> impl IntoView {
    let live = expect_context::<Live>().0;
    let ack = ServerAction::<AcknowledgeAlarm>::new();
    let alarms = Resource::new(move || (live.get(), ack.version().get()), move |_| active_alarms(campaign));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = alarms.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <div class="mb-6 space-y-3" data-testid="alarm-banners">
                        {list.into_iter().map(|a| view! { <AlarmBanner alarm=a ack on_campaign_page=campaign.is_some() /> }).collect_view()}
                    </div>
                })
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn AlarmBanner(alarm: Alarm, ack: ServerAction<AcknowledgeAlarm>, on_campaign_page: bool) -> impl IntoView {
    let pause = alarm.level == AlarmLevel::Pause;
    let (box_class, title) = if pause {
        ("rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900", "Sending paused to protect your number")
    } else {
        ("rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900", "Warning: rates close to what carriers suspend senders for")
    };
    let id = alarm.id;
    let link = (alarm.scope == Scope::Campaign && !on_campaign_page).then(|| format!("/campaigns/{}", alarm.scope_key));
    let what_next = if pause {
        if alarm.scope == Scope::Campaign {
            "Look at the replies and the failed messages before resuming; a person has to resume it."
        } else {
            "Every active campaign on this number was paused. Check the number's messages, then resume the campaigns one by one."
        }
    } else {
        "Nothing was stopped. If the rate keeps rising, the campaign is paused automatically."
    };
    view! {
        <div class=box_class role="status" data-testid="alarm-banner" data-level=alarm.level.as_str()>
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div class="min-w-0">
                    <p class="font-semibold">{title}</p>
                    <p class="mt-1 break-words" data-testid="alarm-headline">{alarm.headline()}</p>
                    <p class="mt-1 text-xs opacity-80">{what_next}" Raised " <Time ms=alarm.created_at /> "."</p>
                </div>
                <div class="flex shrink-0 gap-2">
                    {link.map(|href| view! { <a href=href class=BTN_SECONDARY>"Open campaign"</a> })}
                    // A paused campaign's alarm ends when a person resumes it; the rest are dismissed.
                    {(!pause || alarm.scope == Scope::Sender).then(|| view! {
                        <button type="button" class=BTN_SECONDARY data-testid="alarm-ack" on:click=move |_| { ack.dispatch(AcknowledgeAlarm { id }); }>{if pause { "Mark as handled" } else { "Dismiss" }}</button>
                    })}
                </div>
            </div>
        </div>
    }
}
