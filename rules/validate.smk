STAGE_OUTPUTS["validate"] = [
    "results/{cohort}/validated/patients.parquet",
    "results/{cohort}/validated/visits.parquet",
    "results/{cohort}/validated/components.parquet",
    "results/{cohort}/validated/claims.json",
]


rule validate:
    input:
        unpack(cohort_inputs),
        code=package(
            "io",
            "schemas",
            "claims",
            "consistency",
            "validate",
            "summary_checks",
            "pppasi",
        ),
        lock=LOCK,
    output:
        patients="results/{cohort}/validated/patients.parquet",
        visits="results/{cohort}/validated/visits.parquet",
        components="results/{cohort}/validated/components.parquet",
        claims="results/{cohort}/validated/claims.json",
    log:
        "logs/validate/{cohort}.log",
    benchmark:
        "benchmarks/validate/{cohort}.tsv"
    conda:
        "../envs/core.yaml"
    params:
        files=cohort_files,
    script:
        "../workflow_scripts/validate.py"
