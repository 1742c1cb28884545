#!/bin/sh
# sanitize.sh -- build with AddressSanitizer + UndefinedBehaviorSanitizer
# (clang) in build-asan/ and run the quick tests under them.
#
# Exits non-zero if the build fails or any test fails; a sanitizer finding
# fails its test (UBSan is built with -fno-sanitize-recover, ASan stops at
# the first error and LeakSanitizer reports leaks at exit).
#   CB_JOBS=1 scripts/sanitize.sh      fewer parallel compile jobs (default 2)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-asan
jobs=${CB_JOBS:-2}

# RelWithDebInfo: optimised like the tests' usual build, with line numbers
# in the sanitizer reports.  clang does not know gcc's -Wno-format-truncation.
CC=clang cmake -S "$root" -B "$build" -DCB_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS=-Wno-unknown-warning-option >/dev/null
cmake --build "$build" -j"$jobs"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
cd "$build"
ctest -L quick --output-on-failure
