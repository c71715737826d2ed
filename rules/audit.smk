# Stage: audit. Every claim of the cohort's claims file (optional) recomputed from its data.
STAGE_OUTPUTS["audit"] = [
    "results/{cohort}/audit.csv",
    "results/{cohort}/audit.md",
]


rule audit:
    input:
        # The claims file where it exists: a missing one is reported by the audit step itself
        # (Snakemake would stop with a bare MissingInput).
        claims=lambda w: (
            [p] if (p := cohort_entry(w).get("claims")) and Path(p).exists() else []
        ),
        patients="results/{cohort}/validated/patients.parquet",
        pppasi="results/{cohort}/pppasi.parquet",
        rates="results/{cohort}/response_rates.csv",
        tests="results/{cohort}/tests.csv",
        code=package("io", "consistency", "claims", "table1", "audit"),
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
        claims=lambda wildcards: cohort_entry(wildcards).get("claims", ""),
        alpha=config["stats"]["alpha"],
    script:
        "../workflow_scripts/audit.py"
