#!/usr/bin/env python3
"""bench/sumo_generated.py -- citybrain against SUMO on networks SUMO generates.

The eight shared scenarios have signals and priority junctions.  Cities
imported from OpenStreetMap also have stop signs, all-way stops and
right-before-left junctions, and streets that are not a grid.  This bench
makes such networks with SUMO's own tools, gives them random demand, and
compares the two programs' SUMO-style trip means:

  * four random networks (netgenerate --rand, 100 junctions, one lane per
    direction), each with every junction of one type: priority_stop,
    allway_stop, right_before_left, and allway_stop again with twice the
    demand;
  * three random networks with guessed signals (150 junctions, two lanes:
    --tls.guess, the rest priority junctions), and the first of them with
    2.4 times the demand.

Demand: `citybrain gen demand NET --rate R --seed S --min-distance M`
(random fringe-to-fringe trips for one hour).  Both programs run the same
files, one thread, seed 0; SUMO 1.15 with its defaults (it teleports
vehicles stuck for 300 s; citybrain never does and reports them).  Runs are
deterministic, so one run each.  Speed is not the point here (see
bench/sumo.py); the wall times are given for scale.

Usage:  python3 bench/sumo_generated.py [--build build] [--work DIR]
                                        [--write docs/sumo.md] [--json out.json]
Needs: a built citybrain, Debian's sumo (sumo, netgenerate), python3 (stdlib only).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sumo import write_section  # noqa: E402  (the same section writer)

MARK_BEGIN = "<!-- bench/sumo_generated.py:begin -->"
MARK_END = "<!-- bench/sumo_generated.py:end -->"

# name, netgenerate options, trips per hour, demand seed, minimum trip distance (m)
RAND = ["--rand", "--rand.min-distance", "80"]
CASES = [
    ("priority_stop", RAND + ["--seed", "3", "--rand.iterations", "100", "--default.lanenumber", "1",
                              "--default-junction-type", "priority_stop"], 1000, 3, 300),
    ("allway_stop", RAND + ["--seed", "3", "--rand.iterations", "100", "--default.lanenumber", "1",
                            "--default-junction-type", "allway_stop"], 1000, 3, 300),
    ("allway_stop x2", RAND + ["--seed", "3", "--rand.iterations", "100", "--default.lanenumber", "1",
                               "--default-junction-type", "allway_stop"], 2000, 5, 300),
    ("right_before_left", RAND + ["--seed", "3", "--rand.iterations", "100", "--default.lanenumber", "1",
                                  "--default-junction-type", "right_before_left"], 1000, 3, 300),
    ("signals 1", RAND + ["--seed", "1", "--rand.iterations", "150", "--default.lanenumber", "2",
                          "--tls.guess"], 1500, 1, 300),
    ("signals 2", RAND + ["--seed", "2", "--rand.iterations", "150", "--default.lanenumber", "2",
                          "--tls.guess"], 1500, 2, 300),
    ("signals 3", RAND + ["--seed", "3", "--rand.iterations", "150", "--default.lanenumber", "2",
                          "--tls.guess"], 1500, 3, 300),
    ("signals 1 x2.4", RAND + ["--seed", "1", "--rand.iterations", "150", "--default.lanenumber", "2",
                               "--tls.guess"], 3600, 1, 300),
]


def sh(argv, cwd=None):
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, cwd=cwd)
    return p, time.perf_counter() - t0


def sumo_stats(text):
    """SUMO's --duration-log.statistics means (the last of each key)."""
    def last(key):
        m = re.findall(r"^ %s: ([0-9.]+)$" % key, text, re.M)
        return float(m[-1]) if m else None
    ins = re.search(r"^ Inserted: (\d+)", text, re.M)
    tele = re.search(r"^Teleports: (\d+)", text, re.M)
    return {"tt": last("Duration"), "wait": last("WaitingTime"), "loss": last("TimeLoss"),
            "inserted": int(ins.group(1)) if ins else None, "teleports": int(tele.group(1)) if tele else 0}


