"""test_engine.py -- the Engine object: opening (and every way it fails),
stepping, time, per-lane counts, the average travel time, signals, seeds,
reset, close and the context manager.

Expected values are derived by hand from the line city of conftest.py
(A --r1--> B --r2--> C, 290 m lanes, a 20 m lane link, a vehicle that
reaches k^2 m after k <= 5 steps, then 10 m per step)."""
import json
import os
import re

import pytest

import citybrain
from conftest import GREEN, ROOT, flow

RED = [{"time": 1000, "availableRoadLinks": []}]


def test_version_is_the_library_version():
    with open(os.path.join(ROOT, "include", "citybrain.h")) as f:
        version = re.search(r'#define CB_VERSION "([^"]+)"', f.read()).group(1)
    assert citybrain.__version__ == version


def test_exception_classes_are_runtime_errors_like_cityflows():
    for cls in (citybrain.LoadError, citybrain.NotFoundError, citybrain.InvalidArgumentError,
                citybrain.StateError):
        assert issubclass(cls, citybrain.Error)
    assert issubclass(citybrain.Error, RuntimeError)
    assert issubclass(citybrain.NotFoundError, LookupError)
    assert issubclass(citybrain.InvalidArgumentError, ValueError)


# --- opening ----------------------------------------------------------------------------------

def test_missing_config_raises_load_error_naming_the_file(tmp_path):
    path = str(tmp_path / "nope.json")
    with pytest.raises(citybrain.LoadError) as exc:
        citybrain.Engine(path)
    assert path in str(exc.value)
    assert exc.value.status == "CB_EIO" and exc.value.code == -2


