//! Inter-annotator agreement: how far the layers of several annotators on the same documents
//! agree (`marginalia agree`; every figure is defined, with a worked example, in
//! `docs/review.md`).
//!
//! A **layer** is one annotator's annotations on one document. For every pair of annotators
//! and over all of them, per document and over the project, per kind and per entity type:
//!
//! - span precision, recall and F1, **exact** (same kind, type and fragments) and **overlap**
//!   (nervaluate's partial scheme: a span with the same boundaries counts 1, one that only
//!   overlaps counts ½, the type not compared), the pair's first annotator taken as reference;
//!   spans are matched one to one, for the most credit;
//! - Cohen's κ for each pair and Fleiss' κ over all, and Krippendorff's α (nominal), over the
//!   IOB tag of every word token ("O" included): the tokens of the CoNLL export
//!   (`formats::conll`), cut where any annotator's span begins or ends;
//! - Krippendorff's α (ordinal) of claims' check-worthiness over the claims' tokens;
//! - relation agreement (same type between matched ends), attribute agreement on matched
//!   spans, and a confusion table of the entity types of matched spans.
//!
//! Every figure comes with the number of units behind it, and is `None` where it is not defined
//! (no units, or κ when chance agreement is 1). Tallies are additive, so that the project's
//! figures pool the units of every document rather than average the documents' figures.
//!
//! Why hand-written: the statistics are a few sums each, checked to 1e-9 against scikit-learn,
//! statsmodels, krippendorff, nervaluate and scipy (tests/formats/agreement_reference.py); no
//! crate computes them over the same units, and the one-to-one span matching is a bipartite
//! matching over a sparse overlap graph (a dense assignment solver would be cubic in spans).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;

use serde::Serialize;

use super::{Annotation, Body, Document, Kind, Party, Span};
use crate::model::sort;

/// One annotator's work on a document.
#[derive(Clone, Copy, Debug)]
pub struct Layer<'a> {
    pub annotator: &'a str,
    pub annotations: &'a [Annotation],
}

/// One document and the layers of the annotators who annotated it (two or more).
#[derive(Clone, Debug)]
pub struct Input<'a> {
    pub document: &'a Document,
    /// The document's text hash, reported to name it (`document.sha256` of native files).
    pub sha256: &'a str,
    pub layers: Vec<Layer<'a>>,
}

/// The hash of the tallies' maps: rustc's FxHash, for keys of a few small integers, where std's
/// SipHash took a fifth of a run over 1,000 documents (written out here: ten lines, where a
/// crate would be a dependency of the page too).
#[derive(Clone, Copy, Default)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(b));
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i.into());
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

// ---- the report ----

/// A figure and the number of units behind it; `value` is `None` where it is not defined.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Measure {
    pub value: Option<f64>,
    pub units: u64,
}

/// Span precision, recall and F1 of annotator `b` against `a` as the reference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpanScore {
    /// Spans of the reference (`a`) and of the other annotator (`b`).
    pub reference_spans: u64,
    pub other_spans: u64,
    /// Matched spans with the same boundaries (and, for `exact`, the same type).
    pub correct: u64,
    /// Matched spans that only overlap (`overlap` only; 0 for `exact`).
    pub partial: u64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

/// What two annotators agree on, in one scope.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairScore {
    pub a: String,
    pub b: String,
    pub exact: SpanScore,
    pub overlap: SpanScore,
    /// Over the token units both annotated.
    pub cohen_kappa: Measure,
}

/// What all annotators agree on, in one scope.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Overall {
    /// Every pair's matched spans over every pair's spans (2·matched / (spans of a + of b)).
    pub exact_f1: Measure,
    pub overlap_f1: Measure,
    /// Over the token units of documents every annotator annotated.
    pub fleiss_kappa: Measure,
    /// Over the token units at least two annotators annotated.
    pub alpha_nominal: Measure,
}

/// The figures of one scope: `all` (every kind), a kind (`entity`, `quote`, `claim`), or an
/// entity type (`entity:PERSON`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScopeScore {
    pub scope: String,
    pub pairs: Vec<PairScore>,
    pub overall: Overall,
}

/// Relations of two annotators between matched spans.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RelationScore {
    pub a: String,
    pub b: String,
    pub a_relations: u64,
    pub b_relations: u64,
    /// Relations of `a` whose two ends are matched to spans of `b` that `b` relates by the
    /// same type, in the same direction.
    pub agreed: u64,
    pub f1: Option<f64>,
}

/// One attribute on the spans two annotators' layers match.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttributeScore {
    pub a: String,
    pub b: String,
    pub attribute: String,
    /// Matched pairs where either span has the attribute, and those where both have the same
    /// value; `agreement` is their ratio.
    pub units: u64,
    pub agreed: u64,
    pub agreement: Option<f64>,
}

/// How often a span of type `a_label` of `a` is matched to one of type `b_label` of `b`;
/// `None` is a span of one left unmatched in the other.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Confusion {
    pub a: String,
    pub b: String,
    pub a_label: Option<String>,
    pub b_label: Option<String>,
    pub count: u64,
}

/// Every figure of a document or of the project.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figures {
    pub annotators: Vec<String>,
    pub scopes: Vec<ScopeScore>,
    /// Krippendorff's α (ordinal) of check-worthiness over the claims' tokens.
    pub checkworthiness_alpha: Measure,
    pub relations: Vec<RelationScore>,
    pub attributes: Vec<AttributeScore>,
    pub confusion: Vec<Confusion>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocumentFigures {
    pub id: String,
    pub title: String,
    pub sha256: String,
    pub figures: Figures,
}

/// The report of `marginalia agree`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub annotators: Vec<String>,
    /// The project's exact span F1 over every pair, every kind: `project`'s `all` scope.
    pub span_f1_exact: Option<f64>,
    pub project: Figures,
    pub documents: Vec<DocumentFigures>,
}

// ---- spans ----

/// A span as the span figures compare it: its type and the stretches it covers.
#[derive(Clone, Copy, Debug)]
struct Item<'a> {
    /// The entity type, or the kind's name for quotes and claims.
    label: &'a str,
    frags: &'a [Span],
    ann: &'a Annotation,
}

fn label_of(a: &Annotation) -> &str {
    match &a.body {
        Body::Entity { label } => label,
        _ => a.kind().as_str(),
    }
}

