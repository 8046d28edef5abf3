//! brat tests: golden files (the article, the hard text, a text with spans across CRLF line
//! breaks), round trips, offsets as brat counts them, foreign files (PolNeAR's convention,
//! re-zipped archives), and every refusal as a table.
//!
//! Over 600 lines: one file of tests per format module, most of its cases as tables.

use std::rc::Rc;

use super::*;
use crate::formats::native;
use crate::formats::testing::{assert_golden, bundle_of, find, golden_path, sample_state, T0};
use crate::model::State;

fn hard_text_bundle() -> Bundle {
    let bytes = std::fs::read(golden_path("native/hard-text.marginalia.json")).unwrap();
    native::import_bytes(&bytes).unwrap().bundle
}

/// Line breaks inside spans, CRLF, a label beyond the defaults, a named speaker, a quote
/// without cue across a paragraph break, a claim linked to an entity, notes with line breaks.
fn lines_bundle() -> Bundle {
    let text = "Officials said “the talks\r\nwill resume” on Monday.\r\n\r\n\
                The ministry in دمشق 😀 claimed\r\nthat prices fell.\r\n";
    let doc = Document::new("lines/CRLF test", "Lines", text);
    let mut labels = Labels::default();
    labels.entity.push("MINISTRY".into());
    let mut n = 0;
    let mut ann = |needle: &str, body: Body, note: &str| {
        n += 1;
        Annotation {
            id: format!("{}{n}", body.kind().id_prefix()),
            span: find(&doc, needle),
            body,
            note: note.into(),
            created: T0,
            updated: T0,
            extra: None,
        }
    };
    let entity = |label: &str| Body::Entity {
        label: label.into(),
    };
    let officials = ann("Officials", entity("PERSON"), "");
    let ministry = ann("The ministry", entity("MINISTRY"), "a line\r\nbreak");
    let annotations = vec![
        ann(
            "“the talks\r\nwill resume”",
            Body::Quote {
                speaker: Some(Party::Ref(officials.id.clone())),
                cue: Some(find(&doc, "said")),
                direct: true,
            },
            "",
        ),
        ann(
            "on Monday.\r\n\r\nThe ministry",
            Body::Quote {
                speaker: Some(Party::Name("a spokes\tperson".into())),
                cue: None,
                direct: false,
            },
            "first\nsecond",
        ),
        ann("دمشق", entity("GPE"), ""),
        ann(
            "😀 claimed\r\nthat prices fell.",
            Body::Claim {
                claimant: Some(Party::Ref(ministry.id.clone())),
                checkworthiness: Some("UFS".into()),
            },
            "  ",
        ),
        officials,
        ministry,
    ];
    let bundle = Bundle {
        document: doc,
        labels,
        annotator: String::new(),
        annotations,
        status: Default::default(),
    };
    restore(&bundle);
    bundle
}

/// The bundle as a state: it keeps every model rule.
fn restore(b: &Bundle) -> State {
    State::restore(
        Rc::new(b.document.clone()),
        b.labels.clone(),
        b.annotations.clone(),
        0,
    )
    .unwrap_or_else(|e| panic!("not a valid state: {e}"))
}

/// The zip's entries, by name.
fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let archive = zip::open(bytes, zip::Limits::default()).unwrap();
    archive
        .entries
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                String::from_utf8(archive.read(e).unwrap()).unwrap(),
            )
        })
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks the export of a bundle against golden files: the `.ann`, `annotation.conf`, and the
/// archive's SHA-256 (the bytes are deterministic); and that the archive holds exactly them.
fn check_golden(bundle: &Bundle, name: &str) -> String {
    let zip = export(bundle);
    assert_eq!(zip, export(bundle), "deterministic");
    let ann = export_ann(bundle);
    let conf = export_conf(&bundle.labels);
    assert_golden(&format!("brat/{name}.ann"), &ann);
    assert_golden(&format!("brat/{name}.annotation.conf"), &conf);
    assert_golden(
        &format!("brat/{name}.brat.zip.sha256"),
        &format!("{}\n", sha256(&zip)),
    );
    let stem = safe_file_stem(&bundle.document.id);
    assert_eq!(
        unzip(&zip),
        vec![
            (format!("{stem}.txt"), bundle.document.text().to_string()),
            (format!("{stem}.ann"), ann.clone()),
            ("annotation.conf".to_string(), conf),
        ]
    );
    ann
}

