"""Draw a cohort's charts over the weeks (cohorts with more than two visits)."""

from pathlib import Path

import polars as pl
from _chart_files import write_rendered
from _shim import start_logging

from pppflow import charts
from pppflow.render import render_chart

log = start_logging(snakemake)  # noqa: F821
cohort = snakemake.wildcards.cohort  # noqa: F821
inp, out, params = snakemake.input, snakemake.output, snakemake.params  # noqa: F821
size = charts.ChartSize(params.width, params.height)
library = Path(inp.library).read_text(encoding="utf-8")

pppasi = pl.read_parquet(inp.pppasi)
rates = pl.read_csv(inp.rates)
drawn = {
    "response_rates_over_time": charts.response_rates_over_time_chart(
        rates, confidence_level=params.confidence_level, cohort=cohort, size=size
    ),
    "pppasi_over_time": charts.pppasi_over_time_chart(pppasi, cohort=cohort, size=size),
}
for name, chart in drawn.items():
    write_rendered(render_chart(chart, png_scale=params.png_scale, library=library), out, name)
log.info("cohort %s: %d charts over the weeks drawn", cohort, len(drawn))
