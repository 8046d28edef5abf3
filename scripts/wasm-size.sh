#!/usr/bin/env bash
# Prints the wire size of the release build in dist/: each file raw and gzipped (gzip -9), and
# the total, so that every change can watch it. Run after `trunk build --release`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d dist ] || { echo "size: no dist/; run make build" >&2; exit 1; }
total_raw=0
total_gz=0
printf '%-28s %10s %10s\n' "file" "raw B" "gzip B"
for f in dist/*.wasm dist/*.js dist/*.css dist/index.html; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  printf '%-28s %10d %10d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-28s %10d %10d\n' "total" "$total_raw" "$total_gz"
