//! Setup, sign-in, sessions, roles, CSRF and throttling, through the real router.

mod common;
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
);

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
    assert!(r.text().await.unwrap().contains("Create the first admin"));

    // mismatched confirmation is refused and creates nobody
    let r = app.server_fn::<auth::SetupAdmin>(&c, &[("email", ADMIN), ("password", PASSWORD), ("confirm", "other password")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(warmline::store::users::count(&app.state.db).await.unwrap(), 0);

    let signed_in = app.setup_admin(ADMIN, PASSWORD).await;
    let page = signed_in.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(ADMIN));

    // a second setup is refused, and /setup now leads away
    let other = app.client();
    let r = app.server_fn::<auth::SetupAdmin>(&other, &[("email", "eve@example.com"), ("password", PASSWORD), ("confirm", PASSWORD)]).await;
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
    // the admin can
    let r = app.server_fn::<admin::ListUsers>(&admin_client, &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let users: Vec<warmline::user::User> = r.json().await.unwrap();
    assert_eq!(users.len(), 2);
}
