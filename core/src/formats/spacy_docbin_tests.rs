//! spaCy DocBin tests: string ids against spaCy's, the msgpack layout read back field by field,
//! golden digests of the article and the hard text, the rules for overlapping entities and for
//! spans inside tokens, corpora and the empty text. `tests/formats/check_spacy-docbin.py` reads
//! the same bytes with spaCy itself.

use std::rc::Rc;

use sha2::{Digest, Sha256};

use super::*;
use crate::formats::spacy::tests::hard_text_bundle;
use crate::formats::testing::{assert_golden, bundle_of, sample_state, T0};
use crate::formats::{corpus, Format};
use crate::model::{Action, Body, Document, Span, State};

/// A DocBin read back: the fields in the order spaCy writes them.
#[derive(Debug)]
struct Decoded {
    attrs: Vec<u64>,
    rows: Vec<Vec<u64>>,
    spaces: Vec<u8>,
    lengths: Vec<i32>,
    strings: Vec<String>,
    flags: Vec<bool>,
    /// A document's groups: name, the widened spans noted (index, id, start, end), and the
    /// spans as (label id, start, end, start_char, end_char).
    groups: Vec<Vec<Group>>,
}

type Group = (String, Vec<(u64, String, u64, u64)>, Vec<[u64; 5]>);

/// Reads msgpack values one by one, as the layout says they come.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn map(&mut self) -> usize {
        rmp::decode::read_map_len(&mut self.0).unwrap() as usize
    }
    fn array(&mut self) -> usize {
        rmp::decode::read_array_len(&mut self.0).unwrap() as usize
    }
    fn str(&mut self) -> &'a str {
        let (s, rest) = rmp::decode::read_str_from_slice(self.0).unwrap();
        self.0 = rest;
        s
    }
    fn key(&mut self, key: &str) {
        assert_eq!(self.str(), key);
    }
    fn bin(&mut self) -> &'a [u8] {
        let n = rmp::decode::read_bin_len(&mut self.0).unwrap() as usize;
        let (bytes, rest) = self.0.split_at(n);
        self.0 = rest;
        bytes
    }
    fn uint(&mut self) -> u64 {
        rmp::decode::read_int(&mut self.0).unwrap()
    }
}

fn msgpack(docbin: &[u8]) -> Vec<u8> {
    miniz_oxide::inflate::decompress_to_vec_zlib(docbin).expect("a zlib stream")
}

fn decode(docbin: &[u8]) -> Decoded {
    let msg = msgpack(docbin);
    let mut r = Reader(&msg);
    assert_eq!(r.map(), 9);
    r.key("version");
    assert_eq!(r.str(), "0.1");
    r.key("attrs");
    let attrs: Vec<u64> = (0..r.array()).map(|_| r.uint()).collect();
    r.key("tokens");
    let tokens = r.bin();
    assert_eq!(tokens.len() % (8 * attrs.len()), 0);
    let rows = tokens
        .chunks(8 * attrs.len())
        .map(|row| {
            row.chunks(8)
                .map(|v| u64::from_le_bytes(v.try_into().unwrap()))
                .collect()
        })
        .collect();
    r.key("spaces");
    let spaces = r.bin().to_vec();
    r.key("lengths");
    let lengths = r
        .bin()
        .chunks(4)
        .map(|v| i32::from_le_bytes(v.try_into().unwrap()))
        .collect();
    r.key("strings");
    let strings = (0..r.array()).map(|_| r.str().to_string()).collect();
    r.key("cats");
    let n = r.array();
    for _ in 0..n {
        assert_eq!(r.map(), 0, "no categories");
    }
    r.key("flags");
    let flags = (0..r.array())
        .map(|_| {
            assert_eq!(r.map(), 1);
            r.key("has_unknown_spaces");
            rmp::decode::read_bool(&mut r.0).unwrap()
        })
        .collect();
    r.key("span_groups");
    let groups = (0..r.array()).map(|_| decode_groups(r.bin())).collect();
    assert!(r.0.is_empty(), "nothing after the map");
    Decoded {
        attrs,
        rows,
        spaces,
        lengths,
        strings,
        flags,
        groups,
    }
}

