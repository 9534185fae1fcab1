//! The send decision for one message to one recipient: send now, defer until a given instant,
//! or block. Pure and clock-injected; the per-sender rate limit
//! ([`super::rate_limit::TokenBucket`]) is applied later, at send time, and is not part of it.
//!
//! Checks, in order:
//! 1. **Blocks**, whatever the time: opted out, flagged, invalid number, landline (in that
//!    order of precedence).
//! 2. **Quiet hours**: the recipient's local window is [`GateRules::curfew_window`] (08:00–20:00)
//!    for FL, OK, MD and WA numbers and [`GateRules::default_window`] (08:00–21:00) otherwise.
//!    Outside it, defer until it opens. The local time zones are (see [`recipient_zones`]):
//!    the contact's own IANA zone if set and valid; else the zones of the longest matching
//!    phone prefix (several zones: only their overlap); else [`GateRules::default_zone`].
//!    Should the prefix zones' overlap be empty, the default zone is used instead.
//! 3. **Frequency cap**, for marketing messages only, to FL/OK/MD numbers (or every number
//!    with [`GateRules::cap_all_states`]): with [`GateRules::frequency_cap`] or more marketing
//!    messages in the rolling 24 h before now, defer until enough of them are 24 h old — and,
//!    if that instant falls in quiet hours, further until the window opens.

use super::quiet_hours::{next_allowed, Window};
use super::tz_map::zones_for;
use super::us_states::{state_of, UsState};
use crate::{Millis, E164};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The rolling window of the frequency cap.
pub const CAP_PERIOD_MS: Millis = 24 * 60 * 60 * 1000;

/// What to do with a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Send now (subject to the sender's rate limit).
    Send,
    /// Not now: try again at `until_ms` (epoch ms). `reason` is human text for the UI and logs.
    DeferUntil { until_ms: Millis, reason: String },
    /// Never send this message.
    Block { reason: BlockReason },
}

impl Decision {
    /// Whether the decision is [`Decision::Send`].
    pub fn is_send(&self) -> bool {
        matches!(self, Decision::Send)
    }
}

/// Why a message may never be sent to a recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockReason {
    /// The contact replied STOP (or was marked opted out).
    OptedOut,
    /// The contact is flagged (e.g. complained or marked do-not-contact).
    Flagged,
    /// The number failed validation.
    InvalidNumber,
    /// The number is a landline and cannot receive SMS.
    Landline,
}

impl fmt::Display for BlockReason {
    /// Human text, e.g. "the contact opted out".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BlockReason::OptedOut => "the contact opted out",
            BlockReason::Flagged => "the contact is flagged",
            BlockReason::InvalidNumber => "the phone number is invalid",
            BlockReason::Landline => "the number is a landline",
        })
    }
}

/// The organisation's gate settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GateRules {
    /// The window for most numbers. Default: 08:00–21:00 (federal TCPA).
    pub default_window: Window,
    /// The window for FL, OK, MD and WA numbers. Default: 08:00–20:00.
    pub curfew_window: Window,
    /// The zone used when a recipient's zone is unknown. Default: `America/New_York`.
    pub default_zone: Tz,
    /// Most marketing messages per number per rolling 24 h. Default: 3. `0` disables the cap.
    pub frequency_cap: u32,
    /// Apply the cap to every number, not only FL, OK and MD ones. Default: `false`.
    pub cap_all_states: bool,
}

impl Default for GateRules {
    fn default() -> Self {
        GateRules {
            default_window: Window::TCPA,
            curfew_window: Window::CURFEW_8PM,
            default_zone: Tz::America__New_York,
            frequency_cap: 3,
            cap_all_states: false,
        }
    }
}

impl GateRules {
    /// The sending window for a recipient in `state` (`None`: no state rules apply).
    pub fn window_for(&self, state: Option<UsState>) -> Window {
        match state {
            Some(s) if s.has_8pm_curfew() => self.curfew_window,
            _ => self.default_window,
        }
    }

