//! The US state of a phone number, from its area code (NPA), for the states whose own rules
//! are stricter than the federal ones.
//!
//! Only the states Warmline has special rules for are listed:
//!
//! | State | 8 pm curfew (08:00–20:00 instead of 08:00–21:00) | 3 marketing messages / 24 h |
//! |-------|:---:|:---:|
//! | Florida (FL)    | yes | yes |
//! | Oklahoma (OK)   | yes | yes |
//! | Maryland (MD)   | yes | yes |
//! | Washington (WA) | yes | no  |
//!
//! [`state_of`] returns `None` for every other number, US or not, meaning only the federal
//! rules apply. Area codes follow the state, not the region: a Florida number keeps the
//! Florida rules wherever its owner lives. Pure std, so it builds for every target.

use crate::E164;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A US state with sending rules of its own. See the [module docs](self) for the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UsState {
    /// Florida.
    FL,
    /// Oklahoma.
    OK,
    /// Maryland.
    MD,
    /// Washington (the state).
    WA,
}

const FL_CODES: &[u16] = &[
    239, 305, 321, 324, 352, 386, 407, 448, 561, 645, 656, 689, 727, 728, 754, 772, 786, 813, 850,
    863, 904, 941, 954,
];
const OK_CODES: &[u16] = &[405, 539, 572, 580, 918];
const MD_CODES: &[u16] = &[227, 240, 301, 410, 443, 667];
const WA_CODES: &[u16] = &[206, 253, 360, 425, 509, 564];

impl UsState {
    /// Every state in this enum.
    pub const ALL: [UsState; 4] = [UsState::FL, UsState::OK, UsState::MD, UsState::WA];

    /// Whether the state limits sending to 08:00–20:00 local time (instead of the federal
    /// 08:00–21:00): FL, OK, MD and WA.
    pub fn has_8pm_curfew(self) -> bool {
        matches!(self, UsState::FL | UsState::OK | UsState::MD | UsState::WA)
    }

    /// Whether the state caps marketing messages per number per rolling 24 h (3 by default,
    /// see `gate::decision::GateRules::frequency_cap`): FL, OK and MD.
    pub fn has_frequency_cap(self) -> bool {
        matches!(self, UsState::FL | UsState::OK | UsState::MD)
    }

    /// The two-letter postal code, e.g. `"FL"`.
    pub fn code(self) -> &'static str {
        match self {
            UsState::FL => "FL",
            UsState::OK => "OK",
            UsState::MD => "MD",
            UsState::WA => "WA",
        }
    }

    /// The full name, e.g. `"Florida"`.
    pub fn name(self) -> &'static str {
        match self {
            UsState::FL => "Florida",
            UsState::OK => "Oklahoma",
            UsState::MD => "Maryland",
            UsState::WA => "Washington",
        }
    }

    /// The state's area codes (NPAs), ascending.
    pub fn area_codes(self) -> &'static [u16] {
        match self {
            UsState::FL => FL_CODES,
            UsState::OK => OK_CODES,
            UsState::MD => MD_CODES,
            UsState::WA => WA_CODES,
        }
    }
}

impl fmt::Display for UsState {
    /// The two-letter code, e.g. `FL`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The state of a North American number (`+1NPANXXXXXX`) from its area code, or `None` when
/// the number is not a NANP number or its area code is not one of [`UsState::ALL`]'s.
pub fn state_of(phone: &E164) -> Option<UsState> {
    let digits = phone.digits();
    if digits.len() != 11 || !digits.starts_with('1') {
        return None;
    }
    state_of_area_code(digits[1..4].parse().ok()?)
}

/// The state an area code (NPA, e.g. `305`) belongs to, if it is one of [`UsState::ALL`]'s.
pub fn state_of_area_code(npa: u16) -> Option<UsState> {
    UsState::ALL
        .into_iter()
        .find(|s| s.area_codes().binary_search(&npa).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(p: &str) -> Option<UsState> {
        state_of(&E164::parse(p).unwrap())
    }

    #[test]
    fn required_area_codes_map_to_their_states() {
        let cases: &[(UsState, &[u16])] = &[
            (
                UsState::FL,
                &[
                    239, 305, 321, 324, 352, 386, 407, 448, 561, 645, 656, 689, 727, 728, 754, 772,
                    786, 813, 850, 863, 904, 941, 954,
                ],
            ),
            (UsState::OK, &[405, 539, 572, 580, 918]),
            (UsState::MD, &[227, 240, 301, 410, 443, 667]),
            (UsState::WA, &[206, 253, 360, 425, 509, 564]),
        ];
        for (st, codes) in cases {
            for npa in *codes {
                assert_eq!(state(&format!("+1{npa}5550100")), Some(*st), "{npa}");
                assert_eq!(state_of_area_code(*npa), Some(*st), "{npa}");
            }
            assert_eq!(st.area_codes().len(), codes.len(), "{st}");
        }
    }

    #[test]
    fn tables_are_sorted_and_disjoint() {
        let mut all = Vec::new();
        for s in UsState::ALL {
            assert!(
                s.area_codes().windows(2).all(|w| w[0] < w[1]),
                "{s} not sorted"
            );
            all.extend_from_slice(s.area_codes());
        }
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "an area code is listed under two states");
    }

    #[test]
    fn other_numbers_have_no_state() {
        assert_eq!(state("+12125550100"), None); // New York
        assert_eq!(state("+14155552671"), None); // California
        assert_eq!(state("+442079460958"), None); // UK, not NANP
        assert_eq!(state("+3053055501001"), None); // 13 digits, not NANP
        assert_eq!(state("+130555501"), None); // too short for NANP
    }

    #[test]
    fn state_rules() {
        for s in UsState::ALL {
            assert!(s.has_8pm_curfew(), "{s}");
        }
        assert!(UsState::FL.has_frequency_cap());
        assert!(UsState::OK.has_frequency_cap());
        assert!(UsState::MD.has_frequency_cap());
        assert!(!UsState::WA.has_frequency_cap());
    }

    #[test]
    fn names_and_serde() {
        assert_eq!(UsState::FL.to_string(), "FL");
        assert_eq!(UsState::WA.name(), "Washington");
        assert_eq!(serde_json::to_string(&UsState::OK).unwrap(), "\"OK\"");
        assert_eq!(
            serde_json::from_str::<UsState>("\"MD\"").unwrap(),
            UsState::MD
        );
    }
}
