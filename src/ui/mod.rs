//! Yew function components, one a file. They render state and turn DOM events into domain
//! values and `Msg`s; business rules live in `model`.

mod app;
mod article;
mod details;
mod help;
mod labels_dialog;
mod legend;
mod messages;
mod overview;
mod paragraph;
mod shortcuts;
pub mod store;
mod tag_menu;
mod toolbar;

pub use app::{App, AppProps};
pub use article::Article;
pub use details::Details;
pub use help::Help;
pub use labels_dialog::LabelsDialog;
pub use legend::Legend;
pub use messages::Messages;
pub use overview::Overview;
pub use paragraph::Paragraph;
pub use tag_menu::TagMenu;
pub use toolbar::Toolbar;

/// Mounts the app into the page (see [`crate::dom::mount_point`]).
pub fn start() {
    match crate::dom::mount_point() {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => gloo::console::error!("Marginalia: no element to mount the app into"),
    }
}
