//! Yew function components, one a file. They render state and turn DOM events into domain
//! values; business rules live in `model`.

mod app;
mod article;
mod paragraph;

pub use app::{App, AppProps};
pub use article::Article;
pub use paragraph::Paragraph;

/// Mounts the app into the page (see [`crate::dom::mount_point`]).
pub fn start() {
    match crate::dom::mount_point() {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => gloo::console::error!("Marginalia: no element to mount the app into"),
    }
}
