//! Routing through the real router and store, on both databases: rules in priority order
//! (a field, the source), a group's available members in turn, the default round robin, an
//! away member passed over, nobody routed twice, and the assignee told live.

use crate::common;
use common::TestApp;
use reqwest::StatusCode;
use std::collections::BTreeMap;
use warmline::forms::service::Sender;
use warmline::forms::{FieldKind, FormField, NewForm};
use warmline::live::LiveEvent;
use warmline::routing::{Condition, Group, RoutingRule, RoutingSettings, Target};
use warmline::scoring::FieldOp;
use warmline::user::Role;
use warmline::{ContactId, UserId};

both!(rules_in_order_then_turns_and_the_assignee_is_told, two_routings_at_once_take_two_turns,);

async fn member(app: &TestApp, email: &str) -> UserId {
    warmline::store::users::create(&app.state.db, email, "not-a-real-hash", Role::Member).await.unwrap().id
}

async fn assignee(app: &TestApp, contact: ContactId) -> Option<UserId> {
    warmline::store::messages::assigned_to(&app.state.db, contact).await.unwrap()
}

/// Submits the test form as a lead from `city`, arriving from `source`.
async fn lead(app: &TestApp, n: u8, city: &str, source: &str) -> ContactId {
    let fields: BTreeMap<String, String> = [
        ("name", format!("Lead {n}")),
        ("phone", format!("+1415555{:04}", 100 + u32::from(n))),
        ("city", city.to_string()),
        ("consent", "yes".into()),
        ("utm_source", source.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let from = Sender { ip: format!("10.0.0.{n}"), user_agent: "test".into() };
    app.state.forms.submit("quote", &fields, &from).await.expect("submission").contact_id
}

async fn reply(app: &TestApp, sid: &str, from: &str, body: &str) {
    let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", sid), ("From", from), ("To", "+15005550006"), ("Body", body)]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn rules_in_order_then_turns_and_the_assignee_is_told(app: TestApp) {
    let (ana, bo, cy) = (member(&app, "ana@example.com").await, member(&app, "bo@example.com").await, member(&app, "cy@example.com").await);
    let fields = vec![FormField::standard(FieldKind::Name, false), FormField::standard(FieldKind::Phone, true), FormField::standard(FieldKind::City, false)];
    app.state.forms.create(&NewForm { name: "Quote".into(), slug: Some("quote".into()), fields: Some(fields), ..NewForm::default() }).await.unwrap();

    // Nothing set up: leads stay unassigned.
    let first = lead(&app, 1, "Fresno", "direct").await;
    assert_eq!(assignee(&app, first).await, None);

    let settings = RoutingSettings {
        rules: vec![
            RoutingRule { when: Condition::Field { key: "city".into(), op: FieldOp::Is, value: "Oakland".into() }, to: Target::Member { user_id: bo } },
            RoutingRule { when: Condition::Source { value: "google".into() }, to: Target::Group { group: "Sales".into() } },
        ],
        groups: vec![Group { name: "Sales".into(), members: vec![cy, ana] }],
        round_robin: true,
    };
    app.state.routing.save(&settings).await.unwrap();
    assert_eq!(app.state.routing.settings().await.unwrap(), settings);
    let mut events = app.state.messenger.events.subscribe();

    // The first rule wins over the second (an Oakland lead from Google goes to Bo).
    let oakland = lead(&app, 2, "oakland", "google").await;
    assert_eq!(assignee(&app, oakland).await, Some(bo));
    // Google leads: Sales in turn, by member id (Ana was made first).
    let mut got = Vec::new();
    for n in 3..6 {
        got.push(assignee(&app, lead(&app, n, "Fresno", "google").await).await);
    }
    assert_eq!(got, [Some(ana), Some(cy), Some(ana)]);
    // Cy steps away: Ana takes every Sales turn.
    let cy_user = warmline::store::users::get_by_id(&app.state.db, cy).await.unwrap();
    app.state.routing.set_available(&cy_user, cy, false).await.unwrap();
    assert_eq!(assignee(&app, lead(&app, 6, "Fresno", "google").await).await, Some(ana));
    // No rule matches: everyone available in turn (Cy away), by id.
    let mut rest = Vec::new();
    for n in 7..11 {
        rest.push(assignee(&app, lead(&app, n, "Fresno", "direct").await).await);
    }
    assert_eq!(rest, [Some(ana), Some(bo), Some(ana), Some(bo)]);

    // Someone writing in for the first time is routed too; a second message changes nothing.
    let walk_in = app.sendable_contact("+14155550199").await;
    reply(&app, "SMr1", "+14155550199", "Hi, do you do gutters?").await;
    let owner = assignee(&app, walk_in).await;
    assert_eq!(owner, Some(ana));
    reply(&app, "SMr2", "+14155550199", "Also windows").await;
    assert_eq!(assignee(&app, walk_in).await, owner);
    // An opt-out is nobody's lead.
    let leaving = app.sendable_contact("+14155550198").await;
    reply(&app, "SMr3", "+14155550198", "STOP").await;
    assert_eq!(assignee(&app, leaving).await, None);
    // The lead left unassigned before the rules existed keeps waiting for a person.
    assert_eq!(assignee(&app, first).await, None);

    // Each assignee was told, with the contact's name.
    let mut told = Vec::new();
    while let Ok(ev) = events.try_recv() {
        if let LiveEvent::Assigned { contact_id, user_id, name } = ev {
            told.push((contact_id, user_id, name));
        }
    }
    assert!(told.contains(&(oakland, bo, "Lead 2".to_string())), "{told:?}");
    assert_eq!(told.len(), 10, "one notice per routed contact: {told:?}");

    // The page's view: availability and open conversations per member.
    let members = app.state.routing.overview().await.unwrap().members;
    let ana_row = members.iter().find(|m| m.id == ana).unwrap();
    assert_eq!((ana_row.available, ana_row.open), (true, 6));
    assert!(!members.iter().find(|m| m.id == cy).unwrap().available);
    // A member can't put another away; an admin can.
    let ana_user = warmline::store::users::get_by_id(&app.state.db, ana).await.unwrap();
    assert!(app.state.routing.set_available(&ana_user, bo, false).await.is_err());
    // Bad rules are refused with the reason, and the saved ones are kept.
    let bad = RoutingSettings { rules: vec![RoutingRule { when: Condition::Always, to: Target::Group { group: "Nobody".into() } }], ..settings.clone() };
    assert_eq!(app.state.routing.save(&bad).await.unwrap_err().to_string(), "rule 1: there is no group 'Nobody'");
    let ghost = RoutingSettings { rules: vec![RoutingRule { when: Condition::Always, to: Target::Member { user_id: UserId(999) } }], ..settings.clone() };
    assert!(app.state.routing.save(&ghost).await.is_err());
    assert_eq!(app.state.routing.settings().await.unwrap(), settings);
}

/// Two servers routing at the same moment still go round: the turn moves only from the value
/// each one read.
async fn two_routings_at_once_take_two_turns(app: TestApp) {
    let (ana, bo) = (member(&app, "ana@example.com").await, member(&app, "bo@example.com").await);
    app.state.routing.save(&RoutingSettings { rules: vec![], groups: vec![], round_robin: true }).await.unwrap();
    for round in 0..5 {
        let a = app.sendable_contact(&format!("+1415555{:04}", 300 + round * 2)).await;
        let b = app.sendable_contact(&format!("+1415555{:04}", 301 + round * 2)).await;
        let (ra, rb) = tokio::join!(app.state.routing.route(a), app.state.routing.route(b));
        let mut got = vec![ra.unwrap().unwrap(), rb.unwrap().unwrap()];
        got.sort();
        assert_eq!(got, [ana, bo], "round {round}");
    }
}
