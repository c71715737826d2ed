STAGE_OUTPUTS["validate"] = [
    "results/{cohort}/validated/patients.parquet",
    "results/{cohort}/validated/visits.parquet",
    "results/{cohort}/validated/components.parquet",
]


rule validate:
    input:
        unpack(cohort_inputs),
        code=package(
            "io", "schemas", "validate", "fast_paths/__init__", "fast_paths/validation"
        ),
        lock=LOCK,
    output:
        patients="results/{cohort}/validated/patients.parquet",
        visits="results/{cohort}/validated/visits.parquet",
        components="results/{cohort}/validated/components.parquet",
    log:
        "logs/validate/{cohort}.log",
    benchmark:
        "benchmarks/validate/{cohort}.tsv"
    conda:
        "../envs/core.yaml"
    params:
        fast_paths=config["performance"]["fast_paths"],
        files=cohort_files,
    script:
        "../workflow_scripts/validate.py"
