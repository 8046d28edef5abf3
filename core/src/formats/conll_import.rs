//! Reading CoNLL named-entity files: CoNLL-2003 and the token-per-line files other tools write
//! (spaCy's `.iob`, doccano's and Flair's `.conll`).
//!
//! **Lines.** One token a line, in 2 to 4 columns separated by spaces or tabs (any run of white
//! space, as spaCy's and Flair's readers split); the token is the first column and its entity
//! tag the last (`TOKEN [POS [CHUNK]] TAG`: the middle columns are not read). Every token
//! line of a file has the same number of columns. A blank line ends a sentence. A line whose
//! first column is `-DOCSTART-` starts a document: a file of several such lines is a corpus, a
//! document each (a file without one is one document). A line of one column, of more than four,
//! of another number of columns than the file's first token line, or whose token holds a
//! control character refuses its document, naming the line.
//!
//! **Text.** A CoNLL file does not keep the text's spacing, so the document's text is rebuilt
//! from its tokens: the tokens of a sentence joined by single spaces, each sentence on a line of
//! its own (sentences joined by a line break). Entities are the code-point spans of their
//! tokens in that text.
//!
//! **Tags and schemes.** A tag is `O` or a prefix and an entity type: `B-`, `I-`, `E-`, `S-`
//! (and BILOU's `L-` and `U-`, read as `E-` and `S-`). The type is kept as the file spells it
//! (`PER`, `LOC`, `ORG` and `MISC` stay themselves, as the export writes the types it has); the
//! types join the document's entity types after the default ones. The file's scheme is told
//! from its tags: **BIOES** when any tag is `E-` or `S-` (or `L-`, `U-`); otherwise **IOB1**
//! when more entities start with an `I-` tag (after `O` or another type, as in the original
//! CoNLL-2003 files) than with a `B-` tag after `O` or another type, and **IOB2** when not (the
//! export's scheme). Every scheme is decoded by seqeval's default (lenient) rules, which read
//! all of them: a chunk ends at `O`, at a `B-` or `S-`, after an `E-` or `S-`, and where the type
//! changes; it starts at `B-` and `S-`, at a type change, and at an `I-` or `E-` that does not
//! continue one. A sentence end ends any chunk.
//!
//! **What is reported.** A tag the file's scheme does not allow where it stands is read as
//! seqeval reads it and said in a note with its line: in IOB2 an `I-` that continues no entity
//! (it starts one); in IOB1 a `B-` that does not follow an entity of its type (it starts one); in
//! BIOES an `I-` or `E-` without a `B-` before it (it starts the entity) and a `B-` or `I-` that
//! no `I-` or `E-` follows (the entity ends there). A tag that is neither `O` nor a prefix and a
//! type, and a type Marginalia cannot use as a label (longer than 40 characters), are problems:
//! that token is read as outside any entity, and the problem names its line.
//!
//! Why hand-written: no crate on crates.io reads CoNLL NER columns and decodes IOB1, IOB2 and
//! BIOES by seqeval's rules (the `conllu` crates read CoNLL-U, a dependency-parse format); the
//! reader is a line split and a port of seqeval's `get_entities` (its `end_of_chunk` and
//! `start_of_chunk`), kept beside the exporter whose files it must read back.

use super::corpus::{at_most, Corpus, Gather};
use super::labelled_spans::file_stem;
use super::native::{Imported, Problem};
use super::{checked, decode_text, Bundle, FileError, Growing};
use crate::model::labels::validate_label;
use crate::model::{Annotation, Body, Document, Labels, Span, Timestamp};

/// The first column of a line that starts a document.
const DOCSTART_TOKEN: &str = "-DOCSTART-";

/// The most notes on ill-formed tags a document lists; the others are counted in one more.
const MAX_TAG_NOTES: usize = 20;

/// The most problems on tags that are no tags a document lists, one each; the others are
/// counted in one more (a file of a bad tag a line would otherwise hold millions).
const MAX_TAG_PROBLEMS: usize = 100;

