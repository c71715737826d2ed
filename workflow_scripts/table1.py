"""Table 1: baseline characteristics overall and by group, as CSV and Markdown."""

import sys

import polars as pl
from _shim import start_logging

from pppflow.io import write_csv, write_text
from pppflow.table1 import (
    baseline_characteristics,
    free_text_columns,
    not_scalar_columns,
    table1,
    table1_markdown,
)

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

frame = baseline_characteristics(
    pl.read_parquet(inp.patients), pl.read_parquet(inp.pppasi), params.baseline_visit
)
group = params.group_column or None
if group is not None and group not in frame.columns:
    log.info("cohort %s: no %s column; Table 1 is overall only", cohort, group)
    group = None
try:
    table = table1(frame, group, first_group=params.first_group)
except ValueError as err:
    log.error("cohort %s: %s (file %s)", cohort, err, inp.patients)
    sys.exit(1)
left_out = free_text_columns(frame, group)
skipped = not_scalar_columns(frame)
by = f" by {group}" if group else ""
markdown = table1_markdown(
    table, f"Table 1: baseline characteristics, {cohort}{by}", left_out, skipped
)

write_csv(table, out.table1)
write_text(markdown, out.markdown)
log.info(
    "cohort %s: Table 1 with %d rows; free text not tabulated: %s; not one value per patient: %s",
    cohort,
    table.height,
    ", ".join(left_out) or "none",
    ", ".join(skipped) or "none",
)
