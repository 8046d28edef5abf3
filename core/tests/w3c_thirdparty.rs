//! The W3C Web Annotation files of other tools (`../shared/corpora/thirdparty/w3c/`, counts from
//! its MANIFEST.md), read onto an open document: none of them carries its text, so each test
//! builds a document holding their quotes — once as quoted, once drifted (letters changed,
//! whitespace changed) — and checks where every annotation lands and what is reported.

mod common;

use marginalia_core::formats::native::Imported;
use marginalia_core::formats::w3c;
use marginalia_core::model::annotation::{Relation, Value as AttrValue};
use marginalia_core::model::{Body, Document, Span};

fn read(file: &str) -> Option<Vec<u8>> {
    let dir = common::thirdparty("w3c", file)?;
    Some(std::fs::read(dir.join(file)).expect("the file reads"))
}

/// A text with each piece starting at (or, when the text before runs past, just after) its
/// code point, filler words between.
fn text_with(pieces: &[(usize, &str)]) -> String {
    let filler = "lorem ipsum dolor sit amet ";
    let mut text = String::new();
    for (at, piece) in pieces {
        let mut n = text.chars().count();
        let mut f = filler.chars().cycle();
        while n + 1 < *at {
            text.push(f.next().unwrap_or(' '));
            n += 1;
        }
        text.push(' ');
        text.push_str(piece);
    }
    text.push_str(" lorem ipsum.");
    text
}

fn onto(bytes: &[u8], name: &str, doc: &Document) -> Imported {
    w3c::import_bytes_onto(bytes, name, doc).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn texts(got: &Imported) -> Vec<&str> {
    let doc = &got.bundle.document;
    got.bundle
        .annotations
        .iter()
        .map(|a| doc.slice(a.span))
        .collect()
}

fn find(doc: &Document, needle: &str) -> Span {
    let b = doc.text().find(needle).expect("the needle is in the text");
    let start = doc.byte_to_cp(b).unwrap();
    Span::new(start, start + needle.chars().count())
}

#[test]
fn recogito_brings_three_annotations_and_a_relation() {
    let Some(bytes) = read("recogito-js_annotations.w3c.json") else {
        return;
    };
    let text = text_with(&[
        (124, "Troy."),
        (646, "the death in battle of his men."),
        (963, "home to Ithaca."),
    ]);
    let doc = Document::new("odyssey", "The Odyssey", text);
    let got = onto(&bytes, "recogito.w3c.json", &doc);
    assert_eq!(got.problems, vec![], "nothing left out");
    assert_eq!(got.total, 3, "three annotations of text, one relation");
    assert_eq!(got.bundle.document, doc, "the open document");
    let anns = &got.bundle.annotations;
    assert_eq!(texts(&got), ["Troy", "death in battle", "Ithaca"]);
    // Two tags: the first is the label, the second a flag; the comment is the note.
    assert_eq!(
        anns[0].body,
        Body::Entity {
            label: "A_Tag".into()
        }
    );
    assert_eq!(
        anns[0].extra().attributes,
        vec![("Another_Tag".to_string(), AttrValue::Flag)]
    );
    assert_eq!(anns[0].note, "This is a comment");
    assert_eq!(
        anns[1].body,
        Body::Entity {
            label: w3c::UNTAGGED.into()
        }
    );
    assert_eq!(anns[1].note, "Another comment");
    assert_eq!(anns[2].note, "Comment...");
    // The linking annotation: a relation from the first to the second.
    assert_eq!(
        anns[0].extra().relations,
        vec![Relation {
            kind: "isRelatedTo".into(),
            target: anns[1].id.clone(),
            roles: None,
            attributes: Vec::new(),
            note: String::new(),
        }]
    );
    assert!(anns[1].extra().relations.is_empty() && anns[2].extra().relations.is_empty());
    assert!(
        got.notes.iter().all(|n| !n.contains("approximately")),
        "{:?}",
        got.notes
    );

    // Drifted: "Ithaca" spelt "Ithaka", the spaces of "death in battle" changed.
    let text = text_with(&[
        (124, "Troy."),
        (646, "the death  in\n battle of his men."),
        (963, "home to Ithaka."),
    ]);
    let doc = Document::new("odyssey", "The Odyssey", text);
    let got = onto(&bytes, "recogito.w3c.json", &doc);
    assert_eq!(got.problems, vec![]);
    assert_eq!(texts(&got), ["Troy", "death  in\n battle", "Ithaka"]);
    let ithaka = find(&doc, "Ithaka");
    let said = got.notes.join("\n");
    assert!(
        said.contains(&format!(
            "its quote “Ithaca” is not in the text as written; it was re-anchored approximately (1 character differ) at {ithaka}: “Ithaka”."
        )),
        "{said}"
    );
    assert!(
        said.contains("its quote “death in battle” differs from the text in whitespace only"),
        "{said}"
    );

    // The relation's ends must come in: without "Troy" the relation is reported too.
    let text = text_with(&[(646, "the death in battle."), (963, "Ithaca.")]);
    let doc = Document::new("odyssey", "The Odyssey", text);
    let got = onto(&bytes, "recogito.w3c.json", &doc);
    assert_eq!(texts(&got), ["death in battle", "Ithaca"]);
    let lines: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0].starts_with("annotation 1 (#ce0ed291-766b-4763-8e91-90ce1d04e706): its quote “Troy” is not in the document's text"),
        "{lines:#?}"
    );
    assert_eq!(
        lines[1],
        "annotation 4 (#9ba844a7-e8ec-4127-ad12-1f7f16a240c6): its relation “isRelatedTo” links “#ce0ed291-766b-4763-8e91-90ce1d04e706”, which is not an annotation of a span imported from this file; it was left out"
    );
}

