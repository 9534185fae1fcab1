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
    a_texted_code_confirms_the_lead_and_a_known_landline_is_flagged,
    a_form_that_sells_its_leads_offers_each_to_the_providers_serving_it,
    the_visitors_time_zone_becomes_the_leads,
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
    // Analytics counts the period's form leads by source.
    let today = app.state.analytics.filter(&warmline::analytics::FilterInput { last_days: Some(1), ..Default::default() }).unwrap();
    let by_source = app.state.analytics.report(&today).await.unwrap().by_source;
    assert_eq!(by_source.iter().map(|r| (r.source.as_str(), r.leads, r.submissions)).collect::<Vec<_>>(), [("google", 1, 1)]);

    // Speed to lead: enrolled at once; the runner's next pass texts them through Twilio.
    runner(&app).run_once().await.unwrap();
    eventually("the first text reached Twilio", || async { fake.accepted().iter().any(|a| a.to == phone) }).await;
    let text = fake.accepted().into_iter().find(|a| a.to == phone).unwrap();
    assert!(text.body.contains("roof check"), "{}", text.body);

    // In the OpenAPI document.
    let doc: Value = app.client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/forms"]["post"].is_object() && doc["paths"]["/forms/{id}/submissions"]["get"].is_object());
}

/// The browser's time zone (the page's script sends it as `timezone`) becomes a new lead's zone,
/// so quiet hours follow where they are; an unknown one is ignored, and a contact's own zone is
/// kept when they fill in a form again.
async fn the_visitors_time_zone_becomes_the_leads(app: TestApp) {
    let app = proxied(app).await;
    let key = app.api_key().await;
    make_form(&app, &key, json!({"name": "Skylights", "slug": "skylights"})).await;
    let zone = common::midday_zone();
    let zone_of = |phone: &'static str| {
        let app = &app;
        async move { warmline::store::contacts::find_by_phone(&app.state.db, &warmline::E164::parse(phone).unwrap()).await.unwrap().unwrap().timezone }
    };
    let (s, v) = post_json(&app, "skylights", json!({"name": "Ola", "phone": "+14155550171", "consent": "yes", "timezone": zone}), "192.0.2.1").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(zone_of("+14155550171").await.as_deref(), Some(zone.as_str()));
    let (s, v) = post_json(&app, "skylights", json!({"name": "Pim", "phone": "+14155550172", "consent": "yes", "timezone": "Mars/Olympus_Mons"}), "192.0.2.2").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(zone_of("+14155550172").await, None, "an unknown zone is not kept");
    let (s, v) = post_json(&app, "skylights", json!({"name": "Ola", "phone": "+14155550171", "consent": "yes", "timezone": "Asia/Tokyo"}), "192.0.2.3").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(zone_of("+14155550171").await.as_deref(), Some(zone.as_str()), "the contact's zone is kept");
    // The public page carries the field for its script to fill in.
    let page = app.client().get(app.url("/f/skylights")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("name=\"timezone\""), "{page}");
    assert!(page.contains("resolvedOptions().timeZone"));
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

