//! The AI writer against a fake OpenAI-compatible Chat Completions server on loopback: a good
//! answer is used; a 429 is retried once; a timeout or an answer that breaks the rules falls
//! back to the template, and the item says why.

use crate::common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use common::TestApp;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
enum Answer {
    Text(&'static str),
    Busy,
    Hang(Duration),
}

#[derive(Clone, Default)]
struct Fake {
    script: Arc<Mutex<VecDeque<Answer>>>,
    seen: Arc<Mutex<Vec<(Option<String>, Value)>>>,
}

async fn completions(State(f): State<Fake>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
    f.seen.lock().unwrap().push((auth, body.clone()));
    let next = f.script.lock().unwrap().pop_front().unwrap_or(Answer::Text("(script ran out)"));
    match next {
        Answer::Busy => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "0")], Json(json!({"error": {"message": "Rate limit reached", "type": "requests"}}))).into_response(),
        Answer::Hang(d) => {
            tokio::time::sleep(d).await;
            Json(json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "too late"}, "finish_reason": "stop"}]})).into_response()
        }
        Answer::Text(t) => Json(json!({
            "id": "chatcmpl-test", "object": "chat.completion", "created": 1_765_000_000, "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 80, "completion_tokens": 30, "total_tokens": 110}
        }))
        .into_response(),
    }
}

async fn fake(script: Vec<Answer>) -> (Fake, String) {
    let f = Fake { script: Arc::new(Mutex::new(script.into())), ..Default::default() };
    let app = Router::new().route("/v1/chat/completions", post(completions)).with_state(f.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (f, base)
}

both!(drafts_are_used_when_good_and_the_template_takes_over_when_not, a_suggested_reply_reads_the_conversation_and_falls_back_to_the_template);

async fn drafts_are_used_when_good_and_the_template_takes_over_when_not(app: TestApp) {
    let (f, base) = fake(vec![
        Answer::Text("Hi Pat0, Green Leaf misses you! Come by this week for 10% off. Reply STOP to opt out."),
        Answer::Busy,
        Answer::Text("\"Hi Pat1, it's Green Leaf: your favourite Flower is back in stock. Reply STOP to opt out.\""),
        Answer::Hang(Duration::from_secs(3)),
        Answer::Text("Hi Pat3, Green Leaf: 10% off at greenleaf.com this week! Reply STOP to opt out."),
    ])
    .await;
    let ai = common::another_instance(&app, &[("AI_BASE_URL", &base), ("AI_API_KEY", "sk-test-key"), ("AI_MODEL", "llama3.1"), ("AI_TIMEOUT_MS", "400")]).await;
    warmline::org::save_business(&ai.state.messenger, "Green Leaf", "America/New_York").await.unwrap();
    let key = ai.api_key().await;
    let zone = common::midday_zone();
    let mut csv = String::from("phone,first_name,timezone\n");
    for i in 0..4 {
        csv.push_str(&format!("+1415555{:04},Pat{i},{zone}\n", 3000 + i));
    }
    let r = ai.client().post(ai.url("/api/v1/contacts/import?list=Regulars")).bearer_auth(&key).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let list = warmline::store::lists::find_by_name(&ai.state.db, "Regulars").await.unwrap().unwrap().id;

    let template = "Hi {{ first_name }}, Green Leaf here: 10% off this week. Reply STOP to opt out.";
    let g = warmline::approvals::Generate { segment: warmline::segment::Segment::of_list(list), campaign_type: "retention".into(), name: None, template: template.into(), size: 10, window_days: 30, brief: Some("We miss them; 10% off this week".into()) };
    let out = ai.state.approvals.generate(&g, "ai").await.unwrap();
    assert_eq!(out.added, 4);
    let outcome = out.ai.expect("the AI wrote");
    assert_eq!((outcome.written, outcome.fell_back), (2, 2));

    let items = ai.state.approvals.list(None, out.batch_id, None, 10).await.unwrap();
    assert_eq!(items[0].text, "Hi Pat0, Green Leaf misses you! Come by this week for 10% off. Reply STOP to opt out.");
    assert_eq!(items[0].context["writer"], "ai");
    assert_eq!(items[1].text, "Hi Pat1, it's Green Leaf: your favourite Flower is back in stock. Reply STOP to opt out.", "retried after the 429, quotes trimmed");
    assert_eq!(items[2].text, "Hi Pat2, Green Leaf here: 10% off this week. Reply STOP to opt out.", "the template after a timeout");
    assert_eq!(items[2].context["writer"], "template");
    assert!(items[2].context["ai_fallback"].as_str().unwrap().contains("did not answer in time"));
    assert_eq!(items[3].text, "Hi Pat3, Green Leaf here: 10% off this week. Reply STOP to opt out.");
    let why = items[3].context["ai_fallback"].as_str().unwrap();
    assert!(why.contains("broke a rule") && why.contains("link"), "{why}");

    // The wire format: model, system rules and the brief; the key as a bearer token.
    let seen = f.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 5, "four contacts, one retry");
    assert_eq!(seen[0].0.as_deref(), Some("Bearer sk-test-key"));
    assert_eq!(seen[0].1["model"], "llama3.1");
    assert_eq!(seen[0].1["messages"][0]["role"], "system");
    assert!(seen[0].1["messages"][0]["content"].as_str().unwrap().contains("Green Leaf"));
    assert!(seen[0].1["messages"][1]["content"].as_str().unwrap().contains("10% off this week"));
    assert!(seen[0].1["messages"][1]["content"].as_str().unwrap().contains("Pat0"));

    // Without an AI writer, a brief is refused with a clear message.
    let err = app.state.approvals.generate(&g, "ai").await.unwrap_err().to_string();
    assert!(err.contains("AI_BASE_URL"), "{err}");
}

