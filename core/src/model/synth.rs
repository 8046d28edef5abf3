//! Synthetic documents and annotations for benchmarks: the article repeated in one of three
//! text shapes ([`Shape`]: blank-line paragraphs, single-newline lines, or one paragraph without
//! a line break), and pseudo-random word-aligned spans over the three kinds from a fixed seed,
//! about 10 % of them nested in or overlapping another; and a corpus of many such documents as
//! one Prodigy JSONL ([`prodigy_corpus`]). Deterministic: the same arguments give the same
//! output.

use std::rc::Rc;

use unicode_segmentation::UnicodeSegmentation;

use super::annotation::{Annotation, Body, Kind};
use super::document::{Document, DEFAULT_TEXT};
use super::labels::Labels;
use super::offsets::Span;
use super::time::Timestamp;

/// How a synthetic text is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// The article's paragraphs, separated by blank lines (as it ships).
    Article,
    /// One sentence a line, lines separated by single newlines, no blank line: the shape of
    /// transcripts, subtitles and one-sentence-per-line corpora. One paragraph.
    Lines,
    /// Everything on one line: one paragraph without a line break.
    Paragraph,
}

impl Shape {
    pub const ALL: [Shape; 3] = [Shape::Article, Shape::Lines, Shape::Paragraph];

    pub fn key(self) -> &'static str {
        match self {
            Shape::Article => "article",
            Shape::Lines => "lines",
            Shape::Paragraph => "paragraph",
        }
    }

    pub fn parse(key: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// The article repeated `times` times, separated by blank lines.
pub fn repeated_article(times: usize) -> Document {
    shaped(Shape::Article, times)
}

/// The article repeated `times` times in the given shape. Its id names shape and times
/// (`damascus-x300`, `damascus-lines-x300`, `damascus-paragraph-x300`).
pub fn shaped(shape: Shape, times: usize) -> Document {
    let times = times.max(1);
    let paragraphs = DEFAULT_TEXT.split("\n\n");
    let (text, id, title) = match shape {
        Shape::Article => (
            vec![DEFAULT_TEXT; times].join("\n\n"),
            format!("damascus-x{times}"),
            format!("Syrian rebels enter Damascus (×{times})"),
        ),
        Shape::Lines => {
            // Each sentence of each paragraph on its own line.
            let lines: Vec<&str> = paragraphs
                .flat_map(|p| p.unicode_sentences())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            (
                vec![lines.join("\n"); times].join("\n"),
                format!("damascus-lines-x{times}"),
                format!("Syrian rebels enter Damascus (×{times}, one sentence a line)"),
            )
        }
        Shape::Paragraph => {
            let flat: Vec<&str> = paragraphs.map(str::trim).collect();
            (
                vec![flat.join(" "); times].join(" "),
                format!("damascus-paragraph-x{times}"),
                format!("Syrian rebels enter Damascus (×{times}, one paragraph)"),
            )
        }
    };
    Document::new(id, title, text)
}

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// The words of each paragraph as code-point spans.
fn words(doc: &Document) -> Vec<Vec<Span>> {
    doc.paragraphs()
        .iter()
        .map(|p| {
            let mut cp = p.start;
            let mut out = Vec::new();
            for w in doc.slice(*p).split_word_bounds() {
                let len = w.chars().count();
                if w.chars().any(char::is_alphanumeric) {
                    out.push(Span::new(cp, cp + len));
                }
                cp += len;
            }
            out
        })
        .collect()
}

/// `n` valid annotations over `doc` (entities one to three words, quotes and claims five to
/// twenty), spread over every paragraph, about one in ten inside or across another.
pub fn annotations(doc: &Document, n: usize, seed: u64) -> Vec<Annotation> {
    let words = words(doc);
    let paras: Vec<usize> = (0..words.len()).filter(|&p| !words[p].is_empty()).collect();
    let labels = Labels::default();
    let mut rng = Rng::new(seed);
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Annotation> = Vec::with_capacity(n);
    let t = Timestamp(1_733_635_800_000);
    let mut attempts = 0;
    while out.len() < n && attempts < n * 20 {
        attempts += 1;
        let kind = match rng.below(10) {
            0..=5 => Kind::Entity,
            6..=7 => Kind::Quote,
            _ => Kind::Claim,
        };
        // Spread evenly: the k-th annotation lands in the k-th slice of the paragraphs; one in
        // ten starts inside the previous annotation instead (nesting or overlap).
        let nested = rng.below(10) == 0 && !out.is_empty();
        let p = if nested {
            doc.paragraph_at(out[out.len() - 1].span.start).unwrap_or(0)
        } else {
            paras[(out.len() * paras.len() / n.max(1) + rng.below(2)).min(paras.len() - 1)]
        };
        let w = &words[p];
        if w.is_empty() {
            continue;
        }
        let len = match kind {
            Kind::Entity => 1 + rng.below(3),
            _ => 5 + rng.below(16),
        };
        let first = if nested {
            let prev = out[out.len() - 1].span;
            w.partition_point(|s| s.start < prev.start) + rng.below(2)
        } else {
            rng.below(w.len())
        };
        let first = first.min(w.len() - 1);
        let last = (first + len - 1).min(w.len() - 1);
        let span = Span::new(w[first].start, w[last].end);
        // Entities stay inside a line, as a person tags them; quotes and claims need not.
        if kind == Kind::Entity && doc.slice(span).contains('\n') {
            continue;
        }
        let body = match kind {
            Kind::Entity => Body::Entity {
                label: labels.entity[rng.below(labels.entity.len())].clone(),
            },
            Kind::Quote => Body::new_quote(doc.slice(span)),
            Kind::Claim => Body::Claim {
                claimant: None,
                checkworthiness: Some(
                    labels.checkworthiness[rng.below(labels.checkworthiness.len())].clone(),
                ),
            },
        };
        if !seen.insert((kind, body.label().map(str::to_string), span)) {
            continue;
        }
        out.push(Annotation {
            id: format!("{}{}", kind.key(), out.len() + 1),
            span,
            body,
            note: String::new(),
            created: t,
            updated: t,
            extra: None,
        });
    }
    out
}

/// A state over `doc` holding `n` synthetic annotations.
pub fn state(doc: Rc<Document>, n: usize, seed: u64) -> super::state::State {
    let anns = annotations(&doc, n, seed);
    super::state::State::restore(doc, Labels::default(), anns, 1).expect("synthetic data is valid")
}

/// The entity labels of a synthetic corpus: a few of the default set, so that importing it
/// adds no label.
pub const CORPUS_LABELS: [&str; 6] = ["PERSON", "ORG", "GPE", "LOC", "DATE", "NORP"];

/// The least text of a corpus document, in code points: with its hundred spans, a line of
/// about 10 KB, so that 1,000 documents and 100,000 spans make about 10 MB.
const CORPUS_TEXT_CHARS: usize = 5_600;

#[derive(serde::Serialize)]
struct TaskOut<'a> {
    text: &'a str,
    spans: Vec<SpanOut>,
    answer: &'static str,
    meta: MetaOut,
}

