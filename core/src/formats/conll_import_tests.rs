//! CoNLL import tests: the three schemes and seqeval's lenient reading of ill-formed tags,
//! columns and separators, `-DOCSTART-` corpora, refusals by line, and export → import.

use proptest::prelude::*;

use super::*;
use crate::formats::conll;
use crate::formats::corpus;
use crate::formats::testing::{bundle_of, sample_state, T0};
use crate::formats::Format;
use crate::model::Kind;

fn read(file: &str) -> Imported {
    Format::Conll
        .import(file.as_bytes(), "t.conll")
        .unwrap_or_else(|e| panic!("{file:?}: {e}"))
}

/// The entities of a file as (text, label).
fn entities(file: &str) -> Vec<(String, String)> {
    let got = read(file);
    assert!(got.problems.is_empty(), "{:?}", got.problems);
    spans_of(&got.bundle)
}

fn spans_of(b: &Bundle) -> Vec<(String, String)> {
    b.annotations
        .iter()
        .map(|a| {
            (
                b.document.slice(a.span).to_string(),
                a.body.label().unwrap().to_string(),
            )
        })
        .collect()
}

/// The notes after the first (which says how the file was read).
fn tag_notes(got: &Imported) -> Vec<&str> {
    got.notes.iter().skip(1).map(String::as_str).collect()
}

fn e(text: &str, label: &str) -> (String, String) {
    (text.to_string(), label.to_string())
}

#[test]
fn the_text_is_the_tokens_a_sentence_a_line() {
    let got = read("-DOCSTART- -X- -X- O\n\nSyria _ _ B-GPE\n's _ _ O\narmy _ _ O\n\nIt _ _ O\nfled _ _ O\n.\t_\t_\tO\n\n");
    assert_eq!(got.bundle.document.text(), "Syria 's army\nIt fled .");
    assert_eq!(got.bundle.document.id, "t");
    assert_eq!(spans_of(&got.bundle), [e("Syria", "GPE")]);
    assert_eq!(got.bundle.annotations[0].span, Span::new(0, 5));
    assert_eq!(got.bundle.annotations[0].id, "e1");
    assert_eq!(got.total, 1);
    assert_eq!(
        got.notes,
        [
            "Read as CoNLL with IOB2 tags (4 columns, space-separated): the text is rebuilt from \
          the tokens, joined by single spaces, a sentence a line."
        ]
    );
    // The file's types join the default ones, in order of first use.
    let labels = &got.bundle.labels.entity;
    assert_eq!(labels[..8], Labels::default().entity[..]);
    assert_eq!(labels.len(), 8, "GPE is a default type");
}

#[test]
fn iob2_decodes_and_reports_an_i_after_o() {
    let file =
        "Bank B-ORG\nof I-ORG\nAmerica I-ORG\nand O\nAlice B-PER\nBob B-PER\nsaid O\nParis I-LOC\n";
    let got = read(file);
    assert_eq!(
        spans_of(&got.bundle),
        [
            e("Bank of America", "ORG"),
            e("Alice", "PER"),
            e("Bob", "PER"),
            e("Paris", "LOC")
        ]
    );
    assert!(got.notes[0].contains("IOB2"), "{:?}", got.notes);
    assert_eq!(
        tag_notes(&got),
        [
            "line 8: I-LOC follows O, not B-LOC or I-LOC (IOB2); read as the start of a LOC \
          entity, as seqeval reads it."
        ]
    );
    // A type change inside an entity starts another, as seqeval reads it.
    let got = read("a B-ORG\nb I-PER\n");
    assert_eq!(spans_of(&got.bundle), [e("a", "ORG"), e("b", "PER")]);
    assert!(tag_notes(&got)[0].starts_with("line 2: I-PER follows B-ORG"));
    // An I- at a sentence start continues nothing.
    let got = read("a B-ORG\n\nb I-ORG\n");
    assert_eq!(spans_of(&got.bundle), [e("a", "ORG"), e("b", "ORG")]);
    assert!(tag_notes(&got)[0].contains("follows the start of its sentence"));
}

