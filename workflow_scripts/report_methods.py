"""The report's methods page: the cohorts and settings of the run, and the steps."""

from _shim import start_logging

from pppflow.constants import REPORT_TABLE_MAX_ROWS
from pppflow.io import write_text
from pppflow.pages import render

log = start_logging(snakemake)
out, params = snakemake.output, snakemake.params

write_text(
    render(
        "methods.html.j2",
        title="Methods of this run",
        cohorts=params.cohorts,
        confidence_level=params.confidence_level,
        alpha=params.alpha,
        max_rows=f"{REPORT_TABLE_MAX_ROWS:,}",
    ),
    out[0],
)
log.info("methods page for %d cohorts", len(params.cohorts))
