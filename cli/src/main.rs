//! The command-line tool: the same converters as the page, for pipelines.
//!
//!     marginalia validate FILE…
//!     marginalia convert --to FORMAT FILE… [--each] [-o DIR]
//!     marginalia convert --from FORMAT FILE… [--onto DOCUMENT] [-o DIR]
//!     marginalia tag-all [--text TEXT --label LABEL] [--ignore-case] FILE… (-o DIR | --in-place)
//!     marginalia synth --times N --annotations M [--shape SHAPE] [--seed S] [-o DIR]
//!     marginalia synth-corpus --documents N --spans M [--seed S] [-o DIR]
//!     marginalia synth-hostile [--format FORMAT] [--bytes N] [-o DIR]
//!     marginalia fuzz-seed restore FILE... -o DIR
//!     marginalia agree FILE... [--json | --csv]
//!
//! `validate` checks native files, document files and project files (schema, offsets, links;
//! every document of a project, its lines prefixed by the document id) and prints one line per
//! problem; it exits 1 when any file has one. `convert --to` reads native document and project
//! files: when they hold several documents in all it writes one corpus file of the format,
//! `project<ending>` (`formats::corpus::export`, the page's project export; for the native
//! format the project file), and when they hold one, or with `--each`, a file per document,
//! `<document id><ending>`. `convert --from` turns files of another format (or project files,
//! `--from native`) into native ones, one per document a file holds (a doccano or Prodigy
//! JSONL has one a line), named `<document id>.marginalia.json`. Output files are named as the
//! page names its downloads, byte for byte the same content. `tag-all` tags every other
//! whole-word occurrence, as the page's "Tag every occurrence" does (`Action::TagAll`). `agree`
//! prints the inter-annotator agreement of the files' layers (`agree.rs`, docs/review.md).

mod agree;
mod convert;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use marginalia_core::formats::{megabytes, native, Bundle, Format, MAX_FILE_BYTES};
use marginalia_core::model::occurrences::fold;
use marginalia_core::model::{Action, Body, Kind, Match, ModelError, State, Timestamp};

const USAGE: &str = "\
usage:
  marginalia validate FILE...
      (native document or project files; exits 1 naming each problem)
  marginalia convert --to FORMAT FILE... [--each] [-o DIR]
      (FILEs are native document or project files; several documents in all make one file
      DIR/project<ending> of FORMAT, e.g. project.spacy.jsonl, project.brat.zip,
      project.marginalia.json; one document, or --each, a file per document,
      <document id><ending>)
  marginalia convert --from FORMAT FILE... [--onto DOCUMENT] [-o DIR]
      (one native file per document each FILE holds, <document id>.marginalia.json; a JSONL
      corpus holds one a line, a project file (--from native) its documents; a W3C file
      without its text is anchored onto DOCUMENT, a native file or a .txt, by its quotes)
  marginalia tag-all [--text TEXT --label LABEL] [--ignore-case] FILE... (-o DIR | --in-place)
      (tags every whole-word occurrence of TEXT as the entity type LABEL; without them, every
      entity's text at its other occurrences, skipping a text tagged with two types; case
      must match unless --ignore-case; writes nothing if any FILE cannot be read or tagged)
  marginalia synth --times N --annotations M [--shape SHAPE] [--seed S] [-o DIR]
      (a benchmark file: the article repeated N times with M pseudo-random annotations;
      SHAPE is article (blank-line paragraphs, the default), lines (a sentence a line,
      single newlines) or paragraph (one paragraph without a line break))
  marginalia synth-corpus --documents N --spans M [--seed S] [-o DIR]
      (a benchmark corpus: a Prodigy JSONL of N documents holding M spans in all,
      DIR/synth-NxM.spacy.jsonl; whole-word, non-overlapping spans in code points)
  marginalia synth-hostile [--format FORMAT] [--bytes N] [-o DIR]
      (hostile files of about N bytes, default 10,000,000: every case, or those of FORMAT)
  marginalia fuzz-seed restore FILE... -o DIR
      (inputs of the restore fuzz target: each native FILE as its stored records)
  marginalia agree FILE... [--json | --csv] [--units]
      (inter-annotator agreement of native document or project files, a layer per file's
      annotator, documents matched by their text; span P/R/F1, Cohen's and Fleiss' κ,
      Krippendorff's α: docs/review.md; --json with span_f1_exact, --units adds the token
      units; exits 1 when a document has one annotator or a file does not read)

formats: ";

