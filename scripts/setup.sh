#!/usr/bin/env bash
# setup.sh -- take a fresh Debian 12 clone to a built citybrain: install the
# Debian packages the build and tests need, then configure and build build/.
#
# Idempotent: packages already installed are not touched, `apt-get update`
# runs only when a missing package cannot be installed from the current
# lists, and a configured build/ is only rebuilt.  Works from any directory
# (it moves to the repository root itself).  As root it installs with
# apt-get; as another user it uses sudo when packages are missing, and skips
# apt entirely when everything is present.
#
#   ./scripts/setup.sh                   packages + Release build in build/
#   CB_BUILD_DIR=build-x ./scripts/setup.sh   build somewhere else
#   CB_JOBS=1 ./scripts/setup.sh         fewer parallel compile jobs
#   CB_SKIP_PACKAGES=1 ./scripts/setup.sh     build only (no package check)
set -euo pipefail

#--- Debian packages: the one list ---------------------------------------------
# Every Debian package the project needs, with the reason.  Issues that add a
# dependency add it here (and explain the choice in docs/dependencies.md).
CB_PACKAGES=(
  cmake               # build system; ctest runs the tests
  make                # the generator cmake uses
  gcc                 # the compiler of the default build
  pkg-config          # cmake finds yajl through it
  libyajl-dev         # JSON parser (docs/dependencies.md)
  libexpat1-dev       # XML parser of the SUMO importer (.net.xml, routes, .sumocfg)
  zlib1g-dev          # gzip-compressed SUMO files (.net.xml.gz)
  clang               # sanitizer build and libFuzzer targets (scripts/sanitize.sh, fuzz/)
  libclang-rt-14-dev  # clang's ASan/UBSan/libFuzzer runtimes
  libmicrohttpd-dev   # HTTP server of `citybrain serve` (docs/dependencies.md)
  libsqlite3-dev      # the service's store: SQLite in WAL mode
  libsodium-dev       # API tokens: random secrets, salted BLAKE2b hashes
  wrk                 # HTTP load generator for bench/serve_bench.sh
  python3-dev         # headers of Debian's python3 for the citybrain Python module (docs/python.md)
  python3-setuptools  # setup.py of python/ (pip install ./python)
  python3-pip         # pip install ./python, offline with --no-build-isolation
  python3-venv        # the venv that pip installs into (Debian's python3 is externally managed)
  python3-numpy       # numpy getters (get_lane_*_array) and citybrain.env
  python3-pytest      # python/tests, run by ctest (test_python)
  chromium            # the dashboard's browser tests (tests/web, driven by playwright-core)
)
# Node.js and npm build the dashboard (web/) and run its browser tests.  Any
# Node.js >= 18 will do: Debian 12's nodejs + npm are installed only when no
# `node`/`npm` is on the PATH, because a NodeSource nodejs (which bundles npm)
# conflicts with Debian's npm package.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  CB_PACKAGES+=(nodejs npm)
fi
#-------------------------------------------------------------------------------

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${CB_BUILD_DIR:-build}"
JOBS="${CB_JOBS:-$(nproc 2>/dev/null || echo 2)}"

# Installed means dpkg says "installed", not just that a file exists: a
# half-removed package (state "config-files") must be reinstalled.
is_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# True when apt's package lists hold an installable version of every
# argument: after a fresh boot the lists can be empty or stale.
have_candidates() {
  local p cand
  for p in "$@"; do
    cand="$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then return 1; fi
  done
}

install_packages() {
  local missing=() p
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "no dpkg (not Debian?): not checking packages; need: ${CB_PACKAGES[*]}"
    return
  fi
  for p in "${CB_PACKAGES[@]}"; do
    is_installed "$p" || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "packages: all ${#CB_PACKAGES[@]} present (${CB_PACKAGES[*]})"
    return
  fi
  say "packages missing: ${missing[*]}"

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 ||
      die "not root and no sudo; as root run: apt-get install --no-install-recommends ${missing[*]}"
    sudo=(sudo)
    say "not root: using sudo for apt-get"
  fi
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q)

  if ! have_candidates "${missing[@]}"; then
    say "running: apt-get update (package lists are missing or stale)"
    "${apt[@]}" update
  fi
  say "running: apt-get install --no-install-recommends ${missing[*]}"
  if ! "${apt[@]}" install --no-install-recommends "${missing[@]}"; then
    # Stale lists point at files the mirror no longer has: refresh, retry once.
    say "install failed; running apt-get update and trying again"
    "${apt[@]}" update
    "${apt[@]}" install --no-install-recommends "${missing[@]}"
  fi
  for p in "${missing[@]}"; do
    is_installed "$p" || die "package $p is still not installed"
  done
}

if [ -n "${CB_SKIP_PACKAGES:-}" ]; then
  say "packages: not checked (CB_SKIP_PACKAGES is set)"
else
  install_packages
fi

say "running: cmake -S . -B $BUILD_DIR -DCMAKE_BUILD_TYPE=Release   (in $ROOT)"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
# An explicit job count: a bare -j lets make start every compile at once.
say "running: cmake --build $BUILD_DIR -j $JOBS"
cmake --build "$BUILD_DIR" -j "$JOBS"

# The dashboard: front-end packages exactly as web/package-lock.json pins
# them (npm ci, skipped when node_modules already matches the lock file),
# then the bundle web/dist/ that `citybrain serve` serves.  A failure here
# does not stop the set-up: the engine and the API do not need the
# dashboard, and the browser tests report themselves skipped with the reason.
build_web() {
  if ! command -v npm >/dev/null 2>&1; then
    say "WARNING: no npm: the dashboard (web/) is not built"
    return
  fi
  if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    say "running: npm ci   (in web/, from package-lock.json)"
    (cd web && npm ci --no-audit --no-fund) || { say "WARNING: npm ci failed: the dashboard is not built" >&2; return; }
  fi
  say "running: npm run build   (in web/: web/dist/)"
  (cd web && npm run --silent build) || say "WARNING: the dashboard build failed" >&2
}
build_web
case "$BUILD_DIR" in /*) out="$BUILD_DIR" ;; *) out="$ROOT/$BUILD_DIR" ;; esac
say "done: $out/citybrain"
