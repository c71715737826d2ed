# Stage: summary-only cohorts (a `claims` file and no patient data). The claims are validated,
# each is checked from its printed numbers alone, and the audit is written as for any cohort.
# These rules make the same files as validate, audit and report_tables, for these cohorts only.
ruleorder: validate_claims > validate
ruleorder: audit_from_claims > audit
ruleorder: audit_from_claims > summary
ruleorder: summary_audit_page > report_tables


rule validate_claims:
    input:
        # A missing claims file is reported by the step itself (cohort_inputs leaves it out).
        unpack(cohort_inputs),
        code=script_code("validate_claims"),
        lock=LOCK,
    output:
        claims="results/{cohort}/validated/claims.json",
    log:
        "logs/validate/{cohort}.log",
    benchmark:
        "benchmarks/validate/{cohort}.tsv"
    wildcard_constraints:
        cohort=one_of(SUMMARY_COHORTS),
    conda:
        "../envs/core.yaml"
    params:
        claims=cohort_setting("claims"),
    script:
        "../workflow_scripts/validate_claims.py"


rule audit_from_claims:
    input:
        unpack(paper_input),
        claims="results/{cohort}/validated/claims.json",
        code=script_code("audit_from_claims"),
        lock=LOCK,
    output:
        audit="results/{cohort}/audit.csv",
        markdown="results/{cohort}/audit.md",
        # The lines the run prints for the cohort at its end.
        text="results/{cohort}/summary.txt",
    log:
        "logs/audit/{cohort}.log",
    benchmark:
        "benchmarks/audit/{cohort}.tsv"
    wildcard_constraints:
        cohort=one_of(SUMMARY_COHORTS),
    conda:
        "../envs/core.yaml"
    params:
        alpha=config["stats"]["alpha"],
        audit_page="results/{cohort}/report/audit.html",
    script:
        "../workflow_scripts/audit_from_claims.py"


rule summary_audit_page:
    input:
        audit="results/{cohort}/audit.csv",
        templates=TEMPLATE_FILES,
        code=script_code("report_tables"),
        lock=LOCK,
    output:
        audit_page=report(
            "results/{cohort}/report/audit.html",
            caption="../report/tables/audit.rst",
            category="{cohort}",
            subcategory="Tables",
            labels={"table": REPORT_TABLES["audit"][0]},
        ),
    log:
        "logs/report_tables/{cohort}.log",
    benchmark:
        "benchmarks/report_tables/{cohort}.tsv"
    wildcard_constraints:
        cohort=one_of(SUMMARY_COHORTS),
    conda:
        "../envs/charts.yaml"
    params:
        alpha=config["stats"]["alpha"],
    script:
        "../workflow_scripts/report_tables.py"
