//! Anchoring a quote (a W3C `TextQuoteSelector`: `exact` with its `prefix` and `suffix`) in a
//! text that may have drifted since the quote was taken, as Hypothesis re-anchors its
//! annotations: when the quote is not in the text as written (the exact search is
//! [`super::w3c::Quotes`]), it is looked for
//!
//! 1. with whitespace normalised: every run of whitespace, in the text and in the quote, counts
//!    as one space (a quote taken from a page's rendering, whose line breaks and indentation
//!    the tool collapsed);
//! 2. approximately: with up to [`max_errors`] (a quarter of the quote's length, in code
//!    points) insertions, deletions or substitutions, whitespace still normalised.
//!
//! Each stage finds every candidate and keeps the best by Hypothesis's weights: the quote's
//! own similarity (50), the prefix's and the suffix's similarity to the text around the
//! candidate (20 each), and its nearness to the `TextPositionSelector`'s start when there is
//! one (2). Two different candidates of equal score are refused as ambiguous. Offsets are code
//! points, end exclusive, in the original text.
//!
//! Why the search is written here: approximate *search* (where in a long text a pattern occurs
//! with at most k errors, and where each such occurrence starts) over Unicode code points has
//! no fitting crate. `triple_accel` searches bytes only (an error in a non-ASCII letter would
//! count twice or thrice, and matches could end inside a character) and has not had a release
//! since 2021; `strsim`, `levenshtein_automata` and `fuzzysearchrs` compare whole strings or
//! build automata for dictionaries; `sassy` is written for DNA alphabets. So this module holds
//! Sellers' dynamic programme with Ukkonen's cut-off (work about the text's length times the
//! number of errors allowed, not times the quote's length), and a backward pass from each match's
//! end to find its start. The similarity of two short strings (a prefix against the text before
//! a candidate) is `strsim`'s Levenshtein distance.

use crate::model::{sort, Document, Span};

/// A quote to anchor.
#[derive(Clone, Copy, Debug)]
pub struct Quote<'q> {
    pub exact: &'q str,
    pub prefix: &'q str,
    pub suffix: &'q str,
    /// Where the quote should start (code points), from a `TextPositionSelector`.
    pub hint: Option<usize>,
}

/// How a quote was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// As written.
    Exact,
    /// As written once whitespace is normalised.
    Whitespace,
    /// With `errors` edits (whitespace normalised).
    Approximate { errors: usize },
}

/// Where a quote was anchored, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchored {
    pub span: Span,
    pub how: How,
}

/// The most errors (insertions, deletions, substitutions of one code point) an approximate
/// match of a quote of `quote_chars` code points (whitespace normalised) may have: a quarter
/// of its length, so a quote under 4 code points must be found exactly.
pub fn max_errors(quote_chars: usize) -> usize {
    quote_chars / 4
}

/// Cells of the dynamic programme one file's approximate searches may compute in all: about a
/// second of work natively (a 60-code-point quote with 15 errors allowed over a 1 MB text
/// takes 23 million cells, 0.18 s); past it the quotes left are reported as not anchored.
pub const APPROXIMATE_WORK: u64 = 150_000_000;

/// How many candidates of one quote are compared by their surroundings, the fewest errors
/// first.
const CANDIDATES: usize = 64;

/// How many equally good ends of one match are kept as candidates.
const TIES: usize = 4;

/// How many approximate matches of one quote are looked at before it is refused as fitting
/// too many places.
const MATCHES: usize = 1 << 16;

/// The text with whitespace normalised, and where each of its code points came from.
struct Normal {
    chars: Vec<char>,
    /// For each normalised code point, where it starts in the original (a space stands for a
    /// run of whitespace, which ends where the next code point starts).
    starts: Vec<u32>,
    /// The original's length in code points.
    len: usize,
}

impl Normal {
    /// The original span of the normalised code points `a..b` (`a < b`).
    fn original(&self, a: usize, b: usize) -> Span {
        let end = self.starts.get(b).map_or(self.len, |&s| s as usize);
        Span::new(self.starts[a] as usize, end)
    }
}

