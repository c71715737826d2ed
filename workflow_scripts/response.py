"""Classify responses per patient and follow-up visit; write the endpoint table, the rates and
the rates by subgroup (dose, joint involvement, prior biologic exposure) of the built-in
endpoints and the declared responders; with arms, the whole cohort's rows then each arm's."""

import polars as pl
from _shim import start_logging

from pppflow.arm_settings import design_from_config
from pppflow.arms import arm_assignment, per_arm_rows
from pppflow.fast_paths.response import responses_table
from pppflow.io import write_csv, write_parquet
from pppflow.locf import carry_forward
from pppflow.outcomes import (
    LOCF,
    declared_endpoints,
    declared_judgements,
    declared_rates,
    outcome_wide,
    outcomes_from_config,
)
from pppflow.response import (
    endpoints_of,
    follow_up_visits,
    per_patient,
    response_rates,
    unrecorded_outcomes,
)
from pppflow.subgroup_rates import (
    absent_group_columns,
    endpoint_columns,
    subgroup_response_rates,
)

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

scores = pl.read_parquet(inp.pppasi)
# locf: judged as observed, then each missed follow-up visit takes the patient's last observed
# follow-up visit's values (locf.carry_forward; `observed` stays false on those rows).
locf = params.missing == LOCF
responses = responses_table(
    scores,
    params.baseline_visit,
    "observed" if locf else params.missing,
    fast_paths=params.fast_paths,
)
if locf:
    responses = carry_forward(responses)
endpoint = per_patient(responses.lazy(), params.endpoint_visit).collect()
unrecorded = unrecorded_outcomes(scores)
if unrecorded:
    log.info("cohort %s: no %s recorded: its endpoints are left out", cohort, "/".join(unrecorded))
# The declared responders judged once on the responses' own rows: counted per arm here, and
# written beside the built-in endpoints for the stages after (subgroups, comparisons).
declared = outcomes_from_config(params.outcomes)
judgements = declared_judgements(
    outcome_wide(scores, pl.read_parquet(inp.outcomes), declared),
    responses.select("patient_id", "visit"),
    declared,
    params.baseline_visit,
    params.missing,
)
follow_up = follow_up_visits(scores.lazy(), params.baseline_visit).collect()


def rates_of(keep, arm):
    """response_rates.csv's rows of the patients `keep` leaves (every patient, or one arm's)."""
    rates = response_rates(keep(responses.lazy()), params.missing, params.confidence_level)
    rates = rates.filter(~pl.col("endpoint").is_in(endpoints_of(unrecorded)))
    if declared_endpoints(declared):
        more = declared_rates(
            keep(judgements), follow_up, declared, params.missing, params.confidence_level
        )
        rates = pl.concat([rates, more])
    return rates


patients = pl.read_parquet(inp.patients)
design = design_from_config(**params.arms)
assignment = arm_assignment(patients, design)
reference = design.reference if design else None
rates = per_arm_rows(rates_of, assignment, reference, after="visit")

responses = responses.with_columns(judgements.select(declared_endpoints(declared)))

absent = absent_group_columns(patients, params.group_columns)
if absent:
    # The default subgroups are columns a cohort may simply not record: not a warning.
    log.info(
        "cohort %s: no column(s) %s in the patients table: no subgroup rates for them",
        cohort,
        ", ".join(absent),
    )
# Only the columns counted: each arm's rows are a filtered copy.
judged = responses.select(
    "patient_id",
    "visit",
    "week",
    *(c for c in endpoint_columns().values() if c in responses.columns),
    *declared_endpoints(declared),
)
subgroups = per_arm_rows(
    lambda keep, arm: subgroup_response_rates(
        keep(judged),
        patients,
        params.group_columns,
        params.confidence_level,
        declared_endpoints(declared),
    ).filter(~pl.col("endpoint").is_in(endpoints_of(unrecorded))),
    assignment,
    reference,
    after="visit",
)
write_parquet(responses, out.responses)
write_parquet(endpoint, out.per_patient)
write_csv(endpoint, out.per_patient_csv)
write_csv(rates, out.rates)
write_csv(subgroups, out.subgroup_rates)
log.info(
    "cohort %s: %d patients, %d patient x follow-up rows, missing rule %s",
    cohort,
    endpoint.height,
    responses.height,
    params.missing,
)
