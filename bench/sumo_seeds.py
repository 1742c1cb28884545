#!/usr/bin/env python3
"""bench/sumo_seeds.py -- citybrain's spread over seeds on the SUMO scenarios,
beside SUMO's own.

bench/sumo.py compares one run of each program; a single seed says little
where the result moves with the random draws (dawdling, speed factors,
random flows) on both sides.  This script runs `citybrain run CFG --json
--seed S` for every seed asked, with and/or without --lane-change, and with
--sumo also `sumo -c CFG --seed S`, and reports per scenario the range over
seeds of:
  * mean travel time over finished vehicles, and its deviation from
    ../shared/reference/sumo-reference.json (SUMO 1.15 at its default seed);
  * vehicles inserted;
  * vehicles stopped for more than 300 s (citybrain's jammed_vehicles; the
    issue asks for none where SUMO shows no jam);
and, over all the runs of a scenario (both lane-change settings with
`both`), the mean deviation from the reference, the runs with a vehicle
stopped over 300 s and the runs inserting fewer than 99% of the vehicles
SUMO inserts at its default seed.  The docs' figures over seeds 0-159
come from `--seeds 0-159` (2,560 runs, a few minutes on two cores).
Same scenarios and run lengths as bench/sumo.py.  Timings are not reported:
runs go in parallel (--jobs), which is fine for these figures and not for
speed.

Usage:  python3 bench/sumo_seeds.py [--build build] [--seeds 0-7]
            [--lane-change off|on|both] [--sumo] [--jobs 2]
            [--write docs/sumo.md]
Needs: a built citybrain, ../shared/data/sumo, python3 (stdlib only);
SUMO (Debian package `sumo`) for --sumo.
"""
import argparse
import concurrent.futures
import importlib.util
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("bench_sumo", os.path.join(HERE, "sumo.py"))
bs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bs)

# Vehicles SUMO 1.15 (Debian) inserts at its default seed: `sumo -c CFG
# --duration-log.statistics`, 27 Nov 2026 (the reference file has only the
# loaded count); tests/test_fidelity_sumo.c holds the same figures.
SUMO_INSERTED = {
    "sumorl_2way_single": 2146, "sumorl_4x4_lucas": 9600, "resco_cologne1": 2015, "resco_cologne3": 2856,
    "resco_ingolstadt1": 1715, "resco_ingolstadt7": 3027, "resco_grid4x4": 1473, "resco_arterial4x4": 1592,
}

MARK_BEGIN = "<!-- bench/sumo_seeds.py:begin -->"
MARK_END = "<!-- bench/sumo_seeds.py:end -->"


def parse_seeds(text):
    """'0-7' or '0,3,5' -> list of ints; raises ValueError on anything else."""
    seeds = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            seeds += list(range(int(a), int(b) + 1))
        else:
            seeds.append(int(part))
    if not seeds or min(seeds) < 0:
        raise ValueError(text)
    return seeds


def run_citybrain(binary, scenario, seed, lane_change):
    name, cfg, routes, end = scenario
    argv = bs.citybrain_argv(binary, name, cfg, routes, end) + ["--seed", str(seed)]
    if lane_change:
        argv.append("--lane-change")
    _, _, out, code, _ = bs.run_process(argv)
    if code != 0:
        raise RuntimeError("%s failed (exit %d):\n%s" % (" ".join(argv), code, out[-2000:]))
    return bs.parse_citybrain(out)


def run_sumo(sumo, scenario, seed):
    name, cfg, routes, end = scenario
    argv = bs.sumo_argv(sumo, name, cfg, routes, end) + ["--seed", str(seed)]
    _, _, out, code, _ = bs.run_process(argv, cwd=os.path.join(bs.DATA, name))
    if code != 0:
        raise RuntimeError("%s failed (exit %d):\n%s" % (" ".join(argv), code, out[-2000:]))
    return bs.parse_sumo(out)


def span(values, fmt="%.1f"):
    lo, hi = min(values), max(values)
    return fmt % lo if lo == hi else (fmt % lo) + "–" + (fmt % hi)


def in_runs(counts):
    """"none", or the range of the non-zero counts and in how many runs."""
    hit = [c for c in counts if c]
    return "none" if not hit else "%s in %d of %d runs" % (span(hit, "%d"), len(hit), len(counts))


