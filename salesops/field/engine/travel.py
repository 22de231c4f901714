"""Distances and travel times between points.

The default model is the great-circle (haversine) distance times a road factor (streets are
not straight lines; 1.3 is a common urban figure) driven at a constant speed. Anything that
answers `matrix(lat, lon)` with kilometres and minutes can replace it: `TravelMatrix` wraps a
matrix measured elsewhere (a routing service, a road graph), so the planner never needs to
know where the numbers come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

EARTH_RADIUS_KM = 6371.0088


class TravelModel(Protocol):
    def matrix(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(km, minutes): two n × n float arrays for the n points given."""
        ...


def haversine_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) between every pair of points, as an n × n array."""
    phi = np.radians(np.asarray(lat, dtype=float))
    lam = np.radians(np.asarray(lon, dtype=float))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi[:, None]) * np.cos(phi[None, :]) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class StraightLineTravel:
    speed_kmh: float = 30.0
    road_factor: float = 1.3

    def __post_init__(self):
        if not 1 <= self.speed_kmh <= 150:
            raise ValueError(f"speed must be between 1 and 150 km/h, got {self.speed_kmh}")
        if not 1 <= self.road_factor <= 3:
            raise ValueError(f"road factor must be between 1 and 3, got {self.road_factor}")

    def matrix(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        km = haversine_km(lat, lon) * self.road_factor
        return km, km / self.speed_kmh * 60.0


@dataclass(frozen=True)
class TravelMatrix:
    """A measured matrix for a fixed list of points (the planner asks in that same order)."""

    km: np.ndarray
    minutes: np.ndarray

    def matrix(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.km.shape != (len(lat), len(lat)) or self.minutes.shape != self.km.shape:
            raise ValueError(f"the travel matrix is {self.km.shape}, the plan has {len(lat)} points")
        return self.km, self.minutes
