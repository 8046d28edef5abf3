//! Files of many documents: what a corpus file yields, document by document.
//!
//! Every dataset is one file of many documents — a doccano or Prodigy JSONL with a line per
//! text, a Label Studio list of tasks, a brat zip of `.txt`/`.ann` pairs — and each of its
//! documents is read by the format's own one-document reader, so that a line (a task, a pair)
//! reads exactly as the same part saved as a file of its own. A part that cannot be read is
//! refused on its own, with its number or name and why, and the other parts are kept: a corpus
//! of 373 tasks with one bad line gives 372 documents and one refusal, never nothing. Only a
//! file where no part gives a document is refused whole.
//!
//! Documents are named by the id their part gives (`meta.id`, `data.document_id`, the pair's
//! name); a part without one is named by the file and its number (`news-17`) and titled by the
//! start of its text, which is what a person recognises in a list of documents; an id an
//! earlier part took gets the part's number added (`a1-3`).

use std::collections::HashSet;

use super::labelled_spans::file_stem;
use super::native::Imported;
use super::{
    brat, decode_text, describe_json_error, doccano, label_studio, short, w3c, FileError, Format,
};

pub use super::corpus_out::export;

/// A part of a corpus file that gave no document, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// Where in the file: "line 17".
    pub place: String,
    /// Why, as a sentence.
    pub message: String,
}

/// What a file gave: its documents, each with the annotations it kept, the problems of the
/// others and notes on how it was read, and the parts of the file that gave no document.
#[derive(Clone, Debug, PartialEq)]
pub struct Corpus {
    pub documents: Vec<Imported>,
    pub refused: Vec<Refused>,
}

/// The longest title made from a document's text.
const TITLE_CHARS: usize = 60;

/// The most documents one file (or one pick of files) may bring: what a project is made to
/// hold. A file of more parts is refused before any is read, with how to split it.
pub const MAX_DOCUMENTS: usize = 10_000;

/// The most lines of refusals, problems and notes a summary lists; the rest are counted.
const SUMMARY_LINES: usize = 1_000;

/// Refuses a file of more parts than [`MAX_DOCUMENTS`], before reading them.
pub(crate) fn at_most(parts: usize, what: &str, split: &str) -> Result<(), FileError> {
    if parts <= MAX_DOCUMENTS {
        return Ok(());
    }
    Err(FileError::Shape(format!(
        "This file holds {}, a document each; Marginalia reads at most {} documents from one \
         file. {split}",
        count(parts, what),
        grouped(MAX_DOCUMENTS),
    )))
}

impl Corpus {
    /// A file of one document.
    pub fn single(imported: Imported) -> Corpus {
        Corpus {
            documents: vec![imported],
            refused: Vec::new(),
        }
    }

    /// The annotations kept, over every document.
    pub fn annotations(&self) -> usize {
        self.documents
            .iter()
            .map(|d| d.bundle.annotations.len())
            .sum()
    }

    /// The annotations left out (each one a problem of its document), over every document.
    pub fn problems(&self) -> usize {
        self.documents.iter().map(|d| d.problems.len()).sum()
    }

    /// What the import gave, in one paragraph a person can read and copy: "120 documents,
    /// 4,031 annotations; 3 lines refused: line 17 — …", then one line per refusal, problem
    /// and note.
    pub fn summary(&self) -> String {
        let mut out = count(self.documents.len(), "document");
        // Where the file says how far each document is (Prodigy's answers, the project file).
        let statuses: Vec<String> = crate::model::Status::ALL
            .iter()
            .map(|s| {
                (
                    s,
                    self.documents
                        .iter()
                        .filter(|d| d.bundle.status == *s)
                        .count(),
                )
            })
            .filter(|(s, n)| *n > 0 && **s != crate::model::Status::New)
            .map(|(s, n)| format!("{} {}", grouped(n), s.title().to_ascii_lowercase()))
            .collect();
        if !statuses.is_empty() {
            out.push_str(&format!(" ({})", statuses.join(", ")));
        }
        out.push_str(&format!(", {}", count(self.annotations(), "annotation")));
        let problems = self.problems();
        if problems > 0 {
            out.push_str(&format!(
                "; {} left out, listed below",
                count(problems, "item")
            ));
        }
        if let Some(first) = self.refused.first() {
            out.push_str(&format!(
                "; {} refused: {} — {}",
                count(self.refused.len(), &unit(&first.place)),
                first.place,
                first.message
            ));
        }
        end_sentence(&mut out);
        let mut lines: Vec<String> = Vec::new();
        for r in self.refused.iter().skip(1) {
            lines.push(format!("{} — {}", r.place, r.message));
        }
        for d in &self.documents {
            for p in &d.problems {
                lines.push(format!("{}: {p}", d.bundle.document.id));
            }
        }
        // A note most documents share (how the file names its labels) is said once.
        let mut notes: Vec<(&str, Vec<&str>)> = Vec::new();
        for d in &self.documents {
            for n in &d.notes {
                match notes.iter_mut().find(|(text, _)| text == n) {
                    Some((_, docs)) => docs.push(&d.bundle.document.id),
                    None => notes.push((n, vec![&d.bundle.document.id])),
                }
            }
        }
        for (note, docs) in notes {
            if docs.len() == 1 && self.documents.len() > 1 {
                lines.push(format!("{}: {note}", docs[0]));
            } else if docs.len() == self.documents.len() {
                lines.push(note.to_string());
            } else {
                lines.push(format!("{}: {note}", count(docs.len(), "document")));
            }
        }
        let more = lines.len().saturating_sub(SUMMARY_LINES);
        for line in lines.iter().take(SUMMARY_LINES) {
            out.push('\n');
            out.push_str(line);
        }
        if more > 0 {
            let lines = if more == 1 { "line" } else { "lines" };
            out.push_str(&format!("\n…and {} more {lines}.", grouped(more)));
        }
        out
    }
}

