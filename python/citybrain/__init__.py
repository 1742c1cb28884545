"""citybrain -- a CityFlow-compatible traffic simulation engine for Python.

A drop-in replacement for CityFlow's Python module: scripts written for
CityFlow run unchanged after ``import citybrain as cityflow``.

    import citybrain
    eng = citybrain.Engine("config.json", thread_num=1)
    for _ in range(3600):
        eng.next_step()
        waiting = eng.get_lane_waiting_vehicle_count()      # {lane id: n}
    print(eng.get_average_travel_time())

Beyond CityFlow: numpy getters (``get_lane_waiting_vehicle_count_array()``
in ``lane_ids()`` order), network structure (``get_intersection_info``),
every metric of docs/metrics.md (``get_metrics()``), ``close()`` and the
context manager, ``SignalLayer`` (the C library's signal safety layer:
request greens, it inserts the yellow), and ``citybrain.env``, a
gymnasium-style multi-intersection environment.  See docs/python.md.
"""
from ._citybrain import (  # noqa: F401  (re-exported)
    Archive,
    Engine,
    Error,
    InvalidArgumentError,
    LoadError,
    NotFoundError,
    SignalLayer,
    StateError,
    __version__,
)

__all__ = ["Engine", "Archive", "SignalLayer", "Error", "LoadError", "NotFoundError", "InvalidArgumentError",
           "StateError", "__version__"]
