#!/usr/bin/env python3
"""bench/engine.py -- speed and memory of the digital twin, whole process.

Runs `citybrain run ... --json` as a separate process for every case and
measures, from outside, the wall time of the whole process (loading
included); its peak memory is the run's own `peak_memory_mb` (VmHWM; the
child's ru_maxrss from os.wait4 would keep this Python process's 15 MB,
which the child was forked from, and did until 28 Nov 2026: every small
city read 15-16 MB).  Vehicle-updates per second is the
engine's `veh_updates` (sum over steps of running vehicles) divided by that
wall time.

Two kinds of comparison:
  * against CityFlow's figures in ../shared/reference/cityflow-reference.json
    (measured on this kind of machine; stepping only, loading excluded, so
    the ratio is conservative);
  * against a baseline measured in the same run, because these machines are
    shared and noisy: `--baseline REV` builds that git revision of citybrain
    in a temporary directory (default: the first engine commit, the
    straightforward version before any optimisation) and runs it on the same
    cases, interleaved with the current build.

Usage:  python3 bench/engine.py [--repeat 3] [--quick] [--baseline REV|none]
                                [--write docs/benchmarks.md] [--json out.json]
Needs: a built ./build/citybrain, ../shared/data, python3 (stdlib only).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data")
REFERENCE = os.path.join(ROOT, "..", "shared", "reference", "cityflow-reference.json")
FIRST_ENGINE = "29e4560"      # first engine commit: the straightforward baseline

MARK_BEGIN = "<!-- bench/engine.py:begin -->"
MARK_END = "<!-- bench/engine.py:end -->"


def run_process(argv):
    """Run argv, return (wall s, CPU s, peak RSS in MB, stdout, exit code)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, out.decode(), p.returncode


def parse_current(out):
    return json.loads(out)


def parse_baseline(out):
    """The first engine commit's driver prints 'key value ... load X s step Y s'."""
    w = out.split()
    d = dict(zip(w[0:16:2], w[1:16:2]))           # the eight "key value" pairs
    return {"engine_att": float(d["engine_att"]), "veh_updates": int(d["veh_updates"]),
            "step_seconds": float(w[w.index("step") + 1])}


def run_once(argv, parse):
    wall, cpu, rss, out, code = run_process(argv)
    if code != 0:
        raise RuntimeError("failed (%d): %s" % (code, " ".join(argv)))
    r = parse(out)
    r["wall"] = wall
    r["cpu"] = cpu
    # the run's own peak when it says it (see the docstring); the child's
    # ru_maxrss otherwise (the baseline's older driver), an upper bound
    r["rss_mb"] = r.get("peak_memory_mb") or rss
    return r


