"""Drug survival: time on drug and the cumulative incidence of stopping per reason,
time_on_drug.csv.

A patient's time on drug runs from week 0 to the patients file's `stop_week` (an event: the drug
was stopped, for its `stop_reason`), or, without a stop, to `last_seen_week` (censored), or
without that to the patient's last visit week (censored; the same last visit as the safety
table's exposure).

- Reason `any`, week empty: the Kaplan-Meier median time on drug (lifelines), with its CI where
  the pointwise band (exponential Greenwood, log(-log) scale) crosses 0.5, as
  time_to_response.csv's medians are made.
- Per reason (`inefficacy`, `adverse_event`, `other`) and per follow-up visit's nominal week:
  the cumulative incidence of stopping for that reason by that week, the other reasons being
  competing events: the Aalen-Johansen estimator, written here rather than taken from
  lifelines' AalenJohansenFitter, which jitters tied times of different causes at random (the
  estimator needs no jitter: at a tied time each cause's share of the events is counted as it
  is). Its variance is the one lifelines uses (Collett, Modelling Survival Data in Medical
  Research, 3rd ed., p. 411: Greenwood's estimator through the delta method), its CI on the
  log(-log) scale as lifelines makes it; empty where the incidence is 0 or 1 (the scale has no
  interval there). Without ties of different causes this is what lifelines gives (tested).

The chart time_on_drug draws the same estimates as curves, per arm where the cohort has arms
(time_on_drug_by_arm): the Kaplan-Meier share still on drug at every distinct time
(on_drug_curve), each reason's cumulative incidence at every distinct stop week
(incidence_curves) and the numbers at risk under the axis (at_risk_by_week).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import polars as pl

from pppflow import constants as c
from pppflow.arm_settings import ArmDesign
from pppflow.arms import ARM, arm_assignment, arms_in_order
from pppflow.response import follow_up_visits
from pppflow.time_to_response import kaplan_meier_median, product_limit

STOP_WEEK = c.STOP_WEEK_COLUMN
LAST_SEEN_WEEK = "last_seen_week"
STOP_REASON = "stop_reason"
STOP_REASONS = c.STOP_REASONS
ANY_REASON = "any"

TIME_ON_DRUG_SCHEMA = {
    "arm": pl.Utf8,
    "reason": pl.Utf8,
    "week": pl.Float64,
    "n": pl.Int64,
    "stops": pl.Int64,
    "median_weeks": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "cumulative_incidence": pl.Float64,
    "ci_low_incidence": pl.Float64,
    "ci_high_incidence": pl.Float64,
}


def time_on_drug_data(patients: pl.DataFrame, visits: pl.DataFrame) -> pl.DataFrame:
    """patient_id, weeks, stopped, reason: every patient's time on drug (see module doc); the
    reason is null without a stop or without a stop_reason column."""

    def column(name: str, dtype) -> pl.Expr:
        if name in patients.columns:
            return pl.col(name).cast(dtype)
        return pl.lit(None, dtype).alias(name)

    last = visits.group_by("patient_id").agg(pl.col("week").max().alias("last_visit"))
    return (
        patients.select(
            "patient_id",
            column(STOP_WEEK, pl.Float64),
            column(LAST_SEEN_WEEK, pl.Float64),
            column(STOP_REASON, pl.Utf8),
        )
        .join(last, on="patient_id", how="left")
        .select(
            "patient_id",
            pl.coalesce(STOP_WEEK, LAST_SEEN_WEEK, "last_visit", pl.lit(0.0)).alias("weeks"),
            pl.col(STOP_WEEK).is_not_null().alias("stopped"),
            pl.when(pl.col(STOP_WEEK).is_not_null()).then(pl.col(STOP_REASON)).alias("reason"),
        )
    )


@dataclass(frozen=True)
class Incidence:
    estimate: float
    low: float | None
    high: float | None
    events: int  # events of the cause of interest at or before the week


def aalen_johansen(
    weeks: Sequence[float],
    causes: Sequence[int],
    cause: int,
    at: Sequence[float],
    confidence_level: float,
) -> list[Incidence]:
    """Cumulative incidence of `cause` (causes: 0 censored, 1.. the competing causes) at each
    week of `at`: F(t) = sum over event times t_j <= t of S(t_j-) d_cause,j / n_j, S the
    Kaplan-Meier survival from every cause; variance and CI as the module doc says."""
    time = np.asarray(weeks, dtype=float)
    kind = np.asarray(causes, dtype=int)
    # Counts per distinct event time by sorting and searching: no patients x times matrix, so
    # a registry of a million patients costs a sort.
    event_times, deaths = np.unique(time[kind > 0], return_counts=True)
    deaths = deaths.astype(float)
    at_risk = (len(time) - np.searchsorted(np.sort(time), event_times, side="left")).astype(float)
    of_cause = np.bincount(
        np.searchsorted(event_times, time[kind == cause]), minlength=len(event_times)
    ).astype(float)
    # The stops for the cause by each week, by searching its sorted stop weeks.
    cause_times = np.sort(time[kind == cause])
    survival = np.cumprod(1.0 - deaths / at_risk)
    before = np.concatenate([[1.0], survival[:-1]])
    incidence = np.cumsum(before * of_cause / at_risk)
    # Greenwood's term is 0 where everyone at risk has an event (the curve ends there).
    surviving = at_risk - deaths
    greenwood = np.divide(
        deaths, at_risk * surviving, out=np.zeros_like(deaths), where=surviving > 0
    )
    z = NormalDist().inv_cdf(1 - (1 - confidence_level) / 2)
    found = []
    for week in at:
        last = int(np.searchsorted(event_times, week, side="right"))  # event times <= week
        events = int(np.searchsorted(cause_times, week, side="right"))
        if last == 0:
            found.append(Incidence(0.0, None, None, events))
            continue
        f = incidence[last - 1]
        gap = f - incidence[:last]
        s, n, dk = before[:last], at_risk[:last], of_cause[:last]
        variance = float(
            np.sum(gap**2 * greenwood[:last])
            + np.sum(s**2 * dk * (n - dk) / n**3)
            - 2 * np.sum(gap * s * dk / n**2)
        )
        low = high = None
        if 0.0 < f < 1.0:
            log_log = math.log(-math.log(f))
            se = math.sqrt(max(variance, 0.0)) / (f * abs(math.log(f)))
            low = math.exp(-math.exp(log_log + z * se))
            high = math.exp(-math.exp(log_log - z * se))
        found.append(Incidence(float(f), low, high, events))
    return found


def follow_up_weeks(visits: pl.DataFrame, baseline_visit: str) -> list[float]:
    """The nominal week of every follow-up visit label (response.follow_up_visits), in time
    order, each once."""
    weeks = follow_up_visits(visits.lazy(), baseline_visit).collect().get_column("nominal_week")
    return sorted(set(weeks.drop_nulls().to_list()))


def time_on_drug(
    patients: pl.DataFrame, visits: pl.DataFrame, baseline_visit: str, confidence_level: float
) -> pl.DataFrame:
    """time_on_drug.csv (module doc); no rows when the patients file has no stop_week column,
    only the `any` row when it has no stop_reason column. `arm` empty: one arm."""
    if STOP_WEEK not in patients.columns:
        return pl.DataFrame(schema=TIME_ON_DRUG_SCHEMA)
    data = time_on_drug_data(patients, visits)
    weeks = data["weeks"].to_numpy()
    median, low, high = kaplan_meier_median(data["weeks"], data["stopped"], confidence_level)
    rows = [
        {
            "reason": ANY_REASON,
            "n": data.height,
            "stops": int(data["stopped"].sum()),
            "median_weeks": median,
            "ci_low": low,
            "ci_high": high,
        }
    ]
    if STOP_REASON in patients.columns:
        codes = {reason: i + 1 for i, reason in enumerate(STOP_REASONS)}
        causes = data["reason"].replace_strict(codes, default=0, return_dtype=pl.Int64).to_numpy()
        at = follow_up_weeks(visits, baseline_visit)
        for reason in STOP_REASONS:
            for week, found in zip(
                at, aalen_johansen(weeks, causes, codes[reason], at, confidence_level), strict=True
            ):
                rows.append(
                    {
                        "reason": reason,
                        "week": week,
                        "n": data.height,
                        "stops": found.events,
                        "cumulative_incidence": found.estimate,
                        "ci_low_incidence": found.low,
                        "ci_high_incidence": found.high,
                    }
                )
    return pl.DataFrame(
        [{"arm": None, **row} for row in rows], schema=TIME_ON_DRUG_SCHEMA, strict=False
    ).select(list(TIME_ON_DRUG_SCHEMA))


# The chart's curves (pppflow/charts/time_on_drug.py) ---------------------------------------------

ON_DRUG_CURVE_SCHEMA = {
    "arm": pl.Utf8,
    "week": pl.Float64,
    "at_risk": pl.Int64,
    "stops": pl.Int64,
    "censored": pl.Int64,
    "on_drug": pl.Float64,
}
INCIDENCE_CURVE_SCHEMA = {
    "arm": pl.Utf8,
    "reason": pl.Utf8,
    "week": pl.Float64,
    "stops": pl.Int64,
    "cumulative_incidence": pl.Float64,
}
AT_RISK_SCHEMA = {"arm": pl.Utf8, "week": pl.Float64, "at_risk": pl.Int64}
# The step between the weeks of the numbers at risk: the first giving at most this many steps.
AT_RISK_STEPS = (1, 2, 4, 8, 12, 24, 26, 52, 104, 156, 208, 260, 520)
AT_RISK_MAX_STEPS = 8


def time_on_drug_by_arm(
    patients: pl.DataFrame, visits: pl.DataFrame, design: ArmDesign | None
) -> pl.DataFrame:
    """time_on_drug_data with an `arm` column: the whole cohort (arm null) without arms; with
    arms, each patient with an arm, the reference arm's first, then the others sorted
    (pppflow.arms.arms_in_order)."""
    data = time_on_drug_data(patients, visits)
    assignment = arm_assignment(patients, design)
    if assignment is None or design is None:
        return data.with_columns(pl.lit(None, pl.Utf8).alias(ARM))
    order = {arm: i for i, arm in enumerate(arms_in_order(assignment, design.reference))}
    return (
        data.with_columns(pl.col("patient_id").cast(pl.Utf8))
        .join(assignment, on="patient_id", how="inner")
        .sort(pl.col(ARM).replace_strict(order, return_dtype=pl.Int64), "patient_id")
    )


def _arm_blocks(data: pl.DataFrame) -> list[tuple[str | None, pl.DataFrame]]:
    """(arm, its patients) in the frame's order of arms."""
    arms = data.get_column(ARM).unique(maintain_order=True).to_list()
    return [(arm, data.filter(pl.col(ARM).eq_missing(pl.lit(arm, pl.Utf8)))) for arm in arms]


