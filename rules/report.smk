# Stage: report. The tables as HTML pages for `snakemake --report results/report.html`, which
# gathers every output marked report() below and in rules/charts.smk into one self-contained
# page, per cohort, with the captions under report/.


report: "../report/workflow.rst"


# Each table the report shows: name (of the rule's input and output) -> (title, what it is).
# Passed as a param, so that a change of wording rewrites the pages.
REPORT_TABLES = {
    "per_patient": (
        "Per-patient results at the endpoint",
        "One row per patient: PPPASI at baseline and endpoint, improvement, the PPPASI and PGA "
        "responses (empty where not evaluable).",
    ),
    "response_rates": (
        "Response rates",
        "One row per endpoint and follow-up visit: responders over evaluable patients, with the "
        "exact Clopper-Pearson confidence interval.",
    ),
    "pppasi_check": (
        "PPPASI check",
        "One row per patient and visit: the recorded PPPASI against the one recomputed from the "
        "region scores, or whether the formula can give the recorded total at all.",
    ),
    "tests": (
        "Statistical tests, baseline versus endpoint",
        "Paired and independent t-tests, Wilcoxon signed-rank, Shapiro-Wilk, mean difference "
        "and Cohen's dz for PPPASI and PGA, on the patients with both values.",
    ),
    "descriptives": (
        "Descriptive statistics per outcome and visit",
        "n, mean, SD (n-1 and n), median and quartiles of PPPASI and PGA at each visit.",
    ),
    "table1": (
        "Table 1: baseline characteristics",
        "Overall and by dose group: continuous variables as mean (SD) and median [IQR], "
        "categorical ones as n (%).",
    ),
    "subgroup_rates": (
        "Response rates by subgroup",
        "Descriptive response rates by dose group, joint involvement and prior biologic "
        "exposure.",
    ),
    "audit": (
        "Audit of the paper's claims",
        "Every quantitative claim of the paper, recomputed from its own data: verdict, whether "
        "a mismatch is decisive, and a note.",
    ),
}


# Only the tables some stage registers (a stage not built yet adds none), so the report shows
# what the workflow makes.
REGISTERED_OUTPUTS = {p for patterns in STAGE_OUTPUTS.values() for p in patterns}
SHOWN_TABLES = {
    name: text
    for name, text in REPORT_TABLES.items()
    if f"results/{{cohort}}/{name}.csv" in REGISTERED_OUTPUTS
}
# A Markdown summary shown above its table where the stage writes one.
TABLE_SUMMARIES = {"audit": "results/{cohort}/audit.md"}

STAGE_OUTPUTS["report"] = [
    f"results/{{cohort}}/report/{name}.html" for name in SHOWN_TABLES
]


# One rule per table, each with its own caption (a report caption cannot depend on a wildcard).
for table, (title, description) in SHOWN_TABLES.items():

    rule:
        name:
            f"report_table_{table}"
        input:
            table=f"results/{{cohort}}/{table}.csv",
            summary=[TABLE_SUMMARIES[table]] if table in TABLE_SUMMARIES else [],
            code=package("io", "pages"),
            lock=LOCK,
        output:
            report(
                f"results/{{cohort}}/report/{table}.html",
                caption=f"../report/tables/{table}.rst",
                category="{cohort}",
                subcategory="Tables",
                labels={"table": title},
            ),
        log:
            f"logs/report_table_{table}/{{cohort}}.log",
        benchmark:
            f"benchmarks/report_table_{table}/{{cohort}}.tsv"
        conda:
            "../envs/core.yaml"
        params:
            title=title,
            description=description,
        script:
            "../workflow_scripts/report_table.py"
