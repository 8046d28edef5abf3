#!/usr/bin/env bash
# The format checks: every export is read back by the real tool its users run.
#
# For each tests/formats/check_<format>.py, the command-line tool converts the sample files in
# core/tests/golden/native/ to <format> (the same code as the page's Export menu), a file per
# document (--each), and the check reads the result with that format's tool from target/venv;
# then it converts them all into one corpus file, project<ending> (the page's project export),
# and the check reads that (--corpus). check_native.py reads the native files themselves and
# their project file. Prints one line per check; exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

py=target/venv/bin/python
cli="${CARGO_TARGET_DIR:-target}/release/marginalia"
out=target/formats
rm -rf "$out"
mkdir -p "$out/native"
cargo build --quiet --release -p marginalia-cli --bin marginalia

samples=(core/tests/golden/native/*.marginalia.json)
# The open schema's golden (relations, events, attributes, normalisations, typed notes,
# fragments: core::formats::testing::open_schema_bundle) joins the samples of every check: each
# reads back with its format's tool what its format keeps of those parts.
open_schema=(core/tests/golden/open-schema/*.marginalia.json)
checks=0

# The native files, as written by the exporter, against the schema; and the schema's own teeth.
for f in "${samples[@]}" "${open_schema[@]}"; do
  "$cli" validate "$f"
done
"$py" tests/formats/check_native.py "${samples[@]}" "${open_schema[@]}"
"$cli" convert --to native "${samples[@]}" "${open_schema[@]}" -o "$out/native-corpus" 2>/dev/null
"$cli" validate "$out/native-corpus/project.marginalia.json"
"$py" tests/formats/check_native.py "$out/native-corpus/project.marginalia.json"
"$py" tests/formats/check_native.py --self-test "${samples[0]}" "$out/native-corpus/project.marginalia.json"
checks=$((checks + 2))

for check in tests/formats/check_*.py; do
  key=$(basename "$check" .py)
  key=${key#check_}
  [ "$key" = native ] && continue
  these=("${samples[@]}" "${open_schema[@]}")
  mkdir -p "$out/$key" "$out/$key-corpus"
  "$cli" convert --to "$key" --each "${these[@]}" -o "$out/$key" 2>/dev/null
  "$py" "$check" "$out/$key" "${these[@]}"
  "$cli" convert --to "$key" "${these[@]}" -o "$out/$key-corpus" 2>/dev/null
  "$py" "$check" --corpus "$out/$key-corpus" "${these[@]}"
  checks=$((checks + 2))
done
# docs/formats.md quotes the golden files literally: it must be regenerated when they change.
python3 scripts/gen-formats-doc.py --check
"$py" tests/formats/agreement_reference.py "$cli" "$out/agreement" && checks=$((checks + 1))
echo "formats: $checks format checks passed"
