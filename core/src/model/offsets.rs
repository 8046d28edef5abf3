//! Positions in text, and the one place where they are converted between units.
//!
//! Everywhere outside `src/dom/`, a position is a count of Unicode code points from the start
//! of the document (what Python's `text[start:end]` counts), and a range is half-open
//! (`start..end`, end exclusive). Rust strings index by UTF-8 byte and the DOM by UTF-16 code
//! unit; the conversions between the three live here and nowhere else.
//!
//! [`TextIndex`] converts in O(1) amortised time on long texts by keeping a checkpoint every
//! [`CHECKPOINT`] code points; pure-ASCII texts need no table at all. The free functions
//! (`utf16_to_cp`, …) convert within a short string, such as one DOM text node.
//!
//! ```
//! use marginalia_core::model::offsets::TextIndex;
//! let text = "a “😀” b";
//! let index = TextIndex::new(text);
//! assert_eq!(index.len_cp(), 7);
//! // Code point 4 is the closing quote: 1 + 1 + 3 + 4 bytes, 1 + 1 + 1 + 2 UTF-16 units in.
//! assert_eq!(index.cp_to_byte_in(text, 4), 9);
//! assert_eq!(index.cp_to_utf16_in(text, 4), 5);
//! ```

use serde::{Deserialize, Serialize};

/// A half-open range of code points, `start..end`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }
    /// Whether the two ranges share at least one code point.
    pub const fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
    pub const fn contains(&self, pos: usize) -> bool {
        self.start <= pos && pos < self.end
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Code points between two checkpoints of a [`TextIndex`].
pub const CHECKPOINT: usize = 64;

/// Converts positions in one text between code points, UTF-8 bytes and UTF-16 units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextIndex {
    len_cp: usize,
    len_bytes: usize,
    len_utf16: usize,
    /// For code point `k * CHECKPOINT`: its byte and UTF-16 offsets. Empty when the text is ASCII.
    checkpoints: Vec<(u32, u32)>,
}

impl TextIndex {
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return TextIndex {
                len_cp: text.len(),
                len_bytes: text.len(),
                len_utf16: text.len(),
                checkpoints: Vec::new(),
            };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / CHECKPOINT + 1);
        let (mut cp, mut u16) = (0usize, 0usize);
        for (byte, ch) in text.char_indices() {
            if cp % CHECKPOINT == 0 {
                checkpoints.push((byte as u32, u16 as u32));
            }
            cp += 1;
            u16 += ch.len_utf16();
        }
        TextIndex {
            len_cp: cp,
            len_bytes: text.len(),
            len_utf16: u16,
            checkpoints,
        }
    }

    pub fn len_cp(&self) -> usize {
        self.len_cp
    }
    pub fn len_bytes(&self) -> usize {
        self.len_bytes
    }
    pub fn len_utf16(&self) -> usize {
        self.len_utf16
    }
    fn is_ascii(&self) -> bool {
        self.checkpoints.is_empty()
    }

    /// The byte offset of code point `cp`; `cp` is clamped to the text's length.
    pub fn cp_to_byte_in(&self, text: &str, cp: usize) -> usize {
        let cp = cp.min(self.len_cp);
        if self.is_ascii() || cp == self.len_cp {
            return if cp == self.len_cp {
                self.len_bytes
            } else {
                cp
            };
        }
        let (byte, _) = self.checkpoints[cp / CHECKPOINT];
        let rest = cp % CHECKPOINT;
        let tail = &text[byte as usize..];
        byte as usize + tail.char_indices().nth(rest).map_or(tail.len(), |(b, _)| b)
    }

    /// The code point at byte offset `byte`, or `None` if it is not on a character boundary
    /// or past the end.
    pub fn byte_to_cp_in(&self, text: &str, byte: usize) -> Option<usize> {
        if byte > self.len_bytes || !text.is_char_boundary(byte) {
            return None;
        }
        if self.is_ascii() {
            return Some(byte);
        }
        let k = self
            .checkpoints
            .partition_point(|&(b, _)| b as usize <= byte)
            .saturating_sub(1);
        let from = self.checkpoints[k].0 as usize;
        Some(k * CHECKPOINT + text[from..byte].chars().count())
    }

    /// The UTF-16 offset of code point `cp`; `cp` is clamped to the text's length.
    pub fn cp_to_utf16_in(&self, text: &str, cp: usize) -> usize {
        let cp = cp.min(self.len_cp);
        if self.is_ascii() {
            return cp;
        }
        if cp == self.len_cp {
            return self.len_utf16;
        }
        let (byte, u16) = self.checkpoints[cp / CHECKPOINT];
        let rest = cp % CHECKPOINT;
        u16 as usize
            + text[byte as usize..]
                .chars()
                .take(rest)
                .map(char::len_utf16)
                .sum::<usize>()
    }

    /// The code point at UTF-16 offset `unit`, or `None` if it falls inside a surrogate pair or
    /// past the end.
    pub fn utf16_to_cp_in(&self, text: &str, unit: usize) -> Option<usize> {
        if unit > self.len_utf16 {
            return None;
        }
        if self.is_ascii() {
            return Some(unit);
        }
        let k = self
            .checkpoints
            .partition_point(|&(_, u)| u as usize <= unit)
            .saturating_sub(1);
        let (byte, u16) = self.checkpoints[k];
        utf16_to_cp(&text[byte as usize..], unit - u16 as usize).map(|cp| k * CHECKPOINT + cp)
    }
}

