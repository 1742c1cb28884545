"""Type stubs of citybrain.env."""
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from ._citybrain import Engine, SignalLayer

class Box:
    shape: Tuple[int, ...]
    dtype: np.dtype[Any]
    low: npt.NDArray[Any]
    high: npt.NDArray[Any]
    def __init__(self, low: Any, high: Any, shape: Sequence[int], dtype: Any) -> None: ...
    def seed(self, seed: Optional[int] = None) -> None: ...
    def sample(self) -> npt.NDArray[Any]: ...
    def contains(self, x: Any) -> bool: ...

class MultiDiscrete:
    nvec: npt.NDArray[np.int64]
    shape: Tuple[int, ...]
    dtype: np.dtype[Any]
    def __init__(self, nvec: Sequence[int]) -> None: ...
    def seed(self, seed: Optional[int] = None) -> None: ...
    def sample(self) -> npt.NDArray[np.int64]: ...
    def contains(self, x: Any) -> bool: ...

class MultiIntersectionEnv:
    metadata: Dict[str, Any]
    engine: Engine
    signals: SignalLayer
    site_ids: List[str]
    yellow_phases: List[Optional[int]]
    candidate_phases: List[List[int]]
    site_lanes: List[List[str]]
    lane_mask: npt.NDArray[np.bool_]
    observation_space: Box
    action_space: MultiDiscrete
    decision_steps: int
    episode_steps: int
    def __init__(self, config_file: Union[str, "os.PathLike[str]"], *, decision_interval: float = 15.0,
                 yellow_time: float = 5.0, min_green: float = 5.0, all_red: float = 0.0,
                 episode_seconds: float = 3600.0, phases: str = "papers", thread_num: int = 1,
                 lane_change: Optional[bool] = None, seed: Optional[int] = None) -> None: ...
    @property
    def num_sites(self) -> int: ...
    def reset(self, *, seed: Optional[int] = None,
              options: Optional[Dict[str, Any]] = None) -> Tuple[npt.NDArray[np.int32], Dict[str, Any]]: ...
    def step(self, action: Any) -> Tuple[npt.NDArray[np.int32], npt.NDArray[np.float32], bool, bool,
                                         Dict[str, Any]]: ...
    def close(self) -> None: ...
    def __enter__(self) -> "MultiIntersectionEnv": ...
    def __exit__(self, *exc: Any) -> bool: ...
