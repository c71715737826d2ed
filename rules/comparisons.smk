# Stage: comparisons. A randomised cohort's arms compared over its randomised period (to the
# switch visit), by randomised arm: responder endpoints with rate difference, risk and odds
# ratios, Fisher and (with strata) CMH; PPPASI change by ANCOVA and Mann-Whitney; the endpoint
# visit's subgroups; a mixed model over the visits; each arm's mean PPPASI change per visit. Only
# for cohorts with `arms:`.


rule comparisons:
    input:
        responses=rules.response.output.responses,
        pppasi=rules.pppasi.output.pppasi,
        patients=rules.validate.output.patients,
        code=script_code("comparisons"),
        lock=LOCK,
    output:
        comparisons="results/{cohort}/comparisons.csv",
        continuous="results/{cohort}/continuous_comparisons.csv",
        subgroups="results/{cohort}/subgroup_comparisons.csv",
        repeated="results/{cohort}/repeated_measures.csv",
        # Each arm's own mean change and its CI per visit (not a comparison, but over the same
        # randomised period and patients): the chart of the arms' courses is drawn from it.
        mean_change="results/{cohort}/mean_change.csv",
        # Each patient's responses with the arm, over the randomised period: the Kaplan-Meier
        # curves per arm are drawn from it.
        arm_responses="results/{cohort}/arm_responses.parquet",
    log:
        "logs/comparisons/{cohort}.log",
    benchmark:
        "benchmarks/comparisons/{cohort}.tsv"
    wildcard_constraints:
        cohort=one_of(ARM_COHORTS),
    # The longest job of a trial's run: first among those the run waits on, when they are ready
    # together.
    priority: CRITICAL_PATH + 1
    conda:
        "../envs/stats.yaml"
    params:
        baseline_visit=cohort_setting("baseline_visit"),
        endpoint_visit=cohort_setting("endpoint_visit"),
        missing=cohort_setting("missing"),
        confidence_level=config["stats"]["confidence_level"],
        subgroup_columns=config["stats"]["subgroup_columns"],
        outcomes=cohort_outcomes,
        arms=cohort_arms,
    script:
        "../workflow_scripts/comparisons.py"
