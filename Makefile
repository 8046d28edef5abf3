# Marginalia: `make serve` serves the app, `make test` runs every test. Both install what is
# missing first (scripts/setup.sh, idempotent).

SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT ?= 60

.PHONY: setup serve build test test-native test-formats test-browser test-e2e lint purity size bench fuzz clean

setup:
	@scripts/setup.sh --quiet

## Serve the release build on http://127.0.0.1:8080 (rebuilds when sources change).
serve: setup
	trunk serve --release --offline

## The release build, in dist/.
build: setup
	trunk build --release --offline
	@scripts/wasm-size.sh

## Every test: lint and purity, native, browser unit, end to end. Prints each layer's counts.
test: setup
	@scripts/test.sh

test-native: setup
	@scripts/test.sh native

test-formats: setup
	@scripts/test.sh formats

test-browser: setup
	@scripts/test.sh browser

test-e2e: setup
	@scripts/test.sh e2e

lint: setup
	@scripts/test.sh lint

purity:
	@scripts/check-purity.sh

size:
	@scripts/wasm-size.sh

## Benchmarks that print figures (not part of make test): the core's criterion benches, then
## the browser benchmark beside the peers (bench/run.mjs; BENCH_ARGS="--runs 3 --all" etc.),
## which rewrites docs/performance.md and the README's headline; then the stress benchmark
## (bench/stress.mjs: a long session's memory; STRESS_ARGS="--runs 1" etc.); then the corpus
## benchmark (bench/corpus.mjs: import, switch, export of 1,000 documents; CORPUS_ARGS=…);
## then visits on a slow link (bench/visits.mjs: first visit and repeat visit offline beside
## the peers; VISITS_ARGS="--runs 5" etc.).
BENCH_ARGS ?=
STRESS_ARGS ?=
VISITS_ARGS ?=
bench: setup
	cargo bench -p marginalia-core --bench core
	trunk build --release --offline
	cargo build --quiet --release -p marginalia-cli --bin marginalia
	node bench/run.mjs $(BENCH_ARGS)
	node bench/stress.mjs $(STRESS_ARGS)
	node bench/corpus.mjs $(CORPUS_ARGS)
	node bench/visits.mjs $(VISITS_ARGS)

## Coverage-guided fuzzing of every importer and of the restore of stored records, on stable
## (libFuzzer; docs/fuzzing.md): FUZZ_SECONDS per target (default 60); FUZZ_TARGETS="brat w3c".
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: setup
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh $(FUZZ_TARGETS)

clean:
	cargo clean
	rm -rf dist
