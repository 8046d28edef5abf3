//! Word-aware selection: snapping a raw selection outward to whole words, and moving a span's
//! boundaries one word at a time.
//!
//! Words are the segments of Unicode word boundaries (UAX #29, from `unicode-segmentation`),
//! computed within the block around a position (see `model::document`: a paragraph, or a
//! bounded piece of a long one) so that the cost does not grow with the document or with the
//! paragraph. Blocks begin and end at word boundaries (at a line break, or after a space),
//! except where a line has no space for half a block: a "word" longer than that is cut where
//! its block ends. Segments that are only whitespace are gaps, not words; punctuation such as “ is a
//! word of its own, so a selection from an opening quotation mark keeps it.
//!
//! ```text
//! snap(3..17) over "Hayat Tahrir al-Sham":  Hay[at Tahrir al-Sh]am  →  [Hayat Tahrir al-Sham]
//! ```

use unicode_segmentation::UnicodeSegmentation;

use super::document::Document;
use super::offsets::Span;

/// The block holding the character at `pos`, else the gap between blocks that holds it.
fn region_around(doc: &Document, pos: usize) -> Span {
    let blocks = doc.blocks();
    let i = blocks.partition_point(|b| b.end <= pos);
    match blocks.get(i) {
        Some(b) if b.start <= pos => *b,
        _ => {
            let start = if i == 0 { 0 } else { blocks[i - 1].end };
            let end = blocks.get(i).map_or(doc.len(), |b| b.start);
            Span::new(start, end)
        }
    }
}

/// The word segments (start, end, is_space) of a region, in document code points.
fn segments_of(doc: &Document, region: Span) -> Vec<(usize, usize, bool)> {
    let text = doc.slice(region);
    let mut out = Vec::new();
    let mut cp = region.start;
    for seg in text.split_word_bounds() {
        let len = seg.chars().count();
        out.push((cp, cp + len, seg.trim().is_empty()));
        cp += len;
    }
    out
}

/// The word segments (start, end, is_space) of the block or gap around `pos`.
fn segments_around(doc: &Document, pos: usize) -> Vec<(usize, usize, bool)> {
    segments_of(doc, region_around(doc, pos))
}

/// Snaps a selection outward to whole words, then trims spaces and line breaks at both ends.
/// Returns `None` when nothing but space is selected.
pub fn snap_to_words(doc: &Document, span: Span) -> Option<Span> {
    let span = Span::new(
        span.start.min(span.end),
        span.start.max(span.end).min(doc.len()),
    );
    if span.is_empty() {
        return None;
    }
    let start = segments_around(doc, span.start)
        .into_iter()
        .find(|&(s, e, _)| s <= span.start && span.start < e)
        .map_or(span.start, |(s, _, _)| s);
    let end = segments_around(doc, span.end - 1)
        .into_iter()
        .find(|&(s, e, _)| s < span.end && span.end <= e)
        .map_or(span.end, |(_, e, _)| e);
    trim(doc, Span::new(start, end))
}

/// Trims whitespace at both ends of a span; `None` if nothing is left.
pub fn trim(doc: &Document, span: Span) -> Option<Span> {
    let text = doc.slice(span);
    let lead = text.chars().take_while(|c| c.is_whitespace()).count();
    let trail = text.chars().rev().take_while(|c| c.is_whitespace()).count();
    let len = span.len();
    (lead < len).then(|| Span::new(span.start + lead, span.end - trail))
}

/// Which boundary to move, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nudge {
    /// Shift+→: the end takes in the next word.
    GrowEnd,
    /// Shift+←: the end gives up its last word.
    ShrinkEnd,
    /// Alt+Shift+←: the start takes in the previous word.
    GrowStart,
    /// Alt+Shift+→: the start gives up its first word.
    ShrinkStart,
}