#[test]
fn golden_export_of_the_article() {
    let ann = check_golden(&bundle_of(&sample_state()), "damascus");
    let first: Vec<&str> = ann.lines().take(3).collect();
    assert_eq!(
        first,
        [
            "T1\tORG 32 52\tHayat Tahrir al-Sham",
            "T2\tClaim 190 255\tPresident Bashar al-Assad is reported to have fled and is missing",
            "#1\tAnnotatorNotes T2\tclaimant: unnamed officials",
        ]
    );
    // The quote, PolNeAR's way: Source over the speaker entity, Cue, Content, trigger.
    assert!(ann.contains("T4\tSource 294 306\tRebel forces\nT5\tCue 680 686\tstated\n"));
    assert!(ann.contains("T7\tAttribution 680 686\tstated\nE1\tAttribution:T7 Content:T6 Cue:T5 Source:T4\nA2\tDirect E1\n"));
    assert!(ann.contains("A1\tCheckworthiness T2 CFS\n"));
    assert!(ann.contains("#2\tAnnotatorNotes T8\t<b>not bold</b> & “quoted”\n"));
}

#[test]
fn golden_export_of_the_hard_text() {
    let bundle = hard_text_bundle();
    let ann = check_golden(&bundle, "hard-text");
    // Before the first CRLF, brat offsets are code points; after each, one less per CRLF.
    // Python: text.replace("\r\n", "\n")[30:34] == "دمشق" while text[32:36] is.
    assert_eq!(
        ann,
        "T1\tORG 1 2\t😀\nT2\tPERSON 4 9\t👨\u{200d}👩\u{200d}👧\nT3\tEVENT 18 26\tre\u{301}sume\u{301}\nT4\tGPE 30 34\tدمشق\n"
    );
}

#[test]
fn golden_export_of_spans_across_line_breaks() {
    let bundle = lines_bundle();
    let ann = check_golden(&bundle, "lines");
    // The quote across a CRLF: two fragments, the line break dropped, texts joined by a space.
    assert!(ann.contains("\tContent 15 25;26 38\t“the talks will resume”\n"));
    // Across a blank line, with no cue: the trigger covers the quote too.
    assert!(ann.contains("\tContent 39 49;51 63\ton Monday. The ministry\n"));
    assert!(ann.contains("\tAttribution 39 49;51 63\ton Monday. The ministry\n"));
    assert!(ann.contains("\tAnnotatorNotes E2\tspeaker: a spokes person\n"));
    assert!(ann.contains("\tAnnotatorNotes T6\tfirst second\n"));
    assert!(ann.contains("\tClaimant Arg1:T10 Arg2:T8\n"));
    assert!(!ann.contains("  \n"), "a blank note is not written");
    assert!(
        export_conf(&bundle.labels).contains("\nMINISTRY\n"),
        "every label is declared"
    );
}

/// What brat carries of an annotation: everything but its id, times, and line breaks and tabs
/// in notes and names (which become spaces). Links are compared by the linked entity's span
/// and label, since ids are made afresh.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Carried {
    span: Span,
    kind: Kind,
    label: Option<String>,
    cue: Option<Span>,
    direct: bool,
    checkworthiness: Option<String>,
    party: Option<(Option<Span>, String)>,
    note: String,
}

fn carried(b: &Bundle) -> Vec<Carried> {
    let entity = |id: &str| {
        let e = b.annotations.iter().find(|a| a.id == id).unwrap();
        (Some(e.span), e.body.label().unwrap().to_string())
    };
    let party = |p: &Option<Party>| match p {
        Some(Party::Ref(id)) => Some(entity(id)),
        Some(Party::Name(n)) => Some((None, one_line(n))),
        None => None,
    };
    let mut out: Vec<Carried> = b
        .annotations
        .iter()
        .map(|a| {
            let (cue, direct, checkworthiness, p) = match &a.body {
                Body::Entity { .. } => (None, false, None, None),
                Body::Quote {
                    speaker,
                    cue,
                    direct,
                } => (*cue, *direct, None, party(speaker)),
                Body::Claim {
                    claimant,
                    checkworthiness,
                } => (None, false, checkworthiness.clone(), party(claimant)),
            };
            Carried {
                span: a.span,
                kind: a.kind(),
                label: a.body.label().map(str::to_string),
                cue,
                direct,
                checkworthiness,
                party: p,
                note: if a.note.trim().is_empty() {
                    String::new()
                } else {
                    one_line(&a.note)
                },
            }
        })
        .collect();
    crate::model::sort::sort_by(&mut out, Ord::cmp);
    out
}

