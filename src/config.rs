//! Configuration from the environment (and `.env`, loaded by the binary).
//!
//! A bad or missing setting is a [`ConfigError`] naming the variable, and startup stops
//! with that one line. Secrets are never printed: `Debug` redacts them.

use crate::phone::Region;
use std::net::SocketAddr;

/// Which SMS provider sends messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsProvider {
    /// Built in: records messages and plays the carrier, so no credentials are needed.
    Simulator,
    Twilio,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    /// The URL people and webhooks reach the app at, without a trailing slash.
    pub public_url: String,
    pub sms_provider: SmsProvider,
    pub default_region: Region,
    /// Largest CSV upload accepted, in bytes.
    pub import_max_bytes: usize,
    /// Twilio settings; required when `sms_provider` is Twilio. The auth token also
    /// validates webhook signatures in simulator mode when set.
    pub twilio: TwilioConfig,
    /// Messages per second per sender, shared by every sending path.
    pub send_rate_mps: f64,
    /// The organisation's time zone: used when a contact's zone is unknown.
    pub org_timezone: chrono_tz::Tz,
    /// Marketing messages allowed per rolling 24 h to FL/OK/MD numbers (0 turns the cap off).
    pub marketing_cap: u32,
    /// Apply `marketing_cap` to every number, not only FL/OK/MD.
    pub marketing_cap_all: bool,
    /// Behind a reverse proxy: take the client address from the last `X-Forwarded-For` hop.
    pub trust_proxy: bool,
    /// Longest pause of the drip runner between passes (it also wakes on new work).
    pub drip_tick: std::time::Duration,
    /// The daily cap new farming campaigns start with.
    pub daily_batch_default: u32,
    /// How long a server's claim on a message or a farming batch lasts without being renewed.
    /// A stopped server's unfinished sends are taken over by another (or by itself after a
    /// restart) once it has run out.
    pub send_lease: std::time::Duration,
    /// How often the recovery sweep looks for unfinished sends, batches and webhooks.
    pub recovery_every: std::time::Duration,
    /// The approval queue's own limits: approved suggestions sent per minute and per hour.
    pub approval_limits: crate::approvals::plan::Limits,
    /// The AI writer (an OpenAI-compatible Chat Completions endpoint); `None`: templates only.
    pub ai: Option<crate::approvals::writer::AiConfig>,
    /// Seals the client details of leads at rest (`LEAD_SECRET_KEY`, required).
    pub lead_key: crate::unlock::crypto::LeadKey,
    /// Lead-unlock payments: the simulator or Stripe.
    pub stripe: StripeConfig,
    /// The rate alarms' thresholds and window (`ALARM_*`).
    pub alarms: crate::analytics::alarms::AlarmRules,
    /// What a message costs when the provider does not say (`SMS_SEGMENT_PRICE`, `SMS_CARRIER_FEE`).
    pub costs: crate::analytics::CostRates,
}

/// Which payment provider takes lead-unlock payments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentProvider {
    /// Built in: Warmline's own checkout page, whose Pay button sends a signed webhook.
    Simulator,
    Stripe,
}

#[derive(Clone)]
pub struct StripeConfig {
    pub provider: PaymentProvider,
    pub secret_key: Option<String>,
    /// `whsec_…`: verifies `Stripe-Signature`. The simulator derives its own when unset.
    pub webhook_secret: Option<String>,
    pub api_base: String,
    pub timeout: std::time::Duration,
}

impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeConfig")
            .field("provider", &self.provider)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("webhook_secret", &self.webhook_secret.as_ref().map(|_| "***"))
            .field("api_base", &self.api_base)
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[derive(Clone, Default)]
pub struct TwilioConfig {
    pub api_base: String,
    pub account_sid: Option<String>,
    pub auth_token: Option<String>,
    /// The sender number, checked at startup.
    pub from: Option<crate::E164>,
    pub messaging_service_sid: Option<String>,
    /// How long a Twilio call may take before its outcome counts as unknown.
    pub timeout: std::time::Duration,
}

impl std::fmt::Debug for TwilioConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("api_base", &self.api_base)
            .field("account_sid", &self.account_sid)
            .field("auth_token", &self.auth_token.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("messaging_service_sid", &self.messaging_service_sid)
            .field("timeout", &self.timeout)
            .finish()
    }
}

