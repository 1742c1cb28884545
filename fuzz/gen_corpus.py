#!/usr/bin/env python3
"""gen_corpus.py -- writes the seed inputs of fuzz/corpus/ (run from fuzz/).

Files named regress_lc_*.json in corpus/ are not written here: they are
reproducers copied verbatim from fuzzer artifacts (their byte size matters:
the targets turn lane changing on for odd sizes).

Seeds must be small (libFuzzer mutates bytes, and every byte costs time), so
they are written compactly, one object per line.  The grids follow the
conventions of CityFlow's generator (intersection_<col>_<row>, roads
road_<col>_<row>_<dir> with dir 0 east, 1 north, 2 west, 3 south; virtual
intersections around the border), with fewer lanes and phases than the
benchmark cities.  Standard library only.
"""
import json
import os

DX = {0: (1, 0), 1: (0, 1), 2: (-1, 0), 3: (0, -1)}


def dump(path, text):
    with open(path, "w") as f:
        f.write(text)


def compact(v):
    return json.dumps(v, separators=(",", ":"))


def grid(rows, cols, lanes, spacing=300, width=10):
    def inner(i, j):
        return 1 <= i <= cols and 1 <= j <= rows

    inters, roads = {}, []
    for i in range(cols + 2):
        for j in range(rows + 2):
            if (i in (0, cols + 1)) and (j in (0, rows + 1)):
                continue
            inters[(i, j)] = {"id": f"intersection_{i}_{j}", "point": {"x": i * spacing, "y": j * spacing},
                              "virtual": not inner(i, j), "roads": []}
    for (i, j) in inters:
        for d, (dx, dy) in DX.items():
            k = (i + dx, j + dy)
            if k not in inters or not (inner(i, j) or inner(*k)):
                continue
            rid = f"road_{i}_{j}_{d}"
            roads.append({"id": rid, "startIntersection": inters[(i, j)]["id"],
                          "endIntersection": inters[k]["id"],
                          "points": [inters[(i, j)]["point"], inters[k]["point"]],
                          "lanes": [{"width": 3, "maxSpeed": 16.67}] * lanes})
            inters[(i, j)]["roads"].append(rid)
            inters[k]["roads"].append(rid)
    road_of = {(r["startIntersection"], r["endIntersection"]): r["id"] for r in roads}
    for (i, j), it in inters.items():
        if it["virtual"]:
            continue
        it["width"] = width
        links = []
        for d_in, (dx, dy) in DX.items():
            src = inters.get((i - dx, j - dy))
            if not src:
                continue
            start = road_of[(src["id"], it["id"])]
            for turn, d_out in (("turn_left", (d_in + 1) % 4), ("go_straight", d_in), ("turn_right", (d_in + 3) % 4)):
                ox, oy = DX[d_out]
                dst = inters.get((i + ox, j + oy))
                if not dst:
                    continue
                lane = {"turn_left": 0, "go_straight": 1, "turn_right": 2}[turn] if lanes == 3 else 0
                links.append({"type": turn, "startRoad": start, "endRoad": road_of[(it["id"], dst["id"])],
                              "laneLinks": [{"startLaneIndex": lane, "endLaneIndex": e} for e in range(lanes)],
                              "_d": d_in})
        right = [k for k, l in enumerate(links) if l["type"] == "turn_right"]
        def pick(types, dirs):
            return [k for k, l in enumerate(links) if l["type"] in types and l["_d"] in dirs] + right
        phases = [(5, right), (30, pick({"go_straight"}, {0, 2})), (30, pick({"go_straight"}, {1, 3})),
                  (30, pick({"turn_left"}, {0, 2})), (30, pick({"turn_left"}, {1, 3}))]
        for l in links:
            del l["_d"]
        it["roadLinks"] = links
        it["trafficLight"] = {"lightphases": [{"time": t, "availableRoadLinks": sorted(set(p))} for t, p in phases]}
    return layout(list(inters.values()), roads)


def layout(inters, roads):
    lines = ["{\"intersections\":["]
    lines.append(",\n".join(compact(v) for v in inters))
    lines.append("],\"roads\":[")
    lines.append(",\n".join(compact(r) for r in roads))
    lines.append("]}\n")
    return "\n".join(lines)


