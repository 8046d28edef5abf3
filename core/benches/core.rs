//! Criterion benchmarks of the pure core, the work behind every frame: applying one action
//! (and its undo) with 10 and with 10,000 annotations present, and applying it to a copy as the
//! page does (the state before stays as it was), on the 1 MB article and on the
//! 1 MB text shapes that are not blank-line paragraphs (single-newline lines, one paragraph
//! without a line break); cutting those texts into paragraphs and blocks; segmenting the blocks
//! of a 1 MB document holding 10,000 annotations; exporting and importing that document in
//! every format; importing each hostile file of 10 MB (`formats::hostile`); and tag every
//! occurrence on the 1 MB article (finding the candidates, then tagging and undoing them).
//! Run by `make bench`.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::rc::Rc;

    use criterion::{criterion_group, BenchmarkId, Criterion};
    use marginalia_core::formats::{Bundle, Format};
    use marginalia_core::model::segments::segments;
    use marginalia_core::model::synth::{self, Shape};
    use marginalia_core::model::{Action, Body, Document, Match, Span, Timestamp};

    fn apply(c: &mut Criterion) {
        for shape in Shape::ALL {
            apply_on(c, shape);
        }
    }

    fn apply_on(c: &mut Criterion, shape: Shape) {
        let doc = Rc::new(synth::shaped(shape, 300));
        let name = match shape {
            Shape::Article => "apply".to_string(),
            other => format!("apply, {}", other.key()),
        };
        let mut group = c.benchmark_group(name);
        for n in [10usize, 10_000] {
            let mut state = synth::state(doc.clone(), n, 42);
            // A word near the middle of the document.
            let mid = doc.blocks()[doc.blocks().len() / 2];
            let span = Span::new(mid.start, mid.start + 6);
            let create = || Action::Create {
                span,
                body: Body::new_claim(),
                note: String::new(),
            };
            group.bench_with_input(BenchmarkId::new("create+undo", n), &n, |b, _| {
                b.iter(|| {
                    state.apply(create(), Timestamp(0)).unwrap();
                    state.apply(Action::Undo, Timestamp(0)).unwrap();
                    black_box(state.revision())
                })
            });
            // As the page applies it: the store before the action keeps its state (an old
            // store is an old state), so the action changes a copy.
            group.bench_with_input(BenchmarkId::new("copy+create", n), &n, |b, _| {
                b.iter(|| {
                    let mut next = state.clone();
                    next.apply(create(), Timestamp(0)).unwrap();
                    black_box(next.revision())
                })
            });
            let id = state.annotations()[state.len() / 2].id.clone();
            group.bench_with_input(BenchmarkId::new("delete+undo", n), &n, |b, _| {
                b.iter(|| {
                    state
                        .apply(Action::Delete { id: id.clone() }, Timestamp(0))
                        .unwrap();
                    state.apply(Action::Undo, Timestamp(0)).unwrap();
                })
            });
        }
        group.finish();
    }

    /// Opening a text: cutting it into paragraphs and blocks (and indexing its offsets).
    fn open(c: &mut Criterion) {
        let mut group = c.benchmark_group("open 1 MB");
        group.sample_size(20);
        for shape in Shape::ALL {
            let text = synth::shaped(shape, 300).text().to_string();
            group.bench_function(shape.key(), |b| {
                b.iter(|| black_box(Document::new("b", "b", text.as_str()).blocks().len()))
            });
        }
        group.finish();
    }

    /// Segments every block of a state (what drawing them all would cost).
    fn segment_all(state: &marginalia_core::model::State) -> usize {
        let doc = state.document();
        let mut total = 0;
        for (i, blk) in doc.blocks().iter().enumerate() {
            let ranges: Vec<Span> = state.block_annotations(i).iter().map(|a| a.span).collect();
            total += segments(*blk, &ranges).len();
        }
        total
    }

    /// Segments the block with the most annotations.
    fn busiest(state: &marginalia_core::model::State) -> (Span, Vec<Span>) {
        let doc = state.document();
        let busiest = (0..doc.blocks().len())
            .max_by_key(|&i| state.block_annotations(i).len())
            .unwrap();
        let ranges = state
            .block_annotations(busiest)
            .iter()
            .map(|a| a.span)
            .collect();
        (doc.blocks()[busiest], ranges)
    }

    fn segment(c: &mut Criterion) {
        for shape in Shape::ALL {
            let doc = Rc::new(synth::shaped(shape, 300));
            let state = synth::state(doc.clone(), 10_000, 42);
            let what = match shape {
                Shape::Article => String::new(),
                other => format!(" ({})", other.key()),
            };
            c.bench_function(
                &format!("segment every block, 1 MB{what}, 10k annotations"),
                |b| b.iter(|| black_box(segment_all(&state))),
            );
            let (blk, ranges) = busiest(&state);
            c.bench_function(&format!("segment the busiest block{what}"), |b| {
                b.iter(|| black_box(segments(blk, &ranges).len()))
            });
        }
        // The pathological case: the 3.5 KB article with 10,000 annotations, ~17 per word.
        let small = Rc::new(synth::repeated_article(1));
        let crowded = synth::state(small.clone(), 10_000, 42);
        let (blk, ranges) = busiest(&crowded);
        c.bench_function(
            &format!("segment a crowded paragraph ({} annotations)", ranges.len()),
            |b| b.iter(|| black_box(segments(blk, &ranges).len())),
        );
    }

    /// Export and import of the 1 MB document with 10,000 annotations, in every format (what a
    /// download, an import and the page's load of a native file cost before any drawing).
    fn formats(c: &mut Criterion) {
        let doc = Rc::new(synth::repeated_article(300));
        let state = synth::state(doc, 10_000, 42);
        let bundle = Bundle::from_state(&state, "bench");
        let mut group = c.benchmark_group("1 MB, 10k annotations");
        group.sample_size(10);
        for format in Format::ALL {
            group.bench_function(BenchmarkId::new("export", format.key()), |b| {
                b.iter(|| black_box(format.export(&bundle).len()))
            });
            if format.can_import() {
                let bytes = format.export(&bundle);
                let name = format.file_name("bench");
                group.bench_function(BenchmarkId::new("import", format.key()), |b| {
                    b.iter(|| {
                        black_box(
                            format
                                .import(&bytes, &name)
                                .unwrap()
                                .bundle
                                .annotations
                                .len(),
                        )
                    })
                });
            }
        }
        group.finish();
    }

    /// Each hostile file of `marginalia synth-hostile` at 10 MB, imported (the target: 2 s each,
    /// natively and in the worker); the linked file merged into a state, the spaCy run without
    /// spaces exported, and the stored records read and restored as a page loads them.
    fn hostile(c: &mut Criterion) {
        use marginalia_core::formats::{hostile, native};
        use marginalia_core::model::State;
        const BYTES: usize = 10_000_000;
        let mut group = c.benchmark_group("hostile 10 MB");
        group.sample_size(10);
        group.measurement_time(std::time::Duration::from_secs(2));
        for case in hostile::CASES {
            let bytes = case.bytes(BYTES);
            let name = case.file_name();
            group.bench_function(BenchmarkId::new("import", case.key()), |b| {
                b.iter(|| black_box(case.format.import(&bytes, &name).is_ok()))
            });
            let Ok(imported) = case.format.import(&bytes, &name) else {
                continue;
            };
            let bundle = imported.bundle;
            if case.key() == "native/linked" {
                group.bench_function(BenchmarkId::new("import into a state", case.key()), |b| {
                    b.iter(|| {
                        let mut state = State::new(Rc::new(bundle.document.clone()));
                        let action = Action::Import {
                            annotations: bundle.annotations.clone(),
                            labels: bundle.labels.clone(),
                            replace: true,
                        };
                        black_box(state.apply(action, Timestamp(0)).is_ok())
                    })
                });
            }
            if case.key() == "spacy/no-spaces" {
                group.bench_function(BenchmarkId::new("export", case.key()), |b| {
                    b.iter(|| black_box(Format::Spacy.export(&bundle).len()))
                });
            }
        }
        let stored = hostile::stored(BYTES);
        group.bench_function("read and restore stored records", |b| {
            b.iter(|| {
                let reader = native::StoredReader::new(&stored.document, &stored.labels);
                let annotations: Vec<_> = stored
                    .records
                    .iter()
                    .filter_map(|r| reader.read(r).ok())
                    .collect();
                let doc = Rc::new(stored.document.clone());
                black_box(State::restore(doc, stored.labels.clone(), annotations, 1).is_ok())
            })
        });
        group.finish();
    }

    /// Tag every occurrence of "Damascus" (2,400 times) and of "the" (about 7,500) on the 1 MB
    /// article, with 10 and with 10,000 other annotations: listing the candidates (what the
    /// page shows before it applies), exactly and ignoring case, and tagging them all then
    /// undoing (one change each way).
    fn tag_all(c: &mut Criterion) {
        let doc = Rc::new(synth::repeated_article(300));
        let mut group = c.benchmark_group("tag all, 1 MB");
        group.sample_size(20);
        for n in [10usize, 10_000] {
            for word in ["Damascus", "the"] {
                let mut state = synth::state(doc.clone(), n, 42);
                let byte = doc.text().find(&format!(" {word} ")).unwrap() + 1;
                let at = doc.byte_to_cp(byte).unwrap();
                let span = Span::new(at, at + word.len());
                let label = "GPE".to_string();
                let body = Body::Entity { label };
                let note = String::new();
                let id = match state.apply(Action::Create { span, body, note }, Timestamp(0)) {
                    Ok(out) => out.created.unwrap(),
                    Err(_) => state
                        .annotations()
                        .iter()
                        .find(|a| a.span == span)
                        .unwrap()
                        .id
                        .clone(),
                };
                for match_case in [true, false] {
                    let how = Match { match_case };
                    let found = state.occurrences(&id, how).unwrap().len();
                    let name = format!("occurrences of {word} ({found}, case {match_case})");
                    group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                        b.iter(|| black_box(state.occurrences(&id, how).unwrap().len()))
                    });
                }
                let name = format!("tag all {word} + undo");
                group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                    b.iter(|| {
                        let (id, match_case) = (id.clone(), true);
                        state
                            .apply(Action::TagAll { id, match_case }, Timestamp(0))
                            .unwrap();
                        state.apply(Action::Undo, Timestamp(0)).unwrap();
                        black_box(state.revision())
                    })
                });
            }
        }
        group.finish();
    }

    criterion_group!(benches, open, apply, segment, formats, hostile, tag_all);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);
