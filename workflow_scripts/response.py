"""Classify responses per patient and follow-up visit; write the endpoint table and the rates."""

import polars as pl
from _shim import start_logging

from pppflow.fast_paths.response import responses_table
from pppflow.io import write_csv, write_parquet
from pppflow.response import per_patient, response_rates

log = start_logging(snakemake)  # noqa: F821
cohort = snakemake.wildcards.cohort  # noqa: F821
inp, out, params = snakemake.input, snakemake.output, snakemake.params  # noqa: F821

responses = responses_table(
    pl.read_parquet(inp.pppasi),
    params.baseline_visit,
    params.missing,
    fast_paths=params.fast_paths,
)
endpoint = per_patient(responses.lazy(), params.endpoint_visit).collect()
rates = response_rates(responses.lazy(), params.missing, params.confidence_level)

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
