//! Stable sorting with one compiled sorting routine for the whole program.
//!
//! The standard library's `sort_by` is generic over the element and the comparison, so every
//! call site compiles its own copy of the sorting algorithm (about 3–5 KB of WebAssembly each;
//! 40 KB of the page's module went to 83 such copies). Here short vectors are sorted by a few
//! lines of insertion sort, and longer ones by sorting a vector of indices with a single,
//! non-generic `sort_unstable_by` behind a `dyn` comparison, ties broken by index, which makes
//! it stable. `clippy.toml` forbids the standard sorts so that no copy creeps back.

use std::cmp::Ordering;

/// Below this length insertion sort is both smaller and faster than sorting indices.
const SHORT: usize = 24;

/// Sorts `v` stably by `cmp` (equal elements keep their order), like `slice::sort_by`.
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() <= SHORT {
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && cmp(&v[j - 1], &v[j]) == Ordering::Greater {
                v.swap(j - 1, j);
                j -= 1;
            }
        }
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    sort_indices(&mut order, &|a, b| cmp(&v[a], &v[b]));
    let mut old: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| old[i].take()));
}

/// Sorts `v` stably by the key `key` gives, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` in ascending order and drops repeats, like `sort_unstable` then `dedup`.
pub fn sort_dedup<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, T::cmp);
    v.dedup();
}

/// The one sorting routine: `order` (a permutation of indices) by `cmp`, ties by index.
#[inline(never)]
#[allow(clippy::disallowed_methods)]
fn sort_indices(order: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    order.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Agrees with the standard library's stable sort, equal keys in their first order,
        /// on both sides of the insertion-sort threshold.
        #[test]
        #[allow(clippy::disallowed_methods)]
        fn same_as_std_stable_sort(keys in proptest::collection::vec(0u8..8, 0..80)) {
            let items: Vec<(u8, usize)> = keys.iter().copied().zip(0..).collect();
            let mut ours = items.clone();
            sort_by_key(&mut ours, |&(k, _)| k);
            let mut std = items;
            std.sort_by_key(|&(k, _)| k);
            prop_assert_eq!(ours, std);
        }

        #[test]
        #[allow(clippy::disallowed_methods)]
        fn sort_dedup_matches_std(mut v in proptest::collection::vec(0u16..50, 0..100)) {
            let mut ours = v.clone();
            sort_dedup(&mut ours);
            v.sort_unstable();
            v.dedup();
            prop_assert_eq!(ours, v);
        }
    }

    #[test]
    fn sorts_by_a_comparison_descending() {
        let mut v: Vec<u32> = (0..100).map(|i| (i * 37) % 101).collect();
        sort_by(&mut v, |a, b| b.cmp(a));
        assert!(v.windows(2).all(|w| w[0] >= w[1]));
        assert_eq!(v.len(), 100);
    }
}
