//! Corpus files: every line a document, read as the same line on its own would be; bad lines
//! refused one by one; documents named uniquely.

use super::*;
use crate::formats::Format;

fn jsonl(lines: &[&str]) -> Vec<u8> {
    let mut s = lines.join("\n");
    s.push('\n');
    s.into_bytes()
}

#[test]
fn each_line_is_read_as_the_same_line_on_its_own() {
    let lines = [
        r#"{"text": "EU rejects German call", "label": [[0, 2, "ORG"], [11, 17, "MISC"]]}"#,
        r#"{"text": "Peter Blackburn", "label": [[0, 15, "PERSON"]]}"#,
    ];
    let corpus = import(Format::Doccano, &jsonl(&lines), "news.jsonl").unwrap();
    assert_eq!(corpus.documents.len(), 2);
    assert!(corpus.refused.is_empty());
    for (doc, line) in corpus.documents.iter().zip(lines) {
        let alone = Format::Doccano
            .import(line.as_bytes(), "news.jsonl")
            .unwrap();
        assert_eq!(doc.bundle.annotations, alone.bundle.annotations);
        assert_eq!(doc.bundle.document.text(), alone.bundle.document.text());
    }
    assert_eq!(corpus.annotations(), 3);
    assert_eq!(corpus.summary(), "2 documents, 3 annotations.");
}

#[test]
fn documents_are_named_by_their_line_unless_the_line_names_them() {
    let lines = [
        r#"{"text": "First text here", "label": [], "meta": {"id": "a1"}}"#,
        r#"{"text": "Second text", "label": []}"#,
        r#"{"text": "Third text", "label": [], "meta": {"id": "a1"}}"#,
    ];
    let corpus = import(Format::Doccano, &jsonl(&lines), "set.jsonl").unwrap();
    let ids: Vec<&str> = corpus
        .documents
        .iter()
        .map(|d| d.bundle.document.id.as_str())
        .collect();
    // The third line's id is the first's: its line number is added to it.
    assert_eq!(ids, ["a1", "set-2", "a1-3"]);
    let titles: Vec<&str> = corpus
        .documents
        .iter()
        .map(|d| d.bundle.document.title.as_str())
        .collect();
    assert_eq!(titles, ["a1", "Second text", "Third text"]);
}

