#!/usr/bin/env bash
# Runs Marginalia's tests, layer by layer, and prints what each layer counted.
#
#   scripts/test.sh            every layer: lint, native, browser, e2e
#   scripts/test.sh LAYER...   only those layers
#
# Layers:
#   lint     cargo fmt --check; clippy -D warnings for the native and the wasm32 target;
#            marginalia-core and marginalia-cli depend on no web crate (cargo tree)
#   native   cargo test (unit, property and doc tests of the pure core)
#   browser  wasm-bindgen-test in headless Chromium (tests/browser.rs)
#   formats  every export read back by the real tool its users run (tests/formats/)
#   e2e      the release build (with feature test-hooks) driven in Chromium by playwright-core
#            (tests/e2e/)
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-60}"

layers=("$@")
[ ${#layers[@]} -eq 0 ] && layers=(lint native formats browser e2e)

logdir=target/test-logs
mkdir -p "$logdir"
summary=()

# Sums the "N passed; M failed" of every `test result:` line in a cargo log.
cargo_counts() {
  awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
       END { printf "%d passed, %d failed", p, f }' "$1"
}

run_lint() {
  echo "== lint"
  cargo fmt --all -- --check
  cargo clippy --quiet --workspace --all-targets -- -D warnings
  cargo clippy --quiet --workspace --all-targets --target wasm32-unknown-unknown -- -D warnings
  scripts/check-purity.sh
  summary+=("lint      fmt, clippy (native + wasm32), purity: clean")
}

run_native() {
  echo "== native: cargo test"
  cargo test --workspace 2>&1 | tee "$logdir/native.log"
  summary+=("native    $(cargo_counts "$logdir/native.log")")
}

run_formats() {
  echo "== formats: exports read back by the real tools (target/venv)"
  tests/formats/run.sh 2>&1 | tee "$logdir/formats.log"
  summary+=("formats   $(tail -1 "$logdir/formats.log" | sed 's/^formats: //')")
}

run_browser() {
  echo "== browser: wasm-bindgen-test in headless Chromium"
  cargo test --target wasm32-unknown-unknown --test browser 2>&1 | tee "$logdir/browser.log"
  summary+=("browser   $(cargo_counts "$logdir/browser.log")")
}

run_e2e() {
  echo "== e2e: release build in Chromium (playwright-core)"
  # The shipped build (dist/), whose size is reported; then the same release build with the
  # hooks only tests read (feature test-hooks: the render counter), which the tests drive.
  trunk build --release --offline
  scripts/wasm-size.sh | tee "$logdir/size.log"
  trunk build --release --offline --features test-hooks --dist target/dist-e2e
  # The formats e2e test compares the page's downloads with the command-line tool's output.
  cargo build --quiet --release -p marginalia-cli --bin marginalia
  node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$logdir/e2e.tap" tests/e2e/
  local pass fail
  pass=$(awk '/^# pass/ { print $3 }' "$logdir/e2e.tap")
  fail=$(awk '/^# fail/ { print $3 }' "$logdir/e2e.tap")
  summary+=("e2e       ${pass:-0} passed, ${fail:-0} failed (screenshots in target/e2e-screenshots/)")
  summary+=("size      $(awk '/^total app/ { printf "app (loaded with the page): %d B raw, %d B gzip", $4, $5 } /^total worker/ { printf "; formats worker (on demand): %d B raw, %d B gzip", $4, $5 }' "$logdir/size.log")")
}

for layer in "${layers[@]}"; do
  case "$layer" in
    lint) run_lint ;;
    native) run_native ;;
    formats) run_formats ;;
    browser) run_browser ;;
    e2e) run_e2e ;;
    *) echo "unknown layer: $layer (lint, native, formats, browser, e2e)" >&2; exit 2 ;;
  esac
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
