//! What the integration tests share: where `../shared/corpora/thirdparty/` is.

use std::path::{Path, PathBuf};

/// `../shared/corpora/thirdparty/<sub>`, or `None` after one line saying that `what` is
/// skipped because it is absent.
pub fn thirdparty(sub: &str, what: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpora/thirdparty")
        .join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("{what}: {} is absent; skipped", dir.display());
        None
    }
}

/// The stems of the six brat `.txt`/`.ann` pairs in `brat/`.
#[allow(dead_code)] // each test crate includes this module, not each uses everything
pub const BRAT_PAIRS: [&str; 6] = [
    "CRAFT_16507151",
    "TDT_wn071",
    "bio_110-note_annotation",
    "medkit_1_example",
    "medkit_doc_01",
    "news_000-introduction",
];
