//! E.164 phone numbers.
//!
//! [`E164`] is the validated form every layer passes around: `+` then 8 to 15 digits, no
//! leading zero. Turning what people type ("(415) 555-2671") into that form needs the
//! libphonenumber metadata, so [`normalize`] is server-only.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A phone number in E.164 form, e.g. `+14155552671`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct E164(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("missing phone number")]
    Missing,
    #[error("invalid phone number '{0}'")]
    Invalid(String),
    #[error("'{0}' is not in E.164 form (+ and 8 to 15 digits)")]
    NotE164(String),
}

impl E164 {
    /// Accepts only text already in E.164 form.
    pub fn parse(s: &str) -> Result<Self, PhoneError> {
        let s = s.trim();
        let digits = s.strip_prefix('+').ok_or_else(|| PhoneError::NotE164(s.to_string()))?;
        let ok = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if ok {
            Ok(E164(s.to_string()))
        } else {
            Err(PhoneError::NotE164(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without the `+`.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// A human-friendly rendering: `+1 (415) 555-2671` for NANP numbers, E.164 otherwise.
    pub fn display(&self) -> String {
        let d = self.digits();
        if d.len() == 11 && d.starts_with('1') {
            format!("+1 ({}) {}-{}", &d[1..4], &d[4..7], &d[7..])
        } else {
            self.0.clone()
        }
    }
}

/// A quick check the browser can make without the phone-number metadata: 7 to 15 digits and
/// nothing but the usual separators. The server's check (libphonenumber) has the last word.
pub fn looks_like_phone(cell: &str) -> bool {
    let cell = cell.trim();
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits) && cell.chars().all(|c| c.is_ascii_digit() || " +-().ext".contains(c))
}

/// [`E164::display`] for a number held as text; anything that is not E.164 is shown as it is.
/// Every page shows phones through this or `E164::display`, so a number looks the same everywhere.
pub fn display(phone: &str) -> String {
    E164::parse(phone).map(|p| p.display()).unwrap_or_else(|_| phone.to_string())
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for E164 {
    type Error = PhoneError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        E164::parse(&s)
    }
}

impl From<E164> for String {
    fn from(p: E164) -> String {
        p.0
    }
}

/// Keeps only the digits of a search string, so "(415) 555" finds `+1415555…`.
pub fn search_digits(q: &str) -> String {
    q.chars().filter(|c| c.is_ascii_digit()).collect()
}

#[cfg(feature = "ssr")]
pub use normalize::{normalize, Region};

#[cfg(feature = "ssr")]
mod normalize {
    use super::{PhoneError, E164};
    use phonenumber::country::Id;

    /// The region used for numbers written without a country code.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Region(Id);

    impl Region {
        pub const US: Region = Region(Id::US);

        /// Parses an ISO 3166-1 alpha-2 region code such as `US` or `GB`.
        pub fn parse(code: &str) -> Option<Region> {
            code.trim().to_ascii_uppercase().parse::<Id>().ok().map(Region)
        }
    }

    impl Default for Region {
        fn default() -> Self {
            Region::US
        }
    }

    /// Normalises what a person typed to E.164, validating it against libphonenumber's metadata.
    pub fn normalize(input: &str, region: Region) -> Result<E164, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Missing);
        }
        let parsed = phonenumber::parse(Some(region.0), trimmed)
            .map_err(|_| PhoneError::Invalid(trimmed.to_string()))?;
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError::Invalid(trimmed.to_string()));
        }
        let formatted = parsed.format().mode(phonenumber::Mode::E164).to_string();
        E164::parse(&formatted).map_err(|_| PhoneError::Invalid(trimmed.to_string()))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn normalizes_us_formats() {
            for input in ["(415) 555-2671", "415.555.2671", "4155552671", "1-415-555-2671", "+1 415 555 2671"] {
                assert_eq!(normalize(input, Region::US).unwrap().as_str(), "+14155552671", "{input}");
            }
        }

        #[test]
        fn keeps_international_numbers() {
            assert_eq!(normalize("+44 20 7946 0958", Region::US).unwrap().as_str(), "+442079460958");
            let gb = Region::parse("gb").unwrap();
            assert_eq!(normalize("020 7946 0958", gb).unwrap().as_str(), "+442079460958");
        }

        #[test]
        fn rejects_garbage_and_impossible_numbers() {
            assert_eq!(normalize("  ", Region::US), Err(PhoneError::Missing));
            assert!(matches!(normalize("hello", Region::US), Err(PhoneError::Invalid(_))));
            assert!(matches!(normalize("555-1234", Region::US), Err(PhoneError::Invalid(_))));
            // area codes cannot start with 0 or 1
            assert!(matches!(normalize("(015) 555-2671", Region::US), Err(PhoneError::Invalid(_))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_accepts_only_canonical_form() {
        assert!(E164::parse("+14155552671").is_ok());
        assert!(E164::parse("14155552671").is_err());
        assert!(E164::parse("+0123456789").is_err());
        assert!(E164::parse("+1415555267a").is_err());
        assert!(E164::parse("+1234567").is_err());
        assert!(E164::parse("+1234567890123456").is_err());
    }

    #[test]
    fn e164_round_trips_through_serde() {
        let p = E164::parse("+14155552671").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"+14155552671\"");
        assert_eq!(serde_json::from_str::<E164>(&json).unwrap(), p);
        assert!(serde_json::from_str::<E164>("\"415\"").is_err());
    }

    #[test]
    fn quick_phone_check_for_the_import_preview() {
        assert!(looks_like_phone("(415) 555-2671"));
        assert!(looks_like_phone("+44 20 7946 0958"));
        assert!(!looks_like_phone("call me maybe"));
        assert!(!looks_like_phone("555"));
        assert_eq!(display("+14155552671"), "+1 (415) 555-2671");
        assert_eq!(display("not a phone"), "not a phone");
    }

    #[test]
    fn display_formats_nanp() {
        assert_eq!(E164::parse("+14155552671").unwrap().display(), "+1 (415) 555-2671");
        assert_eq!(E164::parse("+442079460958").unwrap().display(), "+442079460958");
        assert_eq!(search_digits("(415) 555-"), "415555");
    }
}
