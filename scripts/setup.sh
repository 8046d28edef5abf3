#!/usr/bin/env bash
# Installs everything Marginalia needs to build, serve and test, on a machine that has only the
# Rust toolchain, node/npm and python3. Idempotent: each step checks first and skips what is
# present. Nothing here downloads a browser or a prebuilt binary: only crates.io, npm, PyPI and
# Debian's package archive are used.
#
#   scripts/setup.sh            everything
#   scripts/setup.sh --quiet    print only what is installed
set -euo pipefail
cd "$(dirname "$0")/.."

quiet=false
[ "${1:-}" = "--quiet" ] && quiet=true
say() { $quiet || echo "setup: $*"; }
act() { echo "setup: $*"; }

export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.22.1

# The wasm-bindgen version is whatever Cargo.lock pins: the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# 1. The WebAssembly target.
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target present"
else
  act "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. Crates, fetched once so that every later build (trunk's included) can run offline.
if [ ! -f Cargo.lock ]; then
  act "resolving Cargo.lock"
  cargo generate-lockfile
fi
cargo fetch --quiet

# 3. trunk. On Rust 1.95 its lock file asks for a newer rustc, hence --ignore-rust-version.
if trunk --version 2>/dev/null | grep -q "trunk $TRUNK_VERSION"; then
  say "trunk $TRUNK_VERSION present"
else
  act "installing trunk $TRUNK_VERSION (compiles for about 20 minutes on 2 cores)"
  cargo install --locked --ignore-rust-version trunk --version "$TRUNK_VERSION"
fi

# 4. wasm-bindgen-cli at exactly the version in Cargo.lock (also provides
#    wasm-bindgen-test-runner for the browser unit tests).
wbg=$(wasm_bindgen_version)
if [ -z "$wbg" ]; then
  echo "setup: cannot read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wbg" &&
  command -v wasm-bindgen-test-runner >/dev/null; then
  say "wasm-bindgen-cli $wbg present"
else
  act "installing wasm-bindgen-cli $wbg (about 4 minutes)"
  # --locked can fail when a pinned transitive crate has been yanked; then resolve afresh.
  cargo install --locked wasm-bindgen-cli --version "$wbg" ||
    cargo install --force wasm-bindgen-cli --version "$wbg"
fi

# 5. Debian packages: the browser the tests drive, its driver, and colour emoji fonts.
missing=()
for pkg in chromium chromium-driver fonts-noto-color-emoji; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "chromium, chromium-driver, fonts-noto-color-emoji present"
else
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  act "installing ${missing[*]} from Debian"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# 6. npm dev packages (wasm-opt from binaryen, playwright-core). `npm ci` again only when
#    package-lock.json changed since the last install.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.marginalia-lock-sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] && [ -x node_modules/.bin/wasm-opt ]; then
  say "npm packages present"
else
  act "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >"$stamp"
fi

# 7. The benchmark's npm packages (the peer annotators and playwright-core, bench/), likewise
#    only when bench/package-lock.json changed.
bench_sum=$(sha256sum bench/package-lock.json | cut -d' ' -f1)
bench_stamp=bench/node_modules/.marginalia-lock-sha256
if [ -f "$bench_stamp" ] && [ "$(cat "$bench_stamp")" = "$bench_sum" ]; then
  say "benchmark npm packages present (bench/node_modules)"
else
  act "installing the benchmark's npm packages (npm ci in bench/)"
  (cd bench && npm ci --no-audit --no-fund --loglevel=error)
  echo "$bench_sum" >"$bench_stamp"
fi

# 8. Python tools that read our exports in the format checks, pinned, in a virtual
#    environment under target/ (again only when tests/requirements.txt changed).
req_sum=$(sha256sum tests/requirements.txt | cut -d' ' -f1)
venv_stamp=target/venv/.marginalia-requirements-sha256
if [ -f "$venv_stamp" ] && [ "$(cat "$venv_stamp")" = "$req_sum" ]; then
  say "Python tools present (target/venv)"
else
  act "installing the Python tools the format checks use (target/venv)"
  [ -x target/venv/bin/python ] || python3 -m venv target/venv
  target/venv/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt
  echo "$req_sum" >"$venv_stamp"
fi

say "ready"
