#!/usr/bin/env bash
# The pure core (core/, marginalia-core) and the command-line tool (cli/, marginalia-cli) must
# not depend on a web crate, so that they build and test natively. The compiler enforces it for
# the code (neither crate can name what it does not depend on); this checks the dependency
# graphs, and fails naming any web crate found.
set -euo pipefail
cd "$(dirname "$0")/.."
web='^(yew|web-sys|js-sys|gloo[a-z-]*|wasm-bindgen[a-z-]*)$'
bad=0
for pkg in marginalia-core marginalia-cli; do
  found=$(cargo tree --quiet -p "$pkg" -e normal,build --prefix none --format '{p}' | awk '{ print $1 }' | grep -E "$web" | sort -u || true)
  if [ -n "$found" ]; then
    echo "purity: $pkg depends on web crates: $(echo $found)" >&2
    bad=1
  fi
done
[ "$bad" -eq 0 ] || exit 1
echo "purity: marginalia-core and marginalia-cli depend on no web crate (cargo tree)"