fn normalise(text: &str) -> Normal {
    let mut chars = Vec::with_capacity(text.len());
    let mut starts: Vec<u32> = Vec::with_capacity(text.len());
    let mut in_space = false;
    let mut len = 0;
    for (i, c) in text.chars().enumerate() {
        len = i + 1;
        if c.is_whitespace() {
            if in_space {
                continue;
            }
            in_space = true;
            chars.push(' ');
        } else {
            in_space = false;
            chars.push(c);
        }
        // Document texts are far below 4 G code points (files are read up to a few hundred MB).
        starts.push(i as u32);
    }
    Normal { chars, starts, len }
}

fn normal_chars(s: &str) -> Vec<char> {
    normalise(s).chars
}

/// The approximate anchoring of one file's quotes in one document: the normalised text,
/// built once, and the work left.
pub struct Fuzzy {
    text: Normal,
    /// The original text's length in code points.
    len: usize,
    work: std::cell::Cell<u64>,
}

impl Fuzzy {
    pub fn new(doc: &Document) -> Self {
        Fuzzy::with_work(doc, APPROXIMATE_WORK)
    }

    /// With a budget of `work` cells (tests use small ones).
    pub fn with_work(doc: &Document, work: u64) -> Self {
        Fuzzy {
            text: normalise(doc.text()),
            len: doc.len(),
            work: std::cell::Cell::new(work),
        }
    }

    fn spend(&self, cells: u64) -> bool {
        match self.work.get().checked_sub(cells) {
            Some(left) => {
                self.work.set(left);
                true
            }
            None => {
                self.work.set(0);
                false
            }
        }
    }

    /// Anchors `q`, which is not in the text as written: with whitespace normalised, else
    /// approximately. The error says why not, in words.
    pub fn find(&self, q: &Quote) -> Result<Anchored, String> {
        let p = normal_chars(q.exact);
        if p.iter().all(|c| *c == ' ') {
            return Err("quote is empty".into());
        }
        let shown = crate::formats::short(q.exact, 40);
        if let Some(found) = self.best(q, &p, 0)? {
            return Ok(Anchored {
                span: found,
                how: How::Whitespace,
            });
        }
        let k = max_errors(p.len());
        if k == 0 {
            return Err(format!(
                "quote “{shown}” is not in the document's text (it is too short to be looked for approximately)"
            ));
        }
        match self.best(q, &p, k)? {
            Some(span) => {
                let here: Vec<char> = self.normal_slice(span);
                let errors = levenshtein(&p, &here);
                Ok(Anchored {
                    span,
                    how: How::Approximate { errors },
                })
            }
            None => Err(format!(
                "quote “{shown}” is not in the document's text, not even approximately (with up to {k} of its {} characters different)",
                p.len()
            )),
        }
    }

    /// The normalised code points of an original span.
    fn normal_slice(&self, span: Span) -> Vec<char> {
        let starts = &self.text.starts;
        let a = starts.partition_point(|&s| (s as usize) < span.start);
        let b = starts.partition_point(|&s| (s as usize) < span.end);
        self.text.chars[a..b].to_vec()
    }

