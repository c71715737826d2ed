# Stage: audit. Every claim of the cohort's claims file (optional) recomputed from its data.
STAGE_OUTPUTS["audit"] = [
    "results/{cohort}/audit.csv",
    "results/{cohort}/audit.md",
]


rule audit:
    input:
        unpack(paper_input),
        claims="results/{cohort}/validated/claims.json",
        patients="results/{cohort}/validated/patients.parquet",
        pppasi="results/{cohort}/pppasi.parquet",
        rates="results/{cohort}/response_rates.csv",
        tests="results/{cohort}/tests.csv",
        code=package(
            "io",
            "consistency",
            "claims",
            "pppasi",
            "table1",
            "audit",
            "summary_checks",
            "summary_audit",
            "draft_claims",
        ),
        lock=LOCK,
    output:
        audit="results/{cohort}/audit.csv",
        markdown="results/{cohort}/audit.md",
    log:
        "logs/audit/{cohort}.log",
    benchmark:
        "benchmarks/audit/{cohort}.tsv"
    conda:
        "../envs/core.yaml"
    params:
        alpha=config["stats"]["alpha"],
    script:
        "../workflow_scripts/audit.py"
