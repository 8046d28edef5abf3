//! A document: an id, a title, its exact text, its paragraphs and its blocks as code-point
//! ranges.
//!
//! Invariants: the text is kept byte for byte as given (CRLF stays CRLF); paragraphs are the
//! maximal runs of non-blank lines, in order, non-empty, non-overlapping, each starting at the
//! first character of a line and ending before the line break of its last line. Blank lines
//! (empty or only whitespace) separate paragraphs and belong to none. Paragraphs carry meaning
//! (an entity never crosses a paragraph break).
//!
//! Blocks are what the page draws, windows and indexes: each paragraph is cut into blocks of at
//! most [`BLOCK_MAX`] code points, so that a text of single-newline lines (a transcript, a
//! corpus of one sentence a line) or a megabyte without a line break is many small units, not
//! one unbounded paragraph. A paragraph's blocks tile it in order: whole lines are grouped up
//! to the bound, and the line break between two such blocks belongs to neither (as blank lines
//! belong to no paragraph); a line longer than the bound is cut inside, after a space near the
//! bound where it has one, and never inside a grapheme cluster (a single cluster longer than
//! the bound is the only block that exceeds it). A paragraph within the bound is one block.
//!
//! ```
//! use marginalia_core::model::document::Document;
//! let doc = Document::new("d", "T", "One “a”.\r\n\r\nTwo 😀\nstill two\n\n\nThree");
//! let paras: Vec<&str> = doc.paragraphs().iter().map(|p| doc.slice(*p)).collect();
//! assert_eq!(paras, ["One “a”.", "Two 😀\nstill two", "Three"]);
//! assert_eq!(doc.blocks(), doc.paragraphs(), "short paragraphs are one block each");
//! ```

use std::ops::Range;

use unicode_segmentation::GraphemeCursor;

use super::offsets::{Span, TextIndex};

/// The most code points a block holds (see the module's introduction): about a screen of text
/// at the article's measure, so that drawing, diffing and laying out one block stays well
/// within a frame while a window of them covers a few screens.
pub const BLOCK_MAX: usize = 2048;

/// The article Marginalia ships and opens on.
pub const DEFAULT_ID: &str = "damascus-2024-12-08";
pub const DEFAULT_TITLE: &str = "Syrian rebels enter Damascus";
pub const DEFAULT_TEXT: &str = include_str!("../../../assets/documents/damascus-2024-12-08.txt");

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub id: String,
    pub title: String,
    text: String,
    index: TextIndex,
    paragraphs: Vec<Span>,
    blocks: Vec<Span>,
    /// The index of each paragraph's first block, and the number of blocks at the end.
    first_block: Vec<usize>,
}

impl Document {
    pub fn new(id: impl Into<String>, title: impl Into<String>, text: impl Into<String>) -> Self {
        Document::with_block_max(id, title, text, BLOCK_MAX)
    }

    /// A document whose blocks hold at most `max` code points instead of [`BLOCK_MAX`]: for
    /// tests that need many blocks in a short text.
    pub fn with_block_max(
        id: impl Into<String>,
        title: impl Into<String>,
        text: impl Into<String>,
        max: usize,
    ) -> Self {
        let text = text.into();
        let index = TextIndex::new(&text);
        let Split {
            paragraphs,
            blocks,
            first_block,
        } = split(&text, max);
        Document {
            id: id.into(),
            title: title.into(),
            text,
            index,
            paragraphs,
            blocks,
            first_block,
        }
    }

