//! spaCy's binary training format, a `DocBin` (`.spacy`): what `spacy train --paths.train`
//! reads, export only. The bytes are what spaCy v3's `DocBin(store_user_data=False).to_bytes()`
//! writes for the same documents (`spacy/tokens/_serialize.py`): a zlib stream of one msgpack
//! map,
//!
//! ```text
//! {"version": "0.1", "attrs": [ORTH, NORM, LEMMA, POS, TAG, DEP, ENT_IOB, ENT_TYPE, HEAD,
//!   SENT_START, ENT_KB_ID, MORPH, ENT_ID], "tokens": <uint64 a token and attribute>,
//!  "spaces": <a byte a token>, "lengths": <int32 tokens a document>, "strings": [sorted],
//!  "cats": [{}…], "flags": [{"has_unknown_spaces": false}…], "span_groups": [<bytes>…]}
//! ```
//!
//! - Tokens are exactly those of `spacy.blank("en")` ([`tokenize_with_norms`]): text, trailing
//!   space and norm (`token.norm_`, what a tokenizer exception or the lexeme gives). No token is
//!   split: a DocBin is read as the documents spaCy itself would make of the texts.
//! - Every span lies on tokens: an annotation that starts or ends inside a token is widened to
//!   the whole tokens (`doc.char_span(…, alignment_mode="expand")`), and its group's `attrs`
//!   list it under `"marginalia_snapped"`, with its index in the group, its id and its own
//!   offsets. A span of nothing but the single spaces spaCy keeps as trailing whitespace covers
//!   no token and is left out (the page makes none: it refuses blank spans).
//! - Entities are `doc.ents` (`ENT_IOB`, `ENT_TYPE`) where they do not overlap; where they
//!   nest or cross, the ones `spacy.util.filter_spans` keeps: the longest in tokens first, of
//!   equal length the earliest (and, for the same tokens, the first in (start, end, id) order),
//!   each left out where it shares a token with one kept. Every token outside them is `O`: a
//!   document's entities are all its entities.
//! - Span groups: `"sc"` holds every entity (spancat's default key), `"quote"` every quote
//!   (label `QUOTE`), `"claim"` every claim (label `CLAIM`), in (start, end, id) order.
//! - Strings are ids as spaCy's `StringStore` makes them ([`string_id`]): a symbol's number
//!   (`ORG` is 383), else the MurmurHash64A of the UTF-8 with seed 1 (`murmur2::murmur64a`).
//! - A DocBin has no place for the rest: speakers, claimants, cues, notes, ids, check-worthiness,
//!   the title and the status are not written. Every document is written, whatever its status.
//!
//! [`export_many`] writes several documents as one DocBin, the corpus spaCy trains on; one
//! document's DocBin is [`export`].
//!
//! The msgpack is written with `rmp`'s encoder value by value (each in its smallest form, as
//! Python's msgpack writes it) because the layout is fixed by spaCy and partly nested bytes
//! (span groups are msgpack inside msgpack, spans `struct.pack(">QQQllll")`), which a serde
//! model would only wrap. zlib is `miniz_oxide`'s at level 1: spaCy reads any level, and against
//! zlib's default 6 (what Python writes) it halves the time of a 1 MB document (0.5 s) for a
//! third more bytes.

use std::collections::HashSet;

use super::tables as t;
use super::tokenizer::{tokenize_with_norms, Token};
use crate::formats::labelled_spans as spans;
use crate::formats::Bundle;
use crate::model::{sort, Annotation, Kind};

pub const EXTENSION: &str = ".spacy";

/// spaCy's attribute ids (`spacy.attrs`), in the order a DocBin of `DOCBIN_ALL_ATTRS` keeps
/// them: `ORTH` first, then the others sorted by id.
const ATTRS: [u64; 13] = [65, 67, 73, 74, 75, 76, 77, 78, 79, 80, 452, 453, 454];
/// The columns this export fills; the others (lemma, tags, parse, morphology, knowledge base)
/// are 0, the empty string's id.
const COL_NORM: usize = 1;
const COL_ENT_IOB: usize = 6;
const COL_ENT_TYPE: usize = 7;
const COL_SENT_START: usize = 9;

