//! The public lead capture pages: `/f/{slug}` (the form, server-rendered, usable without
//! JavaScript, embeddable in an iframe), `/f/{slug}/submit` (a browser form or JSON from any
//! site, CORS for the form's allowed origins), `/f/{slug}/confirm` (the code texted to the
//! number, for forms that ask for it), `/f/{slug}/thanks` and `/f/{slug}/privacy`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use std::collections::BTreeMap;
use warmline::error::Error;
use warmline::forms::service::Sender;
use warmline::forms::{FieldKind, Form};
use warmline_app::state::{AppState, ClientIp};

/// Largest submission body.
pub const MAX_BODY: usize = 16 * 1024;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

const STYLE: &str = "*{box-sizing:border-box}body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f8fafc;margin:0;color:#0f172a;line-height:1.45}\
main{max-width:480px;margin:0 auto;padding:24px 18px 40px}.card{background:#fff;border-radius:14px;box-shadow:0 1px 3px #0f172a1f;padding:22px}\
.biz{font-size:13px;font-weight:600;color:#c2410c;letter-spacing:.02em;text-transform:uppercase}h1{font-size:26px;line-height:1.2;margin:6px 0 12px}\
ul.benefits{padding:0;margin:0 0 18px;list-style:none}ul.benefits li{padding-left:26px;position:relative;margin:6px 0}\
ul.benefits li:before{content:'✓';position:absolute;left:4px;color:#15803d;font-weight:700}label{display:block;font-size:14px;font-weight:600;margin:14px 0 6px}\
input[type=text],input[type=tel],input[type=email],textarea{width:100%;font-size:16px;padding:12px;border:1px solid #cbd5e1;border-radius:10px;background:#fff}\
textarea{min-height:90px}input:focus,textarea:focus{outline:2px solid #fb923c;border-color:#fb923c}.req{color:#c2410c}\
.consent{display:flex;gap:10px;align-items:flex-start;font-size:13px;color:#334155;margin:18px 0 6px;font-weight:400}.consent input{width:20px;height:20px;margin-top:2px;flex:none}\
button{width:100%;font-size:17px;font-weight:600;padding:14px;border-radius:10px;border:0;background:#ea580c;color:#fff;margin-top:16px;cursor:pointer}\
button.back{background:#fff;color:#334155;border:1px solid #cbd5e1}.nav{display:flex;gap:10px}.nav button{flex:1}\
.error{background:#fef2f2;color:#991b1b;border:1px solid #fecaca;border-radius:10px;padding:10px 12px;margin-bottom:12px;font-size:14px}\
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}.foot{font-size:12px;color:#64748b;text-align:center;margin-top:18px}\
.foot a{color:#64748b}.progress{font-size:13px;color:#64748b;margin:0 0 4px}.bar{height:6px;background:#e2e8f0;border-radius:99px;overflow:hidden;margin-bottom:8px}\
.bar span{display:block;height:100%;background:#ea580c;width:0}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        esc(title)
    )
}

/// The form page's script. It fills in the visitor's time zone (quiet hours follow it), and
/// when the fields are split into steps (more than four) it shows one step at a time with a
/// progress bar. Without JavaScript every field shows at once and the area code gives the zone.
const STEP_SCRIPT: &str = "try{var z=document.getElementById('f-tz');if(z&&!z.value)z.value=Intl.DateTimeFormat().resolvedOptions().timeZone||''}catch(e){}\
(function(){var s=[].slice.call(document.querySelectorAll('[data-step]'));if(s.length<2)return;var i=0,b=document.getElementById('bar'),p=document.getElementById('progress');\
function show(){s.forEach(function(e,k){e.hidden=k!==i});p.hidden=false;p.textContent='Step '+(i+1)+' of '+s.length;b.parentNode.hidden=false;b.style.width=((i+1)*100/s.length)+'%';}\
document.querySelectorAll('[data-next]').forEach(function(n){n.hidden=false;n.onclick=function(){var bad=[].slice.call(s[i].querySelectorAll('input,textarea')).find(function(x){return !x.checkValidity()});if(bad){bad.reportValidity();return}i++;show()}});\
document.querySelectorAll('[data-back]').forEach(function(n){n.hidden=false;n.onclick=function(){i--;show()}});show();})();";

