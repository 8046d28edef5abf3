//! Word-aware selection: snapping a raw selection outward to whole words, and moving a span's
//! boundaries one word at a time.
//!
//! Words are the segments of Unicode word boundaries (UAX #29, from `unicode-segmentation`),
//! computed within the paragraph around a position so that the cost does not grow with the
//! document. Segments that are only whitespace are gaps, not words; punctuation such as “ is a
//! word of its own, so a selection from an opening quotation mark keeps it.
//!
//! ```text
//! snap(3..17) over "Hayat Tahrir al-Sham":  Hay[at Tahrir al-Sh]am  →  [Hayat Tahrir al-Sham]
//! ```

use unicode_segmentation::UnicodeSegmentation;

use super::document::Document;
use super::offsets::Span;

/// The word segments (start, end, is_space) of the paragraph or gap around `pos`, in document
/// code points.
fn segments_around(doc: &Document, pos: usize) -> Vec<(usize, usize, bool)> {
    let paras = doc.paragraphs();
    let i = paras.partition_point(|p| p.end < pos);
    // The paragraph containing pos (or ending at it), else the gap between paragraphs.
    let region = match paras.get(i) {
        Some(p) if p.start <= pos => *p,
        _ => {
            let start = if i == 0 { 0 } else { paras[i - 1].end };
            let end = paras.get(i).map_or(doc.len(), |p| p.start);
            Span::new(start, end)
        }
    };
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
    let words = |pos: usize| -> Vec<(usize, usize)> {
        segments_around(doc, pos)
            .into_iter()
            .filter(|s| !s.2)
            .map(|(s, e, _)| (s, e))
            .collect()
    };
    let moved = match how {
        Nudge::GrowEnd => next_word_end(doc, span.end, &words),
        Nudge::ShrinkEnd => words(span.end.saturating_sub(1))
            .into_iter()
            .rev()
            .find(|&(_, e)| e < span.end)
            .map(|(_, e)| e)
            .filter(|&e| e > span.start),
        Nudge::GrowStart => prev_word_start(doc, span.start, &words),
        Nudge::ShrinkStart => words(span.start)
            .into_iter()
            .find(|&(s, _)| s > span.start)
            .map(|(s, _)| s)
            .filter(|&s| s < span.end),
    };
    match (how, moved) {
        (Nudge::GrowEnd | Nudge::ShrinkEnd, Some(end)) => Span::new(span.start, end),
        (Nudge::GrowStart | Nudge::ShrinkStart, Some(start)) => Span::new(start, span.end),
        _ => span,
    }
}

/// The end of the first word that ends after `pos`, looking into later paragraphs if needed.
fn next_word_end(
    doc: &Document,
    pos: usize,
    words: &dyn Fn(usize) -> Vec<(usize, usize)>,
) -> Option<usize> {
    let mut at = pos;
    while at < doc.len() {
        if let Some(&(_, e)) = words(at).iter().find(|&&(_, e)| e > pos) {
            return Some(e);
        }
        // Nothing more in this region: try the next paragraph.
        let next = doc.paragraphs().iter().find(|p| p.start > at)?;
        at = next.start;
    }
    None
}

/// The start of the last word that starts before `pos`, looking into earlier paragraphs.
fn prev_word_start(
    doc: &Document,
    pos: usize,
    words: &dyn Fn(usize) -> Vec<(usize, usize)>,
) -> Option<usize> {
    let mut at = pos;
    loop {
        if let Some(&(s, _)) = words(at.saturating_sub(1))
            .iter()
            .rev()
            .find(|&&(s, _)| s < pos)
        {
            return Some(s);
        }
        let prev = doc.paragraphs().iter().rev().find(|p| p.end < at)?;
        at = prev.end;
    }
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
}
