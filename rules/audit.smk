# Stage: audit. Every claim of the cohort's claims file (optional) recomputed from its data.


rule audit:
    input:
        unpack(paper_input),
        unpack(comparison_inputs),
        claims=rules.validate.output.claims,
        patients=rules.validate.output.patients,
        pppasi=rules.pppasi.output.pppasi,
        outcomes=rules.validate.output.outcomes,
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
    priority: CRITICAL_PATH
    conda:
        "../envs/core.yaml"
    params:
        alpha=config["stats"]["alpha"],
        outcomes=cohort_outcomes,
    script:
        "../workflow_scripts/audit.py"