    /// The best match of `p` with at most `k` errors, by the weights of the module's
    /// documentation; `None` when there is none.
    fn best(&self, q: &Quote, p: &[char], k: usize) -> Result<Option<Span>, String> {
        let t = &self.text.chars;
        let out_of_work = || {
            format!(
                "quote “{}” was not found as written, and looking for it approximately takes more work than Marginalia spends on one file",
                crate::formats::short(q.exact, 40)
            )
        };
        // Each run of consecutive ends is one match: keep the ends with its fewest errors (a
        // few), and a bounded number of matches (a text of one letter repeated matches a
        // short quote everywhere).
        let mut groups: Vec<Vec<(usize, usize)>> = Vec::new(); // (errors, end)
        let mut last_end = usize::MAX;
        let mut crowded = false;
        let searched = search_ends(p, t, k, self, |end, d| {
            let full = groups.len() >= MATCHES;
            match groups.last_mut() {
                Some(g) if last_end + 1 == end => {
                    if d < g[0].0 {
                        *g = vec![(d, end)];
                    } else if d == g[0].0 && g.len() < TIES {
                        g.push((d, end));
                    }
                }
                _ if full => crowded = true,
                _ => groups.push(vec![(d, end)]),
            }
            last_end = end;
        });
        if !searched {
            return Err(out_of_work());
        }
        if crowded {
            return Err(format!(
                "quote “{}” is not in the document's text as written, and fits more than {MATCHES} places approximately",
                crate::formats::short(q.exact, 40)
            ));
        }
        sort::sort_by_key(&mut groups, |g| g[0]);
        groups.truncate(CANDIDATES);
        let prefix = normal_chars(q.prefix);
        let suffix = normal_chars(q.suffix);
        let m = p.len();
        let mut scored: Vec<(f64, Span)> = Vec::new();
        for (d, end) in groups.into_iter().flatten() {
            let cells = ((m + k) * (m + 1)) as u64;
            if !self.spend(cells) {
                return Err(out_of_work());
            }
            let start = start_of(p, t, end, k);
            let (mut s, mut e) = (start, end);
            // No spaces at the ends that the quote does not have.
            if p.first() != Some(&' ') && s < e && t[s] == ' ' {
                s += 1;
            }
            if p.last() != Some(&' ') && s < e && t[e - 1] == ' ' {
                e -= 1;
            }
            if s >= e {
                continue;
            }
            let span = self.text.original(s, e);
            let before = &t[s.saturating_sub(prefix.len())..s];
            let after = &t[e..(e + suffix.len()).min(t.len())];
            let mut score = 50.0 * (1.0 - d as f64 / m as f64);
            score += 20.0 * similarity(&prefix, before);
            score += 20.0 * similarity(&suffix, after);
            // Between matches of equal errors, the longer (a word's added letter is taken in
            // rather than the word cut short).
            score += 1e-3 * (e - s) as f64 / (m + k + 1) as f64;
            if let Some(h) = q.hint {
                let far = span.start.abs_diff(h) as f64;
                score += 2.0 * (1.0 - far / self.len.max(1) as f64);
            }
            if !scored.iter().any(|(_, x)| *x == span) {
                scored.push((score, span));
            }
        }
        sort::sort_by(&mut scored, |a, b| {
            b.0.total_cmp(&a.0).then(a.1.start.cmp(&b.1.start))
        });
        match scored.as_slice() {
            [] => Ok(None),
            [(s0, a), (s1, b), ..] if (s0 - s1).abs() < 1e-9 => Err(format!(
                "quote “{}” is not in the document's text as written, and fits {a} and {b} equally well",
                crate::formats::short(q.exact, 40)
            )),
            [(_, span), ..] => Ok(Some(*span)),
        }
    }
}

/// 1 for equal strings, 0 for nothing in common; 1 when the file gave no context (`want`
/// empty), as every candidate then fits it alike.
fn similarity(want: &[char], got: &[char]) -> f64 {
    if want.is_empty() {
        return 1.0;
    }
    let d = levenshtein(want, got);
    1.0 - (d.min(want.len()) as f64 / want.len() as f64)
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    strsim::generic_levenshtein(&a.to_vec(), &b.to_vec())
}

