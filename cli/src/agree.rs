//! `marginalia agree FILE...`: inter-annotator agreement (`model::agreement`, defined in
//! docs/review.md) of native document and project files.
//!
//! Every document of every file is a layer, named by the file's `annotator` (the file's name
//! when that is empty); documents are matched across files by the hash of their text (the
//! native format's `document.sha256`), so that the same text under another id still matches.
//! A document only one annotator annotated is listed and left out (exit 1 once the figures are
//! printed); so is a file that does not read. Prints a table, or with `--json` the report as
//! `model::agreement::Report` serialises it (`span_f1_exact` the project's exact span F1 over
//! every pair and kind), or with `--csv` one line per figure.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use marginalia_core::formats::{corpus, sha256_hex, Bundle, Format};
use marginalia_core::model::agreement::{self, Figures, Input, Layer, Measure, Report};

use super::{exit, name_of, read, usage};

#[derive(Clone, Copy, PartialEq)]
enum Output {
    Table,
    Json,
    Csv,
}

pub fn agree(args: &[String]) -> Result<ExitCode, String> {
    let (mut output, mut units, mut files) = (Output::Table, false, Vec::new());
    for a in args {
        match a.as_str() {
            "--json" => output = Output::Json,
            "--csv" => output = Output::Csv,
            "--units" => units = true,
            f if f.starts_with('-') => return Err(format!("unknown option {f}\n{}", usage())),
            f => files.push(f.to_string()),
        }
    }
    if files.is_empty() {
        return Err(format!("agree needs files to compare\n{}", usage()));
    }
    let mut bad = false;
    // Every document read, with the file it came from.
    let mut read_in: Vec<(String, Bundle)> = Vec::new();
    for file in &files {
        let path = Path::new(file);
        let bytes = read(path)?;
        let corpus = match corpus::import(Format::Native, &bytes, name_of(path)) {
            Ok(c) => c,
            Err(e) => {
                bad = true;
                eprintln!("marginalia: {file}: {e}");
                continue;
            }
        };
        for r in &corpus.refused {
            bad = true;
            eprintln!("marginalia: {file}: {}: {} (left out)", r.place, r.message);
        }
        for d in corpus.documents {
            if let Some(p) = d.problems.first() {
                bad = true;
                eprintln!(
                    "marginalia: {file}: {}: {p} ({} of {} annotations do not read; see \
                     marginalia validate; the document is left out)",
                    d.bundle.document.id,
                    d.problems.len(),
                    d.total
                );
                continue;
            }
            let mut bundle = d.bundle;
            if bundle.annotator.is_empty() {
                bundle.annotator = name_of(path).to_string();
            }
            read_in.push((file.clone(), bundle));
        }
    }
    // Documents by text hash, in the order first seen.
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, (_, b)) in read_in.iter().enumerate() {
        let hash = sha256_hex(b.document.text());
        groups
            .entry(hash.clone())
            .or_insert_with(|| {
                order.push(hash);
                Vec::new()
            })
            .push(i);
    }
    let mut inputs: Vec<Input<'_>> = Vec::new();
    let mut hashes: Vec<&str> = Vec::new();
    let mut alone: Vec<String> = Vec::new();
    for hash in &order {
        let members = &groups[hash];
        let mut by: HashMap<&str, &str> = HashMap::new();
        let mut twice = None;
        for &i in members {
            let (file, b) = &read_in[i];
            if let Some(other) = by.insert(&b.annotator, file) {
                twice = Some((b, other, file));
            }
        }
        if let Some((b, other, file)) = twice {
            return Err(format!(
                "document “{}” is annotated by {} in both {other} and {file}: give one layer \
                 per annotator",
                b.document.id, b.annotator
            ));
        }
        if members.len() < 2 {
            let (file, b) = &read_in[members[0]];
            alone.push(format!(
                "  {file}: “{}” (sha256 {}…), annotated by {} only",
                b.document.id,
                &hash[..12],
                b.annotator
            ));
            continue;
        }
        let first = &read_in[members[0]].1;
        inputs.push(Input {
            document: &first.document,
            sha256: hash,
            layers: members
                .iter()
                .map(|&i| Layer {
                    annotator: &read_in[i].1.annotator,
                    annotations: &read_in[i].1.annotations,
                })
                .collect(),
        });
        hashes.push(hash);
    }
    if !alone.is_empty() {
        bad = true;
        eprintln!(
            "marginalia: {} one annotator and left out (agreement needs two layers of the same \
             text):\n{}",
            match alone.len() {
                1 => "1 document has".to_string(),
                n => format!("{n} documents have"),
            },
            alone.join("\n")
        );
    }
    if inputs.is_empty() {
        return Err(
            "no document is annotated by two annotators: nothing to compare (documents are \
             matched by their text)"
                .into(),
        );
    }
    let scale = read_in
        .first()
        .map(|(_, b)| b.labels.checkworthiness.clone())
        .unwrap_or_default();
    let report = agreement::agree(&inputs, &scale)?;
    let text = match output {
        Output::Json => agreement::json(&report, units.then_some(inputs.as_slice())),
        Output::Csv => agreement::csv(&report),
        Output::Table => table(&report),
    };
    print!("{text}");
    Ok(exit(bad))
}

