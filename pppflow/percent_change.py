"""Percent change in PPPASI from baseline, summarised per follow-up visit: percent_change.csv.

Percent change is 100 x (visit - baseline) / baseline, so an improvement is negative, as the PPP
trials print it (per_patient.csv's improvement_pct is its opposite). Only patients seen at the
visit with a baseline above 0 count: a continuous change has no non-responder to impute.

The median's interval is distribution-free: the order statistics x(k) and x(n - k + 1) with k
the largest integer such that P(Binomial(n, 1/2) < k) <= (1 - level) / 2 (the sign-test
interval; coverage at least the level, exact at no n; scipy.stats.quantile_test gives the same
interval). The mean's is Student's t.
"""

import numpy as np
import polars as pl
from scipy import stats

from pppflow.response import nominal_week

PERCENT_CHANGE_SCHEMA = {
    "visit": pl.Utf8,
    "arm": pl.Utf8,
    "n": pl.Int64,
    "mean": pl.Float64,
    "mean_ci_low": pl.Float64,
    "mean_ci_high": pl.Float64,
    "median": pl.Float64,
    "median_ci_low": pl.Float64,
    "median_ci_high": pl.Float64,
}


def percent_changes(responses: pl.LazyFrame) -> pl.LazyFrame:
    """visit, week, percent_change: one row per patient seen at a follow-up visit with a
    baseline PPPASI above 0 (responses.parquet's rows)."""
    baseline = pl.col("pppasi_baseline_tenths")
    at_visit = pl.col("pppasi_visit_tenths")
    return responses.filter(pl.col("observed") & (baseline > 0) & at_visit.is_not_null()).select(
        "visit",
        "week",
        (100 * (at_visit - baseline).cast(pl.Float64) / baseline).alias("percent_change"),
    )


def sign_test_rank(n: int, confidence_level: float) -> int | None:
    """k of the median's interval [x(k), x(n - k + 1)] (1-based), None when even the widest
    interval (k = 1) falls short of the level."""
    tail = (1 - confidence_level) / 2
    # P(Binomial(n, 1/2) <= k - 1) <= tail, the largest such k
    k = int(stats.binom.ppf(tail, n, 0.5))
    while k >= 1 and stats.binom.cdf(k - 1, n, 0.5) > tail:
        k -= 1
    while stats.binom.cdf(k, n, 0.5) <= tail:
        k += 1
    return k if k >= 1 else None


def median_interval(values: np.ndarray, confidence_level: float) -> tuple[float, float] | None:
    n = len(values)
    k = sign_test_rank(n, confidence_level)
    if k is None:
        return None
    # The two order statistics in their sorted places (a partial sort): a full sort of a
    # registry's million values costs several times more.
    ordered = np.partition(values, [k - 1, n - k])
    return float(ordered[k - 1]), float(ordered[n - k])


def mean_interval(values: np.ndarray, confidence_level: float) -> tuple[float, float] | None:
    n = len(values)
    if n < 2:
        return None
    sem = float(np.std(values, ddof=1)) / np.sqrt(n)
    half = float(stats.t.ppf(1 - (1 - confidence_level) / 2, n - 1)) * sem
    mean = float(np.mean(values))
    return mean - half, mean + half


def percent_change_summary(responses: pl.LazyFrame, confidence_level: float) -> pl.DataFrame:
    """percent_change.csv: per follow-up visit (in time order) n, mean with its t interval,
    median with its sign-test interval. `arm` is empty: one arm."""
    # Collected once, with only the columns read: a filter upstream (one arm's patients) runs
    # once rather than per use.
    rows_read = responses.select(
        "visit", "week", "observed", "pppasi_baseline_tenths", "pppasi_visit_tenths"
    ).collect()
    changes = percent_changes(rows_read.lazy()).collect()
    weeks = rows_read.group_by("visit").agg(nominal_week().alias("week")).sort("week", "visit")
    rows = []
    for visit in weeks["visit"]:
        values = changes.filter(pl.col("visit") == visit)["percent_change"].to_numpy()
        n = len(values)
        mean_ci = mean_interval(values, confidence_level) if n else None
        median_ci = median_interval(values, confidence_level) if n else None
        rows.append(
            {
                "visit": visit,
                "arm": None,
                "n": n,
                "mean": float(np.mean(values)) if n else None,
                "mean_ci_low": mean_ci[0] if mean_ci else None,
                "mean_ci_high": mean_ci[1] if mean_ci else None,
                "median": float(np.median(values)) if n else None,
                "median_ci_low": median_ci[0] if median_ci else None,
                "median_ci_high": median_ci[1] if median_ci else None,
            }
        )
    return pl.DataFrame(rows, schema=PERCENT_CHANGE_SCHEMA)
