"""Time to first PPPASI 50 and 75 response: Kaplan-Meier (lifelines), time_to_response.csv.

A patient with a baseline PPPASI above 0 and at least one scored follow-up visit enters; the
event is the first visit (by the patient's own week) at which the response is met, and a patient
never responding is censored at the last scored visit. A missed visit is simply not an
observation (the missing-data rule of the response rates does not apply: censoring is how
Kaplan-Meier treats lost follow-up). The median's CI is where the pointwise confidence band
(lifelines: exponential Greenwood, log(-log) scale) crosses 0.5; it is empty where the band
never does (an open end).

Each declared outcome's responder (`dlqi:0/1`) gets a row too, judged per follow-up visit as
its response rate is (pppflow.outcomes.responder_test): a patient enters with the outcome
scored at a follow-up visit (and at baseline, for a rule that needs it); the event is the first
follow-up visit meeting the rule, by the patient's own week, else censored at the last scored
one.
"""

import math
from collections.abc import Sequence

import polars as pl

from pppflow import constants as c
from pppflow.outcomes import Outcome, responder_test, units_column
from pppflow.response import nominal_week, pppasi_column

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
        # The week of each response as a column first: a filter inside the aggregation runs per
        # group, several times slower on a million patients.
        scored.with_columns(pl.when(judged).then(pl.col("week")).alias("responded_week"))
        .group_by("patient_id")
        .agg(pl.col("responded_week").min().alias("first"), pl.col("week").max().alias("last"))
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
    weeks: Sequence[float] | pl.Series,
    responded: Sequence[bool] | pl.Series,
    confidence_level: float,
) -> tuple[float | None, float | None, float | None]:
    """Median time to response (or to any event) and its CI (None where not reached), by
    lifelines from each distinct (week, event) with its count as weight: lifelines' estimate of
    the patients one by one (its weights are counts of duplicates), without a million-row
    pandas frame at registry scale."""
    if len(weeks) == 0:
        return None, None, None
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    distinct = (
        pl.DataFrame(
            {
                "weeks": pl.Series(weeks, dtype=pl.Float64),
                "event": pl.Series(responded, dtype=pl.Boolean),
            }
        )
        .group_by("weeks", "event")
        .len()
        .sort("weeks", "event")
    )
    fitter = KaplanMeierFitter(alpha=1 - confidence_level).fit(
        distinct["weeks"].to_numpy(),
        distinct["event"].to_numpy(),
        weights=distinct["len"].to_numpy(),
    )
    band = median_survival_times(fitter.confidence_interval_)
    return (
        _finite(fitter.median_survival_time_),
        _finite(band.iloc[0, 0]),
        _finite(band.iloc[0, 1]),
    )


def first_declared_responses(
    units: pl.DataFrame, outcomes: Sequence[Outcome], baseline_visit: str
) -> dict[str, pl.DataFrame]:
    """first_response()'s table (patient_id, weeks, responded) of every declared responder,
    by endpoint name, from the declared outcomes' units per patient-visit
    (pppflow.outcomes.outcome_units): per patient with a value of the outcome at a dated
    follow-up visit (and, for a rule that needs it, at baseline), the week of the first response
    or of the last such visit. Every outcome's baseline is joined once and every responder
    counted in one grouping per patient."""
    judging = [o for o in outcomes if o.responders]
    if not judging:
        return {}
    names = [units_column(o.name) for o in judging]
    visit = pl.col("visit")
    base = (
        units.lazy()
        .filter(visit == baseline_visit)
        .select("patient_id", *(pl.col(n).alias(f"{n}\tbase") for n in names))
    )
    follow_up = (
        units.lazy()
        .filter((visit != baseline_visit) & pl.col("week").is_not_null())
        .select("patient_id", "week", *names)
        .join(base, on="patient_id", how="left")
    )
    weeks, aggregations = [], []
    for outcome in judging:
        name = units_column(outcome.name)
        at, at_base = pl.col(name), pl.col(f"{name}\tbase")
        for responder in outcome.responders:
            endpoint = outcome.endpoint(responder)
            test, needs_baseline = responder_test(outcome, responder, at, at_base)
            valid = at.is_not_null() & (at_base.is_not_null() if needs_baseline else True)
            # Each visit's week where it counts, as columns before grouping: a filter inside
            # the aggregation runs per group, several times slower on a million patients.
            weeks += [
                pl.when(valid).then(pl.col("week")).alias(f"{endpoint}\tseen"),
                pl.when(valid & test).then(pl.col("week")).alias(f"{endpoint}\tresponded"),
            ]
            aggregations += [
                pl.col(f"{endpoint}\tseen").max().alias(f"{endpoint}\tlast"),
                pl.col(f"{endpoint}\tresponded").min().alias(f"{endpoint}\tfirst"),
            ]
    per_patient = (
        follow_up.with_columns(weeks).group_by("patient_id").agg(aggregations).sort("patient_id")
    ).collect()
    found = {}
    for outcome in judging:
        for responder in outcome.responders:
            endpoint = outcome.endpoint(responder)
            first, last = pl.col(f"{endpoint}\tfirst"), pl.col(f"{endpoint}\tlast")
            found[endpoint] = per_patient.filter(last.is_not_null()).select(
                "patient_id",
                pl.coalesce(first, last).alias("weeks"),
                first.is_not_null().alias("responded"),
            )
    return found