#[test]
fn round_trips_keep_what_brat_carries() {
    // Lost by design: ids (made afresh), times, the annotator, the title (the id stands in),
    // line breaks and tabs in notes and names, and line breaks at the very start or end of a
    // span. Everything else comes back.
    for (name, bundle) in [
        ("article", bundle_of(&sample_state())),
        ("hard text", hard_text_bundle()),
        ("lines", lines_bundle()),
    ] {
        let back =
            import(&export(&bundle), "ignored.brat.zip").unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back.problems, vec![], "{name}");
        assert_eq!(back.total, bundle.annotations.len(), "{name}");
        let b = &back.bundle;
        assert_eq!(
            b.document.text(),
            bundle.document.text(),
            "{name}: exact text"
        );
        assert_eq!(b.document.id, safe_file_stem(&bundle.document.id), "{name}");
        let mut expected_labels = Labels::default();
        for a in &bundle.annotations {
            if let Some(l) = a.body.label() {
                if !expected_labels.entity.iter().any(|x| x == l) {
                    expected_labels.entity.push(l.to_string());
                }
            }
        }
        assert_eq!(b.labels, expected_labels, "{name}");
        assert_eq!(carried(b), carried(&bundle), "{name}");
        restore(b);
        // Ids: kind letter and a sequence in text order.
        let ids: Vec<&str> = b.annotations.iter().map(|a| a.id.as_str()).collect();
        let expected: Vec<String> = b
            .annotations
            .iter()
            .enumerate()
            .map(|(i, a)| format!("{}{}", a.kind().id_prefix(), i + 1))
            .collect();
        assert_eq!(ids, expected, "{name}");
        // And the export of the import is the export.
        assert_eq!(export_ann(b), export_ann(&bundle), "{name}: stable");
    }
}

#[test]
fn brat_offsets_count_crlf_as_one_character() {
    // (text, Marginalia offset, brat offset)
    let text = "a\r\nb\rc\r\n\r\nd😀";
    let view = View::new(text, false);
    assert_eq!(view.len, 9, "Python: len(open(...).read())");
    let cases = [
        (0, 0),
        (1, 1),
        (3, 2),
        (4, 3),
        (5, 4),
        (6, 5),
        (8, 6),
        (10, 7),
        (11, 8),
        (12, 9),
    ];
    for (raw, brat) in cases {
        assert_eq!(view.to_brat(raw), brat, "to_brat({raw})");
        assert_eq!(view.to_raw(brat), raw, "to_raw({brat})");
    }
    let doc = Document::new("d", "d", text);
    assert_eq!(view.slice(&doc, 0, 9), "a\nb\nc\n\nd😀");
    // With a byte-order mark, brat counts it as a character.
    let marked = View::new(text, true);
    assert_eq!(marked.len, 10);
    assert_eq!(marked.to_raw(3), 3, "b");
    assert_eq!(marked.to_brat(3), 3);
    assert_eq!(marked.slice(&doc, 0, 2), "\u{feff}a");
}

#[test]
fn fragments_split_at_line_breaks() {
    let doc = Document::new("d", "d", "ab\r\ncd\n  \nef\u{2028}gh\n\nij \nk");
    // (span text, fragment texts)
    let cases: &[(&str, &[&str])] = &[
        ("ab", &["ab"]),
        ("ab\r\ncd", &["ab", "cd"]),
        ("b\r\n", &["b"]),
        ("\ncd", &["cd"]),
        ("cd\n  \nef", &["cd", "ef"]),
        ("  \nef", &["  ", "ef"]),
        ("ef\u{2028}gh", &["ef", "gh"]),
        ("gh\n\nij \nk", &["gh", "ij ", "k"]),
        ("\r\n", &[]),
    ];
    for (needle, expected) in cases {
        let got: Vec<&str> = fragments(&doc, find(&doc, needle))
            .iter()
            .map(|f| doc.slice(*f))
            .collect();
        assert_eq!(&got, expected, "fragments of {needle:?}");
    }
}

#[test]
fn format_registry_knows_brat() {
    use crate::formats::Format;
    let f = Format::parse("brat").unwrap();
    assert_eq!(f.title(), "brat standoff (zip)");
    assert_eq!(f.mime(), "application/zip");
    assert_eq!(f.file_name("damascus 2024"), "damascus-2024.brat.zip");
    assert!(f.can_import());
    let bytes = f.export(&bundle_of(&sample_state()));
    assert_eq!(Format::detect("x.brat.zip", &bytes), Some(f));
    assert_eq!(Format::detect("renamed.zip", &bytes), Some(f), "sniffed");
    let back = f.import(&bytes, "x.brat.zip").unwrap();
    assert_eq!(back.bundle.document.id, "damascus-2024-12-08");
}

// ---- reading foreign files ----

