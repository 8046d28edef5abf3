//! spaCy / Prodigy JSONL: the document as one Prodigy task (`ner_manual`, or `spans_manual`
//! where its spans overlap), the form Prodigy stores annotations in and `prodigy db-in` /
//! `data-to-spacy` read, with the tokens spaCy's English tokenizer makes of the text.
//!
//! ```json
//! {"text": "Syrian rebel forces, led by …",
//!  "tokens": [{"text": "Syrian", "start": 0, "end": 6, "id": 0, "ws": true}, …],
//!  "spans": [{"start": 32, "end": 52, "token_start": 7, "token_end": 11, "label": "ORG"}, …],
//!  "relations": [{"head": 146, "child": 63, "head_span": {…}, "child_span": {…}, "label": "SPEAKER"}],
//!  "meta": {"id": "damascus-2024-12-08", "title": "Syrian rebels enter Damascus"},
//!  "_view_id": "spans_manual", "answer": "accept", "_marginalia": {…}}
//! ```
//!
//! - Offsets are Python `str` indices, that is code points, like Marginalia's own.
//! - `tokens` are exactly those of `spacy.blank("en")` (see [`tokenizer`]), so `token_start`
//!   and `token_end` (inclusive) are spaCy's token indices and `doc.char_span(start, end)`
//!   finds every span. Only where an annotation starts or ends inside a spaCy token (which
//!   spaCy cannot represent) is that token split, and the split listed in
//!   `_marginalia.token_splits`.
//! - Spans: entities under their label, quotes as `QUOTE`, claims as `CLAIM`; they may
//!   overlap (a quote contains its entities, entities nest), as Prodigy's span categorisation
//!   allows.
//! - `_view_id` is the Prodigy interface that can show the spans: `ner_manual`
//!   requires spans that do not overlap, so a task where any two spans share a character is a
//!   `spans_manual` task, and only one whose spans cannot overlap is `ner_manual`. Import reads
//!   both (and any other view): the spans are read the same way.
//! - Relations, in Prodigy's form: a quote's speaker is a `SPEAKER` relation from the quote to
//!   the entity, a claim's claimant a `CLAIMANT` relation; relations of any other label are
//!   written and read under their label (relations of the open schema). As in Prodigy's
//!   relation tasks, `head` and `child` are the index of the last token of each span.
//! - Everything else travels in `_marginalia` (see [`super::jsonl`]); `meta` holds the
//!   document id and title, which Prodigy shows with the task.
//!
//! Import reads such tasks, and plain `{"text", "spans"}` lines from other tools: spans
//! labelled `QUOTE` or `CLAIM` become quotes and claims, others entities; `tokens` are not
//! needed.
//!
//! `answer` is where the document stands ([`Status`]): export writes `accept` for a document
//! new, in progress or done, `reject` and `ignore` for one rejected or ignored; import reads
//! `accept` as done, `reject` as rejected, `ignore` as ignored (a task without an answer is
//! new). Marginalia's own export also keeps the exact status in `_marginalia.status`, so an
//! `accept` it wrote for a document new or in progress reads back as that. A rejected or ignored task is kept, spans and all, as a document of that status, so
//! that writing it back gives the same answer: what an annotator refused or skipped is seen,
//! not dropped.

use crate::model::sort;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use super::labelled_spans::{self as spans, FileLink, FileSpan, MetaOut, Units};
use super::native::Imported;
use super::{Bundle, FileError};
use crate::model::{Annotation, Status};

// Generated, and compared with what the generator makes: rustfmt leaves it as written.
#[rustfmt::skip]
#[path = "spacy_tables.rs"]
mod tables;
#[path = "spacy_docbin.rs"]
pub mod docbin;
#[path = "spacy_tokenizer.rs"]
pub mod tokenizer;

use tokenizer::Token;

pub const EXTENSION: &str = ".spacy.jsonl";

/// The version of spaCy whose tokenizer the export reproduces.
pub const SPACY_VERSION: &str = tables::SPACY_VERSION;

// ---- export ----

#[derive(Serialize)]
struct TaskOut<'a> {
    text: &'a str,
    tokens: Vec<TokenOut<'a>>,
    spans: Vec<SpanOut<'a>>,
    relations: Vec<RelationOut<'a>>,
    meta: MetaOut<'a>,
    _view_id: &'static str,
    answer: &'static str,
    _marginalia: spans::ExtrasOut<'a>,
}

#[derive(Serialize)]
struct TokenOut<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    id: usize,
    ws: bool,
}

#[derive(Serialize, Clone, Copy)]
struct SpanOut<'a> {
    start: usize,
    end: usize,
    token_start: usize,
    token_end: usize,
    label: &'a str,
}

#[derive(Serialize)]
struct RelationOut<'a> {
    head: usize,
    child: usize,
    head_span: SpanOut<'a>,
    child_span: SpanOut<'a>,
    label: &'a str,
}

