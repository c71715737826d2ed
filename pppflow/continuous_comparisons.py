"""Continuous endpoints between arms (issue 14): PPPASI change from baseline in points and PPPASI
percent change, per follow-up visit and arm other than the reference.

Both are visit - baseline (percent: 100 x (visit - baseline) / baseline, as percent_change.csv),
so an improvement is negative and a difference below 0 favours the arm. A patient counts at a
visit where the visit's PPPASI is known (observed, or filled by locf.carry_forward) and,
for the percent change, the baseline is above 0 (below it the ratio is undefined). A continuous
outcome has no non-responder to impute: nri does not apply.

Methods, and why:
- ANCOVA: ordinary least squares of the outcome on the arm and the baseline PPPASI (points),
  every arm seen at the visit in one model (in a two-arm trial the same as the pairwise model;
  with more arms the residual variance is pooled over all of them, as multi-arm trials fit
  it). The arm's coefficient is its difference in least-squares means from the reference (the
  adjusted means at the same baseline); its interval and P are Student's t on the residual
  degrees of freedom. Adjusting for baseline is what regulators ask of change-from-baseline
  endpoints (EMA guideline on adjustment for baseline covariates): it removes the regression to
  the mean a baseline imbalance would bring, and narrows the interval.
- Rank-based, for the skewed changes of small PPP arms: the Mann-Whitney U test, two-sided
  (scipy's method="auto": the exact null distribution when both arms have at most 8 patients
  and no value is tied, else the normal approximation with tie-corrected variance and continuity
  correction). Its estimate, the Hodges-Lehmann shift, is the median of all m x n pairwise
  differences arm - reference, and its distribution-free interval (Moses; Bauer 1972) is
  [D(k), D(mn + 1 - k)] in the sorted differences, k the largest integer with
  P(U <= k - 1) <= (1 - level) / 2 under the null. P(U <= u) is exact (the Gaussian binomial
  coefficients, counted in integers) when no value is tied and m x n <= MOSES_EXACT_MAX_PAIRS;
  otherwise k = floor(mn / 2 - z sqrt(mn (m + n + 1) / 12)) (the normal approximation of
  Hollander & Wolfe, no tie correction: PPPASI in tenths ties often, and the interval is then
  approximate either way). No interval when k < 1 (arms too small for the level).
"""

import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import polars as pl
from scipy import stats

from pppflow import constants as c
from pppflow.comparisons import collected, compared_arms, finite, level_text, visits_in_order
from pppflow.pppasi import points_from_tenths

CHANGE_OUTCOME = f"{c.PPPASI_OUTCOME} change"
PERCENT_CHANGE_OUTCOME = f"{c.PPPASI_OUTCOME} percent change"
CONTINUOUS_OUTCOMES: tuple[str, ...] = (CHANGE_OUTCOME, PERCENT_CHANGE_OUTCOME)
# The exact U distribution of the Moses interval up to this many pairwise differences (its
# integer counts take O(m x mn) steps); beyond, the normal approximation is as good.
MOSES_EXACT_MAX_PAIRS = 2500
# The Hodges-Lehmann shift sorts all m x n differences: kept to arms where that is a few
# million numbers.
HODGES_LEHMANN_MAX_PAIRS = 4_000_000

CONTINUOUS_SCHEMA = {
    "outcome": pl.Utf8,
    "visit": pl.Utf8,
    "arm": pl.Utf8,
    "reference_arm": pl.Utf8,
    "n": pl.Int64,
    "reference_n": pl.Int64,
    "ls_mean_difference": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "hodges_lehmann": pl.Float64,
    "hl_ci_low": pl.Float64,
    "hl_ci_high": pl.Float64,
    "p_mann_whitney": pl.Float64,
    "method": pl.Utf8,
}


