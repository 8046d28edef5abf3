//! Where a document's text is blank (whitespace as `str::trim` sees it), asked of a span in
//! O(64) however long the span: whether it covers only spaces, its first and last non-blank
//! character, and its text shortened for a message, all without reading the span through.
//!
//! Files choose their spans, so an importer that trims each span's text does work the file
//! controls: thousands of spans over megabytes of spaces cost thousands times megabytes.
//! [`Blanks`] reads the text once, lazily (short spans are read directly, and a document whose
//! spans are all short never builds the index), keeping for each block of [`BLOCK`] code
//! points the next and the previous block holding a non-blank character.
//!
//! Invariant: every answer equals the one got by reading `doc.slice(span)` (tested against it).

use std::cell::OnceCell;

use super::document::Document;
use super::offsets::Span;

/// Code points per block of the index.
pub const BLOCK: usize = 64;
/// Spans up to this long are read directly.
const SHORT: usize = 4 * BLOCK;

/// Blank stretches of one document's text.
pub struct Blanks<'d> {
    doc: &'d Document,
    index: OnceCell<Index>,
}

struct Index {
    /// For block `b`: the first block at or after `b` holding a non-blank character (or the
    /// number of blocks).
    next: Vec<u32>,
    /// For block `b`: one more than the last block at or before `b` holding one (or 0).
    prev: Vec<u32>,
}

impl<'d> Blanks<'d> {
    pub fn new(doc: &'d Document) -> Self {
        Blanks {
            doc,
            index: OnceCell::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let blocks = self.doc.len().div_ceil(BLOCK);
            let mut filled = vec![false; blocks];
            for (i, c) in self.doc.text().chars().enumerate() {
                if !c.is_whitespace() {
                    filled[i / BLOCK] = true;
                }
            }
            let mut next = vec![blocks as u32; blocks];
            let mut after = blocks as u32;
            for b in (0..blocks).rev() {
                if filled[b] {
                    after = b as u32;
                }
                next[b] = after;
            }
            let mut prev = vec![0u32; blocks];
            let mut before = 0u32;
            for b in 0..blocks {
                if filled[b] {
                    before = b as u32 + 1;
                }
                prev[b] = before;
            }
            Index { next, prev }
        })
    }

    /// The first non-blank code point in `range` (clamped to the text), read directly.
    fn scan_forward(&self, start: usize, end: usize) -> Option<usize> {
        let at = self
            .doc
            .slice(Span::new(start, end))
            .chars()
            .position(|c| !c.is_whitespace())?;
        Some(start + at)
    }

    fn scan_backward(&self, start: usize, end: usize) -> Option<usize> {
        let s = self.doc.slice(Span::new(start, end));
        let from_end = s.chars().rev().position(|c| !c.is_whitespace())?;
        Some(start + s.chars().count() - 1 - from_end)
    }

    /// The first code point of `span` that is not whitespace.
    pub fn first_non_blank(&self, span: Span) -> Option<usize> {
        let end = span.end.min(self.doc.len());
        let start = span.start;
        if start >= end {
            return None;
        }
        if end - start <= SHORT {
            return self.scan_forward(start, end);
        }
        let block_end = (start / BLOCK + 1) * BLOCK;
        if let Some(at) = self.scan_forward(start, block_end) {
            return Some(at);
        }
        let b = *self.index().next.get(start / BLOCK + 1)? as usize;
        if b * BLOCK >= end {
            return None;
        }
        self.scan_forward(b * BLOCK, end.min((b + 1) * BLOCK))
    }

    /// The last code point of `span` that is not whitespace.
    pub fn last_non_blank(&self, span: Span) -> Option<usize> {
        let end = span.end.min(self.doc.len());
        let start = span.start;
        if start >= end {
            return None;
        }
        if end - start <= SHORT {
            return self.scan_backward(start, end);
        }
        let last_block = (end - 1) / BLOCK;
        if let Some(at) = self.scan_backward(last_block * BLOCK, end) {
            return Some(at);
        }
        if last_block == 0 {
            return None;
        }
        let b = self.index().prev[last_block - 1] as usize;
        if b == 0 || b * BLOCK <= start {
            return None;
        }
        let b = b - 1;
        self.scan_backward(start.max(b * BLOCK), (b + 1) * BLOCK)
    }

    /// Whether `span` covers only whitespace (`doc.slice(span).trim().is_empty()`).
    pub fn only_blank(&self, span: Span) -> bool {
        self.first_non_blank(span).is_none()
    }

    /// `shorten(doc.slice(span), max)`: the span's text trimmed, cut to `max` characters with
    /// "…".
    pub fn short(&self, span: Span, max: usize) -> String {
        let (Some(first), Some(last)) = (self.first_non_blank(span), self.last_non_blank(span))
        else {
            return String::new();
        };
        let trimmed = Span::new(first, last + 1);
        if trimmed.len() <= max {
            return self.doc.slice(trimmed).to_string();
        }
        let cut = self
            .doc
            .slice(Span::new(first, first + max.saturating_sub(1)));
        format!("{}…", cut.trim_end())
    }

    /// `looks_direct(doc.slice(span))`: whether the span's text opens with a quotation mark
    /// once leading whitespace is skipped.
    pub fn looks_direct(&self, span: Span) -> bool {
        self.first_non_blank(span).is_some_and(|at| {
            super::annotation::looks_direct(self.doc.slice(Span::new(at, at + 1)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::annotation::looks_direct;
    use crate::model::state::shorten;
    use proptest::prelude::*;

    /// Texts of long blank runs with a few words, breaks, emoji and NBSPs among them.
    fn texts() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            (1usize..400).prop_map(|n| " ".repeat(n)),
            Just("\n".to_string()),
            Just("\u{a0}\u{3000}".to_string()),
            Just("x".to_string()),
            Just("“😀".to_string()),
            Just("ab cd".to_string()),
        ];
        proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn agrees_with_reading_the_span(text in texts(), a in 0usize..3000, b in 0usize..3000, max in 0usize..50) {
            let doc = Document::new("d", "d", text);
            let blanks = Blanks::new(&doc);
            let len = doc.len();
            let (s, e) = (a.min(b).min(len), a.max(b).min(len));
            let span = Span::new(s, e);
            let slice = doc.slice(span);
            prop_assert_eq!(blanks.only_blank(span), slice.trim().is_empty());
            prop_assert_eq!(blanks.short(span, max), shorten(slice, max));
            prop_assert_eq!(blanks.looks_direct(span), looks_direct(slice));
            let first = slice.chars().position(|c| !c.is_whitespace()).map(|p| s + p);
            prop_assert_eq!(blanks.first_non_blank(span), first);
            let last = slice.chars().enumerate().filter(|(_, c)| !c.is_whitespace()).last().map(|(p, _)| s + p);
            prop_assert_eq!(blanks.last_non_blank(span), last);
        }
    }

    #[test]
    fn long_runs_and_their_edges() {
        let text = format!("a{}b{}", " ".repeat(10_000), " ".repeat(5_000));
        let doc = Document::new("d", "d", text);
        let blanks = Blanks::new(&doc);
        assert!(blanks.only_blank(Span::new(1, 10_001)));
        assert!(!blanks.only_blank(Span::new(1, 10_002)));
        assert_eq!(blanks.first_non_blank(Span::new(1, 15_002)), Some(10_001));
        assert_eq!(blanks.last_non_blank(Span::new(0, 15_002)), Some(10_001));
        assert_eq!(blanks.short(Span::new(0, 15_002), 5), "a…");
        assert!(
            blanks.only_blank(Span::new(10_002, 20_000)),
            "clamped to the text"
        );
    }
}
