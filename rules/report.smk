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


# The CSV each table page shows, from the rule that writes it.
TABLE_FILES = {
    "per_patient": rules.response.output.per_patient_csv,
    "response_rates": rules.response.output.rates,
    "pppasi_check": rules.pppasi.output.check,
    "tests": rules.stats.output.tests,
    "descriptives": rules.stats.output.descriptives,
    "table1": rules.table1.output.table1,
    "subgroup_rates": rules.stats.output.subgroup_rates,
    "audit": rules.audit.output.audit,
}

# A Markdown summary shown above its table where the stage writes one.
TABLE_SUMMARIES = {"audit": str(rules.audit.output.markdown)}


# One job per cohort writes every table page (one interpreter start, not one per table).
rule report_tables:
    input:
        **{name: TABLE_FILES[name] for name in REPORT_TABLES},
        summaries=list(TABLE_SUMMARIES.values()),
        code=script_code("report_tables"),
        lock=LOCK,
    output:
        # Each page with its own caption and label, in the cohort's Tables section.
        **{
            f"{name}_page": report(
                f"results/{{cohort}}/report/{name}.html",
                caption=f"../report/tables/{name}.rst",
                category="{cohort}",
                subcategory="Tables",
                labels={"table": title},
            )
            for name, (title, _) in REPORT_TABLES.items()
        },
    log:
        "logs/report_tables/{cohort}.log",
    benchmark:
        "benchmarks/report_tables/{cohort}.tsv"
    conda:
        "../envs/core.yaml"
    params:
        tables=REPORT_TABLES,
        summaries=TABLE_SUMMARIES,
    script:
        "../workflow_scripts/report_tables.py"
