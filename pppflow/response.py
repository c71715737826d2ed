"""Response classification: per patient and follow-up visit, the PPPASI-X and PGA endpoints,
and per endpoint and visit the response rate with its exact Clopper-Pearson interval.

PPPASI values stay in integer tenths: a PPPASI-X response is 100 x (baseline - visit) >=
X x baseline, compared as integers, so 2.8 -> 0.7 is exactly 75 %. improvement_pct is a float
for display only; nothing is decided on it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from pppflow import constants as c
from pppflow.pppasi import points_from_tenths

if TYPE_CHECKING:  # types only: numpy is imported where the rates are computed
    import numpy as np

OBSERVED = "observed"
MISSING = "missing"
BASELINE_ZERO = "baseline_zero"

PGA_CLEAR = "pga_clear_or_almost_clear"
PGA_IMPROVED = "pga_improved_2_grades"

BASELINE = pl.col("pppasi_baseline_tenths")
AT_VISIT = pl.col("pppasi_visit_tenths")


def pppasi_column(threshold: int) -> str:
    return f"pppasi{threshold}"


PPPASI_COLUMNS = [pppasi_column(x) for x in c.PPPASI_RESPONSE_THRESHOLDS]


@dataclass(frozen=True)
class Endpoint:
    label: str
    column: str
    # Whether the patient's baseline lets the endpoint be judged at all (PPPASI 0 does not).
    baseline_defined: pl.Expr


ENDPOINTS = [
    *(
        Endpoint(f"{c.PPPASI_ENDPOINT_PREFIX}{x}", pppasi_column(x), BASELINE > 0)
        for x in c.PPPASI_RESPONSE_THRESHOLDS
    ),
    Endpoint(c.PGA_CLEAR_ENDPOINT, PGA_CLEAR, pl.lit(True)),
    Endpoint(c.PGA_IMPROVED_ENDPOINT, PGA_IMPROVED, pl.col("pga_baseline").is_not_null()),
]


# The column of the visits file each built-in outcome is scored in.
OUTCOME_COLUMNS: dict[str, str] = {c.PPPASI_OUTCOME: "pppasi_tenths", c.PGA_OUTCOME: "pga"}
# What a job reading the scores per patient-visit needs of pppasi.parquet (PGA may be absent),
# not the recorded and recomputed totals beside them.
SCORE_COLUMNS = ("patient_id", "visit", "week", *OUTCOME_COLUMNS.values())


def unrecorded_outcomes(scores: pl.DataFrame) -> list[str]:
    """Outcomes with no value at any visit (a file without the column, or with it empty): their
    endpoints and tests are left out rather than reported as all missing."""
    return [
        outcome
        for outcome, column in OUTCOME_COLUMNS.items()
        if column not in scores.columns or scores[column].null_count() == scores.height
    ]


def endpoints_of(outcomes: Sequence[str]) -> list[str]:
    """The response endpoints that are judged on these outcomes."""
    endpoints = []
    if c.PPPASI_OUTCOME in outcomes:
        endpoints += [f"{c.PPPASI_ENDPOINT_PREFIX}{x}" for x in c.PPPASI_RESPONSE_THRESHOLDS]
    if c.PGA_OUTCOME in outcomes:
        endpoints += list(c.PGA_ENDPOINTS)
    return endpoints


def meets_pppasi_threshold(baseline: pl.Expr, at_visit: pl.Expr, threshold: int) -> pl.Expr:
    """improvement_pct >= threshold, inclusive, in integers: 100 (b - v) >= threshold x b.
    Only meaningful for b > 0; the caller decides evaluability."""
    return 100 * (baseline - at_visit) >= threshold * baseline


def pga_clear_or_almost_clear(at_visit: pl.Expr) -> pl.Expr:
    return at_visit <= c.PGA_CLEAR_MAX_GRADE


def pga_improved(baseline: pl.Expr, at_visit: pl.Expr) -> pl.Expr:
    return baseline - at_visit >= c.PGA_MIN_IMPROVEMENT_GRADES


def _judged(test: pl.Expr, baseline_defined: pl.Expr, missing_rule: str) -> pl.Expr:
    """The endpoint where it can be judged: the test if the patient had the visit; False for
    a patient without it under non-responder imputation; else null (not evaluable)."""
    observed = pl.col("observed")
    judged = pl.when(observed & baseline_defined).then(test)
    if missing_rule == "nri":
        judged = judged.when(observed.not_() & baseline_defined).then(pl.lit(False))
    return judged.otherwise(pl.lit(None, pl.Boolean))


def nominal_week() -> pl.Expr:
    """The week every table dates a visit label by, aggregated over the cohort's records of that
    visit: their median, so that a few patients seen early or late do not move it (the minimum
    would follow the earliest one) and it is the week the visits are ranked by."""
    return pl.col("week").cast(pl.Float64).median()


def visit_weeks(scores: pl.DataFrame) -> dict[str, float]:
    """Each visit label of a table with visit and week columns, with its nominal week."""
    return dict(scores.group_by(pl.col("visit").cast(pl.Utf8)).agg(nominal_week()).iter_rows())


def follow_up_visits(pppasi: pl.LazyFrame, baseline_visit: str) -> pl.LazyFrame:
    """Every visit label other than the baseline, with its nominal week and its rank in
    time."""
    return (
        pppasi.filter(pl.col("visit") != baseline_visit)
        .group_by("visit")
        .agg(nominal_week().alias("nominal_week"))
        .sort("nominal_week", "visit")
        .with_row_index("visit_rank")
    )


def patient_visit_grid(pppasi: pl.LazyFrame, baseline_visit: str) -> pl.LazyFrame:
    """Every patient x every follow-up visit label, with baseline and visit values (null where
    the patient lacks the visit), in patient order then time order."""
    baseline = (
        pppasi.filter(pl.col("visit") == baseline_visit)
        .select(
            "patient_id",
            pl.col("pppasi_tenths").alias("pppasi_baseline_tenths"),
            pl.col("pga").alias("pga_baseline"),
        )
        .with_row_index("patient_rank")
    )
    at_visit = pppasi.select(
        "patient_id",
        "visit",
        "week",
        pl.col("pppasi_tenths").alias("pppasi_visit_tenths"),
        pl.col("pga").alias("pga_visit"),
        pl.lit(True).alias("observed"),
    )
    return (
        baseline.join(follow_up_visits(pppasi, baseline_visit), how="cross")
        .join(at_visit, on=["patient_id", "visit"], how="left")
        .with_columns(pl.col("observed").fill_null(False))
        .sort("patient_rank", "visit_rank")
    )


def classify_responses(
    pppasi: pl.LazyFrame, baseline_visit: str, missing_rule: str
) -> pl.LazyFrame:
    """One row per patient and follow-up visit, every endpoint judged (see module doc)."""
    return classify_grid(patient_visit_grid(pppasi, baseline_visit), missing_rule)


def check_missing_rule(missing_rule: str) -> None:
    if missing_rule not in c.MISSING_RULES:
        raise ValueError(f"missing rule {missing_rule!r} is not one of {c.MISSING_RULES}")


def classify_grid(grid: pl.LazyFrame, missing_rule: str) -> pl.LazyFrame:
    """Every endpoint judged on the rows of patient_visit_grid."""
    check_missing_rule(missing_rule)
    observed = pl.col("observed")
    pppasi_defined = BASELINE > 0
    pga_base, pga_visit = pl.col("pga_baseline"), pl.col("pga_visit")
    # A visit row with no score at all (a missed visit that the export kept) is no observation.
    scored = observed & (AT_VISIT.is_not_null() | pga_visit.is_not_null())
    return (
        grid.with_columns(scored.alias("observed"))
        .with_columns(
            pl.when(BASELINE == 0)
            .then(pl.lit(BASELINE_ZERO))
            .when(observed.not_())
            .then(pl.lit(MISSING))
            .otherwise(pl.lit(OBSERVED))
            .alias("status"),
            pl.when(observed & pppasi_defined)
            .then(100 * (BASELINE - AT_VISIT).cast(pl.Float64) / BASELINE)
            .alias("improvement_pct"),
            *(
                _judged(
                    meets_pppasi_threshold(BASELINE, AT_VISIT, x), pppasi_defined, missing_rule
                ).alias(pppasi_column(x))
                for x in c.PPPASI_RESPONSE_THRESHOLDS
            ),
            _judged(pga_clear_or_almost_clear(pga_visit), pl.lit(True), missing_rule).alias(
                PGA_CLEAR
            ),
            _judged(pga_improved(pga_base, pga_visit), pga_base.is_not_null(), missing_rule).alias(
                PGA_IMPROVED
            ),
        )
        .select(
            "patient_id",
            "visit",
            "week",
            "observed",
            "status",
            "pppasi_baseline_tenths",
            "pppasi_visit_tenths",
            "improvement_pct",
            pl.col(PPPASI_COLUMNS[0]).is_not_null().alias("evaluable"),
            *PPPASI_COLUMNS,
            "pga_baseline",
            "pga_visit",
            PGA_CLEAR,
            PGA_IMPROVED,
        )
    )


def per_patient(responses: pl.LazyFrame, endpoint_visit: str) -> pl.LazyFrame:
    """The endpoint visit, one row per patient: the table a reader checks a paper against.
    PPPASI in points with one decimal (exact tenths alongside), improvement to 2 decimals."""
    return responses.filter(pl.col("visit") == endpoint_visit).select(
        "patient_id",
        points_from_tenths(BASELINE).alias("pppasi_baseline"),
        points_from_tenths(AT_VISIT).alias("pppasi_endpoint"),
        pl.col("improvement_pct").round(2),
        *PPPASI_COLUMNS,
        "pga_baseline",
        pl.col("pga_visit").alias("pga_endpoint"),
        PGA_CLEAR,
        PGA_IMPROVED,
        "status",
        "pppasi_baseline_tenths",
        pl.col("pppasi_visit_tenths").alias("pppasi_endpoint_tenths"),
    )


def clopper_pearson(
    responders: "np.ndarray", n: "np.ndarray", confidence_level: float
) -> tuple["np.ndarray", "np.ndarray"]:
    """Exact (Clopper-Pearson) interval for responders/n, elementwise; NaN where n is 0.

    The bounds are beta quantiles (scipy.special's inverse incomplete beta: the same numbers
    as scipy.stats.beta.ppf without its second of import time); at k = 0 the lower bound is 0
    and at k = n the upper is 1 by definition (the quantile formula is undefined there)."""
    # Imported here, not at the top: numpy and scipy.special cost a job about 0.25 s, and most
    # jobs import this module for its names and endpoints only (validation, audit, charts,
    # summary), never for an interval.
    import numpy as np
    from scipy.special import betaincinv

    k = np.asarray(responders, dtype=float)
    n = np.asarray(n, dtype=float)
    tail = (1 - confidence_level) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(k > 0, betaincinv(k, n - k + 1, tail), 0.0)
        high = np.where(k < n, betaincinv(k + 1, n - k, 1 - tail), 1.0)
    empty = n == 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


RATE_SCHEMA = {
    "endpoint": pl.Utf8,
    "visit": pl.Utf8,
    "week": pl.Float64,
    "responders": pl.Int64,
    "evaluable": pl.Int64,
    "not_evaluable": pl.Int64,
    "missing": pl.Int64,
}


def _endpoint_counts(endpoint: Endpoint) -> list[pl.Expr]:
    judged = pl.col(endpoint.column)
    # A patient without the visit whose baseline would let the endpoint be judged: left out
    # (observed) or already counted a non-responder (nri). Anything else null is not evaluable.
    missing = (pl.col("observed").not_() & endpoint.baseline_defined).fill_null(False)
    key = endpoint.column
    return [
        judged.sum().cast(pl.Int64).alias(f"{key}:responders"),
        judged.is_not_null().sum().cast(pl.Int64).alias(f"{key}:evaluable"),
        (judged.is_null() & missing.not_()).sum().cast(pl.Int64).alias(f"{key}:not_evaluable"),
        missing.sum().cast(pl.Int64).alias(f"{key}:missing"),
    ]


def response_counts(responses: pl.LazyFrame) -> pl.DataFrame:
    """Per endpoint and follow-up visit: responders, evaluable, not evaluable, missing."""
    per_visit = (
        responses.group_by("visit")
        .agg(
            nominal_week().alias("week"),
            *(e for endpoint in ENDPOINTS for e in _endpoint_counts(endpoint)),
        )
        .sort("week", "visit")
        .collect()
    )
    return pl.concat(
        [
            per_visit.select(
                pl.lit(endpoint.label).alias("endpoint"),
                "visit",
                "week",
                *(
                    pl.col(f"{endpoint.column}:{count}").alias(count)
                    for count in ("responders", "evaluable", "not_evaluable", "missing")
                ),
            )
            for endpoint in ENDPOINTS
        ]
    ).cast(RATE_SCHEMA)


def response_rates(
    responses: pl.LazyFrame, missing_rule: str, confidence_level: float
) -> pl.DataFrame:
    """One row per endpoint and follow-up visit: the rate (counts over counts) and its exact
    interval. Under `observed`, evaluable + not_evaluable + missing is every patient; under
    `nri`, the missing are inside evaluable as non-responders."""
    return rates_from_counts(response_counts(responses), missing_rule, confidence_level)


def rates_from_counts(
    counts: pl.DataFrame, missing_rule: str, confidence_level: float
) -> pl.DataFrame:
    """The columns of response_rates.csv from per endpoint and visit counts (RATE_SCHEMA): the
    rate and its exact interval, for the built-in endpoints and the declared outcomes' alike."""
    responders = counts["responders"].to_numpy()
    evaluable = counts["evaluable"].to_numpy()
    low, high = clopper_pearson(responders, evaluable, confidence_level)
    return counts.select(
        "endpoint",
        "visit",
        "week",
        "responders",
        "evaluable",
        # numpy divides exactly (IEEE); polars may multiply by a reciprocal (14/20 -> 0.7000..1).
        _nullable("rate", exact_ratio(responders, evaluable)),
        # Rounded: beta quantiles may differ in the last digits between platforms.
        _nullable("ci_low", low).round(6),
        _nullable("ci_high", high).round(6),
        "not_evaluable",
        "missing",
        pl.lit(missing_rule).alias("missing_rule"),
        pl.lit(confidence_level).alias("confidence_level"),
    )


def exact_ratio(numerator: "np.ndarray", denominator: "np.ndarray") -> "np.ndarray":
    """numerator / denominator, correctly rounded; NaN where the denominator is 0."""
    import numpy as np

    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _nullable(name: str, values: "np.ndarray") -> pl.Series:
    return pl.Series(name, values, dtype=pl.Float64).fill_nan(None)
