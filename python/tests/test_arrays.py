"""test_arrays.py -- beyond CityFlow: the numpy per-lane getters in the
stable order of lane_ids(), and the network structure (ids, roads,
intersections with their movements and phases)."""
import array

import numpy as np
import pytest

import citybrain
from conftest import GREEN, flow

RED = [{"time": 1000, "availableRoadLinks": []}]


def test_arrays_match_the_dicts_in_lane_order(jinan):
    eng = citybrain.Engine(jinan())
    lanes = eng.lane_ids()
    assert isinstance(lanes, tuple) and len(lanes) == len(set(lanes))
    assert lanes is eng.lane_ids()                          # built once
    for _ in range(5):
        eng.next_step(200)
        counts = eng.get_lane_vehicle_count_array()
        waiting = eng.get_lane_waiting_vehicle_count_array()
        assert counts.dtype == np.int32 and counts.shape == (len(lanes),)
        assert waiting.dtype == np.int32 and waiting.shape == (len(lanes),)
        assert list(eng.get_lane_vehicle_count()) == list(lanes)
        assert counts.tolist() == list(eng.get_lane_vehicle_count().values())
        assert waiting.tolist() == list(eng.get_lane_waiting_vehicle_count().values())
        assert counts.tolist() == [len(v) for v in eng.get_lane_vehicles().values()]
    assert counts.sum() > 100 and waiting.sum() > 10
    assert (waiting <= counts).all()


def test_out_buffers(city):
    eng = citybrain.Engine(city([flow(0)], phases=RED))
    eng.next_step(100)                                      # stopped on r1
    out = np.full(2, -1, dtype=np.int32)
    assert eng.get_lane_waiting_vehicle_count_array(out) is out
    assert out.tolist() == [1, 0]
    u = np.zeros(2, dtype=np.uint32)
    eng.get_lane_vehicle_count_array(out=u)
    assert u.tolist() == [1, 0]
    a = array.array("i", [9, 9])                            # any int32 buffer, no numpy needed
    eng.get_lane_vehicle_count_array(a)
    assert a.tolist() == [1, 0]
    with pytest.raises(citybrain.InvalidArgumentError):
        eng.get_lane_vehicle_count_array(np.zeros(2, dtype=np.float64))
    with pytest.raises(citybrain.InvalidArgumentError):
        eng.get_lane_vehicle_count_array(np.zeros(3, dtype=np.int32))
    with pytest.raises(citybrain.InvalidArgumentError):
        eng.get_lane_vehicle_count_array(np.zeros(2, dtype=np.int64))
    with pytest.raises((TypeError, BufferError)):
        eng.get_lane_vehicle_count_array(bytes(8))          # read-only
    with pytest.raises(TypeError):
        eng.get_lane_vehicle_count_array(5)
    with pytest.raises((TypeError, ValueError, BufferError)):
        eng.get_lane_vehicle_count_array(np.zeros(4, dtype=np.int32)[::2])   # not contiguous


def test_ids_and_structure(city):
    eng = citybrain.Engine(city([flow(0)], phases=GREEN + RED))
    assert eng.lane_ids() == ("r1_0", "r2_0")
    assert eng.road_ids() == ("r1", "r2")
    assert eng.intersection_ids() == ("A", "B", "C")
    assert eng.intersection_ids(signalized_only=True) == ("B",)
    assert eng.get_road_info("r1") == {"id": "r1", "from": "A", "to": "B", "lanes": ("r1_0",), "length": 290.0}
    assert eng.get_road_info(road_id="r2")["to"] == "C"
    assert eng.get_intersection_info("B") == {
        "id": "B", "virtual": False, "phase": 0, "roads_in": ["r1"], "roads_out": ["r2"],
        "movements": [{"type": "go_straight", "start_road": "r1", "end_road": "r2",
                       "lane_links": [("r1_0", "r2_0")]}],
        "phases": [{"time": 1000.0, "movements": [0]}, {"time": 1000.0, "movements": []}]}
    eng.set_tl_phase("B", 1)
    assert eng.get_intersection_info(intersection_id="B")["phase"] == 1
    a = eng.get_intersection_info("A")
    assert a["virtual"] and a["movements"] == [] and a["phases"] == [] and a["roads_out"] == ["r1"]
    with pytest.raises(citybrain.NotFoundError):
        eng.get_intersection_info("Z")
    with pytest.raises(citybrain.NotFoundError):
        eng.get_road_info("r3")
    with pytest.raises(TypeError):
        eng.get_road_info(1)


def test_jinan_structure_follows_the_dataset_conventions(jinan):
    eng = citybrain.Engine(jinan())
    signals = eng.intersection_ids(signalized_only=True)
    assert len(signals) == 12
    for inter in signals:
        info = eng.get_intersection_info(inter)
        assert len(info["movements"]) == 12 and len(info["phases"]) == 9
        types = [m["type"] for m in info["movements"]]
        # phase 0 (5 s) holds right turns only; every phase holds all right turns
        assert info["phases"][0]["time"] == 5.0
        assert all(types[k] == "turn_right" for k in info["phases"][0]["movements"])
        rights = {k for k, t in enumerate(types) if t == "turn_right"}
        assert all(rights <= set(ph["movements"]) for ph in info["phases"])
        for m in info["movements"]:
            assert len(m["lane_links"]) == 3
            assert {start for start, end in m["lane_links"]} <= set(eng.get_road_info(m["start_road"])["lanes"])
