//! Time zones of a phone number from its prefix, using libphonenumber's prefix → time-zone map
//! (`data/libphonenumber-timezones-map_data.txt`, embedded at compile time).
//!
//! The file has lines `PREFIX|Zone[&Zone…]` (after `#` comments). The map is parsed once, on
//! first use, into a `HashMap` from prefix to zones; a lookup probes the number's digits from
//! the longest prefix in the file (9 digits) down to 1, so it costs at most 9 hash probes.
//!
//! Rules:
//! - the longest matching prefix wins;
//! - a match on nothing but the NANP country code `1` is treated as unknown (`None`): that line
//!   lists every zone from Guam to Newfoundland, so its overlap says nothing useful;
//! - zone names chrono-tz cannot parse are skipped (see [`unparsed_zone_names`]); a line left
//!   with no zone at all is dropped, so a shorter prefix applies instead;
//! - a few lines the upstream data gets wrong are replaced by [`CORRECTIONS`].

use crate::E164;
use chrono_tz::Tz;
use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/libphonenumber-timezones-map_data.txt");

/// Prefixes whose zones in the upstream data are known to be wrong, with the right ones.
///
/// `1689` is the Orlando overlay of area code 407 (Florida, Eastern time) but the data lists
/// `America/Chicago`, which would let a Florida number be texted until 21:00 its local time.
pub const CORRECTIONS: &[(&str, &[Tz])] = &[("1689", &[Tz::America__New_York])];

/// The country code whose bare match counts as unknown (see the module docs).
const NANP_COUNTRY_CODE: &str = "1";

struct PrefixMap {
    zones: HashMap<&'static str, Vec<Tz>>,
    /// Length of the longest prefix in the map.
    max_len: usize,
    /// Zone names in the file chrono-tz could not parse, sorted and de-duplicated.
    unparsed: Vec<&'static str>,
}

fn map() -> &'static PrefixMap {
    static MAP: OnceLock<PrefixMap> = OnceLock::new();
    MAP.get_or_init(|| parse(DATA))
}

/// Parses the file's text. Never panics: malformed lines and unknown zone names are skipped.
fn parse(data: &'static str) -> PrefixMap {
    let mut zones = HashMap::new();
    let mut unparsed = Vec::new();
    for line in data.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((prefix, names)) = line.split_once('|') else {
            continue;
        };
        let prefix = prefix.trim();
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let mut parsed = Vec::new();
        for name in names.split('&').map(str::trim).filter(|n| !n.is_empty()) {
            match name.parse::<Tz>() {
                Ok(tz) if !parsed.contains(&tz) => parsed.push(tz),
                Ok(_) => {}
                Err(_) => unparsed.push(name),
            }
        }
        if !parsed.is_empty() {
            zones.insert(prefix, parsed);
        }
    }
    for &(prefix, right) in CORRECTIONS {
        zones.insert(prefix, right.to_vec());
    }
    unparsed.sort_unstable();
    unparsed.dedup();
    let max_len = zones.keys().map(|p| p.len()).max().unwrap_or(0);
    PrefixMap {
        zones,
        max_len,
        unparsed,
    }
}

/// The zones of the longest prefix of `digits` (E.164 digits, no `+`) in the map, with that
/// prefix, or `None` when no prefix matches or only the bare NANP code `1` does.
pub fn lookup_digits(digits: &str) -> Option<(&'static str, &'static [Tz])> {
    let m = map();
    if !digits.is_ascii() {
        return None;
    }
    for len in (1..=m.max_len.min(digits.len())).rev() {
        if let Some((prefix, zones)) = m.zones.get_key_value(&digits[..len]) {
            if *prefix == NANP_COUNTRY_CODE {
                return None;
            }
            return Some((prefix, zones.as_slice()));
        }
    }
    None
}

/// The time zones a number may be in, from its longest matching prefix; several zones mean
/// the number may be in any of them (send only in the overlap of their windows). `None` when
/// unknown, including a match on only the NANP country code `1`.
pub fn zones_for(phone: &E164) -> Option<&'static [Tz]> {
    lookup_digits(phone.digits()).map(|(_, zones)| zones)
}

/// Zone names in the data file chrono-tz could not parse (skipped), sorted; empty when every
/// name parsed.
pub fn unparsed_zone_names() -> &'static [&'static str] {
    &map().unparsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz::*;

    fn zones(p: &str) -> Option<Vec<Tz>> {
        zones_for(&E164::parse(p).unwrap()).map(<[Tz]>::to_vec)
    }

    #[test]
    fn every_zone_name_in_the_file_parses() {
        assert_eq!(unparsed_zone_names(), &[] as &[&str]);
        // and the map is not trivially empty
        let m = map();
        assert!(m.zones.len() > 3000, "{}", m.zones.len());
        assert_eq!(m.max_len, 9);
    }

    #[test]
    fn bad_lines_and_names_are_skipped_not_fatal() {
        let m = parse(
            "# header\n\n1|America/New_York\n1212|Not/AZone\n1213|Mars/Olympus&America/Los_Angeles\n\
             garbage\nx1|Europe/London\n44|Europe/London&Europe/London\n",
        );
        assert_eq!(m.unparsed, vec!["Mars/Olympus", "Not/AZone"]);
        assert!(
            !m.zones.contains_key("1212"),
            "a line without a valid zone is dropped"
        );
        assert_eq!(m.zones["1213"], vec![America__Los_Angeles]);
        assert_eq!(m.zones["44"], vec![Europe__London], "duplicates collapse");
        assert!(!m.zones.contains_key("x1"));
    }

    #[test]
    fn longest_prefix_wins() {
        assert_eq!(zones("+12125550100"), Some(vec![America__New_York]));
        assert_eq!(zones("+14155552671"), Some(vec![America__Los_Angeles]));
        assert_eq!(zones("+13055550100"), Some(vec![America__New_York]));
        assert_eq!(zones("+14055550100"), Some(vec![America__Chicago]));
        // 1208 (Idaho): the 5-digit 12082 lists two zones, 7-digit 1208201 only Denver
        assert_eq!(zones("+12082015555"), Some(vec![America__Denver]));
        assert_eq!(zones("+12082995555").map(|z| z.len()), Some(2));
        // Florida panhandle 850: Eastern by default, Central for some exchanges
        assert_eq!(zones("+18502005555"), Some(vec![America__Chicago]));
        assert_eq!(lookup_digits("18502005555").unwrap().0, "1850200");
        // UK: Jersey has its own prefix
        assert_eq!(zones("+441534123456"), Some(vec![Europe__Jersey]));
        assert_eq!(zones("+442079460958"), Some(vec![Europe__London]));
    }

    #[test]
    fn multi_zone_prefixes() {
        assert_eq!(
            zones("+19075550100"),
            Some(vec![America__Adak, America__Anchorage])
        );
        assert_eq!(
            zones("+16055550100"),
            Some(vec![America__Denver, America__North_Dakota__Center])
        );
    }

    #[test]
    fn bare_nanp_code_is_unknown() {
        // 555 and 800 are not geographic: only `1` matches
        assert_eq!(zones("+15555550100"), None);
        assert_eq!(zones("+18005550100"), None);
        assert_eq!(lookup_digits("1"), None);
        assert_eq!(lookup_digits(""), None);
    }

    #[test]
    fn corrections_apply() {
        assert_eq!(zones("+16895550100"), Some(vec![America__New_York]));
    }
}
