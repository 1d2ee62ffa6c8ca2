"""Kulldorff's scan statistics as SaTScan 10.3.2 computes them: the space-time permutation scan and the
discrete Poisson scan (space-time or purely spatial), with Monte Carlo p-values. Pure numpy/numba.

    result = run_scan(locations, cases, ScanSettings(...), population=...)
    result.clusters  # most likely first

See docs/scan.md for the conventions followed and the SaTScan fact behind each one.
"""

from thrive.detection.scan.data import (
    Cases,
    Cluster,
    Locations,
    ScanError,
    ScanResult,
    ScanSettings,
)
from thrive.detection.scan.engine import run_scan

__all__ = ["Cases", "Cluster", "Locations", "ScanError", "ScanResult", "ScanSettings", "run_scan"]