fn form_page(form: &Form, business: &str, values: &BTreeMap<String, String>, error: Option<&str>) -> String {
    let v = |k: &str| esc(values.get(k).map(String::as_str).unwrap_or_default());
    let mut fields = Vec::new();
    for f in &form.fields {
        let req = if f.required { " required" } else { "" };
        let star = if f.required { " <span class=\"req\">*</span>" } else { "" };
        let id = format!("f-{}", esc(&f.key));
        let input = match f.kind {
            FieldKind::Text => format!("<textarea id=\"{id}\" name=\"{}\" maxlength=\"2000\"{req}>{}</textarea>", esc(&f.key), v(&f.key)),
            kind => {
                let (ty, extra) = match kind {
                    FieldKind::Phone => ("tel", " autocomplete=\"tel\" inputmode=\"tel\" placeholder=\"(415) 555-0100\""),
                    FieldKind::Email => ("email", " autocomplete=\"email\""),
                    FieldKind::Name => ("text", " autocomplete=\"name\""),
                    _ => ("text", ""),
                };
                format!("<input id=\"{id}\" type=\"{ty}\" name=\"{}\" value=\"{}\" maxlength=\"500\"{extra}{req}>", esc(&f.key), v(&f.key))
            }
        };
        fields.push(format!("<label for=\"{id}\">{}{star}</label>{input}", esc(&f.label)));
    }
    // More than four fields: steps of three.
    let steps: Vec<String> = if fields.len() > 4 { fields.chunks(3).map(|c| c.join("")).collect() } else { vec![fields.join("")] };
    let n = steps.len();
    let mut body_fields = String::new();
    for (i, s) in steps.iter().enumerate() {
        let last = i + 1 == n;
        let nav = if n > 1 && !last {
            format!("<div class=\"nav\">{}<button type=\"button\" data-next hidden>Next</button></div>", if i > 0 { "<button type=\"button\" class=\"back\" data-back hidden>Back</button>" } else { "" })
        } else {
            String::new()
        };
        let consent = if last {
            format!(
                "<label class=\"consent\"><input type=\"checkbox\" name=\"consent\" value=\"yes\" required{}><span data-testid=\"consent-text\">{}</span></label>\
                 <div class=\"nav\">{}<button type=\"submit\">Send</button></div>",
                if v("consent").is_empty() { "" } else { " checked" },
                esc(&form.consent_text),
                if n > 1 { "<button type=\"button\" class=\"back\" data-back hidden>Back</button>" } else { "" }
            )
        } else {
            String::new()
        };
        body_fields.push_str(&format!("<div data-step=\"{}\">{s}{nav}{consent}</div>", i + 1));
    }
    let hidden: String = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid", "referrer", "page_url"]
        .iter()
        .filter(|k| values.get(**k).is_some_and(|x| !x.is_empty()))
        .map(|k| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", v(k)))
        .chain(std::iter::once(format!("<input type=\"hidden\" id=\"f-tz\" name=\"timezone\" value=\"{}\">", v("timezone"))))
        .collect();
    let benefits: String = form.benefits.iter().map(|b| format!("<li>{}</li>", esc(b))).collect();
    let error = error.map(|e| format!("<div class=\"error\" role=\"alert\" data-testid=\"form-error\">{}</div>", esc(e))).unwrap_or_default();
    page(
        &form.headline,
        &format!(
            "<div class=\"card\"><div class=\"biz\">{biz}</div><h1>{h}</h1>{ul}{error}\
             <p class=\"progress\" id=\"progress\" hidden></p><div class=\"bar\" hidden><span id=\"bar\"></span></div>\
             <form method=\"post\" action=\"/f/{slug}/submit\" data-testid=\"lead-form\">{body_fields}{hidden}\
             <div class=\"hp\" aria-hidden=\"true\"><label for=\"f-website\">Website</label><input id=\"f-website\" type=\"text\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\"></div>\
             </form></div><p class=\"foot\">{biz} · <a href=\"/f/{slug}/privacy\">Privacy</a></p><script>{STEP_SCRIPT}</script>",
            biz = esc(business),
            h = esc(&form.headline),
            ul = if benefits.is_empty() { String::new() } else { format!("<ul class=\"benefits\">{benefits}</ul>") },
            slug = esc(&form.slug),
        ),
    )
}

/// "Type the code we texted you": posts the code with the submission's token.
fn code_page(form: &Form, business: &str, token: &str, text: &str, error: Option<&str>) -> String {
    let error = error.map(|e| format!("<div class=\"error\" role=\"alert\" data-testid=\"form-error\">{}</div>", esc(e))).unwrap_or_default();
    page(
        &form.headline,
        &format!(
            "<div class=\"card\" data-testid=\"code-page\"><div class=\"biz\">{biz}</div><h1>Check your phone</h1><p>{text}</p>{error}\
             <form method=\"post\" action=\"/f/{slug}/confirm\"><input type=\"hidden\" name=\"token\" value=\"{token}\">\
             <label for=\"f-code\">Code</label><input id=\"f-code\" type=\"text\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" pattern=\"[0-9 ]*\" maxlength=\"12\" required autofocus>\
             <button type=\"submit\">Confirm</button></form></div><p class=\"foot\">{biz} · <a href=\"/f/{slug}\">Start again</a></p>",
            biz = esc(business),
            text = esc(text),
            slug = esc(&form.slug),
            token = esc(token),
        ),
    )
}

/// The status and the words a visitor gets for a refused submission or code (an unexpected
/// error is logged and not shown).
fn public_error(e: Error, what: &'static str) -> (StatusCode, String) {
    match e {
        Error::Invalid(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
        Error::NotFound(m) => (StatusCode::NOT_FOUND, m),
        other => {
            tracing::error!(error = %other, "{what}");
            (StatusCode::INTERNAL_SERVER_ERROR, "something went wrong; please try again".to_string())
        }
    }
}

fn error_page(status: StatusCode, text: &str) -> Response {
    (status, Html(page("Form", &format!("<div class=\"card\"><h1>Sorry</h1><p>{}</p></div>", esc(text))))).into_response()
}

async fn business(state: &AppState) -> String {
    warmline::messaging::replies::business_name(&state.db).await.unwrap_or_else(|_| "Warmline".into())
}

/// `GET /f/{slug}`: the form, with the visit's source fields carried in hidden inputs.
#[tracing::instrument(skip(state, headers, query))]
pub async fn show(State(state): State<AppState>, Path(slug): Path<String>, Query(query): Query<BTreeMap<String, String>>, headers: HeaderMap) -> Response {
    let form = match state.forms.public(&slug).await {
        Ok(f) => f,
        Err(Error::NotFound(m)) => return error_page(StatusCode::NOT_FOUND, &m),
        Err(e) => {
            tracing::error!(error = %e, "form page failed");
            return error_page(StatusCode::INTERNAL_SERVER_ERROR, "something went wrong; please try again");
        }
    };
    let mut values: BTreeMap<String, String> = query.into_iter().filter(|(k, _)| k.starts_with("utm_") || k == "gclid" || k == "fbclid").collect();
    if let Some(r) = headers.get(header::REFERER).and_then(|v| v.to_str().ok()) {
        values.insert("referrer".into(), r.chars().take(500).collect());
    }
    let qs: Vec<String> = values.iter().filter(|(k, _)| *k != "referrer").map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
    let page_url = format!("{}/f/{}{}", state.config.public_url.trim_end_matches('/'), form.slug, if qs.is_empty() { String::new() } else { format!("?{}", qs.join("&")) });
    values.insert("page_url".into(), page_url);
    Html(form_page(&form, &business(&state).await, &values, None)).into_response()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// Reads a form-encoded or JSON body into fields (JSON strings, numbers and booleans).
fn fields_of(headers: &HeaderMap, body: &Bytes) -> Result<(BTreeMap<String, String>, bool), String> {
    let json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("application/json"));
    if json {
        let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
        let obj = v.as_object().ok_or("the body must be a JSON object")?;
        let fields = obj
            .iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k.clone(), s.clone())),
                serde_json::Value::Bool(b) => Some((k.clone(), b.to_string())),
                serde_json::Value::Number(n) => Some((k.clone(), n.to_string())),
                _ => None,
            })
            .collect();
        Ok((fields, true))
    } else {
        Ok((warmline::sms::twilio_signature::parse_form(body).into_iter().collect(), false))
    }
}