fn import_ann(text: &str, ann: &str) -> Result<Imported, FileError> {
    import_text("doc", text, ann)
}

#[test]
fn polnear_files_read_as_quotes() {
    // From PolNeAR's .ann files: the trigger repeats the cue, arguments come in any order,
    // a Content in two pieces (here only a space between), an event without a source.
    let text = "Obama said the trends are terrifying.\n\n“It is slow,” \"and real,\" he noted.";
    let ann = "T1\tSource 0 5\tObama\n\
               T2\tCue 6 10\tsaid\n\
               T3\tContent 11 36\tthe trends are terrifying\n\
               T4\tAttribution 6 10\tsaid\n\
               E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n\
               T5\tContent 53 64;39 52\t\"and real,\" “It is slow,”\n\
               T6\tCue 68 73\tnoted\n\
               T7\tAttribution-no-source 68 73\tnoted\n\
               E2\tAttribution-no-source:T7 Cue:T6 Content:T5\n";
    let got = import_ann(text, ann).unwrap();
    assert_eq!(got.problems, vec![]);
    let b = &got.bundle;
    restore(b);
    let quotes: Vec<(&str, &Body)> = b
        .annotations
        .iter()
        .map(|a| (b.document.slice(a.span), &a.body))
        .collect();
    assert_eq!(
        quotes,
        [
            (
                "the trends are terrifying",
                &Body::Quote {
                    speaker: Some(Party::Name("Obama".into())),
                    cue: Some(Span::new(6, 10)),
                    direct: false,
                }
            ),
            (
                "“It is slow,” \"and real,\"",
                &Body::Quote {
                    speaker: None,
                    cue: Some(Span::new(68, 73)),
                    direct: false,
                }
            ),
        ]
    );
    assert_eq!(b.annotations[0].id, "q1");
}

#[test]
fn sources_over_entities_link_and_labels_are_added() {
    let text = "The WHO said it: done.";
    let ann = "T1\tAGENCY 0 7\tThe WHO\n\
               T2\tSource 0 7\tThe WHO\n\
               T3\tContent 17 21\tdone\n\
               T4\tAttribution 8 12\tsaid\n\
               E1\tAttribution:T4 Content:T3 Source:T2\n\
               T5\tClaim 13 21\tit: done\n\
               R1\tClaimant Arg2:T1 Arg1:T5\n\
               A1\tCheckworthiness T5 XFS\n\
               #1\tAnnotatorNotes T5\tclaimant: someone else\n";
    let got = import_ann(text, ann).unwrap();
    assert_eq!(got.problems, vec![]);
    let b = &got.bundle;
    restore(b);
    assert_eq!(b.labels.entity.last().unwrap(), "AGENCY");
    assert_eq!(b.labels.checkworthiness.last().unwrap(), "XFS");
    let e = &b.annotations[0];
    assert_eq!(e.body.label(), Some("AGENCY"));
    let linked: Vec<Option<&Party>> = b.annotations[1..].iter().map(|a| a.body.party()).collect();
    assert_eq!(
        linked,
        [
            Some(&Party::Ref(e.id.clone())),
            Some(&Party::Ref(e.id.clone()))
        ]
    );
    // The claimant note did not override the relation: it stays a note.
    let claim = b
        .annotations
        .iter()
        .find(|a| a.kind() == Kind::Claim)
        .unwrap();
    assert_eq!(claim.note, "claimant: someone else");
}

#[test]
fn rezipped_archives_are_read() {
    // Deflated, in a folder, with macOS's resource forks beside: as people re-zip.
    let bundle = bundle_of(&sample_state());
    let ann = export_ann(&bundle);
    let text = bundle.document.text();
    let entries: [(&str, &[u8]); 5] = [
        ("brat/", b""),
        ("__MACOSX/brat/._doc.txt", b"junk"),
        ("brat/doc.txt", text.as_bytes()),
        ("brat/doc.ann", ann.as_bytes()),
        ("brat/annotation.conf", b"[entities]\n"),
    ];
    for descriptor in [false, true] {
        let zip = zip::write_deflated(&entries, descriptor);
        let got = import(&zip, "whatever.zip").unwrap();
        assert_eq!(got.problems, vec![]);
        assert_eq!(got.bundle.document.id, "doc");
        assert_eq!(carried(&got.bundle), carried(&bundle));
    }
}

/// A change to the article's `.ann`, for tables of bad inputs.
fn edited(edit: impl Fn(&str) -> String) -> Result<Imported, FileError> {
    let bundle = bundle_of(&sample_state());
    import_text("d", bundle.document.text(), &edit(&export_ann(&bundle)))
}

