//! Corpus export: one document is its own export in every format; several follow each
//! format's corpus convention; and reading the corpus back gives every document as reading its
//! own export does (also as a property over random documents).

use proptest::prelude::*;
use serde_json::Value;

use super::*;
use crate::formats::spacy::tests::hard_text_bundle;
use crate::formats::testing::{bundle_of, sample_state};
use crate::formats::{corpus, native};
use crate::model::{Annotation, Document, Status};

/// A third document: its own label and status, no annotator.
fn small_bundle() -> Bundle {
    let doc = Document::new("notes-1", "Notes", "Apple buys Intel in Paris.");
    let mut labels = Labels::default();
    labels.entity.push("COMPANY".into());
    let t = crate::formats::testing::T0;
    let entity = |id: &str, s, e, label: &str| Annotation {
        id: id.into(),
        span: crate::model::Span::new(s, e),
        body: crate::model::Body::Entity {
            label: label.into(),
        },
        note: String::new(),
        created: t,
        updated: t,
        extra: None,
    };
    Bundle {
        document: doc,
        labels,
        annotator: String::new(),
        annotations: vec![entity("e1", 0, 5, "COMPANY"), entity("e2", 20, 25, "GPE")],
        status: Status::Done,
    }
}

fn three() -> Vec<Bundle> {
    vec![
        bundle_of(&sample_state()),
        hard_text_bundle(),
        small_bundle(),
    ]
}

#[test]
fn one_document_is_its_own_export_in_every_format() {
    for bundle in three() {
        for &f in Format::ALL {
            assert_eq!(
                export(f, std::slice::from_ref(&bundle)).unwrap(),
                f.export(&bundle),
                "{}",
                f.key()
            );
        }
    }
}

#[test]
fn jsonl_and_conll_corpora_are_the_documents_one_after_another() {
    let bundles = three();
    for f in [
        Format::Spacy,
        Format::Doccano,
        Format::DoccanoRel,
        Format::Conll,
    ] {
        let out = export(f, &bundles).unwrap();
        let each: Vec<u8> = bundles.iter().flat_map(|b| f.export(b)).collect();
        assert_eq!(out, each, "{}", f.key());
    }
    let jsonl = String::from_utf8(export(Format::Spacy, &bundles).unwrap()).unwrap();
    assert_eq!(jsonl.lines().count(), 3);
    assert!(jsonl.ends_with('\n'));
    // CoNLL: each document starts with -DOCSTART- and a blank line, after a blank line.
    let conll = String::from_utf8(export(Format::Conll, &bundles).unwrap()).unwrap();
    let starts: Vec<usize> = conll
        .match_indices("-DOCSTART- -X- -X- O\n\n")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(starts.len(), 3);
    assert_eq!(starts[0], 0);
    for &i in &starts[1..] {
        assert!(
            conll[..i].ends_with("\n\n"),
            "a blank line before -DOCSTART-"
        );
    }
}

