//! SMS segment counting and cost estimates.
//!
//! A message goes out as GSM-7 when every character is in the GSM 03.38 basic set or its
//! extension table, and as UCS-2 otherwise (one emoji or one `ê` is enough to switch the whole
//! message). The limits per segment:
//!
//! | encoding | one segment | per segment when split |
//! |---|---|---|
//! | GSM-7 | 160 septets | 153 septets |
//! | UCS-2 | 70 UTF-16 code units | 67 UTF-16 code units |
//!
//! Extension-table characters (`^ { } \ [ ] ~ | €` and form feed) cost two septets (an escape
//! plus the character), and characters outside the Basic Multilingual Plane (most emoji) cost
//! two UTF-16 code units (a surrogate pair). Neither pair may be split across two segments, so
//! split messages are counted by packing: a two-unit character that does not fit in the last
//! free unit of a segment starts the next one. That is why a split message can need one
//! segment more than `units / per_segment` rounded up.
//!
//! Everything here is pure and allocation-free, so the browser can show the live count while
//! the user types.

use serde::{Deserialize, Serialize};

/// GSM-7 septets in a single-segment message.
const GSM7_SINGLE: usize = 160;
/// GSM-7 septets per segment of a split (concatenated) message; 7 go to the UDH.
const GSM7_MULTI: usize = 153;
/// UTF-16 code units in a single-segment UCS-2 message.
const UCS2_SINGLE: usize = 70;
/// UTF-16 code units per segment of a split UCS-2 message.
const UCS2_MULTI: usize = 67;

/// The character encoding a message will be sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// The GSM 03.38 7-bit default alphabet (basic set plus extension table).
    Gsm7,
    /// UCS-2 / UTF-16, used as soon as one character is outside GSM-7.
    Ucs2,
}

/// How a message body splits into SMS segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentInfo {
    /// The encoding the whole message needs.
    pub encoding: Encoding,
    /// User-visible characters, counted as Unicode scalar values (`chars().count()`).
    pub characters: usize,
    /// Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2
    /// (characters outside the BMP count 2).
    pub units: usize,
    /// Segments the message is billed as; 0 for empty text.
    pub segments: usize,
    /// Units one segment holds here: 160 or 153 (GSM-7), 70 or 67 (UCS-2), depending on
    /// whether the message fits in one segment.
    pub per_segment: usize,
    /// Units still free in the current (last) segment. For empty text, the whole first
    /// segment (160).
    pub remaining: usize,
}

/// Counts characters, units and segments of `text`, packing two-unit characters so they are
/// never split across segments.
pub fn analyze(text: &str) -> SegmentInfo {
    let encoding = if text.chars().all(|c| is_gsm7(c) || is_gsm7_extension(c)) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    };
    let (single, multi) = match encoding {
        Encoding::Gsm7 => (GSM7_SINGLE, GSM7_MULTI),
        Encoding::Ucs2 => (UCS2_SINGLE, UCS2_MULTI),
    };

    let mut characters = 0;
    let mut units = 0;
    // Packing into split-message segments, computed in the same pass; only used when the
    // text does not fit in a single segment.
    let mut segments = 0;
    let mut fill = 0;
    for c in text.chars() {
        let cost = match encoding {
            Encoding::Gsm7 if is_gsm7_extension(c) => 2,
            Encoding::Gsm7 => 1,
            Encoding::Ucs2 => c.len_utf16(),
        };
        characters += 1;
        units += cost;
        if segments == 0 || fill + cost > multi {
            segments += 1;
            fill = cost;
        } else {
            fill += cost;
        }
    }

    if units <= single {
        SegmentInfo {
            encoding,
            characters,
            units,
            segments: usize::from(units > 0),
            per_segment: single,
            remaining: single - units,
        }
    } else {
        SegmentInfo {
            encoding,
            characters,
            units,
            segments,
            per_segment: multi,
            remaining: multi - fill,
        }
    }
}