fn items_of(annotations: &[Annotation], kind: Kind) -> Vec<Item<'_>> {
    let mut items: Vec<Item<'_>> = annotations
        .iter()
        .filter(|a| a.kind() == kind)
        .map(|a| Item {
            label: label_of(a),
            frags: match a.extra.as_deref() {
                Some(e) if e.fragments.len() > 1 => &e.fragments,
                _ => std::slice::from_ref(&a.span),
            },
            ann: a,
        })
        .collect();
    sort::sort_by(&mut items, |x, y| x.ann.sort_key().cmp(&y.ann.sort_key()));
    items
}

/// Code points two fragment lists (each in order, apart) have in common.
fn common(a: &[Span], b: &[Span]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let lo = a[i].start.max(b[j].start);
        let hi = a[i].end.min(b[j].end);
        n += hi.saturating_sub(lo);
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    n
}

/// A one-to-one matching of two span lists that gives the most credit (1 for the same
/// fragments, ½ for an overlap): spans with the same fragments first (of the same type
/// first, which the confusion table shows), then a maximum matching of the overlapping rest
/// (augmenting paths). Pairs of indices into `a` and `b`, and whether each is exact.
fn best_matching(a: &[Item<'_>], b: &[Item<'_>]) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    let mut b_taken = vec![false; b.len()];
    let mut a_taken = vec![false; a.len()];
    // Same fragments: group b by fragments.
    let mut by_frags: Map<&[Span], Vec<usize>> = Map::default();
    for (j, y) in b.iter().enumerate() {
        by_frags.entry(y.frags).or_default().push(j);
    }
    for same_label in [true, false] {
        for (i, x) in a.iter().enumerate() {
            if a_taken[i] {
                continue;
            }
            if let Some(js) = by_frags.get(x.frags) {
                if let Some(&j) = js
                    .iter()
                    .find(|&&j| !b_taken[j] && (!same_label || b[j].label == x.label))
                {
                    a_taken[i] = true;
                    b_taken[j] = true;
                    out.push((i, j, true));
                }
            }
        }
    }
    // The rest: a maximum matching of the overlap graph (Kuhn's augmenting paths).
    let mut b_order: Vec<usize> = (0..b.len()).filter(|&j| !b_taken[j]).collect();
    sort::sort_by_key(&mut b_order, |&j| (b[j].ann.span.start, j));
    let starts: Vec<usize> = b_order.iter().map(|&j| b[j].ann.span.start).collect();
    let adj: Vec<Vec<usize>> = (0..a.len())
        .map(|i| {
            if a_taken[i] {
                return Vec::new();
            }
            let x = &a[i];
            let until = starts.partition_point(|&s| s < x.ann.span.end);
            b_order[..until]
                .iter()
                .copied()
                .filter(|&j| {
                    b[j].ann.span.end > x.ann.span.start && common(x.frags, b[j].frags) > 0
                })
                .collect()
        })
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; b.len()];
    for i in 0..a.len() {
        if !adj[i].is_empty() {
            let mut seen = vec![false; b.len()];
            augment(i, &adj, &mut owner, &mut seen);
        }
    }
    for (j, o) in owner.iter().enumerate() {
        if let Some(i) = *o {
            out.push((i, j, false));
        }
    }
    out
}

fn augment(i: usize, adj: &[Vec<usize>], owner: &mut [Option<usize>], seen: &mut [bool]) -> bool {
    for &j in &adj[i] {
        if seen[j] {
            continue;
        }
        seen[j] = true;
        if owner[j].is_none_or(|k| augment(k, adj, owner, seen)) {
            owner[j] = Some(i);
            return true;
        }
    }
    false
}

/// Spans of both with the same type and fragments, matched one to one.
fn exact_matches(a: &[Item<'_>], b: &[Item<'_>]) -> u64 {
    let mut count: Map<(&str, &[Span]), i64> = Map::default();
    for y in b {
        *count.entry((y.label, y.frags)).or_default() += 1;
    }
    let mut n = 0;
    for x in a {
        if let Some(c) = count.get_mut(&(x.label, x.frags)) {
            if *c > 0 {
                *c -= 1;
                n += 1;
            }
        }
    }
    n
}

#[derive(Clone, Copy, Debug, Default)]
struct SpanTally {
    na: u64,
    nb: u64,
    exact: u64,
    correct: u64,
    partial: u64,
}

impl SpanTally {
    fn add(&mut self, o: &SpanTally) {
        self.na += o.na;
        self.nb += o.nb;
        self.exact += o.exact;
        self.correct += o.correct;
        self.partial += o.partial;
    }
}

fn span_tally(a: &[Item<'_>], b: &[Item<'_>]) -> SpanTally {
    span_tally_of(a, b, &best_matching(a, b))
}

fn span_tally_of(a: &[Item<'_>], b: &[Item<'_>], m: &[(usize, usize, bool)]) -> SpanTally {
    let correct = m.iter().filter(|p| p.2).count() as u64;
    SpanTally {
        na: a.len() as u64,
        nb: b.len() as u64,
        exact: exact_matches(a, b),
        correct,
        partial: m.len() as u64 - correct,
    }
}

fn ratio(n: f64, d: f64) -> Option<f64> {
    (d > 0.0).then(|| n / d)
}

fn score(t: &SpanTally, credit: f64, correct: u64, partial: u64) -> SpanScore {
    let (na, nb) = (t.na as f64, t.nb as f64);
    SpanScore {
        reference_spans: t.na,
        other_spans: t.nb,
        correct,
        partial,
        precision: ratio(credit, nb),
        recall: ratio(credit, na),
        f1: ratio(2.0 * credit, na + nb),
    }
}

// ---- tokens ----

/// The document's word tokens: those of its CoNLL export (`formats::conll::sentences`) with no
/// annotation, in order.
fn base_tokens(document: &Document) -> Vec<Span> {
    use unicode_segmentation::UnicodeSegmentation;
    // `conll::tokens_of` without entity boundaries, paragraph by paragraph (the export's
    // sentences only group its tokens); `the_tokens_are_the_conll_exports` holds them equal.
    let separator = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
    let mut out = Vec::new();
    for &para in document.paragraphs() {
        let mut cp = para.start;
        for seg in document.slice(para).split_word_bounds() {
            let mut run: Option<usize> = None;
            for c in seg.chars() {
                match (separator(c), run) {
                    (true, Some(s)) => {
                        out.push(Span::new(s, cp));
                        run = None;
                    }
                    (false, None) => run = Some(cp),
                    _ => {}
                }
                cp += 1;
            }
            if let Some(s) = run {
                out.push(Span::new(s, cp));
            }
        }
    }
    out
}

