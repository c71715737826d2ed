"""What the between-arm job (rules/comparisons.smk) needs beside the comparison modules: the
declared outcomes' responder endpoints judged per patient and follow-up visit
(pppflow.comparisons takes responder columns, not counts), and the mixed model kept to cohorts it
can be fitted for in reasonable time. Kept apart from pppflow.arms so that the jobs reading only
pooled rows do not depend on the outcomes or statistics code."""

from collections.abc import Sequence

import polars as pl

from pppflow.comparisons import compared_arms, visits_in_order
from pppflow.continuous_comparisons import CONTINUOUS_OUTCOMES
from pppflow.outcomes import LOCF, responder_test
from pppflow.repeated_measures import REPEATED_MEASURES_SCHEMA, repeated_measures
from pppflow.response import nominal_week

# statsmodels' MixedLM takes about 20 s for 10,000 patients (one random intercept each) and
# grows faster than the patients; above this many it is not fitted (the rows say so).
REPEATED_MEASURES_MAX_PATIENTS = 5000


def repeated_measures_within_reach(
    frame: pl.DataFrame,
    reference_arm: str,
    confidence_level: float,
    max_patients: int = REPEATED_MEASURES_MAX_PATIENTS,
) -> pl.DataFrame:
    """repeated_measures.repeated_measures where the observed patients are at most
    `max_patients`; otherwise its rows (outcome, visit, arm) with no estimate and the reason in
    `method`."""
    patients = frame.filter(pl.col("observed"))["patient_id"].n_unique()
    if patients <= max_patients:
        return repeated_measures(frame, reference_arm, confidence_level)
    reason = (
        f"not fitted: {patients} patients, above the {max_patients} the mixed model is fitted "
        "for (statsmodels MixedLM's time grows faster than the patients); "
        "continuous_comparisons.csv compares the arms at each visit"
    )
    rows = [
        (outcome, visit, arm, reference_arm, None, None, None, None, patients, None, reason)
        for outcome in CONTINUOUS_OUTCOMES
        for visit in visits_in_order(frame)
        for arm in compared_arms(frame, reference_arm)
    ]
    return pl.DataFrame(rows, schema=REPEATED_MEASURES_SCHEMA, orient="row")


def declared_responses(
    long: pl.DataFrame,
    scores: pl.DataFrame,
    outcomes: Sequence,
    baseline_visit: str,
    missing_rule: str,
) -> pl.DataFrame:
    """patient_id, visit and one Boolean column per declared responder endpoint
    (`<outcome>:<responder>`), per patient with a baseline visit and follow-up visit, judged as
    pppflow.outcomes.responder_rates counts them: null where not evaluable or (under observed)
    missing, False for a missing visit under nri, and under locf the patient's last observed
    follow-up value of the outcome in place of a missing one (none before: missing)."""
    weeks = (
        scores.filter(pl.col("visit") != baseline_visit)
        .group_by("visit")
        .agg(nominal_week().alias("week"))
    )
    grid = (
        scores.filter(pl.col("visit") == baseline_visit)
        .select(pl.col("patient_id").cast(pl.Utf8))
        .unique(maintain_order=True)
        .join(weeks, how="cross")
        .sort("patient_id", "week", "visit")
    )
    columns = []
    for outcome in outcomes:
        if not outcome.responders:
            continue
        values = long.filter(pl.col("outcome") == outcome.name)
        base = values.filter(pl.col("visit") == baseline_visit).select(
            "patient_id", pl.col("units").alias("base")
        )
        at = values.select("patient_id", "visit", pl.col("units").alias("at"))
        judged_grid = grid.join(base, on="patient_id", how="left", maintain_order="left").join(
            at, on=["patient_id", "visit"], how="left", maintain_order="left"
        )
        seen = pl.col("at").is_not_null()
        judged_grid = judged_grid.with_columns(seen.alias("seen"))
        if missing_rule == LOCF:
            judged_grid = judged_grid.with_columns(pl.col("at").forward_fill().over("patient_id"))
        for responder in outcome.responders:
            test, needs_baseline = responder_test(outcome, responder)
            defined = pl.col("base").is_not_null() if needs_baseline else pl.lit(True)
            judged = pl.when(pl.col("at").is_not_null() & defined).then(test)
            if missing_rule == "nri":
                judged = judged.when(~pl.col("seen") & defined).then(pl.lit(False))
            columns.append(
                judged_grid.select(
                    judged.otherwise(pl.lit(None, pl.Boolean)).alias(outcome.endpoint(responder))
                )
            )
    return pl.concat([grid.select("patient_id", "visit"), *columns], how="horizontal")
