//! Segments: the maximal runs of a paragraph covered by the same set of ranges, like
//! CodeMirror's `RangeSet.spans`. Painting nested and overlapping highlights is then one
//! element per segment, with classes from the ranges that cover it.
//!
//! ```text
//! paragraph  The Baath Party regime said
//! ranges     ····[0·········]······            0: "Baath Party regime"
//!            ····[1·········]                  1: "Baath Party"
//! segments   [The ][Baath Party][ regime][ said]
//! covering     {}     {0, 1}      {0}      {}
//! ```
//!
//! A sweep over sorted start and end events: O((n + s) log n) for n ranges and s segments.

use super::offsets::Span;
use crate::model::sort;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub span: Span,
    /// Indices into the ranges given, of those covering the whole segment, outermost first
    /// (earlier start, then later end, then index).
    pub covering: Vec<usize>,
}

/// Cuts `para` into segments by the ranges given (clipped to `para`; empty ones ignored).
pub fn segments(para: Span, ranges: &[Span]) -> Vec<Segment> {
    let mut cuts: Vec<usize> = vec![para.start, para.end];
    for r in ranges {
        if r.overlaps(&para) {
            cuts.push(r.start.max(para.start));
            cuts.push(r.end.min(para.end));
        }
    }
    sort::sort_dedup(&mut cuts);
    // Ranges by clipped start, to open them as the sweep passes.
    let mut order: Vec<usize> = (0..ranges.len())
        .filter(|&i| ranges[i].overlaps(&para))
        .collect();
    sort::sort_by_key(&mut order, |&i| ranges[i].start.max(para.start));
    let mut next = 0;
    // The ranges covering the sweep's position, kept in covering order (outermost first), so
    // that each segment copies them instead of sorting them again.
    let key = |i: usize| (ranges[i].start, std::cmp::Reverse(ranges[i].end), i);
    let mut active: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(cuts.len().saturating_sub(1));
    for w in cuts.windows(2) {
        let span = Span::new(w[0], w[1]);
        active.retain(|&i| ranges[i].end > span.start);
        while next < order.len() && ranges[order[next]].start.max(para.start) <= span.start {
            let i = order[next];
            let at = active.partition_point(|&j| key(j) < key(i));
            active.insert(at, i);
            next += 1;
        }
        out.push(Segment {
            span,
            covering: active.clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_doc_example() {
        // "The Baath Party regime said": Baath Party 4..15, Baath Party regime 4..22.
        let segs = segments(Span::new(0, 27), &[Span::new(4, 22), Span::new(4, 15)]);
        let got: Vec<(usize, usize, Vec<usize>)> = segs
            .iter()
            .map(|s| (s.span.start, s.span.end, s.covering.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, 4, vec![]),
                (4, 15, vec![0, 1]),
                (15, 22, vec![0]),
                (22, 27, vec![]),
            ]
        );
    }

    #[test]
    fn overlapping_and_clipped_ranges() {
        // A claim 2..8 overlapping a quote 5..12, and a range from an earlier paragraph.
        let segs = segments(
            Span::new(2, 10),
            &[Span::new(2, 8), Span::new(5, 12), Span::new(0, 3)],
        );
        let got: Vec<(usize, usize, Vec<usize>)> = segs
            .iter()
            .map(|s| (s.span.start, s.span.end, s.covering.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, 3, vec![2, 0]),
                (3, 5, vec![0]),
                (5, 8, vec![0, 1]),
                (8, 10, vec![1]),
            ]
        );
    }

    #[test]
    fn no_ranges_one_segment() {
        assert_eq!(
            segments(Span::new(3, 9), &[]),
            vec![Segment {
                span: Span::new(3, 9),
                covering: vec![]
            }]
        );
    }

    proptest! {
        /// Segments tile the paragraph, and each lists exactly the ranges covering it.
        #[test]
        fn segments_tile_and_cover(
            para in (0usize..50, 1usize..50).prop_map(|(s, l)| Span::new(s, s + l)),
            raw in proptest::collection::vec((0usize..110, 1usize..30), 0..20),
        ) {
            let ranges: Vec<Span> = raw.into_iter().map(|(s, l)| Span::new(s, s + l)).collect();
            let segs = segments(para, &ranges);
            prop_assert_eq!(segs.first().unwrap().span.start, para.start);
            prop_assert_eq!(segs.last().unwrap().span.end, para.end);
            for w in segs.windows(2) {
                prop_assert_eq!(w[0].span.end, w[1].span.start);
                prop_assert!(w[0].covering != w[1].covering, "segments are maximal");
            }
            for seg in &segs {
                prop_assert!(!seg.span.is_empty());
                let mut expected: Vec<usize> = (0..ranges.len())
                    .filter(|&i| ranges[i].start <= seg.span.start && seg.span.end <= ranges[i].end)
                    .collect();
                sort::sort_by_key(&mut expected, |&i| (ranges[i].start, std::cmp::Reverse(ranges[i].end), i));
                prop_assert_eq!(&seg.covering, &expected);
            }
        }
    }
}
