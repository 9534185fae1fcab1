//! Contacts through the REST API and the browser upload endpoint, on both databases.

use crate::common;
use common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const CSV_ONE_BAD: &str = "phone,first_name,last_name,email,tags,Roof Age\n\
(415) 555-2671,Ann,Lee,ann@example.com,\"vip;roofing\",12\n\
not-a-number,Bo,Ray,,,\n\
415.555.2672,Cy,Diaz,,roofing,3\n";

both!(
    api_needs_a_valid_key,
    api_import_is_all_or_nothing,
    api_import_skips_bad_rows_when_asked,
    reimport_merges_existing_contacts,
    bad_uploads_get_clear_errors_and_import_nothing,
    create_and_fetch_contacts,
    browser_upload_runs_as_a_job,
    contact_pages_render_for_signed_in_users,
    the_browser_search_works_with_no_filters,
    overlong_values_are_refused_with_a_clear_error,
    deep_pages_are_read_by_cursor_and_match_the_numbered_pages,
    search_finds_any_fragment_of_a_name_email_or_phone_and_follows_edits,
    the_contact_count_follows_imports_edits_deletes_and_compaction,
    a_search_counts_to_the_cap_and_pages_on_past_it,
);

/// The contacts page calls the search server function when it is reached by client-side
/// navigation; with every filter empty that once failed with "missing field `query`".
async fn the_browser_search_works_with_no_filters(app: TestApp) {
    let key = app.api_key().await;
    import(&app, &key, "list=Spring&skip_invalid=true", CSV_ONE_BAD).await;
    let c = app.setup_admin("admin@example.com", "correct horse battery").await;
    use leptos::server_fn::ServerFn;
    let path = <warmline_app::api::contacts::SearchContacts as ServerFn>::PATH;
    for body in [json!({"query": {}}), json!({"query": {"q": "lee"}})] {
        let r = c.post(app.url(path)).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{body}: {:?}", r.text().await);
    }
    let r = c.post(app.url(path)).json(&json!({"query": {}})).send().await.unwrap();
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["total"], 2);
}