/// `Token.iob_strings()`: the values of `ENT_IOB`.
const IOB_I: u64 = 1;
const IOB_O: u64 = 2;
const IOB_B: u64 = 3;

/// The span groups, in the order they are written.
const GROUPS: [(&str, Kind); 3] = [
    ("sc", Kind::Entity),
    ("quote", Kind::Quote),
    ("claim", Kind::Claim),
];

/// The key of a span group's `attrs` that lists its spans widened to tokens.
pub const SNAPPED: &str = "marginalia_snapped";

/// The id spaCy's `StringStore` gives `s` (`nlp.vocab.strings[s]`): the symbol's number for
/// the strings `spacy.symbols` reserves (`""` is 0, `ORG` 383), else `hash_string(s)`, the
/// 64-bit MurmurHash64A of its UTF-8 with seed 1.
///
/// ```
/// use marginalia_core::formats::spacy::docbin::string_id;
/// assert_eq!(string_id(""), 0);
/// assert_eq!(string_id("ORG"), 383);
/// assert_eq!(string_id("Don"), 1858404586396459416);
/// ```
pub fn string_id(s: &str) -> u64 {
    match t::SYMBOLS.binary_search_by(|(k, _)| (*k).cmp(s)) {
        Ok(i) => t::SYMBOLS[i].1,
        Err(_) => murmur2::murmur64a(s.as_bytes(), 1),
    }
}

/// One document as a DocBin of one document.
pub fn export(bundle: &Bundle) -> Vec<u8> {
    export_many(std::slice::from_ref(bundle))
}

/// The documents as one DocBin, in order: what `DocBin(docs=…).to_bytes()` writes for them.
pub fn export_many(bundles: &[Bundle]) -> Vec<u8> {
    let docs: Vec<DocOut> = bundles.iter().map(DocOut::new).collect();
    let mut strings: HashSet<&str> = HashSet::new();
    for d in &docs {
        d.strings(&mut strings);
    }
    let mut strings: Vec<&str> = strings.into_iter().collect();
    sort::sort_dedup(&mut strings);

    let mut m = Msg::default();
    m.map(9);
    m.str("version").str("0.1");
    m.str("attrs").array(ATTRS.len());
    for a in ATTRS {
        m.uint(a);
    }
    let mut tokens = Vec::new();
    let mut spaces = Vec::new();
    let mut lengths = Vec::new();
    for d in &docs {
        for row in &d.rows {
            tokens.extend(row.iter().flat_map(|v| v.to_le_bytes()));
        }
        spaces.extend(d.tokens.iter().map(|(t, _)| u8::from(t.ws)));
        let n = i32::try_from(d.tokens.len()).expect("a document of fewer than 2^31 tokens");
        lengths.extend(n.to_le_bytes());
    }
    m.str("tokens").bin(&tokens);
    m.str("spaces").bin(&spaces);
    m.str("lengths").bin(&lengths);
    m.str("strings").array(strings.len());
    for s in &strings {
        m.str(s);
    }
    m.str("cats").array(docs.len());
    for _ in &docs {
        m.map(0);
    }
    m.str("flags").array(docs.len());
    for _ in &docs {
        m.map(1).str("has_unknown_spaces").bool(false);
    }
    m.str("span_groups").array(docs.len());
    for d in &docs {
        m.bin(&d.span_groups());
    }
    miniz_oxide::deflate::compress_to_vec_zlib(&m.0, 1)
}

