# Stage: report. The tables as HTML pages for `snakemake --report results/report.html`, which
# gathers every output marked report() below and in rules/charts.smk into one self-contained
# page, per cohort, with the captions under report/.


# The landing page: report/workflow.rst and each cohort's verdict (rules/summary.smk).
report: "../results/report_landing.rst"


from pppflow.tables import REPORT_TABLES, TEMPLATE_FILES, labels_param

# The CSV each table page shows, from the rule that writes it.
TABLE_FILES = {
    "per_patient": rules.response.output.per_patient_csv,
    "response_rates": rules.response.output.rates,
    "pppasi_check": rules.pppasi.output.check,
    "tests": rules.stats.output.tests,
    "descriptives": rules.stats.output.descriptives,
    "table1": rules.table1.output.table1,
    "subgroup_rates": rules.response.output.subgroup_rates,
    "audit": rules.audit.output.audit,
}


# One job per cohort writes every table page (one interpreter start, not one per table).
rule report_tables:
    input:
        **{name: TABLE_FILES[name] for name in REPORT_TABLES},
        templates=TEMPLATE_FILES,
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
    # The pages are Jinja templates: jinja2 comes with altair.
    conda:
        "../envs/charts.yaml"
    params:
        alpha=config["stats"]["alpha"],
        table1_group_column=table1_group,
        table1_labels=labels_param(config["stats"].get("table1_labels", {})),
        table1_continuous=config["stats"].get("table1_continuous", "mean_sd"),
    script:
        "../workflow_scripts/report_tables.py"
