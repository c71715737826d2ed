"""Write each result table of a cohort as a standalone HTML page for the report."""

from pathlib import Path

import polars as pl
from _shim import start_logging

from pppflow.io import write_text
from pppflow.pages import table_html

log = start_logging(snakemake)  # noqa: F821
inp, out, params = snakemake.input, snakemake.output, snakemake.params  # noqa: F821
cohort = snakemake.wildcards.cohort  # noqa: F821

for name, (title, description) in params.tables.items():
    csv = Path(inp[name])
    table = pl.read_csv(csv, infer_schema=False)
    summary_path = params.summaries.get(name, "").format(cohort=cohort)
    summary = Path(summary_path).read_text(encoding="utf-8") if summary_path else None
    write_text(
        table_html(
            table,
            title=title,
            description=description,
            csv_name=csv.name,
            csv_bytes=csv.read_bytes(),
            summary=summary,
        ),
        out[f"{name}_page"],
    )
    log.info("%s: %d rows written as a page", csv, table.height)
