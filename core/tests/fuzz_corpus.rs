//! The deterministic pass of the fuzzing (`make test`, native layer): every file the fuzzer
//! saved under `fuzz/corpus/<target>/`, the inputs of what it found (`fuzz/regressions/`,
//! each of which failed before its fix), the golden files, and the third-party corpora in
//! `../shared/corpora/thirdparty/` when present, fed through the targets' functions
//! (`marginalia_core::formats::fuzzing::run`): none may panic, and each must keep every rule.
#![cfg(not(target_arch = "wasm32"))]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use marginalia_core::formats::fuzzing::{restore_input, run, SEPARATOR, TARGETS};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| p.is_file() && p.file_name().is_some_and(|n| n != "SOURCES.md"));
    marginalia_core::model::sort::sort_by(&mut out, |a, b| a.cmp(b));
    out
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The inputs of one target besides its saved corpus: golden files and third-party ones, as
/// the target reads them (brat as text and .ann, restore as stored records).
fn seeds(target: &str, root: &Path, shared: Option<&Path>) -> Vec<(String, Vec<u8>)> {
    let golden = root.join("tests/golden");
    let named = |p: &Path| (p.display().to_string(), read(p));
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let (golden_dir, shared_dir) = match target {
        "native" | "restore" => ("native", None),
        "spacy" => ("spacy", Some("prodigy")),
        "doccano" => ("doccano", Some("doccano")),
        "label-studio" => ("label-studio", Some("label-studio")),
        "w3c" => ("w3c", Some("w3c")),
        "brat" => ("brat", Some("brat")),
        "conll" => ("conll", Some("conll")),
        other => panic!("no seeds for {other}"),
    };
    for p in files(&golden.join(golden_dir)) {
        if target == "restore" {
            let input = restore_input(&read(&p)).expect("golden native files read");
            out.push((p.display().to_string(), input));
        } else {
            out.push(named(&p));
        }
    }
    if let (Some(shared), Some(dir)) = (shared, shared_dir) {
        for p in files(&shared.join(dir)) {
            if target == "brat" {
                // A pair: the .txt, the separator, the .ann.
                if p.extension().is_some_and(|e| e == "ann") {
                    let mut input = read(&p.with_extension("txt"));
                    input.push(SEPARATOR);
                    input.extend(read(&p));
                    out.push((p.display().to_string(), input));
                }
            } else {
                out.push(named(&p));
            }
        }
    }
    out
}

#[test]
fn the_saved_corpus_the_golden_and_the_third_party_files_pass_every_target() {
    // This crate (its golden files), and the repository around it (fuzz/, ../shared/).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = root.parent().expect("core/ sits in the repository");
    let shared = repo.join("../shared/corpora/thirdparty");
    let shared = shared.is_dir().then_some(shared.as_path());
    if shared.is_none() {
        println!("fuzz corpus: ../shared/corpora/thirdparty is absent; golden files and fuzz/corpus only");
    }
    let mut failures = Vec::new();
    let mut count = 0;
    for target in TARGETS {
        let mut inputs = seeds(target, root, shared);
        for dir in ["fuzz/corpus", "fuzz/regressions"] {
            for p in files(&repo.join(dir).join(target)) {
                inputs.push((p.display().to_string(), read(&p)));
            }
        }
        for (name, bytes) in inputs {
            count += 1;
            match catch_unwind(AssertUnwindSafe(|| run(target, &bytes))) {
                Ok(Ok(())) => {}
                Ok(Err(broken)) => failures.push(format!("{target} {name}: {broken}")),
                Err(_) => failures.push(format!("{target} {name}: panicked")),
            }
        }
    }
    println!(
        "fuzz corpus: {count} inputs through {} targets",
        TARGETS.len()
    );
    assert!(
        count > 20,
        "the corpus and seeds were found ({count} inputs)"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
