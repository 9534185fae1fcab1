//! Rate alarms: over a rolling window of a campaign's (or a sender number's) latest sends, warn
//! at 1% opt-outs or 8% errors and pause at 2% or 12%, before a carrier suspends the sender.
//! The rule is pure; `check` (server) reads the window, records the alarm and pauses.

use serde::{Deserialize, Serialize};

/// What an alarm watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    Campaign,
    Sender,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Campaign => "campaign",
            Scope::Sender => "sender",
        }
    }

    pub fn parse(s: &str) -> Scope {
        if s == "sender" {
            Scope::Sender
        } else {
            Scope::Campaign
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AlarmLevel {
    Warn,
    Pause,
}

impl AlarmLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmLevel::Warn => "warn",
            AlarmLevel::Pause => "pause",
        }
    }

    pub fn parse(s: &str) -> AlarmLevel {
        if s == "pause" {
            AlarmLevel::Pause
        } else {
            AlarmLevel::Warn
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    OptOuts,
    Errors,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::OptOuts => "opt_outs",
            Metric::Errors => "errors",
        }
    }

    pub fn parse(s: &str) -> Metric {
        if s == "errors" {
            Metric::Errors
        } else {
            Metric::OptOuts
        }
    }
}

/// The latest sends of a campaign or sender and what became of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub sends: i64,
    pub opt_outs: i64,
    /// Failed or undelivered.
    pub errors: i64,
    /// Of the errors, carrier filtering (Twilio 30007).
    pub filtered: i64,
}

impl Window {
    pub fn opt_out_rate(&self) -> f64 {
        ratio(self.opt_outs, self.sends)
    }

    pub fn error_rate(&self) -> f64 {
        ratio(self.errors, self.sends)
    }
}

fn ratio(n: i64, d: i64) -> f64 {
    if d <= 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

/// The thresholds (fractions, 0.01 = 1%) and the window.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmRules {
    pub warn_opt_outs: f64,
    pub pause_opt_outs: f64,
    pub warn_errors: f64,
    pub pause_errors: f64,
    /// The window: the latest this many sends…
    pub window_sends: i64,
    /// …within this many hours.
    pub window_hours: i64,
    /// No alarm on fewer sends than this (one opt-out in three sends says little).
    pub min_sends: i64,
}

impl Default for AlarmRules {
    fn default() -> Self {
        AlarmRules { warn_opt_outs: 0.01, pause_opt_outs: 0.02, warn_errors: 0.08, pause_errors: 0.12, window_sends: 200, window_hours: 24, min_sends: 20 }
    }
}

/// What a window calls for: the most serious finding, pause before warn, opt-outs before
/// errors at the same level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finding {
    pub level: AlarmLevel,
    pub metric: Metric,
    pub rate: f64,
    pub threshold: f64,
}

pub fn judge(w: &Window, r: &AlarmRules) -> Option<Finding> {
    if w.sends < r.min_sends.max(1) {
        return None;
    }
    let checks = [
        (AlarmLevel::Pause, Metric::OptOuts, w.opt_out_rate(), r.pause_opt_outs),
        (AlarmLevel::Pause, Metric::Errors, w.error_rate(), r.pause_errors),
        (AlarmLevel::Warn, Metric::OptOuts, w.opt_out_rate(), r.warn_opt_outs),
        (AlarmLevel::Warn, Metric::Errors, w.error_rate(), r.warn_errors),
    ];
    checks
        .into_iter()
        .find(|(_, _, rate, threshold)| *threshold > 0.0 && *rate >= *threshold)
        .map(|(level, metric, rate, threshold)| Finding { level, metric, rate, threshold })
}

/// A raised alarm, with the figures that caused it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub id: i64,
    pub scope: Scope,
    /// The campaign id, or the sender number (`""`: the default number).
    pub scope_key: String,
    /// "Campaign Spring promo", "Sender +15550001111".
    pub label: String,
    pub level: AlarmLevel,
    pub metric: Metric,
    pub window: Window,
    pub rate: f64,
    pub threshold: f64,
    pub active: bool,
    pub created_at: crate::Millis,
    pub resolved_at: Option<crate::Millis>,
}

impl Alarm {
    /// One line for a banner: what, how much, and what was done.
    pub fn headline(&self) -> String {
        let what = match self.metric {
            Metric::OptOuts => format!("{} opt-outs in the last {} sends ({:.1}%, limit {:.1}%)", self.window.opt_outs, self.window.sends, self.rate * 100.0, self.threshold * 100.0),
            Metric::Errors => format!("{} failed or undelivered in the last {} sends ({:.1}%, limit {:.1}%)", self.window.errors, self.window.sends, self.rate * 100.0, self.threshold * 100.0),
        };
        let filtered = if self.window.filtered > 0 { format!("; {} filtered by carriers (error 30007)", self.window.filtered) } else { String::new() };
        let action = match self.level {
            AlarmLevel::Pause => "paused automatically",
            AlarmLevel::Warn => "warning",
        };
        format!("{}: {what}{filtered} — {action}", self.label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(sends: i64, opt_outs: i64, errors: i64) -> Window {
        Window { sends, opt_outs, errors, filtered: 0 }
    }

    #[test]
    fn thresholds_warn_then_pause() {
        let r = AlarmRules::default();
        assert_eq!(judge(&w(100, 0, 0), &r), None);
        assert_eq!(judge(&w(100, 1, 0), &r).map(|f| (f.level, f.metric)), Some((AlarmLevel::Warn, Metric::OptOuts)));
        assert_eq!(judge(&w(100, 2, 0), &r).map(|f| (f.level, f.metric)), Some((AlarmLevel::Pause, Metric::OptOuts)));
        assert_eq!(judge(&w(100, 3, 0), &r).map(|f| f.level), Some(AlarmLevel::Pause));
        assert_eq!(judge(&w(100, 0, 7), &r), None);
        assert_eq!(judge(&w(100, 0, 8), &r).map(|f| (f.level, f.metric)), Some((AlarmLevel::Warn, Metric::Errors)));
        assert_eq!(judge(&w(100, 1, 12), &r).map(|f| (f.level, f.metric)), Some((AlarmLevel::Pause, Metric::Errors)));
    }

    #[test]
    fn too_few_sends_say_nothing() {
        let r = AlarmRules::default();
        assert_eq!(judge(&w(19, 5, 5), &r), None);
        assert!(judge(&w(20, 1, 0), &r).is_some());
        assert_eq!(judge(&w(0, 0, 0), &AlarmRules { min_sends: 0, ..r }), None);
    }

    #[test]
    fn a_zero_threshold_is_off() {
        let r = AlarmRules { pause_opt_outs: 0.0, warn_opt_outs: 0.0, ..AlarmRules::default() };
        assert_eq!(judge(&w(100, 50, 0), &r), None);
    }
}
