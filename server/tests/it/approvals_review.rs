//! Reviewing the approval queue at scale and proving it: many items decided at once (one
//! changed meanwhile is skipped, not overwritten), test sends to the team's own numbers that
//! leave the items as they were and can be required before a batch is approved, reports over a
//! date range and their CSV exports with the audit trail, and "Suggest a reply" in the
//! conversation panel. On both databases.

use crate::common;

use common::TestApp;
use serde_json::{json, Value};
use warmline::approvals::{BulkDecision, SuggestionId, SuggestionStatus};

const TEST_PHONE: &str = "+14155550900";

fn phone(i: usize) -> String {
    format!("+1415555{:04}", 4000 + i)
}

/// `n` sendable contacts and a batch with one suggestion each; returns (batch id, item ids).
async fn batch(app: &TestApp, key: &str, n: usize) -> (i64, Vec<SuggestionId>) {
    batch_from(app, key, 0, n).await
}

/// [`batch`] for the contacts numbered `first..first + n`.
async fn batch_from(app: &TestApp, key: &str, first: usize, n: usize) -> (i64, Vec<SuggestionId>) {
    let mut items = Vec::new();
    for i in first..first + n {
        let c = app.sendable_contact(&phone(i)).await;
        items.push(json!({"contact_id": c, "text": format!("=Hi Test, Green Leaf misses you. 10% off this week. Reply STOP to opt out. ({i})")}));
    }
    let r = app.client().post(app.url("/api/v1/suggestions")).bearer_auth(key).json(&json!({"batch": {"type": "retention", "name": "Review"}, "items": items})).send().await.unwrap();
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let v: Value = r.json().await.unwrap();
    let ids = v["items"].as_array().unwrap().iter().map(|i| SuggestionId(i["id"].as_i64().unwrap())).collect();
    (v["batch_id"].as_i64().unwrap(), ids)
}

async fn status(app: &TestApp, id: SuggestionId) -> SuggestionStatus {
    app.state.approvals.get(id).await.unwrap().status
}

async fn kind_count(app: &TestApp, kind: &str) -> i64 {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM messages WHERE kind = $1").bind(kind).fetch_one(app.state.db.pool()).await.unwrap();
    sqlx::Row::get::<i64, _>(&r, "n")
}

both!(
    many_items_are_decided_at_once_and_one_changed_meanwhile_is_skipped,
    a_test_send_reaches_the_test_numbers_changes_nothing_and_can_be_required,
    reports_cover_a_date_range_and_export_as_csv_with_the_audit_trail,
    suggest_a_reply_drafts_an_answer_to_the_last_message_and_sends_nothing
);

async fn many_items_are_decided_at_once_and_one_changed_meanwhile_is_skipped(app: TestApp) {
    let key = app.api_key().await;
    let (_, ids) = batch(&app, &key, 4).await;
    let a = &app.state.approvals;
    // The queue filters by campaign type.
    for (kind, n) in [("retention", 4), ("welcome", 0)] {
        let r = app.client().get(app.url(&format!("/api/v1/suggestions?type={kind}"))).bearer_auth(&key).send().await.unwrap();
        assert_eq!(r.json::<Vec<Value>>().await.unwrap().len(), n, "{kind}");
    }
    // Someone else rejects ids[1] first: the bulk approval skips it and says why.
    a.reject(ids[1], "sam@example.com", "wrong store").await.unwrap();
    let out = a.decide_many(&[ids[0], ids[1], ids[2], ids[0]], &BulkDecision::Approve, "ana@example.com").await.unwrap();
    assert_eq!(out.done, 2, "ids[0] once (listed twice) and ids[2]");
    assert_eq!(out.skipped.len(), 1);
    assert_eq!(out.skipped[0].0, ids[1]);
    assert!(out.skipped[0].1.contains("rejected"), "{}", out.skipped[0].1);
    assert_eq!((status(&app, ids[0]).await, status(&app, ids[1]).await, status(&app, ids[2]).await), (SuggestionStatus::Approved, SuggestionStatus::Rejected, SuggestionStatus::Approved));
    assert_eq!(app.state.approvals.get(ids[0]).await.unwrap().approved_by.as_deref(), Some("ana@example.com"));
    // A bulk rejection needs a reason; with one, every item gets it in its audit trail.
    assert!(a.decide_many(&[ids[3]], &BulkDecision::Reject { reason: "  ".into() }, "ana@example.com").await.is_err());
    assert_eq!(status(&app, ids[3]).await, SuggestionStatus::Suggested);
    let out = a.decide_many(&[ids[3]], &BulkDecision::Reject { reason: "duplicate".into() }, "ana@example.com").await.unwrap();
    assert_eq!(out.done, 1);
    let history = a.history(ids[3]).await.unwrap();
    assert_eq!(history.last().map(|e| (e.kind.as_str(), e.note.as_deref())), Some(("rejected", Some("duplicate"))));
    assert!(a.decide_many(&[], &BulkDecision::Approve, "x").await.is_err());
    // Approving in bulk sends nothing: the items wait for their batch's plan.
    assert_eq!(a.send_due().await.unwrap(), 0);
    assert_eq!(kind_count(&app, "approval").await, 0);
}