    /// Whether marketing messages to a recipient in `state` are capped.
    pub fn caps(&self, state: Option<UsState>) -> bool {
        self.frequency_cap > 0
            && (self.cap_all_states || state.is_some_and(UsState::has_frequency_cap))
    }
}

/// What the gate needs to know about a recipient.
#[derive(Clone, Copy, Debug)]
pub struct Recipient<'a> {
    /// The recipient's number; its area code gives the state, its prefix the time zones.
    pub phone: &'a E164,
    /// The contact's own IANA zone, e.g. `America/Los_Angeles`; ignored when not valid.
    pub timezone: Option<&'a str>,
    /// The contact opted out (blocks).
    pub opted_out: bool,
    /// The contact is flagged (blocks).
    pub flagged: bool,
    /// The number is invalid (blocks).
    pub invalid: bool,
    /// The number is a landline (blocks).
    pub landline: bool,
    /// Send times (epoch ms) of marketing messages to this number in the last 24 h. Older
    /// entries are allowed and ignored.
    pub recent_marketing_ms: &'a [Millis],
}

/// Where a recipient's time zones came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneSource {
    /// The contact's own time zone field.
    Contact,
    /// The phone number's prefix.
    PhonePrefix,
    /// The organisation's default zone.
    OrgDefault,
}

/// The zones a recipient's quiet hours are evaluated in, and where they came from: the
/// contact's own valid IANA zone; else the longest phone-prefix match (possibly several
/// zones); else `rules.default_zone`.
pub fn recipient_zones(rules: &GateRules, r: &Recipient) -> (Vec<Tz>, ZoneSource) {
    if let Some(tz) = r.timezone.and_then(|s| s.trim().parse::<Tz>().ok()) {
        return (vec![tz], ZoneSource::Contact);
    }
    match zones_for(r.phone) {
        Some(zones) if !zones.is_empty() => (zones.to_vec(), ZoneSource::PhonePrefix),
        _ => (vec![rules.default_zone], ZoneSource::OrgDefault),
    }
}

/// The first block reason that applies, in order of precedence.
pub fn block_reason(r: &Recipient) -> Option<BlockReason> {
    [
        (r.opted_out, BlockReason::OptedOut),
        (r.flagged, BlockReason::Flagged),
        (r.invalid, BlockReason::InvalidNumber),
        (r.landline, BlockReason::Landline),
    ]
    .into_iter()
    .find_map(|(applies, reason)| applies.then_some(reason))
}

/// When the cap stops applying: `None` if fewer than `cap` of `sent_ms` fall in the rolling
/// 24 h `(now - 24 h, now]` (later, clock-skewed entries count too); otherwise the instant at
/// which enough of them have aged out, with how many were counted.
fn cap_frees_at(sent_ms: &[Millis], cap: u32, now_ms: Millis) -> Option<(Millis, usize)> {
    let mut counted: Vec<Millis> = sent_ms
        .iter()
        .copied()
        .filter(|&t| t > now_ms - CAP_PERIOD_MS)
        .collect();
    let cap = cap as usize;
    if cap == 0 || counted.len() < cap {
        return None;
    }
    counted.sort_unstable();
    // At T the entries > T - 24 h count; fewer than `cap` remain once the (n - cap)-th oldest
    // (0-based) has aged out. With exactly `cap` entries that is the oldest.
    Some((counted[counted.len() - cap] + CAP_PERIOD_MS, counted.len()))
}

fn describe_zones(zones: &[Tz], source: ZoneSource) -> String {
    let names: Vec<&str> = zones.iter().map(|z| z.name()).collect();
    match (source, names.as_slice()) {
        (ZoneSource::Contact, _) => format!("the contact's time zone {}", names.join("")),
        (ZoneSource::OrgDefault, _) => {
            format!("{}, the organisation's default zone", names.join(""))
        }
        (ZoneSource::PhonePrefix, [one]) => format!("{one}, from the phone number"),
        (ZoneSource::PhonePrefix, _) => {
            format!("the overlap of {}, from the phone number", names.join(", "))
        }
    }
}

