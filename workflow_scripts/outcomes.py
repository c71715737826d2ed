"""The outcome tables beside the response rates: percent change in PPPASI per follow-up visit,
the adverse events table (no rows without an events file), the patient flow, time to first
PPPASI 50 and 75 response and of each declared responder, and time on drug (no rows without a
stop_week column); with arms, each table's pooled rows then each arm's (pppflow.arms)."""

import polars as pl
from _shim import start_logging

from pppflow.arm_settings import design_from_config
from pppflow.arms import (
    ARM,
    ARM_RESPONSE_COLUMNS,
    arm_assignment,
    comparison_frame,
    per_arm_rows,
    pooled_rows,
)
from pppflow.comparisons import time_to_response_by_arm
from pppflow.flow import patient_flow
from pppflow.io import read_parquet_columns, write_csv
from pppflow.outcomes import outcomes_from_config
from pppflow.percent_change import percent_change_summary
from pppflow.response import SCORE_COLUMNS
from pppflow.safety import SAFETY_SCHEMA, safety_table
from pppflow.time_on_drug import STOP_REASON, STOP_WEEK, time_on_drug
from pppflow.time_to_response import time_to_response

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

patients = pl.read_parquet(inp.patients)
design = design_from_config(**params.arms)
assignment = arm_assignment(patients, design)
reference = design.reference if design else None
responses = pl.read_parquet(inp.responses)
# The visits' dates only: the safety table and time on drug need no score.
visits = read_parquet_columns(inp.visits, ["patient_id", "visit", "week"])
# Each arm's patients and visits, filtered once for the safety table, the flow and time on drug.
kept_of_arm = {}


def patients_and_visits(keep, arm):
    if arm not in kept_of_arm:
        kept_of_arm[arm] = (keep(patients), keep(visits))
    return kept_of_arm[arm]


summary = per_arm_rows(
    lambda keep, arm: percent_change_summary(keep(responses.lazy()), params.confidence_level),
    assignment,
    reference,
    after="visit",
)
write_csv(summary, out.percent_change)
for visit, arm, n in summary.select("visit", "arm", "n").rows():
    log.info(
        "cohort %s: percent change at %s%s on %d patients",
        cohort,
        visit,
        arm and f" ({arm})" or "",
        n,
    )

if params.events_recorded:
    events = pl.read_parquet(inp.events)
    safety = per_arm_rows(
        lambda keep, arm: safety_table(
            keep(events), patients_and_visits(keep, arm)[1], patients_and_visits(keep, arm)[0]
        ),
        assignment,
        reference,
        after="arm",
    )
    terms = pooled_rows(safety).height - 1
    log.info("cohort %s: %d adverse events of %d terms", cohort, events.height, terms)
else:
    # No events file says nothing about events: no row, rather than a row of zeros.
    safety = pl.DataFrame(schema=SAFETY_SCHEMA)
    log.info("cohort %s: no events file: safety.csv has no rows", cohort)
write_csv(safety, out.safety)

scores = read_parquet_columns(inp.pppasi, SCORE_COLUMNS)
rates = pl.read_csv(inp.rates, schema_overrides={"arm": pl.Utf8})
flow = per_arm_rows(
    lambda keep, arm: patient_flow(
        patients_and_visits(keep, arm)[0],
        keep(scores),
        keep(responses.select("patient_id", "visit", "week", "observed")),
        rates.filter(pl.col("arm").is_null() if arm is None else pl.col("arm") == arm),
        params.baseline_visit,
        params.endpoint_visit,
        params.missing,
    ),
    assignment,
    reference,
    after="arm",
)
write_csv(flow, out.flow)
log.info("cohort %s: %d flow steps", cohort, flow.height)

declared = outcomes_from_config(params.outcomes)
time_to_first = time_to_response(
    responses.lazy(),
    params.confidence_level,
    declared,
    pl.read_parquet(inp.outcomes),
    params.baseline_visit,
)
if design is not None:
    # Each arm over the randomised period only (to the switch visit: a placebo patient's
    # response after switching to the active drug is not the placebo arm's), with the log-rank
    # P across the arms.
    by_arm = time_to_response_by_arm(
        comparison_frame(
            responses.select(c for c in ARM_RESPONSE_COLUMNS if c != ARM), patients, design
        ),
        reference,
        params.confidence_level,
    )
    time_to_first = pl.concat([time_to_first, by_arm])
write_csv(time_to_first, out.time_to_response)
for endpoint, arm, n, events in time_to_first.select("endpoint", "arm", "n", "events").rows():
    log.info(
        "cohort %s: %s reached by %d of %d patients%s",
        cohort,
        endpoint,
        events,
        n,
        arm and f" ({arm})" or "",
    )

on_drug = per_arm_rows(
    lambda keep, arm: time_on_drug(
        *patients_and_visits(keep, arm), params.baseline_visit, params.confidence_level
    ),
    assignment,
    reference,
    after="arm",
)
write_csv(on_drug, out.time_on_drug)
if STOP_WEEK not in patients.columns:
    log.info(
        "cohort %s: no stop_week column in the patients file: time_on_drug.csv has no rows", cohort
    )
else:
    (stops,) = pooled_rows(on_drug).filter(pl.col("week").is_null()).get_column("stops")
    log.info("cohort %s: %d of %d patients stopped treatment", cohort, stops, patients.height)
    if STOP_REASON not in patients.columns:
        log.info(
            "cohort %s: no stop_reason column: time_on_drug.csv has no rows per reason", cohort
        )
