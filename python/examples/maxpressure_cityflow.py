"""maxpressure_cityflow.py -- MaxPressure signal control written for
CityFlow's Python API, run on citybrain by changing the import only.

The controller is the research papers' MaxPressure setting, protocol
"maxpressure_15s" of ../shared/docs/control-protocol.md: every 15 s each
intersection picks, among its first four green phases, the one of highest
pressure (waiting vehicles on a movement's start lanes minus those on all
lanes of its end road, summed over the phase's non-right-turn movements;
ties to the lowest phase); a change of green is preceded by 5 s of the
yellow phase (the first phase made only of right turns).  It also measures
the average travel time the papers publish, exactly as their code does it,
from get_lane_vehicles() after every step.

Everything below the import uses CityFlow's Engine methods and parses
roadnet.json itself, as CityFlow users do; with CityFlow installed,
`import cityflow` instead runs the same script on CityFlow.

    usage: maxpressure_cityflow.py CONFIG.json [--steps 3600] [--interval 15] [--yellow 5]

The config must say "rlTrafficLight": true.  Prints one JSON object.
"""
import argparse
import json
import os
import sys

import citybrain as cityflow    # the one line that differs from the CityFlow script: `import cityflow`


def load_roadnet(config_file):
    """The intersections as the controller needs them, from the roadnet file
    named by the config (CityFlow's rule: "dir" + "roadnetFile")."""
    with open(config_file) as f:
        config = json.load(f)
    path = config["dir"] + config["roadnetFile"]
    if not os.path.isabs(path) and not os.path.exists(path):
        path = os.path.join(os.path.dirname(os.path.abspath(config_file)), path)
    with open(path) as f:
        roadnet = json.load(f)
    lanes_of = {r["id"]: ["%s_%d" % (r["id"], k) for k in range(len(r["lanes"]))] for r in roadnet["roads"]}
    intersections = []
    for inter in roadnet["intersections"]:
        if inter["virtual"]:
            continue
        phases = [ph["availableRoadLinks"] for ph in inter["trafficLight"]["lightphases"]]
        links = inter["roadLinks"]
        if len(phases) < 2:
            continue
        movements = []
        for link in links:
            start = sorted({"%s_%d" % (link["startRoad"], ll["startLaneIndex"]) for ll in link["laneLinks"]})
            movements.append({"right": link["type"] == "turn_right", "start_lanes": start,
                              "end_lanes": lanes_of[link["endRoad"]]})
        yellow = next((p for p, avail in enumerate(phases) if all(links[k]["type"] == "turn_right" for k in avail)),
                      None)
        greens = [p for p in range(len(phases)) if p != yellow][:4]
        incoming = sorted({lane for link in links for lane in lanes_of[link["startRoad"]]})
        intersections.append({"id": inter["id"], "phases": phases, "movements": movements, "yellow": yellow,
                              "greens": greens, "incoming": incoming})
    return intersections


def pressure(inter, phase, waiting):
    total = 0
    for k in inter["phases"][phase]:
        m = inter["movements"][k]
        if m["right"]:
            continue
        total += sum(waiting[lane] for lane in m["start_lanes"]) - sum(waiting[lane] for lane in m["end_lanes"])
    return total


class PublishedATT:
    """The travel time of the papers' code (CoLight, Advanced-XLight,
    LLMLight...): per intersection, a vehicle's first appearance on its
    incoming lanes and its last departure from them; per vehicle the sum
    over intersections; the mean over vehicles with a completed pair."""

    def __init__(self, intersections):
        self.incoming = [inter["incoming"] for inter in intersections]
        self.previous = [set() for _ in intersections]
        self.times = [{} for _ in intersections]      # vehicle -> [enter, leave]

    def update(self, lane_vehicles, now):
        for i, lanes in enumerate(self.incoming):
            current = set()
            for lane in lanes:
                current.update(lane_vehicles[lane])
            for v in current - self.previous[i]:
                if v not in self.times[i]:
                    self.times[i][v] = [now, None]
            for v in self.previous[i] - current:
                self.times[i][v][1] = now
            self.previous[i] = current

    def value(self):
        per_vehicle = {}
        for times in self.times:
            for v, (enter, leave) in times.items():
                if leave is not None:
                    per_vehicle[v] = per_vehicle.get(v, 0.0) + leave - enter
        if not per_vehicle:
            return 0.0, 0
        return sum(per_vehicle.values()) / len(per_vehicle), len(per_vehicle)


def run(config_file, steps=3600, interval=15, yellow=5, thread_num=1):
    intersections = load_roadnet(config_file)
    eng = cityflow.Engine(config_file, thread_num=thread_num)
    att = PublishedATT(intersections)
    current = {}                 # intersection -> green showing (or coming after the yellow)
    pending = {}                 # step -> [(intersection, green)] to show after the yellow
    switches = 0
    for step in range(steps):
        if step % interval == 0:
            waiting = eng.get_lane_waiting_vehicle_count()
            for inter in intersections:
                scores = [pressure(inter, p, waiting) for p in inter["greens"]]
                pick = inter["greens"][scores.index(max(scores))]       # ties: the lowest phase
                if inter["id"] not in current:
                    eng.set_tl_phase(inter["id"], pick)
                elif pick != current[inter["id"]]:
                    if inter["yellow"] is None or yellow == 0:
                        eng.set_tl_phase(inter["id"], pick)
                    else:
                        eng.set_tl_phase(inter["id"], inter["yellow"])
                        pending.setdefault(step + yellow, []).append((inter["id"], pick))
                    switches += 1
                current[inter["id"]] = pick
        for inter_id, green in pending.pop(step, []):
            eng.set_tl_phase(inter_id, green)
        eng.next_step()
        att.update(eng.get_lane_vehicles(), eng.get_current_time())
    published, vehicles = att.value()
    return {"engine_att": eng.get_average_travel_time(), "published_att": published,
            "published_vehicles": vehicles, "time": eng.get_current_time(),
            "running": eng.get_vehicle_count(), "switches": switches}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("config")
    ap.add_argument("--steps", type=int, default=3600)
    ap.add_argument("--interval", type=int, default=15, help="steps between decisions")
    ap.add_argument("--yellow", type=int, default=5, help="steps of yellow before a new green")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    print(json.dumps(run(a.config, a.steps, a.interval, a.yellow, a.threads)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