/// Makes `pos` the start (`as_start`) or the end of a token: a token around it is split, or a
/// space that follows a token becomes a token of its own. Returns whether anything changed.
/// The tokens are keyed by start, so that a split costs log n where inserting into a list
/// would shift every later token (a file of many spans inside one long token is quadratic).
fn make_boundary(tokens: &mut BTreeMap<usize, Token>, pos: usize, as_start: bool) -> bool {
    let before =
        |tokens: &BTreeMap<usize, Token>, p: usize| tokens.range(..p).next_back().map(|(_, t)| *t);
    let already = if as_start {
        tokens.contains_key(&pos)
    } else {
        before(tokens, pos).is_some_and(|t| t.end == pos)
    };
    if already {
        return false;
    }
    if let Some(t) = before(tokens, pos).filter(|t| t.end > pos) {
        tokens.insert(
            t.start,
            Token {
                start: t.start,
                end: pos,
                ws: false,
            },
        );
        tokens.insert(
            pos,
            Token {
                start: pos,
                end: t.end,
                ws: t.ws,
            },
        );
        return true;
    }
    // Between tokens: the single space after a token, which spaCy keeps as the token's `ws`.
    let space = if as_start { pos } else { pos.wrapping_sub(1) };
    match before(tokens, space) {
        Some(t) if t.end == space && t.ws => {
            tokens.insert(t.start, Token { ws: false, ..t });
            tokens.insert(
                space,
                Token {
                    start: space,
                    end: space + 1,
                    ws: false,
                },
            );
            true
        }
        _ => false,
    }
}

/// Prodigy's interface for a task of these spans, in (start, end) order: `spans_manual` where
/// two of them share a character (`ner_manual` shows only spans that do not overlap), else
/// `ner_manual`.
fn view_id(spans: &[SpanOut]) -> &'static str {
    let mut end = 0;
    for s in spans {
        if s.start < end {
            return VIEW_SPANS;
        }
        end = end.max(s.end);
    }
    VIEW_NER
}

/// Prodigy's manual NER interface, for spans that do not overlap.
pub const VIEW_NER: &str = "ner_manual";
/// Prodigy's manual span categorisation interface, for spans that may overlap.
pub const VIEW_SPANS: &str = "spans_manual";

/// The document as a Prodigy task, one line of JSON.
pub fn export<'a>(bundle: &'a Bundle) -> String {
    let doc = &bundle.document;
    let text = doc.text();
    let anns = spans::sorted(&bundle.annotations);
    let mut by_start: BTreeMap<usize, Token> = tokenizer::tokenize(text)
        .into_iter()
        .map(|t| (t.start, t))
        .collect();
    let mut splits = Vec::new();
    for a in &anns {
        if make_boundary(&mut by_start, a.span.start, true) {
            splits.push(a.span.start);
        }
        if make_boundary(&mut by_start, a.span.end, false) {
            splits.push(a.span.end);
        }
    }
    let tokens: Vec<Token> = by_start.into_values().collect();
    sort::sort_dedup(&mut splits);
    let token_start = |cp: usize| tokens.partition_point(|t| t.start < cp);
    let token_end = |cp: usize| tokens.partition_point(|t| t.end < cp);
    let span_of = |a: &'a Annotation| -> SpanOut<'a> {
        let out = SpanOut {
            start: a.span.start,
            end: a.span.end,
            token_start: token_start(a.span.start),
            token_end: token_end(a.span.end),
            label: spans::span_label(a),
        };
        debug_assert_eq!(tokens[out.token_start].start, a.span.start);
        debug_assert_eq!(tokens[out.token_end].end, a.span.end);
        out
    };
    let task_spans: Vec<SpanOut> = anns.iter().map(|a| span_of(a)).collect();
    let view = view_id(&task_spans);
    let by_id: HashMap<&str, &Annotation> = anns.iter().map(|a| (a.id.as_str(), *a)).collect();
    let relations = anns
        .iter()
        .flat_map(|a| spans::relations_of(a).map(move |t| (*a, t)))
        .filter_map(|(a, (to, label))| {
            let target = by_id.get(to)?;
            let (head_span, child_span) = (span_of(a), span_of(target));
            Some(RelationOut {
                head: head_span.token_end,
                child: child_span.token_end,
                head_span,
                child_span,
                label,
            })
        })
        .collect();
    let mut extras = spans::extras(bundle, Units::CodePoints, false);
    extras.token_splits = splits;
    let task = TaskOut {
        text,
        tokens: tokens
            .iter()
            .enumerate()
            .map(|(id, t)| TokenOut {
                text: doc.slice(crate::model::Span::new(t.start, t.end)),
                start: t.start,
                end: t.end,
                id,
                ws: t.ws,
            })
            .collect(),
        spans: task_spans,
        relations,
        meta: MetaOut {
            id: &doc.id,
            title: &doc.title,
        },
        _view_id: view,
        answer: bundle.status.answer(),
        _marginalia: extras,
    };
    let mut out = serde_json::to_string(&task).expect("serialising plain data cannot fail");
    out.push('\n');
    out
}

