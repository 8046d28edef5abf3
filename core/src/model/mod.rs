//! The pure core of Marginalia: documents, positions, annotations, and the reducer.
//!
//! Nothing here imports a web crate (yew, web-sys, js-sys, gloo, wasm-bindgen); it builds and
//! is tested natively with `cargo test`. `scripts/check-purity.sh` fails the test run otherwise.

pub mod agreement;
pub mod annotation;
pub mod blanks;
pub mod catalog;
pub mod document;
pub mod labels;
pub mod links;
#[cfg(test)]
pub mod markup;
pub mod occurrences;
pub mod offsets;
pub mod restore;
pub mod segments;
pub mod sort;
pub mod state;
pub mod status;
pub mod synth;
pub mod time;
pub mod words;

pub use annotation::{Annotation, Body, Kind, Party};
pub use document::Document;
pub use labels::Labels;
pub use occurrences::Match;
pub use offsets::{Span, TextIndex};
pub use state::{Action, ModelError, Outcome, State};
pub use status::Status;
pub use time::Timestamp;