#[test]
fn a_long_first_line_is_cut_at_a_word_for_its_title() {
    let text = "word ".repeat(30);
    let line = format!(r#"{{"text": "{}", "label": []}}"#, text.trim());
    let corpus = import(Format::Doccano, &jsonl(&[&line, &line]), "x.jsonl").unwrap();
    let title = &corpus.documents[0].bundle.document.title;
    assert!(title.ends_with("word…"), "{title}");
    assert!(title.chars().count() <= TITLE_CHARS + 1, "{title}");
}

#[test]
fn a_bad_line_is_refused_alone_with_its_number() {
    let lines = [
        r#"{"text": "exampleA", "label": [[0, 1, "LOC"]]}"#,
        r#"{"text": "exampleB", "label": []}"#,
        r#"{"label": [[0, 1, "PER"]]}"#,
        r#"{"text": "broken"#,
    ];
    let corpus = import(Format::Doccano, &jsonl(&lines), "t.jsonl").unwrap();
    assert_eq!(corpus.documents.len(), 2);
    let places: Vec<&str> = corpus.refused.iter().map(|r| r.place.as_str()).collect();
    assert_eq!(places, ["line 3", "line 4"]);
    assert!(
        corpus.refused[0].message.contains("no \"text\""),
        "{:?}",
        corpus.refused
    );
    assert!(corpus.refused[1].message.starts_with("it is not JSON"));
    let summary = corpus.summary();
    assert!(
        summary.starts_with("2 documents, 1 annotation; 2 lines refused: line 3 — "),
        "{summary}"
    );
    assert!(summary.contains("\nline 4 — it is not JSON"), "{summary}");
}

#[test]
fn a_file_where_no_line_gives_a_document_is_refused_whole() {
    let lines = [r#"{"label": []}"#, r#"{"label": []}"#];
    let err = import(Format::Doccano, &jsonl(&lines), "t.jsonl").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("No line of the file gives a document (2 lines refused); line 1: "),
        "{err}"
    );
}

#[test]
fn one_line_or_one_object_over_several_lines_reads_as_before() {
    let one = r#"{"text": "Only one", "label": [[0, 4, "ORG"]]}"#;
    let corpus = import(Format::Doccano, one.as_bytes(), "one.jsonl").unwrap();
    let alone = Format::Doccano.import(one.as_bytes(), "one.jsonl").unwrap();
    assert_eq!(corpus, Corpus::single(alone));
    let spread = "{\"text\": \"Only one\",\n \"label\": [[0, 4, \"ORG\"]]}\n";
    let corpus = import(Format::Doccano, spread.as_bytes(), "one.jsonl").unwrap();
    assert_eq!(corpus.documents.len(), 1);
    assert_eq!(corpus.documents[0].bundle.document.id, "one");
    // A one-document error stays the same error.
    let bad = r#"{"label": []}"#;
    assert_eq!(
        import(Format::Doccano, bad.as_bytes(), "one.jsonl").unwrap_err(),
        Format::Doccano
            .import(bad.as_bytes(), "one.jsonl")
            .unwrap_err()
    );
}

#[test]
fn prodigy_tasks_answered_reject_or_ignore_are_kept_with_their_status() {
    use crate::model::Status;
    let lines = [
        r#"{"text": "Apple buys", "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": "accept"}"#,
        r#"{"text": "Skip me", "answer": "ignore"}"#,
        r#"{"text": "Intel sells", "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": "reject"}"#,
    ];
    let corpus = import(Format::Spacy, &jsonl(&lines), "news.jsonl").unwrap();
    assert!(corpus.refused.is_empty(), "{:?}", corpus.refused);
    let got: Vec<(&str, Status, usize)> = corpus
        .documents
        .iter()
        .map(|d| {
            let b = &d.bundle;
            (b.document.id.as_str(), b.status, b.annotations.len())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("news-1", Status::Done, 1),
            ("news-2", Status::Ignored, 0),
            ("news-3", Status::Rejected, 1)
        ]
    );
    // The summary says how far the file said each document was.
    assert_eq!(
        corpus.summary(),
        "3 documents (1 done, 1 rejected, 1 ignored), 2 annotations."
    );
}

#[test]
fn the_older_doccano_export_names_labels_by_their_number_with_a_note() {
    let lines = [
        r#"{"id": 1, "text": "EU rejects ...", "annotations": [{"id": 1, "label": 2, "start_offset": 0, "end_offset": 2, "user": 1}]}"#,
        r#"{"id": 2, "text": "Peter Blackburn", "annotations": [{"id": 2, "label": 1, "start_offset": 0, "end_offset": 15, "user": 1}]}"#,
    ];
    let corpus = import(Format::Doccano, &jsonl(&lines), "old.jsonl").unwrap();
    assert_eq!(corpus.annotations(), 2);
    let first = &corpus.documents[0];
    assert!(
        first.bundle.labels.entity.iter().any(|l| l == "2"),
        "{:?}",
        first.bundle.labels
    );
    assert_eq!(first.notes.len(), 1);
    assert!(first.notes[0].contains("numeric ids"), "{:?}", first.notes);
    // Said once for the file, not once per document.
    let summary = corpus.summary();
    assert_eq!(summary.matches("numeric ids").count(), 1, "{summary}");
    assert!(summary.starts_with("2 documents, 2 annotations.\nThe file names its labels only"));
}

#[test]
fn counts_are_grouped_by_thousands() {
    assert_eq!(count(4031, "annotation"), "4,031 annotations");
    assert_eq!(count(1, "document"), "1 document");
    assert_eq!(count(1_234_567, "line"), "1,234,567 lines");
    assert_eq!(count(0, "line"), "0 lines");
}

fn task(text: &str, id: Option<&str>) -> serde_json::Value {
    let mut data = serde_json::json!({ "text": text });
    if let Some(id) = id {
        data["document_id"] = id.into();
    }
    serde_json::json!({
        "data": data,
        "annotations": [{ "result": [{
            "id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
            "value": { "start": 0, "end": 5, "text": &text[..5], "labels": ["ORG"] }
        }]}]
    })
}

#[test]
fn a_label_studio_list_of_tasks_gives_a_document_a_task() {
    let tasks = serde_json::json!([
        task("Apple buys a start-up", None),
        task("Intel sells", Some("intel")),
        { "data": "not an object" },
    ]);
    let bytes = serde_json::to_vec(&tasks).unwrap();
    let corpus = import(Format::LabelStudio, &bytes, "project.json").unwrap();
    let ids: Vec<&str> = corpus
        .documents
        .iter()
        .map(|d| d.bundle.document.id.as_str())
        .collect();
    assert_eq!(ids, ["project-1", "intel"]);
    assert_eq!(corpus.annotations(), 2);
    assert_eq!(corpus.refused.len(), 1);
    assert_eq!(corpus.refused[0].place, "task 3");
    assert!(
        corpus
            .summary()
            .starts_with("2 documents, 2 annotations; 1 task refused: task 3 — "),
        "{}",
        corpus.summary()
    );
    // A list of one task is one document, as before.
    let one = serde_json::to_vec(&serde_json::json!([task("Apple buys", None)])).unwrap();
    let corpus = import(Format::LabelStudio, &one, "one.json").unwrap();
    assert_eq!(corpus.documents.len(), 1);
    assert_eq!(corpus.documents[0].bundle.document.id, "one");
}

#[test]
fn a_brat_zip_of_many_pairs_gives_a_document_a_pair_and_names_the_rest() {
    let zip = crate::formats::zip::write(&[
        ("docs/a.txt", b"Apple buys Intel.".as_slice()),
        ("docs/a.ann", b"T1\tORG 0 5\tApple\n"),
        ("docs/b.txt", b"Paris is big."),
        ("docs/b.ann", b"T1\tGPE 0 5\tParis\n"),
        ("docs/c.txt", b"Broken."),
        ("docs/c.ann", b"T1\tORG 0 99\tBroken\n"),
        ("docs/lonely.txt", b"No partner."),
        ("annotation.conf", b"[entities]\nORG\nGPE\n"),
    ]);
    let corpus = import(Format::Brat, &zip, "corpus.zip").unwrap();
    let ids: Vec<&str> = corpus
        .documents
        .iter()
        .map(|d| d.bundle.document.id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(corpus.annotations(), 2);
    let places: Vec<&str> = corpus.refused.iter().map(|r| r.place.as_str()).collect();
    assert_eq!(places, ["pair c", "file docs/lonely.txt"]);
    assert!(corpus.refused[1].message.contains("no partner"));
    // One pair is one document, read as before.
    let one = crate::formats::zip::write(&[
        ("a.txt", b"Apple buys Intel.".as_slice()),
        ("a.ann", b"T1\tORG 0 5\tApple\n"),
    ]);
    let corpus = import(Format::Brat, &one, "a.brat.zip").unwrap();
    assert_eq!(
        corpus,
        Corpus::single(Format::Brat.import(&one, "a.brat.zip").unwrap())
    );
}

#[test]
fn files_picked_together_pair_brat_and_open_plain_texts() {
    let files: Vec<(String, Vec<u8>)> = [
        ("a.txt", "Apple buys Intel."),
        ("a.ann", "T1\tORG 0 5\tApple\n"),
        ("notes.txt", "Plain text\n\nto annotate."),
        ("orphan.ann", "T1\tORG 0 5\tApple\n"),
        (
            "two.jsonl",
            "{\"text\": \"Paris\", \"label\": [[0, 5, \"GPE\"]]}\n{\"label\": []}\n",
        ),
        ("mystery.bin", "\u{1}\u{2}"),
    ]
    .iter()
    .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
    .collect();
    let corpus = import_files(&files).unwrap();
    let docs: Vec<(&str, &str, usize)> = corpus
        .documents
        .iter()
        .map(|d| {
            let doc = &d.bundle.document;
            (
                doc.id.as_str(),
                doc.title.as_str(),
                d.bundle.annotations.len(),
            )
        })
        .collect();
    assert_eq!(
        docs,
        [
            ("a", "a", 1),
            ("notes", "Plain text", 0),
            ("two-1", "Paris", 1)
        ]
    );
    let places: Vec<&str> = corpus.refused.iter().map(|r| r.place.as_str()).collect();
    assert_eq!(
        places,
        [
            "file orphan.ann",
            "file two.jsonl, line 2",
            "file mystery.bin"
        ]
    );
    assert!(corpus.refused[0].message.contains("no partner"));
}

#[test]
fn files_picked_together_are_refused_whole_only_when_none_gives_a_document() {
    let files = vec![("x.ann".to_string(), b"T1\tORG 0 1\tA\n".to_vec())];
    let err = import_files(&files).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("None of the files gives a document (1 file refused); file x.ann: "),
        "{err}"
    );
}

#[test]
fn a_file_of_more_documents_than_a_project_holds_is_refused_before_reading() {
    let line = r#"{"text": "t", "label": []}"#;
    let many = vec![line; MAX_DOCUMENTS + 1].join("\n");
    let err = import(Format::Doccano, many.as_bytes(), "big.jsonl").unwrap_err();
    assert_eq!(
        err.to_string(),
        "This file holds 10,001 lines, a document each; Marginalia reads at most 10,000 \
         documents from one file. Split it into files of at most 10,000 lines (for example \
         with `split -l 10000`)."
    );
    // Exactly as many is read.
    let most = vec![line; MAX_DOCUMENTS].join("\n");
    let corpus = import(Format::Doccano, most.as_bytes(), "big.jsonl").unwrap();
    assert_eq!(corpus.documents.len(), MAX_DOCUMENTS);
}

#[test]
fn a_summary_lists_at_most_a_thousand_lines_and_counts_the_rest() {
    let mut lines = vec![r#"{"text": "kept", "label": []}"#.to_string()];
    lines.extend((0..1_500).map(|_| r#"{"label": []}"#.to_string()));
    let corpus = import(Format::Doccano, lines.join("\n").as_bytes(), "x.jsonl").unwrap();
    assert_eq!(corpus.refused.len(), 1_500);
    let summary = corpus.summary();
    // The first line names the first refusal; 1,000 more are listed; 499 are counted.
    assert_eq!(summary.lines().count(), 1 + SUMMARY_LINES + 1);
    assert!(
        summary.ends_with("\n…and 499 more lines."),
        "{}",
        &summary[summary.len() - 80..]
    );
}
