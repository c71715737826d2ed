# Stage: response. PPPASI-50/75/90/100 and PGA endpoints per patient and follow-up visit, and
# the response rates with exact Clopper-Pearson intervals, overall and by subgroup.


rule response:
    input:
        pppasi=rules.pppasi.output.pppasi,
        outcomes=rules.validate.output.outcomes,
        patients=rules.validate.output.patients,
        code=script_code("response"),
        lock=LOCK,
    output:
        responses="results/{cohort}/responses.parquet",
        per_patient="results/{cohort}/per_patient.parquet",
        per_patient_csv="results/{cohort}/per_patient.csv",
        rates="results/{cohort}/response_rates.csv",
        subgroup_rates="results/{cohort}/subgroup_rates.csv",
    log:
        "logs/response/{cohort}.log",
    benchmark:
        "benchmarks/response/{cohort}.tsv"
    priority: CRITICAL_PATH
    conda:
        "../envs/stats.yaml"
    params:
        fast_paths=config["performance"]["fast_paths"],
        baseline_visit=cohort_setting("baseline_visit"),
        endpoint_visit=cohort_setting("endpoint_visit"),
        missing=cohort_setting("missing"),
        confidence_level=config["stats"]["confidence_level"],
        group_columns=config["stats"]["subgroup_columns"],
        outcomes=cohort_outcomes,
        arms=cohort_arms,
    script:
        "../workflow_scripts/response.py"