/// The annotations of `kind` an IOB tagging can hold, in text order: the CoNLL export's rule
/// (`conll::kept_entities`) for any kind: of overlapping ones the longest, then the earliest,
/// then the first in (start, end, id) order.
pub fn kept(annotations: &[Annotation], kind: Kind) -> Vec<&Annotation> {
    let mut of_kind: Vec<&Annotation> = annotations.iter().filter(|a| a.kind() == kind).collect();
    sort::sort_by(&mut of_kind, |a, b| a.sort_key().cmp(&b.sort_key()));
    let mut order: Vec<usize> = (0..of_kind.len()).collect();
    sort::sort_by_key(&mut order, |&i| {
        (
            std::cmp::Reverse(of_kind[i].span.len()),
            of_kind[i].span.start,
            i,
        )
    });
    let mut kept: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for i in order {
        let span = of_kind[i].span;
        let clash = kept
            .range(..span.end)
            .next_back()
            .is_some_and(|(_, &(end, _))| end > span.start);
        if !clash {
            kept.insert(span.start, (span.end, i));
        }
    }
    kept.values().map(|&(_, i)| of_kind[i]).collect()
}

/// The token units of one kind on a document: its word tokens, cut wherever a kept span of
/// `kind` of any layer begins or ends (for one layer and entities, the CoNLL export's tokens).
pub fn token_units(document: &Document, layers: &[Layer<'_>], kind: Kind) -> Vec<Span> {
    let kept_of: Vec<Vec<&Annotation>> = layers.iter().map(|l| kept(l.annotations, kind)).collect();
    cut_tokens(&base_tokens(document), &kept_of)
}

/// `base` cut wherever one of the kept spans of any layer begins or ends.
fn cut_tokens(base: &[Span], kept_of: &[Vec<&Annotation>]) -> Vec<Span> {
    let mut cuts: Vec<usize> = kept_of
        .iter()
        .flatten()
        .flat_map(|a| [a.span.start, a.span.end])
        .collect();
    sort::sort_dedup(&mut cuts);
    let mut out = Vec::with_capacity(base.len());
    let mut c = 0;
    for t in base {
        while c < cuts.len() && cuts[c] <= t.start {
            c += 1;
        }
        let mut start = t.start;
        let mut k = c;
        while k < cuts.len() && cuts[k] < t.end {
            out.push(Span::new(start, cuts[k]));
            start = cuts[k];
            k += 1;
        }
        out.push(Span::new(start, t.end));
    }
    out
}

/// Each token's kept annotation of `kind` (an index into `kept`), in one pass.
fn covering<'a>(tokens: &[Span], kept: &[&'a Annotation]) -> Vec<Option<&'a Annotation>> {
    let mut k = 0;
    tokens
        .iter()
        .map(|t| {
            while k < kept.len() && kept[k].span.end <= t.start {
                k += 1;
            }
            kept.get(k)
                .filter(|a| a.span.start <= t.start && t.end <= a.span.end)
                .copied()
        })
        .collect()
}

/// The name quotes' and claims' tags are interned under, apart from every entity type.
fn kind_key(kind: Kind) -> &'static str {
    match kind {
        Kind::Entity => "\0entity",
        Kind::Quote => "\0quote",
        Kind::Claim => "\0claim",
    }
}

