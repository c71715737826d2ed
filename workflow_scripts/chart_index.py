"""Write the page that shows every chart of a cohort, beside the charts themselves, each with
its caption filled in as the report fills it."""

from _chart_pages import charts_with_captions
from _shim import start_logging

from pppflow.io import write_text
from pppflow.pages import chart_index_html

log = start_logging(snakemake)
inp, out, params = snakemake.input, snakemake.output, snakemake.params
cohort = snakemake.wildcards.cohort

charts = charts_with_captions(inp.svgs, cohort, params)
write_text(chart_index_html(cohort, charts), out[0])
log.info("index of %d charts written", len(charts))
