"""The adverse events table from the validated events (empty when the cohort has no events file)."""

import sys

import polars as pl
from _shim import start_logging

from pppflow.io import write_csv
from pppflow.safety import SAFETY_SCHEMA, safety_table

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out = snakemake.input, snakemake.output

if not snakemake.params.recorded:
    # No events file says nothing about events: no row, rather than a row of zeros.
    write_csv(pl.DataFrame(schema=SAFETY_SCHEMA), out.safety)
    log.info("cohort %s: no events file: safety.csv has no rows", cohort)
    sys.exit(0)
events = pl.read_parquet(inp.events)
table = safety_table(events, pl.read_parquet(inp.visits), pl.read_parquet(inp.patients))
write_csv(table, out.safety)
log.info("cohort %s: %d adverse events of %d terms", cohort, events.height, table.height - 1)
