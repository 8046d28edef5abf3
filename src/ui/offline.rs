//! Offline and installable, as the page shows it: a banner while the browser is offline (the
//! work goes on: everything is in this browser), and one when a new version of Marginalia is
//! installed, with Reload, which first writes what is not saved yet. Banners, not live
//! regions: the page's one status region (`Messages`) announces both changes.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use super::session::{self, SessionCtx, SessionRef};
use super::store::{Msg, StoreHandle, Tone};

const OFFLINE: &str = "Offline — everything keeps working and is saved in this browser";
const NEW_VERSION: &str = "A new version of Marginalia is ready";
/// How long Reload waits at most for a save under way (checked every [`POLL_MS`]).
const POLL_MS: u32 = 50;
const PATIENCE_POLLS: u32 = 100;

#[derive(Properties, PartialEq)]
pub struct OfflineProps {
    pub store: StoreHandle,
}

#[function_component(Offline)]
pub fn offline(props: &OfflineProps) -> Html {
    let online = use_state(crate::dom::offline::online);
    let update = use_state(|| false);
    let reloading = use_state(|| false);
    let session = use_context::<SessionCtx>().map(|c| c.0);
    {
        let (online, update, store) = (online.clone(), update.clone(), props.store.clone());
        use_effect_with((), move |_| {
            let s = store.clone();
            // Said once, though the browser may tell twice (waiting already, then installed).
            let told = std::cell::Cell::new(false);
            let watch = crate::dom::offline::register(move || {
                if !told.replace(true) {
                    let said = format!("{NEW_VERSION}: reload to use it");
                    s.dispatch(Msg::Say(said, Tone::Info));
                    update.set(true);
                }
            });
            let listeners = crate::dom::offline::on_connectivity(move |now| {
                online.set(now);
                let said = if now { "Online again" } else { OFFLINE };
                store.dispatch(Msg::Say(said.into(), Tone::Info));
            });
            move || drop((watch, listeners))
        });
    }
    let reload = {
        let (store, reloading) = (props.store.clone(), reloading.clone());
        Callback::from(move |_: MouseEvent| {
            reloading.set(true);
            match &session {
                Some(session) => {
                    // What is not written yet is written first, as when the page is left.
                    session::save(store.clone(), session.clone());
                    when_written(session.clone(), 0);
                }
                None => crate::dom::offline::take_over_and_reload(),
            }
        })
    };
    if !*update && *online {
        return html! {};
    }
    // A named region (a landmark), so that what it says is not outside the page's landmarks.
    html! {
        <section class="pwa" aria-label="Connection and updates">
            if *update {
                <div class="pwa-banner pwa-update">
                    <span>{ NEW_VERSION }{ " — " }</span>
                    <button type="button" onclick={reload} disabled={*reloading}>{ "Reload" }</button>
                </div>
            }
            if !*online {
                <p class="pwa-banner pwa-offline">{ OFFLINE }</p>
            }
        </section>
    }
}

/// Reloads under the new version once no save is under way (or after a while in any case:
/// storage that hangs must not keep the old version forever).
fn when_written(session: SessionRef, polls: u32) {
    if !session::writing(&session) || polls >= PATIENCE_POLLS {
        crate::dom::offline::take_over_and_reload();
        return;
    }
    Timeout::new(POLL_MS, move || when_written(session, polls + 1)).forget();
}
