//! Shared helpers for format tests: a fixed sample state over the article, golden files.

use std::rc::Rc;

use super::Bundle;
use crate::model::{Action, Body, Document, Party, Span, State, Timestamp};

pub const T0: Timestamp = Timestamp(1_733_635_800_000);

/// The span of the first `needle` in `doc`, in code points.
pub fn find(doc: &Document, needle: &str) -> Span {
    let byte = doc.text().find(needle).expect("needle");
    let start = doc.text()[..byte].chars().count();
    Span::new(start, start + needle.chars().count())
}

/// A fixed state over the article: an entity, a quote with a linked speaker and a cue, a
/// claim with a named claimant, a nested entity, a note with HTML in it.
pub fn sample_state() -> State {
    let doc = Rc::new(Document::default_article());
    let mut s = State::new(doc.clone());
    let mut create = |span: Span, body: Body, note: &str| {
        s.apply(
            Action::Create {
                span,
                body,
                note: note.into(),
            },
            T0,
        )
        .unwrap()
        .created
        .unwrap()
    };
    let hts = create(
        find(&doc, "Hayat Tahrir al-Sham"),
        Body::Entity {
            label: "ORG".into(),
        },
        "",
    );
    let rebels = create(
        find(&doc, "Rebel forces"),
        Body::Entity {
            label: "ORG".into(),
        },
        "",
    );
    let quote_text = "“After 50 years of oppression under the Baath Party regime and 13 years of crimes, tyranny and (forced) displacement… we announce today, 12/8/2024, the end of this dark period and the beginning of a new era for Syria,”";
    let quote = create(
        find(&doc, quote_text),
        Body::Quote {
            speaker: Some(Party::Ref(rebels.clone())),
            cue: Some(find(&doc, "stated")),
            direct: true,
        },
        "",
    );
    create(
        find(&doc, "Baath Party"),
        Body::Entity {
            label: "NORP".into(),
        },
        "<b>not bold</b> & “quoted”",
    );
    create(
        find(
            &doc,
            "President Bashar al-Assad is reported to have fled and is missing",
        ),
        Body::Claim {
            claimant: Some(Party::Name("unnamed officials".into())),
            checkworthiness: Some("CFS".into()),
        },
        "",
    );
    let _ = (hts, quote);
    s
}

pub fn bundle_of(state: &State) -> Bundle {
    Bundle::from_state(state, "A. Researcher")
}

pub fn golden_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares with a golden file; `UPDATE_GOLDEN=1 cargo test` rewrites it.
pub fn assert_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}; run UPDATE_GOLDEN=1 cargo test",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the export; if the change is intended, run UPDATE_GOLDEN=1 cargo test",
        path.display()
    );
}