async fn a_test_send_reaches_the_test_numbers_changes_nothing_and_can_be_required(app: TestApp) {
    let key = app.api_key().await;
    let (batch_id, ids) = batch(&app, &key, 4).await;
    let batch_id = warmline::approvals::SuggestionBatchId(batch_id);
    let a = &app.state.approvals;
    let region = app.state.config.default_region;
    // Without test numbers there is nothing to send to.
    let err = a.send_test(batch_id, &[], "ana@example.com").await.unwrap_err().to_string();
    assert!(err.contains("add a test number"), "{err}");
    // Numbers are checked; a bad one saves nothing.
    assert!(a.set_test_mode("(415) 555-0900\nnot a number", true, region).await.unwrap_err().to_string().contains("not a number"));
    assert!(a.set_test_mode("", true, region).await.is_err(), "requiring a test needs a number");
    let mode = a.set_test_mode("(415) 555-0900, +1 415 555 0900", true, region).await.unwrap();
    assert_eq!(mode.numbers, [TEST_PHONE], "normalised and deduplicated");
    assert_eq!(a.test_mode().await.unwrap(), mode);

    // Required and not yet tested: the batch can't be approved.
    let start = chrono::Utc::now();
    let err = a.approve_batch(batch_id, "ana@example.com", start, 0, 0).await.unwrap_err().to_string();
    assert!(err.contains("send a test"), "{err}");
    let r = app.client().post(app.url(&format!("/api/v1/suggestion-batches/{}/approve", batch_id.0))).bearer_auth(&key).json(&json!({"gap_min_minutes": 0, "gap_max_minutes": 0})).send().await.unwrap();
    assert_eq!(r.status(), 409);

    // The test: the first three waiting items, to the test number, marked as a test.
    let tester = app.sendable_contact(TEST_PHONE).await;
    let sent = a.send_test(batch_id, &[], "ana@example.com").await.unwrap();
    assert_eq!((sent.items.as_slice(), sent.sent), (&ids[..3], 3));
    let to_tester = app.messages(tester).await;
    assert_eq!(to_tester.len(), 3);
    assert!(to_tester.iter().all(|m| m.kind == warmline::message::MessageKind::ApprovalTest && m.body.starts_with("[Test] ") && !m.marketing));
    for id in &ids {
        assert_eq!(status(&app, *id).await, SuggestionStatus::Suggested, "a test changes no state");
    }
    let history = a.history(ids[0]).await.unwrap();
    assert_eq!(history.last().map(|e| (e.kind.as_str(), e.note.as_deref())), Some(("test_sent", Some("to +14155550900"))));
    assert_eq!(kind_count(&app, "approval").await, 0, "nothing went to a customer");
    // A chosen item from another batch is refused.
    let (_, other) = batch_from(&app, &key, 10, 1).await;
    assert!(a.send_test(batch_id, &other, "ana@example.com").await.is_err());

    // Tested: now it can be approved, and the plan covers every waiting item.
    let plan = a.approve_batch(batch_id, "ana@example.com", start, 0, 0).await.unwrap();
    assert_eq!(plan.len(), 4);
}