/// A form that asks for a texted code: the code goes through the pipeline to Twilio, nothing
/// counts until it is typed in (no drip, no score, not in the form's count), a wrong code is
/// refused and counted, the right one makes the lead count once. A number the carriers said is
/// a landline is flagged and not texted.
async fn a_texted_code_confirms_the_lead_and_a_known_landline_is_flagged(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let fake = FakeTwilio::start().await;
    let mut env = twilio_env(&fake);
    env.push(("TRUST_PROXY", "true".to_string()));
    let extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = common::spawn_with(backend, &extra).await.unwrap();
    let key = app.api_key().await;
    let (s, c) = api(&app, &key, Method::POST, "/api/v1/campaigns", Some(json!({"name": "Verified leads", "steps": [{"delay_minutes": 0, "template": "Hi {{ first_name }}, thanks! Reply STOP to opt out."}]}))).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let campaign = c["id"].as_i64().unwrap();
    assert_eq!(api(&app, &key, Method::POST, &format!("/api/v1/campaigns/{campaign}/activate"), None).await.0, StatusCode::OK);
    let form = make_form(&app, &key, json!({"name": "Verified quote", "slug": "verified", "drip_campaign_id": campaign, "confirm_sms": true})).await;
    assert_eq!(form["confirm_sms"], true);
    let form_id = form["id"].as_i64().unwrap();

    let phone = "+14155550161";
    let contact = app.sendable_contact(phone).await;
    let (s, v) = post_json(&app, "verified", json!({"name": "Vera Code", "phone": phone, "consent": "yes"}), "203.0.113.20").await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["status"], "confirm");
    let token = v["confirm_token"].as_str().unwrap().to_string();
    // The code reached Twilio (a verification text, never held for quiet hours).
    eventually("the code reached Twilio", || async { fake.accepted().iter().any(|a| a.to == phone) }).await;
    let sms = fake.accepted().into_iter().find(|a| a.to == phone).unwrap().body;
    let code: String = sms.split_whitespace().find(|w| w.trim_end_matches('.').len() == 6 && w.trim_end_matches('.').chars().all(|c| c.is_ascii_digit())).unwrap().trim_end_matches('.').to_string();
    let kinds = scalar(&app, &format!("SELECT COUNT(*) FROM messages WHERE contact_id = {} AND kind = 'verification'", contact.0)).await;
    assert_eq!(kinds, 1);
    // Nothing counts yet.
    assert!(warmline::store::enrollments::for_contact(&app.state.db, contact).await.unwrap().is_empty());
    assert_eq!(app.state.scoring.of(contact).await.unwrap().value, 0);
    let (_, subs) = api(&app, &key, Method::GET, &format!("/api/v1/forms/{form_id}/submissions"), None).await;
    assert_eq!(subs[0]["status"], "pending");
    let (_, f) = api(&app, &key, Method::GET, &format!("/api/v1/forms/{form_id}"), None).await;
    assert_eq!(f["submissions"], 0, "a pending submission doesn't count");

    // A wrong code is refused (and counted); the right one confirms, once.
    let confirm = |token: String, code: String| {
        let app = &app;
        async move {
            let r = app.client().post(app.url("/f/verified/confirm")).json(&json!({"token": token, "code": code})).send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (s, v) = confirm(token.clone(), wrong.into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["error"].as_str().unwrap().contains("not the one we texted"), "{v}");
    let (s, v) = confirm(token.clone(), format!(" {code} ")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["expect_text"].as_str().unwrap().contains("in a minute"), "{v}");
    let (s, _) = confirm(token.clone(), code.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a code works once");
    // Now it counts: enrolled, scored, in the count.
    assert_eq!(warmline::store::enrollments::for_contact(&app.state.db, contact).await.unwrap().len(), 1);
    assert!(app.state.scoring.of(contact).await.unwrap().value > 0);
    let (_, subs) = api(&app, &key, Method::GET, &format!("/api/v1/forms/{form_id}/submissions"), None).await;
    assert_eq!(subs[0]["status"], "accepted");

    // Five wrong codes end a code.
    let other = "+14155550162";
    app.sendable_contact(other).await;
    let (s, v) = post_json(&app, "verified", json!({"name": "Guess Work", "phone": other, "consent": "yes"}), "203.0.113.21").await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let token2 = v["confirm_token"].as_str().unwrap().to_string();
    eventually("the second code reached Twilio", || async { fake.accepted().iter().any(|a| a.to == other) }).await;
    let sms2 = fake.accepted().into_iter().find(|a| a.to == other).unwrap().body;
    let code2: String = sms2.split_whitespace().find(|w| w.trim_end_matches('.').len() == 6 && w.trim_end_matches('.').chars().all(|c| c.is_ascii_digit())).unwrap().trim_end_matches('.').to_string();
    let wrong2 = if code2 == "999999" { "888888" } else { "999999" };
    for _ in 0..5 {
        assert_eq!(confirm(token2.clone(), wrong2.into()).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (s, v) = confirm(token2.clone(), code2).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("expired or was already used"), "{v}");

    // A browser without JavaScript gets the code page, and the code form posts back to it.
    let third = "+14155550163";
    app.sendable_contact(third).await;
    let r = app.client().post(app.url("/f/verified/submit")).header("x-forwarded-for", "203.0.113.22").form(&[("name", "Bo Browser"), ("phone", third), ("consent", "yes")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("data-testid=\"code-page\"") && html.contains("action=\"/f/verified/confirm\""), "{html}");
    // Its code goes out in the background: let it arrive before counting what Twilio got.
    eventually("the third code reached Twilio", || async { fake.accepted().iter().any(|a| a.to == third) }).await;
    let r = app.client().post(app.url("/f/verified/confirm")).form(&[("token", "nope"), ("code", "123456")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("expired or was already used"));

    // A number the carriers said is a landline: kept, flagged, not texted, no code asked.
    let landline = "+14155550164";
    let home = app.sendable_contact(landline).await;
    warmline::store::consent::set_number_status(&app.state.db, home, warmline::message::NumberStatus::Landline).await.unwrap();
    let before = fake.accepted().len();
    let (s, v) = post_json(&app, "verified", json!({"name": "Lana Line", "phone": landline, "consent": "yes"}), "203.0.113.23").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["expect_text"].as_str().unwrap().contains("landline"), "{v}");
    let (_, subs) = api(&app, &key, Method::GET, &format!("/api/v1/forms/{form_id}/submissions"), None).await;
    assert_eq!(subs[0]["phone_flag"], "landline");
    assert!(warmline::store::enrollments::for_contact(&app.state.db, home).await.unwrap().is_empty());
    assert_eq!(fake.accepted().len(), before, "nothing texted to the landline");
    assert!(!fake.accepted().iter().any(|a| a.to == landline), "nothing texted to the landline");
}

/// A form that sells its leads: each submission becomes a lead for lead unlock, offered to the
/// active providers who serve its city and service type, and to nobody else.
async fn a_form_that_sells_its_leads_offers_each_to_the_providers_serving_it(app: TestApp) {
    use warmline::forms::{FieldKind, FormField, NewForm};
    use warmline::unlock::ProviderInput;
    let region = app.state.config.default_region;
    let provider = |name: &str, phone: &str, cities: &[&str], services: &[&str]| ProviderInput {
        name: Some(name.into()),
        phone: Some(phone.into()),
        cities: Some(cities.iter().map(|c| c.to_string()).collect()),
        service_types: Some(services.iter().map(|c| c.to_string()).collect()),
        ..ProviderInput::default()
    };
    let roofer = app.state.unlock.add_provider(&provider("Oak Roofing", "+14155550171", &["Oakland", "Berkeley"], &["roofing"]), region).await.unwrap();
    let anywhere = app.state.unlock.add_provider(&provider("Any Roof", "+14155550172", &[], &["Roofing"]), region).await.unwrap();
    app.state.unlock.add_provider(&provider("SF Roofs", "+14155550173", &["San Francisco"], &["roofing"]), region).await.unwrap();
    app.state.unlock.add_provider(&provider("Oak Plumbing", "+14155550174", &["Oakland"], &["plumbing"]), region).await.unwrap();

    let required = |kind| FormField::standard(kind, true);
    let fields = vec![required(FieldKind::Name), required(FieldKind::Phone), required(FieldKind::City), required(FieldKind::ServiceType), FormField::standard(FieldKind::Budget, false)];
    // Without the fields a teaser names, a selling form is refused with the reason.
    let bad = app.state.forms.create(&NewForm { name: "Sell".into(), sell_leads: true, ..NewForm::default() }).await.unwrap_err();
    assert!(bad.to_string().contains("needs a required"), "{bad}");
    let form = app.state.forms.create(&NewForm { name: "Roof leads for sale".into(), slug: Some("roof-sale".into()), fields: Some(fields), sell_leads: true, ..NewForm::default() }).await.unwrap();
    assert!(form.sell_leads);

    let (s, v) = post_json(&app, "roof-sale", json!({"name": "Cal Client", "phone": "+14155550175", "city": "oakland", "service_type": "Roofing", "budget": "$2,000", "consent": "yes"}), "203.0.113.30").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let subs = app.state.forms.submissions(form.id, 10).await.unwrap();
    let lead_id = subs[0].lead_id.clone().expect("the submission became a lead");
    let lead = warmline::unlock::LeadId::parse(&lead_id).unwrap();
    let view = app.state.unlock.view(&lead).await.unwrap();
    assert_eq!((view.lead.public.city.as_str(), view.lead.public.service_type.as_str(), view.lead.public.budget_range.as_str()), ("oakland", "Roofing", "$2,000"));
    let mut offered: Vec<_> = view.offers.iter().map(|o| o.provider_id).collect();
    offered.sort();
    let mut want = vec![roofer.id, anywhere.id];
    want.sort();
    assert_eq!(offered, want, "only the roofers serving Oakland");
    // The client's details are sealed until a provider pays: the seller's view has them.
    let details = app.state.unlock.details(&lead, "test").await.unwrap();
    assert_eq!((details.client_name.as_str(), details.client_phone.as_str()), ("Cal Client", "+14155550175"));
}
