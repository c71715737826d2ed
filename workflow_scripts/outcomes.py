"""The outcome tables beside the response rates: percent change in PPPASI per follow-up visit,
the adverse events table (no rows without an events file), the patient flow, time to first
PPPASI 50 and 75 response and of each declared responder, and time on drug (no rows without a
stop_week column)."""

import polars as pl
from _shim import start_logging

from pppflow.flow import patient_flow
from pppflow.io import write_csv
from pppflow.outcomes import outcomes_from_config
from pppflow.percent_change import percent_change_summary
from pppflow.safety import SAFETY_SCHEMA, safety_table
from pppflow.time_on_drug import STOP_REASON, STOP_WEEK, time_on_drug
from pppflow.time_to_response import time_to_response

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

summary = percent_change_summary(pl.scan_parquet(inp.responses), params.confidence_level)
write_csv(summary, out.percent_change)
for visit, n in summary.select("visit", "n").rows():
    log.info("cohort %s: percent change at %s on %d patients", cohort, visit, n)

if params.events_recorded:
    events = pl.read_parquet(inp.events)
    safety = safety_table(events, pl.read_parquet(inp.visits), pl.read_parquet(inp.patients))
    log.info("cohort %s: %d adverse events of %d terms", cohort, events.height, safety.height - 1)
else:
    # No events file says nothing about events: no row, rather than a row of zeros.
    safety = pl.DataFrame(schema=SAFETY_SCHEMA)
    log.info("cohort %s: no events file: safety.csv has no rows", cohort)
write_csv(safety, out.safety)

flow = patient_flow(
    pl.read_parquet(inp.patients),
    pl.read_parquet(inp.pppasi),
    pl.read_parquet(inp.responses, columns=["visit", "week", "observed"]),
    pl.read_csv(inp.rates),
    params.baseline_visit,
    params.endpoint_visit,
    params.missing,
)
write_csv(flow, out.flow)
log.info("cohort %s: %d flow steps", cohort, flow.height)

time_to_first = time_to_response(
    pl.scan_parquet(inp.responses),
    params.confidence_level,
    outcomes_from_config(params.outcomes),
    pl.read_parquet(inp.outcomes),
    params.baseline_visit,
)
write_csv(time_to_first, out.time_to_response)
for endpoint, n, events in time_to_first.select("endpoint", "n", "events").rows():
    log.info("cohort %s: %s reached by %d of %d patients", cohort, endpoint, events, n)

patients = pl.read_parquet(inp.patients)
on_drug = time_on_drug(
    patients, pl.read_parquet(inp.visits), params.baseline_visit, params.confidence_level
)
write_csv(on_drug, out.time_on_drug)
if STOP_WEEK not in patients.columns:
    log.info(
        "cohort %s: no stop_week column in the patients file: time_on_drug.csv has no rows", cohort
    )
else:
    (stops,) = on_drug.filter(pl.col("week").is_null()).get_column("stops")
    log.info("cohort %s: %d of %d patients stopped treatment", cohort, stops, patients.height)
    if STOP_REASON not in patients.columns:
        log.info(
            "cohort %s: no stop_reason column: time_on_drug.csv has no rows per reason", cohort
        )
