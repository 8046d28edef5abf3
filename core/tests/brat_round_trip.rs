//! The six brat pairs of `../shared/corpora/thirdparty/brat/` (MANIFEST.md) read with nothing
//! left out, and written back as the same `T`/`R`/`E`/`A`/`N`/`#` lines up to ids and order,
//! directly and through the native format. Skipped, with one line saying so, where
//! `../shared/` is absent.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use marginalia_core::formats::{brat, native, Bundle};
use marginalia_core::model::sort;

mod common;

fn shared() -> Option<PathBuf> {
    common::thirdparty("brat", "brat round trip")
}

use common::BRAT_PAIRS as PAIRS;

/// The lines of an `.ann` with every id replaced by what it stands for (a T by its type,
/// offsets and text; an E, R by their own canonical form), so that two files that differ only
/// in ids and line order give the same sorted list. Trailing whitespace after an R or E line's
/// arguments (brat writes a tab there) is not part of a line.
fn canonical(ann: &str) -> Vec<String> {
    let lines: Vec<(&str, &str)> = ann
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_once('\t').expect("an id and a tab"))
        .collect();
    let by_id: HashMap<&str, &str> = lines.iter().copied().collect();
    fn of(id: &str, by_id: &HashMap<&str, &str>, depth: usize) -> String {
        assert!(depth < 8, "a cycle of ids at {id}");
        let rest = by_id.get(id).unwrap_or_else(|| panic!("no line {id}"));
        let data = rest.split('\t').next().unwrap();
        let args = |s: &str| -> String {
            s.split_whitespace()
                .map(|p| match p.split_once(':') {
                    Some((r, a)) if by_id.contains_key(a) => {
                        format!("{r}:[{}]", of(a, by_id, depth + 1))
                    }
                    _ => p.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        match &id[..1] {
            "T" => format!("T {rest}"),
            "E" => format!("E {}", args(data)),
            "R" => {
                let (ty, tail) = data.split_once(' ').unwrap();
                let mut a: Vec<String> = vec![ty.to_string(), args(tail)];
                a.retain(|s| !s.is_empty());
                format!("R {}", a.join(" "))
            }
            _ => {
                let mut parts = data.split(' ');
                let ty = parts.next().unwrap();
                let target = parts.next().unwrap();
                let value: Vec<&str> = parts.collect();
                let text = rest.split_once('\t').map_or("", |(_, t)| t);
                format!(
                    "{} {ty} [{}] {} \t{text}",
                    &id[..1],
                    of(target, by_id, depth + 1),
                    value.join(" ")
                )
            }
        }
    }
    let mut out: Vec<String> = lines.iter().map(|(id, _)| of(id, &by_id, 0)).collect();
    sort::sort_by(&mut out, |a, b| a.cmp(b));
    out
}

fn read(dir: &Path, pair: &str) -> (String, String) {
    let txt = std::fs::read_to_string(dir.join(format!("{pair}.txt"))).unwrap();
    let ann = std::fs::read_to_string(dir.join(format!("{pair}.ann"))).unwrap();
    (txt, ann)
}

#[test]
fn the_six_brat_pairs_round_trip_losslessly() {
    let Some(dir) = shared() else { return };
    for pair in PAIRS {
        let (txt, ann) = read(&dir, pair);
        let imported = brat::import_text(pair, &txt, &ann).unwrap();
        assert_eq!(imported.problems, vec![], "{pair}: nothing left out");
        let out = brat::export_ann(&imported.bundle);
        let (want, got) = (canonical(&ann), canonical(&out));
        let missing: Vec<&String> = want.iter().filter(|l| !got.contains(l)).collect();
        let extra: Vec<&String> = got.iter().filter(|l| !want.contains(l)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{pair}: lines lost {missing:#?}\nlines added {extra:#?}"
        );
        assert_eq!(want.len(), got.len(), "{pair}");
        // Through the native format: the same bundle back, and the same .ann.
        let text = native::export(&imported.bundle);
        let again = native::import(&text).unwrap();
        assert_eq!(again.problems, vec![], "{pair}: native");
        assert_eq!(
            again.bundle.annotations, imported.bundle.annotations,
            "{pair}: native round trip"
        );
        assert_eq!(brat::export_ann(&again.bundle), out, "{pair}: via native");
    }
}

/// (T, R, E, A, N, #) of a bundle as the model holds them: text-bound annotations, relations,
/// events, attributes (on annotations, relations, events), normalisations, notes (annotator
/// notes on annotations, relations and events, and typed notes).
fn held(b: &Bundle) -> [usize; 6] {
    let mut n = [0; 6];
    for a in &b.annotations {
        let e = a.extra();
        n[0] += 1;
        n[1] += e.relations.len();
        n[2] += usize::from(e.event.is_some());
        n[3] += e.attributes.len()
            + e.relations
                .iter()
                .map(|r| r.attributes.len())
                .sum::<usize>()
            + e.event.as_ref().map_or(0, |ev| ev.attributes.len());
        n[4] += e.norms.len();
        n[5] += usize::from(!a.note.is_empty())
            + e.notes.len()
            + e.relations.iter().filter(|r| !r.note.is_empty()).count()
            + e.event
                .as_ref()
                .map_or(0, |ev| usize::from(!ev.note.is_empty()));
    }
    n
}

#[test]
fn the_brat_pairs_give_what_the_manifest_counts() {
    let Some(dir) = shared() else { return };
    // T, R, E, A, N, # from MANIFEST.md.
    let expected = [
        ("news_000-introduction", [7, 2, 1, 5, 1, 1]),
        ("bio_110-note_annotation", [14, 2, 2, 0, 0, 3]),
        ("TDT_wn071", [74, 72, 0, 227, 0, 74]),
        ("CRAFT_16507151", [368, 0, 0, 0, 0, 368]),
        ("medkit_1_example", [7, 2, 0, 3, 0, 3]),
        ("medkit_doc_01", [5, 1, 0, 1, 0, 0]),
    ];
    for (pair, counts) in expected {
        let (txt, ann) = read(&dir, pair);
        let b = brat::import_text(pair, &txt, &ann).unwrap().bundle;
        assert_eq!(held(&b), counts, "{pair}");
    }
    // The discontinuous spans: vitamins D and E share "vitamins" (251..259) with their letter.
    let (txt, ann) = read(&dir, "medkit_1_example");
    let b = brat::import_text("m", &txt, &ann).unwrap().bundle;
    let frags: Vec<Vec<(usize, usize)>> = b
        .annotations
        .iter()
        .filter(|a| !a.extra().fragments.is_empty())
        .map(|a| a.fragments().iter().map(|f| (f.start, f.end)).collect())
        .collect();
    assert_eq!(
        frags,
        [vec![(251, 259), (263, 264)], vec![(251, 259), (266, 267)]]
    );
}