def changes_from_baseline(responses: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """outcome, patient_id, arm, visit, baseline (PPPASI points), value: one row per outcome
    (CONTINUOUS_OUTCOMES) and patient-visit where it is defined (module doc)."""
    frame = collected(responses)
    baseline = pl.col("pppasi_baseline_tenths")
    at_visit = pl.col("pppasi_visit_tenths")
    known = frame.filter(baseline.is_not_null() & at_visit.is_not_null())
    keys = [
        pl.col("patient_id").cast(pl.Utf8),
        pl.col("arm").cast(pl.Utf8),
        pl.col("visit").cast(pl.Utf8),
        points_from_tenths(baseline).alias("baseline"),
    ]
    change = known.select(
        pl.lit(CHANGE_OUTCOME).alias("outcome"),
        *keys,
        points_from_tenths(at_visit - baseline).alias("value"),
    )
    percent = known.filter(baseline > 0).select(
        pl.lit(PERCENT_CHANGE_OUTCOME).alias("outcome"),
        *keys,
        (100 * (at_visit - baseline).cast(pl.Float64) / baseline).alias("value"),
    )
    return pl.concat([change, percent])


# ANCOVA --------------------------------------------------------------------------------------


def ancova(
    values: np.ndarray,
    baseline: np.ndarray,
    arms: pl.Series,
    reference_arm: str,
    confidence_level: float,
) -> tuple[dict[str, tuple[float | None, ...]], str]:
    """Per arm other than the reference: (difference, ci_low, ci_high, p) of the OLS fit
    value ~ arm + baseline, and a note (empty, or why there is no fit). `arms`: each value's
    arm (text)."""
    # The module, not statsmodels.api: the api imports every model (twice the time).
    from statsmodels.regression.linear_model import OLS

    present = set(arms.unique().to_list())
    others = sorted(present - {reference_arm})
    design = np.column_stack(
        [
            np.ones(len(values)),
            *((arms == arm).cast(pl.Float64).to_numpy() for arm in others),
            baseline,
        ]
    )
    if reference_arm not in present or not others:
        return {}, "no ANCOVA: an arm has no patient"
    if len(values) <= design.shape[1]:
        return {}, "no ANCOVA: no residual degrees of freedom"
    if np.linalg.matrix_rank(design) < design.shape[1]:
        return {}, "no ANCOVA: arm and baseline confounded (e.g. one baseline value)"
    fit = OLS(values, design).fit()
    low, high = fit.conf_int(alpha=1 - confidence_level).T
    result = {
        arm: (
            finite(fit.params[i]),
            finite(low[i]),
            finite(high[i]),
            finite(fit.pvalues[i]),
        )
        for i, arm in enumerate(others, start=1)
    }
    return result, f"df {fit.df_resid:g}"


# Mann-Whitney and Hodges-Lehmann -------------------------------------------------------------


def mann_whitney_counts(m: int, n: int) -> list[int]:
    """How many of the C(m + n, m) equally likely arrangements give U = u, u = 0 .. mn (no ties):
    the coefficients of the Gaussian binomial [m + n choose m]_q = prod over i = 1..m of
    (1 - q^(n + i)) / (1 - q^i), in exact integers (the division leaves a polynomial)."""
    size = m * n + 1
    poly = [1] + [0] * (size - 1)
    for i in range(1, m + 1):
        for u in range(size - 1, n + i - 1, -1):
            poly[u] -= poly[u - n - i]
        for u in range(i, size):
            poly[u] += poly[u - i]
    return poly


def moses_rank(m: int, n: int, confidence_level: float, exact: bool) -> int:
    """k of the Hodges-Lehmann interval [D(k), D(mn + 1 - k)] (module doc); 0 when none."""
    if exact:
        # The level as the decimal it was written as (0.9 is 9/10, not 0.90000000000000002), so
        # that a tail probability equal to the bound (1/20 at 90%) counts as within it.
        tail = (1 - Fraction(repr(confidence_level))) / 2
        counts = mann_whitney_counts(m, n)
        total = math.comb(m + n, m)
        k, below = 0, 0
        # P(U <= k - 1) = below / total must stay within the tail; integers, so no rounding.
        while k < len(counts) and (below + counts[k]) <= tail * total:
            below += counts[k]
            k += 1
        return k
    z = float(stats.norm.ppf(1 - (1 - confidence_level) / 2))
    return max(0, math.floor(m * n / 2 - z * math.sqrt(m * n * (m + n + 1) / 12)))


def hodges_lehmann_shift(
    arm: np.ndarray, reference: np.ndarray, confidence_level: float
) -> tuple[float | None, float | None, float | None, str]:
    """Median of the pairwise differences arm - reference with its Moses interval, and a note
    naming how k was found."""
    m, n = len(arm), len(reference)
    if m * n > HODGES_LEHMANN_MAX_PAIRS:
        return None, None, None, f"no Hodges-Lehmann beyond {HODGES_LEHMANN_MAX_PAIRS} pairs"
    differences = np.sort(np.subtract.outer(arm, reference).ravel())
    estimate = float(np.median(differences))
    combined = np.concatenate([arm, reference])
    exact = len(np.unique(combined)) == len(combined) and m * n <= MOSES_EXACT_MAX_PAIRS
    k = moses_rank(m, n, confidence_level, exact)
    how = "exact U distribution" if exact else "normal approximation"
    if k < 1:
        return estimate, None, None, f"no Hodges-Lehmann interval at this level ({how})"
    note = f"Moses CI D({k}), D({m * n + 1 - k}) of {m * n} differences ({how})"
    return estimate, float(differences[k - 1]), float(differences[m * n - k]), note


def mann_whitney_p(arm: np.ndarray, reference: np.ndarray) -> float | None:
    if np.all(np.concatenate([arm, reference]) == arm[0]):
        return 1.0  # every value equal: no evidence of a shift (scipy returns NaN)
    result = stats.mannwhitneyu(arm, reference, alternative="two-sided", method="auto")
    return finite(result.pvalue)


# The table -----------------------------------------------------------------------------------


def continuous_comparisons(
    responses: pl.DataFrame | pl.LazyFrame,
    reference_arm: str,
    confidence_level: float = 0.95,
    outcomes: Sequence[str] = CONTINUOUS_OUTCOMES,
) -> pl.DataFrame:
    """Per outcome (CONTINUOUS_OUTCOMES), follow-up visit (by nominal week) and arm other than
    the reference: the ANCOVA least-squares mean difference with its t interval and P, the
    Hodges-Lehmann shift with its Moses interval and the Mann-Whitney P (module doc). Columns
    CONTINUOUS_SCHEMA; no rows for a single arm."""
    frame = collected(responses).with_columns(pl.col("arm").cast(pl.Utf8))
    arms = compared_arms(frame, reference_arm)
    if not arms:
        return pl.DataFrame(schema=CONTINUOUS_SCHEMA)
    visits = visits_in_order(frame)
    changes = changes_from_baseline(frame)
    level = level_text(confidence_level)
    rows = []
    for outcome in outcomes:
        for visit in visits:
            at_visit = changes.filter((pl.col("outcome") == outcome) & (pl.col("visit") == visit))
            fits, ancova_note = ancova(
                at_visit["value"].to_numpy(),
                at_visit["baseline"].to_numpy(),
                at_visit["arm"],
                reference_arm,
                confidence_level,
            )
            reference = at_visit.filter(pl.col("arm") == reference_arm)["value"].to_numpy()
            for arm in arms:
                values = at_visit.filter(pl.col("arm") == arm)["value"].to_numpy()
                hl: tuple = (None, None, None, "no Hodges-Lehmann: an arm has no patient")
                p_mw = None
                if len(values) and len(reference):
                    hl = hodges_lehmann_shift(values, reference, confidence_level)
                    p_mw = mann_whitney_p(values, reference)
                if arm in fits:
                    fitted = (
                        f"LS-mean difference {arm} - {reference_arm}, {level} t CI, {ancova_note}"
                    )
                else:
                    fitted = ancova_note if not fits else "no ANCOVA: the arm has no patient"
                method = (
                    f"ANCOVA (OLS, {outcome} ~ arm + baseline PPPASI, all arms): {fitted}; "
                    f"Mann-Whitney U two-sided (scipy auto); Hodges-Lehmann shift, {hl[3]}"
                )
                rows.append(
                    (
                        outcome,
                        visit,
                        arm,
                        reference_arm,
                        len(values),
                        len(reference),
                        *fits.get(arm, (None, None, None, None)),
                        *hl[:3],
                        p_mw,
                        method,
                    )
                )
    return pl.DataFrame(rows, schema=CONTINUOUS_SCHEMA, orient="row")
