"""Time to first PPPASI 50 and 75 response: Kaplan-Meier median with its CI."""

import polars as pl
from _shim import start_logging

from pppflow.io import write_csv
from pppflow.time_to_response import time_to_response

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

table = time_to_response(pl.scan_parquet(inp.responses), params.confidence_level)
write_csv(table, out.time_to_response)
for endpoint, n, events in table.select("endpoint", "n", "events").rows():
    log.info("cohort %s: %s reached by %d of %d patients", cohort, endpoint, events, n)