def _row(endpoint: str, patients: pl.DataFrame, confidence_level: float) -> dict:
    median, low, high = kaplan_meier_median(
        patients["weeks"], patients["responded"], confidence_level
    )
    return {
        "endpoint": endpoint,
        "arm": None,
        "n": patients.height,
        "events": int(patients["responded"].sum()),
        "median_weeks": median,
        "ci_low": low,
        "ci_high": high,
        "p_logrank": None,
    }


def time_to_response(
    responses: pl.LazyFrame,
    confidence_level: float,
    declared: Sequence[Outcome] = (),
    units: pl.DataFrame | None = None,
    baseline_visit: str = "",
) -> pl.DataFrame:
    """time_to_response.csv: per endpoint (PPPASI 50, 75, then each declared responder) n,
    responses, median weeks to the first response with its CI; `arm` and `p_logrank` empty
    (one arm). `units`: the declared outcomes' (outcomes.outcome_units)."""
    rows = [
        _row(
            f"{c.PPPASI_ENDPOINT_PREFIX}{threshold}",
            first_response(responses, threshold),
            confidence_level,
        )
        for threshold in TIME_TO_RESPONSE_THRESHOLDS
    ]
    declared_patients = (
        first_declared_responses(units, declared, baseline_visit) if units is not None else {}
    )
    rows += [
        _row(endpoint, patients, confidence_level)
        for endpoint, patients in declared_patients.items()
    ]
    return pl.DataFrame(rows, schema=TIME_TO_RESPONSE_SCHEMA)


# The curve a chart draws ------------------------------------------------------------------------

CURVE_SCHEMA = {
    "endpoint": pl.Utf8,
    "arm": pl.Utf8,
    "week": pl.Float64,
    "at_risk": pl.Int64,
    "events": pl.Int64,
    "censored": pl.Int64,
    "cumulative": pl.Float64,
}
AT_RISK_SCHEMA = {"endpoint": pl.Utf8, "arm": pl.Utf8, "week": pl.Float64, "at_risk": pl.Int64}


def _arms(responses: pl.LazyFrame) -> list[str | None]:
    """The arms of responses.parquet (its optional `arm` column), [None] for one arm."""
    if "arm" not in responses.collect_schema().names():
        return [None]
    arms = responses.select(pl.col("arm").drop_nulls().unique().sort()).collect()["arm"]
    return arms.to_list() or [None]


def _of_arm(responses: pl.LazyFrame, arm: str | None) -> pl.LazyFrame:
    return responses if arm is None else responses.filter(pl.col("arm") == arm)


