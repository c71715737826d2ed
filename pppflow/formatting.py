"""Numbers as a clinical paper prints them, for the HTML pages and the terminal summary.

The CSVs keep full precision; only what a person reads goes through here. Rounding is decimal
and half up on the shortest text that gives the float back (0.125 prints 0.13, not 0.12 as the
binary double nearest 0.125 would suggest), so a page and a hand calculation agree.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from pppflow.constants import (
    DISPLAY_DECIMALS,
    DISPLAY_P_FLOOR,
    DISPLAY_P_NEAR_ALPHA,
    DISPLAY_RATE_DECIMALS,
)

DASH = "–"
MISSING = "—"


def _finite(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def decimal_text(value: float | None, decimals: int = DISPLAY_DECIMALS) -> str:
    """``value`` at ``decimals`` decimals, half up; a missing value as an em dash."""
    if not _finite(value):
        return MISSING
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    return str(rounded + 0) if rounded != 0 else str(abs(rounded))


def number_text(value: float | None, decimals: int = DISPLAY_DECIMALS) -> str:
    """A whole number as a whole number (12.0 reads 12), anything else at ``decimals``."""
    if not _finite(value):
        return MISSING
    if float(value).is_integer():
        return str(int(value))
    return decimal_text(value, decimals)


def p_text(p: float | None, alpha: float = 0.05) -> str:
    """A P value as clinical journals print it: "< 0.001" below 0.001, three decimals below
    0.01 and near ``alpha`` (so that 0.0496 does not read 0.05), two otherwise, "> 0.99" at the
    top."""
    if not _finite(p):
        return MISSING
    if p < DISPLAY_P_FLOOR:
        return f"< {DISPLAY_P_FLOOR:g}"
    if p > 0.99:
        return "> 0.99"
    near_alpha = abs(p - alpha) < DISPLAY_P_NEAR_ALPHA
    return decimal_text(p, 3 if p < 0.01 or near_alpha else 2)


def percent_text(fraction: float | None, decimals: int = DISPLAY_RATE_DECIMALS) -> str:
    """0.7 -> "70 %"."""
    if not _finite(fraction):
        return MISSING
    return f"{decimal_text(100 * fraction, decimals)} %"


def rate_ci_text(
    rate: float | None,
    low: float | None,
    high: float | None,
    decimals: int = DISPLAY_RATE_DECIMALS,
) -> str:
    """A rate with its interval as papers print it: "70 % (46–88)"."""
    if not _finite(rate):
        return MISSING
    text = percent_text(rate, decimals)
    if _finite(low) and _finite(high):
        text += f" ({decimal_text(100 * low, decimals)}{DASH}{decimal_text(100 * high, decimals)})"
    return text


def level_text(confidence_level: float) -> str:
    """0.95 -> "95 %"."""
    return f"{confidence_level * 100:g} %"


# Columns of the result CSVs by how a reader reads them. A column not named here is shown as
# the CSV writes it, except that a float column is shown at DISPLAY_DECIMALS.
P_COLUMNS = frozenset({"p_value"})
# (rate, low, high) -> the one column that replaces them on a page.
RATE_CI = ("rate", "ci_low", "ci_high")
# Text columns that look like numbers but are labels or printed values: never reformatted.
LABEL_COLUMNS = frozenset(
    {"patient_id", "claim_id", "visit", "group", "level", "reported", "recomputed", "quote"}
)
HEADERS = {
    "p_value": "P",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "sd": "SD (n − 1)",
    "sd_population": "SD (n)",
    "improvement_pct": "improvement (%)",
}


def column_decimals(name: str) -> int:
    """PPPASI is scored in tenths: one decimal says all there is; anything else at
    DISPLAY_DECIMALS."""
    return 1 if name.startswith("pppasi") else DISPLAY_DECIMALS


def _boolean_text(value: str) -> str:
    return {"true": "yes", "false": "no"}[value]


def _column_kind(values: list[str | None]) -> str:
    """ "empty", "boolean", "integer", "float" or "text", from a column's CSV text."""
    present = [v for v in values if v not in (None, "")]
    if not present:
        return "empty"
    if all(v in ("true", "false") for v in present):
        return "boolean"
    try:
        numbers = [float(v) for v in present]
    except ValueError:
        return "text"
    if all(n.is_integer() for n in numbers):
        return "integer"
    return "float"


def _float(value: str | None) -> float | None:
    return None if value in (None, "") else float(value)


def readable_frame(frame: pl.DataFrame, alpha: float = 0.05) -> pl.DataFrame:
    """A result table as text cells a reader reads: P values as journals print them, a rate and
    its interval as one "70 % (46–88)" cell (headed with the table's confidence level when it
    has one), other decimals at DISPLAY_DECIMALS, whole numbers whole, true/false as yes/no.

    ``frame`` is a result CSV read as text (``infer_schema=False``), so that an ID such as
    "007" is never read as a number; label columns (LABEL_COLUMNS) stay as they are.
    """
    text = frame.with_columns(pl.all().cast(pl.Utf8))
    columns: dict[str, list[str]] = {}
    has_rate_ci = all(name in text.columns for name in RATE_CI)
    levels = (
        text.get_column("confidence_level").drop_nulls().unique().to_list()
        if "confidence_level" in text.columns
        else []
    )
    for name in text.columns:
        values = text.get_column(name).to_list()
        if (has_rate_ci and name in RATE_CI[1:]) or (
            name == "confidence_level" and len(levels) == 1
        ):
            continue
        if has_rate_ci and name == "rate":
            header = (
                f"rate ({level_text(float(levels[0]))} CI)" if len(levels) == 1 else "rate (CI)"
            )
            lows, highs = text.get_column("ci_low").to_list(), text.get_column("ci_high").to_list()
            columns[header] = [
                rate_ci_text(_float(r), _float(lo), _float(hi))
                for r, lo, hi in zip(values, lows, highs, strict=True)
            ]
            continue
        header = HEADERS.get(name, name)
        kind = "text" if name in LABEL_COLUMNS else _column_kind(values)
        if kind == "boolean":
            cells = [_boolean_text(v) if v else "" for v in values]
        elif kind == "float" and name in P_COLUMNS:
            cells = [p_text(_float(v), alpha) if v else "" for v in values]
        elif kind == "float":
            places = column_decimals(name)
            cells = [decimal_text(_float(v), places) if v else "" for v in values]
        elif kind == "integer":
            cells = [str(int(float(v))) if v else "" for v in values]
        else:
            cells = ["" if v is None else v for v in values]
        columns[header] = cells
    return pl.DataFrame(columns, schema={name: pl.Utf8 for name in columns})
