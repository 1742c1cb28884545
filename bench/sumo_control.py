#!/usr/bin/env python3
"""bench/sumo_control.py -- every signal controller on the SUMO scenarios.

For every scenario of ../shared/data/sumo, runs `citybrain run CFG --control
NAME --json` for the scenario's own fixed-time programs ("fixed") and every
built-in controller, and reports SUMO-style trip means (travel time, waiting
time, time loss over finished vehicles), vehicles finished, vehicles
stopped for more than 300 s (where SUMO would teleport them; citybrain
never does) and the longest stop.  One run each: runs are deterministic.

The controllers run under the layer's protocol (decisions every 15 s with
the 5 s yellow inside; mp1s, sotl and horizon1s at their own cadence), on
the SUMO programs' green phases (docs/control.md, "SUMO networks").

Usage:  python3 bench/sumo_control.py [--build build] [--only NAME ...]
                                      [--write docs/sumo.md]
Needs: a built citybrain, ../shared/data/sumo, python3 (stdlib only).
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sumo import DATA, SCENARIOS, write_section  # noqa: E402  (same scenarios, same section writer)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK_BEGIN = "<!-- bench/sumo_control.py:begin -->"
MARK_END = "<!-- bench/sumo_control.py:end -->"


def controllers(binary):
    """fixed, then the built-ins in `citybrain run --help` order."""
    text = subprocess.run([binary, "run", "--help"], capture_output=True, text=True).stdout
    names, on = [], False
    for line in text.splitlines():
        if line.strip().startswith("Controllers"):
            on = True
            continue
        if on:
            if not line.strip():
                break
            word = line.split()[0]
            if word not in names and word != "auto":
                names.append(word)
    return ["fixed"] + [n for n in names if n != "fixed"]


def run(binary, name, cfg, routes, end, ctl):
    argv = [binary, "run", os.path.join(DATA, name, cfg), "--json", "--quiet", "--control", ctl]
    if routes:
        argv += ["--flow", routes]
    if end:
        argv += ["--duration", str(end)]
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]}
    d = json.loads(next(l for l in p.stdout.splitlines() if l.startswith("{")))
    return {"tt": d["mean_travel_time"], "wait": d["mean_waiting_time"], "loss": d["mean_time_loss"],
            "finished": d["trips_finished"], "inserted": d["trips_inserted"], "jammed": d["jammed_vehicles"],
            "longest": d["longest_stop"], "switches": d["signal_switches"]}


def markdown(rows, ctls):
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    out = ["Measured %s with `python3 bench/sumo_control.py --write docs/sumo.md` (one run each: "
           "deterministic).  Per cell: mean travel time over finished vehicles, s / vehicles finished / "
           "vehicles stopped > 300 s (**bold** when any).  `fixed` is the scenario's own programs." % now,
           "",
           "| scenario | " + " | ".join(ctls) + " |",
           "|---|" + "---|" * len(ctls)]
    for name, res in rows:
        cells = []
        for c in ctls:
            r = res[c]
            if "error" in r:
                cells.append("error: " + r["error"][:60])
                continue
            jam = "**%d**" % r["jammed"] if r["jammed"] else "0"
            cells.append("%.1f / %d / %s" % (r["tt"], r["finished"], jam))
        out.append("| %s | %s |" % (name, " | ".join(cells)))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--write", help="replace the marked section of this markdown file")
    args = ap.parse_args()
    binary = os.path.join(ROOT, args.build, "citybrain")
    if not os.path.exists(binary):
        sys.exit("bench/sumo_control.py: %s not found; build first" % binary)
    if not os.path.isdir(DATA):
        print("bench/sumo_control.py: %s is absent; nothing to measure" % DATA)
        return 0
    ctls = controllers(binary)
    rows = []
    for name, cfg, routes, end in SCENARIOS:
        if args.only and name not in args.only:
            continue
        res = {}
        for c in ctls:
            res[c] = run(binary, name, cfg, routes, end, c)
            print("%-22s %-12s %s" % (name, c, res[c]), file=sys.stderr)
        rows.append((name, res))
    text = markdown(rows, ctls)
    print(text)
    if args.write:
        write_section(args.write, text, MARK_BEGIN, MARK_END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
