use super::*;
use crate::model::{Annotation, Body, Document, Kind, Span, Timestamp};
use proptest::prelude::*;

fn ann(id: &str, start: usize, end: usize, body: Body) -> Annotation {
    Annotation {
        id: id.into(),
        span: Span::new(start, end),
        body,
        note: String::new(),
        created: Timestamp(0),
        updated: Timestamp(0),
        extra: None,
    }
}

fn ent(id: &str, start: usize, end: usize, label: &str) -> Annotation {
    ann(
        id,
        start,
        end,
        Body::Entity {
            label: label.into(),
        },
    )
}

fn claim(id: &str, start: usize, end: usize, cw: Option<&str>) -> Annotation {
    ann(
        id,
        start,
        end,
        Body::Claim {
            claimant: None,
            checkworthiness: cw.map(String::from),
        },
    )
}

fn scale() -> Vec<String> {
    ["CFS", "UFS", "NFS"].map(String::from).to_vec()
}

fn report(doc: &Document, layers: &[(&str, &[Annotation])]) -> Report {
    let input = Input {
        document: doc,
        sha256: "x",
        layers: layers
            .iter()
            .map(|(n, a)| Layer {
                annotator: n,
                annotations: a,
            })
            .collect(),
    };
    agree(&[input], &scale()).unwrap()
}

fn scope<'a>(f: &'a Figures, name: &str) -> &'a ScopeScore {
    f.scopes.iter().find(|s| s.scope == name).unwrap()
}

fn close(x: Option<f64>, y: f64) {
    let x = x.expect("a value");
    assert!((x - y).abs() < 1e-12, "{x} != {y}");
}

/// The worked example of docs/review.md.
#[test]
fn the_worked_example_of_the_docs() {
    // 0         1         2         3
    // 0123456789012345678901234567890123456
    // Anna Berg met Carl Dahl in Eskilstuna.
    let doc = Document::new("d", "t", "Anna Berg met Carl Dahl in Eskilstuna.");
    let a = [
        ent("a1", 0, 9, "PERSON"),
        ent("a2", 14, 23, "PERSON"),
        ent("a3", 27, 37, "GPE"),
    ];
    let b = [
        ent("b1", 0, 9, "PERSON"),
        ent("b2", 19, 23, "PERSON"),
        ent("b3", 27, 37, "LOC"),
    ];
    let r = report(&doc, &[("ann", &a), ("bob", &b)]);
    let e = scope(&r.project, "entity");
    let p = &e.pairs[0];
    assert_eq!((p.a.as_str(), p.b.as_str()), ("ann", "bob"));
    // Exact: only Anna Berg is the same span of the same type.
    assert_eq!(p.exact.correct, 1);
    close(p.exact.precision, 1.0 / 3.0);
    close(p.exact.recall, 1.0 / 3.0);
    close(p.exact.f1, 1.0 / 3.0);
    // Overlap: Anna Berg and Eskilstuna same boundaries (type not compared), Dahl partial.
    assert_eq!((p.overlap.correct, p.overlap.partial), (2, 1));
    close(p.overlap.f1, 2.5 / 3.0);
    // Tokens: Anna Berg met Carl Dahl in Eskilstuna . = 8 tokens.
    // ann: B-P I-P O B-P I-P O B-GPE O ; bob: B-P I-P O O B-P O B-LOC O
    // agreements: 0,1,2,5,7 = 5/8; marginals ann: BP 2, IP 2, O 3, BG 1; bob: BP 2, IP 1, O 4, BL 1
    // pe = (2·2 + 2·1 + 3·4) / 64 = 18/64.
    assert_eq!(p.cohen_kappa.units, 8);
    close(
        p.cohen_kappa.value,
        (5.0 / 8.0 - 18.0 / 64.0) / (1.0 - 18.0 / 64.0),
    );
    // The confusion of matched entity types.
    let conf: Vec<(Option<&str>, Option<&str>, u64)> = r
        .project
        .confusion
        .iter()
        .map(|c| (c.a_label.as_deref(), c.b_label.as_deref(), c.count))
        .collect();
    assert_eq!(
        conf,
        [
            (Some("GPE"), Some("LOC"), 1),
            (Some("PERSON"), Some("PERSON"), 2)
        ]
    );
    // Per type: PERSON exact 1 of 2 each side.
    let person = scope(&r.project, "entity:PERSON");
    close(person.pairs[0].exact.f1, 0.5);
    let gpe = scope(&r.project, "entity:GPE");
    assert_eq!(gpe.pairs[0].exact.reference_spans, 1);
    assert_eq!(gpe.pairs[0].exact.other_spans, 0);
    assert_eq!(gpe.pairs[0].exact.precision, None);
    close(gpe.pairs[0].exact.recall, 0.0);
    close(r.span_f1_exact, 1.0 / 3.0);
}

