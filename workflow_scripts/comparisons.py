"""Between-arm comparisons of a randomised cohort, over its randomised period (to the switch
visit), by randomised arm: responder endpoints (comparisons.csv, declared responders too),
PPPASI change and percent change (continuous_comparisons.csv), the endpoint visit's subgroups
(subgroup_comparisons.csv), the mixed model over the visits (repeated_measures.csv) and each
arm's mean change from baseline per visit (mean_change.csv)."""

import polars as pl
from _shim import start_logging

from pppflow.arm_settings import design_from_config
from pppflow.arms import ARM_RESPONSE_COLUMNS, comparison_frame
from pppflow.between_arms import repeated_measures_within_reach
from pppflow.comparisons import comparisons
from pppflow.continuous_comparisons import continuous_comparisons
from pppflow.io import write_csv, write_parquet
from pppflow.mean_change import mean_change_by_arm
from pppflow.outcomes import declared_endpoints, outcomes_from_config
from pppflow.response import ENDPOINTS, endpoints_of, unrecorded_outcomes
from pppflow.subgroup_comparisons import SUBGROUP_COMPARISONS_SCHEMA, subgroup_comparisons

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

design = design_from_config(**params.arms)
scores = pl.read_parquet(inp.pppasi)
patients = pl.read_parquet(inp.patients)
subgroup_columns = [g for g in params.subgroup_columns if g in patients.columns]
responses = pl.read_parquet(inp.responses)
declared = outcomes_from_config(params.outcomes)
endpoints = [
    (e.label, e.column)
    for e in ENDPOINTS
    if e.label not in endpoints_of(unrecorded_outcomes(scores))
]
# The declared responders, judged in responses.parquet beside the built-in endpoints.
endpoints += [(name, name) for name in declared_endpoints(declared)]
frame = comparison_frame(responses, patients, design, subgroup_columns)
left_out = (
    responses.select("visit").unique().join(frame.select("visit").unique(), on="visit", how="anti")
)
if not left_out.is_empty():
    log.info(
        "cohort %s: visits after the switch visit %s left out of the comparisons: %s",
        cohort,
        design.switch_visit,
        ", ".join(sorted(left_out["visit"].to_list())),
    )

rates = comparisons(
    frame,
    endpoints,
    design.reference,
    design.strata,
    params.confidence_level,
    params.missing,
)
write_csv(rates, out.comparisons)
write_parquet(frame.select(ARM_RESPONSE_COLUMNS), out.arm_responses)
write_csv(continuous_comparisons(frame, design.reference, params.confidence_level), out.continuous)
write_csv(mean_change_by_arm(frame, design.reference, params.confidence_level), out.mean_change)
# The endpoint visit's rows once, rather than each endpoint filtering every visit's.
at_endpoint = frame.filter(pl.col("visit") == params.endpoint_visit)
subgroups = (
    pl.concat(
        [
            subgroup_comparisons(
                at_endpoint,
                endpoint,
                params.endpoint_visit,
                subgroup_columns,
                design.reference,
                params.confidence_level,
            )
            for endpoint in endpoints
        ]
    )
    if subgroup_columns
    else pl.DataFrame(schema=SUBGROUP_COMPARISONS_SCHEMA)
)
write_csv(subgroups, out.subgroups)
write_csv(
    repeated_measures_within_reach(frame, design.reference, params.confidence_level),
    out.repeated,
)
for row in rates.filter(pl.col("visit") == params.endpoint_visit).iter_rows(named=True):
    log.info(
        "cohort %s: %s at %s, %s %d/%d vs %s %d/%d, difference %s, Fisher P %s",
        cohort,
        row["endpoint"],
        row["visit"],
        row["arm"],
        row["responders"],
        row["evaluable"],
        row["reference_arm"],
        row["reference_responders"],
        row["reference_evaluable"],
        row["rate_difference"],
        row["p_fisher"],
    )
