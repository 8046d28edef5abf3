//! The command-line tool: the same converters as the page, for pipelines.
//!
//!     marginalia validate FILE…
//!     marginalia convert --to FORMAT FILE… [-o DIR]
//!     marginalia convert --from FORMAT FILE… [-o DIR]
//!     marginalia synth --times N --annotations M [--shape SHAPE] [--seed S] [-o DIR]
//!     marginalia synth-hostile [--format FORMAT] [--bytes N] [-o DIR]
//!     marginalia fuzz-seed restore FILE... -o DIR
//!
//! `validate` checks native files (schema, offsets, links) and prints one line per problem;
//! it exits 1 when any file has one. `convert --to` writes each native file in another format;
//! `convert --from` turns files of another format into native ones. Output files are named as
//! the page names its downloads, byte for byte the same content.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use marginalia::formats::{native, Format};

const USAGE: &str = "\
usage:
  marginalia validate FILE...
  marginalia convert --to FORMAT FILE... [-o DIR]
  marginalia convert --from FORMAT FILE... [-o DIR]
  marginalia synth --times N --annotations M [--shape SHAPE] [--seed S] [-o DIR]
      (a benchmark file: the article repeated N times with M pseudo-random annotations;
      SHAPE is article (blank-line paragraphs, the default), lines (a sentence a line,
      single newlines) or paragraph (one paragraph without a line break))
  marginalia synth-hostile [--format FORMAT] [--bytes N] [-o DIR]
      (hostile files of about N bytes, default 10,000,000: every case, or those of FORMAT)
  marginalia fuzz-seed restore FILE... -o DIR
      (inputs of the restore fuzz target: each native FILE as its stored records)

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
        Some("validate") => validate(&args[1..]),
        Some("convert") => convert(&args[1..]),
        Some("synth") => synth(&args[1..]),
        Some("synth-hostile") => synth_hostile(&args[1..]),
        Some("fuzz-seed") => fuzz_seed(&args[1..]),
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

fn validate(files: &[String]) -> Result<ExitCode, String> {
    if files.is_empty() {
        return Err(usage());
    }
    let mut bad = false;
    for file in files {
        let path = Path::new(file);
        match native::import_bytes(&read(path)?) {
            Err(e) => {
                bad = true;
                println!("{file}: {e}");
            }
            Ok(imported) if !imported.problems.is_empty() => {
                bad = true;
                for p in &imported.problems {
                    println!("{file}: {p}");
                }
            }
            Ok(imported) => {
                eprintln!("{file}: ok, {} annotations", imported.total);
            }
        }
    }
    Ok(if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn convert(args: &[String]) -> Result<ExitCode, String> {
    let mut to = None;
    let mut from = None;
    let mut out_dir = PathBuf::from(".");
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--to" => to = Some(it.next().ok_or("--to needs a format")?.clone()),
            "--from" => from = Some(it.next().ok_or("--from needs a format")?.clone()),
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
    let (source, target) = match (from, to) {
        (Some(_), Some(_)) => return Err("give either --to or --from, not both".into()),
        (None, Some(t)) => (Format::Native, parse(&t)?),
        (Some(f), None) => (parse(&f)?, Format::Native),
        (None, None) => return Err(format!("convert needs --to or --from\n{}", usage())),
    };
    if !source.can_import() {
        return Err(format!(
            "{} files cannot be read, only written",
            source.key()
        ));
    }
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let mut bad = false;
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("document");
        let imported = match source.import(&read(path)?, name) {
            Ok(i) => i,
            Err(e) => {
                bad = true;
                println!("{}: {e}", path.display());
                continue;
            }
        };
        if !imported.problems.is_empty() {
            bad = true;
            for p in &imported.problems {
                println!("{}: {p}", path.display());
            }
            continue;
        }
        let out = out_dir.join(target.file_name(&imported.bundle.document.id));
        std::fs::write(&out, target.export(&imported.bundle))
            .map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!("{} -> {}", path.display(), out.display());
    }
    Ok(if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn synth(args: &[String]) -> Result<ExitCode, String> {
    let (mut times, mut count, mut seed) = (1usize, 10usize, 42u64);
    let mut shape = marginalia::model::synth::Shape::Article;
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
                shape = marginalia::model::synth::Shape::parse(key)
                    .ok_or_else(|| format!("unknown shape {key}\n{}", usage()))?;
            }
            "-o" | "--out" => out_dir = PathBuf::from(it.next().ok_or("-o needs a directory")?),
            other => return Err(format!("unknown option {other}\n{}", usage())),
        }
    }
    let doc = marginalia::model::synth::shaped(shape, times);
    let annotations = marginalia::model::synth::annotations(&doc, count, seed);
    let bundle = marginalia::formats::Bundle {
        labels: marginalia::model::Labels::default(),
        annotator: String::new(),
        annotations,
        document: marginalia::model::Document::new(
            format!("{}-{count}", doc.id),
            doc.title.clone(),
            doc.text(),
        ),
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
    let cases = marginalia::formats::hostile::CASES
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
        let input = marginalia::formats::fuzzing::restore_input(&read(path)?)
            .ok_or_else(|| format!("{}: not a native file that reads", path.display()))?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("seed");
        let out = out_dir.join(format!("{name}.restore"));
        std::fs::write(&out, input).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