fn decode_groups(bytes: &[u8]) -> Vec<Group> {
    let mut r = Reader(bytes);
    let groups = (0..r.map())
        .map(|_| {
            let mut g = Reader(r.bin());
            assert_eq!(r.array(), 1, "one name a group");
            let key = r.str().to_string();
            assert_eq!(g.map(), 3);
            g.key("name");
            assert_eq!(g.str(), key, "a group's name is its key");
            g.key("attrs");
            let mut snapped = Vec::new();
            if g.map() == 1 {
                g.key(SNAPPED);
                for _ in 0..g.array() {
                    assert_eq!(g.map(), 4);
                    g.key("span");
                    let i = g.uint();
                    g.key("id");
                    let id = g.str().to_string();
                    g.key("start");
                    let start = g.uint();
                    g.key("end");
                    snapped.push((i, id, start, g.uint()));
                }
            }
            g.key("spans");
            let spans = (0..g.array())
                .map(|_| {
                    let packed = g.bin();
                    assert_eq!(packed.len(), 40, ">QQQllll");
                    assert_eq!(&packed[..16], &[0; 16], "no id, no kb_id");
                    let label = u64::from_be_bytes(packed[16..24].try_into().unwrap());
                    let int = |at: usize| {
                        i32::from_be_bytes(packed[at..at + 4].try_into().unwrap()) as u64
                    };
                    [label, int(24), int(28), int(32), int(36)]
                })
                .collect();
            assert!(g.0.is_empty());
            (key, snapped, spans)
        })
        .collect();
    assert!(r.0.is_empty());
    groups
}

/// A bundle of `text` with the annotations `(start, end, body)`, made by the reducer.
fn bundle(text: &str, anns: &[(usize, usize, Body)]) -> Bundle {
    let mut s = State::new(Rc::new(Document::new("t", "T", text)));
    for (start, end, body) in anns {
        let span = Span::new(*start, *end);
        let (body, note) = (body.clone(), String::new());
        s.apply(Action::Create { span, body, note }, T0).unwrap();
    }
    bundle_of(&s)
}

fn entity(label: &str) -> Body {
    Body::Entity {
        label: label.into(),
    }
}

fn quote() -> Body {
    Body::Quote {
        speaker: None,
        cue: None,
        direct: true,
    }
}

#[test]
fn string_ids_are_spacys() {
    // Each as `spacy.blank("en").vocab.strings[s]` gives it (spaCy 3.8).
    for (s, id) in [
        ("", 0),
        ("ORG", 383),
        ("GPE", 384),
        ("NORP", 381),
        ("PERSON", 380),
        ("QUOTE", 5943739983351478300),
        ("CLAIM", 8529571584741417429),
        ("Syrian", 6112842556338179799),
        ("دمشق", 9098048859639029876),
        ("👨\u{200d}👩\u{200d}👧", 2215223576508609196),
        ("aaaaaaaaaaaaaaaaa", 13224509032931785873),
    ] {
        assert_eq!(string_id(s), id, "{s:?}");
    }
}

#[test]
fn golden_digests_of_the_article_and_the_hard_text() {
    // The msgpack, whose bytes the format check compares with spaCy's own DocBin writer; the
    // zlib stream around it is miniz_oxide's.
    for (name, bundle) in [
        ("damascus", bundle_of(&sample_state())),
        ("hard-text", hard_text_bundle()),
    ] {
        let digest = format!("{:x}\n", Sha256::digest(msgpack(&export(&bundle))));
        assert_golden(&format!("spacy/{name}.spacy.msgpack.sha256"), &digest);
    }
}