#[test]
fn iob1_is_told_from_its_i_starts_and_decoded() {
    // The original CoNLL-2003 layout: every entity starts with I-, B- separates two adjacent
    // entities of one type.
    let file = "-DOCSTART- -X- O O\n\nU.N. NNP I-NP I-ORG\nofficial NN I-NP O\nEkeus NNP I-NP I-PER\nAlice NNP I-NP B-PER\nheads VBZ I-VP O\nNew NNP I-NP I-LOC\nYork NNP I-NP I-LOC\n. . O O\n";
    let got = read(file);
    assert!(got.notes[0].contains("IOB1"), "{:?}", got.notes);
    assert!(tag_notes(&got).is_empty(), "{:?}", got.notes);
    assert_eq!(
        spans_of(&got.bundle),
        [
            e("U.N.", "ORG"),
            e("Ekeus", "PER"),
            e("Alice", "PER"),
            e("New York", "LOC")
        ]
    );
    // A B- after O is not IOB1: read as a start, and said.
    let got = read("a I-ORG\nb O\nc I-ORG\nd O\ne B-ORG\nf I-ORG\n");
    assert_eq!(
        spans_of(&got.bundle),
        [e("a", "ORG"), e("c", "ORG"), e("e f", "ORG")]
    );
    assert_eq!(tag_notes(&got).len(), 1);
    assert!(tag_notes(&got)[0].starts_with("line 5: B-ORG follows O; in IOB1"));
    // As many entities start with B- as with I-: IOB2, and the I- start is the odd one.
    let got = read("a I-ORG\nb O\ne B-ORG\n");
    assert!(got.notes[0].contains("IOB2"));
    assert!(tag_notes(&got)[0].starts_with("line 1: I-ORG follows the start"));
}

#[test]
fn bioes_and_bilou_decode_and_ill_formed_ends_are_said() {
    let file = "The O\nNew B-LOC\nYork I-LOC\nCity E-LOC\nmayor O\nAdams S-PER\nmet O\nUN U-ORG\nin O\nLos B-GPE\nAngeles L-GPE\n";
    let got = read(file);
    assert!(got.notes[0].contains("BIOES"), "{:?}", got.notes);
    assert!(tag_notes(&got).is_empty(), "{:?}", got.notes);
    assert_eq!(
        spans_of(&got.bundle),
        [
            e("New York City", "LOC"),
            e("Adams", "PER"),
            e("UN", "ORG"),
            e("Los Angeles", "GPE")
        ]
    );
    // E- without B-; B- without an end; adjacent singles.
    let got = read("a O\nb E-PER\nc B-ORG\nd O\ne S-LOC\nf S-LOC\ng B-PER\nh I-PER\n");
    assert_eq!(
        spans_of(&got.bundle),
        [
            e("b", "PER"),
            e("c", "ORG"),
            e("e", "LOC"),
            e("f", "LOC"),
            e("g h", "PER")
        ]
    );
    assert_eq!(
        tag_notes(&got),
        [
            "line 2: E-PER follows O, with no B-PER before it (BIOES); read as the start of a \
             PER entity, as seqeval reads it.",
            "line 3: B-ORG is followed by O, not I-ORG or E-ORG (BIOES); the ORG entity is \
             read as ending there, as seqeval reads it.",
            "line 8: I-PER is followed by the end of its sentence, not I-PER or E-PER (BIOES); \
             the PER entity is read as ending there, as seqeval reads it.",
        ]
    );
}