/// Moves one boundary of `span` by a word. Returns the span unchanged when it cannot move
/// (at the text's edge, or when it would become empty).
pub fn nudge(doc: &Document, span: Span, how: Nudge) -> Span {
    let moved = match how {
        Nudge::GrowEnd => forward(doc, span.end, |w| {
            w.iter().find(|&&(_, e)| e > span.end).map(|&(_, e)| e)
        }),
        Nudge::ShrinkEnd => backward(doc, span.end, |w| {
            w.iter()
                .rev()
                .find(|&&(_, e)| e < span.end)
                .map(|&(_, e)| e)
        })
        .filter(|&e| e > span.start),
        Nudge::GrowStart => backward(doc, span.start, |w| {
            w.iter()
                .rev()
                .find(|&&(s, _)| s < span.start)
                .map(|&(s, _)| s)
        }),
        Nudge::ShrinkStart => forward(doc, span.start, |w| {
            w.iter().find(|&&(s, _)| s > span.start).map(|&(s, _)| s)
        })
        .filter(|&s| s < span.end),
    };
    match (how, moved) {
        (Nudge::GrowEnd | Nudge::ShrinkEnd, Some(end)) => Span::new(span.start, end),
        (Nudge::GrowStart | Nudge::ShrinkStart, Some(start)) => Span::new(start, span.end),
        _ => span,
    }
}

/// The words (start, end) of a region, without the spaces between them.
fn words_of(doc: &Document, region: Span) -> Vec<(usize, usize)> {
    segments_of(doc, region)
        .into_iter()
        .filter(|s| !s.2)
        .map(|(s, e, _)| (s, e))
        .collect()
}

/// What `pick` finds among the words of the block (or gap) at `pos`, else of each block after
/// it in turn.
fn forward(
    doc: &Document,
    pos: usize,
    pick: impl Fn(&[(usize, usize)]) -> Option<usize>,
) -> Option<usize> {
    let here = region_around(doc, pos);
    let blocks = doc.blocks();
    let later = &blocks[blocks.partition_point(|b| b.start < here.end)..];
    std::iter::once(here)
        .chain(later.iter().copied())
        .find_map(|region| pick(&words_of(doc, region)))
}

