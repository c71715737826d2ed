"""Mean change from baseline per arm over the visits (issue 14): per outcome (PPPASI change in
points and PPPASI percent change, continuous_comparisons.CONTINUOUS_OUTCOMES), follow-up visit of
the randomised period and arm, the arm's mean with its Student's t interval: mean_change.csv,
what the chart of each arm's course is drawn from.

The values are continuous_comparisons.changes_from_baseline's (visit - baseline, so a fall in
PPPASI, an improvement, is negative; percent change only where the baseline is above 0), on
observed cases: a patient counts at a visit where PPPASI was scored. Values locf.carry_forward
filled in are left out, whatever the cohort's `missing` rule, as in percent_change.csv and the
mixed model: a mean over the patients seen is what a reader of "mean change at week 8" expects,
and a carried value would repeat an earlier visit's change at a later week. The frame is
arms.comparison_frame's (the visits after the switch visit are already left out).

The interval is mean +/- t(level, n - 1) x SD / sqrt(n), SD with n - 1 (the one-sample t
interval, scipy.stats.ttest_1samp(...).confidence_interval()); none below 2 patients.
"""

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import stats

from pppflow.comparisons import collected, compared_arms, level_text, visits_in_order
from pppflow.continuous_comparisons import (
    CONTINUOUS_OUTCOMES,
    PERCENT_CHANGE_OUTCOME,
    changes_from_baseline,
)
from pppflow.response import nominal_week

MEAN_CHANGE_SCHEMA = {
    "outcome": pl.Utf8,
    "visit": pl.Utf8,
    "arm": pl.Utf8,
    "week": pl.Float64,
    "n": pl.Int64,
    "mean": pl.Float64,
    "sd": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "method": pl.Utf8,
}


def t_half_widths(n: pl.Series, sd: pl.Series, confidence_level: float) -> pl.Series:
    """t(level, n - 1) x sd / sqrt(n) per row; null where n < 2 or sd is null. One scipy call
    over every row: the table has a row per outcome, visit and arm, never per patient."""
    counts = n.to_numpy().astype(float)
    spread = sd.cast(pl.Float64).fill_null(np.nan).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = stats.t.ppf(1 - (1 - confidence_level) / 2, counts - 1)
        half = quantile * spread / np.sqrt(counts)
    return pl.Series(np.where(counts >= 2, half, np.nan)).fill_nan(None)


def mean_change_by_arm(
    responses: pl.DataFrame | pl.LazyFrame,
    reference_arm: str,
    confidence_level: float = 0.95,
    outcomes: Sequence[str] = CONTINUOUS_OUTCOMES,
) -> pl.DataFrame:
    """mean_change.csv: per outcome, follow-up visit (by nominal week) and arm (the reference
    first, the others sorted), n, mean, SD (n - 1) and the t interval of the change from
    baseline on observed cases (module doc); `week` the visit's nominal week over every arm. A
    visit where an arm has nobody has its row with n 0 and the rest empty. Columns
    MEAN_CHANGE_SCHEMA. Raises ValueError when the reference arm is not in the data."""
    frame = collected(responses).with_columns(pl.col("arm").cast(pl.Utf8))
    arms = [reference_arm, *compared_arms(frame, reference_arm)]
    visits = visits_in_order(frame)
    # Every outcome x visit x arm, in the table's order, so an empty cell is a row, not a gap.
    grid = (
        pl.DataFrame({"outcome": list(outcomes)})
        .join(pl.DataFrame({"visit": visits}), how="cross")
        .join(pl.DataFrame({"arm": arms}), how="cross")
    )
    weeks = frame.group_by("visit").agg(nominal_week().alias("week"))
    summaries = (
        changes_from_baseline(frame.filter(pl.col("observed")))
        .group_by("outcome", "visit", "arm")
        .agg(
            pl.len().cast(pl.Int64).alias("n"),
            pl.col("value").mean().alias("mean"),
            pl.col("value").std(ddof=1).alias("sd"),
        )
    )
    table = (
        grid.join(summaries, on=["outcome", "visit", "arm"], how="left", maintain_order="left")
        .join(weeks, on="visit", how="left", maintain_order="left")
        .with_columns(pl.col("n").fill_null(0))
    )
    half = t_half_widths(table["n"], table["sd"], confidence_level)
    level = level_text(confidence_level)
    method = {
        outcome: (
            f"mean {outcome} from baseline (visit - baseline"
            f"{', patients with a baseline above 0' if outcome == PERCENT_CHANGE_OUTCOME else ''}"
            f"), observed cases, by randomised arm, to the switch visit; SD with n - 1; "
            f"Student's t {level} CI (none below 2 patients)"
        )
        for outcome in outcomes
    }
    return table.with_columns(
        (pl.col("mean") - half).alias("ci_low"),
        (pl.col("mean") + half).alias("ci_high"),
        pl.col("outcome").replace_strict(method, return_dtype=pl.Utf8).alias("method"),
    ).select(pl.col(name).cast(dtype) for name, dtype in MEAN_CHANGE_SCHEMA.items())
