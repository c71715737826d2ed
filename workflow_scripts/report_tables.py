"""Write each result table of a cohort as a standalone HTML page for the report: formatted for
reading (the CSV, embedded as a download, keeps full precision); the audit's page opens with its
verdicts, decisive mismatches first, and Table 1's with the table as papers print it.

Only the rows a page shows are read, and the rows are counted without parsing them, so that a
large cohort costs little more than a small one; a CSV too large to embed is named by its path.
"""

from pathlib import Path

import polars as pl
from _shim import start_logging

from pppflow.constants import REPORT_TABLE_MAX_ROWS
from pppflow.formatting import readable_frame
from pppflow.io import write_text
from pppflow.pages import embeds_csv, table_html
from pppflow.summary import audit_view, read_audit
from pppflow.table1 import table1_view
from pppflow.tables import REPORT_TABLES, labels_from_param

log = start_logging(snakemake)
inp, out, params = snakemake.input, snakemake.output, snakemake.params
alpha = params.alpha

for name, (title, description) in REPORT_TABLES.items():
    if name not in inp.keys():
        continue
    csv = Path(inp[name])
    total_rows = pl.scan_csv(csv, infer_schema=False).select(pl.len()).collect().item()
    table = pl.read_csv(csv, infer_schema=False, n_rows=REPORT_TABLE_MAX_ROWS)
    embedded = embeds_csv(csv.stat().st_size)
    audit = t1 = None
    if name == "audit":
        audit = audit_view(read_audit(str(csv)))
    if name == "table1" and table.height:
        t1 = table1_view(
            table,
            group_column=params.table1_group_column,
            labels=labels_from_param(params.table1_labels),
            continuous=params.table1_continuous,
        )
    write_text(
        table_html(
            table if name in ("audit", "table1") else readable_frame(table, alpha),
            title=title,
            description=description,
            csv_name=csv.name,
            csv_bytes=csv.read_bytes() if embedded else None,
            total_rows=total_rows,
            csv_path=str(inp[name]),
            audit=audit,
            t1=t1,
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