/// Decides what to do with a message to `r` at `now` (see the module docs for the order).
/// `marketing` is false for transactional messages, which skip the frequency cap.
pub fn decide(rules: &GateRules, r: &Recipient, marketing: bool, now: DateTime<Utc>) -> Decision {
    if let Some(reason) = block_reason(r) {
        return Decision::Block { reason };
    }

    let state = state_of(r.phone);
    let window = rules.window_for(state);
    let (mut zones, mut source) = recipient_zones(rules, r);
    if source == ZoneSource::PhonePrefix && next_allowed(now, &zones, window).is_none() {
        // The prefix's zones never overlap: the best we know is the organisation's zone.
        zones = vec![rules.default_zone];
        source = ZoneSource::OrgDefault;
    }
    let who = match state {
        Some(s) if s.has_8pm_curfew() => format!("{} numbers may be texted", s.name()),
        _ => "texts are allowed".to_string(),
    };
    let quiet_reason = || {
        format!(
            "quiet hours: {who} {window} local time ({})",
            describe_zones(&zones, source)
        )
    };

    let Some(open_at) = next_allowed(now, &zones, window) else {
        // Only an empty configured window gets here; look again in a day.
        return Decision::DeferUntil {
            until_ms: (now + Duration::days(1)).timestamp_millis(),
            reason: format!("quiet hours: the sending window {window} is empty"),
        };
    };
    if open_at > now {
        return Decision::DeferUntil {
            until_ms: open_at.timestamp_millis(),
            reason: quiet_reason(),
        };
    }

    if marketing && rules.caps(state) {
        if let Some((free_ms, count)) = cap_frees_at(
            r.recent_marketing_ms,
            rules.frequency_cap,
            now.timestamp_millis(),
        ) {
            let whose = match state {
                Some(s) if s.has_frequency_cap() => format!("for {} numbers", s.name()),
                _ => "per number".to_string(),
            };
            let mut reason = format!(
                "frequency cap: {count} marketing messages in the last 24 h (limit {} {whose})",
                rules.frequency_cap
            );
            let free_at = DateTime::from_timestamp_millis(free_ms).unwrap_or(now);
            let until = match next_allowed(free_at, &zones, window) {
                Some(open) if open > free_at => {
                    reason.push_str(", then ");
                    reason.push_str(&quiet_reason());
                    open
                }
                Some(open) => open,
                None => free_at,
            };
            return Decision::DeferUntil {
                until_ms: until.timestamp_millis(),
                reason,
            };
        }
    }

    Decision::Send
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Tz::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn ms(t: DateTime<Utc>) -> Millis {
        t.timestamp_millis()
    }

    const HOUR: Millis = 3_600_000;

    /// A deliverable recipient with no history.
    fn rcpt(phone: &E164) -> Recipient<'_> {
        Recipient {
            phone,
            timezone: None,
            opted_out: false,
            flagged: false,
            invalid: false,
            landline: false,
            recent_marketing_ms: &[],
        }
    }

    fn phone(s: &str) -> E164 {
        E164::parse(s).unwrap()
    }

    fn defer_until(d: &Decision) -> DateTime<Utc> {
        match d {
            Decision::DeferUntil { until_ms, .. } => {
                DateTime::from_timestamp_millis(*until_ms).unwrap()
            }
            other => panic!("expected a deferral, got {other:?}"),
        }
    }

    fn reason(d: &Decision) -> &str {
        match d {
            Decision::DeferUntil { reason, .. } => reason,
            other => panic!("expected a deferral, got {other:?}"),
        }
    }

    // 2026-01-15 and -16: standard time everywhere in the US (EST = UTC-5, CST = UTC-6,
    // PST = UTC-8).

    #[test]
    fn florida_curfew_at_8pm() {
        let rules = GateRules::default();
        let p = phone("+13055550100"); // Miami
        let r = rcpt(&p);
        // 19:59:59 EST → send
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 1, 16, 0, 59, 59)),
            Decision::Send
        );
        // 20:00 and 20:01 EST → 08:00 EST next day = 13:00 UTC
        for now in [utc(2026, 1, 16, 1, 0, 0), utc(2026, 1, 16, 1, 1, 0)] {
            let d = decide(&rules, &r, true, now);
            assert_eq!(defer_until(&d), utc(2026, 1, 16, 13, 0, 0));
            assert_eq!(
                reason(&d),
                "quiet hours: Florida numbers may be texted 08:00–20:00 local time \
                 (America/New_York, from the phone number)"
            );
        }
        // transactional messages follow quiet hours too
        assert_eq!(
            defer_until(&decide(&rules, &r, false, utc(2026, 1, 16, 1, 1, 0))),
            utc(2026, 1, 16, 13, 0, 0)
        );
    }

    #[test]
    fn new_york_until_9pm() {
        let rules = GateRules::default();
        let p = phone("+12125550100");
        let r = rcpt(&p);
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 1, 16, 1, 30, 0)),
            Decision::Send
        ); // 20:30
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 1, 16, 1, 59, 59)),
            Decision::Send
        ); // 20:59:59
        let d = decide(&rules, &r, true, utc(2026, 1, 16, 2, 0, 0)); // 21:00
        assert_eq!(defer_until(&d), utc(2026, 1, 16, 13, 0, 0));
        assert!(
            reason(&d).starts_with("quiet hours: texts are allowed 08:00–21:00"),
            "{}",
            reason(&d)
        );
        // 07:59 → 08:00 the same morning
        assert_eq!(
            defer_until(&decide(&rules, &r, true, utc(2026, 1, 15, 12, 59, 0))),
            utc(2026, 1, 15, 13, 0, 0)
        );
    }

    #[test]
    fn other_curfew_states() {
        let rules = GateRules::default();
        // Oklahoma City, 20:00 CST = 02:00 UTC → 08:00 CST = 14:00 UTC
        let ok = phone("+14055550100");
        assert_eq!(
            defer_until(&decide(&rules, &rcpt(&ok), true, utc(2026, 1, 16, 2, 0, 0))),
            utc(2026, 1, 16, 14, 0, 0)
        );
        // Baltimore, 20:30 EST
        let md = phone("+14105550100");
        assert_eq!(
            defer_until(&decide(
                &rules,
                &rcpt(&md),
                true,
                utc(2026, 1, 16, 1, 30, 0)
            )),
            utc(2026, 1, 16, 13, 0, 0)
        );
        // Seattle, 20:30 PST = 04:30 UTC → 08:00 PST = 16:00 UTC
        let wa = phone("+12065550100");
        assert_eq!(
            defer_until(&decide(
                &rules,
                &rcpt(&wa),
                true,
                utc(2026, 1, 16, 4, 30, 0)
            )),
            utc(2026, 1, 16, 16, 0, 0)
        );
        // ... while California may be texted at 20:30 PST
        let ca = phone("+14155552671");
        assert_eq!(
            decide(&rules, &rcpt(&ca), true, utc(2026, 1, 16, 4, 30, 0)),
            Decision::Send
        );
    }

    #[test]
    fn contact_zone_overrides_the_prefix() {
        let rules = GateRules::default();
        let p = phone("+12125550100");
        let r = Recipient {
            timezone: Some("America/Los_Angeles"),
            ..rcpt(&p)
        };
        // 21:30 EST = 18:30 PST → send
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 1, 16, 2, 30, 0)),
            Decision::Send
        );
        // 10:00 EST = 07:00 PST → 08:00 PST = 16:00 UTC
        let d = decide(&rules, &r, true, utc(2026, 1, 15, 15, 0, 0));
        assert_eq!(defer_until(&d), utc(2026, 1, 15, 16, 0, 0));
        assert!(
            reason(&d).contains("the contact's time zone America/Los_Angeles"),
            "{}",
            reason(&d)
        );
        assert_eq!(
            recipient_zones(&rules, &r),
            (vec![America__Los_Angeles], ZoneSource::Contact)
        );
    }

    #[test]
    fn invalid_contact_zone_falls_back_to_the_prefix() {
        let rules = GateRules::default();
        let p = phone("+12125550100");
        for tz in [
            "Mars/Olympus",
            "",
            "  ",
            "EST5EDT-nope",
            "america/los angeles",
        ] {
            let r = Recipient {
                timezone: Some(tz),
                ..rcpt(&p)
            };
            assert_eq!(
                recipient_zones(&rules, &r),
                (vec![America__New_York], ZoneSource::PhonePrefix),
                "{tz:?}"
            );
            // 21:30 EST → defer to 08:00 EST
            assert_eq!(
                defer_until(&decide(&rules, &r, true, utc(2026, 1, 16, 2, 30, 0))),
                utc(2026, 1, 16, 13, 0, 0)
            );
        }
    }

    #[test]
    fn unknown_prefix_uses_the_default_zone() {
        let rules = GateRules {
            default_zone: America__Chicago,
            ..GateRules::default()
        };
        // NANP 555 matches only the bare country code `1`; +999 matches nothing
        for p in ["+15555550100", "+99912345678"] {
            let p = phone(p);
            assert_eq!(zones_for(&p), None);
            let r = rcpt(&p);
            assert_eq!(
                recipient_zones(&rules, &r),
                (vec![America__Chicago], ZoneSource::OrgDefault)
            );
            // 21:30 EST = 20:30 CST → send
            assert_eq!(
                decide(&rules, &r, true, utc(2026, 1, 16, 2, 30, 0)),
                Decision::Send
            );
            // 22:00 CST = 04:00 UTC → 08:00 CST = 14:00 UTC
            let d = decide(&rules, &r, true, utc(2026, 1, 16, 4, 0, 0));
            assert_eq!(defer_until(&d), utc(2026, 1, 16, 14, 0, 0));
            assert!(
                reason(&d).contains("America/Chicago, the organisation's default zone"),
                "{}",
                reason(&d)
            );
        }
    }

    #[test]
    fn multi_zone_prefix_sends_only_in_the_overlap() {
        // 1907 (Alaska) lists America/Adak (UTC-10) and America/Anchorage (UTC-9):
        // 08–21 is 18:00–07:00 UTC in Adak and 17:00–06:00 UTC in Anchorage → 18:00–06:00 UTC
        let rules = GateRules::default();
        let p = phone("+19075550100");
        let r = rcpt(&p);
        assert_eq!(
            recipient_zones(&rules, &r),
            (
                vec![America__Adak, America__Anchorage],
                ZoneSource::PhonePrefix
            )
        );
        let d = decide(&rules, &r, true, utc(2026, 1, 15, 17, 30, 0)); // 08:30 in Anchorage
        assert_eq!(defer_until(&d), utc(2026, 1, 15, 18, 0, 0));
        assert!(
            reason(&d).contains("the overlap of America/Adak, America/Anchorage"),
            "{}",
            reason(&d)
        );
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 1, 15, 18, 0, 0)),
            Decision::Send
        );
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 1, 16, 5, 59, 59)),
            Decision::Send
        );
        // 20:00 in Adak but 21:00 in Anchorage
        assert_eq!(
            defer_until(&decide(&rules, &r, true, utc(2026, 1, 16, 6, 0, 0))),
            utc(2026, 1, 16, 18, 0, 0)
        );

        // 1605 (South Dakota): America/Denver (UTC-7) and America/North_Dakota/Center (UTC-6)
        // → 15:00–03:00 UTC
        let p = phone("+16055550100");
        let r = rcpt(&p);
        assert_eq!(
            defer_until(&decide(&rules, &r, true, utc(2026, 1, 15, 14, 30, 0))),
            utc(2026, 1, 15, 15, 0, 0)
        );
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 1, 16, 2, 59, 0)),
            Decision::Send
        );
        assert_eq!(
            defer_until(&decide(&rules, &r, true, utc(2026, 1, 16, 3, 0, 0))),
            utc(2026, 1, 16, 15, 0, 0)
        );
    }

    #[test]
    fn dst_days_in_new_york() {
        let rules = GateRules::default();
        let ny = phone("+12125550100");
        let r = rcpt(&ny);
        // spring forward 2026-03-08: 00:00 EST → 08:00 EDT = 12:00 UTC
        assert_eq!(
            defer_until(&decide(&rules, &r, true, utc(2026, 3, 8, 5, 0, 0))),
            utc(2026, 3, 8, 12, 0, 0)
        );
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 3, 8, 12, 0, 0)),
            Decision::Send
        );
        // and 21:00 EDT = 01:00 UTC
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 3, 9, 0, 59, 59)),
            Decision::Send
        );
        assert_eq!(
            defer_until(&decide(&rules, &r, true, utc(2026, 3, 9, 1, 0, 0))),
            utc(2026, 3, 9, 12, 0, 0)
        );
        // fall back 2026-11-01: both 01:30s → 08:00 EST = 13:00 UTC
        for now in [utc(2026, 11, 1, 5, 30, 0), utc(2026, 11, 1, 6, 30, 0)] {
            assert_eq!(
                defer_until(&decide(&rules, &r, true, now)),
                utc(2026, 11, 1, 13, 0, 0)
            );
        }
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 11, 1, 13, 0, 0)),
            Decision::Send
        );
        // Florida's 20:00 EST that evening = 01:00 UTC
        let fl = phone("+13055550100");
        let r = rcpt(&fl);
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 11, 2, 0, 59, 59)),
            Decision::Send
        );
        assert_eq!(
            defer_until(&decide(&rules, &r, true, utc(2026, 11, 2, 1, 0, 0))),
            utc(2026, 11, 2, 13, 0, 0)
        );
    }

    #[test]
    fn frequency_cap_for_capped_states() {
        let rules = GateRules::default();
        let ok = phone("+14055550100");
        let now = utc(2026, 1, 15, 18, 0, 0); // 12:00 CST
        let n = ms(now);
        let three = [n - 23 * HOUR, n - 2 * HOUR, n - HOUR];
        let r = Recipient {
            recent_marketing_ms: &three,
            ..rcpt(&ok)
        };
        let d = decide(&rules, &r, true, now);
        // the oldest turns 24 h old at 13:00 CST = 19:00 UTC
        assert_eq!(defer_until(&d), utc(2026, 1, 15, 19, 0, 0));
        assert_eq!(
            reason(&d),
            "frequency cap: 3 marketing messages in the last 24 h (limit 3 for Oklahoma numbers)"
        );
        // one millisecond before, the oldest still counts; at exactly 24 h it no longer does
        assert!(!decide(&rules, &r, true, utc(2026, 1, 15, 18, 59, 59)).is_send());
        assert_eq!(
            decide(&rules, &r, true, utc(2026, 1, 15, 19, 0, 0)),
            Decision::Send
        );
        // entries older than 24 h are ignored
        let old = [n - 25 * HOUR, n - 2 * HOUR, n - HOUR];
        assert_eq!(
            decide(
                &rules,
                &Recipient {
                    recent_marketing_ms: &old,
                    ..rcpt(&ok)
                },
                true,
                now
            ),
            Decision::Send
        );
        // two are fine
        assert_eq!(
            decide(
                &rules,
                &Recipient {
                    recent_marketing_ms: &three[1..],
                    ..rcpt(&ok)
                },
                true,
                now
            ),
            Decision::Send
        );
        // more than the cap: wait until enough have aged out (the 2nd oldest of 4)
        let four = [n - 23 * HOUR, n - 22 * HOUR, n - 2 * HOUR, n - HOUR];
        let d = decide(
            &rules,
            &Recipient {
                recent_marketing_ms: &four,
                ..rcpt(&ok)
            },
            true,
            now,
        );
        assert_eq!(defer_until(&d), utc(2026, 1, 15, 20, 0, 0));
        // Florida and Maryland too, Washington not
        for p in ["+13055550100", "+14105550100"] {
            let p = phone(p);
            let now = utc(2026, 1, 15, 17, 0, 0); // 12:00 EST
            assert!(!decide(
                &rules,
                &Recipient {
                    recent_marketing_ms: &three,
                    ..rcpt(&p)
                },
                true,
                now
            )
            .is_send());
        }
        let wa = phone("+12065550100");
        let now_wa = utc(2026, 1, 15, 20, 0, 0); // 12:00 PST
        assert_eq!(
            decide(
                &rules,
                &Recipient {
                    recent_marketing_ms: &three,
                    ..rcpt(&wa)
                },
                true,
                now_wa
            ),
            Decision::Send
        );
    }

    #[test]
    fn frequency_cap_elsewhere_only_when_configured() {
        let ny = phone("+12125550100");
        let now = utc(2026, 1, 15, 17, 0, 0); // 12:00 EST
        let n = ms(now);
        let three = [n - 23 * HOUR, n - 2 * HOUR, n - HOUR];
        let r = Recipient {
            recent_marketing_ms: &three,
            ..rcpt(&ny)
        };
        assert_eq!(decide(&GateRules::default(), &r, true, now), Decision::Send);
        let all = GateRules {
            cap_all_states: true,
            ..GateRules::default()
        };
        let d = decide(&all, &r, true, now);
        assert_eq!(defer_until(&d), utc(2026, 1, 15, 18, 0, 0));
        assert!(
            reason(&d).ends_with("(limit 3 per number)"),
            "{}",
            reason(&d)
        );
        // a different cap value
        let five = GateRules {
            frequency_cap: 5,
            cap_all_states: true,
            ..GateRules::default()
        };
        assert_eq!(decide(&five, &r, true, now), Decision::Send);
        let one = GateRules {
            frequency_cap: 1,
            ..all
        };
        // cap 1: wait for the newest (sent an hour ago) to age out, 11:00 EST tomorrow
        assert_eq!(
            defer_until(&decide(&one, &r, true, now)),
            utc(2026, 1, 16, 16, 0, 0)
        );
        // 0 disables the cap
        let off = GateRules {
            frequency_cap: 0,
            ..all
        };
        assert_eq!(decide(&off, &r, true, now), Decision::Send);
    }

    #[test]
    fn cap_end_in_quiet_hours_defers_to_the_next_window() {
        let rules = GateRules::default();
        let fl = phone("+13055550100");
        let now = utc(2026, 1, 15, 20, 0, 0); // 15:00 EST
                                              // the oldest was sent at 20:30 EST the day before (01:30 UTC on the 15th)
        let sent = [
            ms(utc(2026, 1, 15, 1, 30, 0)),
            ms(utc(2026, 1, 15, 14, 0, 0)),
            ms(utc(2026, 1, 15, 15, 0, 0)),
        ];
        let r = Recipient {
            recent_marketing_ms: &sent,
            ..rcpt(&fl)
        };
        let d = decide(&rules, &r, true, now);
        // the cap lifts at 20:30 EST, after Florida's 20:00 curfew → 08:00 EST on the 16th
        assert_eq!(defer_until(&d), utc(2026, 1, 16, 13, 0, 0));
        assert!(
            reason(&d).starts_with("frequency cap: 3 marketing messages"),
            "{}",
            reason(&d)
        );
        assert!(reason(&d).contains("then quiet hours"), "{}", reason(&d));
    }

    #[test]
    fn transactional_messages_skip_the_cap() {
        let ok = phone("+14055550100");
        let now = utc(2026, 1, 15, 18, 0, 0);
        let n = ms(now);
        let many = [
            n - 5 * HOUR,
            n - 4 * HOUR,
            n - 3 * HOUR,
            n - 2 * HOUR,
            n - HOUR,
        ];
        let r = Recipient {
            recent_marketing_ms: &many,
            ..rcpt(&ok)
        };
        assert_eq!(
            decide(&GateRules::default(), &r, false, now),
            Decision::Send
        );
        let all = GateRules {
            cap_all_states: true,
            frequency_cap: 1,
            ..GateRules::default()
        };
        assert_eq!(decide(&all, &r, false, now), Decision::Send);
        assert!(!decide(&all, &r, true, now).is_send());
    }

    #[test]
    fn blocks_take_precedence_over_everything() {
        let rules = GateRules {
            cap_all_states: true,
            ..GateRules::default()
        };
        let fl = phone("+13055550100");
        let quiet = utc(2026, 1, 16, 3, 0, 0); // 22:00 EST
        let n = ms(quiet);
        let three = [n - 3 * HOUR, n - 2 * HOUR, n - HOUR];
        let all = Recipient {
            timezone: Some("bogus"),
            opted_out: true,
            flagged: true,
            invalid: true,
            landline: true,
            recent_marketing_ms: &three,
            ..rcpt(&fl)
        };
        let block = |r: &Recipient| decide(&rules, r, true, quiet);
        assert_eq!(
            block(&all),
            Decision::Block {
                reason: BlockReason::OptedOut
            }
        );
        let r = Recipient {
            opted_out: false,
            ..all
        };
        assert_eq!(
            block(&r),
            Decision::Block {
                reason: BlockReason::Flagged
            }
        );
        let r = Recipient {
            flagged: false,
            ..r
        };
        assert_eq!(
            block(&r),
            Decision::Block {
                reason: BlockReason::InvalidNumber
            }
        );
        let r = Recipient {
            invalid: false,
            ..r
        };
        assert_eq!(
            block(&r),
            Decision::Block {
                reason: BlockReason::Landline
            }
        );
        assert_eq!(
            decide(&rules, &r, false, utc(2026, 1, 15, 17, 0, 0)),
            Decision::Block {
                reason: BlockReason::Landline
            }
        );
        let r = Recipient {
            landline: false,
            ..r
        };
        assert!(matches!(block(&r), Decision::DeferUntil { .. }));
    }

    #[test]
    fn block_reasons_read_well() {
        assert_eq!(BlockReason::OptedOut.to_string(), "the contact opted out");
        assert_eq!(BlockReason::Flagged.to_string(), "the contact is flagged");
        assert_eq!(
            BlockReason::InvalidNumber.to_string(),
            "the phone number is invalid"
        );
        assert_eq!(
            BlockReason::Landline.to_string(),
            "the number is a landline"
        );
    }

    #[test]
    fn decisions_serialize_with_a_tag() {
        let json = |d: &Decision| serde_json::to_value(d).unwrap();
        assert_eq!(
            json(&Decision::Send),
            serde_json::json!({ "decision": "send" })
        );
        let defer = Decision::DeferUntil {
            until_ms: 42,
            reason: "quiet hours".into(),
        };
        assert_eq!(
            json(&defer),
            serde_json::json!({ "decision": "defer_until", "until_ms": 42, "reason": "quiet hours" })
        );
        let block = Decision::Block {
            reason: BlockReason::OptedOut,
        };
        assert_eq!(
            json(&block),
            serde_json::json!({ "decision": "block", "reason": "opted_out" })
        );
        for d in [Decision::Send, defer, block] {
            assert_eq!(serde_json::from_value::<Decision>(json(&d)).unwrap(), d);
        }
    }

    #[test]
    fn empty_prefix_overlap_falls_back_to_the_default_zone() {
        // A window so short two zones an hour apart never share it
        let rules = GateRules {
            default_window: Window {
                start_minute: 600,
                end_minute: 630,
            },
            default_zone: America__Anchorage,
            ..GateRules::default()
        };
        let p = phone("+19075550100"); // Adak & Anchorage
        let d = decide(&rules, &rcpt(&p), true, utc(2026, 1, 15, 12, 0, 0));
        // 10:00 AKST = 19:00 UTC
        assert_eq!(defer_until(&d), utc(2026, 1, 15, 19, 0, 0));
        assert!(
            reason(&d).contains("America/Anchorage, the organisation's default zone"),
            "{}",
            reason(&d)
        );
    }
}
