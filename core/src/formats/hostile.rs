//! Hostile files: for each importer, files of a chosen size built to hit the worst case of one
//! path whose work a file controls (a label list scanned per span, a link resolved by scanning
//! every annotation, the text scanned per quote, fragments compared pairwise, a zip that
//! unpacks to far more than it weighs…). The benches import them (`benches/core.rs`), the tests
//! import them at a moderate size (each must be read or refused with a message, never a panic),
//! and `marginalia synth-hostile` writes them for the browser benchmark.
//!
//! Deterministic and pure: the same case and size give the same bytes. Sizes are approximate
//! (from 70 % to 115 % of what is asked, except the zip bomb, which is small by design and
//! unpacks to about 45 MB). Texts are ASCII, so no JSON escaping is needed.
//!
//! Why one file of ~700 lines: it is a catalogue, one small generator per hostile case, each next
//! to the sentence that says what it attacks; splitting it would scatter the list the benches and
//! tests walk.

use super::{sha256_hex, zip, Format};
use crate::model::{Annotation, Body, Document, Labels, Party, Span, Timestamp};

/// One hostile file: the format it is in, a short name, and the path it aims at.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub format: Format,
    pub name: &'static str,
    /// What it makes the importer do (for the bench's and the tool's output).
    pub aims: &'static str,
    make: fn(usize) -> Vec<u8>,
}

impl Case {
    /// `format/name`, as the tool and the benches name it.
    pub fn key(&self) -> String {
        format!("{}/{}", self.format.key(), self.name)
    }

    /// The file name it is written under: `hostile-<name>` with the format's extension.
    pub fn file_name(&self) -> String {
        self.format.file_name(&format!("hostile-{}", self.name))
    }

    /// The file, about `bytes` long.
    pub fn bytes(&self, bytes: usize) -> Vec<u8> {
        (self.make)(bytes)
    }
}

