"""The cohort's patient flow: in the files, with a baseline, at each visit, analysed per endpoint."""

import polars as pl
from _shim import start_logging

from pppflow.flow import patient_flow
from pppflow.io import write_csv

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

flow = patient_flow(
    pl.read_parquet(inp.patients),
    pl.read_parquet(inp.pppasi),
    pl.read_parquet(inp.responses, columns=["visit", "week", "observed"]),
    pl.read_csv(inp.rates),
    params.baseline_visit,
    params.endpoint_visit,
    params.missing,
)
write_csv(flow, out.flow)
log.info("cohort %s: %d flow steps", cohort, flow.height)