/// Tags as numbers: 0 is "O"; label `l` is `2l + 1` (B-) and `2l + 2` (I-).
fn iob<'a>(
    tokens: &[Span],
    kept: &[&'a Annotation],
    label_id: &mut impl FnMut(&'a str) -> u32,
) -> Vec<u32> {
    let cover = covering(tokens, kept);
    let mut last: Option<*const Annotation> = None;
    cover
        .iter()
        .map(|c| match c {
            None => {
                last = None;
                0
            }
            Some(a) => {
                let l = label_id(label_of(a));
                let p = *a as *const Annotation;
                if last == Some(p) {
                    2 * l + 2
                } else {
                    last = Some(p);
                    2 * l + 1
                }
            }
        })
        .collect()
}

/// Additive counts behind Cohen's κ, Fleiss' κ and Krippendorff's α over token units.
#[derive(Clone, Debug, Default)]
struct TokenTally {
    /// Per pair (global pair index): (tag of a, tag of b) → tokens.
    pairs: Map<usize, Map<(u32, u32), u64>>,
    /// Fleiss: raters per unit (one number per tally), units, Σ_u Σ_c n_uc², n per category.
    fleiss_raters: usize,
    fleiss_units: u64,
    fleiss_sq: u64,
    fleiss_cat: Map<u32, u64>,
    /// Krippendorff: the coincidence matrix and the pairable units.
    alpha: Coincidence,
}

#[derive(Clone, Debug, Default)]
struct Coincidence {
    o: Map<(u32, u32), f64>,
    units: u64,
}

impl Coincidence {
    /// One unit's values (one per coder who gave one).
    fn add_unit(&mut self, counts: &[(u32, u64)]) {
        let m: u64 = counts.iter().map(|c| c.1).sum();
        if m < 2 {
            return;
        }
        self.units += 1;
        let w = 1.0 / (m - 1) as f64;
        for &(c, nc) in counts {
            for &(k, nk) in counts {
                let pairs = if c == k { nc * (nc - 1) } else { nc * nk };
                if pairs > 0 {
                    *self.o.entry((c, k)).or_default() += pairs as f64 * w;
                }
            }
        }
    }

    fn add(&mut self, other: &Coincidence) {
        self.units += other.units;
        for (k, v) in &other.o {
            *self.o.entry(*k).or_default() += v;
        }
    }

    /// α with the squared distance `delta` between values (given the values' totals).
    fn alpha(&self, delta: impl Fn(u32, u32, &BTreeMap<u32, f64>) -> f64) -> Measure {
        let mut totals: BTreeMap<u32, f64> = BTreeMap::new();
        for (&(c, _), &v) in &self.o {
            *totals.entry(c).or_default() += v;
        }
        let n: f64 = totals.values().sum();
        let observed: f64 = self
            .o
            .iter()
            .map(|(&(c, k), &v)| v * delta(c, k, &totals))
            .sum();
        let mut expected = 0.0;
        for (&c, &nc) in &totals {
            for (&k, &nk) in &totals {
                if c != k {
                    expected += nc * nk * delta(c, k, &totals);
                }
            }
        }
        let value = (n > 1.0 && expected > 0.0).then(|| 1.0 - (n - 1.0) * observed / expected);
        Measure {
            value,
            units: self.units,
        }
    }
}

fn nominal(c: u32, k: u32, _: &BTreeMap<u32, f64>) -> f64 {
    if c == k {
        0.0
    } else {
        1.0
    }
}

/// Krippendorff's ordinal distance: (Σ_{g from c to k} n_g − (n_c + n_k)/2)², values being
/// ranks.
fn ordinal(c: u32, k: u32, totals: &BTreeMap<u32, f64>) -> f64 {
    if c == k {
        return 0.0;
    }
    let (lo, hi) = (c.min(k), c.max(k));
    let between: f64 = totals.range(lo..=hi).map(|(_, v)| v).sum();
    let d = between - (totals[&c] + totals[&k]) / 2.0;
    d * d
}

impl TokenTally {
    /// One document's tags of one scope: `tags[r]` of present annotator `present[r]`.
    fn add_doc(&mut self, present: &[usize], tags: &[Vec<u32>], n_all: usize) {
        let n = present.len();
        let units = tags.first().map_or(0, Vec::len);
        for x in 0..n {
            for y in x + 1..n {
                let table = self
                    .pairs
                    .entry(pair_index(present[x], present[y], n_all))
                    .or_default();
                for (&tx, &ty) in tags[x].iter().zip(&tags[y]) {
                    *table.entry((tx, ty)).or_default() += 1;
                }
            }
        }
        self.fleiss_raters = n;
        let mut counts: Vec<(u32, u64)> = Vec::with_capacity(n);
        for u in 0..units {
            counts.clear();
            for t in tags {
                match counts.iter_mut().find(|c| c.0 == t[u]) {
                    Some(c) => c.1 += 1,
                    None => counts.push((t[u], 1)),
                }
            }
            self.fleiss_units += 1;
            for &(c, nc) in &counts {
                self.fleiss_sq += nc * nc;
                *self.fleiss_cat.entry(c).or_default() += nc;
            }
            self.alpha.add_unit(&counts);
        }
    }

    /// `units` tokens every present annotator tags "O" (an entity type nobody uses there).
    fn add_outside(&mut self, present: &[usize], units: u64, n_all: usize) {
        let n = present.len() as u64;
        for x in 0..present.len() {
            for y in x + 1..present.len() {
                let table = self
                    .pairs
                    .entry(pair_index(present[x], present[y], n_all))
                    .or_default();
                *table.entry((0, 0)).or_default() += units;
            }
        }
        self.fleiss_raters = present.len();
        self.fleiss_units += units;
        self.fleiss_sq += units * n * n;
        *self.fleiss_cat.entry(0).or_default() += units * n;
        if n >= 2 && units > 0 {
            self.alpha.units += units;
            *self.alpha.o.entry((0, 0)).or_default() += (units * n) as f64;
        }
    }

    /// Adds a document's tally to the project's; Fleiss' counts only when every annotator of
    /// the project annotated the document.
    fn add(&mut self, o: &TokenTally, n_all: usize) {
        for (p, table) in &o.pairs {
            let mine = self.pairs.entry(*p).or_default();
            for (k, v) in table {
                *mine.entry(*k).or_default() += v;
            }
        }
        if o.fleiss_raters == n_all {
            self.fleiss_raters = n_all;
            self.fleiss_units += o.fleiss_units;
            self.fleiss_sq += o.fleiss_sq;
            for (k, v) in &o.fleiss_cat {
                *self.fleiss_cat.entry(*k).or_default() += v;
            }
        }
        self.alpha.add(&o.alpha);
    }

    fn cohen(&self, pair: usize) -> Measure {
        let Some(table) = self.pairs.get(&pair) else {
            return Measure {
                value: None,
                units: 0,
            };
        };
        let n: u64 = table.values().sum();
        let mut rows: Map<u32, u64> = Map::default();
        let mut cols: Map<u32, u64> = Map::default();
        let mut agree = 0;
        for (&(x, y), &v) in table {
            *rows.entry(x).or_default() += v;
            *cols.entry(y).or_default() += v;
            if x == y {
                agree += v;
            }
        }
        let nf = n as f64;
        let pe: f64 = rows
            .iter()
            .map(|(c, &r)| r as f64 * cols.get(c).copied().unwrap_or(0) as f64)
            .sum::<f64>()
            / (nf * nf);
        let po = agree as f64 / nf;
        Measure {
            value: (n > 0 && pe < 1.0).then(|| (po - pe) / (1.0 - pe)),
            units: n,
        }
    }

    fn fleiss(&self) -> Measure {
        let (n, units) = (self.fleiss_raters as f64, self.fleiss_units);
        let total = units as f64 * n;
        let pe: f64 = self
            .fleiss_cat
            .values()
            .map(|&c| (c as f64 / total).powi(2))
            .sum();
        let pbar = (self.fleiss_sq as f64 - total) / (total * (n - 1.0));
        Measure {
            value: (units > 0 && n >= 2.0 && pe < 1.0).then(|| (pbar - pe) / (1.0 - pe)),
            units,
        }
    }
}

/// The index of the pair (i, j), i < j, of `n` annotators.
fn pair_index(i: usize, j: usize, n: usize) -> usize {
    i * n + j
}

// ---- relations and attributes ----

/// An annotation's relations as (type, target id): its speaker or claimant when that is an
/// annotation, and its open-schema relations.
fn relations_of(a: &Annotation) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = Vec::new();
    match &a.body {
        Body::Quote {
            speaker: Some(Party::Ref(id)),
            ..
        } => out.push(("speaker".into(), id)),
        Body::Claim {
            claimant: Some(Party::Ref(id)),
            ..
        } => out.push(("claimant".into(), id)),
        _ => {}
    }
    for r in &a.extra().relations {
        out.push((r.kind.clone(), &r.target));
    }
    out
}

/// An annotation's attributes by name: a quote's `direct`, `cue` and named `speaker`, a
/// claim's `checkworthiness` and named `claimant`, and the open-schema attributes (a flag
/// reads "true").
fn attributes_of(a: &Annotation) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match &a.body {
        Body::Quote {
            speaker,
            cue,
            direct,
        } => {
            out.push(("direct".to_string(), direct.to_string()));
            if let Some(c) = cue {
                out.push(("cue".into(), format!("{}-{}", c.start, c.end)));
            }
            if let Some(Party::Name(n)) = speaker {
                out.push(("speaker".into(), n.clone()));
            }
        }
        Body::Claim {
            claimant,
            checkworthiness,
        } => {
            if let Some(c) = checkworthiness {
                out.push(("checkworthiness".into(), c.clone()));
            }
            if let Some(Party::Name(n)) = claimant {
                out.push(("claimant".into(), n.clone()));
            }
        }
        Body::Entity { .. } => {}
    }
    for (name, v) in &a.extra().attributes {
        let v = match v {
            super::annotation::Value::Flag => "true".to_string(),
            super::annotation::Value::Text(t) => t.clone(),
        };
        out.push((name.clone(), v));
    }
    out
}