/// Every case, by format.
pub const CASES: &[Case] = &[
    Case {
        format: Format::Native,
        name: "labels",
        aims: "hundreds of thousands of entity labels: the set's check and each label's lookup",
        make: native_labels,
    },
    Case {
        format: Format::Native,
        name: "broken-links",
        aims: "every other annotation a quote whose speaker is missing: dropping each one",
        make: native_broken_links,
    },
    Case {
        format: Format::Native,
        name: "linked",
        aims: "every quote linked to an entity (a valid file): links checked when merged",
        make: native_linked,
    },
    Case {
        format: Format::Native,
        name: "blank-spans",
        aims: "spans over megabytes of spaces: each span's text trimmed",
        make: native_blank_spans,
    },
    Case {
        format: Format::Native,
        name: "nested",
        aims: "JSON nested millions of levels deep",
        make: nested,
    },
    Case {
        format: Format::Spacy,
        name: "extras",
        aims: "one _marginalia entry per span, in reverse order: each span's extras looked up",
        make: spacy_extras,
    },
    Case {
        format: Format::Spacy,
        name: "relations",
        aims: "a relation per quote to the last spans: each relation's spans looked up",
        make: spacy_relations,
    },
    Case {
        format: Format::Spacy,
        name: "labels",
        aims: "a new label on every span: the growing label set searched per span",
        make: spacy_labels,
    },
    Case {
        format: Format::Spacy,
        name: "no-spaces",
        aims:
            "megabytes without a space, full of @, with spans inside: spaCy's tokenizer on export",
        make: spacy_no_spaces,
    },
    Case {
        format: Format::Doccano,
        name: "extras",
        aims: "one _marginalia entry per span, in reverse order, UTF-16 offsets",
        make: doccano_extras,
    },
    Case {
        format: Format::DoccanoRel,
        name: "relations",
        aims: "entities with ids and a relation per quote: ids looked up per entity and relation",
        make: doccano_relations,
    },
    Case {
        format: Format::LabelStudio,
        name: "labels",
        aims: "a new label on every region: the growing label set searched per region",
        make: label_studio_labels,
    },
    Case {
        format: Format::LabelStudio,
        name: "blank-spans",
        aims: "regions over megabytes of spaces: each region's text trimmed",
        make: label_studio_blank_spans,
    },
    Case {
        format: Format::Brat,
        name: "fragments",
        aims: "one .ann line of hundreds of thousands of fragments: fragments compared pairwise",
        make: brat_fragments,
    },
    Case {
        format: Format::Brat,
        name: "gaps",
        aims: "fragments separated by megabytes of spaces: each gap scanned",
        make: brat_gaps,
    },
    Case {
        format: Format::Brat,
        name: "labels",
        aims: "a new type on every line: the growing label set searched per line",
        make: brat_labels,
    },
    Case {
        format: Format::Brat,
        name: "shared",
        aims: "quotes sharing one trigger, source and notes: a note and a name copied onto each",
        make: brat_shared,
    },
    Case {
        format: Format::Brat,
        name: "zip-bomb",
        aims: "a small zip of 1,000 entries whose text unpacks to 45 MB",
        make: brat_zip_bomb,
    },
    Case {
        format: Format::W3c,
        name: "quotes",
        aims: "quote-only annotations over a long text: the text searched per quote",
        make: w3c_quotes,
    },
    Case {
        format: Format::W3c,
        name: "overlap",
        aims: "a quote found at every character, with megabytes of prefix and suffix to compare",
        make: w3c_overlap,
    },
    Case {
        format: Format::Conll,
        name: "labels",
        aims: "a new entity type on every token: the label set grown per entity",
        make: conll_labels,
    },
    Case {
        format: Format::Conll,
        name: "bad-tags",
        aims: "a tag that is no tag on every line: a problem each, built per line",
        make: conll_bad_tags,
    },
    Case {
        format: Format::Conll,
        name: "documents",
        aims: "a -DOCSTART- document of one token every two lines: a document each",
        make: conll_documents,
    },
];

/// The case `format/name`.
pub fn case(key: &str) -> Option<&'static Case> {
    CASES.iter().find(|c| c.key() == key)
}

