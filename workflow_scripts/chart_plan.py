"""List the charts a cohort gets, one name a line: the DAG reads it to ask for them."""

import polars as pl
from _shim import start_logging

from pppflow.charts.registry import planned_charts
from pppflow.io import write_text

log = start_logging(snakemake)
inp, out = snakemake.input, snakemake.output

visit_labels = pl.read_parquet(inp.pppasi, columns=["visit"]).get_column("visit").n_unique()
names = planned_charts(visit_labels)
write_text("".join(f"{name}\n" for name in names), out[0])
log.info(
    "cohort %s: %d visit labels, charts %s",
    snakemake.wildcards.cohort,
    visit_labels,
    ", ".join(names),
)
