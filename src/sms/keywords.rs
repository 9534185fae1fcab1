//! Inbound SMS classification: opt-out, opt-in and help keywords, free-text opt-outs, and
//! configured interest keywords.
//!
//! [`classify`] decides what an inbound reply means, in this order of precedence:
//!
//! 1. [`Intent::OptOut`]: the message is an opt-out keyword (Twilio's list plus the FCC's,
//!    47 CFR 64.1200(a)(10): STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT,
//!    "opt out"), alone or with filler words only: "Stop.", "stop please", "STOP 🛑",
//!    "Opt-Out", "No. STOP IT NOW", "yes stop", "unsubscribe, thanks".
//! 2. [`Intent::OptIn`]: START or UNSTOP, alone or with polite words only.
//! 3. [`Intent::Help`]: HELP or INFO, alone or with polite words only.
//! 4. [`Intent::SoftOptOut`]: free text a reasonable person would read as "stop contacting
//!    me" ("please stop texting me", "remove me from your list", "wrong number", "f*** off").
//!    Callers suppress the contact at once and flag the reply for human review.
//! 5. [`Intent::Interest`]: the message starts (after greetings at most) with a configured
//!    interest keyword (YES, Y, INTERESTED, QUOTE by default): "Yes please", "YES!", "yes I'm
//!    interested".
//! 6. [`Intent::Other`]: everything else, left for a human.
//!
//! Matching works on [`normalize`]d words, so case, punctuation, emoji and extra spaces never
//! matter, and never on substrings ("STOPS", "BACKEND" and "QUOTES" are not keywords).
//!
//! # False positives and negatives
//!
//! The two mistakes do not cost the same. Texting someone who revoked consent is a TCPA
//! violation per message; suppressing someone who did not mean to opt out costs one lead and
//! a human look. So opt-out detection leans towards suppressing, opt-in (re-consent) is
//! strict, and interest is strict (it may trigger automated follow-up):
//!
//! - **Hard opt-out** needs the keyword to be the whole message apart from filler words
//!   (courtesy, "yes"/"no", "it"/"this"/"all", "now"/"asap"…). "Cancel my order" and "the end"
//!   are not opt-outs, "stop it" and "cancel please" are. Repeated keywords ("STOP STOP")
//!   count.
//! - **Soft opt-out** needs an opt-out *phrase*: STOP/QUIT/NO MORE followed closely by a
//!   contact word ("stop sending me these texts"), DON'T/DO NOT/NEVER + a contact verb ("don't
//!   text me"), fixed phrases ("remove me", "take me off", "leave me alone", "wrong number",
//!   "lose my number", abuse such as "fuck off"), an opt-out keyword that cannot mean
//!   anything else appearing anywhere (UNSUBSCRIBE, OPTOUT, STOPALL, REVOKE), or STOP as the
//!   first or last real word ("Stop, who is this?", "Not interested. Stop"). Guards keep the
//!   obvious non-opt-outs out: "stop by anytime" (STOP BY/IN/OVER), "I can't stop smiling",
//!   "don't stop" (a negation before STOP), "bus stop", and "why don't you text me" (only
//!   DON'T directly before the verb counts).
//! - **"Not interested" is [`Intent::Other`]**, not an opt-out: it declines the offer, not
//!   the contact, neither Twilio nor the FCC lists it, and treating every "not interested
//!   right now" as a revocation would silently drop nurture leads. It is never treated as
//!   interest either, and lands in the human inbox where an operator can opt the contact out
//!   with one click. "Not interested, stop texting me" is a soft opt-out through its phrase.
//! - **Interest** needs the keyword at the *start* of the message, after greetings and polite
//!   words at most: "Yes please", "Hi, interested!", "yes I'm interested", "Yes, stop by
//!   anytime". A keyword further in does not count, so "I can't stop smiling, YES please" is
//!   [`Intent::Other`]: after normalisation the clause structure is gone, and "is this a
//!   scam, yes or no?" would match just as well. A missed interest still reaches a human; a
//!   false one may trigger automated follow-up. Single-character keywords (the default `Y`)
//!   must stand alone or with polite words only, since "Y would I" means "why would I".
//!   Explicit negations ("not interested", "no thanks", "not really", "no longer") are never
//!   interest.
//! - **Tapback reactions** relayed as text by iPhones (`Liked “…”`, `Reacted 👍 to “…”`)
//!   quote *our* message, often including "Reply STOP to opt out"; they are
//!   [`Intent::Other`].
//!
//! Only English keywords (plus "gracias"/"por favor" as courtesy words) are recognised.

use serde::{Deserialize, Serialize};