#[test]
fn bad_lines_refuse_the_file_naming_the_first() {
    // (what, edit of the article's .ann, expected words of the refusal)
    type Edit = Box<dyn Fn(&str) -> String>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "a changed text",
            Box::new(|a| a.replace("\tRebel forces\n", "\tRebel Forces\n")),
            "line 5 (T3), span 294..306: its text “Rebel Forces” is not the text at those offsets (“Rebel forces”)",
        ),
        (
            "shifted offsets",
            Box::new(|a| a.replace("ORG 32 52", "ORG 33 53")),
            "line 1 (T1), span 33..53: its text “Hayat Tahrir al-Sham”",
        ),
        (
            "past the end",
            Box::new(|a| a.replace("ORG 32 52", "ORG 32 5200")),
            "span 32..5200: the offsets run past the end of the text (3486 characters",
        ),
        (
            "reversed",
            Box::new(|a| a.replace("ORG 32 52", "ORG 52 32")),
            "line 1 (T1), span 52..32: the offsets are reversed",
        ),
        (
            "touching pieces",
            Box::new(|a| a.replace("ORG 32 52", "ORG 32 40;38 52")),
            "the span overlaps or touches another span",
        ),
        (
            "no text",
            Box::new(|a| a.replace("ORG 32 52\tHayat Tahrir al-Sham", "ORG 32 52")),
            "Line 1 (T1) of the .ann file has no text after its offsets",
        ),
        (
            "text cut short",
            Box::new(|a| a.replace("\tHayat Tahrir al-Sham", "\tHayat Tahrir")),
            "its text “Hayat Tahrir” is not the text",
        ),
        (
            "spaces for the tab",
            Box::new(|a| a.replacen("T1\t", "T1 ", 1)),
            "does not start with a brat id (T1, E1"
        ),
        (
            "no tab at all",
            Box::new(|a| format!("{a}hello\n")),
            "has no tab after its id",
        ),
        (
            "words for offsets",
            Box::new(|a| a.replace("ORG 32 52", "ORG start end")),
            "has offsets that are not whole numbers",
        ),
        (
            "one offset",
            Box::new(|a| a.replace("ORG 32 52", "ORG 32")),
            "does not give its offsets as START END",
        ),
        (
            "a repeated id",
            Box::new(|a| a.replace("T2\tClaim", "T1\tClaim")),
            "uses the id T1 twice: on line 1 and on line 2",
        ),
        (
            "an event without trigger",
            Box::new(|a| a.replace("E1\tAttribution:T7", "E1\tAttribution")),
            "does not start with TYPE:TRIGGER",
        ),
        (
            "a relation with one argument",
            Box::new(|a| format!("{a}R9\tClaimant Arg1:T2\n")),
            "is not TYPE Arg1:ID Arg2:ID",
        ),
        (
            "an unknown id letter",
            Box::new(|a| format!("{a}X1\tfoo bar\n")),
            "has an id of a kind brat does not define",
        ),
        (
            "a note without target",
            Box::new(|a| format!("{a}#9\tAnnotatorNotes\tsome note\n")),
            "is not TYPE TARGET<TAB>TEXT",
        ),
    ];
    for (what, edit, expected) in cases {
        let e = edited(edit).expect_err(what).to_string();
        assert!(
            e.contains(expected),
            "{what}: “{e}” should say “{expected}”"
        );
    }
}

