//! Files of many documents: what a corpus file yields, document by document.
//!
//! Every dataset is one file of many documents — a doccano or Prodigy JSONL with a line per
//! text — and each of its documents is read by the format's own one-document reader, so that a
//! line reads exactly as the same line saved as a file of its own. A line that cannot be read is
//! refused on its own, with its number and why, and the other lines are kept: a corpus of 373
//! tasks with one bad line gives 372 documents and one refusal, never nothing. Only a file
//! where no line gives a document is refused whole.
//!
//! Documents are named by the id their line gives (`meta.id`); a line without one, or with an
//! id an earlier line took, is named by the file and its line (`news-17`), and titled by the
//! start of its text, which is what a person recognises in a list of documents.

use std::collections::HashSet;

use super::labelled_spans::file_stem;
use super::native::Imported;
use super::{decode_text, describe_json_error, doccano, short, FileError, Format};

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
        let mut out = format!(
            "{}, {}",
            count(self.documents.len(), "document"),
            count(self.annotations(), "annotation")
        );
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
        for r in self.refused.iter().skip(1) {
            out.push_str(&format!("\n{} — {}", r.place, r.message));
        }
        for d in &self.documents {
            for p in &d.problems {
                out.push_str(&format!("\n{}: {p}", d.bundle.document.id));
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
                out.push_str(&format!("\n{}: {note}", docs[0]));
            } else if docs.len() == self.documents.len() {
                out.push_str(&format!("\n{note}"));
            } else {
                out.push_str(&format!("\n{}: {note}", count(docs.len(), "document")));
            }
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
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if n == 1 {
        format!("{grouped} {what}")
    } else {
        format!("{grouped} {what}s")
    }
}

/// Reads every document of a file of `format`; `file_name` names documents the file does not.
pub fn import(format: Format, bytes: &[u8], file_name: &str) -> Result<Corpus, FileError> {
    match format {
        Format::Spacy | Format::Doccano | Format::DoccanoRel => lines(format, bytes, file_name),
        _ => format.import(bytes, file_name).map(Corpus::single),
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
    let stem = file_stem(file_name, extension(format, file_name));
    let mut corpus = Corpus {
        documents: Vec::with_capacity(lines.len()),
        refused: Vec::new(),
    };
    let mut ids: HashSet<String> = HashSet::new();
    for (no, line) in lines {
        let refuse = |message: String| Refused {
            place: format!("line {no}"),
            message,
        };
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(line) {
            corpus.refused.push(refuse(format!(
                "it is not JSON: {} (column {}).",
                describe_json_error(&e),
                e.column()
            )));
            continue;
        }
        match format.import(line.as_bytes(), file_name) {
            Err(e) => corpus.refused.push(refuse(e.to_string())),
            Ok(mut imported) => {
                let doc = &mut imported.bundle.document;
                if doc.id == stem || ids.contains(&doc.id) {
                    let mut id = format!("{stem}-{no}");
                    while ids.contains(&id) {
                        id.push('_');
                    }
                    if doc.title == doc.id {
                        doc.title = title_of(doc.text(), &id);
                    }
                    doc.id = id;
                }
                ids.insert(doc.id.clone());
                corpus.documents.push(imported);
            }
        }
    }
    if corpus.documents.is_empty() {
        let first = &corpus.refused[0];
        return Err(FileError::Shape(format!(
            "No line of the file gives a document ({} refused); {}: {}",
            count(corpus.refused.len(), "line"),
            first.place,
            first.message
        )));
    }
    Ok(corpus)
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
