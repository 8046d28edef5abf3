#!/usr/bin/env bash
# Coverage-guided fuzzing of every importer, the native reader and the restore of stored
# records, on the stable toolchain: libFuzzer (compiled from the libfuzzer-sys crate by the C++
# compiler) with LLVM's SanitizerCoverage passes enabled by stable -C flags (no -Z, no nightly).
#
#   scripts/fuzz.sh [TARGET...]      FUZZ_SECONDS per target (default 60)
#
# Each target starts from its saved corpus (fuzz/corpus/<target>/, written to), the golden
# files and ../shared/corpora/thirdparty/ (read in place, never copied); new inputs are saved
# to the corpus, which is then minimised (libFuzzer's -merge) and keeps files of at most 2 KB; a
# crash or hang is saved under fuzz/artifacts/<target>/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(native spacy doccano label-studio brat w3c conll restore)
host="$(rustc -vV | sed -n 's/^host: //p')"
export CARGO_TARGET_DIR="$PWD/target/fuzz"

# The C++ compiler libfuzzer-sys builds libFuzzer with (Debian's g++), once.
if ! command -v c++ >/dev/null; then
  echo "fuzz: installing g++ (Debian) for libFuzzer"
  apt-get install -y -q g++ >/dev/null
fi

flags="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table"
flags+=" -Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
# --target keeps the flags off build scripts, which must not be instrumented.
(cd fuzz && RUSTFLAGS="$flags" cargo build --release --target "$host" --bins)
bin="$CARGO_TARGET_DIR/$host/release"

shared=../shared/corpora/thirdparty
[ -d "$shared" ] || echo "fuzz: $shared is absent; seeding from the golden files and the corpus only"
seeds="target/fuzz-seeds"
rm -rf "$seeds"
status=0
for t in "${targets[@]}"; do
  corpus="fuzz/corpus/$t"
  artifacts="fuzz/artifacts/$t"
  mkdir -p "$corpus" "$artifacts" "$seeds/$t"
  dirs=()
  case "$t" in
    native) dirs+=(core/tests/golden/native) ;;
    spacy) dirs+=(core/tests/golden/spacy); [ -d "$shared" ] && dirs+=("$shared/prodigy") ;;
    doccano) dirs+=(core/tests/golden/doccano); [ -d "$shared" ] && dirs+=("$shared/doccano") ;;
    label-studio) dirs+=(core/tests/golden/label-studio); [ -d "$shared" ] && dirs+=("$shared/label-studio") ;;
    w3c) dirs+=(core/tests/golden/w3c); [ -d "$shared" ] && dirs+=("$shared/w3c") ;;
    conll) dirs+=(core/tests/golden/conll); [ -d "$shared" ] && dirs+=("$shared/conll") ;;
    brat)
      dirs+=(core/tests/golden/brat)
      # Derived inputs (text, separator, .ann) in target/, from the pairs read in place.
      if [ -d "$shared" ]; then
        for ann in "$shared"/brat/*.ann; do
          { cat "${ann%.ann}.txt"; printf '\x1e'; cat "$ann"; } > "$seeds/$t/$(basename "$ann")"
        done
      fi
      dirs+=("$seeds/$t") ;;
    restore)
      # Stored records made of the golden native files, in target/.
      cargo run --quiet --release -p marginalia-cli --bin marginalia -- fuzz-seed restore core/tests/golden/native/*.json -o "$seeds/$t"
      dirs+=("$seeds/$t") ;;
    *) echo "fuzz: no target $t"; exit 2 ;;
  esac
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  echo "== fuzz $t: ${seconds}s"
  if ! "$bin/$t" "$corpus" "${dirs[@]}" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
       -rss_limit_mb=4096 -artifact_prefix="$artifacts/" -print_final_stats=1 2> "target/fuzz-$t.log"; then
    status=1
    echo "fuzz $t: FOUND A CRASH OR HANG (fuzz/artifacts/$t/, log target/fuzz-$t.log)"
    tail -30 "target/fuzz-$t.log"
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "target/fuzz-$t.log" | tr '\n' ' '; echo
  # Minimise the corpus; keep small files only, none equal to a golden or third-party file.
  merged="target/fuzz-merge/$t"
  rm -rf "$merged"; mkdir -p "$merged"
  "$bin/$t" -merge=1 "$merged" "$corpus" -max_len=2048 -timeout=10 2>> "target/fuzz-$t.log" || true
  find "$merged" -type f -size +2k -delete
  for f in core/tests/golden/*/* ${shared:+$shared/*/*}; do
    [ -f "$f" ] || continue
    sum=$(sha1sum "$f" | cut -c1-40)
    rm -f "$merged/$sum"
  done
  rm -rf "$corpus"; mv "$merged" "$corpus"
  echo "fuzz $t: corpus $(ls "$corpus" | wc -l) files, $(cat "$corpus"/* 2>/dev/null | wc -c) bytes"
done
exit $status
