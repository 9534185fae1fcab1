//! CRM basics through the REST API, on both databases: conversation status, editing and
//! deleting contacts (an opt-out outlives the contact), notes, and the pipeline.

use crate::common;
use common::{eventually, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use warmline::message::ConversationStatus;
use warmline::store::messages::{inbox, InboxFilter};

both!(
    conversations_close_snooze_and_reopen_on_a_new_message,
    contacts_are_edited_with_limits_and_unknown_fields_refused,
    deleting_an_opted_out_contact_keeps_its_opt_out,
    notes_are_added_listed_and_checked,
    the_pipeline_has_editable_stages_and_moves_contacts,
);

async fn api(app: &TestApp, key: &str, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = app.client().request(method, app.url(&format!("/api/v1{path}"))).bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn inbound(app: &TestApp, from: &str, body: &str) {
    let sid = format!("SM{}", uuid::Uuid::new_v4().simple());
    let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", &sid), ("From", from), ("To", "+14155550100"), ("Body", body)]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn contact_by_phone(app: &TestApp, phone: &str) -> Option<warmline::contact::Contact> {
    warmline::store::contacts::find_by_phone(&app.state.db, &warmline::E164::parse(phone).unwrap()).await.unwrap()
}

async fn listed(app: &TestApp, status: ConversationStatus) -> Vec<i64> {
    let me = warmline::UserId(0);
    inbox(&app.state.db, InboxFilter::All, Some(status), me, None, 100).await.unwrap().iter().map(|c| c.contact_id.0).collect()
}

async fn conversations_close_snooze_and_reopen_on_a_new_message(app: TestApp) {
    let key = app.api_key().await;
    const PHONE: &str = "+14155550901";
    inbound(&app, PHONE, "Hi, do you do gutters?").await;
    eventually("the message is stored", || async { contact_by_phone(&app, PHONE).await.is_some() }).await;
    let id = contact_by_phone(&app, PHONE).await.unwrap().id.0;
    eventually("the conversation exists", || async { listed(&app, ConversationStatus::Open).await.contains(&id) }).await;

    let (s, _) = api(&app, &key, Method::PUT, &format!("/conversations/{id}/status"), Some(json!({"status": "closed"}))).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(!listed(&app, ConversationStatus::Open).await.contains(&id));
    assert!(listed(&app, ConversationStatus::Closed).await.contains(&id));

    // A new inbound message reopens it.
    inbound(&app, PHONE, "Hello?").await;
    eventually("a new message reopens a closed conversation", || async { listed(&app, ConversationStatus::Open).await.contains(&id) }).await;

    // A snooze needs a time in the future; until then it is only under Snoozed.
    let (s, v) = api(&app, &key, Method::PUT, &format!("/conversations/{id}/status"), Some(json!({"status": "snoozed"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let later = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let (s, _) = api(&app, &key, Method::PUT, &format!("/conversations/{id}/status"), Some(json!({"status": "snoozed", "snoozed_until": later}))).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(listed(&app, ConversationStatus::Snoozed).await.contains(&id));
    assert!(!listed(&app, ConversationStatus::Open).await.contains(&id));
    // When the snooze time has passed it is open again, by itself.
    sqlx::query("UPDATE conversations SET snoozed_until = $1 WHERE contact_id = $2").bind(chrono::Utc::now().timestamp_millis() - 1000).bind(id).execute(app.state.db.pool()).await.unwrap();
    assert!(listed(&app, ConversationStatus::Open).await.contains(&id));
    assert!(!listed(&app, ConversationStatus::Snoozed).await.contains(&id));

    let (s, _) = api(&app, &key, Method::PUT, "/conversations/999999/status", Some(json!({"status": "closed"}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn contacts_are_edited_with_limits_and_unknown_fields_refused(app: TestApp) {
    let key = app.api_key().await;
    let (s, c) = api(&app, &key, Method::POST, "/contacts", Some(json!({"phone": "(212) 555-0142", "first_name": "Eve", "tags": ["old"], "attributes": {"city": "Austin"}}))).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().unwrap();
    let (s, list) = api(&app, &key, Method::POST, "/contacts", Some(json!({"phone": "(212) 555-0143", "list": "Roofing"}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let list_id = list["lists"][0]["id"].as_i64().unwrap();

    let patch = json!({"last_name": "Stone", "email": "EVE@example.com", "tags": ["VIP", "roof job"], "attributes": {"city": "Dallas", "roof_age": "12"}, "list_ids": [list_id]});
    let (s, v) = api(&app, &key, Method::PATCH, &format!("/contacts/{id}"), Some(patch)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["first_name"], "Eve", "absent fields are kept");
    assert_eq!(v["last_name"], "Stone");
    assert_eq!(v["email"], "eve@example.com");
    assert_eq!(v["tags"], json!(["roof-job", "vip"]));
    assert_eq!(v["attributes"], json!({"city": "Dallas", "roof_age": "12"}));
    assert_eq!(v["lists"][0]["name"], "Roofing");
    assert_eq!(v["phone"], "+12125550142");

    // An empty string clears; nothing else changes.
    let (s, v) = api(&app, &key, Method::PATCH, &format!("/contacts/{id}"), Some(json!({"email": ""}))).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["email"].is_null());
    assert_eq!(v["last_name"], "Stone");

    for (bad, status) in [
        (json!({"first_name": "x".repeat(101)}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"email": "not an email"}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"timezone": "Mars/Base"}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"list_ids": [987654]}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"phone": "+12125550199"}), StatusCode::BAD_REQUEST),
    ] {
        let (s, v) = api(&app, &key, Method::PATCH, &format!("/contacts/{id}"), Some(bad.clone())).await;
        assert_eq!(s, status, "{bad} → {v}");
    }
    let (s, v) = api(&app, &key, Method::GET, &format!("/contacts/{id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["last_name"], "Stone", "refused patches changed nothing");
    assert_eq!(api(&app, &key, Method::PATCH, "/contacts/999999", Some(json!({"first_name": "X"}))).await.0, StatusCode::NOT_FOUND);
}

async fn deleting_an_opted_out_contact_keeps_its_opt_out(app: TestApp) {
    let key = app.api_key().await;
    const PHONE: &str = "+14155550902";
    inbound(&app, PHONE, "Hi").await;
    inbound(&app, PHONE, "STOP").await;
    eventually("the opt-out is recorded", || async { warmline::store::consent::state(&app.state.db, contact_by_phone(&app, PHONE).await.map(|c| c.id).unwrap_or(warmline::ContactId(0))).await.map(|s| s.opted_out).unwrap_or(false) }).await;
    let id = contact_by_phone(&app, PHONE).await.unwrap().id.0;
    let (s, v) = api(&app, &key, Method::POST, &format!("/contacts/{id}/notes"), Some(json!({"body": "asked to stop"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    let (s, impact) = api(&app, &key, Method::DELETE, &format!("/contacts/{id}"), None).await;
    assert_eq!(s, StatusCode::OK, "{impact}");
    assert_eq!(impact["notes"], 1);
    assert!(impact["messages"].as_i64().unwrap() >= 2);
    assert_eq!(impact["keeps_opt_out"], true);
    assert!(contact_by_phone(&app, PHONE).await.is_none());
    assert_eq!(api(&app, &key, Method::DELETE, &format!("/contacts/{id}"), None).await.0, StatusCode::NOT_FOUND);

    // Imported again, the number comes back opted out; the send gate blocks it.
    let r = app.client().post(app.url("/api/v1/contacts/import?list=again")).bearer_auth(&key).header("content-type", "text/csv").body(format!("phone,first_name\n{PHONE},Back\n")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let again = contact_by_phone(&app, PHONE).await.unwrap();
    assert!(warmline::store::consent::state(&app.state.db, again.id).await.unwrap().opted_out, "a re-import can't message it");
    let (s, v) = api(&app, &key, Method::POST, "/messages", Some(json!({"to": PHONE, "body": "Hello again"}))).await;
    assert!(!s.is_success() || v.to_string().contains("block"), "sending to a suppressed number is blocked: {s} {v}");
    assert_eq!(app.messages(again.id).await.iter().filter(|m| m.provider_sid.is_some()).count(), 0, "nothing reached the provider");
    let history = warmline::store::consent::state(&app.state.db, again.id).await.unwrap().history;
    assert!(history.iter().any(|e| e.source == "suppression list"), "the ledger says why: {history:?}");

    // START lifts it for good: later imports and texts don't put the old opt-out back.
    inbound(&app, PHONE, "START").await;
    eventually("START opts back in", || async { !warmline::store::consent::state(&app.state.db, again.id).await.unwrap().opted_out }).await;
    let r = app.client().post(app.url("/api/v1/contacts/import?list=third")).bearer_auth(&key).header("content-type", "text/csv").body(format!("phone\n{PHONE}\n")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    inbound(&app, PHONE, "thanks").await;
    eventually("the reply is stored", || async { app.messages(again.id).await.iter().any(|m| m.body == "thanks") }).await;
    assert!(!warmline::store::consent::state(&app.state.db, again.id).await.unwrap().opted_out, "an opt-in stands");

    // A contact that never opted out leaves nothing behind.
    let (_, c) = api(&app, &key, Method::POST, "/contacts", Some(json!({"phone": "+14155550903"}))).await;
    let (_, impact) = api(&app, &key, Method::DELETE, &format!("/contacts/{}", c["id"]), None).await;
    assert_eq!(impact["keeps_opt_out"], false);
    let (_, c) = api(&app, &key, Method::POST, "/contacts", Some(json!({"phone": "+14155550903"}))).await;
    assert!(!warmline::store::consent::state(&app.state.db, warmline::ContactId(c["id"].as_i64().unwrap())).await.unwrap().opted_out);
}

async fn notes_are_added_listed_and_checked(app: TestApp) {
    let key = app.api_key().await;
    let (_, c) = api(&app, &key, Method::POST, "/contacts", Some(json!({"phone": "+14155550904"}))).await;
    let id = c["id"].as_i64().unwrap();
    for body in ["first call: wants a quote", "sent the quote"] {
        let (s, v) = api(&app, &key, Method::POST, &format!("/contacts/{id}/notes"), Some(json!({"body": body}))).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, v) = api(&app, &key, Method::GET, &format!("/contacts/{id}/notes"), None).await;
    assert_eq!(s, StatusCode::OK);
    let bodies: Vec<&str> = v.as_array().unwrap().iter().map(|n| n["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, vec!["sent the quote", "first call: wants a quote"], "newest first");
    assert_eq!(api(&app, &key, Method::POST, &format!("/contacts/{id}/notes"), Some(json!({"body": "  "}))).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api(&app, &key, Method::POST, &format!("/contacts/{id}/notes"), Some(json!({"body": "x".repeat(2001)}))).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api(&app, &key, Method::POST, "/contacts/999999/notes", Some(json!({"body": "hi"}))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(api(&app, &key, Method::GET, "/contacts/999999/notes", None).await.0, StatusCode::NOT_FOUND);
}

async fn the_pipeline_has_editable_stages_and_moves_contacts(app: TestApp) {
    let key = app.api_key().await;
    let (s, board) = api(&app, &key, Method::GET, "/pipeline", None).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = board["stages"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["New", "Contacted", "Quoted", "Won", "Lost"]);
    let stage = |name: &str| board["stages"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"].as_i64().unwrap();
    let (quoted, lost) = (stage("Quoted"), stage("Lost"));

    let (_, c) = api(&app, &key, Method::POST, "/contacts", Some(json!({"phone": "+14155550905", "first_name": "Pia"}))).await;
    let id = c["id"].as_i64().unwrap();
    assert_eq!(api(&app, &key, Method::PUT, &format!("/contacts/{id}/stage"), Some(json!({"stage_id": quoted}))).await.0, StatusCode::NO_CONTENT);
    let (_, board) = api(&app, &key, Method::GET, "/pipeline", None).await;
    let card = board["cards"].as_array().unwrap().iter().find(|c| c["contact_id"] == id).cloned().unwrap();
    assert_eq!(card["stage_id"], quoted);
    assert_eq!(card["name"], "Pia");
    assert_eq!(api(&app, &key, Method::PUT, &format!("/contacts/{id}/stage"), Some(json!({"stage_id": 987654}))).await.0, StatusCode::UNPROCESSABLE_ENTITY);

    // Stages are editable: add, rename (names stay unique), delete (its contacts leave it).
    let (s, v) = api(&app, &key, Method::POST, "/pipeline/stages", Some(json!({"name": "Scheduled"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["position"], 5);
    assert_eq!(api(&app, &key, Method::POST, "/pipeline/stages", Some(json!({"name": "Won"}))).await.0, StatusCode::CONFLICT);
    assert_eq!(api(&app, &key, Method::PATCH, &format!("/pipeline/stages/{lost}"), Some(json!({"name": "Not interested"}))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(api(&app, &key, Method::DELETE, &format!("/pipeline/stages/{quoted}"), None).await.0, StatusCode::NO_CONTENT);
    let new_stage = warmline::store::pipeline::stages(&app.state.db).await.unwrap()[0].id;
    assert_eq!(warmline::store::pipeline::stage_of(&app.state.db, warmline::ContactId(id)).await.unwrap(), Some(new_stage), "moved to the first stage, still on the board");
    let names: Vec<String> = warmline::store::pipeline::stages(&app.state.db).await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, vec!["New", "Contacted", "Won", "Not interested", "Scheduled"]);
    assert_eq!(api(&app, &key, Method::DELETE, "/pipeline/stages/987654", None).await.0, StatusCode::NOT_FOUND);
    // The OpenAPI document describes it all.
    let (_, doc) = api(&app, &key, Method::GET, "/openapi.json", None).await;
    for p in ["/contacts/{id}/notes", "/contacts/{id}/stage", "/pipeline", "/pipeline/stages/{id}", "/conversations/{id}/status"] {
        assert!(doc["paths"][p].is_object(), "{p} missing from the OpenAPI document");
    }
    assert!(doc["paths"]["/contacts/{id}"]["patch"].is_object() && doc["paths"]["/contacts/{id}"]["delete"].is_object());
}
