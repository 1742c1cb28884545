#!/bin/sh
# serve_bench.sh [BUILD_DIR] -- the service's targets, measured (not a test).
#
# Starts `citybrain serve` on the twin of Hangzhou at --speed 100 with a
# fresh database on a free loopback port, then for SECONDS (default 20):
#   * bench/serve_ingest.c posts batches of BATCH (1000) observations over
#     CONNS (4) keep-alive connections and reports acknowledged
#     observations/s and the ack latency p50/p99 (every ack is durable:
#     synchronous=FULL);
#   * wrk reads GET /api/v1/state at the same time and reports its latency;
#   * the twin's achieved speed is read from the state before the end.
# Then 10,000 malformed, oversized or unauthorised requests (curl) must all
# get a 4xx answer, the server must stay up and nothing stored may change.
# Needs wrk, curl and the sqlite3 shell.  Environment: SECONDS_RUN (20),
# CONNS (4), BATCH (1000), WRK_CONNS (4), SPEED (100), BAD_ROUNDS (1000 x 10).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
bin=$build/citybrain
secs=${SECONDS_RUN:-20}
conns=${CONNS:-4}
batch=${BATCH:-1000}
wconns=${WRK_CONNS:-4}
speed=${SPEED:-100}
work=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; rm -rf "$work"' EXIT

cc -O2 -pthread -o "$work/serve_ingest" "$root/bench/serve_ingest.c"
"$bin" serve --city "$root/examples/hangzhou_4x4" --db "$work/bench.db" --listen 127.0.0.1:0 \
    --speed "$speed" >"$work/out" 2>"$work/err" &
srv=$!
for i in $(seq 1 100); do grep -q "admin token" "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/out")
port=$(echo "$url" | sed 's/.*:\([0-9]*\)\/$/\1/')
token=$(grep 'admin token' "$work/out" | cut -d' ' -f3)
roads=$(curl -s "${url}api/v1/network" | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["roads"]["id"][:40]))')
echo "server: $url  (Hangzhou 4x4, --speed $speed)"

sim0=$(curl -s "${url}api/v1/state" | grep -o '"sim_time":[0-9.]*' | cut -d: -f2)
w0=$(date +%s.%N)
wrk -t1 -c"$wconns" -d"${secs}s" --latency "${url}api/v1/state" >"$work/wrk" 2>&1 &
wrkpid=$!
"$work/serve_ingest" "$port" "$token" "$secs" "$conns" "$batch" $roads >"$work/ingest" || true
wait $wrkpid || true
sim1=$(curl -s "${url}api/v1/state" | grep -o '"sim_time":[0-9.]*' | cut -d: -f2)
w1=$(date +%s.%N)
state_speed=$(echo "($sim1 - $sim0) / ($w1 - $w0)" | bc -l | cut -c1-6)
echo "ingest: $(cat "$work/ingest")"
echo "state under load (wrk -c$wconns):"
grep -E "Latency|50%|90%|99%|Requests/sec" "$work/wrk" | sed 's/^/  /'
echo "twin speed over the loaded period: ${state_speed}x real time (simulated s / wall s; target >= 100)"

# Bad input: 10,000 malformed, oversized or unauthorised requests.
before=$(sqlite3 -cmd ".timeout 10000" "$work/bench.db" "SELECT (SELECT count(*) FROM obs WHERE source=1)||' '||(SELECT count(*) FROM alerts)||' '||(SELECT count(*) FROM tokens)||' '||(SELECT count(*) FROM air)")
head -c 9000000 /dev/zero | tr '\0' ' ' >"$work/big.json"
ok4=0; other=0
codes=$work/codes
: >"$codes"
i=0
set +e    # curl may exit non-zero after a 413 closes the upload; the code is what counts
while [ $i -lt "${BAD_ROUNDS:-1000}" ]; do
  {
    curl -s -o /dev/null -w "%{http_code}\n" -X POST -H "Authorization: Bearer $token" -d '{' "${url}api/v1/ingest"
    curl -s -o /dev/null -w "%{http_code}\n" -X POST -d '[]' "${url}api/v1/ingest"
    curl -s -o /dev/null -w "%{http_code}\n" -X POST -H "Authorization: Bearer cbt_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" -d '{"role":"admin"}' "${url}api/v1/tokens"
    curl -s -o /dev/null -w "%{http_code}\n" -X POST -H "Authorization: Bearer $token" -d '{"type":"TrafficFlowObserved","refRoadSegment":"road_1_1_0","laneId":0,"dateObserved":"2021-01-01T00:00:00Z","intensity":1,"licensePlate":"X"}' "${url}api/v1/ingest"
    curl -s -o /dev/null -w "%{http_code}\n" -X POST -H "Authorization: Bearer $token" -d '{"type":"TrafficFlowObserved","colour":1}' "${url}api/v1/ingest"
    curl -s -o /dev/null -w "%{http_code}\n" -X POST -H "Authorization: Bearer $token" -H 'Expect:' --data-binary @"$work/big.json" "${url}api/v1/ingest"
    curl -s -o /dev/null -w "%{http_code}\n" -X DELETE "${url}api/v1/tokens/x"
    curl -s -o /dev/null -w "%{http_code}\n" -X POST -d '{"intersection":"intersection_1_1","phase":1,"duration":9}' "${url}api/v1/actions/override"
    curl -s -o /dev/null -w "%{http_code}\n" "${url}api/v1/observations?from=never"
    curl -s -o /dev/null -w "%{http_code}\n" --path-as-is "${url}../../etc/passwd"
  } >>"$codes"
  i=$((i + 1))
done
set -e
total=$(wc -l <"$codes")
fourxx=$(grep -c '^4' "$codes" || true)
after=$(sqlite3 -cmd ".timeout 10000" "$work/bench.db" "SELECT (SELECT count(*) FROM obs WHERE source=1)||' '||(SELECT count(*) FROM alerts)||' '||(SELECT count(*) FROM tokens)||' '||(SELECT count(*) FROM air)")
alive=$(curl -s -o /dev/null -w '%{http_code}' "${url}api/v1/health")
echo "bad requests: $fourxx of $total got 4xx; server health $alive; stored before/after: [$before] [$after]"
echo "answers: $(sort "$codes" | uniq -c | tr -s ' \n' ' ')(000 = curl saw no answer)"
kill -TERM $srv; wait $srv || true
