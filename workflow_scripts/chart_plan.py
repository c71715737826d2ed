"""List the charts a cohort gets, one name a line: the DAG reads it to ask for them."""

import polars as pl
from _shim import start_logging

from pppflow.charts.registry import planned_charts
from pppflow.constants import OUTCOME_UNITS_SUFFIX, STOP_WEEK_COLUMN
from pppflow.io import write_text

log = start_logging(snakemake)
inp, out = snakemake.input, snakemake.output

visits = pl.scan_parquet(inp.visits)
columns = visits.collect_schema().names()
counts = visits.select(
    pl.col("visit").n_unique().alias("visit_labels"),
    (pl.col("pga").count() if "pga" in columns else pl.lit(0)).alias("pga_grades"),
).collect()
visit_labels, pga_grades = counts.row(0)
# The declared outcomes' values (none where the cohort declares none or records none).
values_per_outcome = (
    pl.scan_parquet(inp.outcomes)
    .select(pl.col(f"^.*{OUTCOME_UNITS_SUFFIX}$").is_not_null().sum())
    .collect()
)
declared_values = sum(values_per_outcome.row(0)) if values_per_outcome.width else 0
# The arms among the patients, where the config names an arm column (none otherwise).
arm_column = snakemake.params.arm_column
arms = (
    pl.scan_parquet(inp.patients)
    .select(pl.col(arm_column).drop_nulls().n_unique())
    .collect()
    .item()
    if arm_column
    else 0
)
# Stop weeks in the patients file (drug survival): a stop_week column with a value.
patient_columns = pl.scan_parquet(inp.patients).collect_schema().names()
stop_weeks = (
    pl.scan_parquet(inp.patients).select(pl.col(STOP_WEEK_COLUMN).count()).collect().item()
    if STOP_WEEK_COLUMN in patient_columns
    else 0
)
names = planned_charts(
    visit_labels,
    pga_recorded=pga_grades > 0,
    declared_outcomes=declared_values > 0,
    arms=arms,
    stops=stop_weeks > 0,
)
write_text("".join(f"{name}\n" for name in names), out[0])
log.info(
    "cohort %s: %d visit labels, %d PGA grades, %d declared outcome values, %d arms, "
    "%d stop weeks, charts %s",
    snakemake.wildcards.cohort,
    visit_labels,
    pga_grades,
    declared_values,
    arms,
    stop_weeks,
    ", ".join(names),
)