#[derive(Clone, Debug, Default)]
struct PairExtras {
    a_rel: u64,
    b_rel: u64,
    agreed_rel: u64,
    /// attribute → (units, agreed)
    attributes: BTreeMap<String, (u64, u64)>,
    confusion: BTreeMap<(Option<String>, Option<String>), u64>,
}

impl PairExtras {
    fn add(&mut self, o: &PairExtras) {
        self.a_rel += o.a_rel;
        self.b_rel += o.b_rel;
        self.agreed_rel += o.agreed_rel;
        for (k, v) in &o.attributes {
            let e = self.attributes.entry(k.clone()).or_default();
            e.0 += v.0;
            e.1 += v.1;
        }
        for (k, v) in &o.confusion {
            *self.confusion.entry(k.clone()).or_default() += v;
        }
    }
}

/// Each kind's items of both layers and their matching, in `Kind::ALL` order.
type Matched<'a, 'b> = (&'b [Item<'a>], &'b [Item<'a>], &'b [(usize, usize, bool)]);

fn pair_extras(a: &[Annotation], b: &[Annotation], kinds: &[Matched<'_, '_>]) -> PairExtras {
    let mut out = PairExtras::default();
    let mut map: Map<&str, &str> = Map::default();
    for (kind, &(xa, xb, m)) in Kind::ALL.into_iter().zip(kinds) {
        let (mut a_seen, mut b_seen) = (vec![false; xa.len()], vec![false; xb.len()]);
        for &(i, j, _) in m {
            a_seen[i] = true;
            b_seen[j] = true;
            map.insert(&xa[i].ann.id, &xb[j].ann.id);
            let (pa, pb) = (attributes_of(xa[i].ann), attributes_of(xb[j].ann));
            let mut names: Vec<&String> = pa.iter().chain(&pb).map(|p| &p.0).collect();
            sort::sort_dedup(&mut names);
            for name in names {
                let va = pa.iter().find(|p| &p.0 == name).map(|p| &p.1);
                let vb = pb.iter().find(|p| &p.0 == name).map(|p| &p.1);
                let e = out.attributes.entry(name.clone()).or_default();
                e.0 += 1;
                if va.is_some() && va == vb {
                    e.1 += 1;
                }
            }
            if kind == Kind::Entity {
                let key = (Some(xa[i].label.to_string()), Some(xb[j].label.to_string()));
                *out.confusion.entry(key).or_default() += 1;
            }
        }
        if kind == Kind::Entity {
            for (i, x) in xa.iter().enumerate().filter(|(i, _)| !a_seen[*i]) {
                let _ = i;
                *out.confusion
                    .entry((Some(x.label.into()), None))
                    .or_default() += 1;
            }
            for (j, y) in xb.iter().enumerate().filter(|(j, _)| !b_seen[*j]) {
                let _ = j;
                *out.confusion
                    .entry((None, Some(y.label.into())))
                    .or_default() += 1;
            }
        }
    }
    let mut b_rels: Map<(String, &str, &str), u64> = Map::default();
    for y in b {
        for (k, t) in relations_of(y) {
            out.b_rel += 1;
            *b_rels.entry((k, &y.id, t)).or_default() += 1;
        }
    }
    for x in a {
        for (k, t) in relations_of(x) {
            out.a_rel += 1;
            if let (Some(&s), Some(&tt)) = (map.get(x.id.as_str()), map.get(t)) {
                if let Some(c) = b_rels.get_mut(&(k, s, tt)) {
                    if *c > 0 {
                        *c -= 1;
                        out.agreed_rel += 1;
                    }
                }
            }
        }
    }
    out
}

// ---- tallies of a document and of the project ----

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum ScopeKey<'a> {
    All,
    Kind(Kind),
    Label(&'a str),
}

impl ScopeKey<'_> {
    fn name(&self) -> String {
        match self {
            ScopeKey::All => "all".into(),
            ScopeKey::Kind(k) => k.as_str().into(),
            ScopeKey::Label(l) => format!("entity:{l}"),
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Tally<'a> {
    /// The global indices of the annotators it covers.
    present: Vec<usize>,
    spans: BTreeMap<ScopeKey<'a>, Map<usize, SpanTally>>,
    tokens: BTreeMap<ScopeKey<'a>, TokenTally>,
    /// Entity tokens of the document (for the entity types it does not use).
    entity_tokens: u64,
    checkworthiness: Coincidence,
    extras: Map<usize, PairExtras>,
}

struct Interner<'a> {
    ids: Map<&'a str, u32>,
}

impl<'a> Interner<'a> {
    fn id(&mut self, s: &'a str) -> u32 {
        let n = self.ids.len() as u32;
        *self.ids.entry(s).or_insert(n)
    }
}