/// Calls `each(end, edits)` for every end (exclusive) in `t` of a substring within `k` edits
/// of `p`, in text order; false when the work budget ran out. Sellers' algorithm, column by
/// column over the text, computing only the rows up to the last one within `k` (Ukkonen's
/// cut-off): the rows below hold more than `k`, stored as `k + 1`, which is all a later
/// column needs of them.
fn search_ends(
    p: &[char],
    t: &[char],
    k: usize,
    budget: &Fuzzy,
    mut each: impl FnMut(usize, usize),
) -> bool {
    let m = p.len();
    let cap = k + 1;
    let mut col: Vec<usize> = (0..=m).map(|i| i.min(cap)).collect();
    let mut active = k.min(m);
    let mut spent: u64 = 0;
    for (j, &c) in t.iter().enumerate() {
        let top = (active + 1).min(m);
        spent += top as u64 + 1;
        if spent > 1 << 16 {
            if !budget.spend(spent) {
                return false;
            }
            spent = 0;
        }
        let mut diag = col[0]; // row 0 is 0 in every column: a match may start anywhere
        for i in 1..=top {
            let left = col[i];
            let v = (diag + usize::from(p[i - 1] != c))
                .min(left + 1)
                .min(col[i - 1] + 1)
                .min(cap);
            diag = left;
            col[i] = v;
        }
        let mut a = top;
        while a > 0 && col[a] > k {
            a -= 1;
        }
        active = a;
        if active == m {
            each(j + 1, col[m]);
        }
    }
    budget.spend(spent)
}

