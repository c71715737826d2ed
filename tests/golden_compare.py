"""Comparing a result CSV with its golden copy: numbers within a stated tolerance, text exactly."""

import csv
import math
from pathlib import Path

# Results are computed from the same inputs by the same code: only the last bits of a float
# may move (a library's summation order). Anything beyond this is a real change.
REL_TOL = 1e-9
ABS_TOL = 1e-12


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def cells_agree(expected: str, actual: str) -> bool:
    if expected == actual:
        return True
    e, a = _number(expected), _number(actual)
    if e is None or a is None:
        return False
    if math.isnan(e) and math.isnan(a):
        return True
    return math.isclose(e, a, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def csv_differences(expected: Path, actual: Path, limit: int = 20) -> list[str]:
    """Readable differences, at most `limit`: header, row count, then cell by cell."""
    if not actual.exists():
        return [f"{actual}: missing"]
    want, got = _read(expected), _read(actual)
    if not want or not got:
        return [] if want == got else [f"{actual.name}: one of the files is empty"]
    if want[0] != got[0]:
        return [f"{actual.name}: columns differ\n  golden: {want[0]}\n  actual: {got[0]}"]
    header = want[0]
    found = []
    if len(want) != len(got):
        found.append(f"{actual.name}: {len(want) - 1} rows in golden, {len(got) - 1} now")
    for number, (w_row, g_row) in enumerate(zip(want[1:], got[1:], strict=False), start=1):
        key = ", ".join(f"{h}={v}" for h, v in zip(header[:2], w_row[:2], strict=False))
        for column, w, g in zip(header, w_row, g_row, strict=False):
            if not cells_agree(w, g):
                found.append(
                    f"{actual.name} row {number} ({key}) {column}: golden {w!r}, now {g!r}"
                )
    if len(found) > limit:
        found = found[:limit] + [f"... and {len(found) - limit} more"]
    return found
