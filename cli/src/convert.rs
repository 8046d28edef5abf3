//! `marginalia validate` and `marginalia convert`: native document and project files checked,
//! and files converted to and from the other formats, a file per document or (`convert --to`
//! of several documents) one corpus file, as the page writes them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use marginalia_core::formats::{corpus, project, Bundle, Format};

use super::{exit, name_of, read, usage};

pub fn validate(files: &[String]) -> Result<ExitCode, String> {
    if files.is_empty() {
        return Err(usage());
    }
    let mut bad = false;
    for file in files {
        let path = Path::new(file);
        let bytes = read(path)?;
        let corpus = match corpus::import(Format::Native, &bytes, name_of(path)) {
            Err(e) => {
                bad = true;
                println!("{file}: {e}");
                continue;
            }
            Ok(c) => c,
        };
        // A project file's lines say which document; a document file's are the file's.
        let project = project::looks_like(&bytes);
        let mut wrong = false;
        for r in &corpus.refused {
            wrong = true;
            println!("{file}: {}: {}", r.place, r.message);
        }
        for d in &corpus.documents {
            let at = if project {
                format!("{file}: {}", d.bundle.document.id)
            } else {
                file.clone()
            };
            // A project's notes say an id was repeated: not a file Marginalia writes.
            for line in d
                .problems
                .iter()
                .map(|p| p.to_string())
                .chain(d.notes.clone())
            {
                wrong = true;
                println!("{at}: {line}");
            }
        }
        bad |= wrong;
        if !wrong {
            let annotations: usize = corpus.documents.iter().map(|d| d.total).sum();
            if project {
                let n = corpus.documents.len();
                eprintln!("{file}: ok, {n} documents, {annotations} annotations");
            } else {
                eprintln!("{file}: ok, {annotations} annotations");
            }
        }
    }
    Ok(exit(bad))
}

pub fn convert(args: &[String]) -> Result<ExitCode, String> {
    let mut to = None;
    let mut from = None;
    let mut each = false;
    let mut out_dir = PathBuf::from(".");
    let mut onto = None;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--onto" => onto = Some(PathBuf::from(it.next().ok_or("--onto needs a file")?)),
            "--to" => to = Some(it.next().ok_or("--to needs a format")?.clone()),
            "--from" => from = Some(it.next().ok_or("--from needs a format")?.clone()),
            "--each" => each = true,
            "-o" | "--out" => out_dir = PathBuf::from(it.next().ok_or("-o needs a directory")?),
            f if f.starts_with('-') => return Err(format!("unknown option {f}\n{}", usage())),
            f => files.push(PathBuf::from(f)),
        }
    }
    if files.is_empty() {
        return Err(usage());
    }
    let parse =
        |key: &str| Format::parse(key).ok_or_else(|| format!("unknown format {key}\n{}", usage()));
    match (from, to) {
        (Some(_), Some(_)) => Err("give either --to or --from, not both".into()),
        (None, None) => Err(format!("convert needs --to or --from\n{}", usage())),
        (None, Some(t)) => {
            let target = parse(&t)?;
            create_dir(&out_dir)?;
            convert_to(target, &files, &out_dir, each)
        }
        (Some(f), None) => {
            let source = parse(&f)?;
            if !source.can_import() {
                return Err(format!(
                    "{} files cannot be read, only written",
                    source.key()
                ));
            }
            let open = onto.as_deref().map(open_document).transpose()?;
            create_dir(&out_dir)?;
            convert_from(source, &files, &out_dir, open.as_ref())
        }
    }
}

