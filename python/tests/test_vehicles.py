"""test_vehicles.py -- per-vehicle getters and setters with CityFlow's
names, arguments and return types, their error paths, push_vehicle, and
lane-change shadows as CityFlow shows them ("<id>_shadow")."""
import pytest

import citybrain
from conftest import flow

RED = [{"time": 1000, "availableRoadLinks": []}]


def test_vehicle_info_is_cityflows_dict_of_strings(city):
    eng = citybrain.Engine(city([flow(0)]))
    with pytest.raises(citybrain.NotFoundError) as exc:
        eng.get_vehicle_info("flow_0_0")               # not created yet
    assert "flow_0_0" in str(exc.value)
    assert isinstance(exc.value, RuntimeError)         # CityFlow raises RuntimeError
    eng.next_step(10)                                  # 25 + 10 * 5 = 75 m along r1
    assert eng.get_vehicle_info("flow_0_0") == {
        "running": "1", "distance": "75.000000", "speed": "10.000000", "drivable": "r1_0",
        "road": "r1", "intersection": "B", "route": "r1 r2 "}
    eng.next_step(23)                                  # 305 m: 15 m into the lane link
    assert eng.get_vehicle_info(vehicle_id="flow_0_0") == {
        "running": "1", "distance": "15.000000", "speed": "10.000000", "drivable": "r1_0_TO_r2_0",
        "route": "r1 r2 "}                             # CityFlow: still from the road it left
    eng.next_step(2)                                   # 325 m: 5 m into r2
    info = eng.get_vehicle_info("flow_0_0")
    assert info["drivable"] == "r2_0" and info["road"] == "r2" and info["intersection"] == "C"
    assert info["route"] == "r2 " and info["distance"] == "15.000000"
    eng.next_step(100)
    with pytest.raises(citybrain.NotFoundError):
        eng.get_vehicle_info("flow_0_0")               # finished
    with pytest.raises(TypeError):
        eng.get_vehicle_info(7)
    with pytest.raises(TypeError):
        eng.get_vehicle_info()


def test_vehicle_info_of_a_queued_vehicle(city):
    eng = citybrain.Engine(city([flow(0), flow(0)]))
    eng.next_step()
    assert eng.get_vehicle_info("flow_1_0") == {"running": "0"}


def test_leader(city):
    eng = citybrain.Engine(city([flow(0, 10, interval=10)]))
    eng.next_step(15)
    assert eng.get_leader("flow_0_1") == "flow_0_0"
    assert eng.get_leader(vehicle_id="flow_0_0") == ""
    with pytest.raises(citybrain.NotFoundError):
        eng.get_leader("nobody")
    with pytest.raises(TypeError):
        eng.get_leader(None)


def test_speed_and_distance_dicts_list_running_vehicles(city):
    eng = citybrain.Engine(city([flow(0), flow(0)]))
    eng.next_step(3)                       # flow_1_0 still waits to enter
    assert eng.get_vehicle_speed() == {"flow_0_0": 6.0}
    assert eng.get_vehicle_distance() == {"flow_0_0": 9.0}


def test_set_vehicle_speed_for_one_step(city):
    # at 10 m/s, asked for 5: it brakes at most maxNegAcc (4.5 m/s^2) in a
    # step, so 5.5, then speeds up at 2 m/s^2 back to 10
    eng = citybrain.Engine(city([flow(0), flow(0)]))
    eng.next_step(10)
    eng.set_vehicle_speed("flow_0_0", 5.0)
    eng.next_step()
    assert eng.get_vehicle_speed()["flow_0_0"] == 5.5
    eng.next_step()
    assert eng.get_vehicle_speed()["flow_0_0"] == 7.5
    eng.set_vehicle_speed(vehicle_id="flow_0_0", speed=0.0)
    eng.next_step()
    assert eng.get_vehicle_speed()["flow_0_0"] == 3.0
    with pytest.raises(citybrain.NotFoundError):
        eng.set_vehicle_speed("nobody", 1.0)
    with pytest.raises(citybrain.InvalidArgumentError):
        eng.set_vehicle_speed("flow_0_0", -1.0)
    with pytest.raises(TypeError):
        eng.set_vehicle_speed("flow_0_0", "fast")


def test_set_vehicle_speed_of_a_queued_vehicle_is_a_state_error(city):
    eng = citybrain.Engine(city([flow(0), flow(0)]))
    eng.next_step()
    with pytest.raises(citybrain.StateError):
        eng.set_vehicle_speed("flow_1_0", 3.0)