/// The entity tagging schemes a file may follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `I-` on every token of an entity, `B-` only on the first of two adjacent entities of one
    /// type (the original CoNLL-2003 files).
    Iob1,
    /// `B-` on the first token of every entity, `I-` on the others (the export's).
    Iob2,
    /// `B-`, `I-`, `E-` (last) and `S-` (single-token); BILOU's `L-`, `U-` as well.
    Bioes,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Iob1 => "IOB1",
            Scheme::Iob2 => "IOB2",
            Scheme::Bioes => "BIOES",
        }
    }
}

/// A tag's prefix, as seqeval names it (`O` for outside).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prefix {
    O,
    B,
    I,
    E,
    S,
}

/// A token of a sentence.
#[derive(Clone, Debug)]
struct Tok<'a> {
    line: usize,
    text: &'a str,
    /// The tag as the file has it.
    raw: &'a str,
    prefix: Prefix,
    /// The entity type; `None` for `O` (and for a tag read as `O`).
    kind: Option<&'a str>,
    /// Whether the tag is not one, and is read as `O` ([`read_tag`] says why).
    bad: bool,
}

/// The lines of one document of the file.
#[derive(Debug, Default)]
struct Block<'a> {
    /// The line of its `-DOCSTART-` (or of its first line).
    first_line: usize,
    sentences: Vec<Vec<Tok<'a>>>,
    /// Why the document cannot be read: its first bad line.
    error: Option<String>,
}

impl Block<'_> {
    fn tokens(&self) -> usize {
        self.sentences.iter().map(Vec::len).sum()
    }
}

/// A file split into documents, and how its lines look.
#[derive(Debug)]
struct Parsed<'a> {
    blocks: Vec<Block<'a>>,
    scheme: Scheme,
    /// The columns of its token lines, and whether they are tab-separated.
    columns: Option<(usize, bool)>,
}

/// Whether a character separates the columns of a space-separated line: white space, and the
/// C0 separators Python's `str.split()` splits on (as the export's tokens never hold).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// A line's columns, split at white space (tabs and spaces alike, as Python's `str.split()`
/// in spaCy's readers and Flair's `\s+` split), and whether it holds a tab.
fn columns(line: &str) -> (Vec<&str>, bool) {
    (
        line.split(is_separator).filter(|c| !c.is_empty()).collect(),
        line.contains('\t'),
    )
}

/// Reads a tag: its prefix and type, or why it is not one.
fn read_tag(raw: &str) -> Result<(Prefix, Option<&str>), String> {
    if raw == "O" {
        return Ok((Prefix::O, None));
    }
    let prefix = match raw.split_once('-') {
        Some(("B", _)) => Prefix::B,
        Some(("I", _)) => Prefix::I,
        Some(("E" | "L", _)) => Prefix::E,
        Some(("S" | "U", _)) => Prefix::S,
        _ => {
            return Err(format!(
                "the tag “{}” is neither O nor B-, I-, E- or S- and an entity type",
                super::short(raw, 40)
            ))
        }
    };
    let kind = &raw[2..];
    if kind.is_empty() {
        return Err(format!("the tag “{raw}” names no entity type"));
    }
    validate_label(kind).map_err(|e| format!("the tag “{}”: {e}", super::short(raw, 60)))?;
    Ok((prefix, Some(kind)))
}

