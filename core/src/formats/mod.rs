//! Import and export formats, pure like `model`: each format is a module with golden files and
//! round-trip tests, shared by the web app and the command-line tool.
//!
//! Every format converts to and from a [`Bundle`]: one document with its labels, annotator and
//! annotations. Offsets inside a bundle are code points, as everywhere outside `src/dom/`;
//! formats that count differently (bytes, UTF-16, tokens) convert at their edge.

pub mod anchor;
pub mod brat;
pub mod conll;
mod conll_import;
pub mod corpus;
mod corpus_out;
pub mod doccano;
pub mod fuzzing;
pub mod hostile;
pub mod label_studio;
mod labelled_spans;
pub mod native;
pub(crate) mod native_extra;
pub mod project;
pub mod spacy;
#[cfg(test)]
pub mod testing;
pub mod w3c;
pub mod zip;

use std::fmt;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::{Annotation, Document, Labels};

/// The formats Marginalia reads and writes. Adding one: a module with `export` and (where it
/// can) `import`, a variant here, and its arms below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Native,
    LabelStudio,
    Conll,
    W3c,
    Brat,
    Spacy,
    /// spaCy's DocBin (`.spacy`), for training; export only.
    SpacyDocBin,
    Doccano,
    DoccanoRel,
}

impl Format {
    pub const ALL: &'static [Format] = &[
        Format::Native,
        Format::LabelStudio,
        Format::Conll,
        Format::W3c,
        Format::Brat,
        Format::Spacy,
        Format::SpacyDocBin,
        Format::Doccano,
        Format::DoccanoRel,
    ];

    /// The name used on the command line (`--to native`).
    pub fn key(self) -> &'static str {
        match self {
            Format::Native => "native",
            Format::LabelStudio => "label-studio",
            Format::Conll => "conll",
            Format::W3c => "w3c",
            Format::Brat => "brat",
            Format::Spacy => "spacy",
            Format::SpacyDocBin => "spacy-docbin",
            Format::Doccano => "doccano",
            Format::DoccanoRel => "doccano-rel",
        }
    }

    /// The name shown in the Export menu.
    pub fn title(self) -> &'static str {
        match self {
            Format::Native => "Marginalia JSON",
            Format::LabelStudio => "Label Studio JSON",
            Format::Conll => "CoNLL-2003 (IOB2)",
            Format::W3c => "W3C Web Annotation (JSON-LD)",
            Format::Brat => "brat standoff (zip)",
            Format::Spacy => "spaCy / Prodigy JSONL",
            Format::SpacyDocBin => "spaCy DocBin (.spacy)",
            Format::Doccano => "doccano JSONL",
            Format::DoccanoRel => "doccano JSONL (relations)",
        }
    }

    /// The end of the file name after the document id: `damascus.marginalia.json`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Native => ".marginalia.json",
            Format::LabelStudio => ".label-studio.json",
            Format::Conll => ".conll",
            Format::W3c => ".w3c.jsonld",
            Format::Brat => ".brat.zip",
            Format::Spacy => spacy::EXTENSION,
            Format::SpacyDocBin => spacy::docbin::EXTENSION,
            Format::Doccano => doccano::EXTENSION,
            Format::DoccanoRel => doccano::EXTENSION_REL,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Native | Format::LabelStudio => "application/json",
            Format::Conll => "text/plain",
            Format::W3c => "application/ld+json",
            Format::Brat => "application/zip",
            Format::SpacyDocBin => "application/octet-stream",
            Format::Spacy | Format::Doccano | Format::DoccanoRel => "application/x-ndjson",
        }
    }

    pub fn can_import(self) -> bool {
        match self {
            Format::Native
            | Format::LabelStudio
            | Format::W3c
            | Format::Brat
            | Format::Spacy
            | Format::Doccano
            | Format::DoccanoRel
            | Format::Conll => true,
            Format::SpacyDocBin => false,
        }
    }

    pub fn parse(key: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.key() == key)
    }

    /// The file name of a document's export in this format.
    pub fn file_name(self, document_id: &str) -> String {
        format!("{}{}", safe_file_stem(document_id), self.extension())
    }

    /// The file name of a corpus of several documents in this format, the same on the page
    /// and on the command line: `project.spacy.jsonl`, `project.brat.zip`, and for the native
    /// format the project file, `project.marginalia.json` (see [`corpus::export`]).
    pub fn corpus_file_name(self) -> String {
        format!("project{}", self.extension())
    }

    pub fn export(self, bundle: &Bundle) -> Vec<u8> {
        match self {
            Format::Native => native::export(bundle).into_bytes(),
            Format::LabelStudio => label_studio::export(bundle).into_bytes(),
            Format::Conll => conll::export(bundle).into_bytes(),
            Format::W3c => w3c::export(bundle).into_bytes(),
            Format::Brat => brat::export(bundle),
            Format::Spacy => spacy::export(bundle).into_bytes(),
            Format::SpacyDocBin => spacy::docbin::export(bundle),
            Format::Doccano => doccano::export(bundle).into_bytes(),
            Format::DoccanoRel => doccano::export_rel(bundle).into_bytes(),
        }
    }

    /// Reads a file of this format; `file_name` names the document when the format does not.
    pub fn import(self, bytes: &[u8], file_name: &str) -> Result<native::Imported, FileError> {
        checked(self.import_unchecked(bytes, file_name)?)
    }

    fn import_unchecked(
        self,
        bytes: &[u8],
        file_name: &str,
    ) -> Result<native::Imported, FileError> {
        match self {
            Format::Native => native::import_bytes(bytes),
            Format::LabelStudio => label_studio::import_bytes(bytes, file_name),
            Format::Conll => conll::import(bytes, file_name),
            Format::SpacyDocBin => Err(FileError::Shape(
                "spaCy DocBin (.spacy) files cannot be read: Marginalia only writes them; \
                 import the spaCy / Prodigy JSONL instead."
                    .into(),
            )),
            Format::W3c => w3c::import_bytes(bytes, file_name),
            Format::Brat => brat::import(bytes, file_name),
            Format::Spacy => spacy::import(bytes, file_name),
            // One reader for both: it tells the shapes apart by the line itself.
            Format::Doccano | Format::DoccanoRel => doccano::import(bytes, file_name),
        }
    }

    /// Guesses the format of a file from its name and first bytes.
    pub fn detect(file_name: &str, bytes: &[u8]) -> Option<Format> {
        let name = file_name.to_ascii_lowercase();
        if let Some(f) = Format::ALL
            .iter()
            .copied()
            .find(|f| name.ends_with(f.extension()))
        {
            return Some(f);
        }
        // CoNLL's other endings: spaCy's and Flair's token-per-line files.
        if conll::EXTENSIONS.iter().any(|e| name.ends_with(e)) {
            return Some(Format::Conll);
        }
        // A zip that is not named .brat.zip: brat is the only zip format.
        if bytes.starts_with(b"PK\x03\x04") {
            return Some(Format::Brat);
        }
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
        // Before the native test: a W3C export names urn:marginalia: IRIs and "format"s too.
        if head.contains("www.w3.org/ns/anno.jsonld") {
            return Some(Format::W3c);
        }
        if head.contains("\"format\"") && head.contains("marginalia") {
            return Some(Format::Native);
        }
        if label_studio::looks_like(&head) {
            return Some(Format::LabelStudio);
        }
        if name.ends_with(".jsonld") {
            return Some(Format::W3c);
        }
        // One-document JSONL from other tools: a Prodigy task has spans (or tokens), doccano
        // has entities with start_offset, or a label list.
        if name.ends_with(".jsonl") || name.ends_with(".json") {
            // The first 4 KB, and the first line whole (up to a megabyte): a task's keys may
            // follow a long text.
            let line = &bytes[..bytes.len().min(1 << 20)];
            let line = String::from_utf8_lossy(line.split(|&b| b == b'\n').next().unwrap_or(line));
            let has = |key: &str| head.contains(key) || line.contains(key);
            if has("\"spans\"") || has("\"tokens\"") {
                return Some(Format::Spacy);
            }
            if has("\"start_offset\"") || has("\"entities\"") {
                return Some(Format::DoccanoRel);
            }
            if has("\"label\"") && has("\"text\"") {
                return Some(Format::Doccano);
            }
        }
        name.ends_with(".json").then_some(Format::Native)
    }
}

