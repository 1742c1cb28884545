"""test_state.py -- saved states (snapshot/load, Archive and its files,
save_to_file/load_from_file) and the replay switches (set_replay_file,
set_save_replay) with CityFlow's "works only when saveReplay is true"."""
import os

import pytest

import citybrain
from conftest import GREEN, flow

RED = [{"time": 1000, "availableRoadLinks": []}]


def state(eng):
    return (eng.get_current_time(), eng.get_lane_vehicles(), eng.get_vehicle_speed(),
            eng.get_vehicle_distance(), eng.get_average_travel_time())


def test_snapshot_and_load_resume_exactly(city):
    eng = citybrain.Engine(city([flow(0, 100, interval=4)]))
    eng.next_step(30)
    archive = eng.snapshot()
    assert isinstance(archive, citybrain.Archive)
    eng.next_step(40)
    later = state(eng)
    eng.load(archive)
    assert eng.get_current_time() == 30.0
    eng.next_step(40)
    assert state(eng) == later
    eng.load(archive=archive)                   # an archive can be loaded again
    assert eng.get_current_time() == 30.0
    with pytest.raises(TypeError):
        eng.load("archive.bin")


def test_archive_of_engine_and_files(city, tmp_path):
    path = city([flow(0, 100, interval=4)])
    eng = citybrain.Engine(path)
    eng.next_step(25)
    archive = citybrain.Archive(eng)            # CityFlow's spelling of snapshot()
    dumped = str(tmp_path / "save.bin")
    archive.dump(dumped)
    saved = str(tmp_path / "save2.bin")
    eng.save_to_file(saved)
    eng.next_step(50)
    later = state(eng)
    other = citybrain.Engine(path)              # a fresh engine of the same scenario
    other.load_from_file(dumped)
    other.next_step(50)
    assert state(other) == later
    other.load_from_file(path=saved)
    other.next_step(50)
    assert state(other) == later
    with pytest.raises(TypeError):
        citybrain.Archive("not an engine")
    with pytest.raises(citybrain.LoadError):
        archive.dump(str(tmp_path / "no" / "such" / "dir" / "x.bin"))


def test_load_errors_leave_the_engine_unchanged(city, tmp_path):
    eng = citybrain.Engine(city([flow(0, 100, interval=4)]))
    eng.next_step(20)
    before = state(eng)
    with pytest.raises(citybrain.LoadError) as exc:
        eng.load_from_file(str(tmp_path / "missing.bin"))
    assert "missing.bin" in str(exc.value)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"{\"step\": 3, \"vehicles\": []}")      # e.g. a CityFlow archive
    with pytest.raises(citybrain.Error):
        eng.load_from_file(str(junk))
    # an archive of another city
    other = citybrain.Engine(city([flow(0)], lanes=3))
    with pytest.raises(citybrain.Error):
        eng.load(other.snapshot())
    assert state(eng) == before


def lines(path):
    with open(path) as f:
        return f.read().splitlines()


def test_replay_as_configured(city):
    path = city([flow(0)], replay=True, phases=GREEN + RED)
    folder = os.path.dirname(path)
    eng = citybrain.Engine(path)
    assert os.path.isfile(os.path.join(folder, "roadnet_log.json"))
    eng.next_step(1)
    eng.next_step(2)
    eng.close()                                 # flushes
    replay = lines(os.path.join(folder, "replay.txt"))
    assert len(replay) == 3
    # after one step the vehicle's front is 1 m along r1_0, whose centre is
    # 2 m to the right of the road (y = -2), heading east; B shows green
    vehicles, roads = replay[0].split(";")
    x, y, heading, vid, lc, length, width = vehicles.rstrip(",").split(" ")
    assert (float(x), float(y), float(heading)) == (-299.0, -2.0, 0.0)
    assert (vid, lc, float(length), float(width)) == ("flow_0_0", "0", 5.0, 2.0)
    assert roads == "r1 g,"
    # with one phase only, CityFlow marks the lane " i" (no signal)
    one = city([flow(0)], replay=True)
    eng = citybrain.Engine(one)
    eng.next_step()
    eng.close()
    assert lines(os.path.join(os.path.dirname(one), "replay.txt"))[0].endswith(";r1 i,")


def test_replay_switches(city):
    path = city([flow(0, 50, interval=5)], replay=True)
    folder = os.path.dirname(path)
    eng = citybrain.Engine(path)
    eng.next_step(3)
    eng.set_save_replay(False)
    eng.next_step(2)                            # not recorded
    eng.set_replay_file("second.txt")           # "dir" + name, as CityFlow
    eng.set_save_replay(open=True)
    eng.next_step(4)
    eng.set_replay_file(replay_file="third.txt")   # switches at once while recording
    eng.next_step(1)
    eng.set_save_replay(True)                   # already on: nothing changes
    eng.close()
    assert len(lines(os.path.join(folder, "replay.txt"))) == 3
    assert len(lines(os.path.join(folder, "second.txt"))) == 4
    assert len(lines(os.path.join(folder, "third.txt"))) == 1
    with pytest.raises(TypeError):
        citybrain.Engine(path).set_replay_file(3)


def test_replay_errors(city, tmp_path):
    eng = citybrain.Engine(city([flow(0)]))          # saveReplay false
    eng.set_save_replay(False)                        # nothing to stop: accepted
    with pytest.raises(citybrain.StateError) as exc:
        eng.set_save_replay(True)
    assert "saveReplay" in str(exc.value)
    with pytest.raises(citybrain.StateError):
        eng.set_replay_file("r.txt")
    path = city([flow(0)], replay=True)
    quiet = citybrain.Engine(path, no_replay=True)
    quiet.next_step(3)
    quiet.close()
    assert not os.path.exists(os.path.join(os.path.dirname(path), "replay.txt"))
    loud = citybrain.Engine(path)
    with pytest.raises(citybrain.LoadError):
        loud.set_replay_file("no/such/folder/r.txt")
    loud.next_step()                                  # recording stopped, not broken
    loud.set_replay_file("ok.txt")
    loud.set_save_replay(True)
    loud.next_step()
    loud.close()
    assert len(lines(os.path.join(os.path.dirname(path), "ok.txt"))) == 1
