#!/usr/bin/python3
"""bench/python_step.py -- stepping a city from Python, and what the Python
layer costs per step.

Issue 8's target: stepping Jinan 3x4 (anon_3_4_jinan_real, 3600 steps of
1 s, built-in signal plans, no lane changing, one thread) from Python with
a get_lane_waiting_vehicle_count() call after every step is at least 10x
faster than CityFlow doing the same.  CityFlow's stepping alone takes
1.202 s on this kind of machine (../shared/reference/cityflow-reference.json,
timing_1thread); its per-step dict call only adds to that, so comparing
with 1.202 s understates our advantage.

Measured, each the median of --repeat runs, loading excluded, as wall
time and as this process's CPU time (one thread: on a shared machine the
CPU time is what an idle machine's wall time would be):
  engine        eng.next_step(3600): one call, the engine alone
  step loop     for _ in range(3600): eng.next_step()
  + dict        ... + eng.get_lane_waiting_vehicle_count()      (CityFlow's API)
  + numpy       ... + eng.get_lane_waiting_vehicle_count_array()
  + numpy out=  ... + eng.get_lane_waiting_vehicle_count_array(buf)  (no allocation)
and the per-step overhead of the Python layer: (step loop - engine) / 3600,
plus the cost of each getter alone (timeit on a loaded state).

Usage: /usr/bin/python3 bench/python_step.py [--repeat 5] [--module DIR] [--json FILE]
Needs: the module built (cmake --build build: build/python), numpy,
../shared/reference for CityFlow's figure.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "examples", "jinan_3x4")         # = ../shared/data/jinan_3x4
REFERENCE = os.path.join(ROOT, "..", "shared", "reference", "cityflow-reference.json")
STEPS = 3600


def cityflow_seconds():
    with open(REFERENCE) as f:
        cases = json.load(f)["cases"]
    case = next(c for c in cases if c["dataset"] == "jinan_3x4" and c["flow"] == "anon_3_4_jinan_real.json")
    return case["timing_1thread"]["wall_s"]


def write_config(folder, flow_file=os.path.join(DATA, "anon_3_4_jinan_real.json"), name="jinan.json"):
    config = {"interval": 1.0, "seed": 0, "dir": "", "roadnetFile": os.path.abspath(os.path.join(DATA, "roadnet_3_4.json")),
              "flowFile": os.path.abspath(flow_file), "rlTrafficLight": False, "laneChange": False,
              "saveReplay": False}
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def timed(citybrain, config, body):
    """(wall s, CPU s of this process, ATT) of body(eng), loading excluded.
    One thread: on a shared, busy machine the CPU time is what the wall
    time would be on an idle one (the reference was measured idle)."""
    eng = citybrain.Engine(config)
    t0, c0 = time.perf_counter(), time.process_time()
    body(eng)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    att = eng.get_average_travel_time()
    eng.close()
    return wall, cpu, att


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--module", default=os.path.join(ROOT, "build", "python"),
                    help="folder holding the built package citybrain/ (default build/python)")
    ap.add_argument("--json", help="also write the figures to this file")
    a = ap.parse_args()
    sys.path.insert(0, a.module)
    import citybrain
    import numpy as np

    if not os.path.isfile(os.path.join(DATA, "anon_3_4_jinan_real.json")):
        sys.exit("python_step: no %s" % DATA)
    tmp = tempfile.mkdtemp(prefix="cb_python_step_")
    config = write_config(tmp)
    buf = np.empty(len(citybrain.Engine(config).lane_ids()), dtype=np.int32)

    def engine_only(eng):
        eng.next_step(STEPS)

    def step_loop(eng):
        step = eng.next_step
        for _ in range(STEPS):
            step()

    def with_dict(eng):
        step, get = eng.next_step, eng.get_lane_waiting_vehicle_count
        for _ in range(STEPS):
            step()
            get()

    def with_numpy(eng):
        step, get = eng.next_step, eng.get_lane_waiting_vehicle_count_array
        for _ in range(STEPS):
            step()
            get()

    def with_out(eng):
        step, get = eng.next_step, eng.get_lane_waiting_vehicle_count_array
        for _ in range(STEPS):
            step()
            get(buf)

    cases = [("engine", engine_only), ("step loop", step_loop), ("+ dict", with_dict), ("+ numpy", with_numpy),
             ("+ numpy out=", with_out)]
    walls = {name: [] for name, _ in cases}
    cpus = {name: [] for name, _ in cases}
    atts = set()
    timed(citybrain, config, with_numpy)          # warm-up: imports numpy, fills caches
    for _ in range(a.repeat):                     # interleaved, so machine load hits all alike
        for name, body in cases:
            wall, cpu, att = timed(citybrain, config, body)
            walls[name].append(wall)
            cpus[name].append(cpu)
            atts.add(round(att, 9))
    med = {name: statistics.median(w) for name, w in walls.items()}
    med_cpu = {name: statistics.median(c) for name, c in cpus.items()}

    # the Python layer alone: on Jinan without traffic a step costs the
    # engine little, so N calls of next_step() minus one next_step(N) is the
    # call, argument and GIL release/re-acquire cost per step
    empty_flow = os.path.join(tmp, "no_traffic.json")
    with open(empty_flow, "w") as f:
        f.write("[]")
    empty = citybrain.Engine(write_config(tmp, empty_flow, "empty.json"))
    n = 20000
    loop_s, bulk_s = [], []
    for _ in range(a.repeat):
        step = empty.next_step
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        loop_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        empty.next_step(n)
        bulk_s.append(time.perf_counter() - t0)
    layer_us = (min(loop_s) - min(bulk_s)) / n * 1e6
    empty_step_us = min(bulk_s) / n * 1e6

    # each getter alone, on the state after 1800 s
    eng = citybrain.Engine(config)
    eng.next_step(1800)
    calls = {}
    for label, stmt in [("get_lane_waiting_vehicle_count()", eng.get_lane_waiting_vehicle_count),
                        ("get_lane_waiting_vehicle_count_array()", eng.get_lane_waiting_vehicle_count_array),
                        ("get_lane_waiting_vehicle_count_array(out)",
                         lambda: eng.get_lane_waiting_vehicle_count_array(buf)),
                        ("get_lane_vehicles()", eng.get_lane_vehicles),
                        ("get_current_time()", eng.get_current_time)]:
        n = 2000
        calls[label] = min(timeit.repeat(stmt, number=n, repeat=5)) / n * 1e6
    lanes = len(eng.lane_ids())

    cf = cityflow_seconds()
    overhead_us = (med["step loop"] - med["engine"]) / STEPS * 1e6
    print("Jinan 3x4, anon_3_4_jinan_real: %d steps, %d lanes, 1 thread, median of %d (python %s, citybrain %s)"
          % (STEPS, lanes, a.repeat, sys.version.split()[0], citybrain.__version__))
    print("load average %.2f %.2f %.2f on %d CPUs" % (os.getloadavg() + (os.cpu_count(),)))
    print("%-16s %9s %12s %9s %12s" % ("case", "wall s", "vs CityFlow", "CPU s", "vs CityFlow"))
    for name, _ in cases:
        print("%-16s %9.3f %11.1fx %9.3f %11.1fx" % (name, med[name], cf / med[name], med_cpu[name],
                                                    cf / med_cpu[name]))
    print("CityFlow stepping alone (reference): %.3f s" % cf)
    print("Python layer per step (step loop - engine): %.2f us" % overhead_us)
    print("Python layer per next_step() call, no traffic: %.3f us (the engine's empty step: %.2f us)"
          % (layer_us, empty_step_us))
    for label, us in calls.items():
        print("  %-44s %8.2f us" % (label, us))
    if len(atts) != 1:
        print("warning: runs disagree on the average travel time: %s" % sorted(atts))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"steps": STEPS, "lanes": lanes, "repeat": a.repeat, "wall_s": med, "cpu_s": med_cpu,
                       "all_wall_s": walls, "all_cpu_s": cpus, "cityflow_wall_s": cf, "loadavg": os.getloadavg(),
                       "speedup_vs_cityflow": {k: cf / v for k, v in med.items()},
                       "python_overhead_us_per_step": overhead_us, "layer_us_per_call": layer_us,
                       "empty_step_us": empty_step_us, "call_us": calls}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
