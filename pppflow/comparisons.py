"""Between-arm comparisons of the response endpoints (issue 14): per endpoint, follow-up visit and
arm other than the reference, the two response rates and their difference, risk ratio and odds
ratio; last observation carried forward as a third missing-data rule; time to first response per
arm (Kaplan-Meier, log-rank). Pure functions of responses.parquet's rows joined with an `arm`
column (and any strata columns); nothing here reads or writes files.

Responder columns come already judged (response._judged): null is not evaluable and is left out
of both numerator and denominator, so the missing rule the frame was judged under (observed,
nri, or locf via `carry_forward`) decides the denominators; the `missing` column only records it.

Methods, and why:
- Rate difference (arm - reference) with Newcombe's hybrid score interval (his method 10: the
  two Wilson score intervals combined by the square-and-add rule; statsmodels'
  confint_proportions_2indep(method="newcomb")): it keeps its coverage at the small arms and
  the rates of 0 or 1 of PPP trials, where the Wald interval collapses to a point.
- Risk ratio with its interval on the log scale (Katz: SE^2 = 1/a - 1/n1 + 1/c - 1/n0) and odds
  ratio with Woolf's logit interval (SE^2 = 1/a + 1/b + 1/c + 1/d). A zero cell makes both
  infinite or zero with an infinite SE, so then 0.5 is added to all four cells (Haldane-Anscombe)
  for the ratios and their intervals, and the row's `method` says so. When neither arm has a
  responder (or neither a non-responder) the table says nothing about a ratio: RR and OR are
  null rather than a number made up by the correction.
- Fisher's exact test, two-sided (scipy: the probabilities of every table with the same margins
  no more likely than the observed one), the test small arms call for.
- With strata, the Cochran-Mantel-Haenszel test of a common odds ratio of 1 (statsmodels
  StratifiedTable.test_null_odds) without continuity correction: the statistic SAS PROC FREQ
  reports and trial papers quote (R's mantelhaen.test with correct = FALSE). Strata are the
  combinations of the strata columns' values; a stratum where an arm has no evaluable patient
  (or with a single patient) carries no information and is left out, as are patients with a
  missing stratum value. Null when no stratum is left or the statistic's variance is 0.
Undefined values (no evaluable patient, a ratio without information) are null, never inf/NaN.
"""

import math
import warnings
from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import polars as pl
from scipy import stats

from pppflow import constants as c
from pppflow.response import nominal_week
from pppflow.time_to_response import (
    TIME_TO_RESPONSE_SCHEMA,
    TIME_TO_RESPONSE_THRESHOLDS,
    first_response,
    kaplan_meier_median,
)

LOCF = "locf"
# The rules a comparison may record: the response stage's two and last observation carried
# forward (pppflow.locf.carry_forward, applied by the response stage).
COMPARISON_MISSING_RULES: tuple[str, ...] = (*c.MISSING_RULES, LOCF)
# Added to every cell of a 2x2 table with a zero cell before a risk or odds ratio is taken.
ZERO_CELL_CORRECTION = 0.5

COMPARISONS_SCHEMA = {
    "endpoint": pl.Utf8,
    "visit": pl.Utf8,
    "arm": pl.Utf8,
    "reference_arm": pl.Utf8,
    "responders": pl.Int64,
    "evaluable": pl.Int64,
    "reference_responders": pl.Int64,
    "reference_evaluable": pl.Int64,
    "rate_difference": pl.Float64,
    "difference_ci_low": pl.Float64,
    "difference_ci_high": pl.Float64,
    "risk_ratio": pl.Float64,
    "risk_ratio_ci_low": pl.Float64,
    "risk_ratio_ci_high": pl.Float64,
    "odds_ratio": pl.Float64,
    "odds_ratio_ci_low": pl.Float64,
    "odds_ratio_ci_high": pl.Float64,
    "p_fisher": pl.Float64,
    "p_cmh": pl.Float64,
    "missing": pl.Utf8,
    "method": pl.Utf8,
}


Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
Interval = tuple[float | None, float | None, float | None]


# Shared helpers ------------------------------------------------------------------------------