/// The document of `--onto`: a native document file, or a plain text (named by its stem).
fn open_document(path: &Path) -> Result<marginalia_core::model::Document, String> {
    let bytes = read(path)?;
    if marginalia_core::formats::native::import_bytes(&bytes).is_err()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
    {
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{}: the text is not UTF-8", path.display()))?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("document");
        return Ok(marginalia_core::model::Document::new(stem, stem, text));
    }
    marginalia_core::formats::native::import_bytes(&bytes)
        .map(|imported| imported.bundle.document)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn create_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

/// `convert --to`: the documents of native files (document files and project files). Several
/// documents in all are one corpus file of the target format, `project<ending>`, as the page's
/// project export names it; one document (or any number with `--each`) a file each,
/// `<document id><ending>`. What cannot be read is printed, and the rest written.
fn convert_to(
    target: Format,
    files: &[PathBuf],
    out_dir: &Path,
    each: bool,
) -> Result<ExitCode, String> {
    let mut bad = false;
    let mut documents = Vec::new();
    for path in files {
        let shown = path.display().to_string();
        match corpus::import(Format::Native, &read(path)?, name_of(path)) {
            Err(e) => {
                bad = true;
                println!("{shown}: {e}");
            }
            Ok(c) => bad |= keep(&shown, c, &mut documents),
        }
    }
    if each || documents.len() == 1 {
        bad |= write_each(target, documents, out_dir)?;
        return Ok(exit(bad));
    }
    if documents.is_empty() {
        return Ok(exit(bad));
    }
    let out = out_dir.join(target.corpus_file_name());
    let bundles: Vec<Bundle> = documents.into_iter().map(|(_, b)| b).collect();
    match corpus::export(target, &bundles) {
        Ok(bytes) => {
            std::fs::write(&out, bytes).map_err(|e| format!("{}: {e}", out.display()))?;
            eprintln!("{} documents -> {}", bundles.len(), out.display());
        }
        Err(why) => {
            bad = true;
            println!("{}: not written: {why}", out.display());
        }
    }
    Ok(exit(bad))
}

/// `convert --from`: every document each file holds (a corpus of a line per document, a
/// project file, say), one native file per document, `<document id>.marginalia.json`. A part
/// of a file that gives no document, and a document with annotations it cannot keep, is
/// printed and not written; the others are.
fn convert_from(
    source: Format,
    files: &[PathBuf],
    out_dir: &Path,
    open: Option<&marginalia_core::model::Document>,
) -> Result<ExitCode, String> {
    // brat's .txt and .ann files given as they are (not zipped) are read together, as the
    // page reads files picked together: a pair a document.
    let loose = |p: &PathBuf| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("ann"))
    };
    let (loose, zipped): (Vec<&PathBuf>, Vec<&PathBuf>) = if source == Format::Brat {
        files.iter().partition(|p| loose(p))
    } else {
        (Vec::new(), files.iter().collect())
    };
    let mut reads: Vec<(String, Result<corpus::Corpus, String>)> = Vec::new();
    if !loose.is_empty() {
        let mut picked = Vec::with_capacity(loose.len());
        for path in &loose {
            picked.push((name_of(path).to_string(), read(path)?));
        }
        let names: Vec<String> = loose.iter().map(|p| p.display().to_string()).collect();
        reads.push((
            names.join(", "),
            corpus::import_files(&picked).map_err(|e| e.to_string()),
        ));
    }
    for path in zipped {
        let read = corpus::import_onto(source, &read(path)?, name_of(path), open)
            .map_err(|e| e.to_string());
        reads.push((path.display().to_string(), read));
    }
    let mut bad = false;
    let mut documents = Vec::new();
    for (path, corpus) in reads {
        match corpus {
            Ok(c) => bad |= keep(&path, c, &mut documents),
            Err(e) => {
                bad = true;
                println!("{path}: {e}");
            }
        }
    }
    bad |= write_each(Format::Native, documents, out_dir)?;
    Ok(exit(bad))
}

/// Adds the documents a file at `path` gave to `documents`, each with where it came from
/// (`path (id)` in a file of several); prints its refused parts and its documents' notes and
/// problems, leaving out a document with problems. Returns whether anything was printed as
/// wrong.
fn keep(path: &str, corpus: corpus::Corpus, documents: &mut Vec<(String, Bundle)>) -> bool {
    let mut bad = false;
    let many = corpus.documents.len() > 1 || !corpus.refused.is_empty();
    for r in &corpus.refused {
        bad = true;
        println!("{path}: {}: {}", r.place, r.message);
    }
    for imported in corpus.documents {
        let id = &imported.bundle.document.id;
        // In a corpus, say which document; a file of one is the document.
        let at = if many {
            format!("{path} ({id})")
        } else {
            path.to_string()
        };
        for n in &imported.notes {
            eprintln!("{at}: {n}");
        }
        if !imported.problems.is_empty() {
            bad = true;
            for p in &imported.problems {
                println!("{at}: {p}");
            }
            continue;
        }
        documents.push((at, imported.bundle));
    }
    bad
}

/// Writes each document as its own file of `target`, `<document id><ending>`; a second
/// document of a file name written already is printed, not written over the first. Returns
/// whether one was.
fn write_each(
    target: Format,
    documents: Vec<(String, Bundle)>,
    out_dir: &Path,
) -> Result<bool, String> {
    let mut bad = false;
    let mut written: HashMap<PathBuf, String> = HashMap::new();
    for (at, bundle) in documents {
        let out = out_dir.join(target.file_name(&bundle.document.id));
        if let Some(earlier) = written.get(&out) {
            bad = true;
            println!(
                "{at}: {} was written from {earlier} already; not overwritten",
                out.display()
            );
            continue;
        }
        std::fs::write(&out, target.export(&bundle))
            .map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!("{at} -> {}", out.display());
        written.insert(out, at);
    }
    Ok(bad)
}
