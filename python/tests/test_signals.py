"""test_signals.py -- citybrain.SignalLayer, the C library's signal safety
layer driven from Python: greens requested, shown safely by next_step()
(first green at once, minimum green, full yellow, all-red), restarted by
reset/load, and its errors."""
import pytest

import citybrain
from conftest import flow

YELLOW = {"time": 5, "availableRoadLinks": []}
GO = {"time": 30, "availableRoadLinks": [0]}
GO2 = {"time": 30, "availableRoadLinks": [0]}


def timeline(eng, layer, requests, steps):
    """Phases shown in each step, with requests {step: phase} made before it."""
    shown = []
    for t in range(steps):
        if t in requests:
            layer.request("B", requests[t])
        eng.next_step()
        shown.append(eng.get_tl_phase("B"))
    return shown


def test_first_green_at_once_then_full_yellow(city):
    eng = citybrain.Engine(city([flow(0)], phases=[YELLOW, GO, GO2]))
    layer = citybrain.SignalLayer(eng)
    assert layer.site_ids() == ("B",) and layer.engine is eng and not layer.closed
    assert layer.candidates("B") == (1, 2) and layer.yellow_phase("B") == 0
    assert layer.status("B") == {"state": "start", "phase": -1, "green": -1, "pending": -1, "state_time": 0.0}
    shown = timeline(eng, layer, {0: 1, 15: 2, 30: 2}, 40)
    assert shown == [1] * 15 + [0] * 5 + [2] * 20
    assert layer.status("B") == {"state": "green", "phase": 2, "green": 2, "pending": -1, "state_time": 20.0}


def test_minimum_green_and_all_red(city):
    eng = citybrain.Engine(city([flow(0)], phases=[YELLOW, GO, GO2]))
    layer = citybrain.SignalLayer(eng, min_green=8, yellow=3, all_red=2)
    # asked at t=2, the change waits for 8 s of green, then 3 s yellow and
    # 2 s all-red (shown as the yellow phase: no phase here lets nothing go)
    shown = timeline(eng, layer, {0: 1, 2: 2}, 20)
    assert shown == [1] * 8 + [0] * 5 + [2] * 7
    eng.next_step()
    status = layer.status("B")
    assert status["state"] == "green" and status["green"] == 2


def test_layer_owns_the_phases(city):
    eng = citybrain.Engine(city([flow(0)], phases=[YELLOW, GO, GO2]))
    layer = citybrain.SignalLayer(eng)
    with pytest.raises(citybrain.StateError):
        eng.set_tl_phase("B", 1)
    with pytest.raises(citybrain.StateError):
        citybrain.SignalLayer(eng)                     # one layer per engine
    layer.close()
    assert layer.closed and layer.engine is None
    eng.set_tl_phase("B", 1)                           # the engine's own again
    with pytest.raises(citybrain.StateError):
        layer.request("B", 1)
    again = citybrain.SignalLayer(eng)
    eng.close()                                        # closes its layer first
    assert again.closed
    with pytest.raises(citybrain.StateError):
        again.site_ids()


def test_reset_and_load_restart_the_layer(city):
    eng = citybrain.Engine(city([flow(0, 50, interval=5)], phases=[YELLOW, GO, GO2]))
    layer = citybrain.SignalLayer(eng)
    archive = eng.snapshot()
    first = timeline(eng, layer, {0: 1, 15: 2}, 30)
    lanes = eng.get_lane_vehicles()
    eng.reset()
    assert layer.status("B")["state"] == "start"
    assert timeline(eng, layer, {0: 1, 15: 2}, 30) == first
    assert eng.get_lane_vehicles() == lanes
    eng.load(archive)
    assert layer.status("B")["state"] == "start"
    assert timeline(eng, layer, {0: 1, 15: 2}, 30) == first


def test_layer_errors(city):
    with pytest.raises(citybrain.StateError) as exc:     # the engine runs its own plans
        citybrain.SignalLayer(citybrain.Engine(city([flow(0)], phases=[YELLOW, GO], rl=False)))
    assert "fixed-time" in str(exc.value)
    eng = citybrain.Engine(city([flow(0)], phases=[YELLOW, GO, GO2]))
    with pytest.raises(citybrain.InvalidArgumentError):
        citybrain.SignalLayer(eng, min_green=-1)
    with pytest.raises(citybrain.InvalidArgumentError):
        citybrain.SignalLayer(eng, phases="some")
    with pytest.raises(TypeError):
        citybrain.SignalLayer("engine")
    with pytest.raises(TypeError):
        citybrain.SignalLayer(eng, 5)                   # timings are keyword-only
    layer = citybrain.SignalLayer(eng)
    with pytest.raises(citybrain.InvalidArgumentError) as exc:
        layer.request("B", 0)                           # the yellow is not a green
    assert "B" in str(exc.value)
    with pytest.raises(citybrain.InvalidArgumentError):
        layer.request("B", 7)
    with pytest.raises(citybrain.NotFoundError):
        layer.request("A", 1)                           # virtual: no signal
    with pytest.raises(citybrain.NotFoundError):
        layer.status("Z")
    assert layer.status("B")["state"] == "start"        # refused requests change nothing
    no_yellow = citybrain.Engine(city([flow(0)], phases=[GO, GO2]))
    with pytest.raises(citybrain.Error) as exc:          # nothing to clear with
        citybrain.SignalLayer(no_yellow)
    assert "clearance" in str(exc.value)


def test_jinan_phase_sets(jinan):
    eng = citybrain.Engine(jinan())
    papers = citybrain.SignalLayer(eng)
    assert len(papers.site_ids()) == 12
    assert all(papers.candidates(s) == (1, 2, 3, 4) and papers.yellow_phase(s) == 0 for s in papers.site_ids())
    papers.close()
    every = citybrain.SignalLayer(eng, phases="all")
    assert all(every.candidates(s) == (1, 2, 3, 4, 5, 6, 7, 8) for s in every.site_ids())