/// What `pick` finds among the words of the block (or gap) before `pos`, else of each block
/// before that in turn.
fn backward(
    doc: &Document,
    pos: usize,
    pick: impl Fn(&[(usize, usize)]) -> Option<usize>,
) -> Option<usize> {
    let here = region_around(doc, pos.saturating_sub(1));
    let blocks = doc.blocks();
    let earlier = &blocks[..blocks.partition_point(|b| b.end <= here.start)];
    std::iter::once(here)
        .chain(earlier.iter().rev().copied())
        .find_map(|region| pick(&words_of(doc, region)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `snap_to_words` to the range marked by `[` and `]` in `marked`, and returns the
    /// text with the snapped range marked the same way.
    fn snapped(marked: &str) -> String {
        let start = marked.chars().position(|c| c == '[').unwrap();
        let end = marked.chars().position(|c| c == ']').unwrap() - 1;
        let text: String = marked.chars().filter(|&c| c != '[' && c != ']').collect();
        let doc = Document::new("t", "t", text.clone());
        match snap_to_words(&doc, Span::new(start, end)) {
            None => "None".into(),
            Some(s) => mark(&text, s),
        }
    }

    fn mark(text: &str, s: Span) -> String {
        let mut out = String::new();
        for (i, c) in text.chars().enumerate() {
            if i == s.start {
                out.push('[');
            }
            if i == s.end {
                out.push(']');
            }
            out.push(c);
        }
        if s.end == text.chars().count() {
            out.push(']');
        }
        out
    }

    #[test]
    fn snaps_outward_to_whole_words() {
        let cases = [
            (
                "led by the Hay[at Tahrir al-Sh]am (HTS)",
                "led by the [Hayat Tahrir al-Sham] (HTS)",
            ),
            (
                "the [Hayat Tahrir al-Sham] group",
                "the [Hayat Tahrir al-Sham] group",
            ),
            ("the[ Baath Party ]regime", "the [Baath Party] regime"),
            ("city is “fr[e]e” of", "city is “[free]” of"),
            ("is [“free”] of", "is [“free”] of"),
            (
                "[“After 50 years… we announce”]",
                "[“After 50 years… we announce”]",
            ),
            ("Bashar al-A[ssad]", "Bashar al-[Assad]"),
            ("today, 12/8/20[24], the end", "today, 12/8/[2024], the end"),
            ("today, 1[2/8/2]024", "today, [12/8/2024]"),
            ("crowd 😀[ cheers]", "crowd 😀 [cheers]"),
            ("a family 👨‍👩‍[👧] here", "a family [👨‍👩‍👧] here"),
            ("re\u{301}su[me\u{301}] now", "[re\u{301}sume\u{301}] now"),
            ("في دم[شق] اليوم", "في [دمشق] اليوم"),
            ("first\r\n\r\n[sec]ond", "first\r\n\r\n[second]"),
            ("end of one[\r\n\r\n]", "None"),
            ("a [  ] b", "None"),
        ];
        for (input, expected) in cases {
            assert_eq!(snapped(input), expected, "snapping {input}");
        }
    }

    #[test]
    fn a_selection_may_cross_paragraphs() {
        assert_eq!(
            snapped("one t[wo\n\nthr]ee four"),
            "one [two\n\nthree] four"
        );
    }

    fn nudged(text: &str, span: Span, how: Nudge) -> String {
        let doc = Document::new("t", "t", text);
        mark(text, nudge(&doc, span, how))
    }

    #[test]
    fn nudges_move_one_boundary_by_a_word() {
        let t = "the Baath Party regime, said “they”.";
        // "Baath Party" is 4..15
        let s = Span::new(4, 15);
        assert_eq!(
            nudged(t, s, Nudge::GrowEnd),
            "the [Baath Party regime], said “they”."
        );
        assert_eq!(
            nudged(t, s, Nudge::ShrinkEnd),
            "the [Baath] Party regime, said “they”."
        );
        assert_eq!(
            nudged(t, s, Nudge::GrowStart),
            "[the Baath Party] regime, said “they”."
        );
        assert_eq!(
            nudged(t, s, Nudge::ShrinkStart),
            "the Baath [Party] regime, said “they”."
        );
        // Punctuation is a word of its own.
        assert_eq!(
            nudged(t, Span::new(16, 22), Nudge::GrowEnd),
            "the Baath Party [regime,] said “they”."
        );
    }

    #[test]
    fn nudges_stop_at_edges_and_never_empty_a_span() {
        let t = "one two";
        assert_eq!(nudged(t, Span::new(0, 3), Nudge::GrowStart), "[one] two");
        assert_eq!(nudged(t, Span::new(4, 7), Nudge::GrowEnd), "one [two]");
        assert_eq!(nudged(t, Span::new(0, 3), Nudge::ShrinkEnd), "[one] two");
        assert_eq!(nudged(t, Span::new(0, 3), Nudge::ShrinkStart), "[one] two");
    }

    #[test]
    fn nudges_cross_paragraph_breaks() {
        let t = "one\n\ntwo three";
        assert_eq!(
            nudged(t, Span::new(0, 3), Nudge::GrowEnd),
            "[one\n\ntwo] three"
        );
        assert_eq!(
            nudged(t, Span::new(5, 8), Nudge::GrowStart),
            "[one\n\ntwo] three"
        );
    }

    proptest::proptest! {
        /// Words are found within blocks, and come out as they would over the whole paragraph:
        /// snapping and nudging give the same spans in a text cut into small blocks (where
        /// every block ends at a space or a line break) as in one block a paragraph.
        #[test]
        fn blocks_do_not_change_words(
            words in proptest::collection::vec(("[a-z“”’.,]{1,3}", proptest::sample::select(vec![" ", "  ", "\n", "\r\n", "\n\n"])), 1..40),
            at in 0usize..200,
            len in 1usize..30,
        ) {
            let text: String = words.iter().flat_map(|(w, s)| [w.as_str(), *s]).collect();
            let whole = Document::new("t", "t", text.as_str());
            // Blocks of 12: a space then a word within every 6 code points, so every cut is at
            // one (a word of 3 and "\r\n" are 5).
            let cut = Document::with_block_max("t", "t", text.as_str(), 12);
            let n = whole.len();
            let span = Span::new(at.min(n), (at + len).min(n));
            proptest::prop_assert_eq!(snap_to_words(&cut, span), snap_to_words(&whole, span));
            if !span.is_empty() {
                for how in [Nudge::GrowEnd, Nudge::ShrinkEnd, Nudge::GrowStart, Nudge::ShrinkStart] {
                    proptest::prop_assert_eq!(nudge(&cut, span, how), nudge(&whole, span, how), "{:?}", how);
                }
            }
        }
    }
}
