"""Write the page that shows every chart of a cohort, beside the charts themselves, each with
its caption filled in as the report fills it."""

from pathlib import Path

from _shim import start_logging

from pppflow.charts.captions import caption_paragraphs
from pppflow.charts.registry import BY_NAME
from pppflow.io import write_text
from pppflow.pages import IndexedChart, chart_index_html

log = start_logging(snakemake)
inp, out, params = snakemake.input, snakemake.output, snakemake.params
cohort = snakemake.wildcards.cohort

charts = []
for svg in inp.svgs:
    chart = BY_NAME[Path(svg).stem]
    template = Path(chart.caption).read_text(encoding="utf-8")
    paragraphs = caption_paragraphs(template, cohort=cohort, params=dict(params.items()))
    charts.append(IndexedChart(chart.name, chart.title, Path(svg).read_text(), tuple(paragraphs)))
write_text(chart_index_html(cohort, charts), out[0])
log.info("index of %d charts written", len(charts))
