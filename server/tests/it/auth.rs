//! Setup, sign-in, sessions, roles, CSRF and throttling, through the real router.

use crate::common;
use common::TestApp;
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use warmline_app::api::{admin, auth};

const ADMIN: &str = "admin@example.com";
const PASSWORD: &str = "correct horse battery";

both!(
    health_answers_when_database_answers,
    fresh_install_leads_to_setup_once,
    login_logout_and_session_rotation,
    wrong_password_is_rejected_and_pages_need_a_session,
    throttling_slows_a_guesser_but_not_the_real_user,
    cross_origin_writes_are_rejected,
    members_cannot_manage_the_team,
    members_change_their_password_and_admins_reset_others,
    a_time_zone_saved_on_one_server_reaches_the_others,
    sign_in_never_follows_a_next_that_leaves_the_site,
    two_admins_removing_each_other_at_once_leave_one,
    the_live_stream_ends_when_its_session_does,
);

/// Open live-event streams stop once their session is gone (here: the user signs out), all of
/// that session's streams (two tabs) and none of another session's.
async fn the_live_stream_ends_when_its_session_does(app: TestApp) {
    let c = app.setup_admin(ADMIN, PASSWORD).await;
    let other = app.client();
    let r = app.login(&other, ADMIN, PASSWORD).await;
    assert!(r.status().is_success() || r.status().is_redirection());
    let mut streams = Vec::new();
    for client in [&c, &c, &other] {
        let mut stream = client.get(app.url("/app/events")).send().await.unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        let first = stream.chunk().await.unwrap().expect("the resync event");
        assert!(String::from_utf8_lossy(&first).contains("resync"));
        streams.push(stream);
    }
    let mut kept = streams.pop().unwrap();
    let r = app.server_fn::<auth::Logout>(&c, &[]).await;
    assert!(r.status().is_success() || r.status().is_redirection());
    // Bounded: sessions are checked every 5 s; keep-alives may arrive before a stream ends.
    for mut stream in streams {
        let ended = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            while let Some(_chunk) = stream.chunk().await.unwrap_or(None) {}
        })
        .await;
        assert!(ended.is_ok(), "a stream outlived its session");
    }
    // The other session's stream is still open: no end of stream is waiting to be read.
    match tokio::time::timeout(std::time::Duration::from_millis(300), kept.chunk()).await {
        Err(_) | Ok(Ok(Some(_))) => {}
        Ok(end) => panic!("the other session's stream ended with it: {end:?}"),
    }
}

/// Two admins removing each other at the same moment: one removal wins, the other is refused
/// as "the last admin" — never zero admins. Repeated, since it is a race.
async fn two_admins_removing_each_other_at_once_leave_one(app: TestApp) {
    use warmline::store::users;
    let db = &app.state.db;
    let hash = warmline::auth::hash_password("long enough");
    for round in 0..10 {
        let a = users::create(db, &format!("a{round}@example.com"), &hash, warmline::user::Role::Admin).await.unwrap();
        let b = users::create(db, &format!("b{round}@example.com"), &hash, warmline::user::Role::Admin).await.unwrap();
        let (ra, rb) = tokio::join!(users::delete(db, a.id), users::delete(db, b.id));
        assert!(ra.is_ok() != rb.is_ok(), "round {round}: exactly one removal wins ({ra:?}, {rb:?})");
        let admins = users::list(db).await.unwrap().into_iter().filter(|u| u.is_admin()).count();
        assert_eq!(admins, 1, "round {round}: one admin is left");
        // Leave the survivor out of the next round.
        for u in users::list(db).await.unwrap() {
            sqlx::query("UPDATE users SET role = 'member' WHERE id = $1").bind(u.id.0).execute(db.pool()).await.unwrap();
        }
    }
}