VEHICLE = {"length": 5.0, "width": 2.0, "maxPosAcc": 2.0, "maxNegAcc": 4.5, "usualPosAcc": 2.0,
           "usualNegAcc": 4.5, "minGap": 2.5, "maxSpeed": 11.111, "headwayTime": 2}


def flows(items):
    return "[\n" + ",\n".join(compact(f) for f in items) + "\n]\n"


def main():
    g11 = grid(1, 1, 3)
    dump("corpus/roadnet/grid_1x1.json", g11)
    dump("corpus/roadnet/grid_2x2_1lane.json", grid(2, 2, 1))
    dump("corpus/roadnet/grid_1x2_2lane.json", grid(1, 2, 2, spacing=120, width=25))
    # near-valid: a dangling road id, a lane index out of range, no phases
    dump("corpus/roadnet/bad_dangling.json", g11.replace('"endRoad":"road_1_1_0"', '"endRoad":"road_9_9_9"', 1))
    dump("corpus/roadnet/bad_lane.json", g11.replace('"endLaneIndex":2', '"endLaneIndex":3', 1))
    dump("corpus/roadnet/bad_phases.json", g11.replace('"lightphases":[', '"lightphases":[],"x":[', 1))
    # regressions: findings of the sanitizers and the fuzzers (see git log)
    dump("corpus/roadnet/regress_wide_intersection.json", g11.replace('"width":10', '"width":400', 1))
    dump("corpus/roadnet/regress_huge_coordinate.json", g11.replace('"point":{"x":0,"y":300}', '"point":{"x":1.7e308,"y":300}', 1))
    net = json.loads(grid(1, 1, 1))          # one lane link in all: no conflict point
    for it in net["intersections"]:
        if not it["virtual"]:
            it["roadLinks"] = it["roadLinks"][:1]
            it["trafficLight"] = {"lightphases": [{"time": 30, "availableRoadLinks": [0]}]}
    dump("corpus/roadnet/regress_no_crosses.json", layout(net["intersections"], net["roads"]))

    dump("corpus/flow/straight.json", flows([
        {"vehicle": VEHICLE, "route": ["road_0_1_0", "road_1_1_0"], "interval": 5.0, "startTime": 0, "endTime": 60},
        {"vehicle": VEHICLE, "route": ["road_1_0_1", "road_1_1_1"], "interval": 7}]))
    dump("corpus/flow/turns.json", flows([
        {"vehicle": VEHICLE, "route": ["road_0_1_0", "road_1_1_1"], "interval": 3, "startTime": 2, "endTime": 2},
        {"vehicle": dict(VEHICLE, maxSpeed=20, minGap=0, headwayTime=0), "route": ["road_2_1_2", "road_1_1_3"],
         "interval": 0.5, "startTime": 4, "endTime": 4},
        {"vehicle": dict(VEHICLE, length=12, usualNegAcc=1.5), "route": ["road_1_2_3", "road_1_1_2"],
         "interval": 1}]))
    dump("corpus/flow/bad_route.json", flows([
        {"vehicle": VEHICLE, "route": ["road_0_1_0", "road_1_1_2"], "interval": 5}]))
    dump("corpus/flow/bad_types.json", flows([
        {"vehicle": dict(VEHICLE, maxSpeed="fast"), "route": ["road_0_1_0"], "interval": 5, "startTime": 0.0}]))
    dump("corpus/flow/empty.json", "[]\n")

    cfg = {"interval": 1.0, "seed": 0, "dir": "data/", "roadnetFile": "roadnet.json", "flowFile": "flow.json",
           "rlTrafficLight": False, "laneChange": False, "saveReplay": False}
    dump("corpus/config/basic.json", json.dumps(cfg, indent=1) + "\n")
    dump("corpus/config/replay.json", compact(dict(cfg, saveReplay=True, dir="/tmp/x/", interval=0.5,
                                                   roadnetLogFile="rn.json", replayLogFile="replay.txt")) + "\n")
    dump("corpus/config/bad_seed.json", compact(dict(cfg, seed=0.0, rlTrafficLight=1)) + "\n")


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    main()
