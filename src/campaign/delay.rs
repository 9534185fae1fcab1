//! A drip step's delay: plain elapsed time or "next day at HH:MM". Shared with the browser;
//! the server computes due times in `schedule`.

use serde::{Deserialize, Serialize};

/// The longest [`Delay::After`] accepted by [`Delay::validate`]: 365 days, in minutes.
pub const MAX_DELAY_MINUTES: u32 = 365 * MINUTES_PER_DAY;

const MINUTES_PER_HOUR: u32 = 60;
const MINUTES_PER_DAY: u32 = 24 * MINUTES_PER_HOUR;

/// How long after the previous step (or enrollment, for step 1) a step is due.
///
/// JSON: `{"kind":"after","minutes":30}`, `{"kind":"next_day_at","hour":9,"minute":30}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Delay {
    /// A fixed delay after the previous step was sent (or after enrollment for step 1), in
    /// real elapsed minutes: a day is 1440 minutes even across a DST change. `0` means
    /// immediately. At most [`MAX_DELAY_MINUTES`] (see [`Delay::validate`]).
    After { minutes: u32 },
    /// The next calendar day in the contact's time zone at `hour:minute` local time (e.g.
    /// "next day at 09:30"). `hour` is in `0..24`, `minute` in `0..60`.
    NextDayAt { hour: u8, minute: u8 },
}

impl Delay {
    /// `n` minutes after the previous step.
    pub const fn minutes(n: u32) -> Delay {
        Delay::After { minutes: n }
    }

    /// `n` hours after the previous step (saturating: an overflow fails [`Delay::validate`]).
    pub const fn hours(n: u32) -> Delay {
        Delay::After {
            minutes: n.saturating_mul(MINUTES_PER_HOUR),
        }
    }

    /// `n` days (of 1440 minutes) after the previous step (saturating: an overflow fails
    /// [`Delay::validate`]).
    pub const fn days(n: u32) -> Delay {
        Delay::After {
            minutes: n.saturating_mul(MINUTES_PER_DAY),
        }
    }

    /// Checks the ranges: `hour < 24`, `minute < 60`, `minutes <= 525600` (365 days).
    pub fn validate(&self) -> Result<(), ScheduleError> {
        match *self {
            Delay::After { minutes } if minutes > MAX_DELAY_MINUTES => {
                Err(ScheduleError::DelayTooLong { minutes })
            }
            Delay::After { .. } => Ok(()),
            Delay::NextDayAt { hour, .. } if hour >= 24 => {
                Err(ScheduleError::HourOutOfRange { hour })
            }
            Delay::NextDayAt { minute, .. } if minute >= 60 => {
                Err(ScheduleError::MinuteOutOfRange { minute })
            }
            Delay::NextDayAt { .. } => Ok(()),
        }
    }

    /// Human text for the campaign builder: "immediately", "1 minute after the previous
    /// step", "30 minutes …", "2 hours …", "3 days …" (the largest unit that divides the delay
    /// exactly), or "next day at 09:30".
    pub fn describe(&self) -> String {
        match *self {
            Delay::After { minutes: 0 } => "immediately".to_string(),
            Delay::After { minutes } => {
                let (n, unit) = if minutes % MINUTES_PER_DAY == 0 {
                    (minutes / MINUTES_PER_DAY, "day")
                } else if minutes % MINUTES_PER_HOUR == 0 {
                    (minutes / MINUTES_PER_HOUR, "hour")
                } else {
                    (minutes, "minute")
                };
                let s = if n == 1 { "" } else { "s" };
                format!("{n} {unit}{s} after the previous step")
            }
            Delay::NextDayAt { hour, minute } => format!("next day at {hour:02}:{minute:02}"),
        }
    }
}

impl Default for Delay {
    /// Immediately (`After { minutes: 0 }`).
    fn default() -> Self {
        Delay::After { minutes: 0 }
    }
}

/// Why a [`Delay`] is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ScheduleError {
    /// `NextDayAt` hour not in `0..24`.
    #[error("the hour must be between 0 and 23, not {hour}")]
    HourOutOfRange { hour: u8 },
    /// `NextDayAt` minute not in `0..60`.
    #[error("the minute must be between 0 and 59, not {minute}")]
    MinuteOutOfRange { minute: u8 },
    /// `After` longer than [`MAX_DELAY_MINUTES`].
    #[error(
        "a delay can be at most 365 days ({MAX_DELAY_MINUTES} minutes), not {minutes} minutes"
    )]
    DelayTooLong { minutes: u32 },
}