/// A span on tokens: `start..end` token indices, the characters they cover, its label.
#[derive(Clone, Copy, Debug, PartialEq)]
struct SpanOnTokens<'a> {
    start: usize,
    end: usize,
    start_char: usize,
    end_char: usize,
    label: &'a str,
    /// The annotation, where the span had to be widened to reach token boundaries.
    snapped: Option<&'a Annotation>,
}

/// One document, ready to write.
struct DocOut<'a> {
    /// The tokens and their texts and norms.
    tokens: Vec<(Token, String)>,
    texts: Vec<&'a str>,
    /// A row of `ATTRS` values a token.
    rows: Vec<[u64; ATTRS.len()]>,
    /// The entities in `doc.ents`, and each group's spans.
    ents: Vec<SpanOnTokens<'a>>,
    groups: Vec<(&'static str, Vec<SpanOnTokens<'a>>)>,
}

impl<'a> DocOut<'a> {
    fn new(bundle: &'a Bundle) -> Self {
        let doc = &bundle.document;
        let tokens = tokenize_with_norms(doc.text());
        let texts: Vec<&str> = tokens
            .iter()
            .map(|(t, _)| doc.slice(crate::model::Span::new(t.start, t.end)))
            .collect();
        let anns = spans::sorted(&bundle.annotations);
        let on_tokens = |a: &'a Annotation| -> Option<SpanOnTokens<'a>> {
            let start = tokens.partition_point(|(t, _)| t.end <= a.span.start);
            let end = tokens.partition_point(|(t, _)| t.start < a.span.end);
            (start < end).then(|| {
                let (start_char, end_char) = (tokens[start].0.start, tokens[end - 1].0.end);
                let snapped = (start_char, end_char) != (a.span.start, a.span.end);
                SpanOnTokens {
                    start,
                    end,
                    start_char,
                    end_char,
                    label: spans::span_label(a),
                    snapped: snapped.then_some(a),
                }
            })
        };
        let groups: Vec<(&str, Vec<SpanOnTokens>)> = GROUPS
            .iter()
            .map(|&(name, kind)| {
                let of_kind = anns.iter().filter(|a| a.kind() == kind);
                (name, of_kind.filter_map(|a| on_tokens(a)).collect())
            })
            .collect();
        let ents = filter_spans(&groups[0].1);
        let mut rows: Vec<[u64; ATTRS.len()]> = tokens
            .iter()
            .zip(&texts)
            .map(|((_, norm), text)| {
                let mut row = [0; ATTRS.len()];
                row[0] = string_id(text);
                row[COL_NORM] = string_id(norm);
                row[COL_ENT_IOB] = IOB_O;
                row
            })
            .collect();
        if let Some(first) = rows.first_mut() {
            first[COL_SENT_START] = 1;
        }
        for e in &ents {
            let label = string_id(e.label);
            for (i, row) in rows[e.start..e.end].iter_mut().enumerate() {
                row[COL_ENT_IOB] = if i == 0 { IOB_B } else { IOB_I };
                row[COL_ENT_TYPE] = label;
            }
        }
        DocOut {
            tokens,
            texts,
            rows,
            ents,
            groups,
        }
    }

    /// The strings `DocBin.add` keeps of this document: each token's text, norm and entity
    /// label, each span's label, and the empty string that the unset attributes name.
    fn strings(&'a self, out: &mut HashSet<&'a str>) {
        if self.tokens.is_empty() {
            return;
        }
        out.insert("");
        out.extend(self.texts.iter().copied());
        out.extend(self.tokens.iter().map(|(_, norm)| norm.as_str()));
        out.extend(self.ents.iter().map(|e| e.label));
        for (_, group) in &self.groups {
            out.extend(group.iter().map(|s| s.label));
        }
    }

    /// `doc.spans.to_bytes()`: a map of each group's bytes to the list of its names.
    fn span_groups(&self) -> Vec<u8> {
        let mut m = Msg::default();
        m.map(self.groups.len());
        for (name, group) in &self.groups {
            m.bin(&group_bytes(name, group));
            m.array(1).str(name);
        }
        m.0
    }
}