/// Every text field has a length limit at the edge: a 5,000-character name gets a clear
/// error and stores nothing, through the REST API, a CSV import and the browser's form.
async fn overlong_values_are_refused_with_a_clear_error(app: TestApp) {
    let key = app.api_key().await;
    let c = app.client();
    let long = "x".repeat(5000);
    let r = c.post(app.url("/api/v1/contacts")).bearer_auth(&key).json(&json!({"phone": "(212) 555-0142", "first_name": long})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("first name is too long: 5000 characters, at most 100"));
    let r = c.post(app.url("/api/v1/contacts")).bearer_auth(&key).json(&json!({"phone": "(212) 555-0142", "attributes": {"city": long}})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = c.get(app.url(&format!("/api/v1/contacts?q={}", "a".repeat(300)))).bearer_auth(&key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A page number past any real page answers an empty page, not a crash.
    let r = c.get(app.url(&format!("/api/v1/contacts?page={}", i64::MAX))).bearer_auth(&key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // A CSV row with a long name is a bad row like any other: all or nothing.
    let csv = format!("phone,first_name
4155552671,Ann
4155552672,{}
", "y".repeat(150));
    let r = import(&app, &key, "list=Long", &csv).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("first name is too long"));

    // The browser's "Add contact" form.
    let browser = app.setup_admin("admin@example.com", "correct horse battery").await;
    let r = app.server_fn::<warmline_app::api::contacts::AddContact>(&browser, &[("contact[phone]", "2125550142"), ("contact[last_name]", &long)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("last name is too long"));
    assert_eq!(app.contact_count().await, 0);
}

async fn api_needs_a_valid_key(app: TestApp) {
    let c = app.client();
    let r = c.get(app.url("/api/v1/contacts")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let r = c.get(app.url("/api/v1/contacts")).bearer_auth("wl_not-a-real-key").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let key = app.api_key().await;
    let r = c.get(app.url("/api/v1/contacts")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), json!([]));
    // revoked keys stop working
    let keys = warmline::store::api_keys::list(&app.state.db).await.unwrap();
    warmline::store::api_keys::revoke(&app.state.db, keys[0].id).await.unwrap();
    let r = c.get(app.url("/api/v1/contacts")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // the OpenAPI document is public
    let r = c.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    let doc: Value = r.json().await.unwrap();
    assert!(doc["paths"]["/contacts/import"]["post"].is_object());
    assert!(doc["paths"]["/messages"]["post"].is_object());
}

async fn import(app: &TestApp, key: &str, query: &str, body: &str) -> reqwest::Response {
    app.client()
        .post(app.url(&format!("/api/v1/contacts/import?{query}")))
        .bearer_auth(key)
        .header("content-type", "text/csv")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn api_import_is_all_or_nothing(app: TestApp) {
    let key = app.api_key().await;
    let r = import(&app, &key, "list=Spring", CSV_ONE_BAD).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"], json!([{"row": 3, "reason": "invalid phone number 'not-a-number'"}]));
    assert_eq!(app.contact_count().await, 0);
    assert!(warmline::store::lists::all(&app.state.db).await.unwrap().is_empty(), "no list is left behind");
}

async fn api_import_skips_bad_rows_when_asked(app: TestApp) {
    let key = app.api_key().await;
    let r = import(&app, &key, "list=Spring&skip_invalid=true", CSV_ONE_BAD).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["imported"], 2);
    assert_eq!(body["skipped"], 1);
    assert_eq!(body["errors"][0]["row"], 3);
    let list_id = body["list_id"].as_i64().unwrap();

    let c = app.client();
    let found: Vec<Value> = c.get(app.url("/api/v1/contacts?q=ann")).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["phone"], "+14155552671");
    assert_eq!(found[0]["tags"], json!(["roofing", "vip"]));
    let by_phone: Vec<Value> = c.get(app.url("/api/v1/contacts?phone=(415)%20555-2672")).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
    assert_eq!(by_phone[0]["first_name"], "Cy");
    let in_list = c.get(app.url("/api/v1/contacts?list=Spring")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(in_list.headers()["x-total-count"], "2");
    let by_id = c.get(app.url(&format!("/api/v1/contacts?list={list_id}"))).bearer_auth(&key).send().await.unwrap();
    assert_eq!(by_id.json::<Vec<Value>>().await.unwrap().len(), 2);
    let tagged: Vec<Value> = c.get(app.url("/api/v1/contacts?tag=VIP")).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
    assert_eq!(tagged.len(), 1);

    let id = found[0]["id"].as_i64().unwrap();
    let one: Value = c.get(app.url(&format!("/api/v1/contacts/{id}"))).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
    assert_eq!(one["attributes"]["roof_age"], "12");
    assert_eq!(one["email"], "ann@example.com");
    assert_eq!(one["lists"][0]["name"], "Spring");
    let missing = c.get(app.url("/api/v1/contacts/999999")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn reimport_merges_existing_contacts(app: TestApp) {
    let key = app.api_key().await;
    let r = import(&app, &key, "list=First", "phone,first_name\n4155552671,Ann\n").await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = import(&app, &key, "list=Second", "phone,first_name,email\n+1 415 555 2671,Annie,ann@example.com\n4155552673,Dee,\n").await;
    let body: Value = r.json().await.unwrap();
    assert_eq!((body["imported"].as_i64(), body["created"].as_i64(), body["updated"].as_i64()), (Some(2), Some(1), Some(1)));
    assert_eq!(app.contact_count().await, 2);
    let c = warmline::store::contacts::find_by_phone(&app.state.db, &warmline::E164::parse("+14155552671").unwrap()).await.unwrap().unwrap();
    assert_eq!(c.first_name.as_deref(), Some("Ann"), "existing details are kept");
    assert_eq!(c.email.as_deref(), Some("ann@example.com"), "empty fields are filled in");
    assert_eq!(c.lists.len(), 2);
}

async fn bad_uploads_get_clear_errors_and_import_nothing(app: TestApp) {
    // a small limit makes the oversize case cheap
    let backend: Backend = app.backend;
    drop(app);
    let Some(app) = common::spawn_with(backend, &[("IMPORT_MAX_BYTES", "2048")]).await else { return };
    let key = app.api_key().await;
    let c = app.client();
    let big = format!("phone\n{}", "4155552671\n".repeat(400));
    let r = c.post(app.url("/api/v1/contacts/import?list=Big")).bearer_auth(&key).header("content-type", "text/csv").body(big).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("2048"));

    let r = c.post(app.url("/api/v1/contacts/import?list=J")).bearer_auth(&key).header("content-type", "application/json").body("{}").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    let r = c.post(app.url("/api/v1/contacts/import?list=P")).bearer_auth(&key).header("content-type", "text/csv").body(png).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("not valid CSV"));

    let r = import(&app, &key, "list=N", "name,email\nAnn,a@x.com\n").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("phone"));

    let r = import(&app, &key, "list=E", "phone\n").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.contact_count().await, 0);
}

async fn create_and_fetch_contacts(app: TestApp) {
    let key = app.api_key().await;
    let c = app.client();
    let r = c
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&key)
        .json(&json!({"phone": "(212) 555-0142", "first_name": "Eve", "tags": ["Hot Lead"], "list": "Manual"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["phone"], "+12125550142");
    assert_eq!(created["tags"], json!(["hot-lead"]));
    assert_eq!(created["lists"][0]["name"], "Manual");

    let dup = c.post(app.url("/api/v1/contacts")).bearer_auth(&key).json(&json!({"phone": "+12125550142"})).send().await.unwrap();
    assert_eq!(dup.status(), StatusCode::CONFLICT);
    let bad = c.post(app.url("/api/v1/contacts")).bearer_auth(&key).json(&json!({"phone": "12"})).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let not_json = c.post(app.url("/api/v1/contacts")).bearer_auth(&key).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.contact_count().await, 1);
}

async fn browser_upload_runs_as_a_job(app: TestApp) {
    let anonymous = app.client();
    let r = anonymous.post(app.url("/app/imports?list=x")).header("content-type", "text/csv").body("phone\n4155552671\n").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let c = app.setup_admin("admin@example.com", "correct horse battery").await;
    let start = |skip: bool| {
        let c = c.clone();
        let url = app.url(&format!("/app/imports?list=Browser&filename=leads.csv&skip_invalid={skip}&mapping=phone,first_name,last_name,email,tags,custom"));
        async move { c.post(url).header("content-type", "text/csv").body(CSV_ONE_BAD).send().await.unwrap() }
    };
    let status = |id: String| {
        let c = c.clone();
        let app = &app;
        async move {
            loop {
                let r = app.server_fn::<warmline_app::api::contacts::ImportStatus>(&c, &[("id", id.as_str())]).await;
                assert_eq!(r.status(), StatusCode::OK);
                let s: warmline_app::imports::ImportJobStatus = r.json().await.unwrap();
                if s.phase.finished() {
                    return s;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    };

    let r = start(false).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let id = r.json::<Value>().await.unwrap()["job_id"].as_str().unwrap().to_string();
    let s = status(id).await;
    assert_eq!(s.phase, warmline_app::imports::ImportPhase::Rejected);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].row, 3);
    assert_eq!(app.contact_count().await, 0);

    let r = start(true).await;
    let id = r.json::<Value>().await.unwrap()["job_id"].as_str().unwrap().to_string();
    let s = status(id.clone()).await;
    assert_eq!(s.phase, warmline_app::imports::ImportPhase::Done);
    let report = s.report.unwrap();
    assert_eq!((report.imported, report.skipped), (2, 1));
    assert_eq!(app.contact_count().await, 2);
    let recent = warmline::store::imports::recent(&app.state.db, 5).await.unwrap();
    assert_eq!(recent[0].filename.as_deref(), Some("leads.csv"));

    // another user can't read this job's status
    let other = app.client();
    let r = app.server_fn::<warmline_app::api::contacts::ImportStatus>(&other, &[("id", id.as_str())]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn contact_pages_render_for_signed_in_users(app: TestApp) {
    let key = app.api_key().await;
    import(&app, &key, "list=Spring&skip_invalid=true", CSV_ONE_BAD).await;
    let c = app.setup_admin("admin@example.com", "correct horse battery").await;
    let html = c.get(app.url("/contacts?q=lee")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Ann Lee"), "search result missing");
    assert!(!html.contains("Cy Diaz"), "search did not filter");
    let ann = warmline::store::contacts::find_by_phone(&app.state.db, &warmline::E164::parse("+14155552671").unwrap()).await.unwrap().unwrap();
    let html = c.get(app.url(&format!("/contacts/{}", ann.id))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("+14155552671") && html.contains("roof_age"));
    let html = c.get(app.url("/lists")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Spring"));
}

/// Keyset pagination: following `X-Next-Cursor` gives exactly the pages `?page=` gives (newest
/// first, and by score), and `X-Prev-Cursor` walks back.
async fn deep_pages_are_read_by_cursor_and_match_the_numbered_pages(app: TestApp) {
    let key = app.api_key().await;
    for i in 0..23 {
        let c = app.sendable_contact(&format!("+1415555{:04}", 3000 + i)).await;
        sqlx::query("UPDATE contacts SET score = $1 WHERE id = $2").bind((i * 7) % 5 * 10).bind(c.0).execute(app.state.db.pool()).await.unwrap();
    }
    let c = app.client();
    let get = |url: String| {
        let c = c.clone();
        let key = key.clone();
        async move {
            let r = c.get(url).bearer_auth(&key).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let header = |n: &str| r.headers().get(n).map(|v| v.to_str().unwrap().to_string());
            let (next, prev) = (header("x-next-cursor"), header("x-prev-cursor"));
            let ids: Vec<i64> = r.json::<Vec<Value>>().await.unwrap().iter().map(|v| v["id"].as_i64().unwrap()).collect();
            (ids, next, prev)
        }
    };
    for sort in ["newest", "score"] {
        let mut numbered = Vec::new();
        for page in 1..=5 {
            numbered.push(get(app.url(&format!("/api/v1/contacts?sort={sort}&per_page=5&page={page}"))).await.0);
        }
        assert_eq!(numbered.iter().map(Vec::len).sum::<usize>(), 23);
        let (first, mut next, _) = get(app.url(&format!("/api/v1/contacts?sort={sort}&per_page=5"))).await;
        let mut walked = vec![first];
        let mut prevs = Vec::new();
        while walked.len() < 5 {
            let (ids, n, p) = get(app.url(&format!("/api/v1/contacts?sort={sort}&per_page=5&after={}", next.clone().unwrap()))).await;
            walked.push(ids);
            prevs.push(p);
            next = n;
        }
        assert_eq!(walked, numbered, "{sort}: cursors and page numbers agree");
        // Back from page 5 to page 4.
        let (back, _, _) = get(app.url(&format!("/api/v1/contacts?sort={sort}&per_page=5&before={}", prevs.last().cloned().flatten().unwrap()))).await;
        assert_eq!(back, numbered[3], "{sort}: the page before");
    }
    // The total, whether counted (a full page, a page past the end, a cursor) or told by a
    // page that is not full.
    let total = |url: String| {
        let c = c.clone();
        let key = key.clone();
        async move { c.get(url).bearer_auth(&key).send().await.unwrap().headers()["x-total-count"].to_str().unwrap().parse::<i64>().unwrap() }
    };
    for (query, want) in [("per_page=5", 23), ("per_page=5&page=5", 23), ("per_page=5&page=9", 23), ("per_page=50", 23), ("q=555300&per_page=5", 10), ("q=555300&per_page=5&page=2", 10), ("q=5553001", 1), ("q=nobody", 0)] {
        assert_eq!(total(app.url(&format!("/api/v1/contacts?{query}"))).await, want, "{query}");
    }
    let (_, next, _) = get(app.url("/api/v1/contacts?per_page=5")).await;
    assert_eq!(total(app.url(&format!("/api/v1/contacts?per_page=5&after={}", next.unwrap()))).await, 23);
    let bad = c.get(app.url("/api/v1/contacts?sort=score&after=12")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// The trigram index finds a fragment of a name, an email or the phone's digits (in any format),
/// case aside, and follows edits and deletions.
async fn search_finds_any_fragment_of_a_name_email_or_phone_and_follows_edits(app: TestApp) {
    let key = app.api_key().await;
    let c = app.client();
    let post = |body: Value| c.post(app.url("/api/v1/contacts")).bearer_auth(&key).json(&body).send();
    assert!(post(json!({"phone": "+14155550187", "first_name": "Rosalind", "last_name": "Franklin", "email": "rosa.f@example.org"})).await.unwrap().status().is_success());
    assert!(post(json!({"phone": "+14155550188", "first_name": "Ro", "last_name": "Li"})).await.unwrap().status().is_success());
    let names = |q: &str| {
        let url = app.url(&format!("/api/v1/contacts?q={}", warmline::url::encode_component(q)));
        let c = c.clone();
        let key = key.clone();
        async move { c.get(url).bearer_auth(&key).send().await.unwrap().json::<Vec<Value>>().await.unwrap().iter().map(|v| v["first_name"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>() }
    };
    assert_eq!(names("ALIND fra").await, ["Rosalind"]);
    assert_eq!(names("f@example").await, ["Rosalind"]);
    assert_eq!(names("(415) 555-0187").await, ["Rosalind"]);
    assert_eq!(names("50187").await, ["Rosalind"]);
    // A long run of digits: a number whose last six digits are the same is not found.
    assert!(post(json!({"phone": "+12125550187", "first_name": "Other"})).await.unwrap().status().is_success());
    assert_eq!(names("4155550187").await, ["Rosalind"]);
    assert_eq!(names("+1 415 555 0187").await, ["Rosalind"]);
    assert_eq!(names("5550187").await, ["Other", "Rosalind"]);
    assert_eq!(names("14155550").await, ["Ro", "Rosalind"]);
    // Two letters: read without the index, still found.
    assert_eq!(names("li").await, ["Ro", "Rosalind"]);
    assert!(names("nobody").await.is_empty());
    // Edits and deletions are followed.
    let id = sqlx::query("SELECT id FROM contacts WHERE phone = '+14155550187'").fetch_one(app.state.db.pool()).await.unwrap();
    let id: i64 = sqlx::Row::get(&id, "id");
    let r = c.patch(app.url(&format!("/api/v1/contacts/{id}"))).bearer_auth(&key).json(&json!({"first_name": "Rosie"})).send().await.unwrap();
    assert!(r.status().is_success(), "{:?}", r.text().await);
    assert!(names("rosalind").await.is_empty());
    assert_eq!(names("rosie").await, ["Rosie"]);
    assert_eq!(c.delete(app.url(&format!("/api/v1/contacts/{id}"))).bearer_auth(&key).send().await.unwrap().status(), StatusCode::OK);
    assert!(names("rosie").await.is_empty());
}

/// The contact count (on PostgreSQL a sum of changes recorded by triggers) matches the contacts
/// through single creates, a multi-row import, a re-import that only updates, deletes, and
/// compaction, which leaves one row.
async fn the_contact_count_follows_imports_edits_deletes_and_compaction(app: TestApp) {
    let db = &app.state.db;
    let key = app.api_key().await;
    let counted = || async { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM contacts").fetch_one(db.pool()).await.unwrap() };
    assert_eq!(warmline::store::contacts::count(db).await.unwrap(), 0);
    for i in 0..3 {
        app.sendable_contact(&format!("+1415555{:04}", 4100 + i)).await;
    }
    let good = CSV_ONE_BAD.replace("not-a-number,Bo,Ray,,,\n", "");
    assert!(import(&app, &key, "", &good).await.status().is_success());
    // The same rows again: updated, not added.
    assert!(import(&app, &key, "", &good).await.status().is_success());
    assert_eq!(counted().await, 5);
    assert_eq!(warmline::store::contacts::count(db).await.unwrap(), 5);
    let victim = warmline::store::contacts::find_by_phone(db, &warmline::E164::parse("+14155554101").unwrap()).await.unwrap().unwrap();
    assert_eq!(app.client().delete(app.url(&format!("/api/v1/contacts/{}", victim.id.0))).bearer_auth(&key).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(warmline::store::contacts::count(db).await.unwrap(), 4);
    let folded = warmline::store::contacts::compact_count(db).await.unwrap();
    assert_eq!(warmline::store::contacts::count(db).await.unwrap(), 4);
    assert_eq!(counted().await, 4);
    if app.backend == Backend::Postgres {
        assert!(folded >= 3, "the creates, the import and the delete were folded: {folded}");
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contact_count").fetch_one(db.pool()).await.unwrap();
        assert_eq!(rows, 1);
        // Compacting one row changes nothing.
        assert_eq!(warmline::store::contacts::compact_count(db).await.unwrap(), 0);
    }
    // The unfiltered contacts list reports the same total.
    let r = app.client().get(app.url("/api/v1/contacts?per_page=2")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(r.headers()["x-total-count"], "4");
}

/// A search counts its matches up to a cap: past it the total is the cap and says so. The
/// pages still go on, numbered and by cursor, to the last one, which tells the exact total.
async fn a_search_counts_to_the_cap_and_pages_on_past_it(app: TestApp) {
    use warmline::contact::ContactQuery;
    use warmline::store::contacts::search_counting_to;
    for i in 0..23 {
        app.sendable_contact(&format!("+1415555{:04}", 3000 + i)).await;
    }
    app.sendable_contact("+12125559999").await;
    let db = &app.state.db;
    let query = |text: &str, page: i64, after: Option<String>| ContactQuery { q: Some(text.into()), per_page: Some(5), page: Some(page), after, ..Default::default() };
    let search = |q: ContactQuery, cap: i64| async move { search_counting_to(db, &q, warmline::phone::Region::US, cap).await.unwrap() };
    let ids = |p: &warmline::Page<warmline::contact::ContactSummary>| p.items.iter().map(|c| c.id.0).collect::<Vec<_>>();
    // The phone's digits, and a name-and-number search that also looks for the digits.
    for text in ["(415) 555-30", "call 5553"] {
        let first = search(query(text, 1, None), 8).await;
        assert_eq!((first.total, first.total_capped, first.items.len()), (8, true, 5), "{text}");
        let second = search(query(text, 2, None), 8).await;
        assert_eq!((second.total, second.total_capped), (8, true), "{text}");
        let last = search(query(text, 5, None), 8).await;
        assert_eq!((last.total, last.total_capped, last.items.len()), (23, false, 3), "{text}: the last page tells the total");
        let mut numbered = Vec::new();
        for page in 1..=5 {
            numbered.extend(ids(&search(query(text, page, None), 8).await));
        }
        let mut sorted = numbered.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!(numbered, sorted, "{text}: 23 distinct contacts, newest first");
        assert_eq!(numbered.len(), 23);
        // By cursor: the same contacts in the same order.
        let mut walked = ids(&first);
        let mut next = first.next.clone();
        for page in 2..=5 {
            let p = search(query(text, page, next.take()), 8).await;
            walked.extend(ids(&p));
            next = p.next.clone();
        }
        assert_eq!(walked, numbered, "{text}: cursors and page numbers agree");
        // Under the cap the count is exact.
        let all = search(query(text, 1, None), 100).await;
        assert_eq!((all.total, all.total_capped), (23, false), "{text}");
    }
    // A filter that is not a text search is counted the same way.
    for i in 0..12 {
        let c = warmline::store::contacts::find_by_phone(db, &warmline::E164::parse(&format!("+1415555{:04}", 3000 + i)).unwrap()).await.unwrap().unwrap();
        warmline::store::contacts::add_tag(db, c.id, "vip").await.unwrap();
    }
    let tagged = ContactQuery { tag: Some("vip".into()), per_page: Some(5), ..Default::default() };
    let capped = search(tagged.clone(), 8).await;
    assert_eq!((capped.total, capped.total_capped, capped.items.len()), (8, true, 5));
    let exact = search(tagged, 100).await;
    assert_eq!((exact.total, exact.total_capped), (12, false));
}
