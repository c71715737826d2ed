"""Time to first PPPASI 50 and 75 response: Kaplan-Meier (lifelines), time_to_response.csv.

A patient with a baseline PPPASI above 0 and at least one scored follow-up visit enters; the
event is the first visit (by the patient's own week) at which the response is met, and a patient
never responding is censored at the last scored visit. A missed visit is simply not an
observation (the missing-data rule of the response rates does not apply: censoring is how
Kaplan-Meier treats lost follow-up). The median's CI is where the pointwise confidence band
(lifelines: exponential Greenwood, log(-log) scale) crosses 0.5; it is empty where the band
never does (an open end).
"""

import math

import polars as pl

from pppflow import constants as c
from pppflow.response import pppasi_column

TIME_TO_RESPONSE_THRESHOLDS = (50, 75)

TIME_TO_RESPONSE_SCHEMA = {
    "endpoint": pl.Utf8,
    "arm": pl.Utf8,
    "n": pl.Int64,
    "events": pl.Int64,
    "median_weeks": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_logrank": pl.Float64,
}


def first_response(responses: pl.LazyFrame, threshold: int) -> pl.DataFrame:
    """patient_id, weeks, responded: per patient entering (see module doc) the week of the
    first response, or of the last scored visit when there is none."""
    judged = pl.col(pppasi_column(threshold))
    scored = responses.filter(
        pl.col("observed") & judged.is_not_null() & pl.col("week").is_not_null()
    )
    return (
        scored.group_by("patient_id")
        .agg(
            pl.col("week").filter(judged).min().alias("first"),
            pl.col("week").max().alias("last"),
        )
        .select(
            "patient_id",
            pl.coalesce("first", "last").alias("weeks"),
            pl.col("first").is_not_null().alias("responded"),
        )
        .sort("patient_id")
        .collect()
    )


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def kaplan_meier_median(
    weeks: list[float], responded: list[bool], confidence_level: float
) -> tuple[float | None, float | None, float | None]:
    """Median time to response and its CI (None where not reached)."""
    if not weeks:
        return None, None, None
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    fitter = KaplanMeierFitter(alpha=1 - confidence_level).fit(weeks, responded)
    band = median_survival_times(fitter.confidence_interval_)
    return (
        _finite(fitter.median_survival_time_),
        _finite(band.iloc[0, 0]),
        _finite(band.iloc[0, 1]),
    )


def time_to_response(responses: pl.LazyFrame, confidence_level: float) -> pl.DataFrame:
    """time_to_response.csv: per endpoint (PPPASI 50, 75) n, responses, median weeks to the
    first response with its CI; `arm` and `p_logrank` empty (one arm)."""
    rows = []
    for threshold in TIME_TO_RESPONSE_THRESHOLDS:
        patients = first_response(responses, threshold)
        median, low, high = kaplan_meier_median(
            patients["weeks"].to_list(), patients["responded"].to_list(), confidence_level
        )
        rows.append(
            {
                "endpoint": f"{c.PPPASI_ENDPOINT_PREFIX}{threshold}",
                "arm": None,
                "n": patients.height,
                "events": int(patients["responded"].sum()),
                "median_weeks": median,
                "ci_low": low,
                "ci_high": high,
                "p_logrank": None,
            }
        )
    return pl.DataFrame(rows, schema=TIME_TO_RESPONSE_SCHEMA)