#[test]
fn fleiss_and_alpha_by_hand() {
    // Three annotators over a four-token text: "a b c d".
    let doc = Document::new("d", "t", "a b c d");
    let x = [ent("1", 0, 1, "X"), ent("2", 2, 3, "X")];
    let y = [ent("1", 0, 1, "X")];
    let z = [ent("1", 0, 1, "X"), ent("2", 4, 5, "X")];
    let r = report(&doc, &[("x", &x), ("y", &y), ("z", &z)]);
    let e = scope(&r.project, "entity");
    // units: a: BBB; b: B O O; c: O O B; d: OOO.
    // P_u = (Σ n² − 3)/6: a 1, b (1+4−3)/6 = 1/3, c 1/3, d 1 → P̄ = 2/3.
    // p_B = 5/12, p_O = 7/12 → P_e = (25 + 49)/144 = 74/144.
    let pe = 74.0 / 144.0;
    close(e.overall.fleiss_kappa.value, (2.0 / 3.0 - pe) / (1.0 - pe));
    assert_eq!(e.overall.fleiss_kappa.units, 4);
    // α: coincidences o_BB = 3 (a) , o_OO = 1 + 1 + 3 = 5 (b: 2·1/2, c: 1, d: 3), o_BO = o_OB
    // = 2·(1·2)/2 = 2 ... n_B = 5, n_O = 7, n = 12: α = 1 − 11·(o_BO + o_OB)/(2·n_B·n_O)
    close(e.overall.alpha_nominal.value, 1.0 - 11.0 * 4.0 / 70.0);
}

#[test]
fn ordinal_alpha_of_checkworthiness() {
    let doc = Document::new("d", "t", "one two. three four.");
    let x = [
        claim("c1", 0, 8, Some("CFS")),
        claim("c2", 9, 20, Some("NFS")),
    ];
    let y = [
        claim("c1", 0, 8, Some("UFS")),
        claim("c2", 9, 20, Some("NFS")),
    ];
    let r = report(&doc, &[("x", &x), ("y", &y)]);
    // tokens: one two . | three four . → values x: 0 0 0 2 2 2, y: 1 1 1 2 2 2.
    // o_01 = o_10 = 3, o_22 = 6; n_0 = 3, n_1 = 3, n_2 = 6, n = 12.
    // δ²(0,1) = (3 + 3 − 3)² = 9; δ²(0,2) = (12 − 4.5)² = 56.25; δ²(1,2) = (9 − 4.5)² = 20.25.
    let d_o = 2.0 * 3.0 * 9.0;
    let d_e = 2.0 * (3.0 * 3.0 * 9.0 + 3.0 * 6.0 * 56.25 + 3.0 * 6.0 * 20.25);
    close(
        r.project.checkworthiness_alpha.value,
        1.0 - 11.0 * d_o / d_e,
    );
    assert_eq!(r.project.checkworthiness_alpha.units, 6);
    let attr = r
        .project
        .attributes
        .iter()
        .find(|a| a.attribute == "checkworthiness")
        .unwrap();
    assert_eq!((attr.units, attr.agreed), (2, 1));
}

#[test]
fn relations_between_matched_ends() {
    let doc = Document::new("d", "t", "Anna said it was fine.");
    let q = |id: &str, speaker: &str| {
        ann(
            id,
            10,
            21,
            Body::Quote {
                speaker: Some(Party::Ref(speaker.into())),
                cue: None,
                direct: false,
            },
        )
    };
    let x = [ent("e1", 0, 4, "PERSON"), q("q1", "e1")];
    let y = [ent("p", 0, 4, "PERSON"), q("q", "p")];
    let z = [
        ent("p", 0, 4, "PERSON"),
        ent("o", 5, 9, "PERSON"),
        q("q", "o"),
    ];
    let r = report(&doc, &[("x", &x), ("y", &y), ("z", &z)]);
    let rel = |a: &str, b: &str| {
        r.project
            .relations
            .iter()
            .find(|s| s.a == a && s.b == b)
            .unwrap()
            .clone()
    };
    assert_eq!(rel("x", "y").agreed, 1);
    close(rel("x", "y").f1, 1.0);
    assert_eq!(rel("x", "z").agreed, 0, "the speaker is another entity");
}

