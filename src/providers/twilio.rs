//! A thin typed Twilio client over reqwest. The API base is configuration, so tests point it
//! at a fake server on loopback.

use super::{Accepted, SendError, SmsProvider};
use crate::message::MessageStatus;
use crate::E164;
use serde::Deserialize;
use std::time::Duration;

/// Who the message is from: a number, or a Messaging Service (Twilio picks the number).
#[derive(Clone, Debug)]
pub enum Sender {
    From(E164),
    MessagingService(String),
}

#[derive(Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    api_base: String,
    account_sid: String,
    auth_token: String,
    sender: Sender,
    status_callback: String,
}

impl std::fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioClient").field("api_base", &self.api_base).field("account_sid", &self.account_sid).field("sender", &self.sender).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct MessageResource {
    sid: String,
    status: String,
}

#[derive(Deserialize)]
struct MessageList {
    messages: Vec<ListedMessage>,
}

#[derive(Deserialize)]
struct ListedMessage {
    sid: String,
    status: String,
    body: Option<String>,
    date_created: Option<String>,
}

/// Clocks differ: a listed message created up to this long before `since` still matches.
const CLOCK_SKEW_MS: i64 = 120_000;

#[derive(Deserialize)]
struct ErrorResource {
    code: Option<i64>,
    message: Option<String>,
}

impl TwilioClient {
    /// `api_base` without a trailing slash (`https://api.twilio.com`); `status_callback` is the
    /// absolute URL of `/webhooks/twilio/status`.
    pub fn new(api_base: &str, account_sid: &str, auth_token: &str, sender: Sender, status_callback: &str, timeout: Duration) -> TwilioClient {
        let http = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build().expect("reqwest client");
        TwilioClient {
            http,
            api_base: api_base.trim_end_matches('/').to_string(),
            account_sid: account_sid.to_string(),
            auth_token: auth_token.to_string(),
            sender,
            status_callback: status_callback.to_string(),
        }
    }

    fn messages_url(&self) -> String {
        format!("{}/2010-04-01/Accounts/{}/Messages.json", self.api_base, self.account_sid)
    }
}

#[async_trait::async_trait]
impl SmsProvider for TwilioClient {
    fn name(&self) -> &'static str {
        "twilio"
    }

    #[tracing::instrument(skip(self, body, from), fields(to = %to))]
    async fn send(&self, to: &E164, from: Option<&E164>, body: &str) -> Result<Accepted, SendError> {
        let mut form: Vec<(&str, &str)> = vec![("To", to.as_str()), ("Body", body), ("StatusCallback", &self.status_callback)];
        match (from, &self.sender) {
            (Some(n), _) => form.push(("From", n.as_str())),
            (None, Sender::From(n)) => form.push(("From", n.as_str())),
            (None, Sender::MessagingService(s)) => form.push(("MessagingServiceSid", s)),
        }
        let resp = self
            .http
            .post(self.messages_url())
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                if e.is_connect() {
                    // Never reached Twilio: safe to try again.
                    SendError::Transient { code: None, message: format!("could not reach Twilio: {e}"), retry_after: None }
                } else if e.is_timeout() {
                    SendError::Unknown { message: "Twilio did not answer in time; the message may have been sent".into() }
                } else {
                    SendError::Unknown { message: format!("the request to Twilio broke off: {e}") }
                }
            })?;
        let status = resp.status();
        let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok()).map(Duration::from_secs);
        let text = resp.text().await.map_err(|e| SendError::Unknown { message: format!("Twilio's answer was lost: {e}") })?;
        if status.is_success() {
            let m: MessageResource = serde_json::from_str(&text).map_err(|e| SendError::Rejected { code: None, message: format!("unexpected answer from Twilio: {e}") })?;
            return Ok(Accepted { sid: m.sid, status: MessageStatus::parse(&m.status).unwrap_or(MessageStatus::Queued) });
        }
        let err: ErrorResource = serde_json::from_str(&text).unwrap_or(ErrorResource { code: None, message: None });
        let message = err.message.unwrap_or_else(|| format!("HTTP {status}"));
        let mut e = SendError::from_twilio(status.as_u16(), err.code, message);
        if let SendError::Transient { retry_after: ra, .. } = &mut e {
            *ra = retry_after;
        }
        Err(e)
    }

    /// Lists the latest messages to `to` (`GET Messages.json?To=…&PageSize=50`, newest first)
    /// and returns one with exactly this body created since `since_ms`.
    #[tracing::instrument(skip(self, body), fields(to = %to))]
    async fn find_sent(&self, to: &E164, body: &str, since_ms: i64) -> Result<Option<Accepted>, SendError> {
        let resp = self
            .http
            .get(self.messages_url())
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .query(&[("To", to.as_str()), ("PageSize", "50")])
            .send()
            .await
            .map_err(|e| SendError::Transient { code: None, message: format!("could not reach Twilio: {e}"), retry_after: None })?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| SendError::Transient { code: None, message: format!("reading Twilio's answer: {e}"), retry_after: None })?;
        if !status.is_success() {
            let err: ErrorResource = serde_json::from_str(&text).unwrap_or(ErrorResource { code: None, message: None });
            return Err(SendError::from_twilio(status.as_u16(), err.code, err.message.unwrap_or_else(|| format!("HTTP {status}"))));
        }
        let list: MessageList = serde_json::from_str(&text).map_err(|e| SendError::Rejected { code: None, message: format!("unexpected answer from Twilio: {e}") })?;
        Ok(list
            .messages
            .into_iter()
            .filter(|m| m.body.as_deref() == Some(body))
            .find(|m| {
                m.date_created
                    .as_deref()
                    .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
                    .is_some_and(|d| d.timestamp_millis() >= since_ms - CLOCK_SKEW_MS)
            })
            .map(|m| Accepted { sid: m.sid, status: MessageStatus::parse(&m.status).unwrap_or(MessageStatus::Queued) }))
    }
}
