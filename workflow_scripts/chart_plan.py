"""List the charts a cohort gets, one name a line: the DAG reads it to ask for them."""

import polars as pl
from _shim import start_logging

from pppflow.charts.registry import ARM_COLUMN, planned_charts
from pppflow.io import write_text

log = start_logging(snakemake)
inp, out = snakemake.input, snakemake.output

scores = pl.scan_parquet(inp.pppasi)
columns = scores.collect_schema().names()
counts = scores.select(
    pl.col("visit").n_unique().alias("visit_labels"),
    (pl.col("pga").count() if "pga" in columns else pl.lit(0)).alias("pga_grades"),
).collect()
visit_labels, pga_grades = counts.row(0)
# A cohort without an `arm` column has no arms; patients without an arm belong to none.
patients = pl.scan_parquet(inp.patients)
arms = (
    patients.select(pl.col(ARM_COLUMN).drop_nulls().n_unique()).collect().item()
    if ARM_COLUMN in patients.collect_schema().names()
    else 0
)
names = planned_charts(visit_labels, pga_recorded=pga_grades > 0, arms=arms)
write_text("".join(f"{name}\n" for name in names), out[0])
log.info(
    "cohort %s: %d visit labels, %d PGA grades, %d arms, charts %s",
    snakemake.wildcards.cohort,
    visit_labels,
    pga_grades,
    arms,
    ", ".join(names),
)