// ---- import ----

/// Reads a file of one Prodigy task (or one `{"text", "spans"}` line).
pub fn import(bytes: &[u8], file_name: &str) -> Result<Imported, FileError> {
    let root = spans::read_object(bytes, "a spaCy / Prodigy task")?;
    let answer = match root.get("answer") {
        None | Some(Value::Null) => None,
        Some(Value::String(a)) if Status::from_answer(a).is_some() => Status::from_answer(a),
        Some(other) => {
            return Err(spans::shape(format!(
                "\"answer\" must be \"accept\", \"reject\" or \"ignore\", not {}.",
                super::short_json(other)
            )))
        }
    };
    let document = spans::document(&root, file_name, EXTENSION)?;
    let items: &[Value] = match root.get("spans") {
        None | Some(Value::Null) => &[],
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(spans::shape(format!(
                "\"spans\" must be a list, not {}.",
                super::json_type(other)
            )))
        }
    };
    let spans: Vec<Result<FileSpan, String>> = items.iter().map(read_span).collect();
    let links = read_relations(&root, &spans)?;
    let built = spans::build(
        &document,
        Units::CodePoints,
        spans,
        &links,
        root.get("_marginalia"),
    )?;
    let status = status_of(answer, built.status);
    let mut imported = built.into_imported(document, items.len());
    imported.bundle.status = status;
    Ok(imported)
}

/// Where a task's document stands: `reject` and `ignore` say so; `accept` is done unless
/// Marginalia's extras say it is new, in progress or reviewed (an `accept` Marginalia wrote); a
/// task without an answer is what the extras say, or new.
fn status_of(answer: Option<Status>, extras: Option<Status>) -> Status {
    match (answer, extras) {
        (
            Some(Status::Done),
            Some(s @ (Status::New | Status::InProgress | Status::Done | Status::Reviewed)),
        ) => s,
        (Some(answer), _) => answer,
        (None, extras) => extras.unwrap_or_default(),
    }
}

fn read_span(item: &Value) -> Result<FileSpan, String> {
    let Value::Object(o) = item else {
        return Err(format!("is {}, not an object", super::json_type(item)));
    };
    let text = match o.get("text") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(t.clone()),
        Some(other) => {
            return Err(format!(
                "its text must be a string, not {}",
                super::json_type(other)
            ))
        }
    };
    Ok(FileSpan {
        start: spans::int(o.get("start"), "start")?,
        end: spans::int(o.get("end"), "end")?,
        label: spans::label(o.get("label"))?,
        text,
    })
}

/// The relations between spans, by position in the span list. A relation whose ends are not
/// spans of the task (Prodigy also relates single tokens) cannot be kept: the file is refused.
fn read_relations(
    root: &serde_json::Map<String, Value>,
    spans: &[Result<FileSpan, String>],
) -> Result<Vec<FileLink>, FileError> {
    let items = match root.get("relations") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(spans::shape(format!(
                "\"relations\" must be a list, not {}.",
                super::json_type(other)
            )))
        }
    };
    // The first readable span at each (start, end), and at each (start, end, label): what a
    // relation's end names, found without scanning the spans.
    let mut by_offsets: HashMap<(i64, i64), usize> = HashMap::new();
    let mut by_label: HashMap<(i64, i64, &str), usize> = HashMap::new();
    for (i, sp) in spans.iter().enumerate() {
        if let Ok(sp) = sp {
            by_offsets.entry((sp.start, sp.end)).or_insert(i);
            by_label
                .entry((sp.start, sp.end, sp.label.as_str()))
                .or_insert(i);
        }
    }
    let mut links = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let bad = |why: String| spans::shape(format!("Relation {}: {why}.", n + 1));
        let Value::Object(o) = item else {
            return Err(bad(format!(
                "it is {}, not an object",
                super::json_type(item)
            )));
        };
        let find = |key: &str| -> Result<usize, FileError> {
            let Some(Value::Object(s)) = o.get(key) else {
                return Err(bad(format!("it has no {key} object")));
            };
            let start =
                spans::int(s.get("start"), "start").map_err(|e| bad(format!("{key}: {e}")))?;
            let end = spans::int(s.get("end"), "end").map_err(|e| bad(format!("{key}: {e}")))?;
            let found = match s.get("label").and_then(Value::as_str) {
                Some(label) => by_label.get(&(start, end, label)),
                None => by_offsets.get(&(start, end)),
            };
            found.copied().ok_or_else(|| {
                bad(format!(
                    "its {key} {start}..{end} is not one of the task's spans; Marginalia \
                         keeps relations between spans only"
                ))
            })
        };
        let label = match o.get("label") {
            Some(Value::String(l)) => l.clone(),
            _ => return Err(bad("it has no label".into())),
        };
        links.push(FileLink {
            head: find("head_span")?,
            child: find("child_span")?,
            label,
        });
    }
    Ok(links)
}

#[cfg(test)]
#[path = "spacy_tests.rs"]
pub(crate) mod tests;
