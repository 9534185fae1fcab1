//! Lead scoring through the real router and store, on both databases: a contact's score follows
//! its activity (replies, a form, STOP) with the rules that produced it, a band it enters runs
//! its action, and a recompute after a rule change works through every contact under a lease,
//! judged by the clock it was given (decay).

use crate::campaigns::api;
use crate::common;
use common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::BTreeMap;
use warmline::scoring::{Band, BandAction, Decay, FieldOp, Reason, Rule, ScoringSettings, Trigger, DAY_MS};
use warmline::store::scoring as store;

both!(
    the_score_follows_activity_and_a_band_runs_its_action,
    a_recompute_covers_every_contact_under_a_lease_by_the_given_clock,
);

fn rule(trigger: Trigger, points: i32, repeatable: bool) -> Rule {
    Rule { trigger, points, repeatable }
}

fn settings() -> ScoringSettings {
    ScoringSettings {
        rules: vec![
            rule(Trigger::FormSubmitted, 30, false),
            rule(Trigger::Replied, 10, true),
            rule(Trigger::Field { key: "city".into(), op: FieldOp::Is, value: "Oakland".into() }, 25, false),
            rule(Trigger::OptedOut, -100, false),
        ],
        decay: Decay { points: 10, after_days: 30 },
        actions: vec![BandAction { band: Some(Band::Warm), tag: Some("call-today".into()), ..BandAction::default() }],
        ..ScoringSettings::default()
    }
}

async fn reply(app: &TestApp, sid: &str, from: &str, body: &str) {
    let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", sid), ("From", from), ("To", "+15005550006"), ("Body", body)]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

fn texts(reasons: &[Reason]) -> Vec<String> {
    reasons.iter().map(Reason::text).collect()
}

async fn the_score_follows_activity_and_a_band_runs_its_action(app: TestApp) {
    let key = app.api_key().await;
    app.state.scoring.save(&settings()).await.unwrap();
    let phone = "+14155550142";
    let contact = app.sendable_contact(phone).await;

    reply(&app, "SMs1", phone, "Who is this?").await;
    reply(&app, "SMs2", phone, "How much is it?").await;
    let s = app.state.scoring.of(contact).await.unwrap();
    assert_eq!((s.value, s.band), (20, Band::Cold));
    assert_eq!(texts(&s.reasons), ["+20 replied ×2"]);

    // A form from the same phone: +30, qualified. Not warm yet, so no tag.
    let (status, form) = api(&app, &key, Method::POST, "/api/v1/forms", Some(json!({"name": "Roof check", "slug": "roof", "consent_text": "I agree to texts. Reply STOP to opt out."}))).await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
    let r = app.client().post(app.url("/f/roof/submit")).json(&json!({"name": "Rosa Diaz", "phone": phone, "consent": true, "website": ""})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let s = app.state.scoring.of(contact).await.unwrap();
    assert_eq!((s.value, s.band), (50, Band::Qualified), "{:?}", texts(&s.reasons));
    assert!(!warmline::store::contacts::get_by_id(&app.state.db, contact).await.unwrap().tags.contains(&"call-today".to_string()));

    // A third reply makes 60: warm, and the band's action tags the contact.
    reply(&app, "SMs3", phone, "Tomorrow works").await;
    let s = app.state.scoring.of(contact).await.unwrap();
    assert_eq!((s.value, s.band), (60, Band::Warm));
    assert_eq!(texts(&s.reasons), ["+30 submitted a form", "+30 replied ×3"]);
    assert!(warmline::store::contacts::get_by_id(&app.state.db, contact).await.unwrap().tags.contains(&"call-today".to_string()));

    // The contacts list filters by band and sorts by score.
    let other = app.sendable_contact("+14155550199").await;
    let (status, list) = api(&app, &key, Method::GET, "/api/v1/contacts?band=warm", None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<i64> = list.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [contact.0]);
    let (_, sorted) = api(&app, &key, Method::GET, "/api/v1/contacts?sort=score", None).await;
    let ids: Vec<i64> = sorted.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [contact.0, other.0]);
    assert_eq!(sorted[0]["score"], 60);

    // STOP: −100, clamped at 0.
    reply(&app, "SMs4", phone, "STOP").await;
    let s = app.state.scoring.of(contact).await.unwrap();
    assert_eq!((s.value, s.band), (0, Band::Unqualified), "{:?}", texts(&s.reasons));
    assert!(texts(&s.reasons).contains(&"−100 opted out".to_string()));
}

async fn a_recompute_covers_every_contact_under_a_lease_by_the_given_clock(app: TestApp) {
    let db = &app.state.db;
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut attributes = BTreeMap::new();
        attributes.insert("city".to_string(), if i % 2 == 0 { "Oakland" } else { "Fresno" }.to_string());
        let new = warmline::contact::NewContact { phone: format!("+1415555{:04}", 100 + i), attributes, ..Default::default() };
        ids.push(warmline::store::contacts::create(db, &new, app.state.config.default_region).await.unwrap().id);
    }
    // Nobody has a score before the rules change.
    for id in &ids {
        assert_eq!(app.state.scoring.of(*id).await.unwrap().value, 0);
    }

    // Saving queues a job; a worker that claims it and dies leaves it to another once its
    // lease runs out, and no one takes it while the lease holds.
    let queued = app.state.scoring.save(&settings()).await.unwrap();
    assert_eq!((queued.state.as_str(), queued.total), ("queued", 5));
    let now = warmline::now_millis();
    let held = store::claim_job(db, now, now + 60_000).await.unwrap().expect("the job is claimed");
    assert_eq!(held.id, queued.id);
    assert!(app.state.scoring.run_next_job().await.unwrap().is_none(), "a held job was taken");
    sqlx::query("UPDATE score_jobs SET lease_until = $1 WHERE id = $2").bind(now - 1).bind(held.id).execute(db.pool()).await.unwrap();
    let done = app.state.scoring.run_next_job().await.unwrap().expect("the lapsed job is taken over");
    assert_eq!((done.id, done.state.as_str(), done.done, done.changed), (queued.id, "done", 5, 3));
    assert_eq!(app.state.scoring.job().await.unwrap().unwrap().finished_at.is_some(), true);
    for (i, id) in ids.iter().enumerate() {
        let s = app.state.scoring.of(*id).await.unwrap();
        assert_eq!(s.value, if i % 2 == 0 { 25 } else { 0 }, "contact {i}: {:?}", texts(&s.reasons));
    }
    assert_eq!(app.state.scoring.band_counts().await.unwrap().into_iter().find(|(b, _)| *b == Band::Cold).map(|(_, n)| n), Some(3));

    // Judged 65 days on, two decay periods have passed for everyone.
    let later = now + 65 * DAY_MS;
    app.state.scoring.recompute(later).await.unwrap();
    // Every explanation changes (the two Fresno contacts stay at 0 but now name the decay).
    let done = app.state.scoring.run_next_job().await.unwrap().unwrap();
    assert_eq!((done.done, done.changed), (5, 5));
    let s = app.state.scoring.of(ids[0]).await.unwrap();
    assert_eq!((s.value, s.band), (5, Band::Unqualified));
    assert_eq!(texts(&s.reasons), ["+25 city: Oakland", "−20 inactive 60 days"]);
    let s = app.state.scoring.of(ids[1]).await.unwrap();
    assert_eq!((s.value, texts(&s.reasons)), (0, vec!["−20 inactive 60 days".to_string()]));
    // Nothing left to do.
    assert!(app.state.scoring.run_next_job().await.unwrap().is_none());
}