def collected(responses: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return responses.collect() if isinstance(responses, pl.LazyFrame) else responses


def finite(value: float | None) -> float | None:
    """A float for a table cell: None for None, NaN and infinities."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def level_text(confidence_level: float) -> str:
    """0.95 -> "95%", 0.975 -> "97.5%" (":.0%" would print 98%)."""
    return f"{100 * confidence_level:g}%"


def check_missing(missing: str) -> None:
    if missing not in COMPARISON_MISSING_RULES:
        raise ValueError(f"missing rule {missing!r} is not one of {COMPARISON_MISSING_RULES}")


def require_columns(frame: pl.DataFrame, columns: Sequence[str], what: str) -> None:
    """A ValueError naming the columns the frame lacks (rather than polars' first one)."""
    absent = [col for col in dict.fromkeys(columns) if col not in frame.columns]
    if absent:
        raise ValueError(f"{what} column(s) {absent} are not in the responses frame")


def visits_in_order(responses: pl.DataFrame) -> list[str]:
    """The visit labels in time order: by nominal week (response.nominal_week), then label; a
    visit nobody attended has no week and comes last."""
    weeks = responses.group_by("visit").agg(nominal_week().alias("nominal_week"))
    return weeks.sort("nominal_week", "visit", nulls_last=True)["visit"].to_list()


def compared_arms(responses: pl.DataFrame, reference_arm: str) -> list[str]:
    """The arms compared with the reference, sorted (rows without an arm belong to none); none
    in a single-arm cohort. Raises
    ValueError when the reference arm is not in the data (every comparison would be empty)."""
    arms = set(responses["arm"].drop_nulls().cast(pl.Utf8).unique().to_list())
    if reference_arm not in arms:
        raise ValueError(f"reference arm {reference_arm!r} is not among the arms {sorted(arms)}")
    return sorted(arms - {reference_arm})


def arms_in_order(responses: pl.DataFrame, reference_arm: str | None) -> list[str]:
    """Every arm, the reference first (when given and present), the others sorted."""
    arms = sorted(responses["arm"].drop_nulls().cast(pl.Utf8).unique().to_list())
    if reference_arm in arms:
        arms.remove(reference_arm)
        arms.insert(0, reference_arm)
    return arms


# 2x2 statistics ------------------------------------------------------------------------------


def newcombe_difference(
    responders: int, evaluable: int, ref_responders: int, ref_evaluable: int, level: float
) -> Interval:
    """Rate difference (arm - reference) and Newcombe's hybrid score interval."""
    if evaluable == 0 or ref_evaluable == 0:
        return None, None, None
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(
        responders,
        evaluable,
        ref_responders,
        ref_evaluable,
        method="newcomb",
        compare="diff",
        alpha=1 - level,
    )
    difference = responders / evaluable - ref_responders / ref_evaluable
    return finite(difference), finite(low), finite(high)


def ratio_estimates(
    responders: int, evaluable: int, ref_responders: int, ref_evaluable: int, level: float
) -> tuple[Interval, Interval, str]:
    """(RR, low, high), (OR, low, high) and a note: Katz and Woolf intervals, with the zero-cell
    correction of the module doc."""
    a, b = responders, evaluable - responders
    c_, d = ref_responders, ref_evaluable - ref_responders
    empty: Interval = (None, None, None)
    if evaluable == 0 or ref_evaluable == 0:
        return empty, empty, ""
    if a + c_ == 0 or b + d == 0:
        which = "responder" if a + c_ == 0 else "non-responder"
        return empty, empty, f"RR and OR not estimable: no {which} in either arm"
    note = ""
    if 0 in (a, b, c_, d):
        a, b, c_, d = (x + ZERO_CELL_CORRECTION for x in (a, b, c_, d))
        note = f"RR and OR with {ZERO_CELL_CORRECTION} added to every cell (a zero cell)"
    z = float(stats.norm.ppf(1 - (1 - level) / 2))
    n1, n0 = a + b, c_ + d
    log_rr = math.log((a / n1) / (c_ / n0))
    se_rr = math.sqrt(1 / a - 1 / n1 + 1 / c_ - 1 / n0)
    log_or = math.log((a * d) / (b * c_))
    se_or = math.sqrt(1 / a + 1 / b + 1 / c_ + 1 / d)

    def on_log_scale(log_estimate: float, se: float) -> Interval:
        return (
            finite(math.exp(log_estimate)),
            finite(math.exp(log_estimate - z * se)),
            finite(math.exp(log_estimate + z * se)),
        )

    return on_log_scale(log_rr, se_rr), on_log_scale(log_or, se_or), note


def fisher_p(responders: int, evaluable: int, ref_responders: int, ref_evaluable: int) -> float:
    table = [
        [responders, evaluable - responders],
        [ref_responders, ref_evaluable - ref_responders],
    ]
    return float(stats.fisher_exact(table, alternative="two-sided").pvalue)


def cmh_p(tables: Sequence[np.ndarray]) -> float | None:
    """CMH P over the strata's 2x2 tables (arm rows, responder / non-responder columns), without
    continuity correction; the uninformative strata dropped (module doc)."""
    informative = [t for t in tables if t[0].sum() > 0 and t[1].sum() > 0 and t.sum() > 1]
    if not informative:
        return None
    from statsmodels.stats.contingency_tables import StratifiedTable

    with warnings.catch_warnings():
        # A variance of 0 (every patient a responder) divides by zero: reported as null.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = StratifiedTable([t.astype(float) for t in informative]).test_null_odds(
            correction=False
        )
    return finite(result.pvalue)


# Responder endpoints -------------------------------------------------------------------------


def _counts(
    frame: pl.DataFrame, keys: list[str], columns: Sequence[str]
) -> dict[str, dict[tuple, tuple[int, int]]]:
    """Per column, (responders, evaluable) per combination of `keys`: every column in one
    grouping of the frame."""
    columns = list(dict.fromkeys(columns))
    grouped = frame.group_by(keys).agg(
        *(pl.col(c).sum().cast(pl.Int64).alias(f"{i}:responders") for i, c in enumerate(columns)),
        *(
            pl.col(c).is_not_null().sum().cast(pl.Int64).alias(f"{i}:evaluable")
            for i, c in enumerate(columns)
        ),
    )
    found = grouped.select(keys).rows()
    return {
        column: dict(
            zip(
                found,
                zip(grouped[f"{i}:responders"], grouped[f"{i}:evaluable"], strict=True),
                strict=True,
            )
        )
        for i, column in enumerate(columns)
    }


def comparisons(
    responses: pl.DataFrame | pl.LazyFrame,
    endpoints: Sequence[tuple[str, str]],
    reference_arm: str,
    strata: Sequence[str] = (),
    confidence_level: float = 0.95,
    missing: str = "observed",
) -> pl.DataFrame:
    """Per responder endpoint ((label, column) pairs, e.g. response.ENDPOINTS' or a declared
    outcome's `<outcome>:<responder>`), follow-up visit (by nominal week) and arm other than
    `reference_arm`: the rates, their difference, RR and OR with intervals, Fisher's and (with
    strata) the CMH P (module doc). Columns COMPARISONS_SCHEMA, in that order; no rows for a
    single arm. The built-in endpoints' pairs are subgroup_rates.endpoint_columns().items(); `missing`
    names the rule the responder columns were judged under (COMPARISON_MISSING_RULES)."""
    check_missing(missing)
    frame = collected(responses)
    strata = list(strata)
    require_columns(frame, ["patient_id", "visit", "week", "arm"], "key")
    require_columns(frame, [column for _, column in endpoints], "endpoint")
    require_columns(frame, strata, "strata")
    frame = frame.with_columns(pl.col("arm").cast(pl.Utf8))
    arms = compared_arms(frame, reference_arm)
    if not arms:
        return pl.DataFrame(schema=COMPARISONS_SCHEMA)
    visits = visits_in_order(frame)
    level = level_text(confidence_level)
    stratified = (
        f"CMH without continuity correction, strata {' x '.join(strata)}"
        if strata
        else "no strata: no CMH"
    )
    base_method = (
        f"difference: Newcombe hybrid score {level} CI; risk ratio: Katz log {level} CI; "
        f"odds ratio: Woolf logit {level} CI; Fisher exact two-sided; {stratified}"
    )
    with_strata = frame.drop_nulls(strata) if strata else frame
    columns = [column for _, column in endpoints]
    all_totals = _counts(frame, ["visit", "arm"], columns)
    all_by_stratum = _counts(with_strata, ["visit", "arm", *strata], columns) if strata else {}
    rows = []
    for label, column in endpoints:
        totals = all_totals[column]
        by_stratum = all_by_stratum.get(column, {})
        for visit in visits:
            k0, n0 = totals.get((visit, reference_arm), (0, 0))
            for arm in arms:
                k1, n1 = totals.get((visit, arm), (0, 0))
                difference = newcombe_difference(k1, n1, k0, n0, confidence_level)
                rr, odds, note = ratio_estimates(k1, n1, k0, n0, confidence_level)
                p_cmh = None
                if strata and n1 and n0:
                    p_cmh = cmh_p(_stratum_tables(by_stratum, visit, arm, reference_arm))
                rows.append(
                    (
                        label,
                        visit,
                        arm,
                        reference_arm,
                        k1,
                        n1,
                        k0,
                        n0,
                        *difference,
                        *rr,
                        *odds,
                        fisher_p(k1, n1, k0, n0) if n1 and n0 else None,
                        p_cmh,
                        missing,
                        "; ".join(x for x in (base_method, note) if x),
                    )
                )
    return pl.DataFrame(rows, schema=COMPARISONS_SCHEMA, orient="row")


def _stratum_tables(
    by_stratum: dict[tuple, tuple[int, int]], visit: str, arm: str, reference_arm: str
) -> list[np.ndarray]:
    strata = {key[2:] for key in by_stratum if key[0] == visit and key[1] in (arm, reference_arm)}
    tables = []
    for stratum in sorted(strata, key=repr):
        k1, n1 = by_stratum.get((visit, arm, *stratum), (0, 0))
        k0, n0 = by_stratum.get((visit, reference_arm, *stratum), (0, 0))
        tables.append(np.array([[k1, n1 - k1], [k0, n0 - k0]]))
    return tables


# Time to first response per arm --------------------------------------------------------------


def _first_responses(
    frame: pl.DataFrame, arms: Sequence[str], threshold: int
) -> dict[str, pl.DataFrame]:
    return {
        arm: first_response(frame.filter(pl.col("arm") == arm).lazy(), threshold) for arm in arms
    }


def logrank_p(patients: dict[str, pl.DataFrame]) -> float | None:
    """Log-rank P across the arms (lifelines multivariate_logrank_test: with two arms the same
    statistic as logrank_test); None with fewer than two arms entering or no event at all.
    Each arm's distinct (weeks, responded) go in once with their count as case weight: the
    same statistic as the patients one by one, without a million-element object array."""
    entered = {arm: p for arm, p in patients.items() if p.height}
    if len(entered) < 2 or not any(p["responded"].any() for p in entered.values()):
        return None
    from lifelines.statistics import multivariate_logrank_test

    distinct = {
        arm: p.group_by("weeks", "responded").len().sort("weeks", "responded")
        for arm, p in entered.items()
    }
    durations = np.concatenate([d["weeks"].to_numpy() for d in distinct.values()])
    events = np.concatenate([d["responded"].to_numpy() for d in distinct.values()])
    counts = np.concatenate([d["len"].to_numpy() for d in distinct.values()])
    groups = np.concatenate([np.full(d.height, arm, dtype=object) for arm, d in distinct.items()])
    return finite(multivariate_logrank_test(durations, groups, events, weights=counts).p_value)


def time_to_response_by_arm(
    responses: pl.DataFrame | pl.LazyFrame,
    reference_arm: str | None,
    confidence_level: float = 0.95,
    thresholds: Sequence[int] = TIME_TO_RESPONSE_THRESHOLDS,
) -> pl.DataFrame:
    """time_to_response.csv per arm (TIME_TO_RESPONSE_SCHEMA): per PPPASI threshold and arm (the
    reference first) n, events, the Kaplan-Meier median weeks to first response and its CI
    (time_to_response's definitions: a missed visit is no observation, censoring at the last
    scored visit), and the log-rank P across all arms, the same on every row of the endpoint
    and null with a single arm."""
    frame = collected(responses).with_columns(pl.col("arm").cast(pl.Utf8))
    arms = arms_in_order(frame, reference_arm)
    rows = []
    for threshold in thresholds:
        patients = _first_responses(frame, arms, threshold)
        p_value = logrank_p(patients)
        for arm in arms:
            weeks, responded = patients[arm]["weeks"], patients[arm]["responded"]
            median, low, high = kaplan_meier_median(weeks, responded, confidence_level)
            rows.append(
                (
                    f"{c.PPPASI_ENDPOINT_PREFIX}{threshold}",
                    arm,
                    len(weeks),
                    int(responded.sum()),
                    median,
                    low,
                    high,
                    p_value,
                )
            )
    return pl.DataFrame(rows, schema=TIME_TO_RESPONSE_SCHEMA, orient="row")
