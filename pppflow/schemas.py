"""The cohort input contract as pandera DataFrameModels (polars backend).

The models check the files' values as text, exactly as written, so that every failure names
the offending value as the user typed it. Each number column has a format check and a range
check; the range check passes values that fail the format check, so one bad value is reported
once, under the rule it breaks.
"""

import sys

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData
from pandera.extensions import register_check_method

from pppflow import constants as c


def _strategies_without_hypothesis() -> None:
    """Import pandera's data-synthesis strategies as if hypothesis were not installed.

    register_check_method imports them, and they import hypothesis where it is installed (the
    tests use it): about 0.2 s of every validation job, for generating data, which nothing here
    does. A process that imported hypothesis before keeps it as it is; one that imports it later
    gets it as usual, only pandera's strategies go without it."""
    if "hypothesis" in sys.modules or "pandera.strategies.pandas_strategies" in sys.modules:
        return
    sys.modules["hypothesis"] = None  # type: ignore[assignment]  # importing it fails
    try:
        import pandera.strategies.pandas_strategies  # noqa: F401
    finally:
        del sys.modules["hypothesis"]


_strategies_without_hypothesis()

NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
# An integer may be written with a zero fraction ('3.0'): that is how pandas writes an integer
# column with gaps. '2.5' is not an integer.
INTEGER = r"^-?[0-9]+(\.0+)?$"
ONE_DECIMAL = r"^-?[0-9]+(\.[0-9])?$"

PATIENT_COLUMNS = (
    "patient_id",
    "sex",
    "age_years",
    "dose_mg",
    "stop_week",
    "last_seen_week",
    "stop_reason",
)

VISIT_COLUMNS = ("patient_id", "visit", "week", "pppasi", "pga")
COMPONENT_COLUMNS = ("patient_id", "visit", "region", *c.SEVERITY_ITEMS, "area")


def _passes(data: PolarsData, ok: pl.Expr) -> pl.LazyFrame:
    return data.lazyframe.select(pl.col(data.key).is_null() | ok)


@register_check_method()
def is_number(data: PolarsData) -> pl.LazyFrame:
    return _passes(data, pl.col(data.key).str.contains(NUMBER))


@register_check_method()
def is_integer(data: PolarsData) -> pl.LazyFrame:
    return _passes(data, pl.col(data.key).str.contains(INTEGER))


@register_check_method()
def at_most_one_decimal(data: PolarsData) -> pl.LazyFrame:
    value = pl.col(data.key)
    return _passes(data, ~value.str.contains(NUMBER) | value.str.contains(ONE_DECIMAL))


@register_check_method()
def not_blank(data: PolarsData) -> pl.LazyFrame:
    return _passes(data, pl.col(data.key).str.strip_chars().str.len_chars() > 0)


@register_check_method(statistics=["low", "high"])
def number_in_range(data: PolarsData, *, low: float, high: float) -> pl.LazyFrame:
    """low <= value <= high for a value written as a number; high may be inf."""
    value = pl.col(data.key).cast(pl.Float64, strict=False)
    return _passes(data, value.is_null() | ((value >= low) & (value <= high)))


def _score(high: int, nullable: bool = False):
    return pa.Field(nullable=nullable, is_integer=(), number_in_range={"low": 0, "high": high})


def _label():
    return pa.Field(nullable=False, not_blank=())


class PatientsFile(pa.DataFrameModel):
    """patients: one row per patient; further columns ride along as they are."""

    patient_id: str = _label()
    sex: str | None = pa.Field(nullable=True, isin=list(c.SEXES))
    age_years: str | None = pa.Field(
        nullable=True,
        is_number=(),
        number_in_range={"low": 0, "high": c.AGE_MAX_YEARS},
    )
    dose_mg: str | None = pa.Field(
        nullable=True, is_number=(), number_in_range={"low": 0, "high": float("inf")}
    )
    # The week treatment stopped: the end of the patient's exposure (safety.csv) and of the
    # time on drug (time_on_drug.csv).
    stop_week: str | None = pa.Field(
        nullable=True, is_number=(), number_in_range={"low": 0, "high": float("inf")}
    )
    # Without a stop, the week the patient was last known on the drug (time on drug censored).
    last_seen_week: str | None = pa.Field(
        nullable=True, is_number=(), number_in_range={"low": 0, "high": float("inf")}
    )
    stop_reason: str | None = pa.Field(nullable=True, isin=list(c.STOP_REASONS))

    class Config:
        strict = False


class ComponentsFile(pa.DataFrameModel):
    """components: one row per patient, visit and region."""

    patient_id: str = _label()
    visit: str = _label()
    region: str = pa.Field(nullable=False, isin=list(c.REGIONS))
    erythema: str = _score(c.SEVERITY_MAX)
    pustules: str = _score(c.SEVERITY_MAX)
    desquamation: str = _score(c.SEVERITY_MAX)
    area: str = _score(c.AREA_MAX)

    class Config:
        strict = False


class VisitsFile(pa.DataFrameModel):
    """visits: one row per patient and visit. The PGA range is the cohort's own scale:
    `visits_model(pga_max)` narrows it."""

    patient_id: str = _label()
    visit: str = _label()
    week: str = pa.Field(
        nullable=False, is_number=(), number_in_range={"low": 0, "high": float("inf")}
    )
    pppasi: str | None = pa.Field(
        nullable=True,
        is_number=(),
        at_most_one_decimal=(),
        number_in_range={
            "low": c.PPPASI_MIN_TENTHS / c.TENTHS_PER_POINT,
            "high": c.PPPASI_MAX_TENTHS / c.TENTHS_PER_POINT,
        },
    )
    pga: str | None = pa.Field(
        nullable=True, is_integer=(), number_in_range={"low": 0, "high": float("inf")}
    )

    class Config:
        strict = False


def visits_model(pga_max: int) -> type[pa.DataFrameModel]:
    class CohortVisitsFile(VisitsFile):
        pga: str | None = _score(pga_max, nullable=True)

    return CohortVisitsFile


EVENT_COLUMNS = (
    "patient_id",
    "term",
    "onset_week",
    "serious",
    "severity",
    "related",
    "led_to_discontinuation",
    "resolved",
)
YES_NO = ["yes", "no"]
RELATED = ["yes", "no", "unknown"]
# A grade as CTCAE numbers it, or the three-word scale case reports use.
SEVERITIES = ["1", "2", "3", "4", "5", "mild", "moderate", "severe"]


class EventsFile(pa.DataFrameModel):
    """events (optional): one row per adverse event; only patient_id and term are required."""

    patient_id: str = _label()
    term: str = _label()
    onset_week: str | None = pa.Field(
        nullable=True, is_number=(), number_in_range={"low": 0, "high": float("inf")}
    )
    serious: str | None = pa.Field(nullable=True, isin=YES_NO)
    severity: str | None = pa.Field(nullable=True, isin=SEVERITIES)
    related: str | None = pa.Field(nullable=True, isin=RELATED)
    led_to_discontinuation: str | None = pa.Field(nullable=True, isin=YES_NO)
    resolved: str | None = pa.Field(nullable=True, isin=YES_NO)

    class Config:
        strict = False