#[test]
fn what_marginalia_cannot_hold_is_skipped_one_problem_each() {
    let text = "Alpha beta said gamma.\n\nDelta epsilon.";
    // (what, .ann, expected problem, annotations kept)
    let cases: &[(&str, &str, &str, usize)] = &[
        (
            "an entity across paragraphs",
            "T1\tORG 16 22;24 29\tgamma. Delta\nT2\tORG 0 5\tAlpha\n",
            "(T1): it is an entity across a paragraph break",
            1,
        ),
        (
            "a cue of no event",
            "T1\tCue 11 15\tsaid\n",
            "(T1): a Cue span that belongs to no Attribution event",
            0,
        ),
        (
            "two events on one trigger",
            "T1\tBinding 6 10\tbeta\nE1\tBinding:T1 Theme:T2\nE2\tBinding:T1 Theme:T2\nT2\tGENE 0 5\tAlpha\n",
            "(E2): its trigger T1 is the trigger of E1 too",
            2,
        ),
        (
            "an equivalence",
            "T1\tORG 0 5\tAlpha\nT2\tORG 6 10\tbeta\n*\tEquiv T1 T2\n",
            "equivalences (*) are not carried",
            2,
        ),
        (
            "a typed note on a relation",
            "T1\tORG 0 5\tAlpha\nT2\tORG 6 10\tbeta\nR1\tPart-of Arg1:T1 Arg2:T2\n#1\tLemma R1\tx\n",
            "(#1): notes of type Lemma on a relation or an event are not carried",
            2,
        ),
        (
            "a relation to nothing",
            "T1\tORG 0 5\tAlpha\nR1\tPart-of Arg1:T1 Arg2:T9\n",
            "(R1): its argument T9 is not an imported annotation",
            1,
        ),
        (
            "an attribute set twice",
            "T1\tORG 0 5\tAlpha\nA1\tNegation T1\nA2\tNegation T1 yes\n",
            "(A2): T1 has the attribute Negation already",
            1,
        ),
        (
            "a note on nothing",
            "T1\tORG 0 5\tAlpha\n#1\tAnnotatorNotes T9\thello\n",
            "(#1): its target T9 is not an imported annotation",
            1,
        ),
        (
            "the same entity twice",
            "T1\tORG 0 5\tAlpha\nT2\tORG 0 5\tAlpha\n",
            "(T2): it repeats the kind, label and span",
            1,
        ),
        (
            "spaces only",
            "T1\tORG 5 6\t \n",
            "(T1): its span covers only spaces",
            0,
        ),
        (
            "a label brat allows and Marginalia does not",
            "T1\tA_VERY_LONG_LABEL_OF_MORE_THAN_FORTY_CHARS 0 5\tAlpha\n",
            "(T1): its type cannot be a label",
            0,
        ),
    ];
    for (what, ann, expected, kept) in cases {
        let got = import_ann(text, ann).unwrap_or_else(|e| panic!("{what}: {e}"));
        let problems: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 1, "{what}: {problems:?}");
        assert!(
            problems[0].contains(expected),
            "{what}: “{}” should say “{expected}”",
            problems[0]
        );
        assert_eq!(got.bundle.annotations.len(), *kept, "{what}");
        assert_eq!(got.total, kept + 1, "{what}");
        restore(&got.bundle);
    }
}

#[test]
fn what_the_open_schema_holds_comes_in_whole() {
    use crate::model::annotation::{Norm, Relation, Value};
    let text = "Alpha beta said gamma.\n\nDelta epsilon.";
    let read = |ann: &str| {
        let got = import_ann(text, ann).unwrap();
        assert_eq!(got.problems, vec![], "{ann}");
        restore(&got.bundle);
        got.bundle
    };
    // Pieces separated by text: one discontinuous annotation.
    let b = read("T1\tORG 0 5;11 15\tAlpha said\n");
    let a = &b.annotations[0];
    assert_eq!(a.span, Span::new(0, 15));
    assert_eq!(a.fragments(), [Span::new(0, 5), Span::new(11, 15)]);
    // A relation of any type, with its attribute and note; Arg2 before Arg1 is the same.
    let b = read(
        "T1\tORG 0 5\tAlpha\nT2\tORG 6 10\tbeta\nR1\tPart-of Arg2:T2 Arg1:T1\n\
         A1\tNegation R1\n#1\tAnnotatorNotes R1\tsure?\n",
    );
    assert_eq!(
        b.annotations[0].extra().relations,
        [Relation {
            kind: "Part-of".into(),
            target: b.annotations[1].id.clone(),
            roles: None,
            attributes: vec![("Negation".into(), Value::Flag)],
            note: "sure?".into(),
        }]
    );
    // A claimant relation to a quote is kept as a relation of that type.
    let b = read(
        "T1\tClaim 0 21\tAlpha beta said gamma\nT2\tContent 16 21\tgamma\nR1\tClaimant Arg1:T1 Arg2:T2\n",
    );
    let claim = b
        .annotations
        .iter()
        .find(|a| a.kind() == Kind::Claim)
        .unwrap();
    assert_eq!(claim.body.party(), None);
    assert_eq!(claim.extra().relations[0].kind, "Claimant");
    // An event on its trigger, with role arguments, an attribute and a note.
    let b = read(
        "T1\tBinding 6 10\tbeta\nE1\tBinding:T1 Theme:T2\nT2\tGENE 0 5\tAlpha\n\
         A1\tConfidence E1 High\n#1\tAnnotatorNotes E1\tternary?\n",
    );
    let trigger = b
        .annotations
        .iter()
        .find(|a| a.span == Span::new(6, 10))
        .unwrap();
    let event = trigger.extra().event.as_ref().unwrap();
    assert_eq!(event.kind, "Binding");
    assert_eq!(
        event.args,
        [("Theme".to_string(), b.annotations[0].id.clone())]
    );
    assert_eq!(
        event.attributes,
        [("Confidence".into(), Value::Text("High".into()))]
    );
    assert_eq!(event.note, "ternary?");
    // Attributes of any name on an entity, a normalisation, a typed note.
    let b = read(
        "T1\tORG 0 5\tAlpha\nA1\tNegation T1\nA2\tDirect T1\nN1\tReference T1 Wikipedia:123\tAlpha Inc\n\
         #1\tLemma T1\t alpha\n",
    );
    let e = b.annotations[0].extra();
    assert_eq!(
        e.attributes,
        [
            ("Direct".into(), Value::Flag),
            ("Negation".into(), Value::Flag)
        ]
    );
    assert_eq!(
        e.norms,
        [Norm {
            resource: "Wikipedia".into(),
            entry: "123".into(),
            label: "Alpha Inc".into()
        }]
    );
    assert_eq!(e.notes[0].kind, "Lemma");
    assert_eq!(e.notes[0].text, " alpha");
}

