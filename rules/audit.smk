# Stage: audit. Every claim of the cohort's claims file (optional) recomputed from its data.


rule audit:
    input:
        # The claims file where it exists: a missing one is reported by the audit step itself
        # (Snakemake would stop with a bare MissingInput).
        claims=lambda w: (
            [p] if (p := cohort_entry(w).get("claims")) and Path(p).exists() else []
        ),
        patients=rules.validate.output.patients,
        pppasi=rules.pppasi.output.pppasi,
        rates=rules.response.output.rates,
        tests=rules.stats.output.tests,
        code=script_code("audit"),
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