def product_limit(weeks: pl.Series, responded: pl.Series) -> pl.DataFrame:
    """The Kaplan-Meier estimate as a step curve: week, at_risk, events, censored and
    cumulative = 1 - S(week), one row per distinct time (a first row at week 0, cumulative 0).
    S(t) is the product over the event times t_j <= t of 1 - d_j / n_j."""
    times = (
        pl.DataFrame({"week": weeks.cast(pl.Float64), "responded": responded.cast(pl.Boolean)})
        .group_by("week")
        .agg(
            pl.col("responded").sum().cast(pl.Int64).alias("events"),
            (~pl.col("responded")).sum().cast(pl.Int64).alias("censored"),
        )
        .sort("week")
    )
    total = weeks.len()
    # n_j: everyone whose time is t_j or later
    leaving = (
        (pl.col("events") + pl.col("censored")).cum_sum() - pl.col("events") - pl.col("censored")
    )
    steps = times.with_columns((pl.lit(total, pl.Int64) - leaving).alias("at_risk")).with_columns(
        (1 - (1 - pl.col("events") / pl.col("at_risk")).cum_prod()).alias("cumulative")
    )
    start = pl.DataFrame(
        {"week": [0.0], "events": [0], "censored": [0], "at_risk": [total], "cumulative": [0.0]},
        schema={
            "week": pl.Float64,
            "events": pl.Int64,
            "censored": pl.Int64,
            "at_risk": pl.Int64,
            "cumulative": pl.Float64,
        },
    )
    if steps.height and steps["week"][0] == 0:
        return steps.select(start.columns)
    return pl.concat([start, steps.select(start.columns)])


def first_responses_by_arm(
    responses: pl.LazyFrame, thresholds: tuple[int, ...] = TIME_TO_RESPONSE_THRESHOLDS
) -> dict[tuple[str, str | None], pl.DataFrame]:
    """first_response's table per endpoint (PPPASI 50, 75) and arm (None for one arm), each
    computed once for the curve and the numbers at risk under it."""
    return {
        (f"{c.PPPASI_ENDPOINT_PREFIX}{threshold}", arm): first_response(
            _of_arm(responses, arm), threshold
        )
        for threshold in thresholds
        for arm in _arms(responses)
    }


def cumulative_response_curve(
    responses: pl.LazyFrame,
    thresholds: tuple[int, ...] = TIME_TO_RESPONSE_THRESHOLDS,
    patients: dict[tuple[str, str | None], pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Per endpoint (PPPASI 50, 75) and arm, the Kaplan-Meier cumulative response 1 - S over
    the weeks (product_limit) of the patients time_to_response.csv counts (first_response);
    `patients`: first_responses_by_arm's tables, where already at hand."""
    if patients is None:
        patients = first_responses_by_arm(responses, thresholds)
    frames = [
        product_limit(first["weeks"], first["responded"]).with_columns(
            pl.lit(endpoint).alias("endpoint"), pl.lit(arm, pl.Utf8).alias("arm")
        )
        for (endpoint, arm), first in patients.items()
        if first.height
    ]
    if not frames:
        return pl.DataFrame(schema=CURVE_SCHEMA)
    return pl.concat(frames).select(list(CURVE_SCHEMA)).cast(CURVE_SCHEMA)


def visit_weeks(responses: pl.LazyFrame) -> list[float]:
    """Week 0 and the nominal week of every follow-up visit, in order."""
    weeks = responses.group_by("visit").agg(nominal_week().alias("week")).collect()["week"]
    return sorted({0.0, *(float(w) for w in weeks.drop_nulls())})


def at_risk_by_week(
    responses: pl.LazyFrame,
    thresholds: tuple[int, ...] = TIME_TO_RESPONSE_THRESHOLDS,
    patients: dict[tuple[str, str | None], pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """The numbers at risk under a Kaplan-Meier chart: per endpoint and arm, at week 0 and at
    each visit's nominal week, the patients whose time (first response or censoring) is that
    week or later; `patients` as for cumulative_response_curve."""
    if patients is None:
        patients = first_responses_by_arm(responses, thresholds)
    weeks = visit_weeks(responses)
    rows = []
    for (endpoint, arm), first in patients.items():
        times = first["weeks"]
        rows += [
            {"endpoint": endpoint, "arm": arm, "week": week, "at_risk": int((times >= week).sum())}
            for week in weeks
        ]
    return pl.DataFrame(rows, schema=AT_RISK_SCHEMA)