async fn reports_cover_a_date_range_and_export_as_csv_with_the_audit_trail(app: TestApp) {
    let key = app.api_key().await;
    let (batch_id, ids) = batch(&app, &key, 3).await;
    let a = &app.state.approvals;
    a.approve(ids[0], "ana@example.com", Some("Hi Test, Green Leaf here: 15% off. Reply STOP to opt out."), Some(chrono::Utc::now())).await.unwrap();
    a.reject(ids[1], "ana@example.com", "moved away").await.unwrap();
    assert_eq!(a.send_due().await.unwrap(), 1);

    let now = warmline::now_millis();
    let r = a.reports(now - 86_400_000, now + 60_000).await.unwrap();
    assert_eq!(r.by_type.len(), 1);
    assert_eq!((r.by_type[0].label.as_str(), r.by_type[0].suggested, r.by_type[0].sent, r.by_type[0].rejected), ("retention", 3, 1, 1));
    assert_eq!(r.by_batch.len(), 1);
    assert_eq!((r.by_batch[0].label.as_str(), r.by_batch[0].suggested), ("Review", 3));
    // A range before the batch has nothing; a backwards one is an error.
    assert!(a.reports(now - 2 * 86_400_000, now - 86_400_000).await.unwrap().by_type.is_empty());
    assert!(a.reports(now, now - 1).await.is_err());

    // The exports need a signed-in person.
    let anonymous = app.client().get(app.url("/app/exports/approvals-audit.csv")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401, "{:?}", anonymous.text().await);
    let admin = app.setup_admin("ana@example.com", "correct horse battery staple").await;
    let r = admin.get(app.url(&format!("/app/exports/approvals-audit.csv?batch_id={batch_id}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("approvals-audit.csv"));
    let body = r.text().await.unwrap();
    let mut rows = csv::Reader::from_reader(body.as_bytes());
    let headers = rows.headers().unwrap().clone();
    assert_eq!(&headers[7], "event");
    let events: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let kinds: Vec<&str> = events.iter().filter(|e| &e[1] == ids[0].to_string().as_str()).map(|e| e.get(7).unwrap()).collect();
    assert_eq!(kinds, ["suggested", "edited", "approved", "scheduled", "sent"]);
    let edit = events.iter().find(|e| &e[7] == "edited").unwrap();
    assert!(edit[9].starts_with("'=Hi Test"), "a formula-looking text is neutralised: {}", &edit[9]);
    assert!(edit[10].contains("15% off"));
    assert!(events.iter().any(|e| &e[7] == "rejected" && &e[11] == "moved away"));
    assert_eq!(&events[0][6], phone(0).as_str(), "phone numbers are kept as they are");

    let report = admin.get(app.url("/app/exports/approvals-report.csv")).send().await.unwrap().text().await.unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert!(lines[0].starts_with("group,name,suggested"));
    assert!(lines.iter().any(|l| l.starts_with("campaign type,retention,3,")), "{report}");
    assert!(lines.iter().any(|l| l.starts_with("batch,Review,3,")), "{report}");
    let bad = admin.get(app.url("/app/exports/approvals-report.csv?from=yesterday")).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("not a date"));
}

async fn suggest_a_reply_drafts_an_answer_to_the_last_message_and_sends_nothing(app: TestApp) {
    let c = app.sendable_contact(&phone(0)).await;
    let a = &app.state.approvals;
    let err = a.suggest_reply(c).await.unwrap_err().to_string();
    assert!(err.contains("nothing to reply to"), "{err}");
    let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", "SMq1"), ("From", &phone(0)), ("To", "+14155550100"), ("Body", "Are you open on Sunday?")]).await;
    assert_eq!(r.status(), 200);
    let before = app.messages(c).await.len();
    let draft = a.suggest_reply(c).await.unwrap();
    assert_eq!(draft.writer, "template");
    assert!(draft.text.starts_with("Hi Test, "), "{}", draft.text);
    assert!(draft.text.contains("get right back to you"), "a question gets a 'let me check': {}", draft.text);
    assert_eq!(app.messages(c).await.len(), before, "a suggestion sends nothing");
}