def on_drug_curve(data: pl.DataFrame) -> pl.DataFrame:
    """Per arm of time_on_drug_by_arm's frame, the Kaplan-Meier share still on drug S(week) as
    a step curve: a row at week 0 (S = 1) and at every distinct time on drug, with the patients
    at risk just before it, the stops and the censored there (ON_DRUG_CURVE_SCHEMA)."""
    frames = [
        product_limit(block["weeks"], block["stopped"]).select(
            pl.lit(arm, pl.Utf8).alias(ARM),
            "week",
            "at_risk",
            pl.col("events").alias("stops"),
            "censored",
            (1 - pl.col("cumulative")).alias("on_drug"),
        )
        for arm, block in _arm_blocks(data)
        if block.height
    ]
    if not frames:
        return pl.DataFrame(schema=ON_DRUG_CURVE_SCHEMA)
    return pl.concat(frames).cast(ON_DRUG_CURVE_SCHEMA)


def incidence_curves(data: pl.DataFrame, confidence_level: float = 0.95) -> pl.DataFrame:
    """Per arm and reason, the Aalen-Johansen cumulative incidence of stopping for that reason
    (aalen_johansen, the other reasons competing) at week 0, at every distinct stop week of the
    arm (of any reason) and at its last time on drug: a step curve over the arm's follow-up,
    with the stops for the reason by each week (INCIDENCE_CURVE_SCHEMA). No rows where no stop
    has a reason (a patients file without stop_reason)."""
    if data.filter(pl.col("reason").is_not_null()).is_empty():
        return pl.DataFrame(schema=INCIDENCE_CURVE_SCHEMA)
    codes = {reason: i + 1 for i, reason in enumerate(STOP_REASONS)}
    rows = []
    for arm, block in _arm_blocks(data):
        weeks = block["weeks"].to_numpy()
        causes = block["reason"].replace_strict(codes, default=0, return_dtype=pl.Int64).to_numpy()
        stops = block.filter(pl.col("stopped"))["weeks"].unique().to_list()
        at = sorted({0.0, *stops, float(weeks.max())})
        for reason in STOP_REASONS:
            found = aalen_johansen(weeks, causes, codes[reason], at, confidence_level)
            rows += [
                {
                    ARM: arm,
                    "reason": reason,
                    "week": week,
                    "stops": incidence.events,
                    "cumulative_incidence": incidence.estimate,
                }
                for week, incidence in zip(at, found, strict=True)
            ]
    return pl.DataFrame(rows, schema=INCIDENCE_CURVE_SCHEMA)


def at_risk_weeks(last_week: float) -> list[float]:
    """The weeks of the numbers at risk: 0 and every multiple of a step (AT_RISK_STEPS, the
    first with at most AT_RISK_MAX_STEPS steps to last_week) up to last_week."""
    step = next((s for s in AT_RISK_STEPS if last_week / s <= AT_RISK_MAX_STEPS), AT_RISK_STEPS[-1])
    return [float(step * i) for i in range(int(last_week // step) + 1)]


def at_risk_by_week(data: pl.DataFrame, weeks: Sequence[float]) -> pl.DataFrame:
    """Per arm and week, the patients still on drug and followed at that week: those whose
    time on drug is that week or later (AT_RISK_SCHEMA)."""
    rows = [
        {ARM: arm, "week": week, "at_risk": int((block["weeks"] >= week).sum())}
        for arm, block in _arm_blocks(data)
        for week in weeks
    ]
    return pl.DataFrame(rows, schema=AT_RISK_SCHEMA)