/// The id for a new document wanted as `wanted`: made safe as a file name, and, when
/// `taken` says so of it, with the first free suffix (`notes`, `notes-2`, `notes-3`, …). The
/// shipped article's id is always taken.
///
/// ```
/// use marginalia_core::formats::fresh_document_id;
/// let held = ["notes", "notes-2"];
/// assert_eq!(fresh_document_id("field notes", |id| held.contains(&id)), "field-notes");
/// assert_eq!(fresh_document_id("notes", |id| held.contains(&id)), "notes-3");
/// assert_eq!(fresh_document_id("damascus-2024-12-08", |_| false), "damascus-2024-12-08-2");
/// ```
pub fn fresh_document_id(wanted: &str, taken: impl Fn(&str) -> bool) -> String {
    let taken = |id: &str| id == crate::model::document::DEFAULT_ID || taken(id);
    let base = safe_file_stem(wanted);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .expect("some suffix is free")
}

/// A document id made safe as a file name: letters, digits, `-`, `_`, `.`; others become `-`.
pub fn safe_file_stem(id: &str) -> String {
    let stem: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_matches(|c| c == '.' || c == '-').to_string();
    if stem.is_empty() {
        "document".into()
    } else {
        stem
    }
}

/// What a reader gave, refused if its label sets are not ones the page can use (every reader
/// grows or reads label sets).
pub(crate) fn checked(imported: native::Imported) -> Result<native::Imported, FileError> {
    imported
        .bundle
        .labels
        .validate()
        .map_err(|e| FileError::Shape(format!("The file's labels cannot be used: {e}.")))?;
    Ok(imported)
}

