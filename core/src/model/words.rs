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

/// Code points a [`Boundaries`] reads on either side of a position for the space that bounds
/// the words around it, before it segments the whole block instead.
pub const WINDOW: usize = 64;

/// Answers, for many positions, whether a selection starting (or ending) there keeps that
/// edge when snapped by [`snap_to_words`]: the position is the edge of a word segment of the
/// block or gap around it, or only whitespace lies between it and that edge (a narrow
/// no-break space joins the word before it, as in French "Syrie\u{202F}!", and snapping
/// trims it off), and the character inside the selection there is no whitespace.
///
/// The segment around a position is found by segmenting a window around it: from the nearest
/// whitespace character before it to the first one at or after it, within [`WINDOW`] code
/// points and the block. Segmenting from a whitespace character finds the boundaries after it
/// as the whole block does (no rule of UAX #29 looks back past a whitespace character, which
/// is never a letter, a digit or the punctuation between them), and segmenting up to one
/// finds those before it: the premise blocks already rest on, as they begin after a space.
/// Only a segment that reaches the window's edge may reach beyond it; then, as where there is
/// no whitespace within the window (a long token, a script written without spaces), the whole
/// block is segmented once and kept for the positions after it. So a position costs
/// O([`WINDOW`]), or its share of one pass over its block; positions in increasing order
/// segment each block at most once. Most positions cost less: between two ASCII characters
/// where the rules decide from those two alone (a letter after a space, a letter beside a
/// letter), nothing is segmented.
pub struct Boundaries<'d> {
    doc: &'d Document,
    window: usize,
    /// The last block (or gap) asked about, and its byte range.
    region: Option<(Span, usize, usize)>,
    /// The last block segmented whole, and the byte offsets of its segment edges.
    whole: Option<(Span, Vec<usize>)>,
}

impl<'d> Boundaries<'d> {
    pub fn new(doc: &'d Document) -> Self {
        Boundaries::with_window(doc, WINDOW)
    }

    /// With a window of `window` code points (0 segments every block whole): for tests.
    pub(crate) fn with_window(doc: &'d Document, window: usize) -> Self {
        Boundaries {
            doc,
            window,
            region: None,
            whole: None,
        }
    }

    /// Whether a selection starting at `pos` keeps its start when snapped.
    pub fn starts_word(&mut self, pos: usize) -> bool {
        self.starts_word_at(pos, self.doc.cp_to_byte(pos))
    }

    /// Whether a selection ending at `end` (exclusive) keeps its end when snapped.
    pub fn ends_word(&mut self, end: usize) -> bool {
        self.ends_word_at(end, self.doc.cp_to_byte(end))
    }

    /// [`Boundaries::starts_word`] at code point `pos`, which is byte `at`.
    pub(crate) fn starts_word_at(&mut self, pos: usize, at: usize) -> bool {
        let text = self.doc.text();
        let Some(c) = text[at..].chars().next().filter(|c| !c.is_whitespace()) else {
            return false;
        };
        let (region, lo, hi) = self.region(pos);
        if pos == region.start {
            return true;
        }
        // Between two ASCII characters the rules decide from those two alone: none joins a
        // space, a line break, "(" or a straight double quote to a letter or digit after it,
        // and letters and digits join each other.
        let before = text.as_bytes()[at - 1];
        if c.is_ascii_alphanumeric() {
            if before.is_ascii_alphanumeric() {
                return false;
            }
            if matches!(before, b' ' | b'\t' | b'\n' | b'\r' | b'(' | b'"') {
                return true;
            }
        }
        let (start, _) = self.segment(region, lo, hi, at);
        text[start..at].chars().all(char::is_whitespace)
    }

    /// [`Boundaries::ends_word`] at code point `end`, which is byte `at`.
    pub(crate) fn ends_word_at(&mut self, end: usize, at: usize) -> bool {
        let text = self.doc.text();
        let Some(c) = text[..at]
            .chars()
            .next_back()
            .filter(|c| !c.is_whitespace())
        else {
            return false;
        };
        let (region, lo, hi) = self.region(end - 1);
        if end == region.end {
            return true;
        }
        // As at a start: nothing joins a letter or digit to a space, a line break, ")", "!",
        // "?" or a straight double quote after it, nor a letter to "," or ";" (a digit may
        // be, as in "1,000").
        let after = text.as_bytes()[at];
        if c.is_ascii_alphanumeric() {
            if after.is_ascii_alphanumeric() {
                return false;
            }
            let stops = matches!(
                after,
                b' ' | b'\t' | b'\n' | b'\r' | b')' | b'!' | b'?' | b'"'
            );
            if stops || (c.is_ascii_alphabetic() && matches!(after, b',' | b';')) {
                return true;
            }
        }
        let (_, stop) = self.segment(region, lo, hi, at - c.len_utf8());
        text[at..stop].chars().all(char::is_whitespace)
    }

    /// The block or gap holding code point `pos`, and its byte range.
    fn region(&mut self, pos: usize) -> (Span, usize, usize) {
        match self.region {
            Some(known @ (r, _, _)) if r.start <= pos && pos < r.end => known,
            _ => {
                let r = region_around(self.doc, pos);
                let known = (r, self.doc.cp_to_byte(r.start), self.doc.cp_to_byte(r.end));
                self.region = Some(known);
                known
            }
        }
    }

