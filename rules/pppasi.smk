# Stage: pppasi. PPPASI recomputed from region scores in exact tenths, and every recorded total
# checked against its components (or, where there are none, against the totals the formula can
# give).
STAGE_OUTPUTS["pppasi"] = [
    "results/{cohort}/pppasi.parquet",
    "results/{cohort}/pppasi_check.csv",
]


rule pppasi:
    input:
        visits="results/{cohort}/validated/visits.parquet",
        components="results/{cohort}/validated/components.parquet",
        code=package("io", "pppasi", "fast_paths/__init__", "fast_paths/pppasi"),
        lock=LOCK,
    output:
        pppasi="results/{cohort}/pppasi.parquet",
        check="results/{cohort}/pppasi_check.csv",
    log:
        "logs/pppasi/{cohort}.log",
    benchmark:
        "benchmarks/pppasi/{cohort}.tsv"
    conda:
        "../envs/core.yaml"
    params:
        fast_paths=config["performance"]["fast_paths"],
        disagreement=cohort_setting("pppasi_disagreement"),
    script:
        "../workflow_scripts/pppasi.py"
