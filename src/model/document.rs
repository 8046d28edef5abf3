//! A document: an id, a title, its exact text, and its paragraphs as code-point ranges.
//!
//! Invariants: the text is kept byte for byte as given (CRLF stays CRLF); paragraphs are the
//! maximal runs of non-blank lines, in order, non-empty, non-overlapping, each starting at the
//! first character of a line and ending before the line break of its last line. Blank lines
//! (empty or only whitespace) separate paragraphs and belong to none.
//!
//! ```
//! use marginalia::model::document::Document;
//! let doc = Document::new("d", "T", "One “a”.\r\n\r\nTwo 😀\nstill two\n\n\nThree");
//! let paras: Vec<&str> = doc.paragraphs().iter().map(|p| doc.slice(*p)).collect();
//! assert_eq!(paras, ["One “a”.", "Two 😀\nstill two", "Three"]);
//! ```

use super::offsets::{Span, TextIndex};

/// The article Marginalia ships and opens on.
pub const DEFAULT_ID: &str = "damascus-2024-12-08";
pub const DEFAULT_TITLE: &str = "Syrian rebels enter Damascus";
pub const DEFAULT_TEXT: &str = include_str!("../../assets/documents/damascus-2024-12-08.txt");

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub id: String,
    pub title: String,
    text: String,
    index: TextIndex,
    paragraphs: Vec<Span>,
}

impl Document {
    pub fn new(id: impl Into<String>, title: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let index = TextIndex::new(&text);
        let paragraphs = split_paragraphs(&text);
        Document {
            id: id.into(),
            title: title.into(),
            text,
            index,
            paragraphs,
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
    pub fn paragraphs_overlapping(&self, span: Span) -> std::ops::Range<usize> {
        let first = self.paragraphs.partition_point(|p| p.end <= span.start);
        let last = self.paragraphs.partition_point(|p| p.start < span.end);
        first..last.max(first)
    }
}

/// Paragraph ranges of `text`: maximal runs of non-blank lines. Lines end at `\n`; a `\r`
/// before it belongs to the line break, not to the paragraph.
pub fn split_paragraphs(text: &str) -> Vec<Span> {
    let mut paragraphs = Vec::new();
    let mut current: Option<Span> = None;
    let mut cp = 0usize;
    for line in text.split('\n') {
        let len = line.chars().count();
        let content = line.strip_suffix('\r').unwrap_or(line);
        let content_len = content.chars().count();
        if content.trim().is_empty() {
            paragraphs.extend(current.take());
        } else {
            let end = cp + content_len;
            current = Some(match current {
                Some(p) => Span::new(p.start, end),
                None => Span::new(cp, end),
            });
        }
        cp += len + 1; // the line and its '\n'
    }
    paragraphs.extend(current);
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;

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