    /// The byte range of the word segment of `region` (bytes `lo..hi`) holding the character
    /// at byte `at`.
    fn segment(&mut self, region: Span, lo: usize, hi: usize, at: usize) -> (usize, usize) {
        let text = self.doc.text();
        let before = bounded(text[lo..at].char_indices().rev(), self.window)
            .map(|found| found.map_or(lo, |(i, _)| lo + i));
        let after = bounded(text[at..hi].char_indices(), self.window)
            .map(|found| found.map_or(hi, |(i, c)| at + i + c.len_utf8()));
        if let (Some(from), Some(to)) = (before, after) {
            let mut start = from;
            for seg in text[from..to].split_word_bounds() {
                let end = start + seg.len();
                if end > at {
                    if (start > from || from == lo) && (end < to || to == hi) {
                        return (start, end);
                    }
                    break;
                }
                start = end;
            }
        }
        if self.whole.as_ref().is_none_or(|(r, _)| *r != region) {
            let mut edges = vec![lo];
            let mut edge = lo;
            for seg in text[lo..hi].split_word_bounds() {
                edge += seg.len();
                edges.push(edge);
            }
            self.whole = Some((region, edges));
        }
        let (_, edges) = self.whole.as_ref().expect("just segmented");
        let i = edges.partition_point(|&e| e <= at);
        (edges[i - 1], edges[i])
    }
}

/// The first whitespace character among the first `limit` of `chars`: `Some(None)` when they
/// run out before the limit without one, `None` when the limit is reached first.
fn bounded(
    mut chars: impl Iterator<Item = (usize, char)>,
    limit: usize,
) -> Option<Option<(usize, char)>> {
    for _ in 0..limit {
        match chars.next() {
            None => return Some(None),
            Some(found @ (_, c)) if c.is_whitespace() => return Some(Some(found)),
            Some(_) => {}
        }
    }
    None
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

    /// Whether snapping keeps a selection's start at `pos`, and its end at `end`: read off
    /// `snap_to_words` itself, with a one-character selection widened to a word.
    fn snap_keeps(doc: &Document, pos: usize, start: bool) -> bool {
        let probe = if start {
            Span::new(pos, pos + 1)
        } else {
            Span::new(pos - 1, pos)
        };
        let c = doc.slice(probe).chars().next().unwrap();
        !c.is_whitespace()
            && snap_to_words(doc, probe).is_some_and(|s| {
                if start {
                    s.start == pos
                } else {
                    s.end == pos
                }
            })
    }

    #[test]
    fn boundaries_agree_with_snapping() {
        let cases = [
            "Bashar al-Assad’s forces, in Damascus.",
            "a \u{301}b \u{200d}😀 🇸🇾🇸🇾 x\u{202F}y 1,5 12/8/2024 “free”",
            "第一句话没有空格但是很长第二句话也没有空格",
            "one\r\n\r\n  two\n\nthree  ",
        ];
        for text in cases {
            for max in [5, 12, 2048] {
                let doc = Document::with_block_max("t", "t", text, max);
                for window in [0, 1, 3, WINDOW] {
                    let mut b = Boundaries::with_window(&doc, window);
                    for pos in 0..doc.len() {
                        let want = snap_keeps(&doc, pos, true);
                        assert_eq!(
                            b.starts_word(pos),
                            want,
                            "start {pos} {text:?} {max} {window}"
                        );
                    }
                    let mut b = Boundaries::with_window(&doc, window);
                    for end in 1..=doc.len() {
                        let want = snap_keeps(&doc, end, false);
                        assert_eq!(b.ends_word(end), want, "end {end} {text:?} {max} {window}");
                    }
                }
            }
        }
    }

    proptest::proptest! {
        /// What a window around a position (or the shortcut between two ASCII characters)
        /// says of it is what snapping says, for any window (0: the whole block always), over
        /// text of the characters UAX #29 treats specially: marks and ZWJ after spaces, flags,
        /// apostrophes, digits with commas, Hebrew and quotation marks, no-break spaces, CR LF,
        /// and the ASCII the shortcut reads.
        #[test]
        fn windows_agree_with_whole_blocks(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "b", "é", "\u{301}", "\u{200d}", "😀", "\u{1F1F8}", "\u{1F1FE}", "'", "’",
                ".", ",", "1", "2", ":", "-", "א", "\"", "د", "中", "_", " ", " ", "  ", "\n",
                "\r\n", "\t", "\u{A0}", "\u{202F}", "\u{3000}", "\u{2028}", "(", ")", "!", "?",
                ";", "Z", "9", "\r",
            ]), 1..60),
            max in proptest::sample::select(vec![4usize, 9, 2048]),
            window in proptest::sample::select(vec![0usize, 1, 2, 5, WINDOW]),
        ) {
            let text: String = parts.concat();
            let doc = Document::with_block_max("t", "t", text.as_str(), max);
            let mut starts = Boundaries::with_window(&doc, window);
            let mut ends = Boundaries::with_window(&doc, window);
            for pos in 0..doc.len() {
                proptest::prop_assert_eq!(starts.starts_word(pos), snap_keeps(&doc, pos, true), "start {}", pos);
                proptest::prop_assert_eq!(ends.ends_word(pos + 1), snap_keeps(&doc, pos + 1, false), "end {}", pos + 1);
            }
        }
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
