#!/usr/bin/env bash
# src/model and src/formats are the pure core: they must not use a web crate, so that they build
# and test natively and the command-line tool can share them. Fails listing every offending line.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='(^|[^[:alnum:]_])(yew|web_sys|js_sys|gloo[[:alnum:]_]*|wasm_bindgen[[:alnum:]_]*)[[:space:]]*::|^[[:space:]]*(pub[[:space:]]+)?(use|extern[[:space:]]+crate)[[:space:]]+(yew|web_sys|js_sys|gloo[[:alnum:]_]*|wasm_bindgen[[:alnum:]_]*)([^[:alnum:]_]|$)'
# Lines that are comments are prose, not imports.
hits=$(grep -rnE "$pattern" src/model src/formats --include='*.rs' | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' || true)
if [ -n "$hits" ]; then
  echo "purity: src/model and src/formats must not use web crates:" >&2
  echo "$hits" >&2
  exit 1
fi
echo "purity: src/model and src/formats use no web crate"
