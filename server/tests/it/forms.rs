//! Lead capture forms through the real router, on both databases: the public page, JSON and
//! browser submissions with their proof of consent and source, the drip's first text reaching
//! a fake Twilio, and every way a submission is refused without creating anything.

use crate::campaigns::{api, runner, twilio_env};
use crate::common;
use common::fake_twilio::FakeTwilio;
use common::{eventually, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both!(
    a_submission_records_consent_and_source_and_the_drip_texts_the_lead,
    refused_submissions_create_nothing,
    a_browser_form_works_without_javascript_and_keeps_an_opt_out,
);

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let row = sqlx::query(sql).fetch_one(app.state.db.pool()).await.unwrap();
    sqlx::Row::get::<i64, _>(&row, 0)
}

/// The same backend behind a trusted proxy: each test request says its client's address.
async fn proxied(app: TestApp) -> TestApp {
    let backend = app.backend;
    drop(app);
    common::spawn_with(backend, &[("TRUST_PROXY", "true")]).await.unwrap()
}

async fn make_form(app: &TestApp, key: &str, body: Value) -> Value {
    let (s, v) = api(app, key, Method::POST, "/api/v1/forms", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn post_json(app: &TestApp, slug: &str, body: Value, ip: &str) -> (StatusCode, Value) {
    let r = app
        .client()
        .post(app.url(&format!("/f/{slug}/submit")))
        .header("x-forwarded-for", ip)
        .header("user-agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)")
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn a_submission_records_consent_and_source_and_the_drip_texts_the_lead(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let fake = FakeTwilio::start().await;
    // Twilio's wire format against the fake, behind a trusted proxy (the recorded address is
    // the client's).
    let mut env = twilio_env(&fake);
    env.push(("TRUST_PROXY", "true".to_string()));
    let extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = common::spawn_with(backend, &extra).await.unwrap();
    let key = app.api_key().await;
    // An active drip whose first step goes at once: the speed-to-lead text.
    let (s, c) = api(&app, &key, Method::POST, "/api/v1/campaigns", Some(json!({"name": "Roof leads", "steps": [{"delay_minutes": 0, "template": "Hi {{ first_name }}, thanks for asking about a roof check! When suits you? Reply STOP to opt out."}]}))).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let campaign = c["id"].as_i64().unwrap();
    assert_eq!(api(&app, &key, Method::POST, &format!("/api/v1/campaigns/{campaign}/activate"), None).await.0, StatusCode::OK);
    let consent = "I agree to receive texts from Acme Roofing about my roof check at the number above. Msg & data rates may apply. Reply STOP to opt out.";
    let form = make_form(&app, &key, json!({"name": "Roof check", "slug": "roof-check", "consent_text": consent, "list": "Web leads", "drip_campaign_id": campaign})).await;
    assert_eq!(form["fields"].as_array().unwrap().len(), 3, "name, phone and email by default");
    // The slug is one form's only.
    let (s, v) = api(&app, &key, Method::POST, "/api/v1/forms", Some(json!({"name": "Again", "slug": "roof-check"}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = api(&app, &key, Method::POST, "/api/v1/forms", Some(json!({"name": "Bad", "slug": "Roof Check!"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // The public page, with the exact consent text and the visit's source in hidden fields.
    let page = app.client().get(app.url("/f/roof-check?utm_source=google&utm_campaign=spring")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Msg &amp; data rates may apply"), "{html}");
    assert!(html.contains("name=\"utm_campaign\" value=\"spring\""));
    assert!(html.contains("name=\"website\""), "the honeypot");
    assert_eq!(app.client().get(app.url("/f/nope")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // A lead whose zone is at midday now (a contact already known: the submission merges).
    let phone = "+14155550142";
    let known = app.sendable_contact(phone).await;
    let (s, v) = post_json(
        &app,
        "roof-check",
        json!({"name": "Rosa Diaz", "phone": "(415) 555-0142", "email": "Rosa@Example.com", "consent": true, "website": "",
               "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "spring", "gclid": "abc123", "page_url": "https://acme.example/roofs"}),
        "203.0.113.9",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["contact_id"], known.0);
    assert_eq!(v["created"], false);
    assert!(v["expect_text"].as_str().unwrap().contains("in a minute"), "{v}");

    // The proof of consent: the text verbatim, the IP, the browser, the page.
    let row = sqlx::query("SELECT consent_text, ip, user_agent, page_url, source FROM consent_events WHERE contact_id = $1 AND kind = 'opt_in'")
        .bind(known.0)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let get = |c: &str| sqlx::Row::get::<Option<String>, _>(&row, c).unwrap_or_default();
    assert_eq!(get("consent_text"), consent);
    assert_eq!(get("ip"), "203.0.113.9");
    assert!(get("user_agent").contains("iPhone"));
    assert_eq!(get("page_url"), "https://acme.example/roofs");
    assert_eq!(get("source"), "form");
    // The contact: name filled in (it had one: kept), email, the list, the first touch.
    let c = warmline::store::contacts::get_by_id(&app.state.db, known).await.unwrap();
    assert_eq!(c.email.as_deref(), Some("rosa@example.com"));
    assert!(c.lists.iter().any(|l| l.name == "Web leads"), "{:?}", c.lists);
    let touch = sqlx::query("SELECT source, first_touch FROM contacts WHERE id = $1").bind(known.0).fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(sqlx::Row::get::<Option<String>, _>(&touch, "source").as_deref(), Some("google"));
    assert!(sqlx::Row::get::<Option<String>, _>(&touch, "first_touch").unwrap().contains("spring"));

    // The submission over REST, with its source.
    let id = form["id"].as_i64().unwrap();
    let (s, subs) = api(&app, &key, Method::GET, &format!("/api/v1/forms/{id}/submissions"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(subs.as_array().unwrap().len(), 1);
    assert_eq!(subs[0]["attribution"]["utm_medium"], "cpc");
    assert_eq!(subs[0]["attribution"]["gclid"], "abc123");
    assert_eq!(subs[0]["consent_text"], consent);
    assert_eq!(subs[0]["answers"]["name"], "Rosa Diaz");

    // Speed to lead: enrolled at once; the runner's next pass texts them through Twilio.
    runner(&app).run_once().await.unwrap();
    eventually("the first text reached Twilio", || async { fake.accepted().iter().any(|a| a.to == phone) }).await;
    let text = fake.accepted().into_iter().find(|a| a.to == phone).unwrap();
    assert!(text.body.contains("roof check"), "{}", text.body);

    // In the OpenAPI document.
    let doc: Value = app.client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/forms"]["post"].is_object() && doc["paths"]["/forms/{id}/submissions"]["get"].is_object());
}

async fn refused_submissions_create_nothing(app: TestApp) {
    let app = proxied(app).await;
    let key = app.api_key().await;
    make_form(&app, &key, json!({"name": "Gutters", "slug": "gutters"})).await;
    let before = (app.contact_count().await, scalar(&app, "SELECT COUNT(*) FROM form_submissions").await);
    let ok = json!({"name": "Tom", "phone": "+14155550150", "consent": "yes"});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b.as_object_mut().unwrap().insert(k.into(), v);
        b
    };
    for (body, reason) in [
        (with("website", json!("https://spam.example")), "automated"),
        (with("phone", json!("12")), "mobile number"),
        (with("consent", json!("no")), "tick the box"),
        (with("phone", json!("")), "required"),
        (with("email", json!("not-an-email")), "not an email"),
    ] {
        let (s, v) = post_json(&app, "gutters", body, "198.51.100.1").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v["error"].as_str().unwrap().contains(reason), "{reason}: {v}");
    }
    assert_eq!((app.contact_count().await, scalar(&app, "SELECT COUNT(*) FROM form_submissions").await), before);
    // Not JSON, and too big.
    let r = app.client().post(app.url("/f/gutters/submit")).header("content-type", "application/json").body("{oops").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.client().post(app.url("/f/gutters/submit")).header("content-type", "application/x-www-form-urlencoded").body(format!("message={}", "x".repeat(40_000))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Rate limits: three an hour for one phone, five in ten minutes from one address.
    for i in 0..3 {
        let (s, v) = post_json(&app, "gutters", ok.clone(), &format!("192.0.2.{i}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, v) = post_json(&app, "gutters", ok.clone(), "192.0.2.99").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["error"].as_str().unwrap().contains("too many"));
    for i in 0..5 {
        let (s, v) = post_json(&app, "gutters", with("phone", json!(format!("+1415555016{i}"))), "192.0.2.200").await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, _) = post_json(&app, "gutters", with("phone", json!("+14155550169")), "192.0.2.200").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM form_submissions").await, before.1 + 8);
    // Only the six phones became contacts, once each.
    assert_eq!(app.contact_count().await, before.0 + 6);
}

async fn a_browser_form_works_without_javascript_and_keeps_an_opt_out(app: TestApp) {
    let app = proxied(app).await;
    let key = app.api_key().await;
    let form = make_form(
        &app,
        &key,
        json!({"name": "Windows", "slug": "windows", "thank_you": "Thanks, we'll be in touch!", "allowed_origins": ["https://acme.example"],
               "fields": [{"key": "name", "label": "Name", "kind": "name", "required": true}, {"key": "phone", "label": "Mobile", "kind": "phone", "required": true},
                          {"key": "budget", "label": "Budget", "kind": "budget", "required": false}]}),
    )
    .await;
    // A plain HTML form post: a redirect to the thank-you page.
    let form_post = |fields: Vec<(&'static str, &'static str)>| app.client().post(app.url("/f/windows/submit")).form(&fields).send();
    let r = form_post(vec![("name", "Li Wei"), ("phone", "4155550177"), ("budget", "$2-5k"), ("consent", "yes"), ("website", ""), ("utm_source", "Nextdoor")]).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/f/windows/thanks"), "{to}");
    let thanks = app.client().get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(thanks.contains("Thanks, we&#39;ll be in touch!"), "{thanks}");
    let c = warmline::store::contacts::find_by_phone(&app.state.db, &warmline::E164::parse("+14155550177").unwrap()).await.unwrap().unwrap();
    assert_eq!((c.first_name.as_deref(), c.last_name.as_deref()), (Some("Li"), Some("Wei")));
    assert_eq!(c.attributes.get("budget").map(String::as_str), Some("$2-5k"));

    // A missing required field: the form again, with the reason and what was typed.
    let r = form_post(vec![("phone", "4155550178"), ("consent", "yes")]).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Name is required") && html.contains("value=\"4155550178\""), "{html}");

    // A contact who texted STOP submits again: kept opted out, no opt-in recorded, told why.
    app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", "SMform000000000000000000000000001"), ("From", "+14155550177"), ("To", "+14155550100"), ("Body", "STOP")]).await;
    eventually("opted out", || async { scalar(&app, "SELECT COUNT(*) FROM contacts WHERE phone = '+14155550177' AND opted_out = 1").await == 1 }).await;
    let (s, v) = post_json(&app, "windows", json!({"name": "Li Wei", "phone": "+14155550177", "consent": "true"}), "192.0.2.50").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["expect_text"].as_str().unwrap().contains("won't text"), "{v}");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM contacts WHERE phone = '+14155550177' AND opted_out = 1").await, 1);
    assert_eq!(scalar(&app, &format!("SELECT COUNT(*) FROM consent_events WHERE contact_id = {} AND kind = 'opt_in'", c.id.0)).await, 1, "only the first submission's");

    // CORS: the form's own site may post JSON from a browser; another may not.
    let pre = |origin: &'static str| app.client().request(Method::OPTIONS, app.url("/f/windows/submit")).header("origin", origin).header("access-control-request-method", "POST").send();
    let r = pre("https://acme.example").await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.headers()["access-control-allow-origin"], "https://acme.example");
    assert_eq!(pre("https://evil.example").await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(form["allowed_origins"][0], "https://acme.example");
}