/// What an inbound message means for consent and for the lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// An opt-out keyword (STOP, UNSUBSCRIBE, "opt out", …) with at most filler words around
    /// it. Suppress at once.
    OptOut,
    /// START or UNSTOP: the contact opts back in.
    OptIn,
    /// HELP or INFO: reply with the program's help message.
    Help,
    /// Free text that reads as an opt-out ("please stop texting me", "remove me"): suppress
    /// at once and flag for human review.
    SoftOptOut,
    /// A configured interest keyword (YES, Y, INTERESTED, QUOTE by default) at the start of
    /// the message, after greetings and polite words at most.
    Interest,
    /// Anything else.
    Other,
}

/// Interest keywords used when nothing else is configured.
const DEFAULT_INTEREST: [&str; 4] = ["YES", "Y", "INTERESTED", "QUOTE"];

/// Configurable keywords for [`Keywords::classify`]. The opt-out, opt-in and help keywords
/// are fixed by law and carrier rules and cannot be configured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keywords {
    /// Words or phrases that signal interest when a message starts with them (after greetings
    /// and polite words at most). Compared after [`normalize`], so "Let's talk!" and
    /// "LETS TALK" are the same keyword. Entries that normalise to nothing are ignored.
    pub interest: Vec<String>,
}

impl Default for Keywords {
    /// `YES`, `Y`, `INTERESTED`, `QUOTE`.
    fn default() -> Self {
        Keywords {
            interest: DEFAULT_INTEREST.iter().map(|k| (*k).to_owned()).collect(),
        }
    }
}

impl Keywords {
    /// Classifies an inbound message with these interest keywords; see the
    /// [module documentation](self) for the rules.
    pub fn classify(&self, text: &str) -> Intent {
        classify_with(text, self.interest.iter().map(String::as_str))
    }
}

/// Classifies an inbound message with the default interest keywords; see the
/// [module documentation](self) for the rules.
pub fn classify(text: &str) -> Intent {
    classify_with(text, DEFAULT_INTEREST.iter().copied())
}

/// Uppercases `text`, turns punctuation, symbols and emoji into word breaks, and collapses
/// whitespace to single spaces with none at either end: `" Opt-out!! 🛑 "` → `"OPT OUT"`.
///
/// Apostrophes (`'`, `’`, …) and `*` are dropped without breaking the word, so "don't" and
/// "don’t" both become `DONT` and the censored "f**k" becomes `FK`. Invisible characters
/// (zero-width joiners, variation selectors, soft hyphens) are dropped too. Full-width Latin
/// letters and digits (`ＳＴＯＰ`) are folded to ASCII. Letters of every script are kept.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    out.extend(Normalized::new(text));
    out
}

// ---------------------------------------------------------------------------------------------
// Word lists. All entries are normalised (uppercase, no punctuation); a phrase is a sequence of
// words matched as whole words.

type Phrase = &'static [&'static str];

/// Opt-out keywords: Twilio's list and the FCC's.
const OPT_OUT: &[Phrase] = &[
    &["STOP"],
    &["STOPALL"],
    &["UNSUBSCRIBE"],
    &["CANCEL"],
    &["END"],
    &["QUIT"],
    &["REVOKE"],
    &["OPTOUT"],
    &["OPT", "OUT"],
    &["UN", "SUBSCRIBE"],
];

/// Opt-in keywords.
const OPT_IN: &[Phrase] = &[&["START"], &["UNSTOP"], &["UN", "STOP"]];

/// Help keywords.
const HELP: &[Phrase] = &[&["HELP"], &["INFO"]];

/// Words that may surround any keyword without changing its meaning.
const POLITE: &[Phrase] = &[
    &["PLEASE"],
    &["PLS"],
    &["PLZ"],
    &["NOW"],
    &["THANKS"],
    &["THANX"],
    &["THX"],
    &["TY"],
    &["THANK", "YOU"],
    &["THANKYOU"],
    &["ME"],
    &["OK"],
    &["OKAY"],
    &["HI"],
    &["HEY"],
    &["HELLO"],
    &["YES"],
    &["AGAIN"],
    &["GRACIAS"],
    &["POR", "FAVOR"],
    &["PORFAVOR"],
    &["PORFA"],
];

/// Further words that may surround an opt-out keyword. Looser than [`POLITE`] because erring
/// towards an opt-out is the safe side.
const OPT_OUT_FILLERS: &[Phrase] = &[
    &["YEAH"],
    &["YEP"],
    &["YA"],
    &["NO"],
    &["NOPE"],
    &["IT"],
    &["ALL"],
    &["THIS"],
    &["THAT"],
    &["JUST"],
    &["AND"],
    &["SIR"],
    &["MAAM"],
    &["ASAP"],
    &["IMMEDIATELY"],
    &["RIGHT"],
    &["ALREADY"],
    &["SERIOUSLY"],
    &["I", "SAID"],
];