#[test]
fn label_studio_corpus_is_one_list_of_numbered_tasks() {
    let bundles = three();
    let out = export(Format::LabelStudio, &bundles).unwrap();
    let tasks: Vec<Value> = serde_json::from_slice(&out).unwrap();
    let got: Vec<(u64, &str)> = tasks
        .iter()
        .map(|t| {
            (
                t["id"].as_u64().unwrap(),
                t["data"]["document_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [(1, "damascus-2024-12-08"), (2, "hard-text"), (3, "notes-1")]
    );
    // Each task is the one-document export's task but for its number.
    for (n, b) in bundles.iter().enumerate() {
        let mut alone: Vec<Value> = serde_json::from_slice(&Format::LabelStudio.export(b)).unwrap();
        alone[0]["id"] = (n as u64 + 1).into();
        if let Some(a) = alone[0]["annotations"].get_mut(0) {
            a["id"] = (n as u64 + 1).into();
        }
        assert_eq!(tasks[n], alone[0]);
    }
}

#[test]
fn brat_corpus_is_one_zip_with_one_scheme_for_every_document() {
    let bundles = three();
    let out = export(Format::Brat, &bundles).unwrap();
    let archive = zip::open(&out, zip::Limits::default()).unwrap();
    let names: Vec<&str> = archive.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "damascus-2024-12-08.txt",
            "damascus-2024-12-08.ann",
            "hard-text.txt",
            "hard-text.ann",
            "notes-1.txt",
            "notes-1.ann",
            "annotation.conf"
        ]
    );
    for (k, b) in bundles.iter().enumerate() {
        let txt = archive.read(&archive.entries[2 * k]).unwrap();
        assert_eq!(txt, b.document.text().as_bytes());
        let ann = archive.read(&archive.entries[2 * k + 1]).unwrap();
        assert_eq!(String::from_utf8(ann).unwrap(), brat::export_ann(b));
    }
    let conf = String::from_utf8(archive.read(&archive.entries[6]).unwrap()).unwrap();
    let entities = conf
        .split("[entities]\n")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap();
    // The default labels, then the third document's own: declared once each.
    assert!(entities.lines().any(|l| l == "COMPANY"), "{conf}");
    assert_eq!(entities.lines().filter(|l| *l == "ORG").count(), 1);
}

#[test]
fn w3c_corpus_is_one_collection_about_every_document() {
    let bundles = three();
    let out = export(Format::W3c, &bundles).unwrap();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["type"], "AnnotationCollection");
    let about = v["schema:about"].as_array().unwrap();
    let ids: Vec<&str> = about
        .iter()
        .map(|d| d["schema:identifier"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["damascus-2024-12-08", "hard-text", "notes-1"]);
    let items = v["first"]["items"].as_array().unwrap();
    assert_eq!(v["total"], items.len());
    // Every document's items, as its own export lists them, one document after another.
    let mut expected = Vec::new();
    for b in &bundles {
        let alone: Value = serde_json::from_slice(&Format::W3c.export(b)).unwrap();
        expected.extend(alone["first"]["items"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(items, &expected);
    let iri = v["id"].as_str().unwrap();
    assert!(iri.starts_with("urn:marginalia-project:"), "{iri}");
    // Not every document has the same annotator: the collection names none.
    assert!(v.get("creator").is_none());
}

#[test]
fn native_corpus_is_the_project_file_of_every_document_file() {
    let bundles = three();
    let out = export(Format::Native, &bundles).unwrap();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["format"], "marginalia-project");
    assert_eq!(v["version"], 1);
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 3);
    for (d, b) in docs.iter().zip(&bundles) {
        let alone: Value = serde_json::from_str(&native::export(b)).unwrap();
        assert_eq!(*d, alone);
    }
    assert_eq!(docs[2]["status"], "done");
    assert!(docs[0].get("status").is_none());
}

#[test]
fn what_cannot_be_one_file_is_refused_with_a_sentence() {
    let mut bundles = three();
    assert_eq!(
        export(Format::Spacy, &[]).unwrap_err(),
        "There is no document to export."
    );
    bundles[2].document = Document::new("hard-text", "Again", "Other text.");
    let err = export(Format::Doccano, &bundles).unwrap_err();
    assert_eq!(
        err,
        "Documents 2 and 3 both have the id “hard-text”: the documents of one file need ids \
         of their own, which name them when it is read."
    );
    // brat names files by the id made safe: two ids may give one file name.
    bundles[2].document = Document::new("hard text", "Again", "Other text.");
    assert!(export(Format::Doccano, &bundles).is_ok());
    let err = export(Format::Brat, &bundles).unwrap_err();
    assert_eq!(
        err,
        "Documents “hard-text” and “hard text” would both be written as hard-text.txt and \
         hard-text.ann: give one of them another id."
    );
    let many: Vec<Bundle> = (0..=corpus::MAX_DOCUMENTS)
        .map(|n| Bundle {
            document: Document::new(format!("d{n}"), "", "t"),
            ..small_bundle()
        })
        .collect();
    let err = export(Format::Native, &many).unwrap_err();
    assert!(
        err.starts_with("10001 documents are more than one file holds"),
        "{err}"
    );
}

#[test]
fn corpus_file_names_are_project_and_the_ending() {
    assert_eq!(Format::Spacy.corpus_file_name(), "project.spacy.jsonl");
    assert_eq!(Format::Brat.corpus_file_name(), "project.brat.zip");
    assert_eq!(Format::Native.corpus_file_name(), "project.marginalia.json");
}

/// The formats whose corpus files Marginalia reads back as the documents written: all that
/// import but CoNLL, which keeps neither the text's spacing nor the documents' ids (its text is
/// rebuilt from the tokens, its documents named by the file); `conll_import_tests` checks its
/// corpora read back a document each, with the same tokens and entities.
fn readable() -> impl Iterator<Item = &'static Format> {
    Format::ALL
        .iter()
        .filter(|f| f.can_import() && **f != Format::Conll)
}

/// Reading the corpus back gives each document as reading its own export does.
fn reads_back_as_each_alone(f: Format, bundles: &[Bundle]) -> Result<(), TestCaseError> {
    let name = f.corpus_file_name();
    let out = export(f, bundles).map_err(TestCaseError::fail)?;
    let read = corpus::import(f, &out, &name).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&read.refused, &vec![], "{}", f.key());
    prop_assert_eq!(read.documents.len(), bundles.len(), "{}", f.key());
    for (got, b) in read.documents.iter().zip(bundles) {
        let alone = f
            .import(&f.export(b), &f.file_name(&b.document.id))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(got, &alone, "{}", f.key());
    }
    Ok(())
}