#[test]
fn the_layout_is_spacys() {
    let bundle = bundle_of(&sample_state());
    let out = export(&bundle);
    assert_eq!(out, export(&bundle), "deterministic");
    let d = decode(&out);
    assert_eq!(d.attrs, ATTRS);
    let tokens = tokenize_with_norms(bundle.document.text());
    assert_eq!(d.lengths, [tokens.len() as i32]);
    assert_eq!(d.rows.len(), tokens.len());
    assert_eq!(d.flags, [false]);
    let spaces: Vec<u8> = tokens.iter().map(|(t, _)| u8::from(t.ws)).collect();
    assert_eq!(d.spaces, spaces);
    let text = |i: usize| {
        bundle
            .document
            .slice(Span::new(tokens[i].0.start, tokens[i].0.end))
    };
    for (i, row) in d.rows.iter().enumerate() {
        assert_eq!(row[0], string_id(text(i)), "ORTH of {i}");
        assert_eq!(row[COL_NORM], string_id(&tokens[i].1), "NORM of {i}");
        assert_eq!(row[COL_SENT_START], u64::from(i == 0), "SENT_START of {i}");
        for col in [2, 3, 4, 5, 8, 10, 11, 12] {
            assert_eq!(row[col], 0, "column {col} of {i}");
        }
    }
    // "Syrian" is token 0, its norm "syrian"; the strings are sorted, once each.
    assert_eq!(d.rows[0][0], 6112842556338179799);
    let mut sorted = d.strings.clone();
    sort::sort_dedup(&mut sorted);
    assert_eq!(d.strings, sorted);
    for s in ["", "Syrian", "syrian", "ORG", "NORP", "QUOTE", "CLAIM"] {
        assert!(d.strings.iter().any(|x| x == s), "{s:?} in the strings");
    }
    // Entities: "Hayat Tahrir al-Sham" is tokens 7..12, B then I, ORG.
    let iob: Vec<u64> = d.rows[6..13].iter().map(|r| r[COL_ENT_IOB]).collect();
    assert_eq!(iob, [IOB_O, IOB_B, IOB_I, IOB_I, IOB_I, IOB_I, IOB_O]);
    assert_eq!(d.rows[7][COL_ENT_TYPE], string_id("ORG"));
    assert_eq!(d.rows[6][COL_ENT_TYPE], 0);
    let [groups] = &d.groups[..] else {
        panic!("one document")
    };
    let names: Vec<&str> = groups.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(names, ["sc", "quote", "claim"]);
    let labels = |g: &Group| -> Vec<u64> { g.2.iter().map(|s| s[0]).collect() };
    assert_eq!(
        labels(&groups[0]),
        [string_id("ORG"), string_id("ORG"), string_id("NORP")]
    );
    assert_eq!(groups[0].2[0], [string_id("ORG"), 7, 12, 32, 52]);
    assert_eq!(labels(&groups[1]), [string_id("QUOTE")]);
    assert_eq!(labels(&groups[2]), [string_id("CLAIM")]);
    assert!(groups.iter().all(|g| g.1.is_empty()), "no span was widened");
}

#[test]
fn overlapping_entities_go_to_ents_as_filter_spans_keeps_them() {
    //          0         1         2         3         4
    //          0123456789012345678901234567890123456789012345
    let text = "The Free Syrian Army of Idlib met Baath Party men";
    let b = bundle(
        text,
        &[
            (4, 29, entity("ORG")),     // "Free Syrian Army of Idlib", tokens 1..6
            (9, 15, entity("NORP")),    // "Syrian", nested in it
            (24, 39, entity("PERSON")), // "Idlib met Baath": crosses it, and is shorter
            (34, 45, entity("ORG")),    // "Baath Party", crossing the one before, as long
            (34, 45, entity("NORP")),   // the same tokens again
            (0, 49, quote()),           // a quote around everything
        ],
    );
    let d = DocOut::new(&b);
    let ents: Vec<(usize, usize, &str)> =
        d.ents.iter().map(|e| (e.start, e.end, e.label)).collect();
    // The longest first; "Idlib met Baath" (3 tokens) shares "Idlib" with the kept ORG, and
    // "Baath Party" ORG comes before NORP in (start, end, id) order.
    assert_eq!(ents, [(1, 6, "ORG"), (7, 9, "ORG")]);
    assert_eq!(d.groups[0].1.len(), 5, "every entity is in sc");
    assert_eq!(d.groups[1].1.len(), 1, "the quote");
    let iob: Vec<u64> = d.rows.iter().map(|r| r[COL_ENT_IOB]).collect();
    assert_eq!(iob, [2, 3, 1, 1, 1, 1, 2, 3, 1, 2]);
    // filter_spans by itself: of equal length the earliest, then the first given.
    let span = |start, end, label| SpanOnTokens {
        start,
        end,
        start_char: start,
        end_char: end,
        label,
        snapped: None,
    };
    let kept = filter_spans(&[
        span(4, 6, "B"),
        span(2, 4, "A"),
        span(3, 5, "C"),
        span(2, 4, "D"),
    ]);
    let kept: Vec<&str> = kept.iter().map(|s| s.label).collect();
    assert_eq!(kept, ["A", "B"]);
}