#[test]
fn archives_without_one_document_are_refused() {
    let text = b"Alpha.";
    let ann = b"T1\tORG 0 5\tAlpha\n";
    type Entries<'a> = Vec<(&'a str, &'a [u8])>;
    let cases: Vec<(&str, Entries, &str)> = vec![
        (
            "no pair",
            vec![("a.txt", text), ("b.ann", ann)],
            "a.txt, b.ann has no partner",
        ),
        ("nothing", vec![("x.conf", b"")], "holds no brat document"),
        (
            "two documents",
            vec![
                ("a.txt", text),
                ("a.ann", ann),
                ("b.txt", text),
                ("b.ann", ann),
            ],
            "The zip holds 2 brat documents (a, b); Marginalia opens one document at a time",
        ),
        (
            "not UTF-8",
            vec![("a.txt", b"\xff\xfe"), ("a.ann", ann)],
            "The zip entry a.txt is not UTF-8 text",
        ),
        (
            "a NUL in the text",
            vec![("a.txt", b"Al\0ha"), ("a.ann", ann)],
            "a NUL character (U+0000) at character 2",
        ),
    ];
    for (what, entries, expected) in cases {
        let e = import(&zip::write(&entries), "a.brat.zip")
            .expect_err(what)
            .to_string();
        assert!(
            e.contains(expected),
            "{what}: “{e}” should say “{expected}”"
        );
    }
    for (what, bytes, expected) in [
        ("a bare .ann", &ann[..], "not a zip archive"),
        (
            "a damaged zip",
            &b"PK\x03\x04 and nothing"[..],
            "no end record",
        ),
    ] {
        let e = import(bytes, "a.ann").expect_err(what).to_string();
        assert!(
            e.contains(expected),
            "{what}: “{e}” should say “{expected}”"
        );
    }
    let huge = vec![0u8; MAX_FILE_BYTES as usize + 1];
    assert!(matches!(
        import(&huge, "a.brat.zip"),
        Err(FileError::TooLarge { .. })
    ));
}

#[test]
fn the_document_is_named_by_the_archive_or_the_file() {
    let zip = zip::write(&[("dir/My doc.txt", b"Alpha."), ("dir/My doc.ann", b"")]);
    assert_eq!(
        import(&zip, "other.brat.zip").unwrap().bundle.document.id,
        "My doc"
    );
    let zip = zip::write(&[("x/.txt", b"Alpha."), ("x/.ann", b"")]);
    assert_eq!(
        import(&zip, "C:\\files\\Report 1.brat.zip")
            .unwrap()
            .bundle
            .document
            .id,
        "Report-1"
    );
}

#[test]
fn crlf_and_bom_files_from_windows_are_read_as_brat_reads_them() {
    // A .txt saved with a BOM and CRLF: brat counts the mark and one character per CRLF.
    let text = "\u{feff}Alpha\r\nbeta gamma\r\n";
    let ann = "T1\tORG 1 6\tAlpha\r\nT2\tORG 7 11;12 17\tbeta gamma\r\n";
    let got = import_ann(text, ann).unwrap();
    assert_eq!(got.problems, vec![]);
    let spans: Vec<&str> = got
        .bundle
        .annotations
        .iter()
        .map(|a| got.bundle.document.slice(a.span))
        .collect();
    assert_eq!(spans, ["Alpha", "beta gamma"]);
    assert_eq!(got.bundle.document.text(), "Alpha\r\nbeta gamma\r\n");
}

