//! A daily local-time sending window. Shared with the browser (the campaign builder);
//! the zone arithmetic lives in `quiet_hours` on the server.

use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg(feature = "ssr")]
const MINUTES_PER_DAY: u32 = 24 * 60;

/// A daily local-time sending window `[start, end)`, in minutes after local midnight.
///
/// `start_minute` is in `0..1440` and `end_minute` in `0..=1440` (larger values are clamped).
/// An `end_minute` before `start_minute` means the window runs past midnight into the next
/// day; an `end_minute` equal to `start_minute` means an empty window (never allowed). The
/// whole day is `{ start_minute: 0, end_minute: 1440 }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    /// First allowed minute, e.g. 480 = 08:00.
    pub start_minute: u32,
    /// First minute no longer allowed, e.g. 1260 = 21:00.
    pub end_minute: u32,
}

impl Window {
    /// The federal (TCPA) window, 08:00–21:00.
    pub const TCPA: Window = Window::hours(8, 21);
    /// The stricter window of states with an 8 pm curfew (FL, OK, MD, WA), 08:00–20:00.
    pub const CURFEW_8PM: Window = Window::hours(8, 20);

    /// A window on whole hours, e.g. `Window::hours(8, 21)`.
    pub const fn hours(start_hour: u32, end_hour: u32) -> Window {
        Window {
            start_minute: start_hour * 60,
            end_minute: end_hour * 60,
        }
    }

    /// `(start, end)` in minutes with `end > start` (past 1440 for an overnight window), or
    /// `None` for an empty window.
    #[cfg(feature = "ssr")]
    pub(crate) fn span(self) -> Option<(u32, u32)> {
        let start = self.start_minute.min(MINUTES_PER_DAY - 1);
        let end = self.end_minute.min(MINUTES_PER_DAY);
        match end.cmp(&start) {
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some((start, end)),
            std::cmp::Ordering::Less => Some((start, end + MINUTES_PER_DAY)),
        }
    }
}

impl Default for Window {
    /// [`Window::TCPA`].
    fn default() -> Self {
        Window::TCPA
    }
}

impl fmt::Display for Window {
    /// E.g. `08:00–21:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, e) = (self.start_minute, self.end_minute);
        write!(f, "{:02}:{:02}–{:02}:{:02}", s / 60, s % 60, e / 60, e % 60)
    }
}

