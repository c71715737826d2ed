"""Draw a cohort's charts over the weeks (cohorts with more than two visits)."""

import polars as pl
from _chart_files import render_and_write
from _shim import start_logging

from pppflow import charts

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, params = snakemake.input, snakemake.params
size = charts.ChartSize(params.width, params.height)

pppasi = pl.read_parquet(inp.pppasi)
rates = pl.read_csv(inp.rates)
drawn = {
    "response_rates_over_time": charts.response_rates_over_time_chart(
        rates, confidence_level=params.confidence_level, cohort=cohort, size=size
    ),
    "pppasi_over_time": charts.pppasi_over_time_chart(pppasi, cohort=cohort, size=size),
}
render_and_write(drawn, snakemake)
log.info("cohort %s: %d charts over the weeks drawn", cohort, len(drawn))
