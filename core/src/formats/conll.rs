//! CoNLL-2003 named-entity files with IOB2 tags: the export here, the import (IOB1, IOB2 and
//! BIOES, 2 to 4 columns, `-DOCSTART-` corpora) in `conll_import.rs`.
//!
//! ```text
//! -DOCSTART- -X- -X- O
//!
//! Syrian _ _ O
//! …
//! the _ _ O
//! Hayat _ _ B-ORG
//! Tahrir _ _ I-ORG
//! al _ _ I-ORG
//! - _ _ I-ORG
//! Sham _ _ I-ORG
//! ( _ _ O
//! …
//! . _ _ O
//!
//! On _ _ O
//! ```
//!
//! The file starts with CoNLL-2003's document header line `-DOCSTART- -X- -X- O` and a blank
//! line. Then one token per line in CoNLL-2003's four space-separated columns
//! `TOKEN POS CHUNK NER`; Marginalia has no part-of-speech or chunk tags, so those columns hold
//! `_`, the placeholder for a missing value (as in CoNLL-U). The NER column is IOB2: `B-ORG` on
//! the first token of an entity, `I-ORG` on the following ones, `O` outside entities. Readers
//! that take the token from the first column and the tag from the last (Flair's
//! `ColumnCorpus` with `{0: "text", 3: "ner"}`, spaCy's CoNLL NER converter, seqeval on the
//! tags) read it as is; a reader that wants real POS or chunk tags has none to find. A blank
//! line ends every sentence; there are no comment lines (CoNLL-2003 readers do not skip `#`).
//!
//! **Tokens** are the words of Unicode word segmentation (UAX #29, `unicode-segmentation`, as
//! in `model::words`), without whitespace: a segment containing a space (or any character
//! Python's `str.split()` treats as a space) is cut there, so a token never holds whitespace
//! and every line has exactly four columns. **Sentences** are Unicode sentence segments
//! (UAX #29) within a paragraph, a single line break counting as a space; a paragraph break (a
//! blank line in the text) always ends a sentence. A sentence boundary that falls inside an
//! exported entity is not used (so "Mr. Smith" stays one entity); entities never cross
//! paragraphs.
//!
//! **What is lost.** Only entities are written: quotes, claims, speakers, claimants, cues,
//! notes, times and the document's id and title are dropped (the file name carries the id).
//! IOB cannot nest or overlap: of entities that overlap, the longest is kept (then the one
//! that starts first, then the first in annotation order), and every entity overlapping a kept
//! one is dropped ([`kept_entities`]). A kept entity's boundaries are exact: when one falls
//! inside a word ("Syria" in "Syria's"), the word is split there into two tokens, so
//! the tokens of each entity spell exactly its text minus whitespace.
//!
//! The export is deterministic: the same bundle gives the same bytes.

use std::collections::BTreeSet;

use unicode_segmentation::UnicodeSegmentation;

use super::Bundle;
use crate::model::{Annotation, Document, Kind, Span};

pub use super::conll_import::{import, import_corpus, Scheme};

/// The endings of CoNLL files besides `.conll`: spaCy's `.iob`, and the `.bio`, `.iob2`,
/// `.bioes` and `.conll03` other tools name them with; `Format::detect` reads them as CoNLL.
pub const EXTENSIONS: &[&str] = &[".iob", ".iob2", ".bio", ".bioes", ".conll03", ".conll2003"];

/// The first line of every file: CoNLL-2003's document separator.
pub const DOCSTART: &str = "-DOCSTART- -X- -X- O";

/// What the POS and chunk columns hold: Marginalia has no such tags.
pub const PLACEHOLDER: &str = "_";

/// An NER tag of one token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tag<'a> {
    Outside,
    Begin(&'a str),
    Inside(&'a str),
}

impl std::fmt::Display for Tag<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tag::Outside => f.write_str("O"),
            Tag::Begin(label) => write!(f, "B-{label}"),
            Tag::Inside(label) => write!(f, "I-{label}"),
        }
    }
}

/// One token: its code-point range in the document and its tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub span: Span,
    pub tag: Tag<'a>,
}

/// The entities an IOB file can hold, in document order: of overlapping entities, the longest
/// wins, then the earliest, then the first in (start, end, id) order; every entity that
/// overlaps one already kept is dropped.
pub fn kept_entities(bundle: &Bundle) -> Vec<&Annotation> {
    // One rule for the export and for agreement's token units (model::agreement::kept).
    crate::model::agreement::kept(&bundle.annotations, Kind::Entity)
}