fn document_tally<'a>(
    input: &Input<'a>,
    names: &[&'a str],
    scale: &[String],
    labels: &mut Interner<'a>,
) -> Tally<'a> {
    let n_all = names.len();
    let mut layers: Vec<(usize, Layer<'a>)> = input
        .layers
        .iter()
        .map(|l| {
            (
                names.iter().position(|n| *n == l.annotator).expect("named"),
                *l,
            )
        })
        .collect();
    sort::sort_by_key(&mut layers, |l| l.0);
    let present: Vec<usize> = layers.iter().map(|l| l.0).collect();
    let plain: Vec<Layer<'a>> = layers.iter().map(|l| l.1).collect();
    let mut t = Tally {
        present: present.clone(),
        ..Default::default()
    };
    let base = base_tokens(input.document);
    // Each kind's items of every layer, and the matching of each pair's.
    let items: Vec<Vec<Vec<Item<'a>>>> = Kind::ALL
        .iter()
        .map(|&kind| {
            plain
                .iter()
                .map(|l| items_of(l.annotations, kind))
                .collect()
        })
        .collect();
    let mut used: Vec<&'a str> = items[0].iter().flatten().map(|x| x.label).collect();
    sort::sort_dedup(&mut used);
    for x in 0..present.len() {
        for y in x + 1..present.len() {
            let p = pair_index(present[x], present[y], n_all);
            let matchings: Vec<Vec<(usize, usize, bool)>> = items
                .iter()
                .map(|of_kind| best_matching(&of_kind[x], &of_kind[y]))
                .collect();
            for (k, kind) in Kind::ALL.into_iter().enumerate() {
                let s = span_tally_of(&items[k][x], &items[k][y], &matchings[k]);
                t.spans
                    .entry(ScopeKey::Kind(kind))
                    .or_default()
                    .insert(p, s);
                t.spans
                    .entry(ScopeKey::All)
                    .or_default()
                    .entry(p)
                    .or_default()
                    .add(&s);
            }
            for &l in &used {
                let fa: Vec<Item<'a>> = items[0][x]
                    .iter()
                    .filter(|i| i.label == l)
                    .copied()
                    .collect();
                let fb: Vec<Item<'a>> = items[0][y]
                    .iter()
                    .filter(|i| i.label == l)
                    .copied()
                    .collect();
                t.spans
                    .entry(ScopeKey::Label(l))
                    .or_default()
                    .insert(p, span_tally(&fa, &fb));
            }
            let kinds: Vec<Matched<'a, '_>> = (0..Kind::ALL.len())
                .map(|k| (&items[k][x][..], &items[k][y][..], &matchings[k][..]))
                .collect();
            t.extras.insert(
                p,
                pair_extras(plain[x].annotations, plain[y].annotations, &kinds),
            );
        }
    }
    for kind in Kind::ALL {
        // Tokens.
        let kept_of: Vec<Vec<&Annotation>> =
            plain.iter().map(|l| kept(l.annotations, kind)).collect();
        let tokens = cut_tokens(&base, &kept_of);
        let tags: Vec<Vec<u32>> = kept_of
            .iter()
            .map(|k| {
                iob(&tokens, k, &mut |s| {
                    labels.id(if kind == Kind::Entity {
                        s
                    } else {
                        kind_key(kind)
                    })
                })
            })
            .collect();
        let mut kind_tally = TokenTally::default();
        kind_tally.add_doc(&present, &tags, n_all);
        // The pooled scope: each kind's tag numbers are distinct (labels interned per kind
        // name), and "O" is one category.
        t.tokens
            .entry(ScopeKey::All)
            .or_default()
            .add_pooled(&kind_tally);
        t.tokens.insert(ScopeKey::Kind(kind), kind_tally);
        if kind == Kind::Entity {
            t.entity_tokens = tokens.len() as u64;
            // Each type's tokens: those some annotator tags with it; on the others every
            // annotator's tag is "O" for that type.
            let ids: Vec<u32> = used.iter().map(|l| labels.id(l)).collect();
            let mut touched: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
            let mut here: Vec<usize> = Vec::new();
            for u in 0..tokens.len() {
                here.clear();
                for ts in &tags {
                    let g = ts[u];
                    if g != 0 {
                        let id = (g - 1) / 2;
                        if let Some(i) = ids.iter().position(|&x| x == id) {
                            if !here.contains(&i) {
                                here.push(i);
                                touched[i].push(u);
                            }
                        }
                    }
                }
            }
            for (i, &l) in used.iter().enumerate() {
                let id = ids[i];
                let mapped: Vec<Vec<u32>> = tags
                    .iter()
                    .map(|ts| {
                        touched[i]
                            .iter()
                            .map(|&u| {
                                let g = ts[u];
                                if g != 0 && (g - 1) / 2 == id {
                                    g
                                } else {
                                    0
                                }
                            })
                            .collect()
                    })
                    .collect();
                let tally = t.tokens.entry(ScopeKey::Label(l)).or_default();
                tally.add_doc(&present, &mapped, n_all);
                tally.add_outside(&present, (tokens.len() - touched[i].len()) as u64, n_all);
            }
        }
        if kind == Kind::Claim {
            let covers: Vec<Vec<Option<&Annotation>>> =
                kept_of.iter().map(|k| covering(&tokens, k)).collect();
            let mut counts: Vec<(u32, u64)> = Vec::new();
            for u in 0..tokens.len() {
                counts.clear();
                for c in &covers {
                    let rank = c[u].and_then(|a| match &a.body {
                        Body::Claim {
                            checkworthiness: Some(v),
                            ..
                        } => scale.iter().position(|s| s == v),
                        _ => None,
                    });
                    if let Some(r) = rank {
                        let r = r as u32;
                        match counts.iter_mut().find(|c| c.0 == r) {
                            Some(c) => c.1 += 1,
                            None => counts.push((r, 1)),
                        }
                    }
                }
                t.checkworthiness.add_unit(&counts);
            }
        }
    }
    t
}

impl TokenTally {
    /// Adds one kind's tally of a document to the document's pooled (`all`) tally.
    fn add_pooled(&mut self, o: &TokenTally) {
        for (p, table) in &o.pairs {
            let mine = self.pairs.entry(*p).or_default();
            for (k, v) in table {
                *mine.entry(*k).or_default() += v;
            }
        }
        self.fleiss_raters = o.fleiss_raters;
        self.fleiss_units += o.fleiss_units;
        self.fleiss_sq += o.fleiss_sq;
        for (k, v) in &o.fleiss_cat {
            *self.fleiss_cat.entry(*k).or_default() += v;
        }
        self.alpha.add(&o.alpha);
    }
}