/// True for characters of the GSM 03.38 basic character set (one septet each). The escape
/// code (0x1B) is not a character and is not included.
pub fn is_gsm7(c: char) -> bool {
    matches!(
        c,
        '@' | '£' | '$' | '¥' | 'è' | 'é' | 'ù' | 'ì' | 'ò' | 'Ç' | '\n' | 'Ø' | 'ø' | '\r' | 'Å' | 'å'
            | 'Δ' | '_' | 'Φ' | 'Γ' | 'Λ' | 'Ω' | 'Π' | 'Ψ' | 'Σ' | 'Θ' | 'Ξ' | 'Æ' | 'æ' | 'ß' | 'É'
            | ' ' | '!' | '"' | '#' | '¤' | '%' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | '-' | '.' | '/'
            | '0'..='9' | ':' | ';' | '<' | '=' | '>' | '?'
            | '¡' | 'A'..='Z' | 'Ä' | 'Ö' | 'Ñ' | 'Ü' | '§'
            | '¿' | 'a'..='z' | 'ä' | 'ö' | 'ñ' | 'ü' | 'à'
    )
}

/// True for characters of the GSM 03.38 extension table, sent as escape + character
/// (two septets each): `^ { } \ [ ] ~ | €` and form feed.
pub fn is_gsm7_extension(c: char) -> bool {
    matches!(
        c,
        '\u{0C}' | '^' | '{' | '}' | '\\' | '[' | ']' | '~' | '|' | '€'
    )
}