/// Splits a file into documents and sentences, and tells its scheme.
fn parse(text: &str) -> Parsed<'_> {
    let mut blocks: Vec<Block<'_>> = Vec::new();
    let mut current = Block {
        first_line: 1,
        ..Block::default()
    };
    // Whether `current` began at a -DOCSTART- line (the lines before the first one are a
    // document only if they hold a token).
    let mut started = false;
    let mut sentence: Vec<Tok<'_>> = Vec::new();
    let mut expected: Option<(usize, usize, bool)> = None;
    for (n, line) in text.lines().enumerate() {
        let no = n + 1;
        let (cols, tabs) = columns(line);
        if cols.is_empty() {
            if !sentence.is_empty() {
                current.sentences.push(std::mem::take(&mut sentence));
            }
            continue;
        }
        if cols[0] == DOCSTART_TOKEN {
            if !sentence.is_empty() {
                current.sentences.push(std::mem::take(&mut sentence));
            }
            if started || current.tokens() > 0 || current.error.is_some() {
                blocks.push(std::mem::take(&mut current));
            }
            current.first_line = no;
            started = true;
            continue;
        }
        if current.error.is_some() {
            continue;
        }
        let error = match (cols.len(), expected) {
            (1, _) => Some(format!(
                "line {no} has one column, “{}”: a CoNLL line is a token and its tag \
                 (TOKEN TAG, or TOKEN POS CHUNK TAG).",
                super::short(cols[0], 40)
            )),
            (k, _) if k > 4 => Some(format!(
                "line {no} has {k} columns: Marginalia reads CoNLL files of 2 to 4 columns \
                 (the token first, the entity tag last)."
            )),
            (k, Some((want, first, _))) if k != want => Some(format!(
                "line {no} has {k} columns where the file's token lines have {want} (from line \
                 {first} on)."
            )),
            _ => None,
        };
        let error = error.or_else(|| {
            cols[0].chars().find(|c| (*c as u32) < 0x20).map(|c| {
                format!(
                    "line {no}: its token holds the control character U+{:04X}, which a \
                         text document cannot hold.",
                    c as u32
                )
            })
        });
        if let Some(e) = error {
            current.error = Some(e);
            sentence.clear();
            continue;
        }
        if expected.is_none() {
            expected = Some((cols.len(), no, tabs));
        }
        let raw = cols[cols.len() - 1];
        let (prefix, kind, bad) = match read_tag(raw) {
            Ok((p, k)) => (p, k, false),
            Err(_) => (Prefix::O, None, true),
        };
        sentence.push(Tok {
            line: no,
            text: cols[0],
            raw,
            prefix,
            kind,
            bad,
        });
    }
    if !sentence.is_empty() {
        current.sentences.push(sentence);
    }
    if started || current.tokens() > 0 || current.error.is_some() || blocks.is_empty() {
        blocks.push(current);
    }
    let scheme = scheme_of(&blocks);
    Parsed {
        blocks,
        scheme,
        columns: expected.map(|(k, _, tabs)| (k, tabs)),
    }
}

/// The scheme a file's tags follow (see the module's text).
fn scheme_of(blocks: &[Block<'_>]) -> Scheme {
    let sentences = || {
        blocks
            .iter()
            .filter(|b| b.error.is_none())
            .flat_map(|b| &b.sentences)
    };
    if sentences()
        .flatten()
        .any(|t| matches!(t.prefix, Prefix::E | Prefix::S))
    {
        return Scheme::Bioes;
    }
    let (mut by_i, mut by_b) = (0usize, 0usize);
    for s in sentences() {
        let mut prev: Option<&str> = None;
        for t in s {
            let fresh = t.kind.is_some() && prev != t.kind;
            match t.prefix {
                Prefix::I if fresh => by_i += 1,
                Prefix::B if fresh => by_b += 1,
                _ => {}
            }
            prev = t.kind;
        }
    }
    if by_i > by_b {
        Scheme::Iob1
    } else {
        Scheme::Iob2
    }
}

/// seqeval's `end_of_chunk`: whether a chunk ended just before a token tagged `tag`.
fn end_of_chunk(prev: Prefix, prev_kind: Option<&str>, tag: Prefix, kind: Option<&str>) -> bool {
    use Prefix::*;
    matches!(prev, E | S)
        || (matches!(prev, B | I) && matches!(tag, B | S | O))
        || (prev != O && prev_kind != kind)
}

/// seqeval's `start_of_chunk`: whether a chunk starts at a token tagged `tag`.
fn start_of_chunk(prev: Prefix, prev_kind: Option<&str>, tag: Prefix, kind: Option<&str>) -> bool {
    use Prefix::*;
    matches!(tag, B | S)
        || (matches!(prev, E | S | O) && matches!(tag, E | I))
        || (tag != O && prev_kind != kind)
}

/// The entities of a sentence, as (first token, last token, type), by seqeval's rules.
fn chunks<'a>(sentence: &[Tok<'a>]) -> Vec<(usize, usize, &'a str)> {
    let mut out = Vec::new();
    let (mut prev, mut prev_kind) = (Prefix::O, None);
    let mut begin = 0;
    // A final O closes the last chunk, as seqeval appends one.
    let tags = sentence
        .iter()
        .map(|t| (t.prefix, t.kind))
        .chain(std::iter::once((Prefix::O, None)));
    for (i, (tag, kind)) in tags.enumerate() {
        if end_of_chunk(prev, prev_kind, tag, kind) {
            if let Some(k) = prev_kind {
                out.push((begin, i - 1, k));
            }
        }
        if start_of_chunk(prev, prev_kind, tag, kind) {
            begin = i;
        }
        prev = tag;
        prev_kind = kind;
    }
    out
}

