//! Where a document of a project stands: set by the person in the Documents panel, kept in
//! storage and in the project file, and read from files that say it (a Prodigy task's
//! `answer`).
//!
//! `New` until the person first changes the document (then `InProgress`, [`Status::after_edit`]);
//! `Done` when they say so; `Reviewed` once a reviewer has settled the annotators' layers into a
//! gold layer (the Review panel). `Rejected` and `Ignored` are what Prodigy's annotators answer for an
//! example they refused or skipped: such documents are kept, with that status, rather than
//! dropped, and are written back with the same answer.

use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    #[default]
    New,
    InProgress,
    Done,
    Reviewed,
    Rejected,
    Ignored,
}

impl Status {
    pub const ALL: &'static [Status] = &[
        Status::New,
        Status::InProgress,
        Status::Done,
        Status::Reviewed,
        Status::Rejected,
        Status::Ignored,
    ];

    /// The name in files and storage: `new`, `in-progress`, `done`, `reviewed`, `rejected`,
    /// `ignored`.
    pub fn key(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress => "in-progress",
            Status::Done => "done",
            Status::Reviewed => "reviewed",
            Status::Rejected => "rejected",
            Status::Ignored => "ignored",
        }
    }

    /// The name the page shows.
    pub fn title(self) -> &'static str {
        match self {
            Status::New => "New",
            Status::InProgress => "In progress",
            Status::Done => "Done",
            Status::Reviewed => "Reviewed",
            Status::Rejected => "Rejected",
            Status::Ignored => "Ignored",
        }
    }

    pub fn parse(key: &str) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| s.key() == key)
    }

    /// The status after the person changes the document: a new one is in progress from its
    /// first change; any other keeps what the person set.
    pub fn after_edit(self) -> Status {
        match self {
            Status::New => Status::InProgress,
            other => other,
        }
    }

    /// A Prodigy task's `answer` as a status: `accept` is a finished example.
    pub fn from_answer(answer: &str) -> Option<Status> {
        match answer {
            "accept" => Some(Status::Done),
            "reject" => Some(Status::Rejected),
            "ignore" => Some(Status::Ignored),
            _ => None,
        }
    }

    /// The `answer` a Prodigy task of this status is written with: what is not rejected or
    /// ignored is accepted (Marginalia's annotations are the person's own, not a model's
    /// suggestions to review).
    pub fn answer(self) -> &'static str {
        match self {
            Status::Rejected => "reject",
            Status::Ignored => "ignore",
            Status::New | Status::InProgress | Status::Done | Status::Reviewed => "accept",
        }
    }
}

/// How many documents of a project are done (a reviewed one is done too), for the progress
/// line ("37 of 120 done").
pub fn progress<'a>(statuses: impl IntoIterator<Item = &'a Status>) -> (usize, usize) {
    statuses.into_iter().fold((0, 0), |(done, all), s| {
        let finished = matches!(s, Status::Done | Status::Reviewed);
        (done + usize::from(finished), all + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_back_and_serde_uses_them() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.key()), Some(*s));
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.key())
            );
        }
        assert_eq!(Status::parse("Done"), None);
    }

    #[test]
    fn the_first_edit_moves_only_a_new_document() {
        assert_eq!(Status::New.after_edit(), Status::InProgress);
        assert_eq!(Status::Done.after_edit(), Status::Done);
        assert_eq!(Status::Rejected.after_edit(), Status::Rejected);
    }

    #[test]
    fn prodigy_answers_round_trip() {
        for a in ["accept", "reject", "ignore"] {
            assert_eq!(Status::from_answer(a).unwrap().answer(), a);
        }
        assert_eq!(Status::from_answer("maybe"), None);
        assert_eq!(Status::InProgress.answer(), "accept");
    }

    #[test]
    fn progress_counts_done_of_all() {
        let s = [Status::Done, Status::New, Status::Done, Status::Ignored];
        assert_eq!(progress(&s), (2, 4));
        assert_eq!(progress(&[]), (0, 0));
    }
}