#[test]
fn seqeval_chunks_match_its_own_examples() {
    // seqeval's README and tests: get_entities(['B-PER', 'I-PER', 'O', 'B-LOC']) and the
    // lenient readings of I- after O and E- after E-.
    let toks = |tags: &[&'static str]| -> Vec<Tok<'static>> {
        tags.iter()
            .map(|&raw| {
                let (prefix, kind) = read_tag(raw).unwrap();
                Tok {
                    line: 1,
                    text: "x",
                    raw,
                    prefix,
                    kind,
                    bad: false,
                }
            })
            .collect()
    };
    type Chunks<'a> = &'a [(usize, usize, &'a str)];
    let cases: &[(&[&str], Chunks)] = &[
        (
            &["B-PER", "I-PER", "O", "B-LOC"],
            &[(0, 1, "PER"), (3, 3, "LOC")],
        ),
        (
            &["O", "I-PER", "I-PER", "B-PER"],
            &[(1, 2, "PER"), (3, 3, "PER")],
        ),
        (
            &["B-PER", "E-PER", "E-PER"],
            &[(0, 1, "PER"), (2, 2, "PER")],
        ),
        (&["S-PER", "I-PER"], &[(0, 0, "PER"), (1, 1, "PER")]),
        (
            &["B-PER", "I-LOC", "E-LOC"],
            &[(0, 0, "PER"), (1, 2, "LOC")],
        ),
        (&["O", "O"], &[]),
    ];
    for (tags, want) in cases {
        assert_eq!(chunks(&toks(tags)), want.to_vec(), "{tags:?}");
    }
}

#[test]
fn two_three_and_four_columns_spaces_and_tabs() {
    let want = [e("Apple", "ORG"), e("Tim Cook", "PERSON")];
    for file in [
        "Apple B-ORG\nhired O\nTim B-PERSON\nCook I-PERSON\n",
        "Apple\tB-ORG\nhired\tO\nTim\tB-PERSON\nCook\tI-PERSON",
        "Apple NNP B-ORG\nhired VBD O\nTim NNP B-PERSON\nCook NNP I-PERSON\n",
        "Apple  NNP\tB-NP B-ORG\nhired VBD B-VP   O\r\nTim NNP B-NP B-PERSON\r\nCook NNP I-NP I-PERSON\r\n\r\n",
        "\u{feff}Apple\t\tB-ORG\nhired\tO\t\n\n\n\nTim\tB-PERSON\nCook\tI-PERSON\n",
    ] {
        assert_eq!(entities(file), want, "{file:?}");
    }
    let got = read("Apple\tB-ORG\n");
    assert!(got.notes[0].contains("(2 columns, tab-separated)"));
    // Columns are split at any white space, so a token never holds one.
    let err = Format::Conll
        .import(b"New York\tB-GPE\nis\tO\n", "t.conll")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Line 2 has 2 columns where the file's token lines have 3 (from line 1 on)."
    );
}

#[test]
fn bad_lines_are_refused_by_line() {
    let err = |file: &str| {
        Format::Conll
            .import(file.as_bytes(), "t.conll")
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err("a _ _ O\nb _ _ O\n\nc _ O\n"),
        "Line 4 has 3 columns where the file's token lines have 4 (from line 1 on)."
    );
    assert_eq!(
        err("a O\nlonely\n"),
        "Line 2 has one column, “lonely”: a CoNLL line is a token and its tag (TOKEN TAG, or \
         TOKEN POS CHUNK TAG)."
    );
    assert!(err("a b c d O\n")
        .starts_with("Line 1 has 5 columns: Marginalia reads CoNLL files of 2 to 4"));
    assert!(err("a\u{1}b\tO\n").contains("U+0001"));
    assert_eq!(err(""), "The document of line 1 holds no token.");
    assert_eq!(
        err("-DOCSTART- -X- -X- O\n\n"),
        "The document of line 1 holds no token."
    );
    assert!(err("\u{ff}\u{fe}").starts_with("Line 1 has one column, “ÿþ”"));
    assert_eq!(
        Format::Conll.import(b"\xff\xfe", "t.conll").unwrap_err(),
        FileError::NotText
    );
    // Several documents are a corpus: opened as one file, the file says so.
    assert!(err("-DOCSTART- O\n\na O\n\n-DOCSTART- O\n\nb O\n")
        .starts_with("This file holds 2 documents, each after a -DOCSTART- line"));
}

#[test]
fn a_tag_that_is_no_tag_is_a_problem_and_the_token_outside() {
    let long = "X".repeat(41);
    let file = format!("a B-ORG\nb PER\nc O\nd B-{long}\ne B-\nf B-LOC\n");
    let got = read(&file);
    assert_eq!(spans_of(&got.bundle), [e("a", "ORG"), e("f", "LOC")]);
    let messages: Vec<String> = got.problems.iter().map(|p| p.message.clone()).collect();
    assert_eq!(messages.len(), 3);
    assert_eq!(
        messages[0],
        "line 2: the tag “PER” is neither O nor B-, I-, E- or S- and an entity type; the token \
         “b” is read as outside any entity."
    );
    assert!(
        messages[1].starts_with("line 4: the tag “B-XXXX"),
        "{}",
        messages[1]
    );
    assert!(messages[1].contains("longer than 40 characters"));
    assert!(messages[2].starts_with("line 5: the tag “B-” names no entity type"));
    assert_eq!(got.total, 5);
    // A file of many: the first 100 one by one, the others counted.
    let many: String = (0..150).map(|n| format!("w{n} PER\n")).collect();
    let got = read(&many);
    assert_eq!(got.problems.len(), 101);
    assert!(got.problems[99]
        .message
        .starts_with("line 100: the tag “PER”"));
    assert_eq!(
        got.problems[100].message,
        "…and 50 more tags that are neither O nor a prefix and a type, their tokens read as \
         outside any entity."
    );
}

#[test]
fn docstart_blocks_are_a_corpus_a_document_each() {
    let file = "-DOCSTART- -X- -X- O\n\nApple _ _ B-ORG\nfell _ _ O\n\n-DOCSTART- -X- -X- O\n\nParis _ _ B-GPE\n\nRome _ _ B-GPE\n\n-DOCSTART- -X- -X- O\n\nx _ O\n\n-DOCSTART- -X- -X- O\n\n-DOCSTART- -X- -X- O\n\nEnd _ _ O\n";
    let c = corpus::import(Format::Conll, file.as_bytes(), "news.conll").unwrap();
    let docs: Vec<(&str, &str, &str)> = c
        .documents
        .iter()
        .map(|d| {
            let doc = &d.bundle.document;
            (doc.id.as_str(), doc.title.as_str(), doc.text())
        })
        .collect();
    assert_eq!(
        docs,
        [
            ("news-1", "Apple fell", "Apple fell"),
            ("news-2", "Paris", "Paris\nRome"),
            ("news-5", "End", "End")
        ]
    );
    assert_eq!(c.annotations(), 3);
    let refused: Vec<(&str, &str)> = c
        .refused
        .iter()
        .map(|r| (r.place.as_str(), r.message.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            (
                "document 3",
                "line 14 has 3 columns where the file's token lines have 4 (from line 3 on)."
            ),
            ("document 4", "the document of line 16 holds no token.")
        ]
    );
    // The note on how the file was read is said once for all.
    let summary = c.summary();
    assert!(summary.starts_with("3 documents, 3 annotations; 2 documents refused: document 3"));
    assert_eq!(summary.matches("Read as CoNLL").count(), 1, "{summary}");
    // Tokens before the first -DOCSTART- are a document too; a file without one is one.
    let c = corpus::import(
        Format::Conll,
        b"a B-ORG\n\n-DOCSTART- O\nb B-ORG\n",
        "x.iob",
    )
    .unwrap();
    assert_eq!(c.documents.len(), 2);
    let c = corpus::import(Format::Conll, b"a B-ORG\n\nb O\n", "x.iob").unwrap();
    assert_eq!(c.documents.len(), 1);
    assert_eq!(c.documents[0].bundle.document.id, "x");
    assert_eq!(c.documents[0].bundle.document.text(), "a\nb");
    // A file of one document whose line is bad is refused whole, as a file.
    let err = corpus::import(Format::Conll, b"a O\nb\n", "x.conll").unwrap_err();
    assert!(err.to_string().starts_with("Line 2 has one column"));
    // More documents than a project holds: refused before any is read.
    let many = "-DOCSTART- O\nx O\n".repeat(10_001);
    let err = corpus::import(Format::Conll, many.as_bytes(), "x.conll").unwrap_err();
    assert!(err.to_string().starts_with(
        "This file holds 10,001 -DOCSTART- lines, a document each; Marginalia reads at most 10,000"
    ));
    // Every document refused: the file is.
    let err =
        corpus::import(Format::Conll, b"-DOCSTART- O\n\n-DOCSTART- O\n", "x.conll").unwrap_err();
    assert!(err
        .to_string()
        .starts_with("No document of the file gives a document (2 documents refused)"));
}

#[test]
fn the_endings_are_detected() {
    for name in [
        "a.conll",
        "A.IOB",
        "a.bio",
        "a.iob2",
        "a.bioes",
        "a.conll03",
    ] {
        assert_eq!(
            Format::detect(name, b"a O\n"),
            Some(Format::Conll),
            "{name}"
        );
    }
    assert!(Format::Conll.can_import());
}

/// (text without separators, label) of the entities the export keeps, in order.
fn kept(b: &Bundle) -> Vec<(String, String)> {
    conll::kept_entities(b)
        .iter()
        .map(|a| {
            let t: String = b
                .document
                .slice(a.span)
                .chars()
                .filter(|c| !is_separator(*c))
                .collect();
            (t, a.body.label().unwrap().to_string())
        })
        .filter(|(t, _)| !t.is_empty())
        .collect()
}

/// Export, then import: the same tokens and entities, read as IOB2 without a note on a tag.
fn assert_round_trip(b: &Bundle) -> Result<(), TestCaseError> {
    let file = conll::export(b);
    let got = Format::Conll
        .import(file.as_bytes(), &Format::Conll.file_name(&b.document.id))
        .map_err(|e| TestCaseError::fail(format!("{e}\n{file}")))?;
    prop_assert!(got.problems.is_empty());
    prop_assert_eq!(got.notes.len(), 1, "{:?}", got.notes);
    prop_assert!(got.notes[0].contains("IOB2 tags (4 columns, space-separated)"));
    let tokens: Vec<&str> = conll::sentences(b)
        .iter()
        .flatten()
        .map(|t| b.document.slice(t.span))
        .collect();
    let read: Vec<&str> = got.bundle.document.text().split([' ', '\n']).collect();
    prop_assert_eq!(read, tokens);
    let found: Vec<(String, String)> = spans_of(&got.bundle)
        .into_iter()
        .map(|(t, l)| (t.replace(' ', ""), l))
        .collect();
    prop_assert_eq!(found, kept(b));
    // Every entity's span is whole tokens of the rebuilt text.
    let text = got.bundle.document.text();
    for a in &got.bundle.annotations {
        prop_assert_eq!(a.kind(), Kind::Entity);
        let s = got.bundle.document.slice(a.span);
        prop_assert!(!s.starts_with(' ') && !s.ends_with(' ') && !s.contains('\n'));
        let before = text.chars().nth(a.span.start.wrapping_sub(1));
        prop_assert!(a.span.start == 0 || matches!(before, Some(' ' | '\n')));
    }
    Ok(())
}

#[test]
fn the_sample_exports_read_back() {
    let b = bundle_of(&sample_state());
    assert_round_trip(&b).unwrap();
    let got = Format::Conll
        .import(conll::export(&b).as_bytes(), "d.conll")
        .unwrap();
    let orgs: Vec<String> = spans_of(&got.bundle)
        .into_iter()
        .filter(|(_, l)| l == "ORG")
        .map(|(t, _)| t)
        .collect();
    assert_eq!(orgs[0], "Hayat Tahrir al - Sham");
}

/// A text of paragraphs of words (with punctuation, an emoji and a combining accent), and
/// entities that do not overlap, each inside a paragraph and not blank, as (start, len, label).
fn arb_bundle() -> impl Strategy<Value = Bundle> {
    let word = prop::sample::select(vec![
        "Apple",
        "Mr.",
        "Smith",
        "left",
        ".",
        "U.N.",
        "Syria's",
        "12/8/2024",
        "😀",
        "re\u{301}sume\u{301}",
        "“Baath”",
        "al-Assad",
        ",",
        "دمشق",
        "New",
        "York",
    ]);
    let sep = prop::sample::select(vec![" ", " ", " ", "  ", "\n", "\n\n", "\u{a0}"]);
    (
        prop::collection::vec((word, sep), 1..40),
        prop::collection::vec((0usize..400, 1usize..30, 0usize..3), 0..12),
    )
        .prop_map(|(words, picks)| {
            let text: String = words.iter().flat_map(|(w, s)| [*w, *s]).collect();
            let doc = Document::new("p", "P", text.as_str());
            let chars: Vec<char> = text.chars().collect();
            let mut taken: Vec<Span> = Vec::new();
            let mut annotations = Vec::new();
            for (start, len, label) in picks {
                let start = start % chars.len();
                let end = (start + len).min(chars.len());
                let span = Span::new(start, end);
                let inside_a_paragraph = doc
                    .paragraphs()
                    .iter()
                    .any(|p| p.start <= span.start && span.end <= p.end);
                let blank = chars[start..end].iter().all(|c| is_separator(*c));
                let overlaps = taken.iter().any(|t| t.start < end && start < t.end);
                if !inside_a_paragraph || blank || overlaps {
                    continue;
                }
                taken.push(span);
                annotations.push(Annotation {
                    id: format!("e{}", annotations.len() + 1),
                    span,
                    body: Body::Entity {
                        label: ["ORG", "PER", "MISC"][label].into(),
                    },
                    note: String::new(),
                    created: T0,
                    updated: T0,
                    extra: None,
                });
            }
            crate::model::sort::sort_by(&mut annotations, |a: &Annotation, b: &Annotation| {
                a.sort_key().cmp(&b.sort_key())
            });
            Bundle {
                document: doc,
                labels: Labels::default(),
                annotator: String::new(),
                annotations,
                status: Default::default(),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Export → import gives back every entity's tokens and type, for any bundle of
    /// non-overlapping entities.
    #[test]
    fn export_then_import_keeps_the_entities(b in arb_bundle()) {
        prop_assume!(b.document.text().chars().any(|c| !is_separator(c)));
        assert_round_trip(&b)?;
    }

    /// A corpus of such documents reads back a document each, as each alone does but for its
    /// id (a CoNLL file does not name its documents).
    #[test]
    fn a_corpus_reads_back_a_document_each(a in arb_bundle(), b in arb_bundle()) {
        prop_assume!([&a, &b].iter().all(|x| x.document.text().chars().any(|c| !is_separator(c))));
        let mut b = b;
        b.document = Document::new("p2", "P2", b.document.text());
        let bundles = [a, b];
        let out = corpus::export(Format::Conll, &bundles).map_err(TestCaseError::fail)?;
        let read = corpus::import(Format::Conll, &out, "project.conll")
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(read.refused.is_empty());
        prop_assert_eq!(read.documents.len(), 2);
        for (n, (got, b)) in read.documents.iter().zip(&bundles).enumerate() {
            let alone = Format::Conll.import(conll::export(b).as_bytes(), "project.conll").unwrap();
            prop_assert_eq!(&got.bundle.document.id, &format!("project-{}", n + 1));
            prop_assert_eq!(got.bundle.document.text(), alone.bundle.document.text());
            prop_assert_eq!(&got.bundle.annotations, &alone.bundle.annotations);
            prop_assert_eq!(&got.bundle.labels, &alone.bundle.labels);
        }
    }

    /// Any text read as CoNLL gives a document or a sentence saying why, never a panic.
    #[test]
    fn any_text_is_read_or_refused(lines in prop::collection::vec(
        prop::collection::vec(prop::sample::select(vec![
            "a", "-DOCSTART-", "O", "B-X", "I-X", "E-X", "S-X", "L-Y", "B-", "I", "\t", "é",
        ]), 0..5), 0..30)) {
        let file: String = lines.iter().map(|l| l.join(" ") + "\n").collect();
        // Read as one file, checked as the fuzz targets check every import.
        let checked = crate::formats::fuzzing::import_any(Format::Conll, file.as_bytes());
        prop_assert!(checked.is_ok(), "{:?}", checked);
        // Read as a corpus, every document as well.
        match corpus::import(Format::Conll, file.as_bytes(), "f.conll") {
            Ok(c) => {
                prop_assert!(!c.documents.is_empty());
                for d in &c.documents {
                    let one = conll::export(&d.bundle);
                    let checked = crate::formats::fuzzing::import_any(Format::Conll, one.as_bytes());
                    prop_assert!(checked.is_ok(), "{:?}", checked);
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
