//! Where a text stands again as whole words: the search behind "Tag every occurrence"
//! ([`crate::model::Action::TagAll`], [`crate::model::State::occurrences`]).
//!
//! An occurrence is a range of the text whose code points equal the needle's one for one,
//! exactly or (ignoring case) after [`fold`], and that is whole words: a selection of exactly
//! that range stays as it is when [`crate::model::words::snap_to_words`] snaps it (it starts
//! and ends on word boundaries of UAX #29, give or take whitespace snapping trims). So "Syria"
//! is not found in "Syrian" nor "Assad" in "Assad’s", while "al-Assad" is in "Bashar
//! al-Assad". Nothing is normalised: "café" with a precomposed é and "cafe\u{301}" are
//! different texts.
//!
//! The search is Knuth–Morris–Pratt over code points (over their folds when ignoring case):
//! one pass over the text, whatever the needle, overlapping occurrences included ("a a" twice
//! in "a a a"), skipping with `memchr` to where one can begin; each one found is then checked
//! at its two ends by [`Boundaries`], which reads a few words around the position. So a search
//! costs O(text + needle + occurrences · word).
//!
//! ```
//! use marginalia_core::model::occurrences::{whole_words, Match};
//! use marginalia_core::model::{Document, Span};
//! let doc = Document::new("d", "T", "Syria, Syrian SYRIA syria");
//! let found = whole_words(&doc, "Syria", Match { match_case: false });
//! assert_eq!(found, [Span::new(0, 5), Span::new(14, 19), Span::new(20, 25)]);
//! ```

use super::document::Document;
use super::offsets::Span;
use super::words::Boundaries;

/// How occurrences are compared. Words are always whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Match {
    /// Whether "damascus" differs from "Damascus". When false, code points are compared after
    /// [`fold`].
    pub match_case: bool,
}

/// The simple case folding of a code point (Unicode's CaseFolding.txt, statuses C and S): the
/// one-to-one folding, which never changes how many code points a text has, so an occurrence
/// found ignoring case has the needle's length and offsets stay exact. Full folding ("ß" →
/// "ss") would not, and is not done: "Straße" does not match "STRASSE", but "ß" matches "ẞ".
/// "İ" (dotted capital I) folds to itself, as in Unicode: "İstanbul" matches "İSTANBUL", not
/// "istanbul"; "Σ", "σ" and "ς" all fold to "σ".
///
/// Computed as the lowercase of the uppercase, each taken only where it is one code point, with
/// the four code points where that differs from CaseFolding.txt (checked over every code point
/// of Unicode 14 against Python's `str.casefold`): "ı" folds to itself, and "ΐ", "ΰ", "ﬅ" to
/// the forms they share with "ΐ", "ΰ", "ﬆ".
pub fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    match c {
        'ı' => return c,
        '\u{1FD3}' => return '\u{390}',
        '\u{1FE3}' => return '\u{3B0}',
        '\u{FB05}' => return '\u{FB06}',
        _ => {}
    }
    let upper = single(c.to_uppercase()).unwrap_or(c);
    single(upper.to_lowercase()).unwrap_or(upper)
}

/// The one item of an iterator that has exactly one.
fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Every range where `needle` stands as whole words, in order, overlapping ones included.
/// Empty for an empty needle.
pub fn whole_words(doc: &Document, needle: &str, opts: Match) -> Vec<Span> {
    let mut starts = Boundaries::new(doc);
    let mut ends = Boundaries::new(doc);
    let mut out = Vec::new();
    let k = needle.chars().count();
    let text = doc.text();
    let mut each = |end: usize, end_byte: usize| {
        let start = end - k;
        if !ends.ends_word_at(end, end_byte) {
            return;
        }
        // Ignoring case, the text may spell the needle in more or fewer bytes ("ſ" for "s").
        let start_byte = if opts.match_case {
            end_byte - needle.len()
        } else {
            text[..end_byte]
                .char_indices()
                .rev()
                .nth(k - 1)
                .map_or(0, |(i, _)| i)
        };
        if starts.starts_word_at(start, start_byte) {
            out.push(Span::new(start, end));
        }
    };
    let Some(first) = needle.chars().next() else {
        return out;
    };
    if opts.match_case {
        search(doc.text(), needle, |c| c, &[first], &mut each);
    } else {
        search(doc.text(), needle, fold, &variants(first), &mut each);
    }
    out
}

/// The code points that fold as `c` does, when they are few and known: the two cases of an
/// ASCII letter, and the two others that fold to one ("ſ" to "s", the Kelvin sign to "k").
/// Empty (unknown) otherwise.
fn variants(c: char) -> Vec<char> {
    match fold(c) {
        's' => vec!['s', 'S', 'ſ'],
        'k' => vec!['k', 'K', '\u{212A}'],
        f if f.is_ascii_alphabetic() => vec![f, f.to_ascii_uppercase()],
        f if f.is_ascii() => vec![f],
        _ => Vec::new(),
    }
}

/// Calls `found` with the end (in code points, and in bytes) of every occurrence of `needle` in `text`,
/// comparing code points after `key`: Knuth–Morris–Pratt, O(text + needle). Between
/// occurrences, where nothing is matched yet, it skips with `memchr` to the next code point
/// among `firsts` (all those that can begin one, at most three; none to skip nothing), as most
/// of a text cannot begin one.
fn search(
    text: &str,
    needle: &str,
    key: impl Fn(char) -> char,
    firsts: &[char],
    mut found: impl FnMut(usize, usize),
) {
    let pattern: Vec<char> = needle.chars().map(&key).collect();
    if pattern.is_empty() {
        return;
    }
    // fail[j]: the length of the longest proper border of pattern[..=j].
    let mut fail = vec![0usize; pattern.len()];
    let mut b = 0;
    for j in 1..pattern.len() {
        while b > 0 && pattern[j] != pattern[b] {
            b = fail[b - 1];
        }
        if pattern[j] == pattern[b] {
            b += 1;
        }
        fail[j] = b;
    }
    // The first byte of each: UTF-8 never repeats a first byte inside a code point, so each
    // byte found starts one.
    let mut leads: Vec<u8> = firsts
        .iter()
        .map(|c| c.encode_utf8(&mut [0; 4]).as_bytes()[0])
        .collect();
    crate::model::sort::sort_dedup(&mut leads);
    let bytes = text.as_bytes();
    let (mut at, mut cp, mut j) = (0, 0, 0);
    while at < bytes.len() {
        if j == 0 {
            let rest = &bytes[at..];
            let skip = match leads[..] {
                [a] => memchr::memchr(a, rest),
                [a, b] => memchr::memchr2(a, b, rest),
                [a, b, c] => memchr::memchr3(a, b, c, rest),
                _ => Some(0),
            };
            let Some(skip) = skip else { return };
            cp += text[at..at + skip].chars().count();
            at += skip;
        }
        let c = text[at..].chars().next().expect("at a code point");
        at += c.len_utf8();
        cp += 1;
        let c = key(c);
        while j > 0 && c != pattern[j] {
            j = fail[j - 1];
        }
        if c == pattern[j] {
            j += 1;
        }
        if j == pattern.len() {
            found(cp, at);
            j = fail[j - 1];
        }
    }
}

#[cfg(test)]
#[path = "occurrences_tests.rs"]
pub(crate) mod tests;