pub const DEFAULT_TWILIO_API_BASE: &str = "https://api.twilio.com";

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &crate::store::redact(&self.database_url))
            .field("addr", &self.addr)
            .field("public_url", &self.public_url)
            .field("sms_provider", &self.sms_provider)
            .field("default_region", &self.default_region)
            .field("import_max_bytes", &self.import_max_bytes)
            .field("twilio", &self.twilio)
            .field("send_rate_mps", &self.send_rate_mps)
            .field("org_timezone", &self.org_timezone)
            .field("marketing_cap", &self.marketing_cap)
            .field("marketing_cap_all", &self.marketing_cap_all)
            .field("drip_tick", &self.drip_tick)
            .field("daily_batch_default", &self.daily_batch_default)
            .field("send_lease", &self.send_lease)
            .field("recovery_every", &self.recovery_every)
            .field("approval_limits", &self.approval_limits)
            .field("ai", &self.ai)
            .field("lead_key", &self.lead_key)
            .field("stripe", &self.stripe)
            .field("trust_proxy", &self.trust_proxy)
            .field("alarms", &self.alarms)
            .field("costs", &self.costs)
            .finish()
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

fn bad(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError { var, reason: reason.into() }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite:warmline.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_IMPORT_MAX_BYTES: usize = 20 * 1024 * 1024;

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get`, so tests can pass a map.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let val = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());

        let database_url = val("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if crate::store::Backend::from_url(&database_url).is_none() {
            return Err(bad("DATABASE_URL", "must start with sqlite: or postgres://"));
        }

        let addr_s = val("WARMLINE_ADDR").unwrap_or_else(|| DEFAULT_ADDR.into());
        let addr: SocketAddr = addr_s.parse().map_err(|_| bad("WARMLINE_ADDR", format!("'{addr_s}' is not a host:port address like 127.0.0.1:3000")))?;

        let public_url = match val("PUBLIC_URL") {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{addr}"),
        };
        check_public_url(&public_url)?;

        let sms_provider = match val("SMS_PROVIDER").as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("simulator") => SmsProvider::Simulator,
            Some("twilio") => SmsProvider::Twilio,
            Some(other) => return Err(bad("SMS_PROVIDER", format!("'{other}' is not one of: simulator, twilio"))),
        };

        let default_region = match val("DEFAULT_REGION") {
            None => Region::US,
            Some(r) => Region::parse(&r).ok_or_else(|| bad("DEFAULT_REGION", format!("'{r}' is not a two-letter region code like US")))?,
        };

        let import_max_bytes = match val("IMPORT_MAX_BYTES") {
            None => DEFAULT_IMPORT_MAX_BYTES,
            Some(v) => v.parse::<usize>().ok().filter(|n| *n >= 1024).ok_or_else(|| bad("IMPORT_MAX_BYTES", "must be a number of bytes, at least 1024"))?,
        };

        let twilio = TwilioConfig {
            api_base: val("TWILIO_API_BASE").map(|u| u.trim_end_matches('/').to_string()).unwrap_or_else(|| DEFAULT_TWILIO_API_BASE.into()),
            account_sid: val("TWILIO_ACCOUNT_SID"),
            auth_token: val("TWILIO_AUTH_TOKEN"),
            from: match val("TWILIO_FROM") {
                None => None,
                Some(f) => Some(crate::E164::parse(&f).map_err(|_| bad("TWILIO_FROM", "must be an E.164 number like +14155550100"))?),
            },
            messaging_service_sid: val("TWILIO_MESSAGING_SERVICE_SID"),
            timeout: match val("TWILIO_TIMEOUT_MS") {
                None => std::time::Duration::from_secs(15),
                Some(v) => v.parse::<u64>().ok().filter(|ms| (100..=120_000).contains(ms)).map(std::time::Duration::from_millis).ok_or_else(|| bad("TWILIO_TIMEOUT_MS", "must be a number of milliseconds between 100 and 120000"))?,
            },
        };
        if !(twilio.api_base.starts_with("http://") || twilio.api_base.starts_with("https://")) {
            return Err(bad("TWILIO_API_BASE", "must be an http(s) URL"));
        }
        if sms_provider == SmsProvider::Twilio {
            if twilio.account_sid.is_none() {
                return Err(bad("TWILIO_ACCOUNT_SID", "is required when SMS_PROVIDER=twilio"));
            }
            if twilio.auth_token.is_none() {
                return Err(bad("TWILIO_AUTH_TOKEN", "is required when SMS_PROVIDER=twilio"));
            }
            if twilio.from.is_none() && twilio.messaging_service_sid.is_none() {
                return Err(bad("TWILIO_FROM", "set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID when SMS_PROVIDER=twilio"));
            }
        }

        let send_rate_mps = match val("SEND_RATE_MPS") {
            None => 1.0,
            Some(v) => v.parse::<f64>().ok().filter(|r| *r > 0.0 && r.is_finite()).ok_or_else(|| bad("SEND_RATE_MPS", "must be a positive number of messages per second"))?,
        };

        let org_timezone = match val("ORG_TIMEZONE") {
            None => chrono_tz::America::New_York,
            Some(z) => z.parse::<chrono_tz::Tz>().map_err(|_| bad("ORG_TIMEZONE", format!("'{z}' is not an IANA time zone like America/Chicago")))?,
        };

        let marketing_cap = match val("MARKETING_CAP_PER_24H") {
            None => 3,
            Some(v) => v.parse::<u32>().map_err(|_| bad("MARKETING_CAP_PER_24H", "must be a whole number (0 turns the cap off)"))?,
        };
        let marketing_cap_all = flag(val("MARKETING_CAP_ALL"), "MARKETING_CAP_ALL")?;
        let trust_proxy = flag(val("TRUST_PROXY"), "TRUST_PROXY")?;
        let daily_batch_default = match val("DAILY_BATCH_DEFAULT") {
            None => crate::farming::DAILY_BATCH_DEFAULT,
            Some(v) => v.parse::<u32>().ok().filter(|n| (1..=100_000).contains(n)).ok_or_else(|| bad("DAILY_BATCH_DEFAULT", "must be a whole number between 1 and 100000"))?,
        };
        let drip_tick = match val("DRIP_TICK_MS") {
            None => std::time::Duration::from_secs(2),
            Some(v) => v.parse::<u64>().ok().filter(|ms| (50..=600_000).contains(ms)).map(std::time::Duration::from_millis).ok_or_else(|| bad("DRIP_TICK_MS", "must be a number of milliseconds between 50 and 600000"))?,
        };

        let ms = |var: &'static str, default_ms: u64, min: u64, max: u64| -> Result<std::time::Duration, ConfigError> {
            match val(var) {
                None => Ok(std::time::Duration::from_millis(default_ms)),
                Some(v) => v.parse::<u64>().ok().filter(|n| (min..=max).contains(n)).map(std::time::Duration::from_millis).ok_or_else(|| bad(var, format!("must be a number of milliseconds between {min} and {max}"))),
            }
        };
        let send_lease = ms("SEND_LEASE_MS", 60_000, 1_000, 3_600_000)?;
        let recovery_every = ms("RECOVERY_EVERY_MS", 5_000, 100, 600_000)?;
        let count = |var: &'static str, default: u32, max: u32| -> Result<u32, ConfigError> {
            match val(var) {
                None => Ok(default),
                Some(v) => v.parse::<u32>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| bad(var, format!("must be a whole number between 1 and {max}"))),
            }
        };
        let ai = match val("AI_BASE_URL").map(|u| u.trim().trim_end_matches('/').to_string()).filter(|u| !u.is_empty()) {
            None => None,
            Some(base_url) => {
                if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
                    return Err(bad("AI_BASE_URL", "must be an http(s) URL like https://api.openai.com/v1"));
                }
                Some(crate::approvals::writer::AiConfig {
                    base_url,
                    api_key: val("AI_API_KEY").filter(|k| !k.trim().is_empty()),
                    model: val("AI_MODEL").map(|m| m.trim().to_string()).filter(|m| !m.is_empty()).unwrap_or_else(|| "gpt-4o-mini".into()),
                    timeout: ms("AI_TIMEOUT_MS", 20_000, 100, 120_000)?,
                })
            }
        };
        let approval_limits = crate::approvals::plan::Limits {
            per_minute: count("APPROVAL_MAX_PER_MINUTE", 5, 10_000)?,
            per_hour: count("APPROVAL_MAX_PER_HOUR", 100, 1_000_000)?,
        };

        let lead_key = match val("LEAD_SECRET_KEY") {
            None => return Err(bad("LEAD_SECRET_KEY", "is required: 32 bytes written as 64 hex characters (`make run` writes one into .env; or run `openssl rand -hex 32`)")),
            Some(k) => crate::unlock::crypto::LeadKey::from_hex(&k).map_err(|reason| bad("LEAD_SECRET_KEY", reason))?,
        };
        let stripe = StripeConfig {
            provider: match val("STRIPE_PROVIDER").as_deref().map(str::to_ascii_lowercase).as_deref() {
                None | Some("simulator") => PaymentProvider::Simulator,
                Some("stripe") => PaymentProvider::Stripe,
                Some(other) => return Err(bad("STRIPE_PROVIDER", format!("'{other}' is not one of: simulator, stripe"))),
            },
            secret_key: val("STRIPE_SECRET_KEY"),
            webhook_secret: val("STRIPE_WEBHOOK_SECRET"),
            api_base: val("STRIPE_API_BASE").map(|u| u.trim_end_matches('/').to_string()).unwrap_or_else(|| crate::unlock::stripe::DEFAULT_STRIPE_API_BASE.into()),
            timeout: ms("STRIPE_TIMEOUT_MS", 20_000, 100, 120_000)?,
        };
        if !(stripe.api_base.starts_with("http://") || stripe.api_base.starts_with("https://")) {
            return Err(bad("STRIPE_API_BASE", "must be an http(s) URL"));
        }
        if stripe.provider == PaymentProvider::Stripe {
            if stripe.secret_key.is_none() {
                return Err(bad("STRIPE_SECRET_KEY", "is required when STRIPE_PROVIDER=stripe (sk_test_… or sk_live_…)"));
            }
            if stripe.webhook_secret.is_none() {
                return Err(bad("STRIPE_WEBHOOK_SECRET", "is required when STRIPE_PROVIDER=stripe (whsec_…, from the dashboard or `stripe listen`)"));
            }
        }

        let percent = |var: &'static str, default: f64| -> Result<f64, ConfigError> {
            match val(var) {
                None => Ok(default / 100.0),
                Some(v) => v.trim_end_matches('%').trim().parse::<f64>().ok().filter(|p| (0.0..=100.0).contains(p)).map(|p| p / 100.0).ok_or_else(|| bad(var, "must be a percentage from 0 to 100 (0 turns it off)")),
            }
        };
        let count = |var: &'static str, default: i64, min: i64| -> Result<i64, ConfigError> {
            match val(var) {
                None => Ok(default),
                Some(v) => v.parse::<i64>().ok().filter(|n| *n >= min && *n <= 1_000_000).ok_or_else(|| bad(var, format!("must be a whole number from {min} to 1000000"))),
            }
        };
        let d = crate::analytics::alarms::AlarmRules::default();
        let alarms = crate::analytics::alarms::AlarmRules {
            warn_opt_outs: percent("ALARM_WARN_OPT_OUT_PCT", d.warn_opt_outs * 100.0)?,
            pause_opt_outs: percent("ALARM_PAUSE_OPT_OUT_PCT", d.pause_opt_outs * 100.0)?,
            warn_errors: percent("ALARM_WARN_ERROR_PCT", d.warn_errors * 100.0)?,
            pause_errors: percent("ALARM_PAUSE_ERROR_PCT", d.pause_errors * 100.0)?,
            window_sends: count("ALARM_WINDOW_SENDS", d.window_sends, 1)?,
            window_hours: count("ALARM_WINDOW_HOURS", d.window_hours, 1)?,
            min_sends: count("ALARM_MIN_SENDS", d.min_sends, 1)?,
        };
        let dollars = |var: &'static str, default: i64| -> Result<i64, ConfigError> {
            match val(var) {
                None => Ok(default),
                Some(v) => v.trim_start_matches('$').parse::<f64>().ok().filter(|p| (0.0..=10.0).contains(p)).map(|p| (p * 1_000_000.0).round() as i64).ok_or_else(|| bad(var, "must be a price in dollars like 0.0083")),
            }
        };
        let dc = crate::analytics::CostRates::default();
        let costs = crate::analytics::CostRates { segment_micros: dollars("SMS_SEGMENT_PRICE", dc.segment_micros)?, carrier_fee_micros: dollars("SMS_CARRIER_FEE", dc.carrier_fee_micros)? };

        Ok(Config {
            alarms,
            costs,
            lead_key,
            stripe,
            send_lease,
            recovery_every,
            approval_limits,
            ai,
            database_url,
            addr,
            public_url,
            sms_provider,
            default_region,
            import_max_bytes,
            twilio,
            send_rate_mps,
            org_timezone,
            marketing_cap,
            marketing_cap_all,
            trust_proxy,
            drip_tick,
            daily_batch_default,
        })
    }

    /// `scheme://host[:port]` of the public URL, as browsers send it in `Origin`.
    pub fn public_origin(&self) -> String {
        origin_of(&self.public_url)
    }

    /// Cookies get `Secure` when the app is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

fn flag(value: Option<String>, var: &'static str) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("false" | "0" | "no") => Ok(false),
        Some("true" | "1" | "yes") => Ok(true),
        Some(_) => Err(bad(var, "must be true or false")),
    }
}

