//! The pure core of Marginalia: documents and positions (annotations and the reducer follow).
//!
//! Nothing here imports a web crate (yew, web-sys, js-sys, gloo, wasm-bindgen); it builds and
//! is tested natively with `cargo test`. `scripts/check-purity.sh` fails the test run otherwise.

pub mod document;
pub mod offsets;

pub use document::Document;
pub use offsets::{Span, TextIndex};