/// A distinct word for each `i`: `w` and `i` in base 26 in capitals (`wA`, `wB`, … `wBA`), so
/// that `w` starts every word and nothing else.
fn word(mut i: usize) -> String {
    let mut w = Vec::new();
    loop {
        w.push(b'A' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    w.push(b'w');
    w.reverse();
    String::from_utf8(w).unwrap_or_default()
}

/// A text of `n` one-letter words: word `k` is at code point `2k`.
fn letters(n: usize) -> String {
    "x ".repeat(n)
}

// ---- native ----

fn native_file(text: &str, entity_labels: &[String], annotations: &[String]) -> Vec<u8> {
    let labels: Vec<String> = entity_labels.iter().map(|l| format!("\"{l}\"")).collect();
    format!(
        "{{\"format\":\"marginalia\",\"version\":1,\"offsets\":\"codepoint\",\
         \"document\":{{\"id\":\"hostile\",\"title\":\"Hostile\",\"text\":\"{text}\",\"sha256\":\"{}\"}},\
         \"labels\":{{\"entity\":[{}],\"checkworthiness\":[\"CFS\"]}},\"annotator\":\"\",\
         \"annotations\":[{}]}}\n",
        sha256_hex(text),
        labels.join(","),
        annotations.join(",\n")
    )
    .into_bytes()
}

fn entity_json(id: &str, label: &str, start: usize, end: usize, text: &str) -> String {
    format!(
        "{{\"id\":\"{id}\",\"kind\":\"entity\",\"label\":\"{label}\",\"start\":{start},\"end\":{end},\"text\":\"{text}\"}}"
    )
}

fn quote_json(id: &str, start: usize, end: usize, text: &str, speaker: &str) -> String {
    format!(
        "{{\"id\":\"{id}\",\"kind\":\"quote\",\"start\":{start},\"end\":{end},\"text\":\"{text}\",\"speaker\":{{\"ref\":\"{speaker}\"}}}}"
    )
}

fn many_labels(n: usize) -> Vec<String> {
    (0..n.max(1)).map(|i| format!("L{i:07}")).collect()
}

fn native_labels(bytes: usize) -> Vec<u8> {
    let labels = many_labels(bytes / 2 / 11);
    let n = bytes / 2 / 90;
    let annotations: Vec<String> = (0..n)
        .map(|i| {
            let label = &labels[labels.len() - 1 - i % labels.len().min(16)];
            entity_json(&format!("e{}", i + 1), label, 2 * i, 2 * i + 1, "x")
        })
        .collect();
    native_file(&letters(n), &labels, &annotations)
}

fn native_broken_links(bytes: usize) -> Vec<u8> {
    let pairs = bytes / 190;
    let mut annotations = Vec::with_capacity(2 * pairs);
    for k in 0..pairs {
        let (q, e) = (4 * k, 4 * k + 2);
        annotations.push(quote_json(&format!("q{k}"), q, q + 1, "x", "nobody"));
        annotations.push(entity_json(&format!("e{k}"), "ORG", e, e + 1, "x"));
    }
    native_file(&letters(2 * pairs), &many_labels(0), &annotations)
}

fn native_linked(bytes: usize) -> Vec<u8> {
    let pairs = bytes / 190;
    let mut annotations = Vec::with_capacity(2 * pairs);
    for k in 0..pairs {
        let (e, q) = (4 * k, 4 * k + 2);
        annotations.push(entity_json(&format!("e{k}"), "ORG", e, e + 1, "x"));
        annotations.push(quote_json(
            &format!("q{k}"),
            q,
            q + 1,
            "x",
            &format!("e{k}"),
        ));
    }
    native_file(&letters(2 * pairs), &["ORG".into()], &annotations)
}

/// Half the file a run of spaces ending in `x`; spans from ever later starts to the end of the
/// run (only spaces) or past it (with a wrong text, so that the message quotes the text).
fn native_blank_spans(bytes: usize) -> Vec<u8> {
    let run = bytes / 2;
    let text = format!("{}x", " ".repeat(run));
    let n = bytes / 2 / 110;
    let annotations: Vec<String> = (0..n)
        .map(|i| {
            let end = if i % 2 == 0 { run } else { run + 1 };
            format!(
                "{{\"id\":\"q{i}\",\"kind\":\"quote\",\"start\":{i},\"end\":{end},\"text\":\"y\",\"speaker\":null}}"
            )
        })
        .collect();
    native_file(&text, &many_labels(0), &annotations)
}

fn nested(bytes: usize) -> Vec<u8> {
    let depth = bytes / 2;
    let mut out = vec![b'['; depth];
    out.extend(std::iter::repeat_n(b']', depth));
    out
}

/// Stored records of a document, as storage keeps them (one native annotation object each),
/// in reverse text order, with a label set of hundreds of thousands: what `State::restore`
/// and `native::read_annotation_json` are given when a page loads a hostile workspace.
pub struct Stored {
    pub document: Document,
    pub labels: Labels,
    pub records: Vec<String>,
}

/// About `bytes` of stored records (half of them labels).
pub fn stored(bytes: usize) -> Stored {
    let labels = Labels {
        entity: many_labels(bytes / 2 / 11),
        checkworthiness: vec!["CFS".into()],
    };
    let n = bytes / 2 / 200;
    let document = Document::new("hostile", "Hostile", letters(2 * n));
    let mut records = Vec::with_capacity(2 * n);
    for k in (0..n).rev() {
        let (e, q) = (4 * k, 4 * k + 2);
        let label = labels.entity[labels.entity.len() - 1 - k % 16].clone();
        let quote = Annotation {
            id: format!("q{}", 2 * k + 2),
            span: Span::new(q, q + 1),
            body: Body::Quote {
                speaker: Some(Party::Ref(format!("e{}", 2 * k + 1))),
                cue: None,
                direct: false,
            },
            note: String::new(),
            created: Timestamp(0),
            updated: Timestamp(0),
            extra: None,
        };
        let entity = Annotation {
            id: format!("e{}", 2 * k + 1),
            span: Span::new(e, e + 1),
            body: Body::Entity { label },
            note: String::new(),
            created: Timestamp(0),
            updated: Timestamp(0),
            extra: None,
        };
        records.push(super::native::annotation_json(&document, &quote));
        records.push(super::native::annotation_json(&document, &entity));
    }
    Stored {
        document,
        labels,
        records,
    }
}

// ---- spaCy / Prodigy ----

fn jsonl_line(text: &str, fields: &[(&str, String)]) -> Vec<u8> {
    let rest: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
    format!(
        "{{\"text\":\"{text}\",\"meta\":{{\"id\":\"hostile\",\"title\":\"Hostile\"}},{}}}\n",
        rest.join(",")
    )
    .into_bytes()
}

/// `_marginalia` entries for entity spans `(start, end)` labelled ORG, last span first.
fn reversed_extras(spans: &[(usize, usize)]) -> String {
    let entries: Vec<String> = spans
        .iter()
        .enumerate()
        .rev()
        .map(|(i, (s, e))| {
            format!(
                "{{\"start\":{s},\"end\":{e},\"label\":\"ORG\",\"id\":\"e{}\",\"kind\":\"entity\",\"note\":\"n\"}}",
                i + 1
            )
        })
        .collect();
    format!(
        "{{\"version\":1,\"annotator\":\"\",\"annotations\":[{}]}}",
        entries.join(",")
    )
}

/// One-letter entity spans under `key`, each written by `span`, and their extras reversed.
fn extras_line(n: usize, key: &str, span: fn(usize, usize) -> String) -> Vec<u8> {
    let spans: Vec<(usize, usize)> = (0..n).map(|i| (2 * i, 2 * i + 1)).collect();
    let list: Vec<String> = spans.iter().map(|&(s, e)| span(s, e)).collect();
    jsonl_line(
        &letters(n),
        &[
            (key, format!("[{}]", list.join(","))),
            ("_marginalia", reversed_extras(&spans)),
        ],
    )
}

fn spacy_extras(bytes: usize) -> Vec<u8> {
    extras_line(bytes / 150, "spans", |s, e| {
        format!("{{\"start\":{s},\"end\":{e},\"label\":\"ORG\"}}")
    })
}

fn spacy_relations(bytes: usize) -> Vec<u8> {
    let n = bytes / 260;
    let span = |s: usize, label: &str| {
        format!("{{\"start\":{s},\"end\":{},\"label\":\"{label}\"}}", s + 1)
    };
    // Entities first, then the quotes: a relation's head is found only after every entity.
    let mut spans: Vec<String> = (0..n).map(|k| span(4 * k, "ORG")).collect();
    spans.extend((0..n).map(|k| span(4 * k + 2, "QUOTE")));
    let relations: Vec<String> = (0..n)
        .rev()
        .map(|k| {
            format!(
                "{{\"head\":0,\"child\":0,\"head_span\":{},\"child_span\":{},\"label\":\"SPEAKER\"}}",
                span(4 * k + 2, "QUOTE"),
                span(4 * k, "ORG")
            )
        })
        .collect();
    jsonl_line(
        &letters(2 * n),
        &[
            ("spans", format!("[{}]", spans.join(","))),
            ("relations", format!("[{}]", relations.join(","))),
        ],
    )
}

fn spacy_labels(bytes: usize) -> Vec<u8> {
    let n = bytes / 60;
    let list: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{{\"start\":{},\"end\":{},\"label\":\"L{i:07}\"}}",
                2 * i,
                2 * i + 1
            )
        })
        .collect();
    jsonl_line(&letters(n), &[("spans", format!("[{}]", list.join(",")))])
}

/// One run without whitespace: `a.b` then `@a` repeated, and one-letter entities inside it.
fn spacy_no_spaces(bytes: usize) -> Vec<u8> {
    let pairs = bytes / 4;
    let text = format!("a.b{}", "@a".repeat(pairs));
    let n = bytes / 2 / 45;
    let step = (2 * pairs / n.max(1)).max(2) & !1;
    let list: Vec<String> = (0..n)
        .map(|i| 4 + i * step)
        .filter(|&s| s < text.len())
        .map(|s| format!("{{\"start\":{s},\"end\":{},\"label\":\"ORG\"}}", s + 1))
        .collect();
    jsonl_line(&text, &[("spans", format!("[{}]", list.join(",")))])
}

// ---- doccano ----

fn doccano_extras(bytes: usize) -> Vec<u8> {
    extras_line(bytes / 140, "label", |s, e| format!("[{s},{e},\"ORG\"]"))
}

fn doccano_relations(bytes: usize) -> Vec<u8> {
    let n = bytes / 200;
    let entity = |id: usize, s: usize, label: &str| {
        format!(
            "{{\"id\":{id},\"start_offset\":{s},\"end_offset\":{},\"label\":\"{label}\"}}",
            s + 1
        )
    };
    let mut entities: Vec<String> = (0..n).map(|k| entity(k, 4 * k, "ORG")).collect();
    entities.extend((0..n).map(|k| entity(n + k, 4 * k + 2, "QUOTE")));
    let relations: Vec<String> = (0..n)
        .rev()
        .map(|k| {
            format!(
                "{{\"id\":{k},\"from_id\":{},\"to_id\":{k},\"type\":\"SPEAKER\"}}",
                n + k
            )
        })
        .collect();
    jsonl_line(
        &letters(2 * n),
        &[
            ("entities", format!("[{}]", entities.join(","))),
            ("relations", format!("[{}]", relations.join(","))),
        ],
    )
}

// ---- Label Studio ----

fn label_studio_file(text: &str, results: &[String]) -> Vec<u8> {
    format!(
        "[{{\"id\":1,\"data\":{{\"text\":\"{text}\",\"document_id\":\"hostile\"}},\
         \"annotations\":[{{\"id\":1,\"result\":[{}]}}]}}]\n",
        results.join(",\n")
    )
    .into_bytes()
}

fn region(i: usize, start: usize, end: usize, label: &str) -> String {
    format!(
        "{{\"id\":\"r{i}\",\"from_name\":\"label\",\"to_name\":\"text\",\"type\":\"labels\",\
         \"value\":{{\"start\":{start},\"end\":{end},\"labels\":[\"{label}\"]}}}}"
    )
}

fn label_studio_labels(bytes: usize) -> Vec<u8> {
    let n = bytes / 140;
    let results: Vec<String> = (0..n)
        .map(|i| region(i, 2 * i, 2 * i + 1, &format!("L{i:07}")))
        .collect();
    label_studio_file(&letters(n), &results)
}

fn label_studio_blank_spans(bytes: usize) -> Vec<u8> {
    let run = bytes / 2;
    let text = format!("{}x", " ".repeat(run));
    let n = bytes / 2 / 140;
    let results: Vec<String> = (0..n).map(|i| region(i, i, run, "QUOTE")).collect();
    label_studio_file(&text, &results)
}

// ---- brat ----

fn brat_zip(text: &str, ann: &str) -> Vec<u8> {
    let [txt, ann_name, conf] = super::brat::entry_names("hostile");
    zip::write(&[
        (&txt, text.as_bytes()),
        (&ann_name, ann.as_bytes()),
        (&conf, b"[entities]\n"),
    ])
}

fn brat_fragments(bytes: usize) -> Vec<u8> {
    let n = bytes / 16;
    let offsets: Vec<String> = (0..n).map(|i| format!("{} {}", 2 * i, 2 * i + 1)).collect();
    let words = vec!["x"; n].join(" ");
    let ann = format!("T1\tContent {}\t{words}\n", offsets.join(";"));
    brat_zip(&letters(n), &ann)
}

fn brat_gaps(bytes: usize) -> Vec<u8> {
    let run = bytes / 2;
    let text = format!("x{}x", " ".repeat(run));
    let n = bytes / 2 / 36;
    let mut ann = String::with_capacity(bytes / 2);
    for i in 0..n {
        ann.push_str(&format!(
            "T{}\tORG 0 1;{} {}\tx x\n",
            i + 1,
            run + 1,
            run + 2
        ));
    }
    brat_zip(&text, &ann)
}

fn brat_labels(bytes: usize) -> Vec<u8> {
    let n = bytes / 26;
    let mut ann = String::with_capacity(bytes);
    for i in 0..n {
        ann.push_str(&format!("T{}\tL{i:07} {} {}\tx\n", i + 1, 2 * i, 2 * i + 1));
    }
    brat_zip(&letters(n), &ann)
}

/// Quotes that share one trigger and one Source span (a long name, not an entity), and notes
/// on the shared trigger: each note and the name are copied onto every quote.
fn brat_shared(bytes: usize) -> Vec<u8> {
    let name = bytes / 4;
    let n = bytes / 2 / 100;
    // The text: a long name of one-letter words, then one word per quote.
    let mut text = letters(name / 2);
    let base = text.chars().count();
    text.push_str(&letters(n + 1));
    let mut ann = String::with_capacity(bytes);
    ann.push_str(&format!("T1\tAttribution {base} {}\tx\n", base + 1));
    ann.push_str(&format!(
        "T2\tSource 0 {}\t{}\n",
        name - 1,
        vec!["x"; name / 2].join(" ")
    ));
    for i in 0..n {
        let at = base + 2 * (i + 1);
        ann.push_str(&format!("T{}\tContent {at} {}\tx\n", i + 3, at + 1));
        ann.push_str(&format!(
            "E{}\tAttribution:T1 Content:T{} Source:T2\n",
            i + 1,
            i + 3
        ));
        ann.push_str(&format!("#{}\tAnnotatorNotes T1\tnote {i}\n", i + 1));
    }
    brat_zip(&text, &ann)
}

/// 998 empty entries, then a `.txt` of 45 MB that DEFLATE packs into some 45 KB, and its `.ann`.
fn brat_zip_bomb(_bytes: usize) -> Vec<u8> {
    let text = letters(22_500_000);
    let [txt, ann, _] = super::brat::entry_names("hostile");
    let names: Vec<String> = (0..998).map(|i| format!("padding/{i}.bin")).collect();
    let mut entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    entries.push((&txt, text.as_bytes()));
    entries.push((&ann, b"T1\tORG 0 1\tx\n"));
    zip::write_deflated_best(&entries)
}

// ---- W3C ----

fn w3c_file(text: &str, items: &[String]) -> Vec<u8> {
    format!(
        "{{\"@context\":\"http://www.w3.org/ns/anno.jsonld\",\"id\":\"urn:marginalia:hostile/annotations\",\
         \"type\":\"AnnotationCollection\",\"total\":{},\
         \"schema:about\":{{\"id\":\"urn:marginalia:hostile\",\"type\":\"Text\",\"schema:text\":\"{text}\"}},\
         \"first\":{{\"type\":\"AnnotationPage\",\"items\":[{}]}}}}\n",
        items.len(),
        items.join(",\n")
    )
    .into_bytes()
}

fn quote_item(i: usize, exact: &str, prefix: &str, suffix: &str) -> String {
    format!(
        "{{\"id\":\"urn:marginalia:hostile:e{}\",\"type\":\"Annotation\",\"motivation\":\"tagging\",\
         \"body\":{{\"type\":\"TextualBody\",\"purpose\":\"tagging\",\"value\":\"ORG\"}},\
         \"target\":{{\"source\":\"urn:marginalia:hostile\",\"selector\":{{\"type\":\"TextQuoteSelector\",\
         \"exact\":\"{exact}\",\"prefix\":\"{prefix}\",\"suffix\":\"{suffix}\"}}}}}}",
        i + 1
    )
}

/// A long text whose first words are distinct, and one quote-only annotation per such word.
fn w3c_quotes(bytes: usize) -> Vec<u8> {
    let n = bytes / 2 / 330;
    let mut text = String::with_capacity(bytes / 2);
    for i in 0..n {
        text.push_str(&word(i));
        text.push_str(". ");
    }
    while text.len() < bytes / 2 {
        text.push_str("z ");
    }
    // `wB.` occurs once: `w` starts only words, and the full stop ends this one.
    let items: Vec<String> = (0..n)
        .map(|i| quote_item(i, &format!("{}.", word(i)), "", " "))
        .collect();
    w3c_file(&text, &items)
}

/// A text of one letter repeated; a quote of two of them with long prefix and suffix of it.
fn w3c_overlap(bytes: usize) -> Vec<u8> {
    let text = "a".repeat(bytes / 2);
    let context = "a".repeat(bytes / 8);
    w3c_file(&text, &[quote_item(0, "aa", &context, &context)])
}

// ---- CoNLL ----

fn conll_labels(bytes: usize) -> Vec<u8> {
    let mut out = String::with_capacity(bytes + 32);
    let mut i = 0;
    while out.len() < bytes {
        let w = word(i);
        out.push_str(&format!("{w} B-{w}\n"));
        i += 1;
    }
    out.into_bytes()
}

fn conll_bad_tags(bytes: usize) -> Vec<u8> {
    "x _ _ PER\n".repeat(bytes / 10).into_bytes()
}

fn conll_documents(bytes: usize) -> Vec<u8> {
    "-DOCSTART- -X- -X- O\nx _ _ B-ORG\n"
        .repeat(bytes / 33)
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_is_about_its_size_and_named_once() {
        let mut keys: Vec<String> = CASES.iter().map(Case::key).collect();
        crate::model::sort::sort_dedup(&mut keys);
        assert_eq!(keys.len(), CASES.len(), "case keys are unique");
        for c in CASES.iter().filter(|c| c.name != "zip-bomb") {
            let n = c.bytes(200_000).len();
            assert!(
                (120_000..=260_000).contains(&n),
                "{}: {n} bytes for 200,000 asked",
                c.key()
            );
            assert!(case(&c.key()).is_some());
            assert_eq!(
                Format::detect(&c.file_name(), &c.bytes(2_000)),
                Some(c.format)
            );
        }
        assert_eq!(word(0), "wA");
        assert_eq!(word(27), "wBB");
    }

    /// A file that brings a new label on every span is refused with the bound, in every format
    /// that has such a case, rather than opened with a label set no page can draw.
    #[test]
    fn files_flooding_the_label_set_are_refused_with_the_bound() {
        let flooding: Vec<&Case> = CASES.iter().filter(|c| c.name == "labels").collect();
        assert!(
            flooding.len() >= 5,
            "native, spaCy, Label Studio, brat and CoNLL flood labels"
        );
        for c in flooding {
            let err = c
                .format
                .import(&c.bytes(400_000), &c.file_name())
                .err()
                .unwrap_or_else(|| panic!("{} was imported", c.key()));
            let said = err.to_string();
            assert!(
                said.contains("Marginalia works with at most 1000"),
                "{}: {said}",
                c.key()
            );
        }
    }
}
