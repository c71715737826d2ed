"""Draw a cohort's charts and write each as SVG, PNG and offline HTML."""

import sys
from pathlib import Path

import polars as pl
from _chart_files import render_and_write
from _shim import start_logging

from pppflow import charts
from pppflow.claims import ClaimsInvalid, parse_claims, reported_response_rates

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, params = snakemake.input, snakemake.params
size = charts.ChartSize(params.width, params.height)

pppasi = pl.read_parquet(inp.pppasi)
per_patient = pl.read_parquet(inp.per_patient)
rates = pl.read_csv(inp.rates)
patients = pl.read_parquet(inp.patients)
reported = pl.DataFrame(schema={"endpoint": pl.Utf8, "visit": pl.Utf8, "reported_rate": pl.Float64})
if inp.claims:
    try:
        claims = parse_claims(Path(inp.claims[0]).read_text(encoding="utf-8"), inp.claims[0])
    except ClaimsInvalid as err:
        log.error("cohort %s: %s", cohort, err)
        sys.exit(1)
    reported = reported_response_rates(claims)

endpoint_weeks = pppasi.filter(pl.col("visit") == params.endpoint_visit).get_column("week")
endpoint_text = charts.visit_phrase(params.endpoint_visit, endpoint_weeks.to_list())

drawn = {
    "paired_pppasi": charts.paired_pppasi_chart(
        pppasi,
        patients,
        baseline_visit=params.baseline_visit,
        endpoint_visit=params.endpoint_visit,
        cohort=cohort,
        size=size,
    ),
    "improvement_waterfall": charts.improvement_waterfall_chart(
        per_patient, endpoint_label_text=endpoint_text, cohort=cohort, size=size
    ),
    "response_rates": charts.response_rates_chart(
        rates,
        reported,
        visit=params.endpoint_visit,
        visit_label=endpoint_text,
        confidence_level=params.confidence_level,
        cohort=cohort,
        size=size,
    ),
    "pga_shift": charts.pga_shift_chart(
        per_patient,
        pga_max=params.pga_max,
        endpoint_label_text=endpoint_text,
        cohort=cohort,
        size=size,
    ),
}
render_and_write(drawn, snakemake)
log.info(
    "cohort %s: %d charts drawn (%d reported rates marked)", cohort, len(drawn), reported.height
)
