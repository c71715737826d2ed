rule validate:
    input:
        unpack(cohort_inputs),
        code=script_code("validate"),
        lock=LOCK,
    output:
        patients="results/{cohort}/validated/patients.parquet",
        visits="results/{cohort}/validated/visits.parquet",
        components="results/{cohort}/validated/components.parquet",
        claims="results/{cohort}/validated/claims.json",
        outcomes="results/{cohort}/validated/outcomes.parquet",
        events="results/{cohort}/validated/events.parquet",
    log:
        "logs/validate/{cohort}.log",
    benchmark:
        "benchmarks/validate/{cohort}.tsv"
    priority: CRITICAL_PATH
    conda:
        "../envs/core.yaml"
    params:
        fast_paths=config["performance"]["fast_paths"],
        files=cohort_files,
    script:
        "../workflow_scripts/validate.py"
