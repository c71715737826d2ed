"""Write the page that shows every chart of a cohort, beside the charts themselves."""

from pathlib import Path

from _shim import start_logging

from pppflow.io import write_text
from pppflow.pages import chart_index_html

log = start_logging(snakemake)
inp, out, params = snakemake.input, snakemake.output, snakemake.params

charts = [
    (Path(svg).stem, params.titles.get(Path(svg).stem, Path(svg).stem), Path(svg).read_text())
    for svg in inp.svgs
]
write_text(chart_index_html(snakemake.wildcards.cohort, charts), out[0])
log.info("index of %d charts written", len(charts))
