//! Analytics end to end through the real router, on both databases: each figure of a known
//! data set against a count over the raw rows; the live counters against a rebuild after a
//! random mix of sends, out-of-order status callbacks, replies and opt-outs; the alarm that
//! pauses a drip before its next step; a contact's timeline.

use crate::campaigns::{api, count, import, launch, runner, twilio_app};
use crate::common;
use common::fake_twilio::{FakeTwilio, Reply};
use common::{eventually, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use warmline::campaign::model::CampaignStatus;

both!(
    figures_match_the_raw_rows_and_a_rebuild_after_a_random_mix,
    three_stops_pause_the_drip_before_its_next_step,
    the_timeline_tells_a_contacts_story,
    the_team_table_counts_conversations_and_the_median_first_response,
);

/// A small deterministic generator (the mix is random but the same on every run).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// The same backend, sending without a rate limit.
async fn fast(app: TestApp) -> TestApp {
    let backend = app.backend;
    drop(app);
    common::spawn_with(backend, &[("SEND_RATE_MPS", "100000")]).await.unwrap()
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    // SUM is NUMERIC on PostgreSQL, which the Any driver cannot read: cast it.
    let sql = format!("SELECT CAST(({}) AS BIGINT)", sql);
    let row = sqlx::query(&sql).fetch_one(app.state.db.pool()).await.unwrap();
    sqlx::Row::get::<Option<i64>, _>(&row, 0).unwrap_or(0)
}

async fn settled(app: &TestApp) {
    eventually("every webhook is processed", || async { warmline::store::webhooks::pending(&app.state.db, 10).await.unwrap().is_empty() }).await;
}

/// Waits until no outbound message is between the provider call and its recorded answer.
async fn in_flight_done(app: &TestApp) {
    eventually("every outbound message has the provider's answer recorded", || async {
        scalar(app, "SELECT COUNT(*) FROM messages WHERE direction = 'out' AND provider_sid IS NULL AND status IN ('queued', 'sending')").await == 0
    })
    .await;
}

async fn figures_match_the_raw_rows_and_a_rebuild_after_a_random_mix(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let fake = FakeTwilio::start().await;
    let app = twilio_app(backend, &fake).await.unwrap();
    let key = app.api_key().await;
    // A first report sets up the organisation's days, so the mix below also keeps the daily
    // counters live.
    let (s, empty) = api(&app, &key, Method::GET, "/api/v1/analytics/summary", None).await;
    assert_eq!((s, &empty["sent"]), (StatusCode::OK, &json!(0)));
    let list = import(&app, &key, "mix", 40, 0).await;
    // One refused by Twilio's API outright (a failed send that never got a SID).
    fake.script([Reply::Error { http: 400, code: 21211, message: "Invalid 'To' Phone Number" }]);
    let id = launch(&app, &key, json!([{"delay_minutes": 0, "template": "Hi {{ first_name }}, spring offer. Reply STOP to opt out."}]), list, json!({})).await;
    runner(&app).run_once().await.unwrap();
    eventually("the step went to all 40", || async { count(&app, "SELECT COUNT(*) FROM messages WHERE campaign_id = $1 AND (provider_sid IS NOT NULL OR status = 'failed')", id).await == 40 }).await;
    // A few one-off messages too, another kind, to people the drip reached.
    for (i, a) in fake.accepted().iter().take(5).enumerate() {
        let (s, v) = api(&app, &key, Method::POST, "/api/v1/messages", Some(json!({"to": a.to, "body": format!("Personal note {i}")}))).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    eventually("the one-offs are sent", || async { fake.accepted().len() == 44 }).await;
    in_flight_done(&app).await;

    // The mix: callbacks in random order (some arriving late, some repeated), errors with and
    // without carrier filtering, replies, STOPs and YESes.
    let mut rng = Lcg(42);
    let accepted = fake.accepted();
    let (mut delivered, mut undelivered, mut filtered) = (0, 0, 0);
    for a in &accepted {
        let mut callbacks: Vec<Vec<(&str, String)>> = vec![vec![("MessageStatus", "sent".into())]];
        match rng.below(10) {
            0 => {
                undelivered += 1;
                filtered += 1;
                callbacks.push(vec![("MessageStatus", "undelivered".into()), ("ErrorCode", "30007".into())]);
            }
            1 => {
                undelivered += 1;
                callbacks.push(vec![("MessageStatus", "undelivered".into()), ("ErrorCode", "30003".into())]);
            }
            2 => {} // never confirmed
            _ => {
                delivered += 1;
                callbacks.push(vec![("MessageStatus", "delivered".into())]);
            }
        }
        if rng.below(2) == 0 {
            callbacks.reverse(); // the final status first, then the stale "sent"
        }
        if rng.below(4) == 0 {
            callbacks.push(callbacks[0].clone()); // a repeat
        }
        for cb in callbacks {
            let mut params = vec![("MessageSid", a.sid.clone()), ("AccountSid", "ACtest".to_string())];
            params.extend(cb.into_iter().map(|(k, v)| (k, v)));
            let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(app.twilio_webhook("/webhooks/twilio/status", &p).await.status(), StatusCode::NO_CONTENT);
        }
    }
    let (mut replied, mut stops, mut yes) = (0, 0, 0);
    let mut people: Vec<&str> = accepted.iter().map(|a| a.to.as_str()).collect();
    people.sort();
    people.dedup();
    for (i, to) in people.into_iter().enumerate() {
        let body = match rng.below(8) {
            0 => {
                stops += 1;
                "STOP"
            }
            1 => {
                yes += 1;
                "YES"
            }
            2 | 3 => "Thanks, what's the price?",
            _ => continue,
        };
        replied += 1;
        let sid = format!("SMin{i:030}");
        let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", &sid), ("From", to), ("To", "+14155550100"), ("Body", body)]).await;
        assert_eq!(r.status(), StatusCode::OK);
        // Some contacts answer twice: only the first answer counts as their reply.
        if rng.below(5) == 0 {
            let sid = format!("SMin2{i:029}");
            app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", &sid), ("From", to), ("To", "+14155550100"), ("Body", "Hello?")]).await;
        }
    }
    settled(&app).await;
    // The automatic answers (STOP's confirmation, …) go out on their own: wait until each is
    // recorded as accepted, or the raw counts below would race them.
    in_flight_done(&app).await;
    assert!(replied > 5 && stops > 0 && delivered > 20 && undelivered > 0, "the mix covers every case: {replied} {stops} {delivered} {undelivered}");

    // The summary, over REST, against counts over the raw rows.
    let (s, sum) = api(&app, &key, Method::GET, "/api/v1/analytics/summary", None).await;
    assert_eq!(s, StatusCode::OK, "{sum}");
    let out = "FROM messages WHERE direction = 'out'";
    let raw_sent = scalar(&app, &format!("SELECT COUNT(*) {out} AND (provider_sid IS NOT NULL OR status IN ('failed', 'undelivered'))")).await;
    assert_eq!(sum["sent"], raw_sent);
    // 44 accepted and 1 refused, plus the automatic answers (STOP's confirmation, …).
    let autos = scalar(&app, &format!("SELECT COUNT(*) {out} AND kind = 'auto_reply'")).await;
    assert!(autos >= stops, "{autos} automatic answers for {stops} STOPs");
    assert_eq!(raw_sent, 45 + autos);
    assert_eq!(sum["failed"], 1);
    assert_eq!(sum["delivered"], scalar(&app, &format!("SELECT COUNT(*) {out} AND status = 'delivered'")).await);
    assert_eq!(sum["delivered"], delivered);
    assert_eq!(sum["undelivered"], undelivered);
    assert_eq!(sum["filtered"], filtered);
    assert_eq!(sum["replied"], scalar(&app, "SELECT COUNT(DISTINCT contact_id) FROM messages WHERE direction = 'in'").await, "one reply per contact messaged once");
    assert_eq!(sum["replied"], replied);
    assert_eq!(sum["opted_out"], stops);
    assert_eq!(sum["opted_out"], scalar(&app, "SELECT COUNT(DISTINCT contact_id) FROM consent_events WHERE kind = 'opt_out'").await);
    // YES makes a warm lead only in answer to farming, so none here.
    assert_eq!(sum["warm_leads"], scalar(&app, "SELECT COUNT(*) FROM warm_leads").await, "{yes} YES");
    assert_eq!(sum["segments"], scalar(&app, &format!("SELECT SUM(segments) {out} AND (provider_sid IS NOT NULL OR status IN ('failed', 'undelivered'))")).await);
    let rate = |n: &Value, d: &Value| n.as_f64().unwrap() / d.as_f64().unwrap();
    assert_eq!(sum["delivery_rate"].as_f64().unwrap(), rate(&sum["delivered"], &sum["sent"]));
    assert_eq!(sum["reply_rate"].as_f64().unwrap(), rate(&sum["replied"], &sum["sent"]));
    // Default prices: $0.0083 a segment and $0.003 a message.
    let expected_cost = (sum["segments"].as_i64().unwrap() * 8_300 + raw_sent * 3_000) as f64 / 10_000.0;
    assert!((sum["cost_cents"].as_f64().unwrap() - expected_cost).abs() < 1e-9, "{sum}");

    // Filtered by kind: the drip alone.
    let (_, drip) = api(&app, &key, Method::GET, &format!("/api/v1/analytics/summary?kind=campaign&campaign_id={}", id.0), None).await;
    assert_eq!(drip["sent"], 40);
    let (_, manual) = api(&app, &key, Method::GET, "/api/v1/analytics/summary?kind=manual", None).await;
    assert_eq!(manual["sent"], 5);
    let (s, bad) = api(&app, &key, Method::GET, "/api/v1/analytics/summary?kind=carrier-pigeon", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    // The daily series adds up to the summary.
    let (s, ts) = api(&app, &key, Method::GET, "/api/v1/analytics/timeseries?bucket=day", None).await;
    assert_eq!(s, StatusCode::OK);
    let points = ts["points"].as_array().unwrap();
    assert_eq!(points.len(), 30);
    assert_eq!(points.iter().map(|p| p["sent"].as_i64().unwrap()).sum::<i64>(), raw_sent);
    assert_eq!(points.iter().map(|p| p["opted_out"].as_i64().unwrap()).sum::<i64>(), stops);

    // The live counters, hourly and daily, are exactly what a rebuild from the raw rows gives.
    use warmline::store::stats::{all_daily_rows, all_rows};
    let (live, live_daily) = (all_rows(&app.state.db).await.unwrap(), all_daily_rows(&app.state.db).await.unwrap());
    assert!(!live_daily.is_empty());
    let rows = app.state.analytics.rebuild().await.unwrap();
    assert!(rows > 0);
    assert_eq!(live, all_rows(&app.state.db).await.unwrap());
    assert_eq!(live_daily, all_daily_rows(&app.state.db).await.unwrap());

    // Another zone: the days are summed again for it (Chicago), or the hourly counters answer
    // (Kolkata's midnight is not on the hour); the figures stay the same.
    for zone in [chrono_tz::America::Chicago, chrono_tz::Asia::Kolkata] {
        app.state.messenger.rules.set_default_zone(zone);
        let (s, again) = api(&app, &key, Method::GET, "/api/v1/analytics/summary", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(again, sum, "in {zone}");
        let days = warmline::store::stats::current_days(&app.state.db).await.unwrap().unwrap();
        assert_eq!(days.zone, zone.name());
    }
}

async fn three_stops_pause_the_drip_before_its_next_step(app: TestApp) {
    let app = fast(app).await;
    let key = app.api_key().await;
    let list = import(&app, &key, "alarm", 100, 0).await;
    let steps = json!([
        {"delay_minutes": 0, "template": "Hi {{ first_name }}, step one. Reply STOP to opt out."},
        {"delay_minutes": 60, "template": "Step two for {{ first_name }}"}
    ]);
    let id = launch(&app, &key, steps, list, json!({})).await;
    let drip = runner(&app);
    drip.run_once().await.unwrap();
    eventually("step one went to all 100", || async { count(&app, "SELECT COUNT(*) FROM messages WHERE campaign_id = $1 AND provider_sid IS NOT NULL", id).await == 100 }).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages WHERE campaign_id = $1 AND step = 1", id).await, 0, "step two has not gone yet");

    for i in 0..3 {
        let from = format!("+1415{:07}", 2_000_000 + i);
        let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", &format!("SMstop{i:028}")), ("From", &from), ("To", "+14155550100"), ("Body", "STOP")]).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    settled(&app).await;
    eventually("the campaign is paused", || async { warmline::store::campaigns::get_by_id(&app.state.db, id).await.unwrap().status == CampaignStatus::Paused }).await;

    // Step two, due now, goes to nobody while it is paused.
    sqlx::query("UPDATE enrollments SET next_at = 0, last_sent_at = last_sent_at - 7200000 WHERE campaign_id = $1 AND status = 'active'").bind(id.0).execute(app.state.db.pool()).await.unwrap();
    assert_eq!(drip.run_once().await.unwrap().claimed, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages WHERE campaign_id = $1 AND step = 1", id).await, 0);

    // The alarm over REST, with the figures that caused it; the campaign's event log says why.
    let (s, alarms) = api(&app, &key, Method::GET, "/api/v1/alarms", None).await;
    assert_eq!(s, StatusCode::OK);
    let pause = alarms["active"].as_array().unwrap().iter().find(|a| a["level"] == "Pause" && a["scope"] == "Campaign").cloned().unwrap_or_else(|| panic!("{alarms}"));
    assert_eq!(pause["scope_key"], id.0.to_string());
    assert_eq!(pause["metric"], "OptOuts");
    assert_eq!(pause["window"]["sends"], 100);
    assert_eq!(pause["window"]["opt_outs"], 2, "paused at the second STOP: 2% of 100");
    assert!(pause["label"].as_str().unwrap().contains("Test drip"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM campaign_events WHERE campaign_id = $1 AND kind = 'alarm_paused'", id).await, 1);
    // The third STOP did not pause again or raise a second pause.
    assert_eq!(alarms["active"].as_array().unwrap().iter().filter(|a| a["level"] == "Pause" && a["scope"] == "Campaign").count(), 1);

    // A person resumes it over REST: the alarm ends and step two goes to the 97 still in it.
    let (s, v) = api(&app, &key, Method::POST, &format!("/api/v1/campaigns/{}/activate", id.0), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, alarms) = api(&app, &key, Method::GET, "/api/v1/alarms", None).await;
    assert!(alarms["active"].as_array().unwrap().iter().all(|a| a["scope"] != "Campaign"), "{alarms}");
    // The runner's passes (the scheduler ticks) until step two has gone to the 97.
    eventually("step two went to the rest", || async {
        drip.run_once().await.unwrap();
        count(&app, "SELECT COUNT(*) FROM messages WHERE campaign_id = $1 AND step = 1", id).await == 97
    })
    .await;
}

async fn the_timeline_tells_a_contacts_story(app: TestApp) {
    let app = fast(app).await;
    let key = app.api_key().await;
    let list = import(&app, &key, "story", 1, 0).await;
    let id = launch(&app, &key, json!([{"delay_minutes": 0, "template": "Hi {{ first_name }}, a note from Acme. Reply STOP to opt out."}]), list, json!({})).await;
    runner(&app).run_once().await.unwrap();
    eventually("sent", || async { count(&app, "SELECT COUNT(*) FROM messages WHERE campaign_id = $1 AND provider_sid IS NOT NULL", id).await == 1 }).await;
    let phone = "+14152000000";
    app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", "SMstory000000000000000000000001"), ("From", phone), ("To", "+14155550100"), ("Body", "STOP")]).await;
    settled(&app).await;
    let contact = warmline::store::contacts::find_by_phone(&app.state.db, &warmline::E164::parse(phone).unwrap()).await.unwrap().unwrap();

    let (s, tl) = api(&app, &key, Method::GET, &format!("/api/v1/contacts/{}/timeline", contact.id.0), None).await;
    assert_eq!(s, StatusCode::OK, "{tl}");
    let kinds: Vec<&str> = tl.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    let at: Vec<i64> = tl.as_array().unwrap().iter().map(|e| e["at"].as_i64().unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] <= w[1]), "in order: {tl}");
    for k in ["imported", "list", "campaign", "message_out", "message_in", "consent"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert!(tl.as_array().unwrap().iter().any(|e| e["title"].as_str().unwrap().contains("Consent: opt out")), "{tl}");
    let (s, _) = api(&app, &key, Method::GET, "/api/v1/contacts/999999/timeline", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn the_team_table_counts_conversations_and_the_median_first_response(app: TestApp) {
    use warmline::messaging::manual::ManualSend;
    let app = fast(app).await;
    let sam = warmline::store::users::create(&app.state.db, "sam@example.com", "not a real hash", warmline::user::Role::Member).await.unwrap().id;
    let (ann, bob) = (app.sendable_contact("+14155550201").await, app.sendable_contact("+14155550202").await);
    // The days are set up first (the page was opened), so the member's day counters are kept live.
    let today = app.state.analytics.filter(&warmline::analytics::FilterInput { last_days: Some(1), ..Default::default() }).unwrap();
    assert!(app.state.analytics.team(&today).await.unwrap().is_empty());
    let inbound = |from: &'static str, sid: &'static str, body: &'static str| {
        let app = &app;
        async move {
            let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", sid), ("From", from), ("To", "+14155550100"), ("Body", body)]).await;
            assert_eq!(r.status(), StatusCode::OK);
            settled(app).await;
        }
    };
    // Ann wrote twice, the first time 90 s ago; Bob wrote 30 min ago. Sam answers both, and
    // writes to Ann once more (no answer to anything: not a response).
    inbound("+14155550201", "SMteam0000000000000000000000001", "Is this still available?").await;
    inbound("+14155550201", "SMteam0000000000000000000000002", "Hello?").await;
    inbound("+14155550202", "SMteam0000000000000000000000003", "What does it cost?").await;
    let back = |contact: warmline::ContactId, ms: i64| {
        sqlx::query("UPDATE messages SET created_at = created_at - $1 WHERE contact_id = $2 AND direction = 'in'").bind(ms).bind(contact.0).execute(app.state.db.pool())
    };
    back(ann, 90_000).await.unwrap();
    back(bob, 1_800_000).await.unwrap();
    for (who, body) in [(ann, "Yes it is!"), (bob, "It is $120."), (ann, "Also free on Friday.")] {
        app.state.messenger.send_to_contact(who, &ManualSend { body, marketing: false, by: Some(sam), idempotency_key: None }).await.unwrap();
    }
    let f = app.state.analytics.filter(&warmline::analytics::FilterInput { last_days: Some(1), ..Default::default() }).unwrap();
    let team = app.state.analytics.team(&f).await.unwrap();
    assert_eq!(team.len(), 1, "{team:?}");
    let t = &team[0];
    assert_eq!((t.member.as_str(), t.messages, t.conversations, t.responses), ("sam@example.com", 3, 2, 2));
    // The responses took about 90 s and 1,800 s: the median of two is the lower one.
    let median = t.median_response_secs.unwrap();
    assert!((90..100).contains(&median), "{median}");
    // Summed again from the messages (as after a zone change), the same.
    app.state.analytics.rebuild().await.unwrap();
    assert_eq!(app.state.analytics.team(&f).await.unwrap(), team);
    // Another member's filter has nobody.
    let f = app.state.analytics.filter(&warmline::analytics::FilterInput { last_days: Some(1), member: Some(sam.0 + 1), ..Default::default() }).unwrap();
    assert!(app.state.analytics.team(&f).await.unwrap().is_empty());
    // The CSV carries the row.
    let csv = app.state.analytics.report_csv(&warmline::analytics::Filter { member: None, ..f }).await.unwrap();
    assert!(csv.lines().any(|l| l.contains("sam@example.com,3,2,2,")), "{csv}");
}