#[test]
fn the_tokens_are_the_conll_exports() {
    let text = "Syria's capital, Damascus, fell.\r\n\r\nOn 8 December 🎉 it did.";
    let doc = Document::new("d", "t", text);
    let a = [
        ent("1", 0, 5, "GPE"),
        ent("2", 17, 25, "GPE"),
        ent("3", 0, 15, "LOC"),
        ent("4", 39, 49, "DATE"),
    ];
    let bundle = crate::formats::Bundle {
        document: doc.clone(),
        labels: Default::default(),
        annotator: String::new(),
        annotations: a.to_vec(),
        status: Default::default(),
    };
    let conll: Vec<Span> = crate::formats::conll::sentences(&bundle)
        .into_iter()
        .flatten()
        .map(|t| t.span)
        .collect();
    let layers = [Layer {
        annotator: "x",
        annotations: &a,
    }];
    assert_eq!(token_units(&doc, &layers, Kind::Entity), conll);
    // With no annotation, the export's tokens of every text of the tests.
    for text in [
        text,
        TEXT,
        "a\u{1f}b\u{a0}c\u{2028}d  e\n\n\n f\u{85}g 👍🏽x 🇸🇪.",
    ] {
        let bundle = crate::formats::Bundle {
            document: Document::new("d", "t", text),
            annotations: Vec::new(),
            ..bundle.clone()
        };
        let conll: Vec<Span> = crate::formats::conll::sentences(&bundle)
            .into_iter()
            .flatten()
            .map(|t| t.span)
            .collect();
        assert_eq!(base_tokens(&bundle.document), conll, "{text:?}");
    }
    let kept_ids: Vec<&str> = kept(&a, Kind::Entity)
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    let conll_ids: Vec<&str> = crate::formats::conll::kept_entities(&bundle)
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(kept_ids, conll_ids);
}

#[test]
fn fewer_than_two_annotators_or_the_same_twice_is_refused() {
    let doc = Document::new("d", "t", "a");
    let one = Input {
        document: &doc,
        sha256: "x",
        layers: vec![Layer {
            annotator: "x",
            annotations: &[],
        }],
    };
    assert!(agree(&[one], &scale()).unwrap_err().contains("needs two"));
    let twice = Input {
        document: &doc,
        sha256: "x",
        layers: vec![
            Layer {
                annotator: "x",
                annotations: &[],
            };
            2
        ],
    };
    assert!(agree(&[twice], &scale())
        .unwrap_err()
        .contains("same annotator"));
}

#[test]
fn an_empty_layer_and_undefined_figures() {
    let doc = Document::new("d", "t", "a b c");
    let x = [ent("1", 0, 1, "X")];
    let r = report(&doc, &[("x", &x), ("y", &[])]);
    let e = scope(&r.project, "entity");
    assert_eq!(e.pairs[0].exact.precision, None, "y has no spans");
    close(e.pairs[0].exact.recall, 0.0);
    close(e.pairs[0].exact.f1, 0.0);
    // Both empty: nothing to compare, κ undefined (every token "O" for both).
    let r = report(&doc, &[("x", &[]), ("y", &[])]);
    let e = scope(&r.project, "entity");
    assert_eq!(e.pairs[0].exact.f1, None);
    assert_eq!(e.pairs[0].cohen_kappa.value, None);
    assert_eq!(e.pairs[0].cohen_kappa.units, 3);
    assert_eq!(r.span_f1_exact, None);
}

/// The most credit a one-to-one matching can give, by trying every one (small lists).
fn brute_credit(a: &[Item<'_>], b: &[Item<'_>]) -> u32 {
    fn go(i: usize, a: &[Item<'_>], b: &[Item<'_>], used: &mut Vec<bool>) -> u32 {
        if i == a.len() {
            return 0;
        }
        let mut best = go(i + 1, a, b, used);
        for j in 0..b.len() {
            if used[j] || common(a[i].frags, b[j].frags) == 0 {
                continue;
            }
            let w = if a[i].frags == b[j].frags { 2 } else { 1 };
            used[j] = true;
            best = best.max(w + go(i + 1, a, b, used));
            used[j] = false;
        }
        best
    }
    go(0, a, b, &mut vec![false; b.len()])
}