#[test]
fn spans_inside_tokens_are_widened_to_them_and_noted() {
    //          0         1         2
    //          0123456789012345678901234
    let text = "On 12/8/2024 officials met.";
    let b = bundle(
        text,
        &[
            (8, 12, entity("DATE")),  // "2024" inside the token "12/8/2024"
            (13, 22, entity("NORP")), // "officials", on tokens
            (15, 25, quote()),        // "ficials me", inside two tokens
        ],
    );
    let d = decode(&export(&b));
    let groups = &d.groups[0];
    assert_eq!(groups[0].2[0], [string_id("DATE"), 1, 2, 3, 12]);
    assert_eq!(groups[0].1, [(0, "e1".to_string(), 8, 12)]);
    assert_eq!(groups[1].2[0], [string_id("QUOTE"), 2, 4, 13, 26]);
    assert_eq!(groups[1].1, [(0, "q3".to_string(), 15, 25)]);
    assert_eq!(
        d.rows[1][COL_ENT_IOB], IOB_B,
        "the widened entity is in doc.ents"
    );
    // Only the DocBin widens: the tokens are spaCy's, none split.
    assert_eq!(d.lengths, [tokenize_with_norms(text).len() as i32]);
}

#[test]
fn a_corpus_is_one_docbin_of_every_document() {
    let (a, b) = (bundle_of(&sample_state()), hard_text_bundle());
    let both = export_many(&[a.clone(), b.clone()]);
    assert_eq!(
        corpus::export(Format::SpacyDocBin, &[a.clone(), b.clone()]).unwrap(),
        both
    );
    assert_eq!(
        corpus::export(Format::SpacyDocBin, std::slice::from_ref(&b)).unwrap(),
        export(&b)
    );
    let (da, db, d) = (decode(&export(&a)), decode(&export(&b)), decode(&both));
    assert_eq!(d.lengths, [da.lengths[0], db.lengths[0]]);
    assert_eq!(d.rows, [da.rows, db.rows].concat());
    assert_eq!(d.spaces, [da.spaces, db.spaces].concat());
    assert_eq!(d.flags, [false, false]);
    assert_eq!(d.groups, [da.groups, db.groups].concat());
    let mut strings = [da.strings, db.strings].concat();
    sort::sort_dedup(&mut strings);
    assert_eq!(
        d.strings, strings,
        "one sorted list of both documents' strings"
    );
}

#[test]
fn an_empty_text_is_a_document_of_no_tokens() {
    let d = decode(&export(&bundle("", &[])));
    assert_eq!(d.lengths, [0]);
    assert!(d.rows.is_empty() && d.spaces.is_empty() && d.strings.is_empty());
    assert_eq!(d.groups[0].len(), 3, "the three groups, empty");
    let none = decode(&export_many(&[]));
    assert!(none.lengths.is_empty() && none.groups.is_empty());
}

#[test]
fn the_format_is_export_only_and_named() {
    let f = Format::SpacyDocBin;
    assert_eq!(Format::parse("spacy-docbin"), Some(f));
    assert_eq!(f.title(), "spaCy DocBin (.spacy)");
    assert_eq!(f.file_name("a b"), "a-b.spacy");
    assert_eq!(f.corpus_file_name(), "project.spacy");
    assert_eq!(f.mime(), "application/octet-stream");
    assert!(!f.can_import());
    let ours = export(&hard_text_bundle());
    assert!(f
        .import(&ours, "hard-text.spacy")
        .unwrap_err()
        .to_string()
        .contains("only writes them"));
    assert_eq!(Format::detect("x.spacy", &ours), Some(f));
    assert_eq!(Format::detect("x.spacy.jsonl", b"{}"), Some(Format::Spacy));
    let pos = |g: Format| Format::ALL.iter().position(|&x| x == g);
    assert_eq!(
        pos(f),
        pos(Format::Spacy).map(|i| i + 1),
        "after spaCy JSONL"
    );
}