fn usage() -> String {
    let keys: Vec<&str> = Format::ALL.iter().map(|f| f.key()).collect();
    format!("{USAGE}{}", keys.join(", "))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("marginalia: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    match args.first().map(String::as_str) {
        Some("validate") => convert::validate(&args[1..]),
        Some("convert") => convert::convert(&args[1..]),
        Some("tag-all") => tag_all(&args[1..]),
        Some("synth") => synth(&args[1..]),
        Some("synth-corpus") => synth_corpus(&args[1..]),
        Some("synth-hostile") => synth_hostile(&args[1..]),
        Some("fuzz-seed") => fuzz_seed(&args[1..]),
        Some("agree") => agree::agree(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{}", usage());
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(usage()),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A path's file name, which names a document a file does not name.
fn name_of(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("document")
}

fn exit(bad: bool) -> ExitCode {
    if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// What `tag-all` tags: one text as one entity type, or every entity's text as its type.
struct TagAll {
    text: Option<(String, String)>,
    how: Match,
}

fn tag_all(args: &[String]) -> Result<ExitCode, String> {
    let (mut text, mut label, mut match_case) = (None, None, true);
    let (mut out_dir, mut in_place, mut files) = (None, false, Vec::new());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--text" => text = Some(it.next().ok_or("--text needs the text to tag")?.clone()),
            "--label" => label = Some(it.next().ok_or("--label needs an entity type")?.clone()),
            "--ignore-case" => match_case = false,
            "--in-place" => in_place = true,
            "-o" | "--out" => {
                out_dir = Some(PathBuf::from(it.next().ok_or("-o needs a directory")?))
            }
            f if f.starts_with('-') => return Err(format!("unknown option {f}\n{}", usage())),
            f => files.push(PathBuf::from(f)),
        }
    }
    let text = match (text, label) {
        (Some(t), Some(_)) if t.trim().is_empty() => return Err(format!("--text is blank: {t:?}")),
        (Some(t), Some(l)) => Some((t, l)),
        (None, None) => None,
        _ => return Err("--text and --label go together".into()),
    };
    if files.is_empty() {
        return Err(usage());
    }
    let out_dir = match (out_dir, in_place) {
        (Some(_), true) => return Err("give either -o DIR or --in-place, not both".into()),
        (None, false) => return Err("tag-all needs -o DIR or --in-place".into()),
        (dir, _) => dir,
    };
    let job = TagAll {
        text,
        how: Match { match_case },
    };
    let now = Timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64),
    );
    // Everything is read and tagged before anything is written: a bad file leaves all as is.
    let mut done: Vec<(PathBuf, PathBuf, String, usize)> = Vec::new();
    let mut bad = false;
    for path in &files {
        match tag_file(path, &job, now) {
            Ok((bundle, tagged, notes)) => {
                let data = native::export(&bundle);
                if data.len() as u64 > MAX_FILE_BYTES {
                    bad = true;
                    eprintln!(
                        "marginalia: {}: with {tagged} more annotations the file would be {}; \
                         Marginalia reads files up to {} MB",
                        path.display(),
                        megabytes(data.len() as u64),
                        MAX_FILE_BYTES / 1_000_000
                    );
                }
                let out = match &out_dir {
                    Some(dir) => dir.join(Format::Native.file_name(&bundle.document.id)),
                    None => path.clone(),
                };
                if let Some((other, _, _, _)) = done.iter().find(|(_, o, _, _)| *o == out) {
                    bad = true;
                    eprintln!(
                        "marginalia: {} and {} would both be written to {}",
                        other.display(),
                        path.display(),
                        out.display()
                    );
                }
                for note in notes {
                    eprintln!("{}: {note}", path.display());
                }
                done.push((path.clone(), out, data, tagged));
            }
            Err(e) => {
                bad = true;
                eprintln!("marginalia: {}: {e}", path.display());
            }
        }
    }
    if bad {
        eprintln!("marginalia: nothing written");
        return Ok(ExitCode::from(1));
    }
    if let Some(dir) = &out_dir {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    for (path, out, data, tagged) in done {
        write_replacing(&out, data.as_bytes())?;
        println!(
            "{}: tagged {tagged} more -> {}",
            path.display(),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a native file, tags what `job` says, and gives the file to write, how many it
/// tagged, and what it skipped.
fn tag_file(
    path: &Path,
    job: &TagAll,
    now: Timestamp,
) -> Result<(Bundle, usize, Vec<String>), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let imported = native::import_bytes(&bytes).map_err(|e| e.to_string())?;
    if let Some(p) = imported.problems.first() {
        return Err(format!(
            "{p} ({} of {} annotations do not read; see marginalia validate)",
            imported.problems.len(),
            imported.total
        ));
    }
    let Bundle {
        document,
        labels,
        annotator,
        annotations,
        status,
    } = imported.bundle;
    let mut state = State::restore(Rc::new(document), labels, annotations, 1)?;
    let before = state.len();
    let mut notes = Vec::new();
    let fail = |e: ModelError| e.to_string();
    match &job.text {
        Some((text, label)) => {
            if !state.labels().entity.contains(label) {
                return Err(ModelError::UnknownLabel(label.clone()).to_string());
            }
            let spans = state.occurrences_of(text, Kind::Entity, Some(label), job.how);
            if let Some(&span) = spans.first() {
                let body = Body::Entity {
                    label: label.clone(),
                };
                let note = String::new();
                let out = state
                    .apply(Action::Create { span, body, note }, now)
                    .map_err(fail)?;
                if spans.len() > 1 {
                    let id = out.created.expect("a created id");
                    let match_case = job.how.match_case;
                    state
                        .apply(Action::TagAll { id, match_case }, now)
                        .map_err(fail)?;
                }
            }
        }
        None => {
            for group in entity_texts(&state, job.how) {
                match group {
                    Ok(id) if !state.occurrences(&id, job.how).map_err(fail)?.is_empty() => {
                        let match_case = job.how.match_case;
                        let out = state
                            .apply(Action::TagAll { id, match_case }, now)
                            .map_err(fail)?;
                        notes.push(out.summary);
                    }
                    Ok(_) => {}
                    Err(skipped) => notes.push(skipped),
                }
            }
        }
    }
    let tagged = state.len() - before;
    let bundle = Bundle {
        status,
        ..Bundle::from_state(&state, &annotator)
    };
    Ok((bundle, tagged, notes))
}

/// Each distinct text tagged as an entity (folded when ignoring case), in text order: the id
/// of its first entity, or why it is skipped when it is tagged with more than one type.
fn entity_texts(state: &State, how: Match) -> Vec<Result<String, String>> {
    let doc = state.document();
    let key = |t: &str| {
        if how.match_case {
            t.to_string()
        } else {
            t.chars().map(fold).collect()
        }
    };
    let mut order: Vec<String> = Vec::new();
    let mut groups: std::collections::HashMap<String, (String, String, Vec<String>)> =
        std::collections::HashMap::new();
    for a in state.annotations() {
        let Body::Entity { label } = &a.body else {
            continue;
        };
        let text = doc.slice(a.span);
        let k = key(text);
        let group = groups.entry(k.clone()).or_insert_with(|| {
            order.push(k);
            (a.id.clone(), text.to_string(), Vec::new())
        });
        if !group.2.contains(label) {
            group.2.push(label.clone());
        }
    }
    order
        .into_iter()
        .map(|k| {
            let (id, text, labels) = groups.remove(&k).expect("grouped");
            if labels.len() == 1 {
                Ok(id)
            } else {
                Err(format!(
                    "“{}” is tagged {}: skipped",
                    marginalia_core::model::state::shorten(&text, 60),
                    labels.join(" and ")
                ))
            }
        })
        .collect()
}

/// Writes `data` to `path` through a file beside it, renamed over it once written whole.
fn write_replacing(path: &Path, data: &[u8]) -> Result<(), String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = path.with_file_name(format!(".{name}.tag-all"));
    std::fs::write(&tmp, data)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("{}: {e}", path.display())
        })
}