def summarize(runs):
    best = dict(sorted(runs, key=lambda r: r["wall"])[len(runs) // 2])    # median by wall time
    best["walls"] = [round(r["wall"], 3) for r in runs]
    if all("step_seconds" in r for r in runs):
        best["steps_all"] = [round(r["step_seconds"], 3) for r in runs]
    return best


def measure(argv, parse, repeat):
    return summarize([run_once(argv, parse) for _ in range(repeat)])


def measure_interleaved(argvs, parse, repeat):
    """Run the commands in turn, repeat rounds, so that a noisy spell of the
    machine hits all of them alike; one summary per command."""
    runs = [[] for _ in argvs]
    for _ in range(repeat):
        for i, argv in enumerate(argvs):
            runs[i].append(run_once(argv, parse))
    return [summarize(r) for r in runs]


def build_baseline(rev):
    tmp = tempfile.mkdtemp(prefix="cb-baseline-")
    src = os.path.join(tmp, "src")
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", src, rev],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(["cmake", "-S", src, "-B", os.path.join(tmp, "b"), "-DCMAKE_BUILD_TYPE=Release",
                        "-DBUILD_TESTING=OFF"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", os.path.join(tmp, "b"), "-j2", "--target", "citybrain"],
                       check=True, stdout=subprocess.DEVNULL)
    finally:
        pass
    return tmp, os.path.join(tmp, "b", "citybrain")


def remove_baseline(tmp):
    subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", os.path.join(tmp, "src")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--citybrain", default=os.path.join(ROOT, "build", "citybrain"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="reference cities only, no 100x100")
    ap.add_argument("--baseline", default=FIRST_ENGINE, help="git revision to compare with, or 'none'")
    ap.add_argument("--write", metavar="MD", help="replace the generated section of this Markdown file")
    ap.add_argument("--json", metavar="FILE", help="write all measurements as JSON")
    a = ap.parse_args()

    if not os.path.isdir(DATA) or not os.path.exists(REFERENCE):
        sys.exit("bench/engine.py: needs ../shared/data and ../shared/reference beside the repository")
    ref = json.load(open(REFERENCE))
    cb = a.citybrain
    base_tmp, base = (None, None)
    if a.baseline != "none":
        print("building baseline %s ..." % a.baseline, file=sys.stderr)
        base_tmp, base = build_baseline(a.baseline)

    results = {"cases": [], "grids": [], "threads": None, "empty": [], "machine": os.uname().nodename,
               "date": time.strftime("%Y-%m-%d %H:%M"), "repeat": a.repeat,
               "loadavg_start": os.getloadavg()[0]}
    try:
        # 1. the reference cities
        for c in ref["cases"]:
            if "timing_1thread" not in c:
                continue
            d = os.path.join(DATA, c["dataset"])
            cur = measure([cb, "run", d, "--flow", c["flow"], "--json"], parse_current, a.repeat)
            row = {"dataset": c["dataset"], "flow": c["flow"], "cityflow_s": c["timing_1thread"]["wall_s"],
                   "cityflow_vups": c["timing_1thread"]["veh_updates_per_s"], "current": cur}
            if base:
                row["baseline"] = measure([base, d, "--flow", c["flow"]], parse_baseline, a.repeat)
            results["cases"].append(row)
            print("%-22s %-32s %7.3f s  %6.1f MB  x%.1f vs CityFlow" % (
                c["dataset"], c["flow"], cur["wall"], cur["rss_mb"], row["cityflow_s"] / cur["wall"]),
                file=sys.stderr)

        sg = ref["scaling_grids"]
        # 2. the 30x30 grid from its files, one and two threads
        d30 = os.path.join(DATA, "grid_30x30")
        if os.path.isdir(d30):
            one, two = measure_interleaved([[cb, "run", d30, "--json"],
                                            [cb, "run", d30, "--threads", "2", "--json"]], parse_current, a.repeat)
            row = {"grid": "30x30 (files)", "cityflow_s": sg["30x30"]["wall_s"],
                   "cityflow_mb": sg["30x30"]["peak_rss_mb"], "current": one}
            if base:
                row["baseline"] = measure([base, d30], parse_baseline, a.repeat)
            results["grids"].append(row)
            results["threads"] = {"one": one, "two": two}
            print("30x30 1 thread %.2f s, 2 threads %.2f s" % (one["wall"], two["wall"]), file=sys.stderr)

        # 3. the 100x100 grid, generated in memory
        if not a.quick:
            big = measure([cb, "run", "grid:100x100", "--json"], parse_current, 1)
            results["grids"].append({"grid": "100x100 (generated)", "cityflow_s":
                                     sg["100x100"]["wall_s"] + sg["100x100"]["load_s"],
                                     "cityflow_mb": sg["100x100"]["peak_rss_mb"], "current": big})
            print("100x100 %.2f s %.0f MB" % (big["wall"], big["rss_mb"]), file=sys.stderr)

        # 4. empty networks: the cost of a step when nothing moves
        for g in ("10x10", "30x30", "100x100"):
            e = measure([cb, "run", "grid:" + g, "--grid-empty", "--json"], parse_current, a.repeat)
            r, c = (int(x) for x in g.split("x"))
            results["empty"].append({"grid": g, "signals": r * c, "current": e,
                                     "cityflow_steps_per_s": sg["empty_network_steps_per_s"][g]})
    finally:
        if base_tmp:
            remove_baseline(base_tmp)

    results["loadavg_end"] = os.getloadavg()[0]
    md = render(results, a)
    print(md)
    if a.json:
        json.dump(results, open(a.json, "w"), indent=1)
    if a.write:
        text = open(a.write).read() if os.path.exists(a.write) else MARK_BEGIN + "\n" + MARK_END + "\n"
        if MARK_BEGIN not in text:
            text += "\n" + MARK_BEGIN + "\n" + MARK_END + "\n"
        head, rest = text.split(MARK_BEGIN, 1)
        _, tail = rest.split(MARK_END, 1)
        open(a.write, "w").write(head + MARK_BEGIN + "\n" + md + MARK_END + tail)


def render(res, a):
    L = []
    cmd = "python3 bench/engine.py --repeat %d%s%s" % (a.repeat, " --quick" if a.quick else "",
                                                        "" if a.baseline == FIRST_ENGINE else " --baseline " + a.baseline)
    L.append("Measured %s on `%s`, %d run(s) per case (median by wall time), one thread unless stated; "
             "load average %.1f at the start, %.1f at the end (2 cores: above ~1, other jobs share the CPU "
             "and wall times inflate; CPU seconds are then the fairer figure).  " %
             (res["date"], res["machine"], res["repeat"], res["loadavg_start"], res.get("loadavg_end", 0)))
    L.append("Command: `%s`\n" % cmd)
    L.append("### Reference cities (whole process, loading included)\n")
    hdr = ("| city | flow | citybrain wall s | CPU s | peak MB | veh-updates/s | CityFlow s (stepping only) | "
           "×CityFlow (wall) | ×CityFlow (CPU) | stepping s | ×CityFlow (stepping, like for like) |")
    sep = "|---|---|---|---|---|---|---|---|---|---|---|"
    has_base = any("baseline" in c for c in res["cases"])
    if has_base:
        hdr += " baseline s (same run) | ×baseline |"
        sep += "---|---|"
    L += [hdr, sep]
    for c in res["cases"]:
        cur = c["current"]
        steps = sorted(cur.get("steps_all") or [cur["step_seconds"]])
        step = steps[len(steps) // 2]
        line = "| %s | %s | %.3f | %.3f | %.0f | %.2f M | %.3f | **%.1f×** | %.1f× | %.3f | %.1f× |" % (
            c["dataset"], c["flow"], cur["wall"], cur["cpu"], cur["rss_mb"], cur["veh_updates"] / cur["wall"] / 1e6,
            c["cityflow_s"], c["cityflow_s"] / cur["wall"], c["cityflow_s"] / max(cur["cpu"], 1e-9),
            step, c["cityflow_s"] / max(step, 1e-9))
        if has_base:
            b = c.get("baseline")
            line += " %.3f | %.2f× |" % (b["wall"], b["wall"] / cur["wall"]) if b else " | |"
        L.append(line)
    if res["grids"]:
        L.append("\n### Synthetic grids\n")
        L.append("| grid | citybrain wall s | CPU s | peak MB | veh-updates/s | CityFlow s | CityFlow MB | ×CityFlow (wall) | ×CityFlow (CPU) |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        for g in res["grids"]:
            cur = g["current"]
            L.append("| %s | %.2f | %.2f | %.0f | %.2f M | %.1f | %d | **%.1f×** | %.1f× |" % (
                g["grid"], cur["wall"], cur["cpu"], cur["rss_mb"], cur["veh_updates"] / cur["wall"] / 1e6, g["cityflow_s"],
                g["cityflow_mb"], g["cityflow_s"] / cur["wall"], g["cityflow_s"] / max(cur["cpu"], 1e-9)))
        for g in res["grids"]:
            if "baseline" in g:
                L.append("\n%s against the baseline in the same run: %.2f s vs %.2f s (%.2f×)." % (
                    g["grid"], g["current"]["wall"], g["baseline"]["wall"], g["baseline"]["wall"] / g["current"]["wall"]))
    t = res["threads"]
    if t:
        L.append("\n### Threads (30x30 grid)\n")
        L.append("One and two threads alternate, run by run.  Stepping seconds of every run: 1 thread %s; "
                 "2 threads %s.\n" % (", ".join("%.2f" % x for x in t["one"]["steps_all"]),
                                     ", ".join("%.2f" % x for x in t["two"]["steps_all"])))
        L.append("| threads | whole process s | stepping s | stepping speed-up (medians) | speed-up (best runs) |")
        L.append("|---|---|---|---|---|")
        L.append("| 1 | %.2f | %.2f | 1.00× | 1.00× |" % (t["one"]["wall"], t["one"]["step_seconds"]))
        L.append("| 2 | %.2f | %.2f | **%.2f×** | %.2f× |" % (
            t["two"]["wall"], t["two"]["step_seconds"], t["one"]["step_seconds"] / t["two"]["step_seconds"],
            min(t["one"]["steps_all"]) / min(t["two"]["steps_all"])))
    if res["empty"]:
        L.append("\n### Empty networks (no vehicles), 3600 steps\n")
        L.append("| grid | signals | steps/s | µs per intersection per step | CityFlow steps/s | ×CityFlow |")
        L.append("|---|---|---|---|---|---|")
        for e in res["empty"]:
            cur = e["current"]
            sps = cur["steps"] / max(cur["step_seconds"], 1e-9)
            L.append("| %s | %d | %.0f | %.4f | %.1f | %.0f× |" % (
                e["grid"], e["signals"], sps, cur["step_seconds"] / cur["steps"] / e["signals"] * 1e6,
                e["cityflow_steps_per_s"], sps / e["cityflow_steps_per_s"]))
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