/// `next` with control characters once redirected off-site (`/\t/evil.com`) or panicked after
/// the session was made (`\n`); now every such value leads home, and sign-in still works.
async fn sign_in_never_follows_a_next_that_leaves_the_site(app: TestApp) {
    app.setup_admin(ADMIN, PASSWORD).await;
    for next in ["/\t/evil.com", "/\n/evil.com", "/a\r\nSet-Cookie: x=1", "//evil.com", "/\\evil.com"] {
        let c = app.client();
        let r = app.server_fn::<auth::Login>(&c, &[("email", ADMIN), ("password", PASSWORD), ("next", next)]).await;
        assert!(r.status().is_success() || r.status().is_redirection(), "{next:?}: {}", r.status());
        assert_eq!(r.headers()[LOCATION], "/", "{next:?}");
        assert!(session_cookie(&r).is_some(), "{next:?}: signed in");
    }
    let c = app.client();
    let r = app.server_fn::<auth::Login>(&c, &[("email", ADMIN), ("password", PASSWORD), ("next", "/contacts?q=ann")]).await;
    assert_eq!(r.headers()[LOCATION], "/contacts?q=ann");
}

/// On PostgreSQL several servers share one database: a zone saved on one reaches the others'
/// send gates through the event bus (SQLite runs one server).
async fn a_time_zone_saved_on_one_server_reaches_the_others(app: TestApp) {
    if app.backend != common::Backend::Postgres {
        return;
    }
    let other = warmline_server::app::messenger(&app.state.db, &app.state.config, warmline_server::app::configured_provider(&app.state.config)).await.unwrap();
    let follower = tokio::spawn(warmline::org::follow_settings(other.clone()));
    warmline::org::save_business(&app.state.messenger, "Sunrise Roofing", "America/Denver").await.unwrap();
    // The other server may still be connecting its listener: the notice is repeated until heard.
    common::eventually("the other server's gate uses the new zone", || async {
        app.state.messenger.events.publish(warmline::messaging::LiveEvent::Settings).await;
        other.rules.get().default_zone == chrono_tz::America::Denver
    })
    .await;
    follower.abort();
}

async fn signed_in(app: &TestApp, client: &reqwest::Client) -> bool {
    app.server_fn::<auth::CurrentUser>(client, &[]).await.json::<Option<warmline::user::User>>().await.unwrap().is_some()
}