/// Opt-out phrases that count anywhere in a message.
const SOFT_PHRASES: &[Phrase] = &[
    // Keywords that cannot mean anything else.
    &["UNSUBSCRIBE"],
    &["UNSUB"],
    &["OPTOUT"],
    &["OPT", "OUT"],
    &["OPT", "ME", "OUT"],
    &["UN", "SUBSCRIBE"],
    &["STOPALL"],
    &["REVOKE"],
    &["DNC"],
    // Lists and numbers.
    &["REMOVE", "ME"],
    &["REMOVE", "MY", "NUMBER"],
    &["REMOVE", "THIS", "NUMBER"],
    &["DELETE", "ME"],
    &["DELETE", "MY", "NUMBER"],
    &["DELETE", "THIS", "NUMBER"],
    &["LOSE", "MY", "NUMBER"],
    &["LOSE", "THIS", "NUMBER"],
    &["TAKE", "ME", "OFF"],
    &["TAKE", "MY", "NUMBER", "OFF"],
    &["TAKE", "THIS", "NUMBER", "OFF"],
    &["OFF", "YOUR", "LIST"],
    &["OFF", "THE", "LIST"],
    &["OFF", "YOUR", "CONTACT"],
    &["WRONG", "NUMBER"],
    &["WRONG", "PERSON"],
    // Go away.
    &["LEAVE", "ME", "ALONE"],
    &["LEAVE", "US", "ALONE"],
    &["LEAVE", "ME", "BE"],
    &["DO", "NOT", "DISTURB"],
    &["GO", "AWAY"],
    &["GET", "LOST"],
    &["BUZZ", "OFF"],
    &["BACK", "OFF"],
    &["PISS", "OFF"],
    &["FUCK", "OFF"],
    &["FUCKOFF"],
    &["F", "OFF"],
    &["FK", "OFF"],
    &["FCK", "OFF"],
    &["FUK", "OFF"],
    &["FUCK", "YOU"],
    &["F", "YOU"],
    &["FK", "YOU"],
    &["FCK", "YOU"],
    &["SCREW", "YOU"],
    &["STFU"],
    &["GTFO"],
    &["BLOCK", "YOU"],
    &["BLOCKING", "YOU"],
    &["BLOCKED", "YOU"],
    &["BLOCK", "THIS"],
    &["BLOCKING", "THIS"],
    &["REPORT", "YOU"],
    &["REPORTING", "YOU"],
    &["THIS", "IS", "SPAM"],
];

/// Single words that are an opt-out when they are the whole message (bar fillers).
const SOFT_WHOLE: &[Phrase] = &[
    &["REMOVE"],
    &["DELETE"],
    &["UNSUB"],
    &["BLOCK"],
    &["BLOCKED"],
    &["SPAM"],
    &["ENOUGH"],
    &["NO", "MORE"],
];

/// Things one asks to stop: "stop *texting*", "no more *messages*".
const CONTACT_ACTS: &[&str] = &[
    "TEXT",
    "TEXTS",
    "TEXTING",
    "TXT",
    "TXTS",
    "TXTING",
    "TEXTIN",
    "MESSAGE",
    "MESSAGES",
    "MESSAGING",
    "MSG",
    "MSGS",
    "SMS",
    "SENDING",
    "CONTACT",
    "CONTACTING",
    "CALLING",
    "CALLS",
    "SPAM",
    "SPAMMING",
    "EMAILS",
    "EMAILING",
    "BOTHERING",
    "HARASSING",
    "HARASSMENT",
    "HITTING",
    "PINGING",
    "REMINDERS",
    "NOTIFICATIONS",
    "ALERTS",
];

/// Verbs that are an opt-out right after DON'T / DO NOT / NEVER: "don't text me". CALL is
/// missing on purpose: "don't call, text me" asks for texts.
const NEGATABLE_VERBS: &[&str] = &[
    "TEXT", "TXT", "MESSAGE", "MSG", "CONTACT", "SMS", "EMAIL", "BOTHER", "SPAM", "HARASS",
];

/// Verbs that are an opt-out after DON'T / DO NOT / NEVER only with a contact word close
/// behind: "don't send me any more texts", "I don't want these messages".
const NEGATABLE_WITH_OBJECT: &[&str] = &["WANT", "NEED", "SEND"];

