"""Write the page that shows every chart of a cohort, beside the charts themselves."""

from pathlib import Path

from _shim import start_logging

from pppflow.charts.registry import BY_NAME
from pppflow.io import write_text
from pppflow.pages import chart_index_html

log = start_logging(snakemake)  # noqa: F821
inp, out = snakemake.input, snakemake.output  # noqa: F821

charts = [
    (Path(svg).stem, BY_NAME[Path(svg).stem].title, Path(svg).read_text()) for svg in inp.svgs
]
write_text(chart_index_html(snakemake.wildcards.cohort, charts), out[0])  # noqa: F821
log.info("index of %d charts written", len(charts))
