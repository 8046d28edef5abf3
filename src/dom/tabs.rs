//! Talking to the other tabs of this site (BroadcastChannel), so that two tabs on the same
//! document do not silently overwrite each other: each save is announced, and a tab holding
//! the same document is told.

use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub tab: String,
    pub doc: String,
    pub serial: u64,
}

pub struct Channel {
    channel: web_sys::BroadcastChannel,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Channel {
    /// Listens for other tabs' saves; `None` where the browser has no BroadcastChannel.
    pub fn open(mut on_saved: impl FnMut(Saved) + 'static) -> Option<Channel> {
        let channel = web_sys::BroadcastChannel::new("marginalia").ok()?;
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if let Some(saved) = e
                    .data()
                    .as_string()
                    .and_then(|s| serde_json::from_str::<Saved>(&s).ok())
                {
                    on_saved(saved);
                }
            });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Channel {
            channel,
            _on_message: on_message,
        })
    }

    pub fn announce(&self, saved: &Saved) {
        if let Ok(json) = serde_json::to_string(saved) {
            let _ = self.channel.post_message(&json.into());
        }
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

/// A random id for this tab.
pub fn tab_id() -> String {
    let n = (js_sys::Math::random() * 1e12) as u64;
    format!("tab-{n:x}-{:x}", js_sys::Date::now() as u64)
}