/// `SpanGroup.to_bytes()`: its name, its attrs (the spans widened to tokens, if any), and each
/// span as `struct.pack(">QQQllll", id, kb_id, label, start, end, start_char, end_char)`.
fn group_bytes(name: &str, group: &[SpanOnTokens]) -> Vec<u8> {
    let mut m = Msg::default();
    m.map(3).str("name").str(name).str("attrs");
    let snapped: Vec<(usize, &Annotation)> = group
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s.snapped?)))
        .collect();
    if snapped.is_empty() {
        m.map(0);
    } else {
        m.map(1).str(SNAPPED).array(snapped.len());
        for (i, a) in snapped {
            m.map(4).str("span").uint(i as u64).str("id").str(&a.id);
            m.str("start").uint(a.span.start as u64);
            m.str("end").uint(a.span.end as u64);
        }
    }
    m.str("spans").array(group.len());
    for s in group {
        let mut packed = Vec::with_capacity(40);
        packed.extend(0u64.to_be_bytes()); // id
        packed.extend(0u64.to_be_bytes()); // kb_id
        packed.extend(string_id(s.label).to_be_bytes());
        for n in [s.start, s.end, s.start_char, s.end_char] {
            let n = i32::try_from(n).expect("offsets below 2^31");
            packed.extend(n.to_be_bytes());
        }
        m.bin(&packed);
    }
    m.0
}

/// `spacy.util.filter_spans`: the longest spans (in tokens) first, of equal length the
/// earliest, then in the order given; a span is kept unless its first or last token is taken.
/// Returned in order of their start.
fn filter_spans<'a>(spans: &[SpanOnTokens<'a>]) -> Vec<SpanOnTokens<'a>> {
    let mut order: Vec<&SpanOnTokens> = spans.iter().collect();
    sort::sort_by(&mut order, |a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(a.start.cmp(&b.start))
    });
    let mut taken: HashSet<usize> = HashSet::new();
    let mut kept: Vec<SpanOnTokens> = Vec::new();
    for s in order {
        if !taken.contains(&s.start) && !taken.contains(&(s.end - 1)) {
            kept.push(*s);
            taken.extend(s.start..s.end);
        }
    }
    sort::sort_by_key(&mut kept, |s| s.start);
    kept
}

/// A msgpack message being written; every value in its smallest form, as Python's msgpack
/// (`use_bin_type=True`) writes it.
#[derive(Default)]
struct Msg(Vec<u8>);

const INFALLIBLE: &str = "writing msgpack to a Vec cannot fail";

impl Msg {
    fn map(&mut self, len: usize) -> &mut Self {
        rmp::encode::write_map_len(&mut self.0, len32(len)).expect(INFALLIBLE);
        self
    }

    fn array(&mut self, len: usize) -> &mut Self {
        rmp::encode::write_array_len(&mut self.0, len32(len)).expect(INFALLIBLE);
        self
    }

    fn str(&mut self, s: &str) -> &mut Self {
        rmp::encode::write_str(&mut self.0, s).expect(INFALLIBLE);
        self
    }

    fn bin(&mut self, b: &[u8]) -> &mut Self {
        rmp::encode::write_bin(&mut self.0, b).expect(INFALLIBLE);
        self
    }

    fn uint(&mut self, n: u64) -> &mut Self {
        rmp::encode::write_uint(&mut self.0, n).expect(INFALLIBLE);
        self
    }

    fn bool(&mut self, b: bool) -> &mut Self {
        rmp::encode::write_bool(&mut self.0, b).expect(INFALLIBLE);
        self
    }
}

/// A length msgpack can say (below 2^32: a DocBin of a 20 MB file is far shorter).
fn len32(len: usize) -> u32 {
    u32::try_from(len).expect("msgpack lengths are below 2^32")
}

#[cfg(test)]
#[path = "spacy_docbin_tests.rs"]
mod tests;