    /// The article the app opens on.
    pub fn default_article() -> Self {
        Document::new(DEFAULT_ID, DEFAULT_TITLE, DEFAULT_TEXT)
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Length in code points.
    pub fn len(&self) -> usize {
        self.index.len_cp()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn paragraphs(&self) -> &[Span] {
        &self.paragraphs
    }

    /// Where moving by a paragraph from `cp` lands, as a caret moves with Ctrl + ↑ ↓: forward,
    /// the start of the next paragraph (the end of the last one when there is none); backward,
    /// the start of the paragraph `cp` is in, or of the one before when `cp` is at its start.
    ///
    /// ```
    /// use marginalia_core::model::Document;
    /// let d = Document::new("d", "T", "One two.\n\nThree.\n\nFour.");
    /// assert_eq!(d.paragraph_step(4, true), 10);
    /// assert_eq!(d.paragraph_step(10, true), 18);
    /// assert_eq!(d.paragraph_step(20, true), 23);
    /// assert_eq!(d.paragraph_step(12, false), 10);
    /// assert_eq!(d.paragraph_step(10, false), 0);
    /// assert_eq!(d.paragraph_step(0, false), 0);
    /// ```
    pub fn paragraph_step(&self, cp: usize, forward: bool) -> usize {
        let ps = &self.paragraphs;
        if forward {
            let next = ps.partition_point(|p| p.start <= cp);
            ps.get(next)
                .map(|p| p.start)
                .or(ps.last().map(|p| p.end))
                .unwrap_or(0)
        } else {
            let here = ps.partition_point(|p| p.start < cp);
            here.checked_sub(1).map_or(0, |i| ps[i].start)
        }
    }

    /// The text of a code-point range (clamped to the text).
    pub fn slice(&self, span: Span) -> &str {
        let start = self.cp_to_byte(span.start);
        let end = self.cp_to_byte(span.end.max(span.start));
        &self.text[start..end]
    }

    pub fn cp_to_byte(&self, cp: usize) -> usize {
        self.index.cp_to_byte_in(&self.text, cp)
    }

    pub fn byte_to_cp(&self, byte: usize) -> Option<usize> {
        self.index.byte_to_cp_in(&self.text, byte)
    }

    pub fn cp_to_utf16(&self, cp: usize) -> usize {
        self.index.cp_to_utf16_in(&self.text, cp)
    }

    pub fn utf16_to_cp(&self, unit: usize) -> Option<usize> {
        self.index.utf16_to_cp_in(&self.text, unit)
    }

    /// The index of the paragraph containing code point `cp`, if any.
    pub fn paragraph_at(&self, cp: usize) -> Option<usize> {
        let i = self.paragraphs.partition_point(|p| p.end <= cp);
        self.paragraphs.get(i).filter(|p| p.contains(cp)).map(|_| i)
    }

    /// The indices of the paragraphs a range touches.
    pub fn paragraphs_overlapping(&self, span: Span) -> Range<usize> {
        overlapping(&self.paragraphs, span)
    }

    /// The blocks, in text order (see the module's introduction).
    pub fn blocks(&self) -> &[Span] {
        &self.blocks
    }

    /// The indices of the blocks a range touches.
    pub fn blocks_overlapping(&self, span: Span) -> Range<usize> {
        overlapping(&self.blocks, span)
    }

    /// The index of the block containing code point `cp`, if any.
    pub fn block_at(&self, cp: usize) -> Option<usize> {
        let i = self.blocks.partition_point(|b| b.end <= cp);
        self.blocks.get(i).filter(|b| b.contains(cp)).map(|_| i)
    }

    /// The blocks of paragraph `p`.
    pub fn paragraph_blocks(&self, p: usize) -> Range<usize> {
        match (self.first_block.get(p), self.first_block.get(p + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        }
    }

    /// The paragraph block `b` belongs to.
    pub fn block_paragraph(&self, b: usize) -> usize {
        self.first_block
            .partition_point(|&f| f <= b)
            .saturating_sub(1)
    }

    /// Whether block `b` is the last of its paragraph.
    pub fn ends_paragraph(&self, b: usize) -> bool {
        self.first_block[1..].binary_search(&(b + 1)).is_ok()
    }
}

/// The indices of the sorted, disjoint ranges that `span` touches.
fn overlapping(ranges: &[Span], span: Span) -> Range<usize> {
    let first = ranges.partition_point(|p| p.end <= span.start);
    let last = ranges.partition_point(|p| p.start < span.end);
    first..last.max(first)
}

/// Paragraph ranges of `text`: maximal runs of non-blank lines. Lines end at `\n`; a `\r`
/// before it belongs to the line break, not to the paragraph.
pub fn split_paragraphs(text: &str) -> Vec<Span> {
    split(text, usize::MAX).paragraphs
}

/// A text's paragraphs and blocks.
#[derive(Debug, PartialEq, Eq)]
pub struct Split {
    pub paragraphs: Vec<Span>,
    pub blocks: Vec<Span>,
    /// The index of each paragraph's first block, and the number of blocks at the end.
    pub first_block: Vec<usize>,
}

/// Cuts `text` into paragraphs, and those into blocks of at most `max` code points (see the
/// module's introduction), in one pass over the text: O(n).
pub fn split(text: &str, max: usize) -> Split {
    let max = max.max(1);
    let mut out = Split {
        paragraphs: Vec::new(),
        blocks: Vec::new(),
        first_block: Vec::new(),
    };
    // The open paragraph's start, and the open group of whole lines.
    let mut para: Option<usize> = None;
    let mut group: Option<Span> = None;
    let mut cp = 0usize;
    for line in text.split('\n') {
        let content = line.strip_suffix('\r').unwrap_or(line);
        let content_len = content.chars().count();
        let end = cp + content_len;
        if content.trim().is_empty() {
            if let Some(start) = para.take() {
                out.blocks.extend(group.take());
                let last = out.blocks.last().map_or(start, |b| b.end);
                out.paragraphs.push(Span::new(start, last));
            }
        } else {
            if para.is_none() {
                para = Some(cp);
                out.first_block.push(out.blocks.len());
            }
            if content_len > max {
                out.blocks.extend(group.take());
                cut_line(content, cp, max, &mut out.blocks);
            } else {
                group = match group {
                    Some(g) if end - g.start <= max => Some(Span::new(g.start, end)),
                    other => {
                        out.blocks.extend(other);
                        Some(Span::new(cp, end))
                    }
                };
            }
        }
        cp += line.chars().count() + 1; // the line and its '\n'
    }
    if let Some(start) = para {
        out.blocks.extend(group);
        let last = out.blocks.last().map_or(start, |b| b.end);
        out.paragraphs.push(Span::new(start, last));
    }
    out.first_block.push(out.blocks.len());
    out
}

/// Cuts one line (without its line break) that starts at code point `at` into blocks of at
/// most `max` code points: after the last space followed by a non-space within the second half
/// of the bound, else at the last grapheme boundary within it, never inside a grapheme cluster.
fn cut_line(line: &str, at: usize, max: usize, blocks: &mut Vec<Span>) {
    let boundary = |byte: usize| {
        GraphemeCursor::new(byte, line.len(), true)
            .is_boundary(line, 0)
            .unwrap_or(false)
    };
    let (mut byte, mut cp) = (0usize, at);
    loop {
        let rest = &line[byte..];
        // The byte offset (in `line`) of the bound, or the end of the line within it.
        let Some((limit, _)) = rest.char_indices().nth(max) else {
            blocks.push(Span::new(cp, cp + rest.chars().count()));
            return;
        };
        let window = &rest[..limit];
        let mut cut = None;
        // Backwards from the bound, down to half of it: a space, then a non-space.
        let mut next: Option<char> = rest[limit..].chars().next();
        let mut chars = max;
        for (i, c) in window.char_indices().rev() {
            if chars < max / 2 {
                break;
            }
            let b = byte + i + c.len_utf8();
            if c.is_whitespace() && next.is_some_and(|n| !n.is_whitespace()) && boundary(b) {
                cut = Some((b, chars));
                break;
            }
            next = Some(c);
            chars -= 1;
        }
        // Else the last grapheme boundary within the bound; else (one cluster longer than the
        // bound) the first after it.
        let cut = cut.unwrap_or_else(|| {
            let mut chars = max;
            for (i, c) in window.char_indices().rev() {
                let b = byte + i + c.len_utf8();
                if boundary(b) {
                    return (b, chars);
                }
                chars -= 1;
            }
            for (k, (i, _)) in rest[limit..].char_indices().enumerate().skip(1) {
                if boundary(byte + limit + i) {
                    return (byte + limit + i, max + k);
                }
            }
            (line.len(), max + rest[limit..].chars().count())
        });
        blocks.push(Span::new(cp, cp + cut.1));
        byte = cut.0;
        cp += cut.1;
        if byte >= line.len() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    fn paragraphs(text: &str) -> Vec<String> {
        let doc = Document::new("t", "t", text);
        doc.paragraphs()
            .iter()
            .map(|p| doc.slice(*p).to_string())
            .collect()
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("\n\n", &[]),
            ("one", &["one"]),
            ("one\n\ntwo", &["one", "two"]),
            ("one\ntwo", &["one\ntwo"]),
            ("\n\n  \none\n \t \ntwo\n\n", &["one", "two"]),
            ("one\r\n\r\ntwo\r\n", &["one", "two"]),
            ("a\r\nb\r\n\r\nc", &["a\r\nb", "c"]),
            ("  indented\n\nx", &["  indented", "x"]),
            ("“Quote…” 😀\n\nدمشق", &["“Quote…” 😀", "دمشق"]),
        ];
        for (text, expected) in cases {
            assert_eq!(&paragraphs(text), expected, "paragraphs of {text:?}");
        }
    }

    #[test]
    fn crlf_text_is_kept_exactly() {
        let text = "first\r\n\r\nsecond line\r\nmore\r\n";
        let doc = Document::new("c", "c", text);
        assert_eq!(doc.text(), text);
        assert_eq!(doc.paragraphs(), &[Span::new(0, 5), Span::new(9, 26)]);
        assert_eq!(doc.slice(Span::new(9, 26)), "second line\r\nmore");
    }

    #[test]
    fn the_default_article() {
        let doc = Document::default_article();
        assert_eq!(doc.id, "damascus-2024-12-08");
        assert_eq!(doc.title, "Syrian rebels enter Damascus");
        assert_eq!(
            doc.len(),
            3486,
            "the shared README gives its length in code points"
        );
        assert_eq!(doc.paragraphs().len(), 10);
        assert!(doc
            .slice(doc.paragraphs()[0])
            .starts_with("Syrian rebel forces"));
        assert_eq!(
            doc.slice(Span::new(32, 52)),
            "Hayat Tahrir al-Sham",
            "Python: text[32:52]"
        );
        let joined: Vec<&str> = doc.paragraphs().iter().map(|p| doc.slice(*p)).collect();
        assert_eq!(joined.join("\n\n"), doc.text());
    }

    /// Blocks of `text` cut at `max`, as text.
    fn blocks(text: &str, max: usize) -> Vec<&str> {
        let split = split(text, max);
        split
            .blocks
            .iter()
            .map(|b| crate::model::offsets::slice_cp(text, *b))
            .collect()
    }

    #[test]
    fn blocks_group_whole_lines_and_cut_long_ones_after_a_space() {
        let cases: &[(&str, usize, &[&str])] = &[
            ("", 4, &[]),
            ("one\ntwo\n\nthree", 100, &["one\ntwo", "three"]),
            // Lines grouped up to the bound; the break between groups belongs to neither.
            ("ab\ncd\nef\ngh", 5, &["ab\ncd", "ef\ngh"]),
            ("ab\r\ncd\r\nef", 6, &["ab\r\ncd", "ef"]),
            // A line longer than the bound: cut after a space in the second half of the bound.
            ("alpha beta gamma", 8, &["alpha ", "beta ", "gamma"]),
            // No space near the bound: at the bound, between graphemes.
            ("abcdefghij", 4, &["abcd", "efgh", "ij"]),
            // Never inside a grapheme cluster: é as e + combining accent, a flag, a family.
            ("aae\u{301}e\u{301}", 3, &["aa", "e\u{301}", "e\u{301}"]),
            ("🇸🇾🇸🇾🇸🇾", 3, &["🇸🇾", "🇸🇾", "🇸🇾"]),
            // One cluster longer than the bound is one block.
            (
                "x👨\u{200d}👩\u{200d}👧y",
                2,
                &["x", "👨\u{200d}👩\u{200d}👧", "y"],
            ),
            // A long line between short ones is cut alone.
            ("a\nbbbbbb\nc", 4, &["a", "bbbb", "bb", "c"]),
        ];
        for (text, max, expected) in cases {
            assert_eq!(&blocks(text, *max), expected, "blocks of {text:?} at {max}");
        }
    }

    #[test]
    fn blocks_know_their_paragraphs() {
        let text = "ab\ncd\nef\n\ngh\n\nijklmnop";
        let s = split(text, 5);
        assert_eq!(s.paragraphs.len(), 3);
        assert_eq!(s.first_block, vec![0, 2, 3, 5]);
        let doc = Document::new("t", "t", text);
        assert_eq!(
            doc.blocks(),
            doc.paragraphs(),
            "within BLOCK_MAX: one block each"
        );
        assert_eq!(doc.paragraph_blocks(1), 1..2);
        assert_eq!(doc.block_paragraph(2), 2);
        assert!(doc.ends_paragraph(0) && doc.ends_paragraph(2));
        assert_eq!(doc.block_at(15), Some(2));
        assert_eq!(doc.block_at(8), None, "a blank line is in no block");
        assert_eq!(doc.blocks_overlapping(Span::new(1, 13)), 0..2);
    }

    #[test]
    fn a_megabyte_line_is_cut_in_bounded_blocks_fast() {
        let line = "word ".repeat(200_000);
        let doc = Document::new("t", "t", line.as_str());
        assert_eq!(doc.paragraphs().len(), 1);
        assert!(doc.blocks().len() >= 1_000_000 / BLOCK_MAX);
        assert!(doc.blocks().iter().all(|b| b.len() <= BLOCK_MAX));
        assert!(doc
            .blocks()
            .iter()
            .all(|b| doc.slice(*b).starts_with("word")));
    }

    proptest! {
        /// Blocks tile each paragraph in order, non-empty and bounded, cut only at line
        /// breaks (which belong to neither block) or inside a line between grapheme clusters,
        /// and joined with the breaks between them they give back the paragraph.
        #[test]
        fn blocks_tile_paragraphs(
            text in proptest::string::string_regex("([ab ]|\\n|\r\n|\u{301}|😀|🇸|\u{200d}|\t){0,120}").unwrap(),
            max in 1usize..12,
        ) {
            let s = split(&text, max);
            prop_assert_eq!(&s.paragraphs, &split_paragraphs(&text));
            prop_assert_eq!(s.first_block.len(), s.paragraphs.len() + 1);
            let graphemes: std::collections::HashSet<usize> = {
                let mut cp = 0;
                let mut at = std::collections::HashSet::from([0]);
                for g in text.graphemes(true) {
                    cp += g.chars().count();
                    at.insert(cp);
                }
                at
            };
            let slice = |b: Span| crate::model::offsets::slice_cp(&text, b);
            for (p, para) in s.paragraphs.iter().enumerate() {
                let blocks = &s.blocks[s.first_block[p]..s.first_block[p + 1]];
                prop_assert!(!blocks.is_empty());
                prop_assert_eq!(blocks[0].start, para.start);
                prop_assert_eq!(blocks[blocks.len() - 1].end, para.end);
                let mut joined = String::new();
                for (k, b) in blocks.iter().enumerate() {
                    prop_assert!(!b.is_empty());
                    prop_assert!(graphemes.contains(&b.start) && graphemes.contains(&b.end), "{:?} splits a grapheme", b);
                    let one_cluster = text.graphemes(true).any(|g| g == slice(*b));
                    prop_assert!(b.len() <= max || one_cluster, "{:?} is longer than {}", b, max);
                    if k > 0 {
                        let gap = slice(Span::new(blocks[k - 1].end, b.start));
                        prop_assert!(["", "\n", "\r\n"].contains(&gap), "between blocks: {:?}", gap);
                        joined.push_str(gap);
                    }
                    joined.push_str(slice(*b));
                }
                prop_assert_eq!(joined.as_str(), slice(*para));
            }
        }
    }

    #[test]
    fn paragraph_lookup() {
        let doc = Document::new("t", "t", "ab\n\ncd\n\nef");
        assert_eq!(doc.paragraph_at(0), Some(0));
        assert_eq!(
            doc.paragraph_at(2),
            None,
            "the blank line belongs to no paragraph"
        );
        assert_eq!(doc.paragraph_at(5), Some(1));
        assert_eq!(doc.paragraph_at(9), Some(2));
        assert_eq!(doc.paragraph_at(10), None);
        assert_eq!(doc.paragraphs_overlapping(Span::new(1, 5)), 0..2);
        assert_eq!(doc.paragraphs_overlapping(Span::new(2, 4)), 1..1);
        assert_eq!(doc.paragraphs_overlapping(Span::new(0, 10)), 0..3);
    }
}
