//! The project's list of documents as the Documents panel shows it: each document's title,
//! annotation count and status; the order and filter the person chose ([`View`]); which
//! document comes next or before in that order ([`neighbour`]), and how far the work is
//! ([`progress`]).
//!
//! Pure data and rules, so that the panel, the next/previous shortcuts and their tests agree.
//! Matching a title ignores case by the caller's folding (the page lowercases with the
//! browser's Unicode mapping, as its search does).

use super::Status;

/// A document of the project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub status: Status,
    /// How many annotations it holds, as last stored (`None`: not known yet).
    pub annotations: Option<usize>,
}

/// The order of the list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// As the documents came into the project.
    #[default]
    Added,
    Title,
    /// Most annotations first.
    Annotations,
    /// New, in progress, done, reviewed, rejected, ignored.
    Status,
}

impl Order {
    pub const ALL: &'static [Order] = &[
        Order::Added,
        Order::Title,
        Order::Annotations,
        Order::Status,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Order::Added => "added",
            Order::Title => "title",
            Order::Annotations => "annotations",
            Order::Status => "status",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Order::Added => "Order added",
            Order::Title => "Title",
            Order::Annotations => "Most annotations",
            Order::Status => "Status",
        }
    }

    pub fn parse(key: &str) -> Option<Order> {
        Order::ALL.iter().copied().find(|o| o.key() == key)
    }
}

/// What the person asked the list to show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    pub order: Order,
    /// Only documents of this status.
    pub status: Option<Status>,
    /// Only documents whose title or id contains this (after folding).
    pub query: String,
}

/// The positions in `entries` of the documents the view shows, in its order. `fold` lowercases
/// (applied to the query and to each title and id while a query is given).
pub fn arrange(entries: &[Entry], view: &View, fold: impl Fn(&str) -> String) -> Vec<usize> {
    let needle = fold(view.query.trim());
    let mut shown: Vec<usize> = (0..entries.len())
        .filter(|&i| {
            let e = &entries[i];
            view.status.is_none_or(|s| e.status == s)
                && (needle.is_empty()
                    || fold(&e.title).contains(&needle)
                    || fold(&e.id).contains(&needle))
        })
        .collect();
    match view.order {
        Order::Added => {}
        Order::Title => {
            // Titles folded once each, not at every comparison.
            let keys: Vec<String> = shown.iter().map(|&i| fold(&entries[i].title)).collect();
            let mut by: Vec<(usize, &String)> = shown.iter().copied().zip(keys.iter()).collect();
            super::sort::sort_by(&mut by, |a, b| a.1.cmp(b.1));
            shown = by.into_iter().map(|(i, _)| i).collect();
        }
        Order::Annotations => super::sort::sort_by_key(&mut shown, |&i| {
            std::cmp::Reverse(entries[i].annotations.unwrap_or(0))
        }),
        Order::Status => super::sort::sort_by_key(&mut shown, |&i| entries[i].status),
    }
    shown
}

/// The document `step` places after (`step` > 0) or before `current` in `shown` (as
/// [`arrange`] gives it); the first or last shown when `current` is not among them. `None`
/// past either end, or when nothing is shown.
pub fn neighbour<'a>(
    entries: &'a [Entry],
    shown: &[usize],
    current: &str,
    step: isize,
) -> Option<&'a Entry> {
    let at = shown.iter().position(|&i| entries[i].id == current);
    let next = match at {
        Some(at) => at.checked_add_signed(step)?,
        None if step > 0 => 0,
        None => shown.len().checked_sub(1)?,
    };
    shown.get(next).map(|&i| &entries[i])
}

/// (done, all): "37 of 120 done".
pub fn progress(entries: &[Entry]) -> (usize, usize) {
    super::status::progress(entries.iter().map(|e| &e.status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(id: &str, title: &str, status: Status, n: usize) -> Entry {
        Entry {
            id: id.into(),
            title: title.into(),
            status,
            annotations: Some(n),
        }
    }

    fn sample() -> Vec<Entry> {
        vec![
            entry("a", "Zürich talks", Status::Done, 3),
            entry("b", "apple earnings", Status::New, 10),
            entry("c", "Berlin", Status::InProgress, 0),
            entry("d", "zebra", Status::Done, 7),
        ]
    }

    fn lower(s: &str) -> String {
        s.to_lowercase()
    }

    #[test]
    fn orders_by_title_ignoring_case_by_count_and_by_status() {
        let e = sample();
        let by = |order| {
            arrange(
                &e,
                &View {
                    order,
                    ..View::default()
                },
                lower,
            )
        };
        assert_eq!(by(Order::Added), vec![0, 1, 2, 3]);
        assert_eq!(by(Order::Title), vec![1, 2, 3, 0]);
        assert_eq!(by(Order::Annotations), vec![1, 3, 0, 2]);
        assert_eq!(by(Order::Status), vec![1, 2, 0, 3]);
    }

    #[test]
    fn filters_by_status_and_by_title_or_id() {
        let e = sample();
        let done = View {
            status: Some(Status::Done),
            ..View::default()
        };
        assert_eq!(arrange(&e, &done, lower), vec![0, 3]);
        let z = View {
            query: " ZÜ ".into(),
            ..View::default()
        };
        assert_eq!(arrange(&e, &z, lower), vec![0]);
        let by_id = View {
            query: "c".into(),
            ..View::default()
        };
        // "c" is in "Zürich talks" and is the id of Berlin.
        assert_eq!(arrange(&e, &by_id, lower), vec![0, 2]);
    }

    #[test]
    fn neighbours_stop_at_the_ends_and_start_from_the_edge_when_current_is_hidden() {
        let e = sample();
        let shown = vec![1, 2, 3];
        assert_eq!(neighbour(&e, &shown, "c", 1).unwrap().id, "d");
        assert_eq!(neighbour(&e, &shown, "c", -1).unwrap().id, "b");
        assert!(neighbour(&e, &shown, "d", 1).is_none());
        assert!(neighbour(&e, &shown, "b", -1).is_none());
        // "a" is filtered out: next is the first shown, previous the last.
        assert_eq!(neighbour(&e, &shown, "a", 1).unwrap().id, "b");
        assert_eq!(neighbour(&e, &shown, "a", -1).unwrap().id, "d");
        assert!(neighbour(&e, &[], "a", 1).is_none());
    }

    #[test]
    fn progress_is_done_of_all() {
        assert_eq!(progress(&sample()), (2, 4));
    }

    proptest! {
        /// Whatever the view, the list holds each matching document once, and only those.
        #[test]
        fn arrange_is_a_permutation_of_the_matches(
            statuses in proptest::collection::vec(0usize..Status::ALL.len(), 0..40),
            order in 0usize..4,
            filter in proptest::option::of(0usize..Status::ALL.len()),
        ) {
            let entries: Vec<Entry> = statuses.iter().enumerate().map(|(i, s)| {
                entry(&format!("d{i}"), &format!("T{}", (i * 7) % 5), Status::ALL[*s], i % 3)
            }).collect();
            let view = View { order: Order::ALL[order], status: filter.map(|f| Status::ALL[f]), query: String::new() };
            let mut got = arrange(&entries, &view, lower);
            crate::model::sort::sort_by_key(&mut got, |&i| i);
            let want: Vec<usize> = (0..entries.len())
                .filter(|&i| view.status.is_none_or(|s| entries[i].status == s))
                .collect();
            prop_assert_eq!(got, want);
        }
    }
}
