"""Baseline versus endpoint tests and descriptives per outcome and visit (PPPASI, PGA, the
declared outcomes, and from components the PPPASI subscores and PPSI); with arms, the whole
cohort's rows then each arm's. From the scores alone: the job runs beside the response job."""

import sys

import polars as pl
from _shim import start_logging

from pppflow.arm_settings import design_from_config
from pppflow.arms import arm_assignment, per_arm_rows
from pppflow.io import read_parquet_columns, write_csv
from pppflow.outcomes import (
    declared_descriptives,
    declared_tests,
    outcome_wide,
    outcomes_from_config,
)
from pppflow.response import SCORE_COLUMNS, unrecorded_outcomes, visit_weeks
from pppflow.stats import (
    TESTS_SCHEMA,
    StatsInputError,
    descriptives,
    outcome_tests,
    paired_outcomes,
)
from pppflow.subscores import derived_from_table

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

scores = read_parquet_columns(inp.pppasi, SCORE_COLUMNS)
try:
    pairs = paired_outcomes(scores, params.baseline_visit, params.endpoint_visit)
except StatsInputError as err:
    log.error("cohort %s: %s (file %s)", cohort, err, inp.pppasi)
    sys.exit(1)
unrecorded = unrecorded_outcomes(scores)
recorded = ~pl.col("outcome").is_in(unrecorded)
tests = outcome_tests(pairs, params.confidence_level).filter(recorded)
if unrecorded:
    log.info("cohort %s: no %s recorded: its tests are left out", cohort, "/".join(unrecorded))
declared = outcomes_from_config(params.outcomes)
# From components, the PPPASI subscores and PPSI, summarised as the declared outcomes are.
derived, derived_units = derived_from_table(
    pl.read_parquet(inp.subscores), scores, [o.name for o in declared]
)
summarised = (*declared, *derived)
# Their units per patient-visit, once: every arm's descriptives and tests are read from them.
declared_units = outcome_wide(scores, pl.read_parquet(inp.outcomes), declared)
valued = declared_units.with_columns(derived_units.drop("patient_id", "visit"))
weeks = visit_weeks(scores)
patients = pl.read_parquet(inp.patients)
design = design_from_config(**params.arms)
assignment = arm_assignment(patients, design)
reference = design.reference if design else None


# Each arm's scores and declared values, filtered once for its tests and its descriptives.
kept_of_arm = {}


def of_arm(keep, arm):
    """(scores, valued) of the patients `keep` leaves."""
    if arm not in kept_of_arm:
        kept_of_arm[arm] = (keep(scores), keep(valued))
    return kept_of_arm[arm]


def tests_of_patients(keep, arm):
    """tests.csv's rows of the patients `keep` leaves (every patient, or one arm's): the
    built-in outcomes', then the declared and derived ones'."""
    if arm is None:
        rows = tests
    else:
        try:
            pairs_of_arm = paired_outcomes(
                of_arm(keep, arm)[0], params.baseline_visit, params.endpoint_visit
            )
            rows = outcome_tests(pairs_of_arm, params.confidence_level).filter(recorded)
        except StatsInputError:  # no patient of the arm scored at one of the two visits
            rows = pl.DataFrame(schema=TESTS_SCHEMA)
    if summarised:
        more = declared_tests(
            of_arm(keep, arm)[1],
            summarised,
            params.baseline_visit,
            params.endpoint_visit,
            params.confidence_level,
        )
        rows = pl.concat([rows, more])
    return rows


tests = per_arm_rows(tests_of_patients, assignment, reference, after="test")


def descriptives_of_patients(keep, arm):
    """descriptives.csv's rows of the patients `keep` leaves (every patient, or one arm's)."""
    arm_scores, arm_valued = of_arm(keep, arm)
    summary = descriptives(arm_scores).filter(recorded)
    if summarised:
        summary = pl.concat([summary, declared_descriptives(arm_valued, summarised, weeks)])
    return summary


summary = per_arm_rows(descriptives_of_patients, assignment, reference, after="visit")

write_csv(tests, out.tests)
write_csv(summary, out.descriptives)
for outcome, n in pairs.group_by("outcome").len().sort("outcome").rows():
    log.info("cohort %s: %s compared on %d patients with both visits", cohort, outcome, n)
