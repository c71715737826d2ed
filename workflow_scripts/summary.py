"""Write a cohort's summary page (the audit first, the patient flow, between arms for a cohort
with arms, the rates, percent change, time to response, the declared outcomes, safety, time on
drug where the run makes it, Table 1, the tests, the charts and the methods) and the lines the
run prints for it at its end."""

from pathlib import Path

import polars as pl
from _chart_pages import charts_with_captions
from _shim import start_logging

from pppflow.arm_settings import design_from_lines
from pppflow.arms import pooled_rows
from pppflow.claims import claims_from_json
from pppflow.flow_diagram import flow_diagram_svg
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
from pppflow.summary_outcomes import (
    NO_EVENTS_FILE,
    declared_outcomes,
    flow_table,
    outcome_lines,
    percent_change_table,
    pga_absent_sentence,
    safety_view,
    time_on_drug_view,
    time_to_response_table,
)
from pppflow.summary_trial import trial_lines, trial_section
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
# The whole cohort's rows (a trial's arms have their own, under it).
every_rate = pl.read_csv(inp.rates, schema_overrides={"arm": pl.Utf8})
all_rates = pooled_rows(every_rate)
rates = endpoint_rates(all_rates, params.endpoint_visit)
pga_sentence = pga_absent_sentence(all_rates)
# The outcome tables; an `arm` column empty throughout is read as text, not as nulls of no type.
arm_text = {"arm": pl.Utf8}
flow = pl.read_csv(inp.flow, schema_overrides=arm_text)
percent_change = pl.read_csv(inp.percent_change, schema_overrides=arm_text)
time_to_first = pl.read_csv(inp.time_to_response, schema_overrides=arm_text)
safety = pl.read_csv(inp.safety, schema_overrides={**arm_text, "term": pl.Utf8})
# The declared outcomes with each arm's rows under the whole cohort's (none without arms).
declared = declared_outcomes(
    params.outcomes,
    pl.read_csv(inp.descriptives, schema_overrides={"arm": pl.Utf8}),
    pooled_rows(pl.read_csv(inp.tests, schema_overrides=arm_text)),
    every_rate,
    params.alpha,
)
# A cohort with arms: its between-arm comparisons (rules/summary.smk gives their files).
trial, closing_trial_lines = None, []
design = design_from_lines(params.arms)
if design is not None:
    comparisons = pl.read_csv(inp.comparisons, schema_overrides={"arm": pl.Utf8})
    trial = trial_section(
        comparisons=comparisons,
        arm_rates=every_rate.filter(pl.col("arm").is_not_null()),
        continuous=pl.read_csv(inp.continuous_comparisons, schema_overrides=arm_text),
        repeated=pl.read_csv(inp.repeated_measures, schema_overrides=arm_text),
        subgroups=pl.read_csv(
            inp.subgroup_comparisons, schema_overrides={**arm_text, "subgroup": pl.Utf8}
        ),
        time_to_response=time_to_first,
        endpoint_visit=params.endpoint_visit,
        confidence_level=params.confidence_level,
        alpha=params.alpha,
        strata=design.strata,
        switch_visit=design.switch_visit,
    )
    closing_trial_lines = trial_lines(
        comparisons, params.endpoint_visit, params.confidence_level, params.alpha
    )
time_on_drug = time_on_drug_view(
    pl.read_csv(inp.time_on_drug, schema_overrides={**arm_text, "reason": pl.Utf8}),
    params.confidence_level,
)
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
    trial=trial,
    pga_sentence=pga_sentence,
    flow_svg=flow_diagram_svg(flow),
    flow=flow_table(flow),
    percent_change=percent_change_table(percent_change, params.confidence_level),
    time_to_response=time_to_response_table(time_to_first, params.confidence_level, params.alpha),
    declared=declared,
    safety=safety_view(safety),
    no_events=NO_EVENTS_FILE,
    time_on_drug=time_on_drug,
    level=level_text(params.confidence_level),
    t1=t1,
    tests=text_table(
        readable_frame(
            pooled_rows(pl.read_csv(inp.tests, infer_schema=False)).drop("arm", strict=False),
            params.alpha,
        )
    ),
    charts=charts,
    methods=methods,
    report_href="../report.html",
)
write_text(page, out.page)
text = terminal_summary(
    cohort,
    checks=checks,
    endpoint_visit=params.endpoint_visit,
    # A trial's rates are its arms' (trial_lines), not the arms pooled.
    rates=() if closing_trial_lines else rates,
    trial_lines=closing_trial_lines,
    audit=audit,
    audit_rows=audit_rows,
    paths={"Summary page": out.page, "Report (after make report)": "results/report.html"},
    confidence_level=params.confidence_level,
    outcome_lines=outcome_lines(
        flow=flow,
        percent_change=percent_change,
        time_to_response=time_to_first,
        safety=safety,
        endpoint_visit=params.endpoint_visit,
        confidence_level=params.confidence_level,
        pga_sentence=pga_sentence,
    ),
)
write_text(text, out.text)
write_text(landing_rst(cohort, audit=audit, audit_rows=audit_rows, rates=rates), out.landing)
log.info("cohort %s: summary with %d charts", cohort, len(charts))
