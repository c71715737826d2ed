"""Percent change in PPPASI from baseline per follow-up visit: mean and median with their CIs."""

import polars as pl
from _shim import start_logging

from pppflow.io import write_csv
from pppflow.percent_change import percent_change_summary

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

summary = percent_change_summary(pl.scan_parquet(inp.responses), params.confidence_level)
write_csv(summary, out.percent_change)
for visit, n in summary.select("visit", "n").rows():
    log.info("cohort %s: percent change at %s on %d patients", cohort, visit, n)