fn figures(t: &Tally<'_>, names: &[&str], extra_labels: &[&str]) -> Figures {
    let n_all = names.len();
    let pairs: Vec<(usize, usize)> = (0..n_all)
        .flat_map(|i| (i + 1..n_all).map(move |j| (i, j)))
        .filter(|&(i, j)| {
            t.spans
                .get(&ScopeKey::All)
                .is_some_and(|m| m.contains_key(&pair_index(i, j, n_all)))
        })
        .collect();
    let mut keys: Vec<ScopeKey<'_>> = t.spans.keys().copied().collect();
    for k in [ScopeKey::All]
        .into_iter()
        .chain(Kind::ALL.map(ScopeKey::Kind))
        .chain(extra_labels.iter().map(|l| ScopeKey::Label(l)))
    {
        keys.push(k);
    }
    sort::sort_dedup(&mut keys);
    let empty_spans = Map::default();
    let empty_tokens = TokenTally::default();
    let scopes = keys
        .into_iter()
        .map(|key| {
            let spans = t.spans.get(&key).unwrap_or(&empty_spans);
            let tokens = t.tokens.get(&key).unwrap_or(&empty_tokens);
            let mut sum = SpanTally::default();
            let pair_scores = pairs
                .iter()
                .map(|&(i, j)| {
                    let p = pair_index(i, j, n_all);
                    let s = spans.get(&p).copied().unwrap_or_default();
                    sum.add(&s);
                    let credit = s.correct as f64 + 0.5 * s.partial as f64;
                    PairScore {
                        a: names[i].to_string(),
                        b: names[j].to_string(),
                        exact: score(&s, s.exact as f64, s.exact, 0),
                        overlap: score(&s, credit, s.correct, s.partial),
                        cohen_kappa: tokens.cohen(p),
                    }
                })
                .collect();
            let both = sum.na + sum.nb;
            let credit = sum.correct as f64 + 0.5 * sum.partial as f64;
            ScopeScore {
                scope: key.name(),
                pairs: pair_scores,
                overall: Overall {
                    exact_f1: Measure {
                        value: ratio(2.0 * sum.exact as f64, both as f64),
                        units: both,
                    },
                    overlap_f1: Measure {
                        value: ratio(2.0 * credit, both as f64),
                        units: both,
                    },
                    fleiss_kappa: tokens.fleiss(),
                    alpha_nominal: tokens.alpha.alpha(nominal),
                },
            }
        })
        .collect();
    let mut relations = Vec::new();
    let mut attributes = Vec::new();
    let mut confusion = Vec::new();
    for &(i, j) in &pairs {
        let Some(e) = t.extras.get(&pair_index(i, j, n_all)) else {
            continue;
        };
        let (a, b) = (names[i].to_string(), names[j].to_string());
        relations.push(RelationScore {
            a: a.clone(),
            b: b.clone(),
            a_relations: e.a_rel,
            b_relations: e.b_rel,
            agreed: e.agreed_rel,
            f1: ratio(2.0 * e.agreed_rel as f64, (e.a_rel + e.b_rel) as f64),
        });
        for (name, &(units, agreed)) in &e.attributes {
            attributes.push(AttributeScore {
                a: a.clone(),
                b: b.clone(),
                attribute: name.clone(),
                units,
                agreed,
                agreement: ratio(agreed as f64, units as f64),
            });
        }
        for ((la, lb), &count) in &e.confusion {
            confusion.push(Confusion {
                a: a.clone(),
                b: b.clone(),
                a_label: la.clone(),
                b_label: lb.clone(),
                count,
            });
        }
    }
    Figures {
        annotators: t.present.iter().map(|&i| names[i].to_string()).collect(),
        scopes,
        checkworthiness_alpha: t.checkworthiness.alpha(ordinal),
        relations,
        attributes,
        confusion,
    }
}

