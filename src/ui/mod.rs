//! Yew function components, one a file. They render state and turn DOM events into domain
//! values and `Msg`s; business rules live in `model`.

mod app;
mod article;
mod block;
mod busy;
mod conflict_dialog;
mod corpus_dialog;
mod details;
mod docbar;
mod documents;
mod help;
mod hint;
mod import_dialog;
mod labels_dialog;
mod legend;
mod links;
mod messages;
mod notices;
mod offline;
mod open_text;
mod overview;
mod overview_row;
mod review;
mod schema_fields;
pub mod session;
mod shortcuts;
pub mod store;
mod tag_menu;
mod toolbar;
mod viewport;

pub use app::{App, AppProps};
pub use article::Article;
pub use block::Block;
pub use busy::BusyBar;
pub use conflict_dialog::ConflictDialog;
pub use corpus_dialog::{CorpusAsk, CorpusSummary};
pub use details::Details;
pub use docbar::DocBar;
pub use documents::Documents;
pub use help::Help;
pub use hint::Hint;
pub use import_dialog::{Ask, ImportDialog};
pub use labels_dialog::LabelsDialog;
pub use legend::Legend;
pub use links::Links;
pub use messages::Messages;
pub use open_text::OpenText;
pub use overview::Overview;
pub use tag_menu::TagMenu;
pub use toolbar::Toolbar;

/// Mounts the app into the page (see [`crate::dom::mount_point`]).
pub fn start() {
    // Before the renderer, which would install its own hook otherwise.
    yew::set_custom_panic_hook(Box::new(|info| {
        crate::dom::crash::report(&info.to_string())
    }));
    match crate::dom::mount_point() {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => gloo::console::error!("Marginalia: no element to mount the app into"),
    }
}
