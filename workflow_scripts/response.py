"""Classify responses per patient and follow-up visit; write the endpoint table and the rates."""

import polars as pl
from _shim import start_logging

from pppflow.arm_settings import design_from_config
from pppflow.arms import arm_assignment, per_arm_rows
from pppflow.fast_paths.response import responses_table
from pppflow.io import write_csv, write_parquet
from pppflow.locf import carry_forward
from pppflow.outcomes import LOCF, outcomes_from_config, responder_rates
from pppflow.response import endpoints_of, per_patient, response_rates, unrecorded_outcomes

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
declared = outcomes_from_config(params.outcomes)
units = pl.read_parquet(inp.outcomes) if declared else None


def rates_of(keep, arm):
    """response_rates.csv's rows of the patients `keep` leaves (every patient, or one arm's)."""
    rates = response_rates(keep(responses).lazy(), params.missing, params.confidence_level)
    rates = rates.filter(~pl.col("endpoint").is_in(endpoints_of(unrecorded)))
    if declared:
        more = responder_rates(
            keep(units),
            keep(scores),
            declared,
            params.baseline_visit,
            params.missing,
            params.confidence_level,
        )
        rates = pl.concat([rates, more])
    return rates


design = design_from_config(**params.arms)
rates = per_arm_rows(
    rates_of,
    arm_assignment(pl.read_parquet(inp.patients), design),
    design.reference if design else None,
    after="visit",
)

write_parquet(responses, out.responses)
write_parquet(endpoint, out.per_patient)
write_csv(endpoint, out.per_patient_csv)
write_csv(rates, out.rates)
log.info(
    "cohort %s: %d patients, %d patient x follow-up rows, missing rule %s",
    cohort,
    endpoint.height,
    responses.height,
    params.missing,
)