/// Estimated price in micro-dollars: segments × `price_per_segment_micros`, saturating at
/// `u64::MAX`. Empty text costs nothing.
pub fn estimate_cost_micros(info: &SegmentInfo, price_per_segment_micros: u64) -> u64 {
    u64::try_from(info.segments)
        .unwrap_or(u64::MAX)
        .saturating_mul(price_per_segment_micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(
        encoding: Encoding,
        characters: usize,
        units: usize,
        segments: usize,
        per_segment: usize,
        remaining: usize,
    ) -> SegmentInfo {
        SegmentInfo {
            encoding,
            characters,
            units,
            segments,
            per_segment,
            remaining,
        }
    }

    fn a(n: usize) -> String {
        "a".repeat(n)
    }

    #[test]
    fn empty_text() {
        assert_eq!(analyze(""), info(Encoding::Gsm7, 0, 0, 0, 160, 160));
    }

    #[test]
    fn gsm7_boundaries() {
        assert_eq!(analyze("Hi"), info(Encoding::Gsm7, 2, 2, 1, 160, 158));
        assert_eq!(analyze(&a(160)), info(Encoding::Gsm7, 160, 160, 1, 160, 0));
        assert_eq!(
            analyze(&a(161)),
            info(Encoding::Gsm7, 161, 161, 2, 153, 145)
        );
        assert_eq!(analyze(&a(306)), info(Encoding::Gsm7, 306, 306, 2, 153, 0));
        assert_eq!(
            analyze(&a(307)),
            info(Encoding::Gsm7, 307, 307, 3, 153, 152)
        );
    }

    #[test]
    fn extension_characters_take_two_septets() {
        // 158 + 2 = 160 septets: still one segment.
        let s = format!("{}€", a(158));
        assert_eq!(analyze(&s), info(Encoding::Gsm7, 159, 160, 1, 160, 0));
        // 159 + 2 = 161 septets: split.
        let s = format!("{}€", a(159));
        assert_eq!(analyze(&s), info(Encoding::Gsm7, 160, 161, 2, 153, 145));
        let s = "[{^}]~|\\\u{0C}";
        assert_eq!(analyze(s), info(Encoding::Gsm7, 9, 18, 1, 160, 142));
    }

    #[test]
    fn extension_character_is_not_split_across_segments() {
        // 152 + 2 + 152 = 306 septets, which would fit 2 × 153, but the € cannot start in the
        // last septet of segment 1: segment 1 holds 152, segment 2 holds € + 151, and the last
        // `a` spills into segment 3.
        let s = format!("{}€{}", a(152), a(152));
        assert_eq!(analyze(&s), info(Encoding::Gsm7, 305, 306, 3, 153, 152));
        // Shift the € one place left and it fits exactly: 153 + 153.
        let s = format!("{}€{}", a(151), a(153));
        assert_eq!(analyze(&s), info(Encoding::Gsm7, 305, 306, 2, 153, 0));
        // The wasted septet is not counted in `remaining` of the last segment.
        let s = format!("{}€{}", a(152), a(10));
        assert_eq!(analyze(&s), info(Encoding::Gsm7, 163, 164, 2, 153, 141));
    }

    #[test]
    fn ucs2_boundaries() {
        let s = "я".repeat(70);
        assert_eq!(analyze(&s), info(Encoding::Ucs2, 70, 70, 1, 70, 0));
        let s = "я".repeat(71);
        assert_eq!(analyze(&s), info(Encoding::Ucs2, 71, 71, 2, 67, 63));
        let s = "я".repeat(134);
        assert_eq!(analyze(&s), info(Encoding::Ucs2, 134, 134, 2, 67, 0));
        let s = "я".repeat(135);
        assert_eq!(analyze(&s), info(Encoding::Ucs2, 135, 135, 3, 67, 66));
    }

    #[test]
    fn one_emoji_switches_to_ucs2_and_counts_two_units() {
        assert_eq!(analyze("Hello"), info(Encoding::Gsm7, 5, 5, 1, 160, 155));
        assert_eq!(analyze("Hello 😀"), info(Encoding::Ucs2, 7, 8, 1, 70, 62));
        // A BMP symbol is one unit.
        assert_eq!(analyze("ok ✓"), info(Encoding::Ucs2, 4, 4, 1, 70, 66));
        // 69 GSM characters + 1 emoji = 71 units: split.
        let s = format!("{}😀", a(69));
        assert_eq!(analyze(&s), info(Encoding::Ucs2, 70, 71, 2, 67, 63));
        // Extension characters cost one unit each in UCS-2.
        assert_eq!(analyze("€😀"), info(Encoding::Ucs2, 2, 3, 1, 70, 67));
    }

    #[test]
    fn surrogate_pair_is_not_split_across_segments() {
        // 66 + 2 + 66 = 134 units, 2 × 67 on paper, but the emoji cannot start in the last
        // unit of segment 1.
        let s = format!("{}😀{}", "я".repeat(66), "я".repeat(66));
        assert_eq!(analyze(&s), info(Encoding::Ucs2, 133, 134, 3, 67, 66));
        let s = format!("{}😀{}", "я".repeat(65), "я".repeat(67));
        assert_eq!(analyze(&s), info(Encoding::Ucs2, 133, 134, 2, 67, 0));
    }

    #[test]
    fn gsm7_tables_are_exact() {
        let all = || (0..=0x10_FFFF_u32).filter_map(char::from_u32);
        assert_eq!(all().filter(|&c| is_gsm7(c)).count(), 127);
        assert_eq!(all().filter(|&c| is_gsm7_extension(c)).count(), 10);
        assert!(all().all(|c| !(is_gsm7(c) && is_gsm7_extension(c))));
        for c in
            "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./09:;<=>?¡AZÄÖÑÜ§¿azäöñüà".chars()
        {
            assert!(is_gsm7(c), "{c:?} is GSM-7");
        }
        for c in "`\têçáíóúÁ\u{1B}\u{A0}€^".chars() {
            assert!(!is_gsm7(c), "{c:?} is not in the basic set");
        }
    }

    #[test]
    fn characters_outside_gsm7_force_ucs2() {
        for s in [
            "crêpe",
            "façade",
            "tab\there",
            "`code`",
            "Ω≠Ω",
            "smart ’quote’",
            "non\u{A0}breaking",
        ] {
            assert_eq!(analyze(s).encoding, Encoding::Ucs2, "{s:?}");
        }
        for s in [
            "Café? Ça va!",
            "Price: £5 or €6 {ok}",
            "line\r\nbreak",
            "ΔΦΓ and ß",
        ] {
            assert_eq!(analyze(s).encoding, Encoding::Gsm7, "{s:?}");
        }
    }

    #[test]
    fn cost_is_segments_times_price() {
        assert_eq!(estimate_cost_micros(&analyze(""), 7_900), 0);
        assert_eq!(estimate_cost_micros(&analyze("Hi"), 7_900), 7_900);
        assert_eq!(estimate_cost_micros(&analyze(&a(307)), 7_900), 23_700);
        assert_eq!(estimate_cost_micros(&analyze(&a(307)), u64::MAX), u64::MAX);
    }
}
