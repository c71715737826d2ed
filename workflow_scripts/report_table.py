"""Write one result table of a cohort as a standalone HTML page for the report."""

from pathlib import Path

import polars as pl
from _shim import start_logging

from pppflow.io import write_text
from pppflow.pages import table_html

log = start_logging(snakemake)  # noqa: F821
inp, out, params = snakemake.input, snakemake.output, snakemake.params  # noqa: F821

csv = Path(inp.table)
table = pl.read_csv(csv, infer_schema=False)
summary = Path(inp.summary[0]).read_text(encoding="utf-8") if inp.summary else None
write_text(
    table_html(
        table,
        title=params.title,
        description=params.description,
        csv_name=csv.name,
        csv_bytes=csv.read_bytes(),
        summary=summary,
    ),
    out[0],
)
log.info("%s: %d rows written as a page", csv, table.height)