/// Why the tag of `sentence[i]` is not what `scheme` allows there, if it is not.
fn ill_formed(scheme: Scheme, sentence: &[Tok<'_>], i: usize) -> Option<String> {
    let t = &sentence[i];
    let kind = t.kind?;
    let prev = i.checked_sub(1).map(|j| &sentence[j]);
    let next = sentence.get(i + 1);
    let same = |o: Option<&Tok<'_>>, ps: &[Prefix]| {
        o.is_some_and(|o| o.kind == Some(kind) && ps.contains(&o.prefix))
    };
    let after = match prev {
        None => "the start of its sentence".to_string(),
        Some(p) => p.raw.to_string(),
    };
    let tag = t.raw;
    let line = t.line;
    match (scheme, t.prefix) {
        (Scheme::Iob2, Prefix::I) if !same(prev, &[Prefix::B, Prefix::I]) => Some(format!(
            "line {line}: {tag} follows {after}, not B-{kind} or I-{kind} (IOB2); read as the \
             start of a {kind} entity, as seqeval reads it."
        )),
        (Scheme::Iob1, Prefix::B) if !same(prev, &[Prefix::B, Prefix::I]) => Some(format!(
            "line {line}: {tag} follows {after}; in IOB1 B- only separates two adjacent {kind} \
             entities. Read as the start of a {kind} entity, as seqeval reads it."
        )),
        (Scheme::Bioes, Prefix::I | Prefix::E) if !same(prev, &[Prefix::B, Prefix::I]) => {
            Some(format!(
                "line {line}: {tag} follows {after}, with no B-{kind} before it (BIOES); read as \
                 the start of a {kind} entity, as seqeval reads it."
            ))
        }
        (Scheme::Bioes, Prefix::B | Prefix::I) if !same(next, &[Prefix::I, Prefix::E]) => {
            let next = next.map_or("the end of its sentence", |n| n.raw);
            Some(format!(
                "line {line}: {tag} is followed by {next}, not I-{kind} or E-{kind} (BIOES); the \
                 {kind} entity is read as ending there, as seqeval reads it."
            ))
        }
        _ => None,
    }
}

