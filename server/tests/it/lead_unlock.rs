//! Lead unlock end to end on both databases, against a fake Stripe on loopback: teasers, Y, one
//! Checkout Session however many Y, the signed webhook (signatures computed here, independently
//! of the production code), duplicate and out-of-order events, mismatches, refunds after expiry
//! and beyond the buyer limit, TTL expiry, N, STOP, and client details kept out of every
//! non-admin answer.

use crate::common;

use common::fake_stripe::{FakeStripe, SECRET_KEY};
use common::{TestApp, STRIPE_WEBHOOK_SECRET};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use warmline::unlock::{LeadId, OfferState};

const CLIENT_PHONE: &str = "+14155550199";
const CLIENT_EMAIL: &str = "ann.client@example.com";

async fn app_with_stripe(backend: common::Backend) -> Option<(TestApp, FakeStripe)> {
    let stripe = FakeStripe::start().await;
    let app = common::spawn_with(backend, &[("STRIPE_PROVIDER", "stripe"), ("STRIPE_SECRET_KEY", SECRET_KEY), ("STRIPE_API_BASE", &stripe.base)]).await?;
    Some((app, stripe))
}

macro_rules! with_stripe {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (app, stripe) = super::app_with_stripe(crate::common::Backend::Sqlite).await.expect("sqlite app");
                super::$name(app, stripe).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match super::app_with_stripe(crate::common::Backend::Postgres).await {
                    Some((app, stripe)) => super::$name(app, stripe).await,
                    None => eprintln!("skipped: PostgreSQL disabled with WARMLINE_SKIP_POSTGRES=1"),
                }
            }
        }
    )+};
}

with_stripe!(
    teaser_y_pay_reveal_with_one_session_and_duplicates_ignored,
    signatures_are_checked_before_anything_is_stored,
    mismatches_alert_and_late_or_surplus_payments_are_refunded,
    n_stop_and_ttl_end_offers
);

