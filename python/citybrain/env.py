"""citybrain.env -- a gymnasium-style multi-intersection signal-control
environment on citybrain's engine.

One agent per signalized intersection ("site").  It mirrors gymnasium's
API (``reset(seed=None, options=None) -> (obs, info)`` and
``step(action) -> (obs, reward, terminated, truncated, info)``) without
importing gymnasium, which Debian 12 does not package; the spaces below
duck-type ``gymnasium.spaces.Box`` / ``MultiDiscrete``.

Observations are what loop detectors report, nothing else: for every
incoming lane of a site, the vehicles on it and those of them waiting
(slower than 0.1 m/s).  No vehicle ids, routes or positions.

    obs[i, 0, k]   vehicles on incoming lane k of site i
    obs[i, 1, k]   waiting vehicles on it
    (zero-padded to the largest site; ``lane_mask`` marks real lanes,
    ``site_lanes[i]`` names them)

Actions are phases: ``action[i]`` indexes ``candidate_phases[i]`` (the
first four green phases in the benchmark datasets: WT+ET, NT+ST, WL+EL,
NL+SL).  Every ``decision_interval`` seconds each site gets an action.  The
yellow is handled by the signal layer -- the C library's safety layer
(citybrain.SignalLayer, citybrain.h "Signal control") -- exactly as the
research papers' protocol does (../shared/docs/control-protocol.md,
maxpressure_15s): a site whose green changes first shows the yellow phase
(the first phase whose movements are all right turns) for ``yellow_time``
seconds, then the new green; a site keeping its green keeps it; at the
start of an episode the first greens show at once (nothing to clear).  The
layer also holds every green for at least ``min_green`` seconds.

Reward: minus the waiting vehicles on each site's incoming lanes (the
papers' queue-length reward), one value per site.
"""
import numpy as np

from . import Engine, SignalLayer

__all__ = ["MultiIntersectionEnv", "Box", "MultiDiscrete"]