/// One document of the file, named `id`.
fn document(parsed: &Parsed<'_>, block: &Block<'_>, id: &str) -> Result<Imported, String> {
    if let Some(e) = &block.error {
        return Err(e.clone());
    }
    if block.tokens() == 0 {
        return Err(format!(
            "the document of line {} holds no token.",
            block.first_line
        ));
    }
    let mut text = String::new();
    let mut cp = 0usize;
    let mut labels = Growing::new(Labels::default().entity);
    let mut annotations: Vec<Annotation> = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    let mut ill: Vec<String> = Vec::new();
    let mut ill_count = 0usize;
    let mut bad_tags = 0usize;
    for (s, sentence) in block.sentences.iter().enumerate() {
        if s > 0 {
            text.push('\n');
            cp += 1;
        }
        // The code-point span of each token.
        let mut spans = Vec::with_capacity(sentence.len());
        for (i, t) in sentence.iter().enumerate() {
            if i > 0 {
                text.push(' ');
                cp += 1;
            }
            let len = t.text.chars().count();
            text.push_str(t.text);
            spans.push(Span::new(cp, cp + len));
            cp += len;
            if t.bad {
                bad_tags += 1;
                if let (true, Err(why)) = (bad_tags <= MAX_TAG_PROBLEMS, read_tag(t.raw)) {
                    problems.push(Problem {
                        index: annotations.len() + problems.len(),
                        id: None,
                        message: format!(
                            "line {}: {why}; the token “{}” is read as outside any entity.",
                            t.line,
                            super::short(t.text, 40)
                        ),
                    });
                }
            }
            if let Some(note) = ill_formed(parsed.scheme, sentence, i) {
                ill_count += 1;
                if ill.len() < MAX_TAG_NOTES {
                    ill.push(note);
                }
            }
        }
        for (a, b, kind) in chunks(sentence) {
            labels.add(kind);
            annotations.push(Annotation {
                id: format!("e{}", annotations.len() + 1),
                span: Span::new(spans[a].start, spans[b].end),
                body: Body::Entity {
                    label: kind.to_string(),
                },
                note: String::new(),
                created: Timestamp::default(),
                updated: Timestamp::default(),
                extra: None,
            });
        }
    }
    let (cols, tabs) = parsed.columns.unwrap_or((2, false));
    let mut notes = vec![format!(
        "Read as CoNLL with {} tags ({cols} columns, {}-separated): the text is rebuilt from the \
         tokens, joined by single spaces, a sentence a line.",
        parsed.scheme.name(),
        if tabs { "tab" } else { "space" }
    )];
    if ill_count > ill.len() {
        ill.push(format!(
            "…and {} more tags its scheme does not allow there, read the same way.",
            ill_count - ill.len()
        ));
    }
    notes.extend(ill);
    if bad_tags > MAX_TAG_PROBLEMS {
        problems.push(Problem {
            index: annotations.len() + problems.len(),
            id: None,
            message: format!(
                "…and {} more tags that are neither O nor a prefix and a type, their tokens \
                 read as outside any entity.",
                bad_tags - MAX_TAG_PROBLEMS
            ),
        });
    }
    let total = annotations.len() + problems.len();
    let bundle = Bundle {
        document: Document::new(id, id, text),
        labels: Labels {
            entity: labels.into_vec(),
            checkworthiness: Labels::default().checkworthiness,
        },
        annotator: String::new(),
        annotations,
        status: Default::default(),
    };
    Ok(Imported {
        bundle,
        problems,
        total,
        notes,
    })
}

/// The document a CoNLL file holds. A file of several documents (several `-DOCSTART-`
/// lines) is refused with their number: [`import_corpus`] reads each.
pub fn import(bytes: &[u8], file_name: &str) -> Result<Imported, FileError> {
    let text = decode_text(bytes)?;
    let parsed = parse(text);
    match parsed.blocks.as_slice() {
        [block] => document(&parsed, block, &stem(file_name)).map_err(refusal),
        many => Err(FileError::Shape(format!(
            "This file holds {} documents, each after a -DOCSTART- line; Marginalia opens one \
             document at a time. Import reads every document of it as a corpus.",
            many.len()
        ))),
    }
}

/// Every document of a CoNLL file: one per `-DOCSTART-` line (one for a file without any),
/// each refused on its own, by its number, when it cannot be read.
pub fn import_corpus(bytes: &[u8], file_name: &str) -> Result<Corpus, FileError> {
    let text = decode_text(bytes)?;
    let parsed = parse(text);
    let stem = stem(file_name);
    if let [block] = parsed.blocks.as_slice() {
        let one = document(&parsed, block, &stem).map_err(refusal)?;
        return Ok(Corpus::single(checked(one)?));
    }
    at_most(
        parsed.blocks.len(),
        "-DOCSTART- line",
        "Split it into files of at most 10,000 documents.",
    )?;
    let mut gather = Gather::new(stem.clone(), parsed.blocks.len());
    for (n, block) in parsed.blocks.iter().enumerate() {
        let part =
            document(&parsed, block, &stem).and_then(|d| checked(d).map_err(|e| e.to_string()));
        gather.add("document", &(n + 1).to_string(), part);
    }
    gather.finish("document")
}

/// The document id a file name gives.
fn stem(file_name: &str) -> String {
    file_stem(file_name, super::Format::Conll.extension())
}

/// A document's refusal as the refusal of the file that is only it.
fn refusal(why: String) -> FileError {
    let mut chars = why.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    FileError::Shape(format!("{first}{}", chars.as_str()))
}

#[cfg(test)]
#[path = "conll_import_tests.rs"]
mod tests;