/// The agreement of every document's layers, and over the project. `scale` is the
/// check-worthiness scale in order (the labels' `checkworthiness`, CFS > UFS > NFS); a value
/// not on it counts as none. Each input needs two layers or more, of different annotators.
pub fn agree(inputs: &[Input<'_>], scale: &[String]) -> Result<Report, String> {
    let mut names: Vec<&str> = inputs
        .iter()
        .flat_map(|i| i.layers.iter().map(|l| l.annotator))
        .collect();
    sort::sort_dedup(&mut names);
    for input in inputs {
        let mut seen: Vec<&str> = input.layers.iter().map(|l| l.annotator).collect();
        let n = seen.len();
        sort::sort_dedup(&mut seen);
        if n < 2 {
            return Err(format!(
                "document “{}” has {} annotator; agreement needs two or more",
                input.document.id, n
            ));
        }
        if seen.len() < n {
            return Err(format!(
                "document “{}” has two layers of the same annotator",
                input.document.id
            ));
        }
    }
    let n_all = names.len();
    let mut labels = Interner {
        ids: Map::default(),
    };
    let mut project = Tally {
        present: (0..n_all).collect(),
        ..Default::default()
    };
    let mut documents = Vec::new();
    let mut doc_tallies = Vec::new();
    for input in inputs {
        let t = document_tally(input, &names, scale, &mut labels);
        documents.push(DocumentFigures {
            id: input.document.id.clone(),
            title: input.document.title.clone(),
            sha256: input.sha256.to_string(),
            figures: figures(&t, &names, &[]),
        });
        doc_tallies.push(t);
    }
    let mut all_labels: Vec<&str> = doc_tallies
        .iter()
        .flat_map(|t| {
            t.spans.keys().filter_map(|k| match k {
                ScopeKey::Label(l) => Some(*l),
                _ => None,
            })
        })
        .collect();
    sort::sort_dedup(&mut all_labels);
    for t in &doc_tallies {
        for (k, m) in &t.spans {
            let mine = project.spans.entry(*k).or_default();
            for (p, s) in m {
                mine.entry(*p).or_default().add(s);
            }
        }
        for (k, tt) in &t.tokens {
            project.tokens.entry(*k).or_default().add(tt, n_all);
        }
        for &l in &all_labels {
            if !t.tokens.contains_key(&ScopeKey::Label(l)) {
                let mut outside = TokenTally::default();
                outside.add_outside(&t.present, t.entity_tokens, n_all);
                project
                    .tokens
                    .entry(ScopeKey::Label(l))
                    .or_default()
                    .add(&outside, n_all);
                for x in 0..t.present.len() {
                    for y in x + 1..t.present.len() {
                        project
                            .spans
                            .entry(ScopeKey::Label(l))
                            .or_default()
                            .entry(pair_index(t.present[x], t.present[y], n_all))
                            .or_default();
                    }
                }
            }
        }
        project.checkworthiness.add(&t.checkworthiness);
        for (p, e) in &t.extras {
            project.extras.entry(*p).or_default().add(e);
        }
    }
    let project = figures(&project, &names, &all_labels);
    Ok(Report {
        annotators: names.iter().map(|s| s.to_string()).collect(),
        span_f1_exact: project.scopes[0].overall.exact_f1.value,
        project,
        documents,
    })
}

/// A CSV field, quoted when it needs to be (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The attribute of a gold annotation that says which annotators made it.
pub const ANNOTATORS: &str = "annotators";

/// What every layer holds alike: each annotation of the first layer that every other layer
/// has too (the same kind, type and fragments), once, in text order, with the attribute
/// [`ANNOTATORS`] naming all of them ("Ann; Bo; me"). Links and relations to an annotation
/// not among them are dropped (the gold layer must hold together). What the Review panel's
/// "Accept what all agree on" starts the gold layer with.
pub fn agreed(layers: &[Layer<'_>]) -> Vec<Annotation> {
    let Some((first, others)) = layers.split_first() else {
        return Vec::new();
    };
    let key = |a: &Annotation| (a.kind(), label_of(a).to_string(), a.fragments());
    let held: Vec<std::collections::HashSet<_>> = others
        .iter()
        .map(|l| l.annotations.iter().map(key).collect())
        .collect();
    let mut names: Vec<&str> = layers.iter().map(|l| l.annotator).collect();
    sort::sort_dedup(&mut names);
    let names = names.join("; ");
    let mut out: Vec<Annotation> = first
        .annotations
        .iter()
        .filter(|a| held.iter().all(|h| h.contains(&key(a))))
        .cloned()
        .collect();
    let ids: std::collections::HashSet<String> = out.iter().map(|a| a.id.clone()).collect();
    for a in &mut out {
        let gone: Vec<String> = a
            .targets()
            .filter(|t| !ids.contains(*t))
            .map(str::to_string)
            .collect();
        for t in gone {
            a.unlink(&t);
        }
        let attrs = &mut a.extra_mut().attributes;
        attrs.retain(|(n, _)| n != ANNOTATORS);
        let at = attrs.partition_point(|(n, _)| n.as_str() < ANNOTATORS);
        attrs.insert(
            at,
            (
                ANNOTATORS.to_string(),
                super::annotation::Value::Text(names.clone()),
            ),
        );
    }
    sort::sort_by(&mut out, |x, y| x.sort_key().cmp(&y.sort_key()));
    out
}

/// The report as CSV, one line a figure (`marginalia agree --csv`, the Review panel's
/// download): document (empty for the project), scope, the pair (empty for all), figure,
/// value (empty where it is not defined) and units.
pub fn csv(r: &Report) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("document,scope,a,b,figure,value,units\n");
    let mut row =
        |doc: &str, scope: &str, a: &str, b: &str, figure: &str, v: Option<f64>, u: u64| {
            let v = v.map_or(String::new(), |v| v.to_string());
            let _ = writeln!(
                out,
                "{},{},{},{},{figure},{v},{u}",
                field(doc),
                field(scope),
                field(a),
                field(b)
            );
        };
    let all = std::iter::once(("", &r.project))
        .chain(r.documents.iter().map(|d| (d.id.as_str(), &d.figures)));
    for (doc, f) in all {
        for s in &f.scopes {
            for p in &s.pairs {
                let (a, b) = (p.a.as_str(), p.b.as_str());
                let spans = p.exact.reference_spans + p.exact.other_spans;
                row(
                    doc,
                    &s.scope,
                    a,
                    b,
                    "exact_precision",
                    p.exact.precision,
                    p.exact.other_spans,
                );
                row(
                    doc,
                    &s.scope,
                    a,
                    b,
                    "exact_recall",
                    p.exact.recall,
                    p.exact.reference_spans,
                );
                row(doc, &s.scope, a, b, "exact_f1", p.exact.f1, spans);
                row(
                    doc,
                    &s.scope,
                    a,
                    b,
                    "overlap_precision",
                    p.overlap.precision,
                    p.overlap.other_spans,
                );
                row(
                    doc,
                    &s.scope,
                    a,
                    b,
                    "overlap_recall",
                    p.overlap.recall,
                    p.overlap.reference_spans,
                );
                row(doc, &s.scope, a, b, "overlap_f1", p.overlap.f1, spans);
                row(
                    doc,
                    &s.scope,
                    a,
                    b,
                    "cohen_kappa",
                    p.cohen_kappa.value,
                    p.cohen_kappa.units,
                );
            }
            let o = &s.overall;
            row(
                doc,
                &s.scope,
                "",
                "",
                "exact_f1",
                o.exact_f1.value,
                o.exact_f1.units,
            );
            row(
                doc,
                &s.scope,
                "",
                "",
                "overlap_f1",
                o.overlap_f1.value,
                o.overlap_f1.units,
            );
            row(
                doc,
                &s.scope,
                "",
                "",
                "fleiss_kappa",
                o.fleiss_kappa.value,
                o.fleiss_kappa.units,
            );
            row(
                doc,
                &s.scope,
                "",
                "",
                "alpha_nominal",
                o.alpha_nominal.value,
                o.alpha_nominal.units,
            );
        }
        let cw = &f.checkworthiness_alpha;
        row(
            doc,
            "claim",
            "",
            "",
            "checkworthiness_alpha_ordinal",
            cw.value,
            cw.units,
        );
        for rel in &f.relations {
            row(
                doc,
                "relations",
                &rel.a,
                &rel.b,
                "relation_f1",
                rel.f1,
                rel.a_relations + rel.b_relations,
            );
        }
        for at in &f.attributes {
            row(
                doc,
                &format!("attribute:{}", at.attribute),
                &at.a,
                &at.b,
                "agreement",
                at.agreement,
                at.units,
            );
        }
    }
    out
}

/// The report as JSON (two-space indentation, a final newline); with `units`, the inputs'
/// token units per kind besides, under `"units"` (one object a document: its `sha256` and each
/// kind's tokens as `[start, end]` code points), so that the figures can be checked from
/// outside (tests/formats/agreement_reference.py).
pub fn json(report: &Report, units: Option<&[Input<'_>]>) -> String {
    let Some(inputs) = units else {
        let mut s = serde_json::to_string_pretty(report).expect("plain data serialises");
        s.push('\n');
        return s;
    };
    let mut value = serde_json::to_value(report).expect("plain data serialises");
    {
        let docs: Vec<serde_json::Value> = inputs
            .iter()
            .map(|i| {
                let mut m = serde_json::Map::new();
                m.insert("sha256".into(), i.sha256.into());
                for kind in Kind::ALL {
                    let spans: Vec<[usize; 2]> = token_units(i.document, &i.layers, kind)
                        .iter()
                        .map(|s| [s.start, s.end])
                        .collect();
                    m.insert(kind.as_str().into(), serde_json::json!(spans));
                }
                serde_json::Value::Object(m)
            })
            .collect();
        value["units"] = serde_json::Value::Array(docs);
    }
    let mut s = serde_json::to_string_pretty(&value).expect("plain data serialises");
    s.push('\n');
    s
}

#[cfg(test)]
#[path = "agreement_tests.rs"]
mod tests;
