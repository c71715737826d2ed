# Stage: stats. Baseline versus endpoint tests and descriptives of PPPASI and PGA (and of the
# declared outcomes and, from components, the PPPASI subscores and PPSI), and the baseline
# characteristics table. From the scores alone, not the responses: the job runs beside the
# response job rather than after it.


rule stats:
    input:
        pppasi=rules.pppasi.output.pppasi,
        patients=rules.validate.output.patients,
        outcomes=rules.validate.output.outcomes,
        subscores=rules.pppasi.output.subscores,
        code=script_code("stats"),
        lock=LOCK,
    output:
        tests="results/{cohort}/tests.csv",
        descriptives="results/{cohort}/descriptives.csv",
    log:
        "logs/stats/{cohort}.log",
    benchmark:
        "benchmarks/stats/{cohort}.tsv"
    priority: CRITICAL_PATH
    conda:
        "../envs/stats.yaml"
    params:
        baseline_visit=cohort_setting("baseline_visit"),
        endpoint_visit=cohort_setting("endpoint_visit"),
        confidence_level=config["stats"]["confidence_level"],
        outcomes=cohort_outcomes,
        arms=cohort_arms,
    script:
        "../workflow_scripts/stats.py"


rule table1:
    input:
        patients=rules.validate.output.patients,
        pppasi=rules.pppasi.output.pppasi,
        code=script_code("table1"),
        lock=LOCK,
    output:
        table1="results/{cohort}/table1.csv",
        markdown="results/{cohort}/table1.md",
    log:
        "logs/table1/{cohort}.log",
    benchmark:
        "benchmarks/table1/{cohort}.tsv"
    conda:
        "../envs/core.yaml"
    params:
        baseline_visit=cohort_setting("baseline_visit"),
        group_column=table1_group,
        first_group=table1_first_group,
    script:
        "../workflow_scripts/table1.py"