/// Ends a sentence with a full stop unless it has one.
fn end_sentence(s: &mut String) {
    if !s.ends_with(['.', '!', '?', ')']) {
        s.push('.');
    }
}

/// "line" of "line 17": what a place counts.
fn unit(place: &str) -> String {
    place.split(' ').next().unwrap_or("part").to_string()
}

/// "1 document", "4,031 annotations".
fn count(n: usize, what: &str) -> String {
    let grouped = grouped(n);
    if n == 1 {
        format!("{grouped} {what}")
    } else {
        format!("{grouped} {what}s")
    }
}

/// A number grouped by thousands: "4,031".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

/// Reads every document of a file of `format`; `file_name` names documents the file does not.
pub fn import(format: Format, bytes: &[u8], file_name: &str) -> Result<Corpus, FileError> {
    match format {
        Format::Spacy | Format::Doccano | Format::DoccanoRel => lines(format, bytes, file_name),
        Format::LabelStudio => tasks(bytes, file_name),
        Format::Brat => pairs(bytes, file_name),
        Format::W3c => w3c::many::import(bytes, file_name),
        Format::Native => super::project::import(bytes),
        Format::Conll => super::conll::import_corpus(bytes, file_name),
        Format::SpacyDocBin => format.import(bytes, file_name).map(Corpus::single),
    }
}

/// [`import`], with the document open where the file is read (the page's open document, the
/// command line's `--onto`): a W3C file that comes without its text (Recogito,
/// text-annotator) is then anchored onto it by its quotes ([`w3c::import_bytes_onto`]), one
/// document, what cannot be anchored among its problems. Any other file reads as [`import`].
pub fn import_onto(
    format: Format,
    bytes: &[u8],
    file_name: &str,
    open: Option<&crate::model::Document>,
) -> Result<Corpus, FileError> {
    match (import(format, bytes, file_name), format, open) {
        (Err(_), Format::W3c, Some(open)) => {
            w3c::import_bytes_onto(bytes, file_name, open).map(Corpus::single)
        }
        (result, _, _) => result,
    }
}

/// Gathers a corpus part by part, naming its documents uniquely.
pub(crate) struct Gather {
    /// The name a reader gives a document the file does not name.
    stem: String,
    corpus: Corpus,
    ids: HashSet<String>,
    /// Whether a document renamed because an earlier one has its id says so in a note (the
    /// project file, whose ids are the person's own).
    pub(crate) note_renames: bool,
}

impl Gather {
    pub(crate) fn new(stem: String, parts: usize) -> Gather {
        Gather {
            stem,
            corpus: Corpus {
                documents: Vec::with_capacity(parts),
                refused: Vec::new(),
            },
            ids: HashSet::new(),
            note_renames: false,
        }
    }