/// `Stripe-Signature` computed here with hmac/sha2, not with Warmline's code.
fn stripe_sig(secret: &str, t: i64, body: &str) -> String {
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn event(id: &str, kind: &str, session: Value) -> String {
    let path = format!("{}/tests/it/fixtures/stripe/event_checkout_session_completed.json", env!("CARGO_MANIFEST_DIR"));
    let mut e: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    e["id"] = id.into();
    e["type"] = kind.into();
    e["created"] = chrono::Utc::now().timestamp().into();
    e["data"]["object"] = session;
    e.to_string()
}

/// The fake's session as a paid `checkout.session.completed` would carry it.
fn paid(mut session: Value, pi: &str) -> Value {
    session["status"] = "complete".into();
    session["payment_status"] = "paid".into();
    session["payment_intent"] = pi.into();
    session
}

async fn deliver(app: &TestApp, body: &str, header: &str) -> reqwest::Response {
    app.client().post(app.url("/webhooks/stripe")).header("Stripe-Signature", header).header("Content-Type", "application/json").body(body.to_string()).send().await.unwrap()
}

async fn send_event(app: &TestApp, body: &str) -> reqwest::Response {
    let t = chrono::Utc::now().timestamp();
    deliver(app, body, &format!("t={t},v1={}", stripe_sig(STRIPE_WEBHOOK_SECRET, t, body))).await
}

async fn api(app: &TestApp, key: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut r = app.client().request(method, app.url(path)).bearer_auth(key);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A provider whose local time is midday (quiet hours never hold its teaser in a test).
async fn provider(app: &TestApp, key: &str, name: &str, phone: &str) -> i64 {
    let (s, p) = api(app, key, reqwest::Method::POST, "/api/v1/providers", Some(json!({"name": name, "phone": phone, "cities": ["Austin"], "service_types": ["roofing"]}))).await;
    assert_eq!(s, 201, "{p}");
    sqlx::query("UPDATE contacts SET timezone = $1 WHERE id = $2").bind(common::midday_zone()).bind(p["contact_id"].as_i64().unwrap()).execute(app.state.db.pool()).await.unwrap();
    p["id"].as_i64().unwrap()
}

async fn lead(app: &TestApp, key: &str, providers: &[i64], extra: Value) -> (LeadId, Value) {
    let mut body = json!({
        "city": "Austin", "service_type": "roofing", "preferred_time_window": "this week", "budget_range": "$5-10k",
        "notes_snippet": "Leaking roof", "client_name": "Ann Client", "client_phone": CLIENT_PHONE, "client_email": CLIENT_EMAIL,
        "exact_address": "12 Elm Street", "provider_ids": providers, "config": {"price_cents": 2000, "currency": "usd", "ttl_hours": 24}
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (s, v) = api(app, key, reqwest::Method::POST, "/api/v1/leads", Some(body)).await;
    assert_eq!(s, 201, "{v}");
    (LeadId::parse(v["lead"]["id"].as_str().unwrap()).unwrap(), v)
}

async fn reply(app: &TestApp, sid: &str, from: &str, body: &str) {
    let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", sid), ("From", from), ("To", "+14155550100"), ("Body", body)]).await;
    assert!(r.status().is_success(), "{}", r.status());
}

async fn offer(app: &TestApp, lead: &LeadId, provider: i64) -> warmline::unlock::Offer {
    app.state.unlock.view(lead).await.unwrap().offers.into_iter().find(|o| o.provider_id.0 == provider).expect("offer")
}

async fn bodies(app: &TestApp, provider: i64, kind: &str) -> Vec<String> {
    let p = app.state.unlock.provider(warmline::ProviderId(provider)).await.unwrap();
    app.messages(p.contact_id).await.into_iter().filter(|m| m.kind.as_str() == kind).map(|m| m.body).collect()
}

async fn admin_key(app: &TestApp) -> String {
    app.setup_admin("boss@example.com", "long enough password").await;
    let r = sqlx::query("SELECT id FROM users LIMIT 1").fetch_one(app.state.db.pool()).await.unwrap();
    let id: i64 = sqlx::Row::get(&r, "id");
    warmline::store::api_keys::create(&app.state.db, "admin", Some(warmline::UserId(id))).await.unwrap().1
}

async fn teaser_y_pay_reveal_with_one_session_and_duplicates_ignored(app: TestApp, stripe: FakeStripe) {
    let key = app.api_key().await;
    let bob = provider(&app, &key, "Bob Roofer", "+14155550121").await;
    let cat = provider(&app, &key, "Cat Roofs", "+14155550122").await;
    let (id, created) = lead(&app, &key, &[bob, cat], json!({})).await;
    let text = created.to_string();
    assert!(!text.contains("Ann Client") && !text.contains("4155550199") && !text.contains(CLIENT_EMAIL) && !text.contains("Elm"), "no client details in the answer: {text}");
    assert!(created["offers"].as_array().unwrap().iter().all(|o| o["state"] == "AWAIT_CONFIRM"), "{created}");

    // Teasers in both threads, with public facts only.
    for p in [bob, cat] {
        let t = bodies(&app, p, "lead_offer").await;
        assert_eq!(t.len(), 1);
        assert!(t[0].contains(id.as_str()) && t[0].contains("Austin") && t[0].contains("$20") && !t[0].contains("Ann"), "{}", t[0]);
    }

    // Locked fields: absent without include_locked, refused for a non-admin key, shown to an admin key.
    let (s, v) = api(&app, &key, reqwest::Method::GET, &format!("/api/v1/leads/{id}"), None).await;
    assert_eq!(s, 200);
    assert!(!v.to_string().contains("Ann Client") && v.get("locked").is_none());
    let (s, _) = api(&app, &key, reqwest::Method::GET, &format!("/api/v1/leads/{id}?include_locked=true"), None).await;
    assert_eq!(s, 403);
    let admin = admin_key(&app).await;
    let (s, v) = api(&app, &admin, reqwest::Method::GET, &format!("/api/v1/leads/{id}?include_locked=true"), None).await;
    assert_eq!(s, 200);
    assert_eq!(v["locked"]["client_phone"], CLIENT_PHONE);
    // Nothing readable at rest.
    let r = sqlx::query("SELECT locked FROM leads").fetch_one(app.state.db.pool()).await.unwrap();
    let locked: String = sqlx::Row::get(&r, "locked");
    assert!(!locked.contains("Ann") && !locked.contains("4155550199"));

    // Y, then Y again: one Checkout Session, created with the offer's price and metadata.
    reply(&app, "SMy1", "+14155550121", "Y").await;
    reply(&app, "SMy2", "+14155550121", "yes").await;
    assert_eq!(stripe.sessions_created(), 1, "two Y create one session");
    let calls = stripe.calls("/v1/checkout/sessions");
    let first = &calls[0];
    let bob_offer = offer(&app, &id, bob).await;
    assert_eq!(first.field("line_items[0][price_data][unit_amount]"), Some("2000"));
    assert_eq!(first.field("line_items[0][price_data][currency]"), Some("usd"));
    assert_eq!(first.field("metadata[lead_id]"), Some(id.as_str()));
    assert_eq!(first.field("client_reference_id"), Some(bob_offer.id.to_string().as_str()));
    assert!(first.idempotency_key.as_deref().is_some_and(|k| k.contains(&bob_offer.id.to_string())));
    assert_eq!(bob_offer.state, OfferState::AwaitingPayment);
    let session_id = bob_offer.checkout_session_id.clone().unwrap();
    let links = bodies(&app, bob, "lead_unlock").await;
    assert_eq!(links.len(), 2, "the link, and the same link again for the second Y");
    assert!(links.iter().all(|l| l.contains(&format!("https://checkout.stripe.com/c/pay/{session_id}"))));
    assert!(links.iter().all(|l| !l.contains("Ann")), "no details before payment");

    // Payment confirmed: the reveal goes out; the same event again does nothing.
    let body = event("evt_paid_1", "checkout.session.completed", paid(stripe.session(&session_id), "pi_bob_1"));
    let r = send_event(&app, &body).await;
    assert_eq!(r.status(), 200);
    let o = offer(&app, &id, bob).await;
    assert_eq!(o.state, OfferState::RevealDetailsSent, "{o:?}");
    assert_eq!(o.payment_intent.as_deref(), Some("pi_bob_1"));
    let r = send_event(&app, &body).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["duplicate"], true);
    let reveals: Vec<String> = bodies(&app, bob, "lead_unlock").await.into_iter().filter(|b| b.contains("Ann Client")).collect();
    assert_eq!(reveals.len(), 1, "one reveal");
    assert!(reveals[0].contains("(415) 555-0199") || reveals[0].contains("4155550199"), "{}", reveals[0]);
    assert!(reveals[0].contains("We do not arrange or guarantee appointments"));
    // An `expired` after the `completed` changes nothing.
    let r = send_event(&app, &event("evt_exp_late", "checkout.session.expired", stripe.session(&session_id))).await;
    assert_eq!(r.status(), 200);
    assert_eq!(offer(&app, &id, bob).await.state, OfferState::RevealDetailsSent);
    // The simulated carrier delivers the reveal; the next pass finishes the offer.
    common::eventually("the reveal is delivered and the offer done", || async {
        app.state.unlock.tick().await.unwrap();
        offer(&app, &id, bob).await.state == OfferState::Done
    })
    .await;
    // Cat never saw the details.
    assert!(bodies(&app, cat, "lead_unlock").await.is_empty());
    let (_, v) = api(&app, &key, reqwest::Method::GET, &format!("/api/v1/leads/{id}"), None).await;
    assert_eq!(v["revenue_cents"], 2000);
    let kinds: Vec<&str> = v["timeline"].as_array().unwrap().iter().filter(|e| e["offer_id"] == json!(o.id.0)).map(|e| e["kind"].as_str().unwrap()).collect();
    for k in ["NEW_LEAD", "TEASER_SENT", "AWAIT_CONFIRM", "CHECK_EXISTING_PAYMENT", "CREATE_PAYMENT_LINK", "PAYMENT_LINK_SENT", "AWAITING_PAYMENT", "PAID", "REVEAL_DETAILS_SENT", "DONE"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
}

async fn signatures_are_checked_before_anything_is_stored(app: TestApp, _stripe: FakeStripe) {
    let body = event("evt_sig", "checkout.session.expired", json!({"id": "cs_x", "object": "checkout.session", "payment_status": "unpaid", "livemode": false, "expires_at": 1}));
    let t = chrono::Utc::now().timestamp();
    let good = stripe_sig(STRIPE_WEBHOOK_SECRET, t, &body);
    let wrong = stripe_sig("whsec_wrong", t, &body);
    let cases = [
        ("wrong secret", format!("t={t},v1={wrong}"), body.clone()),
        ("v0 only", format!("t={t},v0={good}"), body.clone()),
        ("too old", format!("t={},v1={}", t - 301, stripe_sig(STRIPE_WEBHOOK_SECRET, t - 301, &body)), body.clone()),
        ("body changed", format!("t={t},v1={good}"), body.replace("evt_sig", "evt_sig2")),
        ("no header", String::new(), body.clone()),
    ];
    for (what, header, b) in cases {
        let r = deliver(&app, &b, &header).await;
        assert_eq!(r.status(), 400, "{what}");
    }
    assert_eq!(warmline::store::unlock::stripe_event_count(&app.state.db).await.unwrap(), 0, "nothing stored");
    // Several v1 (a secret being rolled): any may match; other schemes are ignored.
    let r = deliver(&app, &body, &format!("t={t},v0=abc,v1={wrong},v1={good}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(warmline::store::unlock::stripe_event_count(&app.state.db).await.unwrap(), 1);
}

async fn mismatches_alert_and_late_or_surplus_payments_are_refunded(app: TestApp, stripe: FakeStripe) {
    let key = app.api_key().await;
    let a = provider(&app, &key, "Al One", "+14155550131").await;
    let b = provider(&app, &key, "Bea Two", "+14155550132").await;
    let c = provider(&app, &key, "Cy Three", "+14155550133").await;
    // Exclusive: one buyer.
    let (id, _) = lead(&app, &key, &[a, b, c], json!({"max_buyers": 1})).await;
    for (sid, from) in [("SMa", "+14155550131"), ("SMb", "+14155550132"), ("SMc", "+14155550133")] {
        reply(&app, sid, from, "Y").await;
    }
    let sa = offer(&app, &id, a).await.checkout_session_id.unwrap();
    let sb = offer(&app, &id, b).await.checkout_session_id.unwrap();
    let sc = offer(&app, &id, c).await.checkout_session_id.unwrap();

    // A wrong amount: no reveal, a visible alert.
    let mut wrong = paid(stripe.session(&sa), "pi_a");
    wrong["amount_total"] = 500.into();
    assert_eq!(send_event(&app, &event("evt_wrong_amount", "checkout.session.completed", wrong)).await.status(), 200);
    let oa = offer(&app, &id, a).await;
    assert_eq!(oa.state, OfferState::AwaitingPayment);
    assert!(oa.attention.as_deref().is_some_and(|t| t.contains("amount 500")), "{:?}", oa.attention);
    let mut wrong = paid(stripe.session(&sa), "pi_a");
    wrong["currency"] = "eur".into();
    send_event(&app, &event("evt_wrong_currency", "checkout.session.completed", wrong)).await;
    assert!(bodies(&app, a, "lead_unlock").await.iter().all(|m| !m.contains("Ann")), "no reveal on a mismatch");

    // B pays: the exclusive lead is taken; A's and C's open offers expire with a notice.
    send_event(&app, &event("evt_b", "checkout.session.completed", paid(stripe.session(&sb), "pi_b"))).await;
    assert_eq!(offer(&app, &id, b).await.state, OfferState::RevealDetailsSent);
    for p in [a, c] {
        let o = offer(&app, &id, p).await;
        assert_eq!(o.state, OfferState::Expired);
        assert!(o.reason.as_deref().unwrap_or_default().contains("taken"));
        assert!(bodies(&app, p, "lead_offer").await.iter().any(|m| m.contains("has been taken")));
    }
    assert!(stripe.calls("/v1/checkout/sessions/").iter().any(|c| c.path.contains(&sc) && c.path.ends_with("/expire")), "C's open session expired");

    // C pays anyway (the session was already paid on Stripe's side): refunded, told, no reveal.
    send_event(&app, &event("evt_c", "checkout.session.completed", paid(stripe.session(&sc), "pi_c"))).await;
    let refunds = stripe.calls("/v1/refunds");
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].field("payment_intent"), Some("pi_c"));
    let oc = offer(&app, &id, c).await;
    assert!(oc.refunded_at.is_some() && oc.state == OfferState::Expired);
    assert!(bodies(&app, c, "lead_unlock").await.iter().any(|m| m.contains("refunded")));
    assert!(bodies(&app, c, "lead_unlock").await.iter().all(|m| !m.contains("Ann")));

    // A payment after the TTL expired an offer: refunded too.
    let d = provider(&app, &key, "Di Four", "+14155550134").await;
    let (id2, _) = lead(&app, &key, &[d], json!({})).await;
    reply(&app, "SMd", "+14155550134", "Y").await;
    let sd = offer(&app, &id2, d).await.checkout_session_id.unwrap();
    sqlx::query("UPDATE lead_offers SET expires_at = 1 WHERE lead_id = $1").bind(id2.as_str()).execute(app.state.db.pool()).await.unwrap();
    app.state.unlock.tick().await.unwrap();
    assert_eq!(offer(&app, &id2, d).await.state, OfferState::Expired);
    send_event(&app, &event("evt_d", "checkout.session.completed", paid(stripe.session(&sd), "pi_d"))).await;
    assert!(stripe.calls("/v1/refunds").iter().any(|r| r.field("payment_intent") == Some("pi_d")));
    assert!(offer(&app, &id2, d).await.refunded_at.is_some());
}

async fn n_stop_and_ttl_end_offers(app: TestApp, stripe: FakeStripe) {
    let key = app.api_key().await;
    let n = provider(&app, &key, "Nina No", "+14155550141").await;
    let s = provider(&app, &key, "Sam Stop", "+14155550142").await;
    let t = provider(&app, &key, "Tia Ttl", "+14155550143").await;
    let (id, _) = lead(&app, &key, &[n, s, t], json!({})).await;
    let (id2, _) = lead(&app, &key, &[n], json!({})).await;

    // Two open offers: a bare N is ambiguous, so Warmline asks which.
    reply(&app, "SMn1", "+14155550141", "N").await;
    assert_eq!(offer(&app, &id, n).await.state, OfferState::AwaitConfirm);
    assert!(bodies(&app, n, "auto_reply").await.iter().any(|m| m.contains(id.as_str()) && m.contains(id2.as_str())));
    // Naming the lead applies it; a N is not a warm lead.
    reply(&app, "SMn2", "+14155550141", &format!("N {id}")).await;
    let o = offer(&app, &id, n).await;
    assert_eq!(o.state, OfferState::Expired);
    assert!(o.reason.as_deref().unwrap().contains("declined"));
    assert_eq!(offer(&app, &id2, n).await.state, OfferState::AwaitConfirm);

    // STOP: opted out of offers (and of SMS), every open offer ends.
    reply(&app, "SMs1", "+14155550142", "STOP").await;
    assert_eq!(offer(&app, &id, s).await.state, OfferState::OptedOut);
    assert!(app.state.unlock.provider(warmline::ProviderId(s)).await.unwrap().offers_opted_out);
    let (status, _) = api(&app, &key, reqwest::Method::POST, &format!("/api/v1/leads/{id2}/send"), Some(json!({"provider_ids": [s]}))).await;
    assert_eq!(status, 422, "no more offers after STOP");

    // TTL: the offer expires with its session.
    reply(&app, "SMt1", "+14155550143", "Y").await;
    let session = offer(&app, &id, t).await.checkout_session_id.unwrap();
    sqlx::query("UPDATE lead_offers SET expires_at = 1 WHERE lead_id = $1 AND provider_id = $2").bind(id.as_str()).bind(t).execute(app.state.db.pool()).await.unwrap();
    app.state.unlock.tick().await.unwrap();
    let o = offer(&app, &id, t).await;
    assert_eq!(o.state, OfferState::Expired);
    assert!(o.reason.as_deref().unwrap().contains("TTL"));
    assert!(stripe.calls("/v1/checkout/sessions/").iter().any(|c| c.path == format!("/v1/checkout/sessions/{session}/expire")));
    // No warm leads came out of providers' answers.
    let r = sqlx::query("SELECT COUNT(*) AS n FROM warm_leads").fetch_one(app.state.db.pool()).await;
    if let Ok(r) = r {
        assert_eq!(sqlx::Row::get::<i64, _>(&r, "n"), 0);
    }
}
