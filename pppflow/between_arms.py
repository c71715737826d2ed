"""What the between-arm job (rules/comparisons.smk) needs beside the comparison modules: the
mixed model kept to cohorts it can be fitted for in reasonable time (the declared outcomes'
responders come judged in responses.parquet, by the response job). Kept apart
from pppflow.arms so that the jobs reading only pooled rows do not depend on the outcomes or
statistics code."""

import polars as pl

from pppflow.repeated_measures import repeated_measures

# statsmodels' MixedLM loops over the patients in Python (one random intercept each): about 2 s
# per outcome for 2,000 patients over 5 visits, 4 s for 4,000, 11 s for 10,000. A larger cohort's
# model is fitted on a seeded random subsample of this many patients of each arm (the rows say
# so), which keeps a registry-sized trial within docs/benchmarks.md's target; the comparisons at
# each visit (continuous_comparisons.csv) use every patient. PPP trials have a few hundred
# patients an arm, so theirs is fitted whole.
REPEATED_MEASURES_MAX_PATIENTS = 1000
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
