# Stage: summary. One page per cohort a clinician reads first (the audit, the response rates,
# Table 1, the tests, the charts and the methods), and the lines a run prints for the cohort at
# its end.
from pppflow.tables import TEMPLATE_FILES
from pppflow.terminal import summaries_text

STAGE_OUTPUTS["summary"] = [
    "results/{cohort}/summary.html",
    "results/{cohort}/summary.txt",
]


rule summary:
    input:
        patients="results/{cohort}/validated/patients.parquet",
        visits="results/{cohort}/validated/visits.parquet",
        claims="results/{cohort}/validated/claims.json",
        check="results/{cohort}/pppasi_check.csv",
        rates="results/{cohort}/response_rates.csv",
        audit="results/{cohort}/audit.csv",
        tests="results/{cohort}/tests.csv",
        table1="results/{cohort}/table1.csv",
        # The charts the plan lists, as chart_index takes them.
        svgs=lambda wc: [
            f"results/{wc.cohort}/charts/{name}.svg"
            for name in Path(checkpoints.chart_plan.get(cohort=wc.cohort).output[0])
            .read_text()
            .split()
        ],
        captions=[chart.caption for chart in CHARTS],
        templates=TEMPLATE_FILES,
        code=package(
            "io",
            "claims",
            "formatting",
            "pages",
            "summary",
            "table1",
            "tables",
            "charts/__init__",
            "charts/registry",
            "charts/captions",
        ),
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
    log:
        "logs/summary/{cohort}.log",
    benchmark:
        "benchmarks/summary/{cohort}.tsv"
    conda:
        "../envs/charts.yaml"
    params:
        baseline_visit=cohort_setting("baseline_visit"),
        endpoint_visit=cohort_setting("endpoint_visit"),
        pga_max=cohort_setting("pga_max"),
        missing=cohort_setting("missing"),
        confidence_level=config["stats"]["confidence_level"],
        alpha=config["stats"]["alpha"],
        table1_group_column=config["stats"]["table1_group_column"],
        table1_labels=sorted(config["stats"].get("table1_labels", {}).items()),
        table1_continuous=config["stats"].get("table1_continuous", "mean_sd"),
    script:
        "../workflow_scripts/summary.py"


# Replaces the handler of rules/common.smk (Snakemake keeps the last one), so it does its job too.
onsuccess:
    cancel_pending_rechecks()
    print(
        summaries_text(f"results/{cohort}/summary.txt" for cohort in COHORTS),
        end="",
        flush=True,
    )