/// One document and everything annotated on it: what a file holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    pub document: Document,
    pub labels: Labels,
    /// Who annotated; may be empty.
    pub annotator: String,
    /// In (start, end, id) order.
    pub annotations: Vec<Annotation>,
    /// Where the document stands in its project (the native file's `status`, a Prodigy
    /// task's `answer`); `New` where a file does not say.
    pub status: crate::model::Status,
}

impl Bundle {
    /// A bundle of a state's annotations.
    pub fn from_state(state: &crate::model::State, annotator: &str) -> Bundle {
        Bundle {
            document: (**state.document()).clone(),
            labels: state.labels().clone(),
            annotator: annotator.to_string(),
            annotations: state.annotations().iter().map(|a| (**a).clone()).collect(),
            status: Default::default(),
        }
    }
}

/// A label list that grows as a file names labels, in order of first use: O(1) a label, where
/// searching the list would make a file of a new label per span quadratic.
pub(crate) struct Growing {
    list: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl Growing {
    pub(crate) fn new(list: Vec<String>) -> Self {
        let seen = list.iter().cloned().collect();
        Growing { list, seen }
    }

    /// Appends `label` unless the list has it.
    pub(crate) fn add(&mut self, label: &str) {
        if !self.seen.contains(label) {
            self.seen.insert(label.to_string());
            self.list.push(label.to_string());
        }
    }

    pub(crate) fn into_vec(self) -> Vec<String> {
        self.list
    }
}

/// A text cut to at most `max` characters, with "…", for messages.
pub(crate) use crate::model::state::shorten as short;

/// How a JSON value's type is named in messages ("a list", "an object", …).
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A JSON value in at most 40 characters, for messages.
pub(crate) fn short_json(v: &Value) -> String {
    short(&v.to_string(), 40)
}

/// serde_json's message without its " at line L column C": the messages say where themselves.
pub(crate) fn describe_json_error(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Why a file's text is not JSON, with the line and column.
pub(crate) fn not_json(e: &serde_json::Error) -> FileError {
    FileError::Syntax(format!(
        "This file is not JSON: {} (line {}, column {}).",
        describe_json_error(e),
        e.line(),
        e.column()
    ))
}

/// Why line `no` (counted from 1) of a JSON-lines file is not JSON.
pub(crate) fn line_not_json(no: usize, e: &serde_json::Error) -> FileError {
    FileError::Syntax(format!(
        "Line {no} is not JSON: {} (column {}).",
        describe_json_error(e),
        e.column()
    ))
}

/// Checks a span read from a file, in code points: not negative, not reversed, not empty, not
/// past the end of a text of `len` code points. `what` names it in the message ("cue ").
pub(crate) fn checked_span(
    s: i64,
    e: i64,
    len: usize,
    what: &str,
) -> Result<crate::model::Span, String> {
    if s < 0 || e < 0 {
        return Err(format!("its {what}offsets {s}..{e} are negative"));
    }
    if e < s {
        return Err(format!(
            "its {what}offsets {s}..{e} are reversed (end before start)"
        ));
    }
    if s == e {
        return Err(format!("its {what}span {s}..{e} is empty"));
    }
    if e > len as i64 {
        return Err(format!(
            "its {what}offsets {s}..{e} run past the end of the text ({len} characters)"
        ));
    }
    Ok(crate::model::Span::new(s as usize, e as usize))
}

/// Lowercase hex SHA-256 of a text's UTF-8 bytes: how files name the exact text they annotate.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file whose structure is wrong ("Annotation 3 has no start"): the one way every format
/// says so.
pub fn shape(msg: impl Into<String>) -> FileError {
    FileError::Shape(msg.into())
}

/// Why a file could not be read. `Display` is the sentence shown to people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileError {
    /// Larger than we read (bytes, limit).
    TooLarge { bytes: u64, limit: u64 },
    /// Not UTF-8 text.
    NotText,
    /// Text, but not in the expected syntax (what, where).
    Syntax(String),
    /// Well-formed, but not what the format describes.
    Shape(String),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::TooLarge { bytes, limit } => write!(
                f,
                "The file is {}; Marginalia reads files up to {} MB.",
                megabytes(*bytes),
                (limit + 500_000) / 1_000_000
            ),
            FileError::NotText => f.write_str(
                "The file is not text: it is binary or not in UTF-8. Choose a .json or .txt file.",
            ),
            FileError::Syntax(why) | FileError::Shape(why) => f.write_str(why),
        }
    }
}