class Box:
    """A minimal ``gymnasium.spaces.Box``: shape, dtype, low, high, sample, contains."""

    def __init__(self, low, high, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.low = np.full(self.shape, low, dtype=self.dtype)
        self.high = np.full(self.shape, high, dtype=self.dtype)
        self._rng = np.random.default_rng()

    def seed(self, seed=None):
        self._rng = np.random.default_rng(seed)

    def sample(self):
        return self._rng.integers(self.low, self.high, endpoint=True, dtype=self.dtype)

    def contains(self, x):
        x = np.asarray(x)
        return x.shape == self.shape and bool(np.all(x >= self.low) and np.all(x <= self.high))

    def __repr__(self):
        return "Box(%s, %s, %s, %s)" % (self.low.min(), self.high.max(), self.shape, self.dtype)


class MultiDiscrete:
    """A minimal ``gymnasium.spaces.MultiDiscrete``: one choice in range(nvec[i]) per site."""

    def __init__(self, nvec):
        self.nvec = np.asarray(nvec, dtype=np.int64)
        self.shape = self.nvec.shape
        self.dtype = np.dtype(np.int64)
        self._rng = np.random.default_rng()

    def seed(self, seed=None):
        self._rng = np.random.default_rng(seed)

    def sample(self):
        return (self._rng.random(self.shape) * self.nvec).astype(np.int64)

    def contains(self, x):
        x = np.asarray(x)
        return x.shape == self.shape and bool(np.all(x >= 0) and np.all(x < self.nvec))

    def __repr__(self):
        return "MultiDiscrete(%s)" % self.nvec.tolist()


class MultiIntersectionEnv:
    """Every signalized intersection of a city as one agent.

    MultiIntersectionEnv(config_file, *, decision_interval=15, yellow_time=5,
                         min_green=5, all_red=0, episode_seconds=3600,
                         phases="papers", thread_num=1, lane_change=None, seed=None)

    config_file: a CityFlow config.json (or a scenario folder); the engine
    is opened with rl_traffic_light=True whatever the config says.
    phases: "papers" (the first four greens) or "all" (every green).
    The engine is ``env.engine`` (a citybrain.Engine): its CityFlow getters
    and get_metrics() stay available, e.g. for the published ATT; the
    signal layer is ``env.signals``.
    """

    metadata = {"render_modes": []}

    def __init__(self, config_file, *, decision_interval=15.0, yellow_time=5.0, min_green=5.0, all_red=0.0,
                 episode_seconds=3600.0, phases="papers", thread_num=1, lane_change=None, seed=None):
        if phases not in ("papers", "all"):
            raise ValueError('phases must be "papers" or "all", not %r' % (phases,))
        self.engine = Engine(config_file, thread_num, rl_traffic_light=True, lane_change=lane_change,
                             seed=seed)
        dt = self.engine.interval
        self.decision_steps = int(round(decision_interval / dt))
        self.episode_steps = int(round(episode_seconds / dt))
        if self.decision_steps < 1:
            raise ValueError("decision_interval must be at least one step (%g s)" % dt)
        if not 0 <= yellow_time + all_red < decision_interval:
            raise ValueError("yellow_time + all_red must be shorter than decision_interval")
        self.signals = SignalLayer(self.engine, min_green=min_green, yellow=yellow_time, all_red=all_red,
                                   phases=phases)

        lane_index = {lane: k for k, lane in enumerate(self.engine.lane_ids())}
        self.site_ids = []
        self.yellow_phases = []
        self.candidate_phases = []
        self.site_lanes = []
        for inter in self.signals.site_ids():
            greens = list(self.signals.candidates(inter))
            if not greens:
                continue                      # nothing to decide
            roads = []
            for m in self.engine.get_intersection_info(inter)["movements"]:
                if m["start_road"] not in roads:
                    roads.append(m["start_road"])
            lanes = [lane for r in roads for lane in self.engine.get_road_info(r)["lanes"]]
            self.site_ids.append(inter)
            self.yellow_phases.append(self.signals.yellow_phase(inter))
            self.candidate_phases.append(greens)
            self.site_lanes.append(lanes)
        if not self.site_ids:
            raise ValueError("%s has no signalized intersection with a green phase to choose" % (config_file,))
        n, width = len(self.site_ids), max(len(ls) for ls in self.site_lanes)
        self._gather = np.zeros((n, width), dtype=np.int64)
        self.lane_mask = np.zeros((n, width), dtype=bool)
        for i, lanes in enumerate(self.site_lanes):
            self._gather[i, :len(lanes)] = [lane_index[lane] for lane in lanes]
            self.lane_mask[i, :len(lanes)] = True
        self.observation_space = Box(0, np.iinfo(np.int32).max, (n, 2, width), np.int32)
        self.action_space = MultiDiscrete([len(g) for g in self.candidate_phases])
        self._count = np.empty(len(lane_index), dtype=np.int32)
        self._waiting = np.empty(len(lane_index), dtype=np.int32)
        self._steps = 0

    @property
    def num_sites(self):
        return len(self.site_ids)

    # --- gymnasium API ------------------------------------------------------------------------

    def reset(self, *, seed=None, options=None):
        """Back to time 0 (the signal layer restarts too).  seed: re-seed the
        engine's random generator (vehicle priorities, first lanes); None
        continues its sequence."""
        self.engine.reset()
        if seed is not None:
            self.engine.set_random_seed(int(seed))
            self.action_space.seed(seed)
        self._steps = 0
        return self._observe(), self._info()

    def step(self, action):
        """Request one green per site, then simulate decision_interval seconds."""
        action = np.asarray(action)
        if action.shape != self.action_space.shape:
            raise ValueError("action must have shape %s (one per site), got %s"
                             % (self.action_space.shape, action.shape))
        if not self.action_space.contains(action):
            raise ValueError("action out of range: site i takes 0..%s" % (self.action_space.nvec - 1).tolist())
        request = self.signals.request
        for i, a in enumerate(action.tolist()):
            request(self.site_ids[i], self.candidate_phases[i][a])
        steps = min(self.decision_steps, self.episode_steps - self._steps)
        self.engine.next_step(steps)              # the layer inserts the yellows
        self._steps += steps
        obs = self._observe()
        reward = -obs[:, 1, :].sum(axis=1).astype(np.float32)
        truncated = self._steps >= self.episode_steps
        return obs, reward, False, truncated, self._info()

    def close(self):
        self.signals.close()
        self.engine.close()

    # --- helpers ------------------------------------------------------------------------------

    def _observe(self):
        self.engine.get_lane_vehicle_count_array(self._count)
        self.engine.get_lane_waiting_vehicle_count_array(self._waiting)
        obs = np.stack([self._count[self._gather], self._waiting[self._gather]], axis=1)
        obs[~np.repeat(self.lane_mask[:, None, :], 2, axis=1)] = 0
        return obs

    def _info(self):
        m = self.engine.get_metrics()
        m["green"] = [self.signals.status(s)["green"] for s in self.site_ids]   # -1 before the first
        return m

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