def markdown(rows, seeds, modes, with_sumo, command):
    out = ["Measured %s, seeds %s, %s; reference: SUMO 1.15 at its default seed "
           "(`../shared/reference/sumo-reference.json`).  " % (
               time.strftime("%Y-%m-%d %H:%M"), span(seeds, "%d"),
               " and ".join("with `--lane-change`" if m else "without lane changes" for m in modes)),
           "Command: `%s`" % command, ""]
    head = "| scenario | lane changes | travel time s | vs reference | inserted | jammed (> 300 s) |"
    rule = "|---|---|---|---|---|---|"
    if with_sumo:
        head += " SUMO travel time s | SUMO inserted | SUMO teleported (waited 300 s) |"
        rule += "---|---|---|"
    out += [head, rule]
    for r in rows:
        ref = r["ref"]
        tt = [x["tt"] for x in r["ours"]]
        dev = [(t - ref) / ref * 100 for t in tt] if ref else []
        line = "| %s | %s | %s | %s | %s | %s |" % (
            r["name"], "on" if r["lc"] else "off", span(tt),
            "%s (mean %+.1f%%)" % (span(dev, "%+.1f%%"), sum(dev) / len(dev)) if dev else "-",
            span([x["inserted"] for x in r["ours"]], "%d"),
            in_runs([x["jammed"] for x in r["ours"]]))
        if with_sumo:
            if r["sumo"]:
                line += " %s | %s | %s |" % (span([x["tt"] for x in r["sumo"]]),
                                             span([x["inserted"] for x in r["sumo"]], "%d"),
                                             in_runs([x["teleports"] for x in r["sumo"]]))
            else:
                line += " | | |"
        out.append(line)
    out += ["", summary(rows)]
    return "\n".join(out) + "\n"


def summary(rows):
    """Per scenario, over all its runs: mean deviation from the reference,
    runs with a vehicle stopped over 300 s, runs inserting under 99% of
    SUMO's vehicles."""
    out = ["| scenario | runs | mean vs reference | runs with a vehicle stopped > 300 s | "
           "runs inserting < 99% of SUMO's vehicles |", "|---|---|---|---|---|"]
    for name in dict.fromkeys(r["name"] for r in rows):     # in first-seen order
        runs = [x for r in rows if r["name"] == name for x in r["ours"]]
        ref = next(r["ref"] for r in rows if r["name"] == name)
        want = SUMO_INSERTED.get(name)
        mean = "%+.1f%%" % (sum((x["tt"] - ref) / ref * 100 for x in runs) / len(runs)) if ref else "-"
        low = "%d" % sum(1 for x in runs if x["inserted"] < 0.99 * want) if want else "-"
        out.append("| %s | %d | %s | %d | %s |" % (name, len(runs), mean, sum(1 for x in runs if x["jammed"]), low))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--seeds", default="0-7")
    ap.add_argument("--lane-change", choices=["off", "on", "both"], default="both")
    ap.add_argument("--sumo", action="store_true", help="also run SUMO with the same seeds")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", help="run only the scenarios whose name contains this")
    ap.add_argument("--write", help="rewrite the marked section of this markdown file")
    args = ap.parse_args()
    try:
        seeds = parse_seeds(args.seeds)
    except ValueError:
        sys.exit("bench/sumo_seeds.py: --seeds wants 'A-B' or 'A,B,C' (non-negative), not %r" % args.seeds)
    binary = os.path.join(bs.ROOT, args.build, "citybrain")
    if not os.path.exists(binary):
        sys.exit("bench/sumo_seeds.py: %s not found; build first (scripts/setup.sh)" % binary)
    if not os.path.isdir(bs.DATA):
        sys.exit("bench/sumo_seeds.py: %s not found (the shared SUMO scenarios)" % bs.DATA)
    sumo = shutil.which("sumo") if args.sumo else None
    if args.sumo and not sumo:
        sys.exit("bench/sumo_seeds.py: --sumo needs SUMO on the PATH (apt-get install sumo)")
    modes = {"off": [False], "on": [True], "both": [False, True]}[args.lane_change]
    reference = json.load(open(bs.REFERENCE))["scenarios"] if os.path.exists(bs.REFERENCE) else {}
    scenarios = [s for s in bs.SCENARIOS if not args.only or args.only in s[0]]

    jobs = [("cb", s, seed, lc) for s in scenarios for lc in modes for seed in seeds]
    if sumo:
        jobs += [("sumo", s, seed, False) for s in scenarios for seed in seeds]
    results = {}
    done = 0
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as ex:
        futs = {}
        for kind, s, seed, lc in jobs:
            f = ex.submit(run_citybrain, binary, s, seed, lc) if kind == "cb" else ex.submit(run_sumo, sumo, s, seed)
            futs[f] = (kind, s[0], seed, lc)
        for f in concurrent.futures.as_completed(futs):
            try:
                results[futs[f]] = f.result()
            except RuntimeError as e:
                sys.exit("bench/sumo_seeds.py: %s" % e)
            done += 1
            print("\r%d/%d runs" % (done, len(jobs)), end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    rows = []
    for name, *_ in scenarios:
        for lc in modes:
            rows.append({"name": name, "lc": lc, "ref": reference.get(name, {}).get("mean_travel_time"),
                         "ours": [results[("cb", name, s, lc)] for s in seeds],
                         "sumo": [results[("sumo", name, s, False)] for s in seeds] if sumo and not lc else []})
    command = "python3 bench/sumo_seeds.py --build %s --seeds %s --lane-change %s%s" % (
        args.build, args.seeds, args.lane_change, " --sumo" if sumo else "")
    text = markdown(rows, seeds, modes, bool(sumo), command)
    print(text)
    if args.write:
        bs.write_section(args.write, text, MARK_BEGIN, MARK_END)


if __name__ == "__main__":
    main()
