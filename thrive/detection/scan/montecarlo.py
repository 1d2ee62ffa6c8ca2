"""Monte Carlo replications: each one's random stream is seeded by (seed, replication number), like
SaTScan's reseeding per replication, so results do not depend on batching or on the number of threads."""

from __future__ import annotations

import numpy as np

from thrive.detection.scan.data import FloatArray, IntArray
from thrive.detection.scan.geometry import Circles
from thrive.detection.scan.kernel import replication_maxima
from thrive.detection.scan.models import Randomiser

# Case rows handed to the compiled loop at once: bounds memory while keeping both cores busy.
BATCH_ROWS = 1_000_000


def replication_rng(seed: int, replication: int) -> np.random.Generator:
    return np.random.default_rng([seed, replication])


def simulate_maxima(
    randomiser: Randomiser,
    *,
    replications: int,
    seed: int,
    circles: Circles,
    alive: bool,
    max_length: int,
    weights: tuple[FloatArray, float, float],
) -> FloatArray:
    """The maximum LLR of each replicated data set, in replication order."""
    if alive and weights[0].size > 2:
        inverse = circles.inverse_index()
    else:  # only prospective space-time scans use it
        empty = np.zeros(0, dtype=np.int64)
        inverse = (np.zeros(circles.offsets.size, dtype=np.int64), empty, empty)
    maxima: list[FloatArray] = []
    batch_sites: list[IntArray] = []
    batch_intervals: list[IntArray] = []
    rows = 0
    for replication in range(replications):
        sites, intervals = randomiser.replicate(replication_rng(seed, replication))
        batch_sites.append(sites)
        batch_intervals.append(intervals)
        rows += sites.size
        if rows >= BATCH_ROWS or replication == replications - 1:
            pointer = np.concatenate(([0], np.cumsum([part.size for part in batch_sites]))).astype(np.int64)
            maxima.append(
                replication_maxima(
                    pointer,
                    np.concatenate(batch_sites).astype(np.int64),
                    np.concatenate(batch_intervals).astype(np.int64),
                    circles.as_kernel_tuple(),
                    inverse,
                    alive,
                    max_length,
                    weights,
                )
            )
            batch_sites, batch_intervals, rows = [], [], 0
    return np.concatenate(maxima) if maxima else np.zeros(0)
