#!/usr/bin/env bash
# Prints the wire size of the release build in dist/: each file raw and gzipped (gzip -9).
# "app" is what a page load fetches (the budget of 200 KB gzip counts these); "worker" is the
# formats worker, fetched only when a format other than the native one is exported or imported.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d dist ] || { echo "size: no dist/; run make build" >&2; exit 1; }
declare -A raw gz
printf '%-28s %-7s %10s %10s\n' "file" "part" "raw B" "gzip B"
for f in dist/*.wasm dist/*.js dist/*.css dist/index.html; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  case "$name" in
    marginalia-worker* | worker-loader.js) part=worker ;;
    *) part=app ;;
  esac
  r=$(stat -c %s "$f")
  g=$(gzip -9 -c "$f" | wc -c)
  raw[$part]=$(( ${raw[$part]:-0} + r ))
  gz[$part]=$(( ${gz[$part]:-0} + g ))
  printf '%-28s %-7s %10d %10d\n' "$name" "$part" "$r" "$g"
done
for part in app worker; do
  printf '%-28s %-7s %10d %10d\n' "total $part" "$part" "${raw[$part]:-0}" "${gz[$part]:-0}"
done