#[derive(serde::Serialize)]
struct SpanOut {
    start: usize,
    end: usize,
    label: &'static str,
}

#[derive(serde::Serialize)]
struct MetaOut {
    id: String,
}

/// The text of corpus document `no` (from 1): a headline line ("Dispatch 17"), then paragraphs
/// of the article picked at random until it holds at least [`CORPUS_TEXT_CHARS`] code points
/// and `min_words` words.
fn corpus_text(no: usize, min_words: usize, rng: &mut Rng) -> String {
    let paragraphs: Vec<&str> = DEFAULT_TEXT.split("\n\n").map(str::trim).collect();
    let mut text = format!("Dispatch {no}");
    let (mut chars, mut words) = (text.chars().count(), 2);
    while chars < CORPUS_TEXT_CHARS || words < min_words {
        let p = paragraphs[rng.below(paragraphs.len())];
        text.push_str("\n\n");
        text.push_str(p);
        chars += 2 + p.chars().count();
        words += p.split_whitespace().count();
    }
    text
}

/// A Prodigy JSONL of `documents` tasks holding `spans` spans in all (as evenly spread as they
/// divide), a line each: `{"text", "spans": [{"start", "end", "label"}], "answer": "accept",
/// "meta": {"id"}}`. Each text is a headline line and paragraphs of the article (about 5,600
/// code points, more when its spans need more words); spans are one to three whole words
/// inside a paragraph, in code points, in order and never overlapping, labelled from
/// [`CORPUS_LABELS`]. Ids are `synth-0001` … (as wide as `documents` needs).
pub fn prodigy_corpus(documents: usize, spans: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let width = documents.max(1).to_string().len();
    let mut out = String::new();
    for d in 0..documents {
        let k = spans / documents + usize::from(d < spans % documents);
        let text = corpus_text(d + 1, 4 * k, &mut rng);
        let doc = Document::new("synth", "synth", text.as_str());
        // Every word with its paragraph, in order.
        let all: Vec<(usize, Span)> = words(&doc)
            .into_iter()
            .enumerate()
            .flat_map(|(p, ws)| ws.into_iter().map(move |w| (p, w)))
            .collect();
        // Span j lies in the j-th of k equal slots of the words: never across another.
        let slot = all.len() / k.max(1);
        let mut out_spans = Vec::with_capacity(k);
        for j in 0..k {
            let (from, to) = (j * slot, (j + 1) * slot);
            let first = from + rng.below(slot.saturating_sub(1));
            let mut last = first;
            for _ in 0..rng.below(3) {
                if last + 1 < to && all[last + 1].0 == all[first].0 {
                    last += 1;
                }
            }
            out_spans.push(SpanOut {
                start: all[first].1.start,
                end: all[last].1.end,
                label: CORPUS_LABELS[rng.below(CORPUS_LABELS.len())],
            });
        }
        let task = TaskOut {
            text: &text,
            spans: out_spans,
            answer: "accept",
            meta: MetaOut {
                id: format!("synth-{:0width$}", d + 1),
            },
        };
        out.push_str(&serde_json::to_string(&task).expect("a task serialises"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shapes_hold_the_same_words() {
        let words = |d: &Document| d.text().split_whitespace().count();
        let article = shaped(Shape::Article, 3);
        let lines = shaped(Shape::Lines, 3);
        let flat = shaped(Shape::Paragraph, 3);
        assert_eq!(words(&lines), words(&article));
        assert_eq!(words(&flat), words(&article));
        assert_eq!(article.paragraphs().len(), 30);
        assert_eq!(
            lines.paragraphs().len(),
            1,
            "single newlines: one paragraph"
        );
        assert!(lines.text().lines().count() > 60, "a sentence a line");
        assert!(!lines.text().contains("\n\n"));
        assert_eq!(flat.paragraphs().len(), 1);
        assert!(!flat.text().contains('\n'));
        assert_eq!(lines.id, "damascus-lines-x3");
        assert_eq!(Shape::parse("paragraph"), Some(Shape::Paragraph));
        for shape in Shape::ALL {
            let doc = Rc::new(shaped(shape, 3));
            let s = state(doc, 300, 7);
            assert_eq!(s.len(), 300, "{shape:?}");
            s.check_invariants().unwrap();
        }
    }

    #[test]
    fn synthetic_data_is_valid_deterministic_and_spread() {
        let doc = Rc::new(repeated_article(30));
        assert!(doc.text().len() > 100_000, "30× is about 100 KB");
        let a = annotations(&doc, 1000, 7);
        assert_eq!(a, annotations(&doc, 1000, 7));
        assert_eq!(a.len(), 1000);
        let s = state(doc.clone(), 1000, 7);
        s.check_invariants().unwrap();
        let touched = (0..doc.blocks().len())
            .filter(|&b| !s.block_annotations(b).is_empty())
            .count();
        assert!(touched > doc.blocks().len() / 2, "spread over the document");
        let overlapping = a
            .windows(2)
            .filter(|w| w[0].span.overlaps(&w[1].span))
            .count();
        assert!(
            overlapping >= 50,
            "about one in ten overlaps: {overlapping}"
        );
    }

    #[test]
    fn a_synthetic_corpus_imports_as_so_many_documents_and_spans() {
        use crate::formats::{corpus, Format};
        let jsonl = prodigy_corpus(40, 3_001, 9);
        assert_eq!(jsonl, prodigy_corpus(40, 3_001, 9), "deterministic");
        assert_ne!(jsonl, prodigy_corpus(40, 3_001, 10));
        assert_eq!(jsonl.lines().count(), 40);
        let c = corpus::import(Format::Spacy, jsonl.as_bytes(), "synth.jsonl").unwrap();
        assert!(c.refused.is_empty(), "{:?}", c.refused);
        assert_eq!(c.documents.len(), 40);
        assert_eq!(c.annotations(), 3_001);
        let ids: std::collections::HashSet<_> = c
            .documents
            .iter()
            .map(|d| d.bundle.document.id.as_str())
            .collect();
        assert!(ids.contains("synth-01") && ids.contains("synth-40"));
        for (line, d) in jsonl.lines().zip(&c.documents) {
            let task: serde_json::Value = serde_json::from_str(line).unwrap();
            let text: Vec<char> = task["text"].as_str().unwrap().chars().collect();
            assert_eq!(d.bundle.document.text(), task["text"].as_str().unwrap());
            let mut end = 0;
            for s in task["spans"].as_array().unwrap() {
                let (a, b) = (
                    s["start"].as_u64().unwrap() as usize,
                    s["end"].as_u64().unwrap() as usize,
                );
                assert!(a >= end && a < b, "in order, never overlapping");
                end = b;
                let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
                assert!(word(text.get(a)) && word(text.get(b - 1)), "whole words");
                assert!(a == 0 || !word(text.get(a - 1)), "starts a word");
                assert!(!word(text.get(b)), "ends a word");
                assert!(!text[a..b].contains(&'\n'), "inside a paragraph");
                assert!(CORPUS_LABELS.contains(&s["label"].as_str().unwrap()));
            }
            assert_eq!(task["answer"], "accept");
        }
        // The benchmark's proportions (1,000 documents, 100,000 spans, about 10 MB), a tenth.
        let tenth = prodigy_corpus(100, 10_000, 42);
        assert!(
            (900_000..1_100_000).contains(&tenth.len()),
            "{} bytes",
            tenth.len()
        );
    }
}