/// Words right before STOP that make it something other than a request: "don't stop", "bus
/// stop", "non stop".
const STOP_BLOCKERS: &[&str] = &[
    "DONT", "NOT", "CANT", "CANNOT", "NEVER", "WONT", "WOULDNT", "COULDNT", "DIDNT", "DOESNT",
    "SHOULDNT", "ISNT", "ARENT", "BUS", "PIT", "FULL", "TRUCK", "ONE", "REST", "NON",
];

/// Words right after a leading STOP that make it a visit: "stop by", "stop in", "stop over".
const STOP_VISIT: &[&str] = &["BY", "IN", "OVER"];

/// Phrases that rule out interest whatever keyword the message starts with.
const NOT_INTEREST: &[Phrase] = &[
    &["NOT", "INTERESTED"],
    &["UNINTERESTED"],
    &["NO", "LONGER"],
    &["NO", "THANKS"],
    &["NO", "THANK"],
    &["NOT", "REALLY"],
];

/// iMessage tapbacks relayed as SMS start with one of these and then quote the message.
const REACTIONS: &[&str] = &[
    "Liked",
    "Loved",
    "Laughed at",
    "Emphasized",
    "Disliked",
    "Questioned",
];

// ---------------------------------------------------------------------------------------------

fn classify_with<'k>(text: &str, interest: impl IntoIterator<Item = &'k str>) -> Intent {
    if is_reaction(text) {
        return Intent::Other;
    }
    let norm = normalize(text);
    let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Intent::Other;
    }
    if is_keyword_message(&words, OPT_OUT, &[POLITE, OPT_OUT_FILLERS]) {
        Intent::OptOut
    } else if is_keyword_message(&words, OPT_IN, &[POLITE]) {
        Intent::OptIn
    } else if is_keyword_message(&words, HELP, &[POLITE]) {
        Intent::Help
    } else if is_soft_opt_out(&words) {
        Intent::SoftOptOut
    } else if is_interest(&norm, &words, interest) {
        Intent::Interest
    } else {
        Intent::Other
    }
}

/// The length of the first of `phrases` that starts at `words[i]`.
fn phrase_at(words: &[&str], i: usize, phrases: &[Phrase]) -> Option<usize> {
    let rest = words.get(i..)?;
    phrases
        .iter()
        .find(|p| rest.starts_with(p))
        .map(|p| p.len())
}

fn filler_at(words: &[&str], i: usize, fillers: &[&[Phrase]]) -> Option<usize> {
    fillers.iter().find_map(|f| phrase_at(words, i, f))
}

fn contains_phrase(words: &[&str], phrases: &[Phrase]) -> bool {
    (0..words.len()).any(|i| phrase_at(words, i, phrases).is_some())
}

/// True when `words` are one or more of `keywords` with only `fillers` around them.
fn is_keyword_message(words: &[&str], keywords: &[Phrase], fillers: &[&[Phrase]]) -> bool {
    let mut i = 0;
    let mut seen = false;
    while i < words.len() {
        if let Some(n) = phrase_at(words, i, keywords) {
            seen = true;
            i += n;
        } else if let Some(n) = filler_at(words, i, fillers) {
            i += n;
        } else {
            return false;
        }
    }
    seen
}

/// `words` without leading and trailing fillers.
fn strip_fillers<'a, 'w>(mut words: &'a [&'w str], fillers: &[&[Phrase]]) -> &'a [&'w str] {
    while let Some(n) = filler_at(words, 0, fillers) {
        words = &words[n..];
    }
    while let Some(n) = fillers
        .iter()
        .flat_map(|f| f.iter())
        .find(|p| words.ends_with(p))
        .map(|p| p.len())
    {
        words = &words[..words.len() - n];
    }
    words
}

fn is_soft_opt_out(words: &[&str]) -> bool {
    let core_polite = strip_fillers(words, &[POLITE]);
    let core = strip_fillers(words, &[POLITE, OPT_OUT_FILLERS]);
    SOFT_WHOLE.iter().any(|p| core == *p || core_polite == *p)
        || contains_phrase(words, SOFT_PHRASES)
        || (0..words.len()).any(|i| stop_contact_at(words, i) || negated_contact_at(words, i))
        || stop_at_edge(core)
}