    /// Adds what part `no` of the file (the `unit` it counts in: "line", "task") gave.
    pub(crate) fn add(&mut self, unit: &str, no: &str, part: Result<Imported, String>) {
        match part {
            Err(message) => self.corpus.refused.push(Refused {
                place: format!("{unit} {no}"),
                message,
            }),
            Ok(mut imported) => {
                let doc = &mut imported.bundle.document;
                if doc.id == self.stem || self.ids.contains(&doc.id) {
                    let base = if doc.id == self.stem {
                        &self.stem
                    } else {
                        &doc.id
                    };
                    let mut id = format!("{base}-{no}");
                    while self.ids.contains(&id) {
                        id.push('_');
                    }
                    if doc.title == doc.id {
                        doc.title = title_of(doc.text(), &id);
                    }
                    if self.note_renames {
                        imported.notes.push(format!(
                            "its id “{}” is an earlier document's too: it is read as “{id}”.",
                            short(&doc.id, 60)
                        ));
                    }
                    doc.id = id;
                }
                self.ids.insert(doc.id.clone());
                self.corpus.documents.push(imported);
            }
        }
    }

    /// The corpus, or why the file gives no document at all.
    pub(crate) fn finish(self, unit: &str) -> Result<Corpus, FileError> {
        let Some(first) = self
            .corpus
            .refused
            .first()
            .filter(|_| self.corpus.documents.is_empty())
        else {
            return Ok(self.corpus);
        };
        let none = if unit == "file" {
            "None of the files gives a document".to_string()
        } else {
            format!("No {unit} of the file gives a document")
        };
        Err(FileError::Shape(format!(
            "{none} ({} refused); {}: {}",
            count(self.corpus.refused.len(), unit),
            first.place,
            first.message
        )))
    }
}

/// A JSONL file: a document a line. A file of one line, or one JSON object spread over several
/// lines, is one document, read (and refused) as it always was.
fn lines(format: Format, bytes: &[u8], file_name: &str) -> Result<Corpus, FileError> {
    let text = decode_text(bytes)?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| (n + 1, l))
        .collect();
    if lines.len() <= 1 || serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
        return format.import(bytes, file_name).map(Corpus::single);
    }
    at_most(
        lines.len(),
        "line",
        "Split it into files of at most 10,000 lines (for example with `split -l 10000`).",
    )?;
    let mut gather = Gather::new(
        file_stem(file_name, extension(format, file_name)),
        lines.len(),
    );
    for (no, line) in lines {
        let part = match serde_json::from_str::<serde::de::IgnoredAny>(line) {
            Err(e) => Err(format!(
                "it is not JSON: {} (column {}).",
                describe_json_error(&e),
                e.column()
            )),
            Ok(_) => format
                .import(line.as_bytes(), file_name)
                .map_err(|e| e.to_string()),
        };
        gather.add("line", &no.to_string(), part);
    }
    gather.finish("line")
}

/// A Label Studio file: a list of tasks, a document each (a single task object, or a list of
/// one, is one document as before). Each task is read as a file of that one task would be,
/// from the file parsed once.
fn tasks(bytes: &[u8], file_name: &str) -> Result<Corpus, FileError> {
    let text = decode_text(bytes)?;
    let many = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(tasks)) if tasks.len() > 1 => tasks,
        _ => {
            return Format::LabelStudio
                .import(bytes, file_name)
                .map(Corpus::single)
        }
    };
    at_most(
        many.len(),
        "task",
        "Export the project in parts of at most 10,000 tasks.",
    )?;
    let mut gather = Gather::new(label_studio::file_stem(file_name), many.len());
    for (n, task) in many.iter().enumerate() {
        let part = label_studio::import_value(task, file_name)
            .and_then(super::checked)
            .map_err(|e| e.to_string());
        gather.add("task", &(n + 1).to_string(), part);
    }
    gather.finish("task")
}

/// A brat zip: a `.txt`/`.ann` pair a document, named by its `.txt`. A pair that cannot be
/// read, and a file without its partner, are refused by name.
fn pairs(bytes: &[u8], file_name: &str) -> Result<Corpus, FileError> {
    let found = brat::import_pairs(bytes, file_name)?;
    at_most(
        found.pairs.len(),
        "pair",
        "Zip them in parts of at most 10,000 pairs.",
    )?;
    if found.pairs.len() == 1 && found.unpaired.is_empty() {
        return Format::Brat.import(bytes, file_name).map(Corpus::single);
    }
    let mut gather = Gather::new(String::new(), found.pairs.len());
    for (stem, part) in found.pairs {
        gather.add("pair", &stem, part.map_err(|e| e.to_string()));
    }
    for name in found.unpaired {
        gather.add(
            "file",
            &name,
            Err(
                "it has no partner: a brat document is a .txt and an .ann of the same name.".into(),
            ),
        );
    }
    gather.finish("pair")
}

