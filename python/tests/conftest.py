"""conftest.py -- fixtures of the Python tests: tiny cities written to a
temporary folder (answers derivable by hand), the benchmark data of
../shared/data when present, and the citybrain CLI for comparisons.

Environment (set by ctest, tests/CMakeLists.txt): CB_SHARED_DATA,
CB_SHARED_REFERENCE, CB_BINARY.  Tests needing data or the CLI skip with
the reason when they are absent."""
import json
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
DATA = os.environ.get("CB_SHARED_DATA", os.path.join(SHARED, "data"))
REFERENCE = os.environ.get("CB_SHARED_REFERENCE", os.path.join(SHARED, "reference"))
CLI = os.environ.get("CB_BINARY", os.path.join(ROOT, "build", "citybrain"))

# The test vehicle: accelerates at 2 m/s^2 up to 10 m/s, so after k steps
# of 1 s it is at k^2 m (k <= 5), then 25 + 10 (k - 5) m.
VEH = {"length": 5, "width": 2, "maxPosAcc": 2, "maxNegAcc": 4.5, "usualPosAcc": 2, "usualNegAcc": 4.5,
       "minGap": 2.5, "maxSpeed": 10, "headwayTime": 2}
GREEN = [{"time": 1000, "availableRoadLinks": [0]}]


def line_roadnet(phases, lanes=1):
    """A --r1--> B --r2--> C: one lane per road, 300 m apart, B signalized
    (10 m wide box), A and C virtual.  Lanes r1_0 and r2_0 are 290 m long;
    the lane link r1_0_TO_r2_0 through B is 20 m.  lanes > 1 gives r1 that
    many lanes, all leading to r2_0 (so a vehicle's first lane is random)."""
    return {
        "intersections": [
            {"id": "A", "point": {"x": -300, "y": 0}, "virtual": True, "roads": ["r1"]},
            {"id": "B", "point": {"x": 0, "y": 0}, "virtual": False, "width": 10, "roads": ["r1", "r2"],
             "roadLinks": [{"type": "go_straight", "startRoad": "r1", "endRoad": "r2",
                            "laneLinks": [{"startLaneIndex": k, "endLaneIndex": 0} for k in range(lanes)]}],
             "trafficLight": {"lightphases": phases}},
            {"id": "C", "point": {"x": 300, "y": 0}, "virtual": True, "roads": ["r2"]}],
        "roads": [
            {"id": "r1", "startIntersection": "A", "endIntersection": "B",
             "points": [{"x": -300, "y": 0}, {"x": 0, "y": 0}], "lanes": [{"width": 4, "maxSpeed": 10}] * lanes},
            {"id": "r2", "startIntersection": "B", "endIntersection": "C",
             "points": [{"x": 0, "y": 0}, {"x": 300, "y": 0}], "lanes": [{"width": 4, "maxSpeed": 10}]}]}


def flow(start, end=None, interval=1, route=("r1", "r2")):
    return {"vehicle": dict(VEH), "route": list(route), "interval": interval, "startTime": start,
            "endTime": start if end is None else end}


def write_city(folder, flows, phases=GREEN, rl=True, replay=False, lane_change=False, seed=0, dir_prefix=None,
               lanes=1):
    """Write roadnet.json, flow.json and config.json into folder; return
    the config path.  dir_prefix: the config's "dir" (default: the folder)."""
    folder = str(folder)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "roadnet.json"), "w") as f:
        json.dump(line_roadnet(phases, lanes), f)
    with open(os.path.join(folder, "flow.json"), "w") as f:
        json.dump(flows, f)
    config = {"interval": 1.0, "seed": seed, "dir": folder + "/" if dir_prefix is None else dir_prefix,
              "roadnetFile": "roadnet.json", "flowFile": "flow.json", "rlTrafficLight": rl,
              "laneChange": lane_change, "saveReplay": replay}
    if replay:
        config["roadnetLogFile"] = "roadnet_log.json"
        config["replayLogFile"] = "replay.txt"
    path = os.path.join(folder, "config.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


@pytest.fixture
def city(tmp_path):
    """A function making a line city in a fresh folder: city(flows, **kw) -> config path."""
    count = [0]

    def make(flows, **kw):
        count[0] += 1
        return write_city(tmp_path / ("city%d" % count[0]), flows, **kw)
    return make


def jinan_config(folder, flow_file="anon_3_4_jinan_real.json", rl=True, lane_change=True):
    """A CityFlow config for Jinan 3x4 in folder (the data stay where they
    are: the copy bundled in examples/, else ../shared/data)."""
    src = os.path.join(ROOT, "examples", "jinan_3x4")
    if not os.path.isfile(os.path.join(src, flow_file)):
        src = os.path.join(DATA, "jinan_3x4")
    if not os.path.isfile(os.path.join(src, flow_file)):
        pytest.skip("no jinan_3x4/%s in examples/ or %s" % (flow_file, DATA))
    config = {"interval": 1.0, "seed": 0, "dir": os.path.abspath(src) + "/", "roadnetFile": "roadnet_3_4.json",
              "flowFile": flow_file, "rlTrafficLight": rl, "laneChange": lane_change, "saveReplay": False}
    path = os.path.join(str(folder), "jinan.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


@pytest.fixture
def jinan(tmp_path):
    return lambda **kw: jinan_config(tmp_path, **kw)