fn check_public_url(u: &str) -> Result<(), ConfigError> {
    let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') => Ok(()),
        _ => Err(bad("PUBLIC_URL", format!("'{u}' must be an absolute http(s) URL like https://warmline.example.com"))),
    }
}

/// The origin part of a URL: scheme, host and port, no path.
pub fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let host = rest.split('/').next().unwrap_or("");
    format!("{}://{}", scheme.to_ascii_lowercase(), host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        m.entry("LEAD_SECRET_KEY".into()).or_insert_with(|| KEY.into());
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn the_lead_key_is_required_and_checked_and_stripe_needs_its_secrets() {
        assert_eq!(Config::from_lookup(|_| None).unwrap_err().var, "LEAD_SECRET_KEY");
        assert_eq!(cfg(&[("LEAD_SECRET_KEY", "abc")]).unwrap_err().var, "LEAD_SECRET_KEY");
        assert_eq!(cfg(&[]).unwrap().stripe.provider, PaymentProvider::Simulator);
        assert_eq!(cfg(&[("STRIPE_PROVIDER", "stripe")]).unwrap_err().var, "STRIPE_SECRET_KEY");
        assert_eq!(cfg(&[("STRIPE_PROVIDER", "stripe"), ("STRIPE_SECRET_KEY", "sk_test_x")]).unwrap_err().var, "STRIPE_WEBHOOK_SECRET");
        let c = cfg(&[("STRIPE_PROVIDER", "stripe"), ("STRIPE_SECRET_KEY", "sk_test_secret"), ("STRIPE_WEBHOOK_SECRET", "whsec_secret")]).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("sk_test_secret") && !shown.contains("whsec_secret") && !shown.contains(KEY), "{shown}");
    }

    #[test]
    fn defaults_run_on_sqlite_with_the_simulator() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.addr.to_string(), DEFAULT_ADDR);
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert_eq!(c.sms_provider, SmsProvider::Simulator);
        assert!(!c.secure_cookies());
    }

    #[test]
    fn bad_settings_name_the_variable() {
        assert_eq!(cfg(&[("DATABASE_URL", "mysql://x")]).unwrap_err().var, "DATABASE_URL");
        assert_eq!(cfg(&[("WARMLINE_ADDR", "nope")]).unwrap_err().var, "WARMLINE_ADDR");
        assert_eq!(cfg(&[("PUBLIC_URL", "example.com")]).unwrap_err().var, "PUBLIC_URL");
        assert_eq!(cfg(&[("SMS_PROVIDER", "carrier-pigeon")]).unwrap_err().var, "SMS_PROVIDER");
        assert_eq!(cfg(&[("DEFAULT_REGION", "XX1")]).unwrap_err().var, "DEFAULT_REGION");
        assert_eq!(cfg(&[("IMPORT_MAX_BYTES", "ten")]).unwrap_err().var, "IMPORT_MAX_BYTES");
        let msg = cfg(&[("SMS_PROVIDER", "x")]).unwrap_err().to_string();
        assert!(msg.starts_with("configuration error: SMS_PROVIDER:"), "{msg}");
    }

    #[test]
    fn twilio_needs_its_credentials() {
        assert_eq!(cfg(&[("SMS_PROVIDER", "twilio")]).unwrap_err().var, "TWILIO_ACCOUNT_SID");
        assert_eq!(cfg(&[("SMS_PROVIDER", "twilio"), ("TWILIO_ACCOUNT_SID", "AC1")]).unwrap_err().var, "TWILIO_AUTH_TOKEN");
        let no_sender = [("SMS_PROVIDER", "twilio"), ("TWILIO_ACCOUNT_SID", "AC1"), ("TWILIO_AUTH_TOKEN", "t")];
        assert_eq!(cfg(&no_sender).unwrap_err().var, "TWILIO_FROM");
        let ok = cfg(&[("SMS_PROVIDER", "twilio"), ("TWILIO_ACCOUNT_SID", "AC1"), ("TWILIO_AUTH_TOKEN", "secret-token"), ("TWILIO_MESSAGING_SERVICE_SID", "MG1")]).unwrap();
        assert_eq!(ok.twilio.api_base, DEFAULT_TWILIO_API_BASE);
        assert!(!format!("{ok:?}").contains("secret-token"), "the auth token must not be printed");
        assert_eq!(cfg(&[("TWILIO_FROM", "555")]).unwrap_err().var, "TWILIO_FROM");
        assert_eq!(cfg(&[("TWILIO_FROM", " +14155550100 ")]).unwrap().twilio.from.map(|n| n.to_string()).as_deref(), Some("+14155550100"), "checked and typed at startup");
        assert_eq!(cfg(&[("SEND_RATE_MPS", "0")]).unwrap_err().var, "SEND_RATE_MPS");
        let alarms = cfg(&[("ALARM_PAUSE_OPT_OUT_PCT", "3"), ("ALARM_WARN_ERROR_PCT", "5%"), ("ALARM_WINDOW_SENDS", "500")]).unwrap().alarms;
        assert_eq!((alarms.pause_opt_outs, alarms.warn_errors, alarms.window_sends, alarms.warn_opt_outs), (0.03, 0.05, 500, 0.01));
        assert_eq!(cfg(&[("ALARM_PAUSE_ERROR_PCT", "120")]).unwrap_err().var, "ALARM_PAUSE_ERROR_PCT");
        assert_eq!(cfg(&[("ALARM_MIN_SENDS", "0")]).unwrap_err().var, "ALARM_MIN_SENDS");
        assert_eq!(cfg(&[("SMS_SEGMENT_PRICE", "0.0079")]).unwrap().costs.segment_micros, 7_900);
        assert_eq!(cfg(&[("SMS_CARRIER_FEE", "free")]).unwrap_err().var, "SMS_CARRIER_FEE");
        assert_eq!(cfg(&[("APPROVAL_MAX_PER_MINUTE", "0")]).unwrap_err().var, "APPROVAL_MAX_PER_MINUTE");
        assert_eq!(cfg(&[("AI_BASE_URL", "api.openai.com")]).unwrap_err().var, "AI_BASE_URL");
        assert!(cfg(&[]).unwrap().ai.is_none(), "templates only without AI_BASE_URL");
        let ai = cfg(&[("AI_BASE_URL", "http://127.0.0.1:11434/v1/"), ("AI_API_KEY", "sk-very-secret")]).unwrap();
        assert_eq!(ai.ai.as_ref().unwrap().base_url, "http://127.0.0.1:11434/v1");
        assert!(!format!("{ai:?}").contains("sk-very-secret"), "the AI key is never printed");
        assert_eq!(cfg(&[]).unwrap().approval_limits, crate::approvals::plan::Limits { per_minute: 5, per_hour: 100 });
        assert_eq!(cfg(&[("ORG_TIMEZONE", "Mars/Olympus")]).unwrap_err().var, "ORG_TIMEZONE");
        assert_eq!(cfg(&[("ORG_TIMEZONE", "America/Chicago")]).unwrap().org_timezone, chrono_tz::America::Chicago, "parsed once, at startup");
        assert_eq!(cfg(&[]).unwrap().org_timezone, chrono_tz::America::New_York);
        assert_eq!(cfg(&[("MARKETING_CAP_PER_24H", "-1")]).unwrap_err().var, "MARKETING_CAP_PER_24H");
        assert_eq!(cfg(&[("MARKETING_CAP_ALL", "maybe")]).unwrap_err().var, "MARKETING_CAP_ALL");
        let c = cfg(&[("MARKETING_CAP_PER_24H", "5"), ("MARKETING_CAP_ALL", "true")]).unwrap();
        assert_eq!((c.marketing_cap, c.marketing_cap_all), (5, true));
        assert!(!cfg(&[]).unwrap().trust_proxy);
        assert!(cfg(&[("TRUST_PROXY", "yes")]).unwrap().trust_proxy);
        assert_eq!(cfg(&[("TRUST_PROXY", "sometimes")]).unwrap_err().var, "TRUST_PROXY");
    }

    #[test]
    fn https_public_url_means_secure_cookies() {
        let c = cfg(&[("PUBLIC_URL", "https://Warm.Example.com/")]).unwrap();
        assert_eq!(c.public_url, "https://Warm.Example.com");
        assert_eq!(c.public_origin(), "https://warm.example.com");
        assert!(c.secure_cookies());
    }

    #[test]
    fn debug_hides_database_password() {
        let c = cfg(&[("DATABASE_URL", "postgres://u:hunter2@db/warm")]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