async fn a_suggested_reply_reads_the_conversation_and_falls_back_to_the_template(app: TestApp) {
    let (f, base) = fake(vec![
        Answer::Text("Hi Test, yes: Green Leaf is open Sunday 10 to 4."),
        Answer::Text("Hi Test, see greenleaf.com for Green Leaf's hours."),
    ])
    .await;
    let ai = common::another_instance(&app, &[("AI_BASE_URL", &base), ("AI_MODEL", "llama3.1")]).await;
    warmline::org::save_business(&ai.state.messenger, "Green Leaf", "America/New_York").await.unwrap();
    let c = ai.sendable_contact("+14155553100").await;
    let r = ai.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", "SMai1"), ("From", "+14155553100"), ("To", "+14155550100"), ("Body", "Are you open on Sunday?")]).await;
    assert_eq!(r.status(), 200);

    let draft = ai.state.approvals.suggest_reply(c).await.unwrap();
    assert_eq!((draft.writer.as_str(), draft.text.as_str(), draft.note.as_deref()), ("ai", "Hi Test, yes: Green Leaf is open Sunday 10 to 4.", None));
    // The AI saw the conversation, and no opt-out wording was asked of a reply.
    let seen = f.seen.lock().unwrap().clone();
    let asked = seen[0].1["messages"][1]["content"].as_str().unwrap().to_string();
    assert!(asked.contains("Are you open on Sunday?"), "{asked}");
    assert!(!seen[0].1["messages"][0]["content"].as_str().unwrap().contains("Reply STOP"));

    // A draft with a link breaks the rules: the template answers, and says why.
    let draft = ai.state.approvals.suggest_reply(c).await.unwrap();
    assert_eq!(draft.writer, "template");
    assert_eq!(draft.text, "Hi Test, Green Leaf here. Good question: let me check and get right back to you.");
    assert!(draft.note.unwrap().contains("link"));
    assert!(ai.messages(c).await.iter().all(|m| m.direction == warmline::message::Direction::In), "nothing was sent");
}