def test_malformed_config_names_file_and_line(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"interval": 1.0,\n "seed": 0,\n')
    with pytest.raises(citybrain.LoadError) as exc:
        citybrain.Engine(str(path))
    assert str(path) in str(exc.value)
    assert exc.value.status == "CB_ESYNTAX"


def test_config_missing_a_key_names_the_key(city):
    path = city([flow(0)])
    with open(path) as f:
        config = json.load(f)
    del config["interval"]
    with open(path, "w") as f:
        json.dump(config, f)
    with pytest.raises(citybrain.LoadError) as exc:
        citybrain.Engine(path)
    assert "interval" in str(exc.value) and path in str(exc.value)
    assert exc.value.status == "CB_ESCHEMA"


def test_bad_roadnet_names_the_roadnet_file(city):
    path = city([flow(0)])
    roadnet = os.path.join(os.path.dirname(path), "roadnet.json")
    with open(roadnet) as f:
        net = json.load(f)
    net["roads"][0]["endIntersection"] = "Z"
    with open(roadnet, "w") as f:
        json.dump(net, f)
    with pytest.raises(citybrain.LoadError) as exc:
        citybrain.Engine(path)
    assert "roadnet.json" in str(exc.value) and "Z" in str(exc.value)


def test_flow_with_unknown_road_is_an_error(city):
    path = city([flow(0, route=("r1", "r9"))])
    with pytest.raises(citybrain.Error) as exc:
        citybrain.Engine(path)
    assert "r9" in str(exc.value) and "flow.json" in str(exc.value)


def test_bad_arguments(city):
    path = city([flow(0)])
    with pytest.raises(citybrain.InvalidArgumentError):
        citybrain.Engine(path, thread_num=0)
    with pytest.raises(TypeError):
        citybrain.Engine(42)
    with pytest.raises(TypeError):
        citybrain.Engine(path, 1, 2)            # the options are keyword-only
    with pytest.raises(TypeError):
        citybrain.Engine(path, threads=1)


def test_init_twice_is_refused(city):
    eng = citybrain.Engine(city([flow(0)]))
    with pytest.raises(citybrain.StateError):
        eng.__init__(city([flow(0)]))
    assert eng.get_current_time() == 0.0


def test_a_folder_opens_like_its_config(city):
    path = city([flow(0)])
    eng = citybrain.Engine(os.path.dirname(path))
    eng.next_step(10)
    assert eng.get_vehicle_distance() == {"flow_0_0": 75.0}


def test_keyword_options_override_the_config(city):
    path = city([flow(0)], rl=False, seed=3)
    eng = citybrain.Engine(path, rl_traffic_light=True, lane_change=True, seed=11)
    assert eng.rl_traffic_light and eng.lane_change and eng.seed == 11 and eng.interval == 1.0
    plain = citybrain.Engine(path)
    assert not plain.rl_traffic_light and not plain.lane_change and plain.seed == 3
    assert plain.thread_num == 1


# --- stepping and time ---------------------------------------------------------------------------

def test_next_step_and_time(city):
    eng = citybrain.Engine(city([flow(0)]))
    assert eng.get_current_time() == 0.0
    eng.next_step()
    eng.next_step()
    assert eng.get_current_time() == 2.0
    eng.next_step(3)
    eng.next_step(steps=5)
    assert eng.get_current_time() == 10.0
    eng.next_step(0)
    assert eng.get_current_time() == 10.0
    with pytest.raises(citybrain.InvalidArgumentError):
        eng.next_step(-1)
    with pytest.raises(TypeError):
        eng.next_step("1")
    with pytest.raises(TypeError):
        eng.next_step(1, 2)
    with pytest.raises(TypeError):
        eng.next_step(step=1)


def test_vehicle_count_and_entering_queue(city):
    # two vehicles created at t=0 on a one-lane road: the second waits until
    # the first is more than 5 m + 2.5 m in (9 m after 3 steps), so it
    # enters in the 4th step
    eng = citybrain.Engine(city([flow(0), flow(0)]))
    eng.next_step(3)
    assert eng.get_vehicle_count() == 1
    assert eng.get_vehicles() == ["flow_0_0"]
    assert eng.get_vehicles(include_waiting=True) == ["flow_0_0", "flow_1_0"]
    assert eng.get_vehicles(True) == ["flow_0_0", "flow_1_0"]
    assert eng.get_lane_vehicle_count() == {"r1_0": 1, "r2_0": 0}
    eng.next_step()
    assert eng.get_vehicle_count() == 2
    assert sorted(eng.get_vehicles()) == ["flow_0_0", "flow_1_0"]
    with pytest.raises(TypeError):
        eng.get_vehicles(include_waiting="yes", extra=1)


def test_lane_dicts_under_a_red_light(city):
    # red forever: the vehicle stops before the end of r1 and waits
    eng = citybrain.Engine(city([flow(0)], phases=RED))
    eng.next_step(10)
    assert eng.get_lane_waiting_vehicle_count() == {"r1_0": 0, "r2_0": 0}
    eng.next_step(90)
    assert list(eng.get_lane_vehicle_count()) == ["r1_0", "r2_0"]      # lane order
    assert eng.get_lane_vehicle_count() == {"r1_0": 1, "r2_0": 0}
    assert eng.get_lane_waiting_vehicle_count() == {"r1_0": 1, "r2_0": 0}
    assert eng.get_lane_vehicles() == {"r1_0": ["flow_0_0"], "r2_0": []}
    assert eng.get_vehicle_speed() == {"flow_0_0": 0.0}
    assert 280 < eng.get_vehicle_distance()["flow_0_0"] <= 290


def test_lane_vehicles_front_first(city):
    eng = citybrain.Engine(city([flow(0, 20, interval=10)]))
    eng.next_step(25)
    assert eng.get_lane_vehicles() == {"r1_0": ["flow_0_0", "flow_0_1", "flow_0_2"], "r2_0": []}


def test_average_travel_time(city):
    # created at t=0, the vehicle passes the end of its 600 m route in the
    # 63rd step (25 + 10 * 58 = 605 m), whose start time is 62 s
    eng = citybrain.Engine(city([flow(0)]))
    assert eng.get_average_travel_time() == 0.0
    eng.next_step(40)
    assert eng.get_average_travel_time() == 40.0      # unfinished: now - created
    eng.next_step(60)
    assert eng.get_average_travel_time() == 62.0
    m = eng.get_metrics()
    assert m["finished"] == 1 and m["created"] == 1 and m["running"] == 0
    assert m["engine_att"] == 62.0
    # on r1_0 from t=1 until the step that ends at t=32 (25 + 10 * 27 > 290)
    assert m["published_att"] == 31.0 and m["published_vehicles"] == 1
    assert m["time"] == 100.0 and m["steps"] == 100


# --- signals -----------------------------------------------------------------------------------

def test_set_tl_phase_switches_now(city):
    path = city([flow(0)], phases=GREEN + RED)           # phase 0 green, phase 1 red
    eng = citybrain.Engine(path)
    assert eng.get_tl_phase("B") == 0
    eng.set_tl_phase("B", 1)
    assert eng.get_tl_phase("B") == 1
    eng.next_step(100)
    assert eng.get_lane_waiting_vehicle_count()["r1_0"] == 1
    eng.set_tl_phase(intersection_id="B", phase_id=0)
    eng.next_step(100)
    assert eng.get_metrics()["finished"] == 1


def test_set_tl_phase_errors(city):
    eng = citybrain.Engine(city([flow(0)], phases=GREEN + RED))
    with pytest.raises(citybrain.NotFoundError):
        eng.set_tl_phase("X", 0)
    with pytest.raises(citybrain.InvalidArgumentError) as exc:
        eng.set_tl_phase("B", 2)
    assert "B" in str(exc.value)
    with pytest.raises(citybrain.InvalidArgumentError):
        eng.set_tl_phase("A", 0)                          # virtual: no phases
    with pytest.raises(TypeError):
        eng.set_tl_phase(1, 0)
    with pytest.raises(citybrain.NotFoundError):
        eng.get_tl_phase("X")
    fixed = citybrain.Engine(city([flow(0)], phases=GREEN + RED, rl=False))
    with pytest.raises(citybrain.StateError) as exc:
        fixed.set_tl_phase("B", 1)
    assert "rlTrafficLight" in str(exc.value)


def test_fixed_time_plan_cycles(city):
    eng = citybrain.Engine(city([], phases=[{"time": 3, "availableRoadLinks": [0]},
                                            {"time": 2, "availableRoadLinks": []}], rl=False))
    seen = []
    for _ in range(6):
        seen.append(eng.get_tl_phase("B"))
        eng.next_step()
    assert seen == [0, 0, 0, 1, 1, 0]


# --- seeds and reset ----------------------------------------------------------------------------

def lane_state(eng):
    return eng.get_lane_vehicles(), eng.get_vehicle_speed()


def test_reset_replays_the_same_run(city):
    eng = citybrain.Engine(city([flow(0, 30, interval=3)]))
    eng.next_step(50)
    first = lane_state(eng)
    eng.reset()
    assert eng.get_current_time() == 0.0 and eng.get_vehicle_count() == 0
    assert eng.get_vehicles(include_waiting=True) == []
    eng.next_step(50)
    assert lane_state(eng) == first
    eng.reset(seed=True)
    eng.next_step(50)
    assert lane_state(eng) == first
    with pytest.raises(TypeError):
        eng.reset(1, 2)


def test_random_seed_drives_lane_choice(city):
    # r1 has 4 lanes, all leading on: each vehicle's first lane is drawn
    # from the engine's random generator
    path = city([flow(0, 40, interval=2)], lanes=4)
    a, b, c = citybrain.Engine(path), citybrain.Engine(path), citybrain.Engine(path)
    a.set_random_seed(5)
    b.set_random_seed(seed=5)
    c.set_random_seed(6)
    for e in (a, b, c):
        e.next_step(30)
    assert a.get_lane_vehicles() == b.get_lane_vehicles()
    assert a.get_lane_vehicles() != c.get_lane_vehicles()
    # reset(seed=True) re-seeds with the config's seed; reset() continues the sequence
    d = citybrain.Engine(path)
    d.next_step(30)
    fresh = d.get_lane_vehicles()
    assert len([lane for lane, vs in fresh.items() if vs]) > 1
    d.reset()
    d.next_step(30)
    assert d.get_lane_vehicles() != fresh
    d.reset(seed=True)
    d.next_step(30)
    assert d.get_lane_vehicles() == fresh
    with pytest.raises(TypeError):
        a.set_random_seed("5")
    a.set_random_seed(2 ** 32 + 5)                             # taken modulo 2^32, as CityFlow
    a.reset()
    b.set_random_seed(5)
    b.reset()
    a.next_step(30)
    b.next_step(30)
    assert a.get_lane_vehicles() == b.get_lane_vehicles()


def test_threads_give_identical_runs(jinan):
    path = jinan()
    one, two = citybrain.Engine(path), citybrain.Engine(path, thread_num=2)
    assert two.thread_num == 2
    for _ in range(6):
        one.next_step(100)
        two.next_step(100)
        assert one.get_lane_vehicles() == two.get_lane_vehicles()
    assert one.get_average_travel_time() == two.get_average_travel_time()


# --- close and context manager --------------------------------------------------------------------

def test_close_and_context_manager(city):
    path = city([flow(0)])
    with citybrain.Engine(path, thread_num=2) as eng:
        eng.next_step(5)
        assert not eng.closed
    assert eng.closed
    with pytest.raises(citybrain.StateError) as exc:
        eng.next_step()
    assert "closed" in str(exc.value)
    for call in (eng.get_vehicle_count, eng.get_lane_vehicle_count, eng.get_current_time, eng.snapshot,
                 eng.lane_ids):
        with pytest.raises(citybrain.StateError):
            call()
    eng.close()                                            # idempotent
    with pytest.raises(citybrain.StateError):
        eng.thread_num


def test_uninitialised_engine_raises():
    eng = citybrain.Engine.__new__(citybrain.Engine)
    with pytest.raises(citybrain.StateError):
        eng.next_step()
    eng.close()


def test_busy_engine_refuses_other_threads(jinan):
    # next_step releases the GIL; meanwhile the engine answers StateError
    # instead of racing with itself
    import threading
    eng = citybrain.Engine(jinan())
    seen = []
    for _ in range(50):
        t = threading.Thread(target=eng.next_step, args=(600,))
        t.start()
        while t.is_alive():
            try:
                eng.get_vehicle_count()
            except citybrain.StateError as e:
                seen.append(str(e))
                break
        t.join()
        if seen:
            break
    assert seen and "another thread" in seen[0]
    eng.next_step()                     # usable again afterwards