/// Several files picked together: a `.txt` and an `.ann` of the same name are a brat document;
/// a `.txt` alone is a document to annotate (its text, no annotations); any other file is read
/// as the format it is, with every document it holds. A file that gives nothing is refused by
/// name, and the others are kept.
pub fn import_files(files: &[(String, Vec<u8>)]) -> Result<Corpus, FileError> {
    let total: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    if total > super::MAX_FILE_BYTES {
        return Err(FileError::TooLarge {
            bytes: total,
            limit: super::MAX_FILE_BYTES,
        });
    }
    let stem_of = |name: &str| -> Option<(String, String)> {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let (stem, ext) = base.rsplit_once('.')?;
        Some((stem.to_string(), ext.to_ascii_lowercase()))
    };
    let anns: std::collections::HashMap<String, &Vec<u8>> = files
        .iter()
        .filter_map(|(n, b)| stem_of(n).filter(|(_, e)| e == "ann").map(|(s, _)| (s, b)))
        .collect();
    let txts: HashSet<String> = files
        .iter()
        .filter_map(|(n, _)| stem_of(n).filter(|(_, e)| e == "txt").map(|(s, _)| s))
        .collect();
    at_most(files.len(), "file", "Pick at most 10,000 files at once.")?;
    let mut gather = Gather::new(String::new(), files.len());
    for (name, bytes) in files {
        let kind = stem_of(name);
        let part: Result<Vec<Imported>, String> = match kind.as_ref().map(|(s, e)| (s, e.as_str())) {
            Some((stem, "txt")) => text_file(stem, bytes, anns.get(stem).copied()).map(|d| vec![d]),
            Some((stem, "ann")) if txts.contains(stem) => continue,
            Some((_, "ann")) => Err(
                "it has no partner: a brat document is a .txt and an .ann of the same name, picked together."
                    .into(),
            ),
            _ => match Format::detect(name, bytes).filter(|f| f.can_import()) {
                None => Err("Marginalia cannot tell what kind of file this is.".into()),
                Some(format) => match import(format, bytes, name) {
                    Err(e) => Err(e.to_string()),
                    Ok(corpus) => {
                        for r in corpus.refused {
                            gather.corpus.refused.push(Refused {
                                place: format!("file {name}, {}", r.place),
                                message: r.message,
                            });
                        }
                        Ok(corpus.documents)
                    }
                },
            },
        };
        match part {
            Err(message) => gather.add("file", name, Err(message)),
            Ok(documents) => {
                for d in documents {
                    gather.add("file", name, Ok(d));
                }
            }
        }
    }
    gather.finish("file")
}

/// A picked `.txt`: with its `.ann`, a brat document; alone, its text to annotate.
fn text_file(stem: &str, bytes: &[u8], ann: Option<&Vec<u8>>) -> Result<Imported, String> {
    let text = decode_text(bytes).map_err(|e| e.to_string())?;
    let id = super::safe_file_stem(stem);
    match ann {
        Some(ann) => {
            let ann = decode_text(ann).map_err(|e| e.to_string())?;
            brat::import_text(&id, text, ann)
                .and_then(super::checked)
                .map_err(|e| e.to_string())
        }
        None => {
            if text.trim().is_empty() {
                return Err("the text is empty: there is nothing to annotate.".into());
            }
            super::check_document_text(text)?;
            let title = title_of(text, &id);
            let bundle = super::Bundle {
                document: crate::model::Document::new(id, title, text),
                labels: crate::model::Labels::default(),
                annotator: String::new(),
                annotations: Vec::new(),
                status: Default::default(),
            };
            Ok(Imported {
                bundle,
                problems: Vec::new(),
                total: 0,
                notes: Vec::new(),
            })
        }
    }
}

/// The extension the format's reader takes off a file name to name its document.
fn extension(format: Format, file_name: &str) -> &'static str {
    match format {
        Format::Doccano | Format::DoccanoRel
            if file_name.to_lowercase().ends_with(doccano::EXTENSION_REL) =>
        {
            doccano::EXTENSION_REL
        }
        Format::Doccano | Format::DoccanoRel => doccano::EXTENSION,
        other => other.extension(),
    }
}

/// A title from the start of a document's text (its first line, cut at a word), or `fallback`
/// for a text of blanks.
fn title_of(text: &str, fallback: &str) -> String {
    let first = text.trim().lines().next().unwrap_or("").trim();
    if first.is_empty() {
        return fallback.to_string();
    }
    if first.chars().count() <= TITLE_CHARS {
        return first.to_string();
    }
    let cut: String = first.chars().take(TITLE_CHARS).collect();
    match cut.rsplit_once(' ') {
        Some((words, _)) if words.chars().count() > TITLE_CHARS / 2 => format!("{words}…"),
        _ => short(first, TITLE_CHARS),
    }
}

#[cfg(test)]
#[path = "corpus_tests.rs"]
mod tests;