/// The CORS origin to allow for this request: a browser on one of the form's sites.
fn allowed_origin(form: Option<&Form>, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?.trim_end_matches('/');
    form?.allowed_origins.iter().any(|o| o.eq_ignore_ascii_case(origin)).then(|| HeaderValue::from_str(origin).ok()).flatten()
}

fn with_cors(mut r: Response, origin: Option<HeaderValue>) -> Response {
    if let Some(o) = origin {
        let h = r.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, OPTIONS"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    r
}

/// `OPTIONS /f/{slug}/submit`: the CORS preflight of a JSON post from another site.
pub async fn preflight(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap) -> Response {
    let form = state.forms.public(&slug).await.ok();
    match allowed_origin(form.as_ref(), &headers) {
        Some(o) => with_cors(StatusCode::NO_CONTENT.into_response(), Some(o)),
        None => StatusCode::FORBIDDEN.into_response(),
    }
}

/// `POST /f/{slug}/submit`: 200 (JSON) or a redirect to the thank-you page (a browser form)
/// when the lead counts; 422 with the reason when it doesn't.
#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn submit(State(state): State<AppState>, Path(slug): Path<String>, Extension(ip): Extension<ClientIp>, headers: HeaderMap, body: Bytes) -> Response {
    let form = state.forms.public(&slug).await.ok();
    let cors = allowed_origin(form.as_ref(), &headers);
    let (fields, json) = match fields_of(&headers, &body) {
        Ok(f) => f,
        Err(m) => return with_cors((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(serde_json::json!({"error": m}))).into_response(), cors),
    };
    let from = Sender { ip: ip.0.clone(), user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default().chars().take(400).collect() };
    let result = state.forms.submit(&slug, &fields, &from).await;
    let response = match (result, json) {
        // The form asks for the texted code first: 202 with the token (JSON), or the code page.
        (Ok(out), true) if out.confirm_token.is_some() => (StatusCode::ACCEPTED, axum::Json(serde_json::json!({
            "ok": true, "status": "confirm", "confirm_token": out.confirm_token, "confirm_url": format!("/f/{slug}/confirm"), "message": out.expect_text,
        })))
            .into_response(),
        (Ok(out), false) if out.confirm_token.is_some() => match &form {
            Some(f) => Html(code_page(f, &business(&state).await, out.confirm_token.as_deref().unwrap_or_default(), &out.expect_text, None)).into_response(),
            None => error_page(StatusCode::NOT_FOUND, "this form is no longer available"),
        },
        (Ok(out), true) => (StatusCode::OK, axum::Json(serde_json::json!({
            "ok": true, "submission_id": out.submission_id, "contact_id": out.contact_id, "created": out.created,
            "message": form.as_ref().map(|f| f.thank_you.clone()).unwrap_or_default(), "expect_text": out.expect_text,
        })))
            .into_response(),
        (Ok(out), false) => Redirect::to(&format!("/f/{}/thanks?when={}", urlencode(&slug), urlencode(&out.expect_text))).into_response(),
        (Err(e), json) => {
            let (status, text) = public_error(e, "form submission failed");
            match (json, &form) {
                (false, Some(f)) => {
                    // Back to the form with what was typed and the reason (the honeypot's value is not echoed).
                    let mut values = fields.clone();
                    values.remove("website");
                    (status, Html(form_page(f, &business(&state).await, &values, Some(&text)))).into_response()
                }
                _ => (status, axum::Json(serde_json::json!({"error": text}))).into_response(),
            }
        }
    };
    with_cors(response, cors)
}