fn layer_strategy(len: usize) -> impl Strategy<Value = Vec<Annotation>> {
    prop::collection::vec((0..len, 1..6usize, 0..3usize, 0..3usize), 0..7).prop_map(move |v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (s, l, label, kind))| {
                let end = (s + l).min(len);
                let id = format!("a{i}");
                match kind {
                    0 | 1 => ent(&id, s, end.max(s + 1), ["X", "Y", "Z"][label]),
                    _ => claim(&id, s, end.max(s + 1), Some(["CFS", "UFS", "NFS"][label])),
                }
            })
            .filter(|a| a.span.end <= len)
            .collect()
    })
}

const TEXT: &str = "ab cd ef gh ij kl mn op qr st";

proptest! {
    #[test]
    fn identical_layers_agree_fully(a in layer_strategy(TEXT.chars().count())) {
        let doc = Document::new("d", "t", TEXT);
        let r = report(&doc, &[("x", &a), ("y", &a), ("z", &a)]);
        for s in &r.project.scopes {
            for p in &s.pairs {
                if p.exact.reference_spans > 0 {
                    prop_assert_eq!(p.exact.f1, Some(1.0));
                    prop_assert_eq!(p.overlap.f1, Some(1.0));
                }
                if let Some(k) = p.cohen_kappa.value {
                    prop_assert!((k - 1.0).abs() < 1e-12);
                }
            }
            if let Some(k) = s.overall.fleiss_kappa.value {
                prop_assert!((k - 1.0).abs() < 1e-12);
            }
            if let Some(k) = s.overall.alpha_nominal.value {
                prop_assert!((k - 1.0).abs() < 1e-12);
            }
        }
        if let Some(k) = r.project.checkworthiness_alpha.value {
            prop_assert!((k - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn swapping_the_reference_swaps_precision_and_recall(
        a in layer_strategy(TEXT.chars().count()),
        b in layer_strategy(TEXT.chars().count()),
    ) {
        let doc = Document::new("d", "t", TEXT);
        let r1 = report(&doc, &[("x", &a), ("y", &b)]);
        let r2 = report(&doc, &[("x", &b), ("y", &a)]);
        for (s1, s2) in r1.project.scopes.iter().zip(&r2.project.scopes) {
            prop_assert_eq!(&s1.scope, &s2.scope);
            let (p1, p2) = (&s1.pairs[0], &s2.pairs[0]);
            for (x, y) in [(&p1.exact, &p2.exact), (&p1.overlap, &p2.overlap)] {
                prop_assert_eq!(x.precision, y.recall);
                prop_assert_eq!(x.recall, y.precision);
                prop_assert_eq!(x.f1, y.f1);
            }
            prop_assert_eq!(p1.cohen_kappa.value.map(|v| (v * 1e9).round()),
                p2.cohen_kappa.value.map(|v| (v * 1e9).round()));
        }
    }

    #[test]
    fn the_matching_gives_the_most_credit(
        a in layer_strategy(TEXT.chars().count()),
        b in layer_strategy(TEXT.chars().count()),
    ) {
        let (xa, xb) = (items_of(&a, Kind::Entity), items_of(&b, Kind::Entity));
        let m = best_matching(&xa, &xb);
        let credit: u32 = m.iter().map(|p| if p.2 { 2 } else { 1 }).sum();
        prop_assert_eq!(credit, brute_credit(&xa, &xb));
        let mut ia: Vec<usize> = m.iter().map(|p| p.0).collect();
        let mut ib: Vec<usize> = m.iter().map(|p| p.1).collect();
        let n = m.len();
        sort::sort_dedup(&mut ia);
        sort::sort_dedup(&mut ib);
        prop_assert_eq!((ia.len(), ib.len()), (n, n), "one to one");
    }

    #[test]
    fn figures_lie_in_their_ranges(
        a in layer_strategy(TEXT.chars().count()),
        b in layer_strategy(TEXT.chars().count()),
        c in layer_strategy(TEXT.chars().count()),
    ) {
        let doc = Document::new("d", "t", TEXT);
        let r = report(&doc, &[("x", &a), ("y", &b), ("z", &c)]);
        for s in &r.project.scopes {
            for p in &s.pairs {
                for v in [p.exact.precision, p.exact.recall, p.exact.f1, p.overlap.f1].into_iter().flatten() {
                    prop_assert!((0.0..=1.0).contains(&v));
                }
                prop_assert!(p.exact.f1 <= p.overlap.f1 || p.exact.f1.is_none());
                if let Some(k) = p.cohen_kappa.value {
                    prop_assert!((-1.0 - 1e-12..=1.0 + 1e-12).contains(&k));
                }
            }
        }
    }
}

#[test]
fn discontinuous_spans_match_exactly_only_with_the_same_fragments() {
    let doc = Document::new("d", "t", "Anna and Carl Berg came.");
    let split = |id: &str, frags: Vec<Span>| {
        let mut a = ent(id, 0, 18, "PERSON");
        a.extra = Some(Box::new(crate::model::annotation::Extra {
            fragments: frags,
            ..Default::default()
        }));
        a
    };
    let x = [split("1", vec![Span::new(0, 4), Span::new(14, 18)])];
    let y = [ent("1", 0, 18, "PERSON")];
    let r = report(&doc, &[("x", &x), ("y", &y)]);
    let p = &scope(&r.project, "entity").pairs[0];
    assert_eq!(p.exact.correct, 0, "the same stretch, other fragments");
    assert_eq!((p.overlap.correct, p.overlap.partial), (0, 1));
    let r = report(&doc, &[("x", &x), ("y", &x)]);
    let p = &scope(&r.project, "entity").pairs[0];
    assert_eq!(p.exact.correct, 1);
    // Fragments that only share the stretch between them do not overlap.
    let z = [ent("1", 5, 8, "PERSON")];
    let r = report(&doc, &[("x", &x), ("z", &z)]);
    let p = &scope(&r.project, "entity").pairs[0];
    assert_eq!((p.overlap.correct, p.overlap.partial), (0, 0));
}

proptest! {
    /// The tokens are the CoNLL export's, on texts of words, spaces, line breaks of every kind,
    /// separators and emoji.
    #[test]
    fn the_tokens_are_the_conll_exports_on_any_text(
        parts in prop::collection::vec(
            prop::sample::select(vec![
                "ab", "Cd", "’s", "-", ".", " ", "  ", "\n", "\r\n", "\n\n", "\u{85}", "\u{2028}",
                "\u{a0}", "\u{1f}", "\t", "🎉", "👍🏽", "🇸🇪", "e\u{301}", "12,5", "U.S.", "x",
            ]),
            0..40,
        )
    ) {
        let text: String = parts.concat();
        let bundle = crate::formats::Bundle {
            document: Document::new("d", "t", text.as_str()),
            labels: Default::default(),
            annotator: String::new(),
            annotations: Vec::new(),
            status: Default::default(),
        };
        let conll: Vec<Span> = crate::formats::conll::sentences(&bundle)
            .into_iter()
            .flatten()
            .map(|t| t.span)
            .collect();
        prop_assert_eq!(base_tokens(&bundle.document), conll);
    }
}

/// What all agree on: the same kind, type and fragments in every layer; named by all of them;
/// a claimant not among them unlinked.
#[test]
fn what_every_layer_holds_is_the_gold_start() {
    let mut claimed = claim("c1", 10, 20, Some("CFS"));
    if let Body::Claim { claimant, .. } = &mut claimed.body {
        *claimant = Some(crate::model::Party::Ref("e2".into()));
    }
    let a = [
        ent("e1", 0, 5, "ORG"),
        ent("e2", 6, 9, "PERSON"),
        claimed.clone(),
    ];
    let b = [
        ent("x1", 0, 5, "ORG"),
        ent("x2", 6, 9, "GPE"),
        claim("x3", 10, 20, None),
    ];
    let layer = |annotator, annotations| Layer {
        annotator,
        annotations,
    };
    let gold = agreed(&[layer("Bo", &a), layer("Ann", &b)]);
    let ids: Vec<&str> = gold.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["e1", "c1"], "PERSON and GPE differ");
    for g in &gold {
        assert_eq!(
            g.extra().attributes,
            [(
                ANNOTATORS.to_string(),
                crate::model::annotation::Value::Text("Ann; Bo".into())
            )]
        );
    }
    assert_eq!(
        gold[1].body.party(),
        None,
        "its claimant is not in the gold layer"
    );
    assert!(agreed(&[]).is_empty());
}
