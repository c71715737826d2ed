"""Classify responses per patient and follow-up visit; write the endpoint table and the rates."""

import polars as pl
from _shim import start_logging

from pppflow.fast_paths.response import responses_table
from pppflow.io import write_csv, write_parquet
from pppflow.outcomes import outcomes_from_config, responder_rates
from pppflow.response import endpoints_of, per_patient, response_rates, unrecorded_outcomes

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

scores = pl.read_parquet(inp.pppasi)
responses = responses_table(
    scores, params.baseline_visit, params.missing, fast_paths=params.fast_paths
)
endpoint = per_patient(responses.lazy(), params.endpoint_visit).collect()
rates = response_rates(responses.lazy(), params.missing, params.confidence_level)
unrecorded = unrecorded_outcomes(scores)
if unrecorded:
    rates = rates.filter(~pl.col("endpoint").is_in(endpoints_of(unrecorded)))
    log.info("cohort %s: no %s recorded: its endpoints are left out", cohort, "/".join(unrecorded))
declared = outcomes_from_config(params.outcomes)
if declared:
    rates = pl.concat(
        [
            rates,
            responder_rates(
                pl.read_parquet(inp.outcomes),
                scores,
                declared,
                params.baseline_visit,
                params.missing,
                params.confidence_level,
            ),
        ]
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