/// "stop texting", "quit messaging me", "stop with the texts", "no more texts".
fn stop_contact_at(words: &[&str], i: usize) -> bool {
    let Some(&word) = words.get(i) else {
        return false;
    };
    let after = match (word, words.get(i + 1).copied()) {
        ("STOP", Some(next)) if STOP_VISIT.contains(&next) => return false,
        ("STOP" | "QUIT" | "CEASE" | "NOMORE", _) => i + 1,
        ("NO", Some("MORE")) | ("ENOUGH", Some("WITH")) => i + 2,
        _ => return false,
    };
    if i.checked_sub(1)
        .and_then(|k| words.get(k))
        .is_some_and(|w| STOP_BLOCKERS.contains(w))
    {
        return false;
    }
    contact_within(words, after, 3)
}

/// "don't text me", "do not contact", "never message me again", "I don't want these texts".
fn negated_contact_at(words: &[&str], i: usize) -> bool {
    let Some(&word) = words.get(i) else {
        return false;
    };
    let mut j = match (word, words.get(i + 1).copied()) {
        ("DONT" | "NEVER", _) => i + 1,
        ("DO", Some("NOT")) => i + 2,
        _ => return false,
    };
    while words
        .get(j)
        .is_some_and(|w| matches!(*w, "EVER" | "AGAIN" | "EVEN"))
    {
        j += 1;
    }
    match words.get(j) {
        Some(verb) if NEGATABLE_VERBS.contains(verb) => true,
        Some(verb) if NEGATABLE_WITH_OBJECT.contains(verb) => contact_within(words, j + 1, 4),
        _ => false,
    }
}

/// A contact word (or ANYMORE) among the `n` words from `start`.
fn contact_within(words: &[&str], start: usize, n: usize) -> bool {
    words
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take(n)
        .any(|w| CONTACT_ACTS.contains(w) || *w == "ANYMORE")
}

/// STOP as the first or last real word: "Stop, who is this?", "Not interested. Stop".
fn stop_at_edge(core: &[&str]) -> bool {
    match core {
        [first, second, ..] if *first == "STOP" && !STOP_VISIT.contains(second) => true,
        [.., before, last] if *last == "STOP" => !STOP_BLOCKERS.contains(before),
        _ => false,
    }
}

fn is_interest<'k>(
    norm: &str,
    words: &[&str],
    interest: impl IntoIterator<Item = &'k str>,
) -> bool {
    if contains_phrase(words, NOT_INTEREST) {
        return false;
    }
    // The keyword may follow greetings and polite words: "Hi, yes please", "OK yes".
    let mut lead = 0;
    while let Some(n) = filler_at(words, lead, &[POLITE]) {
        lead += n;
    }
    interest.into_iter().any(|keyword| {
        let mut start = norm;
        let rest = (0..=lead).find_map(|i| {
            if i > 0 {
                start = start.split_once(' ').map_or("", |(_, after)| after);
            }
            strip_keyword_prefix(start, keyword)
        });
        let Some(rest) = rest else {
            return false;
        };
        // A single letter ("Y") must stand alone: "Y would I" means "why would I".
        let single_char = Normalized::new(keyword).nth(1).is_none();
        if !single_char {
            return true;
        }
        let rest_words = if rest.is_empty() {
            0
        } else {
            rest.split(' ').count()
        };
        let tail = &words[words.len().saturating_sub(rest_words)..];
        only_polite(tail)
    })
}

/// True when `words` are polite words only (or none).
fn only_polite(words: &[&str]) -> bool {
    let mut i = 0;
    while let Some(n) = filler_at(words, i, &[POLITE]) {
        i += n;
    }
    i >= words.len()
}

/// When normalised `message` starts with `keyword` (normalised on the fly, no allocation) on
/// a word boundary, the rest of the message after it.
fn strip_keyword_prefix<'m>(message: &'m str, keyword: &str) -> Option<&'m str> {
    let mut rest = message;
    let mut matched_any = false;
    for k in Normalized::new(keyword) {
        let mut chars = rest.chars();
        if chars.next() != Some(k) {
            return None;
        }
        rest = chars.as_str();
        matched_any = true;
    }
    if !matched_any {
        return None;
    }
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix(' ')
    }
}

/// `Liked “…”`, `Reacted 👍 to “…”`, `Removed a heart from “…”`.
fn is_reaction(text: &str) -> bool {
    let text = text.trim_start();
    let quoted = |s: &str| s.trim_start().starts_with(['“', '"']);
    REACTIONS
        .iter()
        .any(|r| text.strip_prefix(r).is_some_and(quoted))
        || text
            .strip_prefix("Reacted ")
            .is_some_and(|rest| rest.contains(" to “") || rest.contains(" to \""))
        || text
            .strip_prefix("Removed a")
            .is_some_and(|rest| rest.contains(" from “") || rest.contains(" from \""))
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/// What normalisation does with one character.
enum CharClass {
    /// Part of a word; uppercased.
    Keep(char),
    /// Dropped without breaking the word (apostrophes, invisible characters, `*`).
    Drop,
    /// A word break (whitespace, punctuation, symbols, emoji).
    Break,
}

/// The characters of [`normalize`]'s output, produced lazily.
struct Normalized<'a> {
    chars: std::str::Chars<'a>,
    upper: Option<std::char::ToUppercase>,
    /// A word break was seen after some output and before the next kept character.
    pending_space: bool,
    started: bool,
}