def bench(args, work):
    binary = os.path.abspath(os.path.join(args.build, "citybrain"))
    res = []
    for i, (name, gen, rate, seed, dist) in enumerate(CASES):
        net = os.path.join(work, "n%d.net.xml" % i)
        rou = os.path.join(work, "n%d.rou.xml" % i)
        cfg = os.path.join(work, "n%d.sumocfg" % i)
        p, _ = sh(["netgenerate"] + gen + ["-o", net])
        if p.returncode != 0:
            sys.exit("netgenerate failed for %s: %s" % (name, p.stderr.strip()[-300:]))
        p, _ = sh([binary, "gen", "demand", net, "--rate", str(rate), "--seed", str(seed),
                   "--min-distance", str(dist), "-o", rou])
        if p.returncode != 0:
            sys.exit("citybrain gen demand failed for %s: %s" % (name, p.stderr.strip()[-300:]))
        with open(cfg, "w") as f:
            f.write('<configuration><input><net-file value="%s"/><route-files value="%s"/></input>'
                    '<time><begin value="0"/><end value="3600"/></time></configuration>\n'
                    % (os.path.basename(net), os.path.basename(rou)))
        p, t_sumo = sh(["sumo", "-c", cfg, "--xml-validation", "never", "--no-step-log",
                        "--duration-log.statistics"], cwd=work)
        if p.returncode != 0:
            sys.exit("sumo failed for %s: %s" % (name, (p.stdout + p.stderr).strip()[-300:]))
        su = sumo_stats(p.stdout + p.stderr)
        p, t_cb = sh([binary, "run", cfg, "--json", "--quiet"])
        if p.returncode != 0:
            sys.exit("citybrain failed for %s: %s" % (name, p.stderr.strip()[-300:]))
        d = json.loads(next(l for l in p.stdout.splitlines() if l.startswith("{")))
        junctions = len(re.findall(r'<junction id="[^:"][^"]*" type="(?!internal|dead_end)', open(net).read()))
        r = {"name": name, "junctions": junctions, "trips": rate, "sumo": su, "sumo_s": t_sumo,
             "citybrain": {"tt": d["mean_travel_time"], "wait": d["mean_waiting_time"],
                           "loss": d["mean_time_loss"], "inserted": d["trips_inserted"],
                           "stuck": d["jammed_vehicles"], "longest_stop": d["longest_stop"]},
             "citybrain_s": t_cb}
        r["tt_vs_sumo"] = r["citybrain"]["tt"] / su["tt"] - 1 if su["tt"] else None
        res.append(r)
        print("%-18s SUMO %7.1f s  citybrain %7.1f s  (%+.1f%%)" % (name, su["tt"], d["mean_travel_time"],
                                                               100 * r["tt_vs_sumo"]), file=sys.stderr)
    return res


def markdown(res):
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    out = ["Measured %s; SUMO 1.15 (Debian) in the same run.  " % now,
           "Command: `python3 bench/sumo_generated.py --write docs/sumo.md`",
           "",
           "| network | junctions | trips | travel time s, SUMO / we | diff | waiting s, SUMO / we | time loss s, SUMO / we "
           "| inserted, SUMO / we | SUMO teleported / we stuck > 300 s | wall s, SUMO / we |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in res:
        su, cb = r["sumo"], r["citybrain"]
        out.append("| %s | %d | %d | %.1f / %.1f | %+.1f%% | %.1f / %.1f | %.1f / %.1f | %s / %d | %d / %d | %.2f / %.3f |" % (
            r["name"], r["junctions"], r["trips"], su["tt"], cb["tt"], 100 * r["tt_vs_sumo"], su["wait"], cb["wait"],
            su["loss"], cb["loss"], su["inserted"], cb["inserted"], su["teleports"], cb["stuck"],
            r["sumo_s"], r["citybrain_s"]))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--work", help="keep the generated files here (default: a temporary folder)")
    ap.add_argument("--write", help="replace the marked section of this markdown file")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    for tool in ("sumo", "netgenerate"):
        if not shutil.which(tool):
            print("skipped: %s is not installed (Debian package sumo)" % tool)
            return 0
    if args.work:
        os.makedirs(args.work, exist_ok=True)
        res = bench(args, args.work)
    else:
        with tempfile.TemporaryDirectory() as work:
            res = bench(args, work)
    text = markdown(res)
    print(text)
    if args.write:
        write_section(args.write, text, MARK_BEGIN, MARK_END)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
