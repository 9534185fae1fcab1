//! The AI writer: drafts one suggestion per contact through any OpenAI-compatible Chat
//! Completions endpoint (OpenAI, Ollama, vLLM, llama.cpp's server), from a person's brief and
//! the contact's context. Its answer is checked like any message; a failed call or an answer
//! that breaks the rules gives way to the template, and the item says why.

use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// Where the writer is and how long it may take.
#[derive(Clone)]
pub struct AiConfig {
    /// e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`, without a trailing slash.
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for AiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// What a draft must respect.
#[derive(Clone, Debug)]
pub struct Rules<'a> {
    /// The business name every message must name.
    pub business: &'a str,
    /// Marketing messages need opt-out wording ("Reply STOP to opt out").
    pub marketing: bool,
    pub allow_links: bool,
    /// Longest draft, in characters (two segments by default).
    pub max_chars: usize,
}

/// Why the AI's draft was not used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("the AI writer did not answer in time")]
    Timeout,
    #[error("the AI writer failed: {0}")]
    Failed(String),
    #[error("the AI's draft broke a rule: {0}")]
    Broke(String),
}

#[derive(Clone)]
pub struct AiWriter {
    http: reqwest::Client,
    config: AiConfig,
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: ChoiceMessage,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
}

/// Attempts per draft: the first, and one more after a 429 or a 5xx.
const ATTEMPTS: u32 = 2;
/// Longest wait a `Retry-After` may ask for before the draft falls back instead.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);

impl AiWriter {
    pub fn new(config: AiConfig) -> AiWriter {
        let http = reqwest::Client::builder().timeout(config.timeout).build().unwrap_or_default();
        AiWriter { http, config }
    }

    /// One draft for one contact.
    #[tracing::instrument(skip_all, fields(model = %self.config.model))]
    pub async fn draft(&self, brief: &str, context: &serde_json::Value, rules: &Rules<'_>) -> Result<String, WriteError> {
        let system = format!(
            "You write one SMS for {business} to one customer. Plain text only, at most {max} characters, friendly and personal, no emojis. \
             Name {business} in the text.{stop}{links} Answer with the message text only.",
            business = rules.business,
            max = rules.max_chars,
            stop = if rules.marketing { " End with \"Reply STOP to opt out.\"" } else { "" },
            links = if rules.allow_links { "" } else { " Do not include any link or web address." },
        );
        let body = json!({
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": format!("Brief: {brief}\nCustomer: {context}")}
            ],
            "temperature": 0.7,
            "max_tokens": 300
        });
        let url = format!("{}/chat/completions", self.config.base_url);
        let mut attempt = 0;
        let text = loop {
            attempt += 1;
            let mut req = self.http.post(&url).json(&body);
            if let Some(key) = &self.config.api_key {
                req = req.bearer_auth(key);
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if e.is_timeout() => return Err(WriteError::Timeout),
                Err(e) => return Err(WriteError::Failed(format!("could not reach {}: {}", self.config.base_url, e.without_url()))),
            };
            let status = resp.status();
            if (status.as_u16() == 429 || status.is_server_error()) && attempt < ATTEMPTS {
                let wait = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs).unwrap_or(Duration::from_millis(500));
                if wait > MAX_RETRY_WAIT {
                    return Err(WriteError::Failed(format!("the AI service is busy (HTTP {status}) for {} s", wait.as_secs())));
                }
                tracing::info!(%status, ?wait, "AI writer busy; trying once more");
                tokio::time::sleep(wait).await;
                continue;
            }
            if !status.is_success() {
                return Err(WriteError::Failed(format!("HTTP {status}")));
            }
            let c: Completion = match resp.json().await {
                Ok(c) => c,
                Err(e) if e.is_timeout() => return Err(WriteError::Timeout),
                Err(_) => return Err(WriteError::Failed("the answer is not a chat completion".into())),
            };
            break c.choices.into_iter().next().and_then(|c| c.message.content).unwrap_or_default();
        };
        let text = text.trim().trim_matches('"').trim().to_string();
        check(&text, rules).map_err(WriteError::Broke)?;
        Ok(text)
    }
}

/// The rules every draft is held to (pure, so the page and tests can use it).
pub fn check(text: &str, r: &Rules<'_>) -> Result<(), String> {
    if text.is_empty() {
        return Err("the draft is empty".into());
    }
    let n = text.chars().count();
    if n > r.max_chars {
        return Err(format!("the draft is {n} characters, over the limit of {}", r.max_chars));
    }
    let lower = text.to_lowercase();
    if !r.business.trim().is_empty() && !lower.contains(&r.business.trim().to_lowercase()) {
        return Err(format!("the draft does not name {}", r.business.trim()));
    }
    if !r.allow_links && (lower.contains("http://") || lower.contains("https://") || lower.contains("www.") || has_domain(&lower)) {
        return Err("the draft contains a link".into());
    }
    if r.marketing && !lower.contains("stop") {
        return Err("the draft has no opt-out wording (Reply STOP to opt out)".into());
    }
    Ok(())
}

/// A bare domain like `example.com/deal` or `bit.ly/x` (a sentence's full stop is not one).
fn has_domain(lower: &str) -> bool {
    lower.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        let host = w.split('/').next().unwrap_or("");
        host.rsplit_once('.').is_some_and(|(name, tld)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') && (2..=6).contains(&tld.len()) && tld.chars().all(|c| c.is_ascii_lowercase())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules<'static> {
        Rules { business: "Green Leaf", marketing: true, allow_links: false, max_chars: 320 }
    }

    #[test]
    fn drafts_are_held_to_the_rules() {
        assert!(check("Hi Sam, Green Leaf misses you: 10% off this week. Reply STOP to opt out.", &rules()).is_ok());
        assert!(check("Hi Sam, 10% off this week. Reply STOP to opt out.", &rules()).unwrap_err().contains("does not name Green Leaf"));
        assert!(check("Hi Sam, Green Leaf: 10% off at greenleaf.com. Reply STOP to opt out.", &rules()).unwrap_err().contains("link"));
        assert!(check("Hi Sam, Green Leaf: see https://x.io/a. Reply STOP to opt out.", &rules()).unwrap_err().contains("link"));
        assert!(check("Hi Sam, Green Leaf misses you: 10% off this week.", &rules()).unwrap_err().contains("opt-out"));
        assert!(check(&format!("Green Leaf {} STOP", "a".repeat(400)), &rules()).unwrap_err().contains("over the limit"));
        // Ordinary sentences with full stops are not links.
        assert!(check("Hi Sam. Green Leaf has new stock. Come by soon. Reply STOP to opt out.", &rules()).is_ok());
        let transactional = Rules { marketing: false, ..rules() };
        assert!(check("Green Leaf: your order is ready.", &transactional).is_ok());
    }

    #[test]
    fn the_api_key_is_never_printed() {
        let c = AiConfig { base_url: "http://x".into(), api_key: Some("sk-secret".into()), model: "m".into(), timeout: Duration::from_secs(1) };
        assert!(!format!("{c:?}").contains("sk-secret"));
    }
}