async fn members_change_their_password_and_admins_reset_others(app: TestApp) {
    let admin_client = app.setup_admin(ADMIN, PASSWORD).await;
    let r = app.server_fn::<admin::CreateUser>(&admin_client, &[("email", "mia@example.com"), ("password", "member password"), ("role", "member")]).await;
    let mia: warmline::user::User = r.json().await.unwrap();
    let laptop = app.client();
    app.login(&laptop, "mia@example.com", "member password").await;
    let phone = app.client();
    app.login(&phone, "mia@example.com", "member password").await;

    // A wrong current password, or a mismatched confirmation, changes nothing.
    let change = |current: &'static str, new: &'static str, confirm: &'static str| [("current", current), ("new", new), ("confirm", confirm)];
    let r = app.server_fn::<auth::ChangePassword>(&laptop, &change("guess", "new member pw", "new member pw")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("current password is wrong"));
    let r = app.server_fn::<auth::ChangePassword>(&laptop, &change("member password", "new member pw", "other")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The real change: this device stays signed in, the other one is signed out.
    let r = app.server_fn::<auth::ChangePassword>(&laptop, &change("member password", "new member pw", "new member pw")).await;
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    assert!(signed_in(&app, &laptop).await);
    assert!(!signed_in(&app, &phone).await, "other sessions end");
    assert_eq!(app.login(&app.client(), "mia@example.com", "member password").await.status(), StatusCode::UNPROCESSABLE_ENTITY, "the old password no longer works");
    let again = app.client();
    let r = app.login(&again, "mia@example.com", "new member pw").await;
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    assert!(signed_in(&app, &again).await);

    // A member can't reset anyone's password; an admin can, and it signs them out everywhere.
    let mia_id = mia.id.to_string();
    let admin_id = warmline::store::users::list(&app.state.db).await.unwrap().into_iter().find(|u| u.email == ADMIN).unwrap().id.to_string();
    let r = app.server_fn::<admin::ResetPassword>(&again, &[("id", admin_id.as_str()), ("password", "taken over!")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.server_fn::<admin::ResetPassword>(&admin_client, &[("id", mia_id.as_str()), ("password", "short")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.server_fn::<admin::ResetPassword>(&admin_client, &[("id", mia_id.as_str()), ("password", "reset by admin")]).await;
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    assert!(!signed_in(&app, &laptop).await && !signed_in(&app, &again).await);
    let r = app.login(&app.client(), "mia@example.com", "reset by admin").await;
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
}

async fn health_answers_when_database_answers(app: TestApp) {
    let r = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn fresh_install_leads_to_setup_once(app: TestApp) {
    let c = app.client();
    for path in ["/", "/contacts", "/login"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()[LOCATION], "/setup", "{path}");
    }
    let r = c.get(app.url("/setup")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("first admin account"));
    assert!(html.contains("Business name") && html.contains("Time zone"), "setup asks for the business and its zone");

    // mismatched confirmation is refused and creates nobody
    let setup = |email: &'static str, confirm: &'static str, business: &'static str, zone: &'static str| {
        [("email", email), ("password", PASSWORD), ("confirm", confirm), ("business_name", business), ("timezone", zone)]
    };
    let r = app.server_fn::<auth::SetupAdmin>(&c, &setup(ADMIN, "other password", "Sunrise Roofing", "America/Chicago")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // so do an empty business name and an unknown zone
    let r = app.server_fn::<auth::SetupAdmin>(&c, &setup(ADMIN, PASSWORD, "  ", "America/Chicago")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.server_fn::<auth::SetupAdmin>(&c, &setup(ADMIN, PASSWORD, "Sunrise Roofing", "Mars/Olympus")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("unknown time zone"));
    assert_eq!(warmline::store::users::count(&app.state.db).await.unwrap(), 0);

    let signed_in = app.client();
    let r = app.server_fn::<auth::SetupAdmin>(&signed_in, &setup(ADMIN, PASSWORD, " Sunrise Roofing ", "America/Chicago")).await;
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    let page = signed_in.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(ADMIN));
    // The business name and zone are saved and used at once: the gate's zone, and {brand} in replies.
    let db = &app.state.db;
    assert_eq!(warmline::messaging::replies::business_name(db).await.unwrap(), "Sunrise Roofing");
    assert_eq!(app.state.messenger.rules.get().default_zone, chrono_tz::America::Chicago);
    let stop = warmline::messaging::replies::text(db, warmline::messaging::replies::OPT_OUT_REPLY).await.unwrap();
    assert!(stop.starts_with("Sunrise Roofing:"), "{stop}");

    // a second setup is refused, and /setup now leads away
    let other = app.client();
    let r = app.server_fn::<auth::SetupAdmin>(&other, &setup("eve@example.com", PASSWORD, "Eve Corp", "UTC")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(warmline::store::users::count(&app.state.db).await.unwrap(), 1);
    let r = other.get(app.url("/setup")).send().await.unwrap();
    assert_eq!(r.headers()[LOCATION], "/login");
}

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("warmline_session="))
        .map(str::to_string)
}

async fn login_logout_and_session_rotation(app: TestApp) {
    app.setup_admin(ADMIN, PASSWORD).await;
    let c = app.client();
    let first = app.login(&c, ADMIN, PASSWORD).await;
    assert!(first.status().is_success() || first.status().is_redirection(), "{}", first.status());
    let cookie = session_cookie(&first).expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "http PUBLIC_URL must not set Secure: {cookie}");
    let first_token = cookie.split(';').next().unwrap().trim_start_matches("warmline_session=").to_string();

    // signing in again issues a new id and kills the old one
    let second = app.login(&c, ADMIN, PASSWORD).await;
    let second_token = session_cookie(&second).unwrap().split(';').next().unwrap().trim_start_matches("warmline_session=").to_string();
    assert_ne!(first_token, second_token);
    assert!(warmline::store::sessions::user_for(&app.state.db, &first_token).await.unwrap().is_none());
    assert!(warmline::store::sessions::user_for(&app.state.db, &second_token).await.unwrap().is_some());

    let r = app.server_fn::<auth::Logout>(&c, &[]).await;
    assert!(session_cookie(&r).unwrap().contains("Max-Age=0"));
    assert!(warmline::store::sessions::user_for(&app.state.db, &second_token).await.unwrap().is_none());
    let r = c.get(app.url("/contacts")).send().await.unwrap();
    assert_eq!(r.headers()[LOCATION], "/login?next=%2Fcontacts");
}

async fn wrong_password_is_rejected_and_pages_need_a_session(app: TestApp) {
    app.setup_admin(ADMIN, PASSWORD).await;
    let c = app.client();
    let r = app.login(&c, ADMIN, "wrong password").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session_cookie(&r).is_none());
    assert!(r.text().await.unwrap().contains("wrong email or password"));
    let r = app.login(&c, "nobody@example.com", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let r = c.get(app.url("/contacts?q=ann")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/login?next=%2Fcontacts%3Fq%3Dann");
    // server functions refuse too
    let r = app.server_fn::<warmline_app::api::contacts::GetOverview>(&c, &[]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // static assets and the login page stay open
    assert_eq!(c.get(app.url("/login")).send().await.unwrap().status(), StatusCode::OK);
}

async fn throttling_slows_a_guesser_but_not_the_real_user(app: TestApp) {
    app.setup_admin(ADMIN, PASSWORD).await;
    let attacker = app.client_from([127, 0, 0, 1]);
    for _ in 0..5 {
        let r = app.login(&attacker, ADMIN, "guess").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // now even the right password waits, from the guessing address
    let r = app.login(&attacker, ADMIN, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // the real user, elsewhere, signs in at once
    let user = app.client_from([127, 0, 0, 2]);
    let r = app.login(&user, ADMIN, PASSWORD).await;
    assert!(session_cookie(&r).is_some(), "real user locked out: {}", r.status());
}

async fn cross_origin_writes_are_rejected(app: TestApp) {
    app.setup_admin(ADMIN, PASSWORD).await;
    let c = app.client();
    let path = app.url(<auth::Login as leptos::server_fn::ServerFn>::PATH);
    let form = [("email", ADMIN), ("password", PASSWORD)];
    let r = c.post(&path).header("Sec-Fetch-Site", "cross-site").form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie(&r).is_none());
    let r = c.post(&path).header("Origin", "https://evil.example").form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c.post(&path).header("Sec-Fetch-Site", "same-origin").form(&form).send().await.unwrap();
    assert!(session_cookie(&r).is_some());
    let r = c.post(app.url("/app/imports?list=x")).header("Origin", "https://evil.example").body("phone\n4155552671\n").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.contact_count().await, 0);
}

async fn members_cannot_manage_the_team(app: TestApp) {
    let admin_client = app.setup_admin(ADMIN, PASSWORD).await;
    let r = app.server_fn::<admin::CreateUser>(&admin_client, &[("email", "mia@example.com"), ("password", "member password"), ("role", "member")]).await;
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    let member = app.client();
    app.login(&member, "mia@example.com", "member password").await;
    let r = app.server_fn::<admin::ListUsers>(&member, &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.server_fn::<admin::CreateApiKey>(&member, &[("name", "sneaky")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Deleting a contact (with its history) is for admins too.
    let c = app.sendable_contact("+14155550977").await.to_string();
    let r = app.server_fn::<warmline_app::api::crm::DeleteContact>(&member, &[("id", c.as_str())]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.contact_count().await, 1);
    // the admin can
    let r = app.server_fn::<admin::ListUsers>(&admin_client, &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let users: Vec<warmline::user::User> = r.json().await.unwrap();
    assert_eq!(users.len(), 2);
}