/// "1 document", "2 documents".
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.3}"))
}

fn measure(m: &Measure) -> String {
    format!("{} ({})", num(m.value), m.units)
}

fn figures_table(out: &mut String, f: &Figures) {
    let _ = writeln!(
        out,
        "  {:<18} {:<22} {:>7} {:>7} {:>7} {:>10} {:>16}",
        "scope", "pair (reference a)", "P", "R", "F1", "overlap F1", "Cohen κ (tokens)"
    );
    for s in &f.scopes {
        for p in &s.pairs {
            let _ = writeln!(
                out,
                "  {:<18} {:<22} {:>7} {:>7} {:>7} {:>10} {:>16}",
                s.scope,
                format!("{} / {}", p.a, p.b),
                num(p.exact.precision),
                num(p.exact.recall),
                num(p.exact.f1),
                num(p.overlap.f1),
                measure(&p.cohen_kappa)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n  {:<18} {:>16} {:>16} {:>18} {:>18}",
        "scope", "exact F1 (spans)", "overlap F1", "Fleiss κ (tokens)", "α nominal (tokens)"
    );
    for s in &f.scopes {
        let o = &s.overall;
        let _ = writeln!(
            out,
            "  {:<18} {:>16} {:>16} {:>18} {:>18}",
            s.scope,
            measure(&o.exact_f1),
            measure(&o.overlap_f1),
            measure(&o.fleiss_kappa),
            measure(&o.alpha_nominal)
        );
    }
    let _ = writeln!(
        out,
        "\n  check-worthiness α ordinal (tokens): {}",
        measure(&f.checkworthiness_alpha)
    );
    for r in &f.relations {
        let _ = writeln!(
            out,
            "  relations {} / {}: {} of {} and {} agree, F1 {}",
            r.a,
            r.b,
            r.agreed,
            r.a_relations,
            r.b_relations,
            num(r.f1)
        );
    }
    for a in &f.attributes {
        let _ = writeln!(
            out,
            "  attribute {} {} / {}: {} of {} matched spans agree ({})",
            a.attribute,
            a.a,
            a.b,
            a.agreed,
            a.units,
            num(a.agreement)
        );
    }
    if !f.confusion.is_empty() {
        let _ = writeln!(
            out,
            "\n  entity types of matched spans (a's type × b's type, – unmatched):"
        );
        for c in &f.confusion {
            let _ = writeln!(
                out,
                "  {} / {}: {} × {}: {}",
                c.a,
                c.b,
                c.a_label.as_deref().unwrap_or("–"),
                c.b_label.as_deref().unwrap_or("–"),
                c.count
            );
        }
    }
}

fn table(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} annotators ({}), {} compared; exact span F1 {}\n\nproject",
        r.annotators.len(),
        r.annotators.join(", "),
        count(r.documents.len(), "document"),
        num(r.span_f1_exact)
    );
    figures_table(&mut out, &r.project);
    let _ = writeln!(
        out,
        "\ndocuments\n  {:<24} {:<24} {:>16} {:>16} {:>18}",
        "id", "annotators", "exact F1 (spans)", "overlap F1", "α nominal (tokens)"
    );
    for d in &r.documents {
        let o = &d.figures.scopes[0].overall;
        let _ = writeln!(
            out,
            "  {:<24} {:<24} {:>16} {:>16} {:>18}",
            d.id,
            d.figures.annotators.join(", "),
            measure(&o.exact_f1),
            measure(&o.overlap_f1),
            measure(&o.alpha_nominal)
        );
    }
    out
}