#[test]
fn every_importable_corpus_reads_back_document_by_document() {
    let bundles = three();
    for &f in readable() {
        reads_back_as_each_alone(f, &bundles).unwrap();
        let read = corpus::import(f, &export(f, &bundles).unwrap(), "project").unwrap();
        // The same documents and spans, whatever else the format loses.
        for (got, b) in read.documents.iter().zip(&bundles) {
            let got = &got.bundle;
            assert_eq!(got.document.text(), b.document.text(), "{}", f.key());
            let id = if f == Format::Brat {
                safe_file_stem(&b.document.id)
            } else {
                b.document.id.clone()
            };
            assert_eq!(got.document.id, id, "{}", f.key());
            let spans = |anns: &[Annotation]| -> Vec<(usize, usize, String)> {
                let mut v: Vec<_> = anns
                    .iter()
                    .map(|a| {
                        let what = a.body.label().unwrap_or(a.kind().as_str()).to_string();
                        (a.span.start, a.span.end, what)
                    })
                    .collect();
                crate::model::sort::sort_by(&mut v, Ord::cmp);
                v
            };
            assert_eq!(
                spans(&got.annotations),
                spans(&b.annotations),
                "{}",
                f.key()
            );
        }
    }
    // Formats that say where a document stands keep it per document.
    for f in [
        Format::Native,
        Format::Spacy,
        Format::Doccano,
        Format::DoccanoRel,
    ] {
        let read = corpus::import(f, &export(f, &bundles).unwrap(), "x").unwrap();
        let statuses: Vec<Status> = read.documents.iter().map(|d| d.bundle.status).collect();
        assert_eq!(
            statuses,
            [Status::New, Status::New, Status::Done],
            "{}",
            f.key()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any two documents the reducer can make, with any statuses, in every importable format.
    #[test]
    fn a_corpus_of_random_documents_reads_back_as_each_alone(
        a in crate::formats::testing::arb_state("p1", crate::formats::testing::PROPERTY_TEXT, 80, 15),
        b in crate::formats::testing::arb_state("p2", crate::formats::testing::PROPERTY_TEXT, 80, 15),
        sa in 0..Status::ALL.len(),
        sb in 0..Status::ALL.len(),
    ) {
        let bundles = [
            Bundle { status: Status::ALL[sa], ..Bundle::from_state(&a, "someone") },
            Bundle { status: Status::ALL[sb], ..Bundle::from_state(&b, "someone") },
        ];
        for &f in readable() {
            reads_back_as_each_alone(f, &bundles)?;
        }
    }
}

#[test]
fn a_brat_corpus_of_many_documents_reads_back_whole() {
    // More pairs than the zip reader's old limit of 1,000 entries allowed.
    let bundles: Vec<Bundle> = (0..600)
        .map(|n| Bundle {
            document: Document::new(format!("n{n}"), "", "Apple buys Intel in Paris."),
            ..small_bundle()
        })
        .collect();
    let out = export(Format::Brat, &bundles).unwrap();
    let read = corpus::import(Format::Brat, &out, "project.brat.zip").unwrap();
    assert_eq!(read.documents.len(), 600);
    assert_eq!(read.annotations(), 1200);
    assert!(read.refused.is_empty());
}

#[test]
fn a_w3c_annotation_of_no_listed_document_is_refused_by_its_number() {
    let bundles = three();
    let mut v: Value = serde_json::from_slice(&export(Format::W3c, &bundles).unwrap()).unwrap();
    let items = v["first"]["items"].as_array_mut().unwrap();
    // The first annotation of the third document, which has no links.
    let k = items
        .iter()
        .position(|i| i["id"] == "urn:marginalia:notes-1:e1")
        .unwrap();
    items[k]["target"]["source"]["id"] = "urn:elsewhere".into();
    let read = corpus::import(Format::W3c, v.to_string().as_bytes(), "x.w3c.jsonld").unwrap();
    assert_eq!(read.documents.len(), 3);
    assert_eq!(read.documents[2].bundle.annotations.len(), 1);
    assert_eq!(read.refused.len(), 1);
    assert_eq!(read.refused[0].place, format!("annotation {}", k + 1));
    assert!(read.refused[0].message.contains("none of the documents"));
    // A document that cannot be read is refused by its number, the others kept.
    v["schema:about"][1]["schema:text"] = "changed".into();
    let read = corpus::import(Format::W3c, v.to_string().as_bytes(), "x.w3c.jsonld").unwrap();
    assert_eq!(read.documents.len(), 2);
    let places: Vec<&str> = read.refused.iter().map(|r| r.place.as_str()).collect();
    assert_eq!(
        places,
        [format!("annotation {}", k + 1).as_str(), "document 2"]
    );
    assert!(
        read.refused[1].message.contains("sha256"),
        "{:?}",
        read.refused
    );
}
