"""Write a cohort's summary page (the audit first, the rates, Table 1, the tests, the charts and
the methods) and the lines the run prints for it at its end."""

from pathlib import Path

import polars as pl
from _chart_pages import charts_with_captions
from _shim import start_logging

from pppflow.arms import pooled_rows
from pppflow.claims import claims_from_json
from pppflow.formatting import level_text, readable_frame
from pppflow.io import write_text
from pppflow.pages import summary_html, text_table
from pppflow.summary import (
    audit_view,
    data_checks,
    endpoint_rates,
    landing_rst,
    methods_paragraphs,
    read_audit,
    terminal_summary,
)
from pppflow.table1 import table1_view
from pppflow.tables import labels_from_param

log = start_logging(snakemake)
inp, out, params = snakemake.input, snakemake.output, snakemake.params
cohort = snakemake.wildcards.cohort


def rows(path: str) -> int:
    return pl.scan_parquet(path).select(pl.len()).collect().item()


claims = claims_from_json(Path(inp.claims).read_text(encoding="utf-8"))
audit_rows = read_audit(inp.audit)
audit = audit_view(audit_rows)
checks = data_checks(rows(inp.patients), rows(inp.visits), pl.read_csv(inp.check))
rates = endpoint_rates(pooled_rows(pl.read_csv(inp.rates)), params.endpoint_visit)
group = params.table1_group_column
t1 = table1_view(
    pl.read_csv(inp.table1, infer_schema=False),
    group_column=group,
    labels=labels_from_param(params.table1_labels),
    continuous=params.table1_continuous,
)
charts = charts_with_captions(inp.svgs, cohort, params)
methods = methods_paragraphs(
    baseline_visit=params.baseline_visit,
    endpoint_visit=params.endpoint_visit,
    pga_max=params.pga_max,
    missing=params.missing,
    confidence_level=params.confidence_level,
    alpha=params.alpha,
    table1_group_column=group,
    table1_continuous=params.table1_continuous,
)
page = summary_html(
    cohort=cohort,
    source=claims.source if claims else None,
    checks=checks,
    audit=audit,
    endpoint_visit=params.endpoint_visit,
    rates=rates,
    level=level_text(params.confidence_level),
    t1=t1,
    tests=text_table(readable_frame(pl.read_csv(inp.tests, infer_schema=False), params.alpha)),
    charts=charts,
    methods=methods,
    report_href="../report.html",
)
write_text(page, out.page)
text = terminal_summary(
    cohort,
    checks=checks,
    endpoint_visit=params.endpoint_visit,
    rates=rates,
    audit=audit,
    audit_rows=audit_rows,
    paths={"Summary page": out.page, "Report (after make report)": "results/report.html"},
    confidence_level=params.confidence_level,
)
write_text(text, out.text)
write_text(landing_rst(cohort, audit=audit, audit_rows=audit_rows, rates=rates), out.landing)
log.info("cohort %s: summary with %d charts", cohort, len(charts))