#[test]
fn an_entity_as_source_is_the_speaker() {
    // Tools other than Marginalia may point Source at the entity's own line.
    let text = "Reuters said: calm.";
    let ann = "T1\tORG 0 7\tReuters\n\
               T2\tContent 14 18\tcalm\n\
               T3\tAttribution 8 12\tsaid\n\
               E1\tAttribution:T3 Content:T2 Source:T1\n\
               #1\tAnnotatorNotes E1\tspeaker: ignored, the span wins\n";
    let got = import_ann(text, ann).unwrap();
    assert_eq!(got.problems, vec![]);
    let b = &got.bundle;
    assert_eq!(b.annotations.len(), 2);
    assert_eq!(
        b.annotations[1].body.party(),
        Some(&Party::Ref("e1".into()))
    );
    assert_eq!(b.annotations[1].note, "speaker: ignored, the span wins");
    restore(b);
}

#[test]
fn known_loss_a_claim_note_that_reads_as_a_claimant() {
    // A claim without claimant whose note begins with "claimant: " comes back with that
    // claimant: the note line cannot say which it was. Documented in the module.
    let doc = Document::new("d", "d", "Prices fell.");
    let bundle = Bundle {
        document: doc.clone(),
        labels: Labels::default(),
        annotator: String::new(),
        annotations: vec![Annotation {
            id: "c1".into(),
            span: Span::new(0, 12),
            body: Body::new_claim(),
            note: "claimant: the minister, probably".into(),
            created: T0,
            updated: T0,
            extra: None,
        }],
        status: Default::default(),
    };
    let back = import(&export(&bundle), "d.brat.zip").unwrap().bundle;
    assert_eq!(
        back.annotations[0].body,
        Body::Claim {
            claimant: Some(Party::Name("the minister, probably".into())),
            checkworthiness: None,
        }
    );
    assert_eq!(back.annotations[0].note, "");
}

/// An annotation with ids replaced by the spans they name, to compare bundles whose ids differ.
fn by_spans(b: &Bundle) -> Vec<String> {
    let span_of = |id: &str| {
        b.annotations
            .iter()
            .find(|a| a.id == id)
            .map(|a| (a.span, a.kind()))
    };
    let mut out: Vec<String> = b
        .annotations
        .iter()
        .map(|a| {
            let e = a.extra();
            let rel: Vec<_> = e
                .relations
                .iter()
                .map(|r| {
                    (
                        &r.kind,
                        span_of(&r.target),
                        &r.roles,
                        &r.attributes,
                        &r.note,
                    )
                })
                .collect();
            let ev = e.event.as_ref().map(|ev| {
                let args: Vec<_> = ev.args.iter().map(|(r, t)| (r, span_of(t))).collect();
                (&ev.kind, args, &ev.attributes, &ev.note)
            });
            let party = a.body.party().map(|p| match p {
                Party::Ref(r) => format!("ref {:?}", span_of(r)),
                Party::Name(n) => format!("name {n}"),
            });
            format!(
                "{:?} {:?} {:?} {party:?} {:?} {:?} {:?} {:?} {rel:?} {ev:?} {:?}",
                a.span,
                a.kind(),
                a.body.label(),
                a.fragments(),
                e.attributes,
                e.norms,
                e.notes,
                a.note
            )
        })
        .collect();
    sort::sort_by(&mut out, |a, b| a.cmp(b));
    out
}

#[test]
fn every_part_of_the_open_schema_round_trips_through_brat() {
    let bundle = crate::formats::testing::open_schema_bundle();
    let ann = export_ann(&bundle);
    let back = import_ann(bundle.document.text(), &ann).unwrap();
    assert_eq!(back.problems, vec![], "{ann}");
    restore(&back.bundle);
    assert_eq!(by_spans(&back.bundle), by_spans(&bundle), "{ann}");
    // The scheme declares what the .ann uses.
    let conf = export_conf_with(&bundle.labels, &Declared::of([&bundle]));
    for line in [
        "Family\tArg1:<ENTITY>, Arg2:<ENTITY>",
        "Origin\tLocated:<ENTITY>, Place:<ENTITY>",
        "About\tArg1:<ENTITY>, Arg2:<ENTITY>",
        "Transfer-money\tGiver-Arg*:<ENTITY>, Money-Arg*:<ENTITY>, Recipient-Arg*:<ENTITY>",
        "Negation\tArg:<RELATION>",
        "Mention\tArg:<ENTITY>, Value:Name",
        "Confidence\tArg:<EVENT>, Value:High",
    ] {
        assert!(conf.contains(&format!("\n{line}\n")), "{line} in\n{conf}");
    }
}