/// Code points in `s` before UTF-16 offset `unit`; `None` inside a surrogate pair or past the end.
pub fn utf16_to_cp(s: &str, unit: usize) -> Option<usize> {
    let mut seen = 0usize;
    for (cp, ch) in s.chars().enumerate() {
        if seen == unit {
            return Some(cp);
        }
        if seen > unit {
            return None;
        }
        seen += ch.len_utf16();
    }
    (seen == unit).then(|| s.chars().count())
}

/// UTF-16 units in `s` before code point `cp` (clamped to the string's length).
pub fn cp_to_utf16(s: &str, cp: usize) -> usize {
    s.chars().take(cp).map(char::len_utf16).sum()
}

/// Byte offset of code point `cp` in `s` (clamped to the string's length).
pub fn cp_to_byte(s: &str, cp: usize) -> usize {
    s.char_indices().nth(cp).map_or(s.len(), |(b, _)| b)
}

/// Code points in `s` before byte `byte`; `None` off a character boundary or past the end.
pub fn byte_to_cp(s: &str, byte: usize) -> Option<usize> {
    (byte <= s.len() && s.is_char_boundary(byte)).then(|| s[..byte].chars().count())
}

/// The slice of `s` covering code points `span.start..span.end` (clamped).
pub fn slice_cp(s: &str, span: Span) -> &str {
    let start = cp_to_byte(s, span.start);
    let end = start + cp_to_byte(&s[start..], span.end.saturating_sub(span.start));
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Texts that break naive offset code: each with its length in code points and UTF-16 units.
    const CASES: &[(&str, usize, usize)] = &[
        ("plain ascii", 11, 11),
        ("“free” of “tyrant”", 18, 18),
        ("displacement… we", 16, 16),
        ("emoji 😀 here", 12, 13),
        ("family 👨‍👩‍👧 ok", 15, 18),
        ("cafe\u{301} re\u{301}sume\u{301}", 14, 14),
        ("line one\r\n\r\nline two", 20, 20),
        ("دمشق حرة", 8, 8),
        ("mix “😀” دمشق 🇸🇾 e\u{301}", 18, 21),
        ("", 0, 0),
    ];

    #[test]
    fn lengths_in_every_unit() {
        for &(text, cps, units) in CASES {
            let index = TextIndex::new(text);
            assert_eq!(index.len_cp(), cps, "code points of {text:?}");
            assert_eq!(index.len_utf16(), units, "UTF-16 units of {text:?}");
            assert_eq!(index.len_bytes(), text.len());
        }
    }

    #[test]
    fn every_position_converts_both_ways() {
        for &(text, _, _) in CASES {
            let index = TextIndex::new(text);
            let chars: Vec<char> = text.chars().collect();
            let (mut byte, mut unit) = (0, 0);
            for cp in 0..=chars.len() {
                assert_eq!(
                    index.cp_to_byte_in(text, cp),
                    byte,
                    "byte of cp {cp} in {text:?}"
                );
                assert_eq!(
                    index.cp_to_utf16_in(text, cp),
                    unit,
                    "unit of cp {cp} in {text:?}"
                );
                assert_eq!(index.byte_to_cp_in(text, byte), Some(cp));
                assert_eq!(index.utf16_to_cp_in(text, unit), Some(cp));
                assert_eq!(utf16_to_cp(text, unit), Some(cp));
                assert_eq!(cp_to_utf16(text, cp), unit);
                if let Some(ch) = chars.get(cp) {
                    byte += ch.len_utf8();
                    unit += ch.len_utf16();
                }
            }
        }
    }

    #[test]
    fn positions_inside_a_character_are_refused() {
        let text = "a😀b";
        let index = TextIndex::new(text);
        assert_eq!(
            index.utf16_to_cp_in(text, 2),
            None,
            "between the surrogates"
        );
        assert_eq!(utf16_to_cp(text, 2), None);
        assert_eq!(
            index.byte_to_cp_in(text, 2),
            None,
            "inside the UTF-8 sequence"
        );
        assert_eq!(index.utf16_to_cp_in(text, 5), None, "past the end");
        assert_eq!(index.byte_to_cp_in(text, 7), None);
    }

    #[test]
    fn slicing_by_code_points_matches_python() {
        // Python: "mix “😀” دمشق"[4:7] == "“😀”"
        assert_eq!(slice_cp("mix “😀” دمشق", Span::new(4, 7)), "“😀”");
        assert_eq!(slice_cp("mix “😀” دمشق", Span::new(8, 12)), "دمشق");
        assert_eq!(slice_cp("abc", Span::new(2, 10)), "c");
        assert_eq!(slice_cp("abc", Span::new(5, 10)), "");
    }

    #[test]
    fn long_texts_cross_many_checkpoints() {
        let text = "ab😀“d”\r\n".repeat(500);
        let index = TextIndex::new(&text);
        let mut byte = 0;
        let mut unit = 0;
        for (cp, ch) in text.chars().enumerate() {
            assert_eq!(index.cp_to_byte_in(&text, cp), byte);
            assert_eq!(index.utf16_to_cp_in(&text, unit), Some(cp));
            byte += ch.len_utf8();
            unit += ch.len_utf16();
        }
    }

    #[test]
    fn span_relations() {
        let a = Span::new(2, 5);
        assert!(a.overlaps(&Span::new(4, 9)));
        assert!(
            !a.overlaps(&Span::new(5, 9)),
            "half-open ranges that touch do not overlap"
        );
        assert!(a.contains(2) && !a.contains(5));
        assert_eq!(a.len(), 3);
        assert!(Span::new(3, 3).is_empty());
        assert_eq!(a.to_string(), "2..5");
    }

    proptest! {
        #[test]
        fn round_trips_for_any_unicode(text in "\\PC*", astral in proptest::collection::vec(0x1F300u32..0x1FAFF, 0..8)) {
            let mut text = text;
            for c in astral.into_iter().filter_map(char::from_u32) { text.push(c); text.push('x'); }
            let index = TextIndex::new(&text);
            prop_assert_eq!(index.len_cp(), text.chars().count());
            prop_assert_eq!(index.len_utf16(), text.encode_utf16().count());
            for cp in 0..=index.len_cp() {
                let byte = index.cp_to_byte_in(&text, cp);
                let unit = index.cp_to_utf16_in(&text, cp);
                prop_assert_eq!(index.byte_to_cp_in(&text, byte), Some(cp));
                prop_assert_eq!(index.utf16_to_cp_in(&text, unit), Some(cp));
                prop_assert_eq!(text[..byte].chars().count(), cp);
                prop_assert_eq!(text[..byte].encode_utf16().count(), unit);
            }
        }

        #[test]
        fn slices_agree_with_char_collection(text in "\\PC{0,40}", a in 0usize..45, b in 0usize..45) {
            let (start, end) = (a.min(b), a.max(b));
            let expected: String = text.chars().skip(start).take(end - start).collect();
            prop_assert_eq!(slice_cp(&text, Span::new(start, end)), expected.as_str());
        }
    }
}
