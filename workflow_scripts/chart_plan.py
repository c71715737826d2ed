"""List the charts a cohort gets, one name a line: the DAG reads it to ask for them."""

import polars as pl
from _shim import start_logging

from pppflow.chart_plan import planned_charts
from pppflow.io import write_text

log = start_logging(snakemake)
inp, out, params = snakemake.input, snakemake.output, snakemake.params

pppasi = pl.read_parquet(inp.pppasi, columns=["visit"])
names = planned_charts(pppasi, params.charts, params.trend_charts)
write_text("".join(f"{name}\n" for name in names), out[0])
log.info(
    "cohort %s: %d visit labels, charts %s",
    snakemake.wildcards.cohort,
    pppasi.get_column("visit").n_unique(),
    ", ".join(names),
)
