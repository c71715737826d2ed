# Stage: summary. One page per cohort a clinician reads first (the audit, the patient flow, the
# response rates, percent change, time to response, the declared outcomes, safety, Table 1, the
# tests, the charts and the methods), and the lines a run prints for the cohort at its end.
from pppflow.tables import TEMPLATE_FILES, labels_param
from pppflow.terminal import summaries_text


rule summary:
    input:
        unpack(trial_inputs),
        patients=rules.validate.output.patients,
        visits=rules.validate.output.visits,
        claims=rules.validate.output.claims,
        check=rules.pppasi.output.check,
        rates=rules.response.output.rates,
        audit=rules.audit.output.audit,
        tests=rules.stats.output.tests,
        descriptives=rules.stats.output.descriptives,
        table1=rules.table1.output.table1,
        flow=rules.outcomes.output.flow,
        percent_change=rules.outcomes.output.percent_change,
        time_to_response=rules.outcomes.output.time_to_response,
        safety=rules.outcomes.output.safety,
        time_on_drug=rules.outcomes.output.time_on_drug,
        # The charts the plan lists, as chart_index takes them.
        svgs=lambda wc: [
            f"results/{wc.cohort}/charts/{name}.svg"
            for name in Path(checkpoints.chart_plan.get(cohort=wc.cohort).output[0])
            .read_text()
            .split()
        ],
        captions=[chart.caption for chart in CHARTS],
        templates=TEMPLATE_FILES,
        code=script_code("summary"),
        lock=LOCK,
    output:
        page=report(
            "results/{cohort}/summary.html",
            caption="../report/summary.rst",
            category="{cohort}",
            subcategory="Summary",
            labels={"page": "Summary: the audit first"},
        ),
        text="results/{cohort}/summary.txt",
        landing="results/{cohort}/summary.rst",
    log:
        "logs/summary/{cohort}.log",
    benchmark:
        "benchmarks/summary/{cohort}.tsv"
    priority: CRITICAL_PATH
    conda:
        "../envs/charts.yaml"
    params:
        baseline_visit=cohort_setting("baseline_visit"),
        endpoint_visit=cohort_setting("endpoint_visit"),
        pga_max=cohort_setting("pga_max"),
        missing=cohort_setting("missing"),
        confidence_level=config["stats"]["confidence_level"],
        alpha=config["stats"]["alpha"],
        table1_group_column=table1_group,
        table1_labels=labels_param(config["stats"].get("table1_labels", {})),
        table1_continuous=config["stats"].get("table1_continuous", "mean_sd"),
        # The declared outcomes' names, in the config's order.
        outcomes=lambda wildcards: list(cohort_outcomes(wildcards)),
        # [] without arms; else the arms, strata and switch visit (pppflow.arms.design_lines).
        arms=cohort_arm_lines,
    script:
        "../workflow_scripts/summary.py"


# The report's landing page: report/workflow.rst, short, then each cohort's verdict
# (rules/report.smk points the report at it).
rule report_landing:
    input:
        description="report/workflow.rst",
        cohorts=expand(rules.summary.output.landing, cohort=DATA_COHORTS),
        code=script_code("report_landing"),
        lock=LOCK,
    output:
        "results/report_landing.rst",
    log:
        "logs/report_landing/run.log",
    benchmark:
        "benchmarks/report_landing/run.tsv"
    priority: CRITICAL_PATH
    conda:
        "../envs/core.yaml"
    script:
        "../workflow_scripts/report_landing.py"


rule report_methods:
    input:
        templates=TEMPLATE_FILES,
        code=script_code("report_methods"),
        lock=LOCK,
    output:
        report(
            "results/methods.html",
            caption="../report/methods.rst",
            category="Methods",
            labels={"page": "Methods of this run"},
        ),
    log:
        "logs/report_methods/run.log",
    benchmark:
        "benchmarks/report_methods/run.tsv"
    conda:
        "../envs/charts.yaml"
    params:
        cohorts=[
            f"{name}: baseline visit {entry['baseline_visit']}, endpoint visit "
            f"{entry['endpoint_visit']}, PGA scale 0-{entry['pga_max']}, missing endpoint "
            f"visits as {entry['missing']}"
            + (
                f", claims audited from {entry['claims']}"
                if entry.get("claims")
                else ""
            )
            for name, entry in sorted(config["cohorts"].items())
            if name in DATA_COHORTS
        ],
        confidence_level=config["stats"]["confidence_level"],
        alpha=config["stats"]["alpha"],
    script:
        "../workflow_scripts/report_methods.py"


# Replaces the handler of rules/common.smk (Snakemake keeps the last one), so it does its job too.
onsuccess:
    cancel_pending_rechecks()
    print(
        summaries_text(
            expand(rules.summary.output.text, cohort=DATA_COHORTS)
            + expand(rules.audit_from_claims.output.text, cohort=SUMMARY_COHORTS)
        ),
        end="",
        flush=True,
    )
