//! The approval queue over REST and its scheduler, on both databases: nothing is sent without
//! approval, every transition is in the audit trail, a cancel racing the due time either wins or
//! loses (never both), a restart in the middle of a plan sends nothing twice and nothing early,
//! and the queue's own limits hold when sending.

use crate::common;

use common::TestApp;
use serde_json::{json, Value};
use warmline::approvals::{SuggestionId, SuggestionStatus};
use warmline::store::suggestions;

fn phone(i: usize) -> String {
    format!("+1415555{:04}", 2000 + i)
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> reqwest::Response {
    app.client().post(app.url(path)).bearer_auth(key).json(&body).send().await.unwrap()
}

async fn get(app: &TestApp, key: &str, path: &str) -> Value {
    let r = app.client().get(app.url(path)).bearer_auth(key).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

/// `n` sendable contacts and a batch with one suggestion each; returns (batch id, item ids).
async fn batch(app: &TestApp, key: &str, n: usize) -> (i64, Vec<SuggestionId>) {
    let mut items = Vec::new();
    for i in 0..n {
        let c = app.sendable_contact(&phone(i)).await;
        items.push(json!({"contact_id": c, "text": format!("Hi Test, we miss you at Green Leaf. 10% off this week. Reply STOP to opt out. ({i})"), "context": {"days_since_visit": 60 + i}}));
    }
    let r = post(app, key, "/api/v1/suggestions", json!({"batch": {"type": "retention", "name": "Win-back"}, "items": items})).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let v: Value = r.json().await.unwrap();
    let ids = v["items"].as_array().unwrap().iter().map(|i| SuggestionId(i["id"].as_i64().unwrap())).collect();
    (v["batch_id"].as_i64().unwrap(), ids)
}

async fn sent_messages(app: &TestApp) -> i64 {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM messages WHERE kind = 'approval'").fetch_one(app.state.db.pool()).await.unwrap();
    sqlx::Row::get::<i64, _>(&r, "n")
}

async fn status(app: &TestApp, id: SuggestionId) -> SuggestionStatus {
    app.state.approvals.get(id).await.unwrap().status
}

both!(
    review_then_schedule_then_send_with_an_audit_trail,
    nothing_unapproved_is_sent_and_bad_input_creates_nothing,
    a_cancel_racing_the_due_time_either_wins_or_loses,
    a_restart_in_the_middle_of_a_plan_sends_nothing_twice_or_early,
    the_queue_keeps_its_own_per_minute_limit_and_pauses,
    generating_from_a_list_leaves_out_who_must_not_be_texted,
    segment_conditions_pick_the_right_contacts
);

async fn review_then_schedule_then_send_with_an_audit_trail(app: TestApp) {
    let key = app.api_key().await;
    let (batch_id, ids) = batch(&app, &key, 4).await;
    let listed = get(&app, &key, &format!("/api/v1/suggestions?status=suggested&batch_id={batch_id}")).await;
    assert_eq!(listed.as_array().unwrap().len(), 4);
    assert_eq!(listed[0]["context"]["days_since_visit"], 60);

    // Edit then approve one, to be sent now.
    let edited = "Hi Test, Green Leaf here: 15% off this week only. Reply STOP to opt out.";
    let r = post(&app, &key, &format!("/api/v1/suggestions/{}/approve", ids[0]), json!({"text": edited, "send_at": chrono::Utc::now().to_rfc3339()})).await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "scheduled");
    assert_eq!(v["approved_by"], "api key 'test'");
    // Reject one (a reason is required), cancel one.
    assert_eq!(post(&app, &key, &format!("/api/v1/suggestions/{}/reject", ids[1]), json!({"reason": " "})).await.status(), 422);
    let r = post(&app, &key, &format!("/api/v1/suggestions/{}/reject", ids[1]), json!({"reason": "wrong store"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(post(&app, &key, &format!("/api/v1/suggestions/{}/cancel", ids[2]), json!({})).await.status(), 200);
    // A rejected suggestion can't be approved.
    let r = post(&app, &key, &format!("/api/v1/suggestions/{}/approve", ids[1]), json!({})).await;
    assert_eq!(r.status(), 409);

    // The batch plan schedules only what is still waiting (ids[3]), in the recipient's window.
    let start = chrono::Utc::now() + chrono::Duration::days(1);
    let r = post(&app, &key, &format!("/api/v1/suggestion-batches/{batch_id}/approve"), json!({"start_at": start.to_rfc3339(), "gap_min_minutes": 1, "gap_max_minutes": 2})).await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let plan: Value = r.json().await.unwrap();
    assert_eq!(plan.as_array().unwrap().len(), 1);
    assert_eq!(plan[0]["id"], ids[3].0);
    // A scheduled item's text can't change behind the plan: re-approving it with new text is refused.
    let r = post(&app, &key, &format!("/api/v1/suggestions/{}/approve", ids[3]), json!({"text": "Changed after scheduling. Reply STOP to opt out.", "send_at": start.to_rfc3339()})).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("cancel it first"));

    // The scheduler sends the one due now, through the pipeline, and nothing else.
    assert_eq!(app.state.approvals.send_due().await.unwrap(), 1);
    let item = app.state.approvals.get(ids[0]).await.unwrap();
    assert_eq!(item.status, SuggestionStatus::Sent);
    let message = warmline::store::messages::get_by_id(&app.state.db, item.message_id.expect("message id")).await.unwrap();
    assert_eq!(message.body, edited);
    assert_eq!(sent_messages(&app).await, 1);
    assert_eq!(status(&app, ids[3]).await, SuggestionStatus::Scheduled, "tomorrow's item waits");

    // The report: before any reply the response rate is 0; a reply from the contact counts.
    let report = get(&app, &key, &format!("/api/v1/suggestion-batches/{batch_id}/report")).await;
    assert_eq!((report["suggested"].as_i64(), report["sent"].as_i64(), report["rejected"].as_i64(), report["cancelled"].as_i64()), (Some(4), Some(1), Some(1), Some(1)));
    assert_eq!(report["approved"], 2, "the one sent and the one scheduled for tomorrow");
    assert_eq!(report["response_rate"], 0.0);
    let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", "SMreply1"), ("From", &phone(0)), ("To", "+14155550100"), ("Body", "Sounds good, see you Friday")]).await;
    assert_eq!(r.status(), 200);
    let report = get(&app, &key, &format!("/api/v1/suggestion-batches/{batch_id}/report")).await;
    assert_eq!(report["replied"], 1);
    assert_eq!(report["response_rate"], 1.0);
    let by_type = get(&app, &key, "/api/v1/suggestions/report").await;
    assert_eq!(by_type[0]["label"], "retention");
    assert_eq!(by_type[0]["replied"], 1);

    let one = get(&app, &key, &format!("/api/v1/suggestions/{}", ids[0])).await;
    let kinds: Vec<&str> = one["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["suggested", "edited", "approved", "scheduled", "sent"]);
    let edit = &one["history"][1];
    assert!(edit["old_text"].as_str().unwrap().contains("10% off"));
    assert_eq!(edit["new_text"], edited);
    let rejected = get(&app, &key, &format!("/api/v1/suggestions/{}", ids[1])).await;
    assert_eq!(rejected["item"]["reason"], "wrong store");
    let b = get(&app, &key, &format!("/api/v1/suggestion-batches/{batch_id}")).await;
    assert_eq!(b["counts"], json!([["scheduled", 1], ["sent", 1], ["rejected", 1], ["cancelled", 1]]));
    let spec: Value = app.client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    for p in ["/suggestions", "/suggestions/{id}", "/suggestions/{id}/approve", "/suggestions/{id}/reject", "/suggestions/{id}/cancel", "/suggestion-batches/{id}", "/suggestion-batches/{id}/approve"] {
        assert!(spec["paths"][p].is_object(), "{p} in the OpenAPI document");
    }
}

async fn nothing_unapproved_is_sent_and_bad_input_creates_nothing(app: TestApp) {
    let key = app.api_key().await;
    let (_, ids) = batch(&app, &key, 3).await;
    // Even with a send time in the past stored by hand, a suggested item is never claimed.
    sqlx::query("UPDATE suggestions SET send_at = 0").execute(app.state.db.pool()).await.unwrap();
    assert_eq!(app.state.approvals.send_due().await.unwrap(), 0);
    assert_eq!(sent_messages(&app).await, 0);
    assert_eq!(status(&app, ids[0]).await, SuggestionStatus::Suggested);

    let before = app.state.approvals.list(None, None, None, 1000).await.unwrap().len();
    let c = app.sendable_contact(&phone(50)).await;
    for (body, why) in [
        (json!({"batch": {"type": "retention"}, "items": [{"contact_id": c, "text": "ok"}, {"phone": "+14155559999", "text": "hi"}]}), "no contact has the number"),
        (json!({"batch": {"type": "retention"}, "items": [{"contact_id": c, "text": "ok", "context": [1, 2]}]}), "context must be a JSON object"),
        (json!({"batch": {"type": "retention"}, "items": [{"contact_id": c, "text": "  "}]}), "the message is empty"),
        (json!({"batch": {"type": "10% off!"}, "items": [{"contact_id": c, "text": "ok"}]}), "is not a campaign type"),
        (json!({"batch": {"type": "retention"}, "items": []}), "at least one"),
    ] {
        let r = post(&app, &key, "/api/v1/suggestions", body).await;
        assert_eq!(r.status(), 422);
        let err = r.json::<Value>().await.unwrap()["error"].as_str().unwrap().to_string();
        assert!(err.contains(why), "{err}");
    }
    assert_eq!(app.state.approvals.list(None, None, None, 1000).await.unwrap().len(), before, "a rejected request creates nothing");
    // By phone, for a known contact.
    let r = post(&app, &key, "/api/v1/suggestions", json!({"batch": {"type": "welcome"}, "items": [{"phone": phone(50), "text": "Welcome to Green Leaf!"}]})).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["items"][0]["contact_id"], c.0);
}

async fn a_cancel_racing_the_due_time_either_wins_or_loses(app: TestApp) {
    let key = app.api_key().await;
    let (_, ids) = batch(&app, &key, 12).await;
    let now = chrono::Utc::now();
    for id in &ids {
        app.state.approvals.approve(*id, "tester", None, Some(now)).await.unwrap();
    }
    // A cancel while the scheduler holds the claim loses and says so.
    let token = "scheduler-a:1";
    let claimed = suggestions::claim_due(&app.state.db, token, warmline::now_millis(), warmline::now_millis() + 60_000, 1).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let r = post(&app, &key, &format!("/api/v1/suggestions/{}/cancel", claimed[0].0), json!({})).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("too late to cancel"));
    suggestions::release(&app.state.db, claimed[0].0, token).await.unwrap();

    // Cancels and scheduler passes at the same time: each item ends cancelled with no message,
    // or sent with exactly one. (This server's limit lets all 12 go in one minute.)
    let fast = common::another_instance(&app, &[("APPROVAL_MAX_PER_MINUTE", "100")]).await;
    let approvals = fast.state.approvals.clone();
    let sender = tokio::spawn(async move {
        let mut n = 0;
        for _ in 0..10 {
            n += approvals.send_due().await.unwrap();
        }
        n
    });
    let mut cancelled = 0;
    for id in ids.iter().rev() {
        if app.state.approvals.cancel(*id, "tester").await.is_ok() {
            cancelled += 1;
        }
    }
    let sent = sender.await.unwrap() + fast.state.approvals.send_due().await.unwrap();
    for id in &ids {
        let s = app.state.approvals.get(*id).await.unwrap();
        let key = format!("approval:{id}");
        let m = warmline::store::messages::find_by_outbox_key(&app.state.db, &key).await.unwrap();
        match s.status {
            SuggestionStatus::Cancelled => assert!(m.is_none(), "a cancelled item was sent"),
            SuggestionStatus::Sent => assert_eq!(m.map(|m| m.id), s.message_id),
            other => panic!("item {id} ended {other:?}"),
        }
    }
    assert_eq!(cancelled + sent, 12, "every item is either cancelled or sent");
    assert_eq!(sent_messages(&app).await, sent as i64);
}

async fn a_restart_in_the_middle_of_a_plan_sends_nothing_twice_or_early(app: TestApp) {
    let key = app.api_key().await;
    let (_, ids) = batch(&app, &key, 4).await;
    let now = chrono::Utc::now();
    app.state.approvals.approve(ids[0], "tester", None, Some(now)).await.unwrap();
    app.state.approvals.approve(ids[1], "tester", None, Some(now)).await.unwrap();
    app.state.approvals.approve(ids[2], "tester", None, Some(now + chrono::Duration::hours(2))).await.unwrap();
    // The stopped server claimed the two due items and handed the first to the pipeline, then
    // died before recording it.
    let dead = "stopped-server:1";
    let claimed = suggestions::claim_due(&app.state.db, dead, warmline::now_millis(), warmline::now_millis() + 3_000, 10).await.unwrap();
    assert_eq!(claimed.len(), 2, "only due items are claimed");
    let mut req = warmline::messaging::pipeline::OutboundRequest::new(claimed[0].1, claimed[0].2.clone(), warmline::message::MessageKind::Approval);
    req.key = Some(format!("approval:{}", ids[0]));
    req.wait = true;
    app.state.messenger.submit(req).await.unwrap();
    assert_eq!(sent_messages(&app).await, 1);

    // While its claim lasts, another server leaves them alone.
    let other = common::another_instance(&app, &[]).await;
    assert_eq!(other.state.approvals.send_due().await.unwrap(), 0);
    common::eventually("the claim runs out and the other server takes over", || async { other.state.approvals.send_due().await.unwrap() == 2 }).await;
    assert_eq!(sent_messages(&app).await, 2, "the item already handed over is not sent again");
    assert_eq!(status(&app, ids[0]).await, SuggestionStatus::Sent);
    assert_eq!(status(&app, ids[1]).await, SuggestionStatus::Sent);
    assert_eq!(status(&app, ids[2]).await, SuggestionStatus::Scheduled, "nothing early");
    assert_eq!(status(&app, ids[3]).await, SuggestionStatus::Suggested, "nothing unapproved");
}

async fn the_queue_keeps_its_own_per_minute_limit_and_pauses(app: TestApp) {
    let key = app.api_key().await;
    let (_, ids) = batch(&app, &key, 8).await;
    app.state.approvals.pause().await.unwrap();
    let now = chrono::Utc::now();
    for id in &ids {
        app.state.approvals.approve(*id, "tester", None, Some(now)).await.unwrap();
    }
    let planned: Vec<i64> = app.state.approvals.list(Some(SuggestionStatus::Scheduled), None, None, 100).await.unwrap().iter().map(|s| s.send_at.unwrap()).collect();
    assert_eq!(app.state.approvals.send_due().await.unwrap(), 0, "a paused queue sends nothing");
    assert_eq!(sent_messages(&app).await, 0);
    // Resuming moves the times that passed by the pause's length, keeping their spacing.
    assert_eq!(app.state.approvals.resume().await.unwrap(), 8);
    let shifted: Vec<i64> = app.state.approvals.list(Some(SuggestionStatus::Scheduled), None, None, 100).await.unwrap().iter().map(|s| s.send_at.unwrap()).collect();
    let by = shifted[0] - planned[0];
    assert!(by > 0);
    assert!(shifted.iter().zip(&planned).all(|(s, p)| s - p == by), "the spacing is kept");

    // All due at once: at most 5 a minute (the default), checked again when sending.
    sqlx::query("UPDATE suggestions SET send_at = 0 WHERE status = 'scheduled'").execute(app.state.db.pool()).await.unwrap();
    assert_eq!(app.state.approvals.send_due().await.unwrap(), 5);
    assert_eq!(app.state.approvals.send_due().await.unwrap(), 0);
    assert_eq!(sent_messages(&app).await, 5);
}

/// The template writer over a list: opted-out, flagged and recently suggested members are left
/// out and counted; the rest get the rendered text, up to the batch size.
async fn generating_from_a_list_leaves_out_who_must_not_be_texted(app: TestApp) {
    let key = app.api_key().await;
    let zone = common::midday_zone();
    let mut csv = String::from("phone,first_name,timezone\n");
    for i in 0..6 {
        csv.push_str(&format!("{},Pat{i},{zone}\n", phone(100 + i)));
    }
    let r = app.client().post(app.url("/api/v1/contacts/import?list=Regulars")).bearer_auth(&key).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let list = warmline::store::lists::find_by_name(&app.state.db, "Regulars").await.unwrap().unwrap().id;
    let ids: Vec<i64> = sqlx::query("SELECT contact_id FROM contact_lists WHERE list_id = $1 ORDER BY contact_id").bind(list.0).fetch_all(app.state.db.pool()).await.unwrap().iter().map(|r| sqlx::Row::get(r, 0)).collect();
    sqlx::query("UPDATE contacts SET opted_out = 1 WHERE id = $1").bind(ids[0]).execute(app.state.db.pool()).await.unwrap();
    sqlx::query("UPDATE contacts SET flagged = 1 WHERE id = $1").bind(ids[1]).execute(app.state.db.pool()).await.unwrap();
    let add = json!({"batch": {"type": "retention"}, "items": [{"contact_id": ids[2], "text": "Earlier suggestion"}]});
    assert_eq!(post(&app, &key, "/api/v1/suggestions", add).await.status(), 201);

    let g = warmline::approvals::Generate { segment: warmline::segment::Segment::of_list(list), campaign_type: "retention".into(), name: Some("Regulars win-back".into()), template: "Hi {{ first_name }}, 10% off at Green Leaf this week. Reply STOP to opt out.".into(), size: 2, window_days: 30, brief: None };
    let out = app.state.approvals.generate(&g, "template").await.unwrap();
    assert_eq!(out.added, 2, "the batch size caps it");
    assert_eq!((out.left_out.opted_out, out.left_out.flagged, out.left_out.recent), (1, 1, 1));
    let items = app.state.approvals.list(None, out.batch_id, None, 100).await.unwrap();
    assert_eq!(items.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(), ["Hi Pat3, 10% off at Green Leaf this week. Reply STOP to opt out.", "Hi Pat4, 10% off at Green Leaf this week. Reply STOP to opt out."]);
    assert!(items.iter().all(|s| s.status == SuggestionStatus::Suggested));
    assert_eq!(items[0].context["segment"], "list Regulars", "why this message: {}", items[0].context);
    assert_eq!(items[0].context["days_since_reply"], "never");
    // A template with an unknown field is refused before anything is made.
    let bad = warmline::approvals::Generate { template: "Hi {{ nickname }}".into(), ..g };
    assert!(app.state.approvals.generate(&bad, "template").await.is_err());
}

/// Segment conditions on fields, custom attributes (text, number, date) and engagement, the
/// same on both databases; bad values are named and a number-looking condition never fails on
/// text that isn't one.
async fn segment_conditions_pick_the_right_contacts(app: TestApp) {
    let key = app.api_key().await;
    let zone = common::midday_zone();
    let day = |n: i64| (chrono::Utc::now().date_naive() - chrono::Duration::days(n)).format("%Y-%m-%d").to_string();
    let csv = format!(
        "phone,first_name,email,tags,avg_spend,last_visit,category,timezone\n\
         {},Ana,ana@x.com,vip,42.5,{},Flower,{zone}\n\
         {},Ben,ben@y.org,vip,\"$1,200\",{},Edibles,{zone}\n\
         {},Cy,,,n/a,soon,flower,{zone}\n\
         {},Dee,dee@x.com,,,,,{zone}\n\
         {},Eve,eve@z.net,,10,,Flower,{zone}\n",
        phone(300), day(300), phone(301), day(3), phone(302), phone(303), phone(304)
    );
    let r = app.client().post(app.url("/api/v1/contacts/import?list=Seg")).bearer_auth(&key).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    // Another contact outside the list: never counted.
    app.sendable_contact(&phone(399)).await;
    let list = warmline::store::lists::find_by_name(&app.state.db, "Seg").await.unwrap().unwrap().id;
    let id_of = |i: usize| {
        let p = phone(300 + i);
        let db = app.state.db.clone();
        async move { warmline::store::contacts::find_by_phone(&db, &warmline::E164::parse(&p).unwrap()).await.unwrap().unwrap().id }
    };
    sqlx::query("UPDATE contacts SET opted_out = 1 WHERE id = $1").bind(id_of(4).await.0).execute(app.state.db.pool()).await.unwrap();
    // Ana replied 90 days ago, Ben today; Dee is a warm lead.
    for (i, body) in [(0, "see you"), (1, "thanks")] {
        let sid = format!("SMseg{i}");
        let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", sid.as_str()), ("From", &phone(300 + i)), ("To", "+14155550100"), ("Body", body)]).await;
        assert_eq!(r.status(), 200);
    }
    let old = warmline::now_millis() - 90 * 86_400_000;
    sqlx::query("UPDATE messages SET created_at = $1 WHERE provider_sid = 'SMseg0'").bind(old).execute(app.state.db.pool()).await.unwrap();
    sqlx::query("INSERT INTO warm_leads (contact_id, reply_text, replied_at) VALUES ($1, 'YES', $2)").bind(id_of(3).await.0).bind(old).execute(app.state.db.pool()).await.unwrap();

    let count = |conditions: Value| {
        let (app, key) = (&app, &key);
        async move {
            let r = post(app, key, "/api/v1/segments/count", json!({"list_id": list.0, "conditions": conditions})).await;
            assert_eq!(r.status(), 200, "{:?}", r.text().await);
            let v: Value = r.json().await.unwrap();
            (v["matching"].as_i64().unwrap(), v["textable"].as_i64().unwrap())
        }
    };
    let c = |field: &str, op: &str, value: &str| json!({"field": field, "op": op, "value": value});
    assert_eq!(count(json!([])).await, (5, 4), "the list, less Eve (opted out) when textable");
    assert_eq!(count(json!([c("attr:category", "equals", " FLOWER ")])).await.0, 3, "Ana, Cy, Eve");
    assert_eq!(count(json!([c("attr:category", "not_equals", "flower")])).await.0, 2, "Ben, Dee");
    assert_eq!(count(json!([c("email", "contains", "@X.com")])).await.0, 2, "Ana, Dee");
    assert_eq!(count(json!([c("email", "contains", "%")])).await.0, 0, "wildcards are text");
    assert_eq!(count(json!([c("email", "is_empty", "")])).await.0, 1, "Cy");
    assert_eq!(count(json!([c("attr:avg_spend", "gt", "40")])).await.0, 2, "Ana 42.5, Ben $1,200; Cy's n/a is no number");
    assert_eq!(count(json!([c("attr:avg_spend", "lt", "100")])).await.0, 2, "Ana, Eve");
    assert_eq!(count(json!([c("attr:last_visit", "before", &day(100))])).await.0, 1, "Ana; Cy's 'soon' is no date");
    assert_eq!(count(json!([c("attr:last_visit", "after", &day(100))])).await.0, 1, "Ben");
    assert_eq!(count(json!([c("attr:last_visit", "older_than_days", "30")])).await.0, 1, "Ana");
    assert_eq!(count(json!([c("attr:last_visit", "within_days", "7")])).await.0, 1, "Ben");
    assert_eq!(count(json!([c("days_since_inbound", "gt", "60")])).await.0, 4, "Ana (90 days) and the three who never replied");
    assert_eq!(count(json!([c("days_since_inbound", "lt", "60")])).await.0, 1, "Ben");
    assert_eq!(count(json!([c("days_since_inbound", "is_empty", "")])).await.0, 3, "never replied");
    assert_eq!(count(json!([c("warm_lead", "is_set", "")])).await.0, 1, "Dee");
    assert_eq!(count(json!([c("attr:category", "equals", "flower"), c("days_since_inbound", "gt", "60")])).await, (3, 2), "all must hold");
    let r = post(&app, &key, "/api/v1/segments/count", json!({"list_id": list.0, "tag": " VIP ", "conditions": [c("attr:category", "equals", "flower")]})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["matching"], 1, "tag vip and Flower: Ana");

    // Bad conditions are named, and an unknown list is refused.
    let r = post(&app, &key, "/api/v1/segments/count", json!({"conditions": [c("email", "is_set", ""), c("attr:avg_spend", "gt", "lots")]})).await;
    assert_eq!(r.status(), 422);
    let e = r.text().await.unwrap();
    assert!(e.contains("condition 2") && e.contains("give a number"), "{e}");
    assert_eq!(post(&app, &key, "/api/v1/segments/count", json!({"list_id": 999999})).await.status(), 422);
    let fields = get(&app, &key, "/api/v1/segments/fields").await;
    let attrs: Vec<&str> = fields["attributes"].as_array().unwrap().iter().map(|a| a["label"].as_str().unwrap()).collect();
    assert_eq!(attrs, ["avg_spend", "category", "last_visit"]);

    // Generating from a segment takes exactly its textable members.
    let seg: warmline::segment::Segment = serde_json::from_value(json!({"list_id": list.0, "conditions": [c("attr:category", "equals", "flower")]})).unwrap();
    let g = warmline::approvals::Generate { segment: seg, campaign_type: "retention".into(), name: None, template: "Hi {{ first_name }}, 10% off at Green Leaf. Reply STOP to opt out.".into(), size: 30, window_days: 30, brief: None };
    let out = app.state.approvals.generate(&g, "template").await.unwrap();
    assert_eq!((out.added, out.left_out.opted_out), (2, 1));
    let items = app.state.approvals.list(None, out.batch_id, None, 100).await.unwrap();
    assert_eq!(items.iter().map(|s| s.contact_name.as_str()).collect::<Vec<_>>(), ["Ana", "Cy"]);
    assert_eq!(items[0].context["segment"], "list Seg, where category is flower");
}
