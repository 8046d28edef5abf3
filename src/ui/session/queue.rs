//! The save queue: where writing the open document to storage stands, as one state machine
//! instead of loose flags. Pure (no browser calls), so its rules are tested natively; the
//! session ([`super::persist`]) asks it before each write and tells it how each write ended.
//!
//! ```text
//!   Opening ──ready──▶ Idle ──begin──▶ Writing ──Written──▶ Idle
//!      │                 ▲               │  │
//!   give_up              │               │  └──Failed──▶ Idle { whole }  (the next write is whole)
//!      ▼                 │               └──Conflict──▶ Blocked ──resolve / loaded──▶ Idle
//!   Offline    (nothing is written; the status says so)
//! ```
//!
//! One write at a time: a save asked for while one is being written waits for it
//! (`Writing { again }`), and the journal keeps what changed meanwhile.

/// Where saving stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// Storage is being opened and the saved work read back: nothing is written yet.
    Opening,
    /// Storage did not open (or not in time): this tab keeps its work in memory only.
    Offline,
    /// Nothing is being written. `whole`: the next write stores the whole document (a write
    /// failed, or the person chose to keep this tab's version over another's).
    Idle { whole: bool },
    /// A write is under way; `again`: another save was asked for meanwhile.
    Writing { again: bool },
    /// Another tab saved this document: nothing is written until the person chooses.
    Blocked,
}

/// How a write ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Stored,
    /// Another tab had saved the document since this tab read it.
    Conflict,
    Failed,
}

/// What the session does next after a write ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Write again: changes were made while this write was under way.
    Save,
    Rest,
}

impl Queue {
    /// The saved work is back: saving may begin.
    pub fn ready(&mut self) {
        if *self == Queue::Opening {
            *self = Queue::Idle { whole: false };
        }
    }

    /// Storage did not open: work without it. Returns whether it gave up now (not before,
    /// and not after storage opened).
    pub fn give_up(&mut self) -> bool {
        let now = *self == Queue::Opening;
        if now {
            *self = Queue::Offline;
        }
        now
    }

    pub fn gave_up(self) -> bool {
        self == Queue::Offline
    }

    /// A save is asked for. `Some(whole)` starts a write (of the whole document when `whole`,
    /// or when `stored` says storage does not hold the document yet); `None` writes nothing
    /// now (not open, blocked, or a write under way, which is then told to write again).
    pub fn begin(&mut self, stored: bool) -> Option<bool> {
        match *self {
            Queue::Idle { whole } => {
                *self = Queue::Writing { again: false };
                Some(whole || !stored)
            }
            Queue::Writing { .. } => {
                *self = Queue::Writing { again: true };
                None
            }
            Queue::Opening | Queue::Offline | Queue::Blocked => None,
        }
    }

    /// A write ended.
    pub fn end(&mut self, how: Written) -> Next {
        let again = matches!(*self, Queue::Writing { again: true });
        *self = match how {
            Written::Stored => Queue::Idle { whole: false },
            Written::Failed => Queue::Idle { whole: true },
            Written::Conflict => Queue::Blocked,
        };
        if again && how == Written::Stored {
            Next::Save
        } else {
            Next::Rest
        }
    }

    /// Another document (or the stored copy of this one) was loaded: what storage holds is
    /// what is open, so nothing is blocked and the next write is of changes only. A write
    /// under way ends as it ends.
    pub fn loaded(&mut self) {
        if matches!(*self, Queue::Idle { .. } | Queue::Blocked) {
            *self = Queue::Idle { whole: false };
        }
    }

    /// The person keeps this tab's version over another tab's: the next write stores it
    /// whole, over the other.
    pub fn take_over(&mut self) {
        if matches!(*self, Queue::Idle { .. } | Queue::Blocked) {
            *self = Queue::Idle { whole: true };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> Queue {
        let mut q = Queue::Opening;
        q.ready();
        q
    }

    #[test]
    fn nothing_is_written_before_the_saved_work_is_back_or_without_storage() {
        let mut q = Queue::Opening;
        assert_eq!(q.begin(true), None);
        assert!(q.give_up());
        assert!(q.gave_up());
        assert_eq!(q.begin(true), None);
        // Storage that opens after the tab gave up changes nothing.
        q.ready();
        assert_eq!(q, Queue::Offline);
        let mut q = open();
        assert!(!q.give_up(), "storage opened: the tab does not give up");
    }

    #[test]
    fn one_write_at_a_time_and_changes_made_meanwhile_are_written_after() {
        let mut q = open();
        assert_eq!(
            q.begin(true),
            Some(false),
            "a stored document: changes only"
        );
        assert_eq!(q.begin(true), None, "a second save waits");
        assert_eq!(q.begin(true), None);
        assert_eq!(q.end(Written::Stored), Next::Save);
        assert_eq!(q.begin(true), Some(false));
        assert_eq!(q.end(Written::Stored), Next::Rest);
        assert_eq!(q, Queue::Idle { whole: false });
    }

    #[test]
    fn a_document_storage_lacks_is_written_whole() {
        let mut q = open();
        assert_eq!(q.begin(false), Some(true));
    }

    #[test]
    fn after_a_failed_write_the_next_one_is_whole_and_the_waiting_one_is_dropped() {
        let mut q = open();
        q.begin(true);
        q.begin(true);
        assert_eq!(q.end(Written::Failed), Next::Rest);
        assert_eq!(q.begin(true), Some(true));
        assert_eq!(q.end(Written::Stored), Next::Rest);
        assert_eq!(q.begin(true), Some(false));
    }

    #[test]
    fn a_conflict_blocks_until_the_person_chooses() {
        let mut q = open();
        q.begin(true);
        q.begin(true);
        assert_eq!(q.end(Written::Conflict), Next::Rest);
        assert_eq!(q, Queue::Blocked);
        assert_eq!(q.begin(true), None);
        // Keep this tab's version: written whole, over the other.
        let mut keep = q;
        keep.take_over();
        assert_eq!(keep.begin(true), Some(true));
        // Reload the stored version: nothing of this tab's is left to write.
        let mut reload = q;
        reload.loaded();
        assert_eq!(reload.begin(true), Some(false));
    }

    #[test]
    fn loading_another_document_leaves_a_write_under_way_alone() {
        let mut q = open();
        q.begin(true);
        q.loaded();
        assert_eq!(q, Queue::Writing { again: false });
        let mut q = Queue::Opening;
        q.loaded();
        assert_eq!(
            q,
            Queue::Opening,
            "restoring happens before saving may begin"
        );
    }
}
