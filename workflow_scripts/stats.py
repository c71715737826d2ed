"""Baseline versus endpoint tests, descriptives per outcome and visit (PPPASI, PGA, the declared
outcomes, and from components the PPPASI subscores and PPSI), and response rates by subgroup
(dose, joint involvement, prior biologic exposure)."""

import sys

import polars as pl
from _shim import start_logging

from pppflow.io import write_csv
from pppflow.outcomes import outcomes_from_config, summaries
from pppflow.response import endpoints_of, unrecorded_outcomes
from pppflow.stats import (
    StatsInputError,
    absent_group_columns,
    descriptives,
    outcome_tests,
    paired_outcomes,
    subgroup_response_rates,
)
from pppflow.subscores import derived_outcomes

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

scores = pl.read_parquet(inp.pppasi)
try:
    pairs = paired_outcomes(scores, params.baseline_visit, params.endpoint_visit)
except StatsInputError as err:
    log.error("cohort %s: %s (file %s)", cohort, err, inp.pppasi)
    sys.exit(1)
unrecorded = unrecorded_outcomes(scores)
recorded = ~pl.col("outcome").is_in(unrecorded)
tests = outcome_tests(pairs, params.confidence_level).filter(recorded)
summary = descriptives(scores).filter(recorded)
if unrecorded:
    log.info("cohort %s: no %s recorded: its tests are left out", cohort, "/".join(unrecorded))
declared = outcomes_from_config(params.outcomes)
# From components, the PPPASI subscores and PPSI, summarised as the declared outcomes are.
derived, derived_values = derived_outcomes(
    pl.read_parquet(inp.components), scores, [o.name for o in declared]
)
if derived:
    log.info("cohort %s: from the components: %s", cohort, ", ".join(o.name for o in derived))
if declared or derived:
    more_summary, more_tests = summaries(
        pl.concat([pl.read_parquet(inp.outcomes), derived_values]),
        (*declared, *derived),
        scores,
        params.baseline_visit,
        params.endpoint_visit,
        params.confidence_level,
    )
    summary = pl.concat([summary, more_summary])
    tests = pl.concat([tests, more_tests])

patients = pl.read_parquet(inp.patients)
absent = absent_group_columns(patients, params.group_columns)
if absent:
    # The default subgroups are columns a cohort may simply not record: not a warning.
    log.info(
        "cohort %s: no column(s) %s in the patients table: no subgroup rates for them",
        cohort,
        ", ".join(absent),
    )
subgroups = subgroup_response_rates(
    pl.read_parquet(inp.responses), patients, params.group_columns, params.confidence_level
).filter(~pl.col("endpoint").is_in(endpoints_of(unrecorded)))

write_csv(tests, out.tests)
write_csv(summary, out.descriptives)
write_csv(subgroups, out.subgroup_rates)
for outcome, n in pairs.group_by("outcome").len().sort("outcome").rows():
    log.info("cohort %s: %s compared on %d patients with both visits", cohort, outcome, n)