/// Whether a character separates tokens: Unicode white space, and the four C0 separators
/// (U+001C–U+001F) that Python's `str.split()` also splits on.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The document's sentences as tagged tokens.
pub fn sentences(bundle: &Bundle) -> Vec<Vec<Token<'_>>> {
    let doc = &bundle.document;
    let kept = kept_entities(bundle);
    let boundaries: BTreeSet<usize> = kept
        .iter()
        .flat_map(|a| [a.span.start, a.span.end])
        .collect();
    let mut out: Vec<Vec<Token<'_>>> = Vec::new();
    // The kept entity the last tokens were in, as an index into `kept`.
    let mut next_entity = 0;
    let mut last_tagged: Option<usize> = None;
    for &para in doc.paragraphs() {
        let starts = sentence_starts(doc, para);
        let mut next_start = 0;
        let mut sentence: Vec<Token<'_>> = Vec::new();
        for span in tokens_of(doc, para, &boundaries) {
            while next_entity < kept.len() && kept[next_entity].span.end <= span.start {
                next_entity += 1;
            }
            let tag = match kept.get(next_entity) {
                Some(e) if e.span.start <= span.start && span.end <= e.span.end => {
                    let label = e.body.label().unwrap_or_default();
                    if last_tagged == Some(next_entity) {
                        Tag::Inside(label)
                    } else {
                        last_tagged = Some(next_entity);
                        Tag::Begin(label)
                    }
                }
                _ => Tag::Outside,
            };
            // A sentence starts between the previous token and this one?
            let mut boundary = false;
            while next_start < starts.len() && starts[next_start] <= span.start {
                boundary = true;
                next_start += 1;
            }
            if boundary && !sentence.is_empty() && !matches!(tag, Tag::Inside(_)) {
                out.push(std::mem::take(&mut sentence));
            }
            sentence.push(Token { span, tag });
        }
        if !sentence.is_empty() {
            out.push(sentence);
        }
    }
    out
}

/// Where the sentences of a paragraph start, after its first, in document code points. A line
/// break inside a paragraph is read as a space (lines are often wrapped mid-sentence); UAX #29
/// would end a sentence at each.
fn sentence_starts(doc: &Document, para: Span) -> Vec<usize> {
    let flat: String = doc
        .slice(para)
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => ' ',
            c => c,
        })
        .collect();
    let mut starts = Vec::new();
    let mut cp = para.start;
    for s in flat.split_sentence_bounds() {
        if cp > para.start {
            starts.push(cp);
        }
        cp += s.chars().count();
    }
    starts
}

/// The tokens of a paragraph: word segments without separators, cut at entity boundaries.
fn tokens_of(doc: &Document, para: Span, boundaries: &BTreeSet<usize>) -> Vec<Span> {
    let mut tokens = Vec::new();
    let mut cp = para.start;
    for seg in doc.slice(para).split_word_bounds() {
        let mut run: Option<usize> = None;
        for c in seg.chars() {
            match (is_separator(c), run) {
                (true, Some(s)) => {
                    cut(Span::new(s, cp), boundaries, &mut tokens);
                    run = None;
                }
                (false, None) => run = Some(cp),
                _ => {}
            }
            cp += 1;
        }
        if let Some(s) = run {
            cut(Span::new(s, cp), boundaries, &mut tokens);
        }
    }
    tokens
}

/// Pushes `span` as tokens, cut at every entity boundary strictly inside it.
fn cut(span: Span, boundaries: &BTreeSet<usize>, tokens: &mut Vec<Span>) {
    let mut start = span.start;
    for &b in boundaries.range(span.start + 1..span.end) {
        tokens.push(Span::new(start, b));
        start = b;
    }
    tokens.push(Span::new(start, span.end));
}

/// The bundle as a CoNLL-2003 file.
pub fn export(bundle: &Bundle) -> String {
    let doc = &bundle.document;
    let mut out = String::with_capacity(doc.text().len() * 2 + 64);
    out.push_str(DOCSTART);
    out.push_str("\n\n");
    for sentence in sentences(bundle) {
        for t in &sentence {
            out.push_str(doc.slice(t.span));
            out.push(' ');
            out.push_str(PLACEHOLDER);
            out.push(' ');
            out.push_str(PLACEHOLDER);
            out.push(' ');
            out.push_str(&t.tag.to_string());
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
#[path = "conll_tests.rs"]
mod tests;
