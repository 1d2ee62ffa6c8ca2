"""Disclosure control for published figures: small-number suppression with secondary suppression.

A count from 1 to `threshold - 1` could identify someone (one referral in a month from one borough is a
family), so it is shown as suppressed (None). Zero is shown: it discloses nobody. Suppressing one cell is not
enough when a total is published with it: the total minus the other cells gives it back. So within each
*group* of cells whose sum is published (a row with its total, a column, the parts of a whole), a lone
suppressed cell takes the smallest other non-zero cell with it (secondary suppression), repeated until no
group has exactly one. Rates, medians and percentages built on a suppressed count are suppressed with it by
their callers.

    suppress_small({"contacted": 12, "not contacted": 2})   # {"contacted": None, "not contacted": None}
    suppress_table({"East": {"Jan": 3, "Feb": 9}, ...})      # rows and columns are both groups
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
Col = TypeVar("Col", bound=Hashable)

DEFAULT_THRESHOLD = 5


def is_small(count: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    return 0 < count < threshold


def suppress_small(
    counts: Mapping[K, int],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    groups: Iterable[Iterable[K]] | None = None,
    forced: Iterable[K] = (),
) -> dict[K, int | None]:
    """`counts` with small counts (and what would give them away) replaced by None.

    `groups` lists the sets of cells whose sums are published (or can be worked out); by default all the cells
    form one group, as when a total is shown beside them. `forced` cells are suppressed whatever their value
    (the caller knows they would give something away elsewhere). Ties are broken by the order of `counts`, so
    the result is deterministic.
    """
    if threshold < 1:
        raise ValueError("The suppression threshold must be at least 1")
    if any(count < 0 for count in counts.values()):
        raise ValueError("Counts cannot be negative")
    order = {key: index for index, key in enumerate(counts)}
    suppressed = {key for key, count in counts.items() if is_small(count, threshold)} | set(forced)
    group_list = [list(group) for group in groups] if groups is not None else [list(counts)]
    for group in group_list:
        unknown = [key for key in group if key not in counts]
        if unknown:
            raise KeyError(f"Group cells not in the counts: {unknown[:5]}")
    changed = True
    while changed:
        changed = False
        for group in group_list:
            hidden = [key for key in group if key in suppressed]
            if len(hidden) != 1:
                continue
            candidates = [key for key in group if key not in suppressed]
            if not candidates:
                continue
            # The smallest other non-zero cell hides the lone one best; a zero only when nothing else is left.
            partner = min(candidates, key=lambda key: (counts[key] == 0, counts[key], order[key]))
            suppressed.add(partner)
            changed = True
    return {key: (None if key in suppressed else count) for key, count in counts.items()}


def suppress_table(
    table: Mapping[R, Mapping[Col, int]], threshold: int = DEFAULT_THRESHOLD
) -> dict[R, dict[Col, int | None]]:
    """A two-way table whose row and column totals are published: every row and every column is a group."""
    cells = {(row, col): count for row, values in table.items() for col, count in values.items()}
    rows: dict[R, list[tuple[R, Col]]] = {}
    cols: dict[Col, list[tuple[R, Col]]] = {}
    for row, col in cells:
        rows.setdefault(row, []).append((row, col))
        cols.setdefault(col, []).append((row, col))
    result = suppress_small(cells, threshold, groups=[*rows.values(), *cols.values()])
    return {row: {col: result[(row, col)] for col in values} for row, values in table.items()}
