//! What the command-line tests share: a fresh directory, running the built binary, and the
//! names of the files it wrote.
#![allow(dead_code)] // each test file uses what it needs

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory for one test of the suite `suite`.
pub fn dir(suite: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("marginalia-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The built `marginalia`, run with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The names of the files in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    marginalia_core::model::sort::sort_by(&mut out, |a, b| a.cmp(b));
    out
}
