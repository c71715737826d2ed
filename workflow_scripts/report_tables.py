"""Write each result table of a cohort as a standalone HTML page for the report.

Only the rows a page shows are read, and the rows are counted without parsing them, so that a
large cohort costs little more than a small one; a CSV too large to embed is named by its path.
"""

from pathlib import Path

import polars as pl
from _shim import start_logging

from pppflow.constants import REPORT_TABLE_MAX_ROWS
from pppflow.io import write_text
from pppflow.pages import embeds_csv, table_html

log = start_logging(snakemake)
inp, out, params = snakemake.input, snakemake.output, snakemake.params
cohort = snakemake.wildcards.cohort

for name, (title, description) in params.tables.items():
    csv = Path(inp[name])
    total_rows = pl.scan_csv(csv, infer_schema=False).select(pl.len()).collect().item()
    table = pl.read_csv(csv, infer_schema=False, n_rows=REPORT_TABLE_MAX_ROWS)
    embedded = embeds_csv(csv.stat().st_size)
    summary_path = params.summaries.get(name, "").format(cohort=cohort)
    summary = Path(summary_path).read_text(encoding="utf-8") if summary_path else None
    write_text(
        table_html(
            table,
            title=title,
            description=description,
            csv_name=csv.name,
            csv_bytes=csv.read_bytes() if embedded else None,
            summary=summary,
            total_rows=total_rows,
            csv_path=str(inp[name]),
        ),
        out[f"{name}_page"],
    )
    log.info(
        "%s: %d rows, %d shown, CSV %s",
        csv,
        total_rows,
        table.height,
        "embedded" if embedded else "named, not embedded",
    )