fn synth(args: &[String]) -> Result<ExitCode, String> {
    let (mut times, mut count, mut seed) = (1usize, 10usize, 42u64);
    let mut shape = marginalia_core::model::synth::Shape::Article;
    let mut out_dir = PathBuf::from(".");
    let mut it = args.iter();
    let number = |v: Option<&String>, what: &str| -> Result<u64, String> {
        v.and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{what} needs a whole number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--times" => times = number(it.next(), "--times")? as usize,
            "--annotations" => count = number(it.next(), "--annotations")? as usize,
            "--seed" => seed = number(it.next(), "--seed")?,
            "--shape" => {
                let key = it.next().ok_or("--shape needs a shape")?;
                shape = marginalia_core::model::synth::Shape::parse(key)
                    .ok_or_else(|| format!("unknown shape {key}\n{}", usage()))?;
            }
            "-o" | "--out" => out_dir = PathBuf::from(it.next().ok_or("-o needs a directory")?),
            other => return Err(format!("unknown option {other}\n{}", usage())),
        }
    }
    let doc = marginalia_core::model::synth::shaped(shape, times);
    let annotations = marginalia_core::model::synth::annotations(&doc, count, seed);
    let bundle = marginalia_core::formats::Bundle {
        labels: marginalia_core::model::Labels::default(),
        annotator: String::new(),
        annotations,
        document: marginalia_core::model::Document::new(
            format!("{}-{count}", doc.id),
            doc.title.clone(),
            doc.text(),
        ),
        status: Default::default(),
    };
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let path = out_dir.join(Format::Native.file_name(&bundle.document.id));
    std::fs::write(&path, native::export(&bundle))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!(
        "{}: {} code points, {} annotations",
        path.display(),
        bundle.document.len(),
        bundle.annotations.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn synth_corpus(args: &[String]) -> Result<ExitCode, String> {
    let (mut documents, mut spans, mut seed) = (None, None, 42u64);
    let mut out_dir = PathBuf::from(".");
    let mut it = args.iter();
    let number = |v: Option<&String>, what: &str| -> Result<u64, String> {
        v.and_then(|v| v.replace('_', "").parse().ok())
            .ok_or_else(|| format!("{what} needs a whole number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--documents" => documents = Some(number(it.next(), "--documents")? as usize),
            "--spans" => spans = Some(number(it.next(), "--spans")? as usize),
            "--seed" => seed = number(it.next(), "--seed")?,
            "-o" | "--out" => out_dir = PathBuf::from(it.next().ok_or("-o needs a directory")?),
            other => return Err(format!("unknown option {other}\n{}", usage())),
        }
    }
    let documents =
        documents.ok_or_else(|| format!("synth-corpus needs --documents\n{}", usage()))?;
    let spans = spans.ok_or_else(|| format!("synth-corpus needs --spans\n{}", usage()))?;
    if documents == 0 {
        return Err("--documents must be at least 1".into());
    }
    let jsonl = marginalia_core::model::synth::prodigy_corpus(documents, spans, seed);
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let path = out_dir.join(format!(
        "synth-{documents}x{spans}{}",
        Format::Spacy.extension()
    ));
    std::fs::write(&path, &jsonl).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!(
        "{}: {documents} documents, {spans} spans, {} bytes",
        path.display(),
        jsonl.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn synth_hostile(args: &[String]) -> Result<ExitCode, String> {
    let (mut format, mut bytes) = (None, 10_000_000usize);
    let mut out_dir = PathBuf::from(".");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" => {
                let key = it.next().ok_or("--format needs a format")?;
                format = Some(
                    Format::parse(key)
                        .ok_or_else(|| format!("unknown format {key}\n{}", usage()))?,
                );
            }
            "--bytes" => {
                bytes = it
                    .next()
                    .and_then(|v| v.replace('_', "").parse().ok())
                    .ok_or("--bytes needs a whole number")?
            }
            "-o" | "--out" => out_dir = PathBuf::from(it.next().ok_or("-o needs a directory")?),
            other => return Err(format!("unknown option {other}\n{}", usage())),
        }
    }
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let cases = marginalia_core::formats::hostile::CASES
        .iter()
        .filter(|c| format.is_none_or(|f| f == c.format));
    for case in cases {
        let path = out_dir.join(case.file_name());
        let data = case.bytes(bytes);
        std::fs::write(&path, &data).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("{}: {} bytes, {}", path.display(), data.len(), case.aims);
    }
    Ok(ExitCode::SUCCESS)
}

fn fuzz_seed(args: &[String]) -> Result<ExitCode, String> {
    let (mut out_dir, mut files) = (None, Vec::new());
    let mut it = args.iter();
    if it.next().map(String::as_str) != Some("restore") {
        return Err(format!(
            "fuzz-seed makes inputs of the restore target\n{}",
            usage()
        ));
    }
    while let Some(a) = it.next() {
        match a.as_str() {
            "-o" | "--out" => {
                out_dir = Some(PathBuf::from(it.next().ok_or("-o needs a directory")?))
            }
            f => files.push(PathBuf::from(f)),
        }
    }
    let out_dir = out_dir.ok_or("fuzz-seed needs -o DIR")?;
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    for path in &files {
        let input = marginalia_core::formats::fuzzing::restore_input(&read(path)?)
            .ok_or_else(|| format!("{}: not a native file that reads", path.display()))?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("seed");
        let out = out_dir.join(format!("{name}.restore"));
        std::fs::write(&out, input).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