impl<'a> Normalized<'a> {
    fn new(text: &'a str) -> Self {
        Normalized {
            chars: text.chars(),
            upper: None,
            pending_space: false,
            started: false,
        }
    }
}

impl Iterator for Normalized<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        loop {
            if let Some(c) = self.upper.as_mut().and_then(Iterator::next) {
                return Some(c);
            }
            self.upper = None;
            match char_class(self.chars.next()?) {
                CharClass::Drop => {}
                CharClass::Break => self.pending_space = self.started,
                CharClass::Keep(c) => {
                    self.upper = Some(c.to_uppercase());
                    if self.pending_space {
                        self.pending_space = false;
                        return Some(' ');
                    }
                    self.started = true;
                }
            }
        }
    }
}

fn char_class(c: char) -> CharClass {
    // Full-width forms of ASCII (U+FF01..U+FF5E) sit at a fixed offset from it.
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    if c.is_ascii() {
        return match c {
            _ if c.is_ascii_alphanumeric() => CharClass::Keep(c),
            '\'' | '`' | '*' => CharClass::Drop,
            _ => CharClass::Break,
        };
    }
    if is_dropped(c) {
        CharClass::Drop
    } else if c.is_alphanumeric() {
        CharClass::Keep(c)
    } else if c.is_whitespace() || c.is_control() || is_symbol_or_punctuation(c) {
        CharClass::Break
    } else {
        // Combining marks and the like: part of the word they sit in.
        CharClass::Keep(c)
    }
}

/// Apostrophe look-alikes and invisible characters.
fn is_dropped(c: char) -> bool {
    matches!(
        c,
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '\u{00B4}' // apostrophes
            | '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' // soft hyphen, zero-width
            | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' // variation selectors
            | '\u{E0000}'..='\u{E007F}' // tags (flag emoji)
    )
}

