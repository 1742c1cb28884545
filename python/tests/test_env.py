"""test_env.py -- citybrain.env.MultiIntersectionEnv: gymnasium's reset/step
signature, sensor-only observations, phases as actions and the papers'
yellow protocol through the signal layer (a changed green is preceded by
the yellow phase for yellow_time seconds; the first greens show at once)."""
import json
import os
import sys

import numpy as np
import pytest

import citybrain
from citybrain.env import MultiIntersectionEnv
from conftest import ROOT, flow

YELLOW = {"time": 5, "availableRoadLinks": []}     # no movement: "all right turns" vacuously
GO = {"time": 30, "availableRoadLinks": [0]}
GO2 = {"time": 30, "availableRoadLinks": [0]}       # a second green (same movement)


def test_spaces_and_layout(city):
    env = MultiIntersectionEnv(city([flow(0)], phases=[YELLOW, GO, GO2], rl=False))
    assert env.engine.rl_traffic_light                  # forced on
    assert isinstance(env.signals, citybrain.SignalLayer)
    assert env.site_ids == ["B"] and env.num_sites == 1
    assert env.yellow_phases == [0] and env.candidate_phases == [[1, 2]]
    assert env.site_lanes == [["r1_0"]]
    assert env.observation_space.shape == (1, 2, 1)
    assert env.action_space.nvec.tolist() == [2]
    obs, info = env.reset(seed=3)
    assert obs.shape == (1, 2, 1) and obs.dtype == np.int32 and env.observation_space.contains(obs)
    assert info["time"] == 0.0 and info["green"] == [-1]
    assert env.action_space.contains(env.action_space.sample())


def test_yellow_protocol_seen_in_the_replay(city):
    # CityFlow's replay marks r1 "g" while its lane may go, "r" during the
    # yellow (phase 0 lets nothing go): the timeline of the protocol
    path = city([flow(0)], phases=[YELLOW, GO, GO2], replay=True)
    env = MultiIntersectionEnv(path, decision_interval=15, yellow_time=5)
    env.reset()
    env.step([0])                   # t=0: the first green at once
    env.step([1])                   # t=15: yellow for 5 s, then phase 2 at t=20
    env.step([1])                   # t=30: same green, nothing to do
    obs, reward, term, trunc, info = env.step(np.array([0]))    # t=45: yellow, phase 1 at t=50
    assert info["green"] == [1] and env.engine.get_tl_phase("B") == 1
    env.close()
    with open(os.path.join(os.path.dirname(path), "replay.txt")) as f:
        marks = "".join(line.split(";")[1][3] for line in f.read().splitlines())
    assert marks == "g" * 15 + "r" * 5 + "g" * 10 + "g" * 15 + "r" * 5 + "g" * 10


def test_observations_and_reward_are_detector_counts(city):
    # the green changes every 6 s and each change costs 5 s of yellow, so
    # r1 gets 1 s of green in 6: vehicles queue
    env = MultiIntersectionEnv(city([flow(0, 200, interval=2)], phases=[YELLOW, GO, GO2]),
                               decision_interval=6, yellow_time=5, min_green=1)
    env.reset()
    for k in range(20):
        obs, reward, terminated, truncated, info = env.step([k % 2])
    eng = env.engine
    counts = eng.get_lane_vehicle_count()["r1_0"]
    waiting = eng.get_lane_waiting_vehicle_count()["r1_0"]
    assert obs.tolist() == [[[counts], [waiting]]]
    assert waiting >= 5 and reward.tolist() == [-float(waiting)] and reward.dtype == np.float32
    assert terminated is False and truncated is False
    assert info["time"] == 120.0 and info["green"] == [2]
    assert "published_att" in info and "engine_att" in info
    # a phase letting nothing go is no green to choose
    stop = {"time": 30, "availableRoadLinks": []}
    assert MultiIntersectionEnv(city([flow(0)], phases=[YELLOW, stop, GO])).candidate_phases == [[2]]


def test_episode_end_and_bad_actions(city):
    env = MultiIntersectionEnv(city([flow(0)], phases=[YELLOW, GO, GO2]), episode_seconds=40,
                               decision_interval=15)
    env.reset()
    assert env.step([0])[3] is False
    assert env.step([1])[3] is False
    obs, reward, terminated, truncated, info = env.step([0])       # 30 -> 40: cut short
    assert truncated is True and info["time"] == 40.0
    with pytest.raises(ValueError):
        env.step([2])
    with pytest.raises(ValueError):
        env.step([0, 0])
    env.reset()
    assert env.engine.get_current_time() == 0.0
    env.close()
    with pytest.raises(citybrain.StateError):
        env.step([0])
    with pytest.raises(ValueError):
        MultiIntersectionEnv(city([flow(0)], phases=[YELLOW, GO]), decision_interval=5, yellow_time=5)
    with pytest.raises(citybrain.InvalidArgumentError):
        MultiIntersectionEnv(city([flow(0)], phases=[YELLOW, GO]), min_green=-1)
    with pytest.raises(ValueError):
        MultiIntersectionEnv(city([flow(0)], phases=[YELLOW, GO]), phases="some")


def test_env_runs_maxpressure_like_the_script(jinan):
    """MaxPressure through the env (decided from env.engine's CityFlow
    getters) is the same simulation as the CityFlow-API script."""
    sys.path.insert(0, os.path.join(ROOT, "python", "examples"))
    try:
        import maxpressure_cityflow as mp
    finally:
        sys.path.pop(0)
    path = jinan()
    inters = {i["id"]: i for i in mp.load_roadnet(path)}
    env = MultiIntersectionEnv(path)
    assert env.observation_space.shape == (12, 2, 12)
    assert [inters[s]["greens"] for s in env.site_ids] == env.candidate_phases
    assert [inters[s]["yellow"] for s in env.site_ids] == env.yellow_phases
    assert env.yellow_phases == [0] * 12
    obs, info = env.reset()
    truncated = False
    while not truncated:
        waiting = env.engine.get_lane_waiting_vehicle_count()
        action = []
        for s in env.site_ids:
            scores = [mp.pressure(inters[s], p, waiting) for p in inters[s]["greens"]]
            action.append(scores.index(max(scores)))
        obs, reward, terminated, truncated, info = env.step(action)
    script = mp.run(path)
    assert info["time"] == 3600.0
    assert info["engine_att"] == script["engine_att"]
    assert info["running"] == script["running"]
