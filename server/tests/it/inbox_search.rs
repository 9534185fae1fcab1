//! The inbox's search, on both databases: by contact (name, email, phone digits) and by the
//! text of any message, through the trigram indexes, newest match first; filters apply; and
//! every way the search can go (few matches looked up, many read newest first, a very common
//! term read conversation by conversation) finds the same conversations.

use crate::common;
use common::{eventually, TestApp};
use reqwest::StatusCode;
use warmline::contact::NewContact;
use warmline::store::messages::{inbox_tuned, InboxFilter, SearchTuning};
use warmline::{ContactId, UserId};

both!(the_inbox_search_finds_contacts_and_message_text_whichever_way_it_reads);

async fn inbound(app: &TestApp, from: &str, body: &str) {
    let sid = format!("SM{}", uuid::Uuid::new_v4().simple());
    let r = app.twilio_webhook("/webhooks/twilio/sms", &[("MessageSid", &sid), ("From", from), ("To", "+14155550100"), ("Body", body)]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn contact(app: &TestApp, phone: &str, first: &str, last: &str) -> ContactId {
    let new = NewContact { phone: phone.into(), first_name: Some(first.into()), last_name: Some(last.into()), email: Some(format!("{}@example.com", first.to_lowercase())), ..Default::default() };
    warmline::store::contacts::create(&app.state.db, &new, app.state.config.default_region).await.expect("contact").id
}

/// Stores an inbound text from `phone` and dates it `at`, so the order is the test's.
async fn text_at(app: &TestApp, who: ContactId, phone: &str, body: &str, at: i64) {
    let before = app.messages(who).await.len();
    inbound(app, phone, body).await;
    eventually("the text is stored", || async { app.messages(who).await.len() > before }).await;
    let db = app.state.db.pool();
    sqlx::query("UPDATE messages SET created_at = $1 WHERE contact_id = $2 AND body = $3").bind(at).bind(who.0).bind(body).execute(db).await.unwrap();
    sqlx::query("UPDATE conversations SET last_message_at = (SELECT MAX(created_at) FROM messages WHERE contact_id = $1) WHERE contact_id = $1").bind(who.0).execute(db).await.unwrap();
}

async fn the_inbox_search_finds_contacts_and_message_text_whichever_way_it_reads(app: TestApp) {
    let db = &app.state.db;
    let admin = warmline::store::users::create(db, "ines@example.com", "x", warmline::user::Role::Admin).await.unwrap().id;
    let t = warmline::now_millis() - 60_000;
    let ana = contact(&app, "+14155550911", "Ana", "Lopez").await;
    let ben = contact(&app, "+14155550912", "Ben", "Ortiz").await;
    let cara = contact(&app, "+14155550913", "Cara", "Diaz").await;
    // The same last seven digits as Cara's number, in another area code.
    let dan = contact(&app, "+12125550913", "Dan", "Wu").await;
    text_at(&app, dan, "+12125550913", "Hello", t - 1_000).await;
    text_at(&app, ana, "+14155550911", "Do you do GUTTERS too?", t).await;
    // Two numbers that end in the same six digits.
    text_at(&app, ben, "+14155550912", "Invoice #7450918 attached", t + 500).await;
    text_at(&app, cara, "+14155550913", "Is estimate #4450918 still good?", t + 2_500).await;
    text_at(&app, ben, "+14155550912", "Is the estimate free?", t + 1_000).await;
    text_at(&app, cara, "+14155550913", "Need gutters cleaned before winter", t + 2_000).await;
    text_at(&app, ben, "+14155550912", "Thanks, see you Tuesday", t + 3_000).await;
    text_at(&app, ana, "+14155550911", "Also the garage roof", t + 4_000).await;
    warmline::store::messages::assign(db, ana, Some(admin)).await.unwrap();

    let ways = [
        ("the defaults", SearchTuning::default()),
        // PostgreSQL: a short walk, then the text index.
        ("many matches, read a page at a time", SearchTuning { gather: 0, page: 1, max_messages: 1_000, walk: 2, index_at: 0 }),
        // PostgreSQL: a short walk, then the text index in windows of ids sized by what the
        // walk saw.
        ("a short walk, then the index window by window", SearchTuning { gather: 0, page: 1, max_messages: 1_000, walk: 3, index_at: 1_000_000 }),
        // PostgreSQL: walked newest first, window by wider window, to the first message.
        ("walked window by window", SearchTuning { gather: 0, page: 2, max_messages: 1_000, walk: 1, index_at: -1 }),
        ("too common: conversation by conversation", SearchTuning { gather: 0, page: 1, max_messages: 1, ..SearchTuning::default() }),
    ];
    for (way, tuning) in ways {
        let search = |q: &'static str, filter: InboxFilter| async move {
            inbox_tuned(db, filter, None, admin, Some(q), 50, tuning).await.unwrap().into_iter().map(|c| c.contact_id).collect::<Vec<_>>()
        };
        // Message text, any case: the newest match first (Cara wrote of gutters after Ana did,
        // though Ana's conversation has the latest message) — read match by match.
        let gutters = search("gutters", InboxFilter::All).await;
        if tuning.max_messages > 1 {
            assert_eq!(gutters, vec![cara, ana], "{way}");
        } else {
            // Read conversation by conversation, the latest conversation comes first.
            assert_eq!(gutters, vec![ana, cara], "{way}");
        }
        assert_eq!(search("estimate fr", InboxFilter::All).await, vec![ben], "{way}");
        assert_eq!(search("Estimate #4450918", InboxFilter::All).await, vec![cara], "{way}");
        assert_eq!(search("invoice #7450918", InboxFilter::All).await, vec![ben], "{way}");
        // A name, an email, phone digits in any format.
        assert_eq!(search("lopez", InboxFilter::All).await, vec![ana], "{way}");
        assert_eq!(search("ORTIZ", InboxFilter::All).await, vec![ben], "{way}");
        assert_eq!(search("cara@exa", InboxFilter::All).await, vec![cara], "{way}");
        assert_eq!(search("(415) 555-0913", InboxFilter::All).await, vec![cara], "{way}");
        assert_eq!(search("555-0913", InboxFilter::All).await, vec![cara, dan], "{way}");
        // Shorter than a trigram: names only.
        assert_eq!(search("Di", InboxFilter::All).await, vec![cara], "{way}");
        // Filters apply to what is found.
        assert_eq!(search("gutters", InboxFilter::Mine).await, vec![ana], "{way}");
        assert_eq!(search("gutters", InboxFilter::Unassigned).await, vec![cara], "{way}");
        assert!(search("skylight", InboxFilter::All).await.is_empty(), "{way}");
    }

    // The index follows the messages: a deleted contact's texts are found no more.
    let key = app.api_key().await;
    let r = app.client().delete(app.url(&format!("/api/v1/contacts/{}", cara.0))).bearer_auth(&key).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let after = inbox_tuned(db, InboxFilter::All, None, UserId(0), Some("gutters"), 50, SearchTuning::default()).await.unwrap();
    assert_eq!(after.iter().map(|c| c.contact_id).collect::<Vec<_>>(), vec![ana]);
    let orphans: i64 = match db.backend() {
        warmline::store::Backend::Sqlite => sqlx::query_scalar("SELECT COUNT(*) FROM message_search WHERE message_search MATCH '\"cleaned\"'").fetch_one(db.pool()).await.unwrap(),
        warmline::store::Backend::Postgres => 0,
    };
    assert_eq!(orphans, 0, "the deleted contact's message left the index");
}