/// Non-alphanumeric characters in the Latin-1, punctuation, symbol and emoji blocks, plus
/// the common punctuation of other scripts.
fn is_symbol_or_punctuation(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}'..='\u{00FF}'
            | '\u{037E}' | '\u{0387}' | '\u{055A}'..='\u{055F}' | '\u{0589}'..='\u{058A}'
            | '\u{05BE}' | '\u{05C0}' | '\u{05C3}' | '\u{05F3}'..='\u{05F4}'
            | '\u{060C}'..='\u{060D}' | '\u{061B}' | '\u{061D}'..='\u{061F}' | '\u{066A}'..='\u{066D}' | '\u{06D4}'
            | '\u{0964}'..='\u{0965}' | '\u{0E4F}' | '\u{0E5A}'..='\u{0E5B}' | '\u{1360}'..='\u{1368}'
            | '\u{2000}'..='\u{206F}' // general punctuation
            | '\u{20A0}'..='\u{214F}' // currency, combining marks for symbols, letterlike
            | '\u{2190}'..='\u{2BFF}' // arrows, maths, technical, box drawing, shapes, dingbats…
            | '\u{2E00}'..='\u{2E7F}' // supplemental punctuation
            | '\u{3000}'..='\u{303F}' | '\u{30FB}' // CJK symbols and punctuation
            | '\u{E000}'..='\u{F8FF}' // private use (the Apple logo)
            | '\u{FE10}'..='\u{FE1F}' | '\u{FE30}'..='\u{FE6F}' | '\u{FF00}'..='\u{FF65}' | '\u{FFE0}'..='\u{FFFF}'
            | '\u{1F000}'..='\u{1FBFF}' // emoji, pictographs, playing cards, …
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use Intent::*;

    #[test]
    fn classifies() {
        let cases: &[(&str, Intent)] = &[
            // Hard opt-out: every keyword, any case, punctuation, emoji, spacing.
            ("STOP", OptOut),
            ("stop", OptOut),
            ("Stop.", OptOut),
            (" stop!! ", OptOut),
            ("STOP 🛑", OptOut),
            ("🛑stop🛑", OptOut),
            ("sToP\n", OptOut),
            ("STOPALL", OptOut),
            ("stop all", OptOut),
            ("Unsubscribe", OptOut),
            ("un-subscribe", OptOut),
            ("cancel", OptOut),
            ("END", OptOut),
            ("Quit!", OptOut),
            ("revoke", OptOut),
            ("OPTOUT", OptOut),
            ("Opt-Out", OptOut),
            ("opt out", OptOut),
            ("opt   out.", OptOut),
            ("'STOP'", OptOut),
            ("\"stop\"", OptOut),
            // Hard opt-out with fillers and repetitions.
            ("Stop please", OptOut),
            ("please STOP", OptOut),
            ("Unsubscribe please", OptOut),
            ("unsubscribe me", OptOut),
            ("Stop now!", OptOut),
            ("STOP IT", OptOut),
            ("Stop this right now", OptOut),
            ("No. Stop.", OptOut),
            ("stop, thank you", OptOut),
            ("Cancel pls thx", OptOut),
            ("STOP STOP STOP", OptOut),
            ("Stop. Unsubscribe.", OptOut),
            ("I said stop", OptOut),
            ("Stop, gracias", OptOut),
            // Precedence: hard opt-out beats interest and opt-in words in fillers.
            ("yes stop", OptOut),
            ("YES. STOP.", OptOut),
            // Opt-in.
            ("START", OptIn),
            ("start", OptIn),
            ("Unstop", OptIn),
            ("un-stop", OptIn),
            ("Start please", OptIn),
            ("Yes, start", OptIn),
            ("start again", OptIn),
            // Help.
            ("help", Help),
            ("HELP", Help),
            ("info?", Help),
            ("Help me", Help),
            ("INFO please", Help),
            // Soft opt-out.
            ("please stop texting me", SoftOptOut),
            ("Stop messaging me!!", SoftOptOut),
            ("stop sending me these messages", SoftOptOut),
            ("STOP CONTACTING ME", SoftOptOut),
            ("Quit texting me", SoftOptOut),
            ("stop with the texts", SoftOptOut),
            ("Don't text me", SoftOptOut),
            ("don’t text me again", SoftOptOut),
            ("dont text", SoftOptOut),
            ("Do not text this number", SoftOptOut),
            ("do not contact me", SoftOptOut),
            ("Never message me again", SoftOptOut),
            ("I don't want any more texts", SoftOptOut),
            ("No more texts please", SoftOptOut),
            ("no more", SoftOptOut),
            ("Remove me from your list", SoftOptOut),
            ("remove", SoftOptOut),
            ("Take me off your list", SoftOptOut),
            ("Unsubscribe me from this list", SoftOptOut),
            ("How do I unsubscribe?", SoftOptOut),
            ("please opt me out", SoftOptOut),
            ("Leave me alone", SoftOptOut),
            ("Wrong number", SoftOptOut),
            ("You have the wrong number, I'm not John", SoftOptOut),
            ("lose my number", SoftOptOut),
            ("f*** off", SoftOptOut),
            ("F**K OFF!!!", SoftOptOut),
            ("fuck off", SoftOptOut),
            ("Stop, who is this?", SoftOptOut),
            ("Stop it already you people", SoftOptOut),
            ("Please stop. Who gave you my number?", SoftOptOut),
            ("Not interested. Stop", SoftOptOut),
            ("not interested, stop texting me", SoftOptOut),
            ("Yes, stop texting me", SoftOptOut),
            ("stop texting me, help", SoftOptOut),
            ("STOP START", SoftOptOut),
            ("Stop\nSent from my iPhone", SoftOptOut),
            ("I revoke my consent", SoftOptOut),
            ("Cancel, I'm on the DNC list", SoftOptOut),
            ("Señor, stop", SoftOptOut),
            // Interest.
            ("YES", Interest),
            ("yes", Interest),
            ("Yes please", Interest),
            ("YES!", Interest),
            ("y", Interest),
            ("Y!", Interest),
            ("y please", Interest),
            ("Interested", Interest),
            ("interested!! 😀", Interest),
            ("yes I'm interested", Interest),
            ("Quote please", Interest),
            ("Yes, stop by anytime", Interest),
            ("yes!!! 👍🏽", Interest),
            ("Interested in what?", Interest),
            ("Hi, yes please", Interest),
            ("OK y", Interest),
            ("Thanks! Interested", Interest),
            ("Hello, Y would I", Other),
            ("Very interested", Other),
            // Other: near misses and false-positive traps.
            ("", Other),
            ("   ", Other),
            ("👍", Other),
            ("?!", Other),
            ("Not interested", Other),
            ("not interested right now", Other),
            ("No thanks", Other),
            ("Yes, not interested", Other),
            ("I can't stop smiling, YES please", Other),
            ("Don't stop", Other),
            ("Where is the bus stop", Other),
            ("Stop by tomorrow?", Other),
            ("Cancel my appointment", Other),
            ("The end of the month works", Other),
            ("Why don't you text me tomorrow", Other),
            ("Don't call, text me", Other),
            ("I need help with my order", Other),
            ("More info", Other),
            ("stops", Other),
            ("backend", Other),
            ("Y would I want that", Other),
            ("Y not", Other),
            ("yesterday works", Other),
            ("quotes are too high", Other),
            ("Maybe later", Other),
            ("Who is this?", Other),
            ("no more questions, send me the quote", Other),
            ("Start date is Monday", Other),
            // Tapback reactions quote our own message.
            ("Liked “Hi Sam, want a quote? Reply STOP to opt out”", Other),
            (
                "Reacted 👍 to “Reply YES for a quote, STOP to opt out”",
                Other,
            ),
        ];
        let mut failures = Vec::new();
        for (text, expected) in cases {
            let got = classify(text);
            if got != *expected {
                failures.push(format!("{text:?}: expected {expected:?}, got {got:?}"));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} cases failed:\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn non_ascii_input() {
        let cases: &[(&str, Intent)] = &[
            ("ＳＴＯＰ", OptOut), // full-width letters
            ("ｓｔｏｐ！", OptOut),
            ("¡Stop!", OptOut),
            ("¿Stop, por favor?", OptOut),
            ("«stop»", OptOut),
            ("STOP\u{200B}", OptOut),       // zero-width space
            ("S\u{00AD}TOP", OptOut),       // soft hyphen inside the word
            ("stop ✋🏽", OptOut),            // emoji with a skin-tone modifier
            ("stop 👨‍👩‍👧", OptOut),            // ZWJ sequence
            ("stop 🇺🇸", OptOut),            // regional indicators
            ("stop\u{3000}please", OptOut), // ideographic space
            ("stop — thanks", OptOut),      // em dash
            ("СТОП", Other),                // Cyrillic, not recognised
            ("Ça va? YES", Other),
            ("Sí, yes", Other),
            ("Yes, ça m'intéresse", Interest),
            ("你好", Other),
            ("straße", Other),
            ("\u{FFFD}\u{0000}\u{007F}", Other),
        ];
        for (text, expected) in cases {
            assert_eq!(classify(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn normalizes() {
        let cases = [
            ("  Stop.  ", "STOP"),
            ("Opt-Out!!", "OPT OUT"),
            ("STOP 🛑", "STOP"),
            ("don’t  text\tme", "DONT TEXT ME"),
            ("f***  off", "F OFF"),
            ("ＳＴＯＰ", "STOP"),
            ("straße", "STRASSE"),
            ("Ça va?", "ÇA VA"),
            ("café", "CAFÉ"),
            ("cafe\u{301}", "CAFE\u{301}"),
            ("नमस्ते", "नमस्ते"),
            ("a\u{200D}b", "AB"),
            ("hi👋there", "HI THERE"),
            ("$5 #1 @me", "5 1 ME"),
            ("", ""),
            ("🙂 ✓ …", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(input), expected, "{input:?}");
        }
    }

    #[test]
    fn configured_interest_keywords() {
        let kw = Keywords {
            interest: vec!["Let's talk".into(), "book".into(), "!!!".into(), "k".into()],
        };
        let cases: &[(&str, Intent)] = &[
            ("lets talk", Interest),
            ("Let’s talk tomorrow", Interest),
            ("Book me in", Interest),
            ("booking", Other),
            ("k", Interest),
            ("k thanks", Interest),
            ("k whatever", Other),
            ("yes", Other), // the defaults are replaced, not extended
            ("!!!", Other), // a keyword that normalises to nothing never matches
            ("STOP", OptOut),
            ("Book it, actually stop texting me", SoftOptOut),
            ("Let's talk? No thanks", Other),
        ];
        for (text, expected) in cases {
            assert_eq!(kw.classify(text), *expected, "{text:?}");
        }
        assert_eq!(
            Keywords {
                interest: Vec::new()
            }
            .classify("yes"),
            Other
        );
    }

    #[test]
    fn default_keywords_match_the_free_function() {
        let kw = Keywords::default();
        assert_eq!(kw.interest, ["YES", "Y", "INTERESTED", "QUOTE"]);
        for text in ["yes", "Y", "quote?", "STOP", "stop texting me", "hello"] {
            assert_eq!(kw.classify(text), classify(text), "{text:?}");
        }
    }
}
