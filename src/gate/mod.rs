//! The send gate's pure rules: US state of a number, time zones from phone prefixes, quiet
//! hours, frequency caps, the rate limiter, and the decision (send / defer / block).
//! Clock-injected: nothing here reads the system time.

pub mod rate_limit;
pub mod us_states;
pub mod window;
#[cfg(feature = "ssr")]
pub mod decision;
#[cfg(feature = "ssr")]
pub mod quiet_hours;
#[cfg(feature = "ssr")]
pub mod tz_map;