/// The Odyssey's opening as the text-annotator file quotes it, `gap` the whitespace inside the
/// long quote that the annotator collapsed to one space.
fn odyssey(gap: &str, drift: bool) -> String {
    let shipwreck = if drift {
        "death in batle or by shipwrek"
    } else {
        "death in battle or by shipwreck"
    };
    let p1 = format!(
        "So now all who escaped {shipwreck} had got safely home except Ulysses, and he, though he was longing to return to his wife and country, was detained by the goddess Calypso, who had got him into a large cave and wanted to marry him. But as years went by, there came a time when the gods settled that he should go back to Ithaca; even then, however, when he was among his own people, his troubles were not yet over."
    );
    let p2 = format!(
        "Now Neptune had gone off to the Ethiopians, who are at the world's end, and lie in two{gap}halves, the one looking West and the other East. He had gone there to accept a hecatomb of sheep and oxen."
    );
    text_with(&[(718, &p1), (1400, &format!("\n        {p2}"))])
}

#[test]
fn text_annotator_brings_five_overlapping_annotations() {
    let Some(bytes) = read("text-annotator-js_annotations.w3c.json") else {
        return;
    };
    for (gap, drift) in [(" ", false), ("\n        ", false), ("\n        ", true)] {
        let doc = Document::new("odyssey", "The Odyssey", odyssey(gap, drift));
        let got = onto(&bytes, "text-annotator.w3c.json", &doc);
        assert_eq!(got.problems, vec![], "{gap:?} {drift}");
        assert_eq!(got.total, 5);
        let anns = &got.bundle.annotations;
        assert_eq!(anns.len(), 5);
        let d = &got.bundle.document;
        let neptune = "Now Neptune had gone off to the Ethiopians, who are at the world's end, and lie in two{gap}halves, the one looking West and the other East. He had gone there to accept a".replace("{gap}", gap);
        let shipwreck = if drift {
            "death in batle or by shipwrek"
        } else {
            "death in battle or by shipwreck"
        };
        let want = [
            find(d, shipwreck),
            find(d, "d to marry him. But as years we"),
            find(d, "im. But as years went by, there came a time when"),
            find(d, "t as years went by, the"),
            find(d, &neptune),
        ];
        let got_spans: Vec<Span> = anns.iter().map(|a| a.span).collect();
        assert_eq!(got_spans, want, "{gap:?} {drift}");
        if gap != " " {
            // The collapsed quote: 165 code points for 173 of text.
            assert_eq!(neptune.chars().count(), 173);
        }
        // Three overlapping pairs among the four near "marry him".
        let overlaps = (0..5)
            .flat_map(|i| (i + 1..5).map(move |j| (i, j)))
            .filter(|&(i, j)| want[i].start < want[j].end && want[j].start < want[i].end)
            .count();
        assert_eq!(overlaps, 3);
        assert!(anns.iter().all(|a| a.note.is_empty()), "no bodies");
        let approx = got
            .notes
            .iter()
            .filter(|n| n.contains("approximately"))
            .count();
        assert_eq!(approx, usize::from(drift), "{:#?}", got.notes);
    }
}

#[test]
fn the_spec_collection_brings_four_and_reports_the_rest() {
    let Some(bytes) = read("w3c-spec_collection1.json") else {
        return;
    };
    // One paragraph past 795 code points, holding anno23's and anno29's quotes.
    let text = text_with(&[
        (100, "and this is an anotation that has some words."),
        (300, "Some text before the Selected Text and text after it."),
        (900, "The end."),
    ]);
    let doc = Document::new("page1", "Page 1", text);
    let got = onto(&bytes, "collection1.json", &doc);
    assert_eq!(got.total, 43, "every annotation of the collection");
    assert_eq!(got.bundle.annotations.len(), 4, "{:#?}", got.problems);
    assert_eq!(got.problems.len(), 39);
    let d = &got.bundle.document;
    let mut spans: Vec<Span> = got.bundle.annotations.iter().map(|a| a.span).collect();
    spans.dedup();
    assert_eq!(
        spans,
        [
            Span::new(6, 27),
            find(d, "anotation"),
            find(d, "Selected Text"),
            Span::new(412, 795)
        ]
    );
    // Each problem one line, naming the annotation by its id.
    for p in &got.problems {
        let line = p.to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(
            p.id.as_deref()
                .is_some_and(|id| id.starts_with("http://example.org/anno")),
            "{line}"
        );
    }
    let said = got.notes.join("\n");
    assert!(
        said.contains("its “FragmentSelector” (“para5”) was not resolved: the “TextQuoteSelector” refining it was placed in the whole text"),
        "{said}"
    );
    assert!(
        said.contains("its body 2 is a Choice between bodies, which Marginalia does not read, so it was left out"),
        "{said}"
    );
    // An IRI body is kept as the note.
    let anno23 = got
        .bundle
        .annotations
        .iter()
        .find(|a| a.span == find(d, "anotation"))
        .unwrap();
    assert_eq!(anno23.note, "http://example.org/comment1");
}
