# Stage: pppasi. PPPASI recomputed from region scores in exact tenths, and every recorded total
# checked against its components (or, where there are none, against the totals the formula can
# give); from the same components, the sign subscores and PPSI per visit.


rule pppasi:
    input:
        visits=rules.validate.output.visits,
        components=rules.validate.output.components,
        code=script_code("pppasi"),
        lock=LOCK,
    output:
        pppasi="results/{cohort}/pppasi.parquet",
        check="results/{cohort}/pppasi_check.csv",
        # The outcomes derived from the same components (the sign subscores, PPSI), beside
        # pppasi.parquet row for row: the stats job summarises them without the components.
        subscores="results/{cohort}/subscores.parquet",
    log:
        "logs/pppasi/{cohort}.log",
    benchmark:
        "benchmarks/pppasi/{cohort}.tsv"
    priority: CRITICAL_PATH
    conda:
        "../envs/core.yaml"
    params:
        fast_paths=config["performance"]["fast_paths"],
        disagreement=cohort_setting("pppasi_disagreement"),
    script:
        "../workflow_scripts/pppasi.py"
