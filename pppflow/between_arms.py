"""What the between-arm job (rules/comparisons.smk) needs beside the comparison modules: the
declared outcomes' responder endpoints judged per patient and follow-up visit
(pppflow.comparisons takes responder columns, not counts), and the mixed model kept to cohorts it
can be fitted for in reasonable time. Kept apart from pppflow.arms so that the jobs reading only
pooled rows do not depend on the outcomes or statistics code."""

from collections.abc import Sequence

import polars as pl

from pppflow.outcomes import LOCF, responder_test
from pppflow.repeated_measures import repeated_measures
from pppflow.response import nominal_week

# statsmodels' MixedLM takes about 20 s for 10,000 patients (one random intercept each) and
# grows faster than the patients: a larger cohort's model is fitted on a seeded random
# subsample of this many patients of each arm (the rows say so). The comparisons at each visit
# (continuous_comparisons.csv) use every patient.
REPEATED_MEASURES_MAX_PATIENTS = 5000
SUBSAMPLE_SEED = 0


def repeated_measures_within_reach(
    frame: pl.DataFrame,
    reference_arm: str,
    confidence_level: float,
    max_patients: int = REPEATED_MEASURES_MAX_PATIENTS,
) -> pl.DataFrame:
    """repeated_measures.repeated_measures on every patient where an arm has at most
    `max_patients` observed patients; otherwise on a seeded random subsample of `max_patients`
    patients of each arm, said in `method`."""
    observed = frame.filter(pl.col("observed")).select("patient_id", "arm").unique()
    sizes = dict(observed.group_by("arm").len().iter_rows())
    if max(sizes.values(), default=0) <= max_patients:
        return repeated_measures(frame, reference_arm, confidence_level)
    kept = pl.concat(
        [
            group.sort("patient_id").sample(min(max_patients, group.height), seed=SUBSAMPLE_SEED)
            for _, group in observed.sort("arm").group_by("arm", maintain_order=True)
        ]
    )["patient_id"]
    fitted = repeated_measures(
        frame.filter(pl.col("patient_id").is_in(kept.implode())), reference_arm, confidence_level
    )
    note = (
        f"; fitted on a random subsample of {max_patients} patients per arm (seed "
        f"{SUBSAMPLE_SEED}) of {observed.height} (statsmodels MixedLM's time grows faster than "
        "the patients; continuous_comparisons.csv compares the arms at each visit on every "
        "patient)"
    )
    return fitted.with_columns(pl.col("method") + pl.lit(note))


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
