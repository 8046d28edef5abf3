//! Persistence: writing the open document to IndexedDB (`save`: at once, what differs from the
//! state last written, or the whole document when it is new or a save failed), one write at a
//! time ([`super::queue`]); the
//! other tab's newer save refused and asked about (`resolve_conflict`); the workspace pointer,
//! written only once the document it names is stored (`point_workspace`).

use super::*;

pub(super) fn record(state: &State, session: &mut Session) -> DocRecord {
    let doc = state.document();
    DocRecord {
        id: doc.id.clone(),
        title: doc.title.clone(),
        sha256: session.sha256_of(doc),
        labels: state.labels().clone(),
        next_seq: state.next_seq(),
        serial: session.serial,
        writer: session.tab.clone(),
        saved_at: crate::dom::now().millis(),
        status: session.status,
        annotations: Some(state.len()),
        added: session.added,
    }
}

/// Writes what changed since the last save. Called after every action.
pub fn save(store: StoreHandle, session: SessionRef) {
    let state = store.state();
    let (db, full, known, written) = {
        let mut s = session.borrow_mut();
        let Some(db) = s.db.clone() else {
            return;
        };
        // The state last written, if it is of this document (else all of it is written).
        let written = s
            .written
            .clone()
            .filter(|w| Rc::ptr_eq(w.document(), state.document()));
        let stored = s.stored.contains(&state.document().id) && written.is_some();
        // One write at a time; what differs from the state last written waits meanwhile.
        let Some(full) = s.queue.begin(stored) else {
            return;
        };
        (db, full, s.serial, written)
    };
    let journal = match &written {
        Some(w) if !full => state.changes_since(w),
        _ => Default::default(),
    };
    let doc = state.document().clone();
    // The person's first change moves a new document to "in progress".
    if state.revision() > 0 {
        let mut s = session.borrow_mut();
        let after = s.status.after_edit();
        if after != s.status {
            s.status = after;
            drop(s);
            update_entry(&store, &doc.id, after, state.len());
        }
    }
    let rec = record(&state, &mut session.borrow_mut());
    // A whole document's annotations are serialised in batches by the writer (see Db::create).
    let all: Vec<Rc<crate::model::Annotation>> = if full {
        state.annotations().to_vec()
    } else {
        Vec::new()
    };
    let writes: Vec<(String, Option<String>)> = journal
        .ids
        .iter()
        .map(|id| {
            (
                id.clone(),
                state.get(id).map(|a| native::annotation_json(&doc, a)),
            )
        })
        .collect();
    let status_changed = rec.status != session.borrow().status_written;
    if !full && writes.is_empty() && !journal.labels && !status_changed {
        let mut s = session.borrow_mut();
        s.queue.end(Written::Stored);
        s.written = Some(state);
        return;
    }
    // The workspace may point at this document only once it is written: with it.
    let workspace = if full {
        session
            .borrow()
            .pending_workspace
            .clone()
            .filter(|w| w.current.as_deref() == Some(rec.id.as_str()))
    } else {
        None
    };
    spawn_local(async move {
        if full {
            // A whole document is written once the page has painted what it shows, or at
            // once where no frame comes (a hidden tab paints none).
            crate::dom::after_paint().await;
        }
        let result = if full {
            let mut rec = rec.clone();
            rec.serial = known + 1;
            db.create(&rec, &doc, &all, Some(known), workspace.as_ref())
                .await
                .map(|_| rec.serial)
        } else {
            db.save(&rec, known, &writes).await
        };
        match result {
            Ok(serial) => {
                let mut s = session.borrow_mut();
                s.serial = serial;
                s.written = Some(state);
                s.status_written = rec.status;
                let next = s.queue.end(Written::Stored);
                if workspace.is_some() && s.pending_workspace == workspace {
                    s.pending_workspace = None;
                }
                if s.stored.insert(rec.id.clone()) {
                    s.records.push(rec.clone());
                }
                if let Some(c) = &s.channel {
                    c.announce(&Saved {
                        tab: s.tab.clone(),
                        doc: rec.id.clone(),
                        serial,
                    });
                }
                drop(s);
                store.dispatch(Msg::Save(SaveStatus::Saved(crate::dom::now())));
                if next == Next::Save {
                    save(store, session);
                }
            }
            Err(SaveError::Conflict { .. }) => {
                session.borrow_mut().queue.end(Written::Conflict);
                store.dispatch(Msg::Save(SaveStatus::Conflict));
                store.dispatch(Msg::Ask(Some(Dialog::Conflict { while_saving: true })));
            }
            Err(e @ SaveError::Failed(_)) => {
                session.borrow_mut().queue.end(Written::Failed);
                store.dispatch(Msg::Save(SaveStatus::Failed(e.to_string())));
            }
        }
    });
}

/// Resolves a conflict: reload the stored document, or overwrite it with this tab's work.
pub fn resolve_conflict(store: StoreHandle, session: SessionRef, reload: bool) {
    store.dispatch(Msg::Ask(None));
    let Some(db) = session.borrow().db.clone() else {
        return;
    };
    let id = store.state().document().id.clone();
    spawn_local(async move {
        if reload {
            match load(&store, &session, &db, &id).await {
                Ok(()) => {
                    store.dispatch(Msg::Save(SaveStatus::Saved(crate::dom::now())));
                    say(&store, "Reloaded the saved version.", Tone::Info);
                }
                Err(why) => say(&store, why, Tone::Error),
            }
        } else {
            // Take over: this tab's version becomes the stored one.
            let stored = db.load(&id).await.ok().flatten().map(|(r, _, _)| r.serial);
            {
                let mut s = session.borrow_mut();
                s.queue.take_over();
                s.serial = stored.unwrap_or(s.serial);
            }
            save(store.clone(), session.clone());
            say(
                &store,
                "Kept this tab's version; it is saved over the other.",
                Tone::Info,
            );
        }
    });
}

/// Points the workspace at document `current` (and keeps the annotator's name): at once when
/// that document is stored (or is the shipped article, which opens without being stored),
/// otherwise with the document's first write, so the pointer never names a document storage
/// does not hold.
pub(super) fn point_workspace(store: &StoreHandle, session: &SessionRef, current: String) {
    let ws = Workspace {
        current: Some(current.clone()),
        annotator: store.ui.annotator.clone(),
    };
    let db = {
        let mut s = session.borrow_mut();
        let written = s.stored.contains(&current) || current == Document::default_article().id;
        if !written {
            s.pending_workspace = Some(ws);
            return;
        }
        s.pending_workspace = None;
        s.db.clone()
    };
    let Some(db) = db else {
        return;
    };
    let store = store.clone();
    spawn_local(async move {
        if let Err(why) = db.save_workspace(&ws).await {
            store.dispatch(Msg::Save(SaveStatus::Failed(format!(
                "The browser did not save which document is open: {why}."
            ))));
        }
    });
}

pub fn set_annotator(store: &StoreHandle, session: &SessionRef, name: String) {
    store.dispatch(Msg::Annotator(name));
    let current = store.state().document().id.clone();
    point_workspace(store, session, current);
}
