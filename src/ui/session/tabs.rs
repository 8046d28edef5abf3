//! Other tabs of this browser: each tab announces its saves on a broadcast channel
//! ([`crate::dom::tabs`]), and a save of the document open here by another tab, newer than what
//! this tab last read or wrote, asks the person which version to keep (the save queue then
//! refuses to write over it: [`super::queue`]).

use super::*;

/// Listens, for as long as the page lives, for other tabs' saves of the open document.
pub(super) fn listen(session: &SessionRef, latest: &LatestStore) {
    let (latest, session2) = (latest.clone(), session.clone());
    let channel = Channel::open(move |saved: Saved| {
        let (me, open) = {
            let s = session2.borrow();
            (s.tab.clone(), s.serial)
        };
        let store = latest.borrow().clone();
        let doc = store.state().document().id.clone();
        if saved.tab != me && saved.doc == doc && saved.serial > open {
            store.dispatch(Msg::Ask(Some(Dialog::Conflict {
                while_saving: false,
            })));
        }
    });
    session.borrow_mut().channel = channel;
}