/// A size in megabytes to one decimal, rounded ("52.4 MB"), in integers (formatting a float
/// would link Rust's float printing into the page).
pub fn megabytes(bytes: u64) -> String {
    let tenths = (bytes + 50_000) / 100_000;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// The largest file Marginalia reads (20 MB): a 1 MB article with 10,000 annotations is about
/// 5 MB of JSON.
pub const MAX_FILE_BYTES: u64 = 20_000_000;

/// Decodes file bytes as UTF-8 text, refusing what is binary. A leading BOM is dropped.
pub fn decode_text(bytes: &[u8]) -> Result<&str, FileError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FileError::TooLarge {
            bytes: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::NotText)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Text files do not hold NUL bytes; binary ones that happen to be valid UTF-8 do.
    if text.contains('\0') {
        return Err(FileError::NotText);
    }
    Ok(text)
}

/// Checks a document text a file brings: characters a text document does not hold are refused
/// (NUL and other C0 controls but tab, line feed and carriage return).
pub fn check_document_text(text: &str) -> Result<(), String> {
    if let Some((i, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (*c as u32) < 0x20)
    {
        let what = if c == '\0' {
            "a NUL character (U+0000)".to_string()
        } else {
            format!("the control character U+{:04X}", c as u32)
        };
        return Err(format!(
            "The document text contains {what} at character {i}; a text document cannot hold it."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_texts() {
        assert_eq!(
            sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex("“😀”"),
            "7b6b53a98190ec0e20a71c9818e3ca7cad78a0f73fa2edc1c415747d883fe134"
        );
    }

    #[test]
    fn binary_and_huge_files_are_refused_by_name() {
        assert_eq!(decode_text(b"\xff\xfe\x00a"), Err(FileError::NotText));
        assert_eq!(decode_text(b"PK\x03\x04\x00\x00"), Err(FileError::NotText));
        assert_eq!(decode_text("\u{feff}{}".as_bytes()), Ok("{}"));
        let huge = vec![b' '; MAX_FILE_BYTES as usize + 1];
        assert_eq!(
            decode_text(&huge).unwrap_err().to_string(),
            "The file is 20.0 MB; Marginalia reads files up to 20 MB."
        );
    }

    #[test]
    fn control_characters_in_a_document_are_named() {
        assert!(check_document_text("tabs\tand\r\nlines").is_ok());
        assert_eq!(
            check_document_text("ab\0c").unwrap_err(),
            "The document text contains a NUL character (U+0000) at character 2; a text document cannot hold it."
        );
        assert!(check_document_text("bell\u{7}")
            .unwrap_err()
            .contains("U+0007"));
    }
}