/// `POST /f/{slug}/confirm`: the code texted for a submission (`token`, `code`; a browser
/// form or JSON). 200 or the thank-you page when it matches; 422 with the reason when not.
#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn confirm(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let form = state.forms.public(&slug).await.ok();
    let cors = allowed_origin(form.as_ref(), &headers);
    let (fields, json) = match fields_of(&headers, &body) {
        Ok(f) => f,
        Err(m) => return with_cors((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(serde_json::json!({"error": m}))).into_response(), cors),
    };
    let token = fields.get("token").or_else(|| fields.get("confirm_token")).cloned().unwrap_or_default();
    let code = fields.get("code").cloned().unwrap_or_default();
    let response = match (state.forms.confirm(&slug, &token, &code).await, json) {
        (Ok(out), true) => (StatusCode::OK, axum::Json(serde_json::json!({
            "ok": true, "submission_id": out.submission_id, "contact_id": out.contact_id,
            "message": form.as_ref().map(|f| f.thank_you.clone()).unwrap_or_default(), "expect_text": out.expect_text,
        })))
            .into_response(),
        (Ok(out), false) => Redirect::to(&format!("/f/{}/thanks?when={}", urlencode(&slug), urlencode(&out.expect_text))).into_response(),
        (Err(e), json) => {
            let (status, text) = public_error(e, "form confirmation failed");
            match (json, &form) {
                (false, Some(f)) => (status, Html(code_page(f, &business(&state).await, &token, "Type the code we texted you.", Some(&text)))).into_response(),
                _ => (status, axum::Json(serde_json::json!({"error": text}))).into_response(),
            }
        }
    };
    with_cors(response, cors)
}