def test_set_vehicle_route_answers_like_cityflow(city):
    eng = citybrain.Engine(city([flow(0)]))
    eng.next_step(10)
    assert eng.set_vehicle_route("flow_0_0", ["r2"]) is True
    assert eng.get_vehicle_info("flow_0_0")["route"] == "r1 r2 "
    assert eng.set_vehicle_route("flow_0_0", ["r1"]) is False     # would not leave r1
    assert eng.set_vehicle_route("flow_0_0", ["r9"]) is False     # unknown road
    assert eng.set_vehicle_route("nobody", ["r2"]) is False       # unknown vehicle
    assert eng.set_vehicle_route(vehicle_id="flow_0_0", route=[]) is False
    with pytest.raises(citybrain.NotFoundError):
        eng.set_vehicle_route("flow_0_0", ["r9"], strict=True)
    with pytest.raises(citybrain.NotFoundError):
        eng.set_vehicle_route("nobody", ["r2"], strict=True)
    with pytest.raises(citybrain.InvalidArgumentError) as exc:
        eng.set_vehicle_route("flow_0_0", ["r1"], strict=True)
    assert "r1" in str(exc.value)
    with pytest.raises(TypeError):
        eng.set_vehicle_route("flow_0_0", "r2")        # a str is not a list of roads
    with pytest.raises(TypeError):
        eng.set_vehicle_route("flow_0_0", [2])
    eng.next_step(23)                                  # on the lane link now
    assert eng.set_vehicle_route("flow_0_0", ["r2"]) is False
    with pytest.raises(citybrain.StateError):
        eng.set_vehicle_route("flow_0_0", ["r2"], strict=True)


def test_set_vehicle_route_replans_through_the_anchor(jinan):
    eng = citybrain.Engine(jinan(lane_change=False))
    eng.next_step(200)
    lanes = eng.get_lane_vehicles()
    done = 0
    for lane, vehicles in lanes.items():
        for v in vehicles:
            info = eng.get_vehicle_info(v)
            route = info["route"].split()
            if len(route) < 4:
                continue
            target = route[-1]
            if not eng.set_vehicle_route(v, [target]):
                continue
            new = eng.get_vehicle_info(v)["route"].split()
            assert new[0] == info["road"] and new[-1] == target
            for a, b in zip(new, new[1:]):     # a connected path of roads
                assert eng.get_road_info(a)["to"] == eng.get_road_info(b)["from"]
            done += 1
    assert done > 10


def test_push_vehicle(city):
    eng = citybrain.Engine(city([]))
    vid = eng.push_vehicle({"maxSpeed": 5.0}, ["r1", "r2"])
    assert vid == "manually_pushed_0"
    assert eng.get_vehicles(include_waiting=True) == [vid]
    eng.next_step(20)
    assert eng.get_vehicle_speed() == {vid: 5.0}
    assert eng.push_vehicle({}, ["r1", "r2"]) == "manually_pushed_1"
    # defaults are CityFlow's: maxSpeed 16.67 m/s, so the lane's 10 m/s rules,
    # reached at 4.5 m/s^2
    free = citybrain.Engine(city([]))
    other = free.push_vehicle({}, ["r1", "r2"])
    free.next_step(2)
    assert free.get_vehicle_speed() == {other: 9.0}
    free.next_step(2)
    assert free.get_vehicle_speed() == {other: 10.0}
    # "speed" is the speed it enters with
    fast = free.push_vehicle({"speed": 8.0, "maxPosAcc": 1.0, "usualPosAcc": 1.0}, ["r1", "r2"])
    free.next_step()
    assert free.get_vehicle_speed()[fast] == 9.0
    with pytest.raises(citybrain.InvalidArgumentError) as exc:
        eng.push_vehicle({"max_speed": 5.0}, ["r1", "r2"])
    assert "max_speed" in str(exc.value)
    with pytest.raises(citybrain.NotFoundError):
        eng.push_vehicle({}, ["r1", "r7"])
    with pytest.raises(citybrain.InvalidArgumentError):
        eng.push_vehicle({}, ["r1"])                    # a route needs two roads
    with pytest.raises(citybrain.InvalidArgumentError):
        eng.push_vehicle({"length": -1.0}, ["r1", "r2"])
    with pytest.raises(TypeError):
        eng.push_vehicle([("speed", 1.0)], ["r1", "r2"])
    with pytest.raises(TypeError):
        eng.push_vehicle({"speed": "x"}, ["r1", "r2"])
    with pytest.raises(TypeError):
        eng.push_vehicle({}, "r1")
    assert eng.get_vehicles(include_waiting=True) == [vid, "manually_pushed_1"]   # failures added nothing


def test_lane_change_shadows_as_cityflow_shows_them(jinan):
    eng = citybrain.Engine(jinan(lane_change=True))
    shadows = []
    for _ in range(900):
        eng.next_step()
        lanes = eng.get_lane_vehicles()
        shadows = [(lane, v) for lane, vs in lanes.items() for v in vs if v.endswith("_shadow")]
        if shadows:
            break
    assert shadows
    real = eng.get_vehicles()
    every = eng.get_vehicles(include_waiting=True)
    for lane, shadow in shadows:
        base = shadow[:-len("_shadow")]
        assert shadow not in every and base in real            # not a vehicle of its own
        assert shadow not in eng.get_vehicle_speed()
        base_lane = [lane2 for lane2, vs in lanes.items() if base in vs]
        assert len(base_lane) == 1 and base_lane[0] != lane
        assert base_lane[0].rsplit("_", 1)[0] == lane.rsplit("_", 1)[0]   # same road
    # CityFlow's get_vehicle_count counts the shadows as running vehicles
    assert eng.get_vehicle_count() == len(real) + len(shadows)