/// Where the match of `p` ending at `end` with `errors` edits starts: the edit distance of `p`
/// to `t[s..end]` for each `s` back to `end - m - k`, the earliest of the fewest.
fn start_of(p: &[char], t: &[char], end: usize, k: usize) -> usize {
    let m = p.len();
    let lo = end.saturating_sub(m + k);
    // col[i]: distance of p's last i code points to t[end - len..end].
    let mut col: Vec<usize> = (0..=m).collect();
    let mut best = (col[m], end); // (distance, start)
    for len in 1..=(end - lo) {
        let c = t[end - len];
        let mut diag = col[0];
        col[0] = len;
        for i in 1..=m {
            let left = col[i];
            col[i] = (diag + usize::from(p[m - i] != c))
                .min(left + 1)
                .min(col[i - 1] + 1);
            diag = left;
        }
        if col[m] <= best.0 {
            best = (col[m], end - len);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(text: &str) -> Document {
        Document::new("d", "D", text)
    }

    fn q<'a>(exact: &'a str, prefix: &'a str, suffix: &'a str, hint: Option<usize>) -> Quote<'a> {
        Quote {
            exact,
            prefix,
            suffix,
            hint,
        }
    }

    fn slice(d: &Document, s: Span) -> &str {
        d.slice(s)
    }

    #[test]
    fn whitespace_differences_are_normalised() {
        let d = doc("Tell me, O muse,\n        of that ingenious hero who travelled far.");
        let f = Fuzzy::new(&d);
        let got = f
            .find(&q("O muse, of that ingenious", "", "", None))
            .unwrap();
        assert_eq!(got.how, How::Whitespace);
        assert_eq!(
            slice(&d, got.span),
            "O muse,\n        of that ingenious",
            "the original whitespace is kept"
        );
    }

    #[test]
    fn a_drifted_quote_is_found_with_its_errors() {
        let d = doc("The quick brown fox jumps over the lazy dog; the cat sleeps.");
        let f = Fuzzy::new(&d);
        // A substitution and a deletion in 20 code points (up to 5 allowed).
        let got = f.find(&q("quack brown fx jumps", "", "", None)).unwrap();
        assert_eq!(slice(&d, got.span), "quick brown fox jumps");
        assert_eq!(got.how, How::Approximate { errors: 2 });
        // Too many differences: refused, saying how many were allowed.
        let err = f.find(&q("qxxxx brxxn fx", "", "", None)).unwrap_err();
        assert!(
            err.contains("not even approximately (with up to 3 of its 14"),
            "{err}"
        );
        // A quote under 4 characters is never looked for approximately.
        let err = f.find(&q("dgo", "", "", None)).unwrap_err();
        assert!(err.contains("too short"), "{err}");
    }

    #[test]
    fn context_then_position_choose_between_drifted_copies() {
        let d = doc("alpha colour one; beta colour two; alpha colour three");
        let f = Fuzzy::new(&d);
        // "color" is within one edit of both copies of "colour"; the prefix picks.
        let got = f.find(&q("colour onx", "beta ", "", None));
        assert_eq!(got.map(|a| a.span), Ok(Span::new(6, 16)), "only one fits");
        let got = f.find(&q("color", "beta ", " two", None)).unwrap();
        assert_eq!(got.span, Span::new(23, 29));
        // No context: the two alpha copies tie, unless the position hints.
        let got = f.find(&q("color", "", "", Some(40))).unwrap();
        assert_eq!(got.span, Span::new(41, 47));
        let err = f.find(&q("color", "", "", None)).unwrap_err();
        assert!(err.contains("equally well"), "{err}");
    }

    #[test]
    fn offsets_are_code_points() {
        let d = doc("😀😀 naïve café au lait");
        let f = Fuzzy::new(&d);
        let got = f.find(&q("naive cafe", "", "", None)).unwrap();
        assert_eq!(got.span, Span::new(3, 13));
        assert_eq!(got.how, How::Approximate { errors: 2 });
    }

    #[test]
    fn a_quote_that_fits_everywhere_is_refused() {
        let d = doc(&"ab".repeat(100_000));
        let err = Fuzzy::new(&d).find(&q("abxab", "", "", None)).unwrap_err();
        assert!(err.contains("fits more than 65536 places"), "{err}");
    }

    #[test]
    fn the_work_is_bounded() {
        let text = "abcdefghij ".repeat(2000);
        let d = doc(&text);
        let f = Fuzzy::with_work(&d, 1000);
        let err = f
            .find(&q("zzzzzzzzzzzzzzzzzzzz", "", "", None))
            .unwrap_err();
        assert!(err.contains("more work"), "{err}");
    }

    /// A quote with a few random edits, which the exact search could not find.
    fn edit(quote: &str, edits: &[(usize, u8, char)]) -> String {
        let mut v: Vec<char> = quote.chars().collect();
        for &(at, op, c) in edits {
            if v.is_empty() {
                break;
            }
            let at = at % v.len();
            match op % 3 {
                0 => v[at] = c,
                1 => v.insert(at, c),
                _ => {
                    v.remove(at);
                }
            }
        }
        v.into_iter().collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// For random texts and spans, a quote with a few random edits (at most a fifth of
        /// its length, within the quarter allowed) anchors to a span that overlaps the original.
        #[test]
        fn an_edited_quote_anchors_over_its_span(
            words in prop::collection::vec("[a-zà-ö]{1,9}", 20..80),
            from in 0usize..1000,
            len in 12usize..60,
            edits in prop::collection::vec((0usize..100, 0u8..3, prop::char::range('a', 'z')), 1..4),
        ) {
            let text = words.join(" ");
            let n = text.chars().count();
            let start = from % (n - len.min(n - 1));
            let end = (start + len).min(n);
            let d = doc(&text);
            let span = Span::new(start, end);
            let original = d.slice(span).to_string();
            prop_assume!(original.trim().chars().count() >= 10);
            let quote = edit(&original, &edits);
            prop_assume!(edits.len() <= normal_chars(&quote).len() / 5);
            let f = Fuzzy::new(&d);
            let cp = |s: usize| text.chars().take(s).collect::<String>();
            let prefix = cp(start);
            let prefix: String = prefix.chars().rev().take(32).collect::<Vec<_>>().into_iter().rev().collect();
            let suffix: String = text.chars().skip(end).take(32).collect();
            let got = f.find(&q(&quote, &prefix, &suffix, Some(start)));
            match got {
                Ok(a) => prop_assert!(
                    a.span.start < end && start < a.span.end,
                    "{:?} anchored at {} “{}”, not over {span} “{original}”", quote, a.span, d.slice(a.span)
                ),
                Err(e) => prop_assert!(false, "{quote:?} (from {original:?}): {e}"),
            }
        }
    }
}
