#!/bin/sh
# smoke.sh [SECONDS] -- build the libFuzzer targets and run each: the loaders,
# the ingest parser, damaged archives, the one-line forms and the C API.
#
# Configures a clang build with -DCB_FUZZ=ON -DCB_SANITIZE=ON in build-fuzz/,
# builds the targets, then runs each for SECONDS (default 60) on a copy
# of its seed corpus (fuzz/corpus-run/<target>/, so the seeds stay as
# committed).  Exits non-zero if any target finds a crash, leak, timeout or
# sanitizer report; the reproducer is left in build-fuzz/artifacts/.
# Reproduce one with:  build-fuzz/fuzz/fuzz_<target> <file>
#
# The mutations follow a fixed seed (CB_FUZZ_SEED, default 1), so that CI
# explores the same inputs on every run: a red CI is then a change's doing,
# never the luck of the draw.  Deeper hunts use other seeds and longer
# runs, e.g.  CB_FUZZ_SEED=$RANDOM fuzz/smoke.sh 600
set -eu

secs=${1:-60}
seed=${CB_FUZZ_SEED:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz
jobs=${CB_JOBS:-2}

CC=clang cmake -S "$root" -B "$build" -DCB_FUZZ=ON -DCB_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS=-Wno-unknown-warning-option >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_config fuzz_roadnet fuzz_flow fuzz_ingest fuzz_sumo fuzz_sumo_file fuzz_archive fuzz_lines fuzz_api

# Known findings in code outside fuzz/, already reported: see the .supp files.
export UBSAN_OPTIONS="suppressions=$root/fuzz/ubsan-known.supp:halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$root/fuzz/lsan-known.supp"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
mkdir -p "$build/artifacts"

# -max_len per format: a 1x1 roadnet is 5 KB, the 2x2 seed 13 KB; flows and
# configs are much smaller; an archive input is a list of 5-byte edits.  -timeout catches runaway loops (a step of a
# tiny network takes microseconds); -rss_limit_mb catches blow-ups.
status=0
for spec in config:1024 flow:4096 roadnet:16384 ingest:8192 sumo:16384 sumo_file:16384 archive:256 lines:512 api:512; do
    t=${spec%%:*}
    len=${spec#*:}
    dict=$root/fuzz/cityflow.dict
    [ "$t" = ingest ] && dict=$root/fuzz/ingest.dict      # the observation schema's tokens
    [ "$t" = archive ] && dict=                          # byte edits: no tokens
    [ "$t" = sumo_file ] && dict=                        # gzip bytes as often as XML
    [ "$t" = api ] && dict=                              # a byte code: no tokens
    [ "$t" = lines ] && dict=$root/fuzz/lines.dict        # road ids, ':', '@', '-', '='
    run=$root/fuzz/corpus-run/$t
    mkdir -p "$run"
    cp "$root/fuzz/corpus/$t/"* "$run/"
    echo "== fuzz_$t: ${secs}s, -max_len=$len, -seed=$seed"
    if ! "$build/fuzz/fuzz_$t" "$run" -seed="$seed" -max_total_time="$secs" -max_len="$len" \
            ${dict:+-dict="$dict"} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$build/artifacts/$t-" 2>"$build/fuzz_$t.log"; then
        echo "fuzz_$t FAILED; log: $build/fuzz_$t.log" >&2
        grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$build/fuzz_$t.log" >&2 || true
        status=1
    else
        grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$build/fuzz_$t.log" || true
    fi
done
exit $status