/// `GET /f/{slug}/thanks?when=…`: the form's thank-you message and when to expect the text.
pub async fn thanks(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let form = match state.forms.public(&slug).await {
        Ok(f) => f,
        Err(_) => return error_page(StatusCode::NOT_FOUND, "this form is no longer available"),
    };
    let when = q.get("when").map(|w| w.chars().take(300).collect::<String>()).unwrap_or_default();
    let when = if when.is_empty() { String::new() } else { format!("<p data-testid=\"expect-text\">{}</p>", esc(&when)) };
    Html(page(&form.headline, &format!("<div class=\"card\" data-testid=\"thank-you\"><div class=\"biz\">{}</div><h1>{}</h1>{when}</div>", esc(&business(&state).await), esc(&form.thank_you)))).into_response()
}

/// `GET /f/{slug}/privacy`: what is kept and why.
pub async fn privacy(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    let biz = esc(&business(&state).await);
    let back = format!("<p><a href=\"/f/{}\">Back to the form</a></p>", esc(&slug));
    Html(page(
        "Privacy",
        &format!(
            "<div class=\"card\"><div class=\"biz\">{biz}</div><h1>Privacy</h1>\
             <p>When you send this form, {biz} keeps what you typed, the consent text you agreed to, the time, this page's address, your IP address and your browser's name. That record is the proof that you asked to be texted.</p>\
             <p>We use your details to answer your request, by text message and, if you gave it, email. We do not sell your number.</p>\
             <p>Reply STOP to any text to stop them at once, or HELP for help.</p>{back}</div>"
        ),
    ))
    .into_response()
}
