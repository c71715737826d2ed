# Stage: outcomes. The summaries PPP papers report beside the response rates: percent change in
# PPPASI per visit, the adverse events table, the patient flow, time to first response, time on
# drug. One job for the five: each is a small table, and a job of its own would cost more in interpreter start
# and imports than the table does.


rule outcomes:
    input:
        patients=rules.validate.output.patients,
        visits=rules.validate.output.visits,
        events=rules.validate.output.events,
        outcomes=rules.validate.output.outcomes,
        pppasi=rules.pppasi.output.pppasi,
        responses=rules.response.output.responses,
        rates=rules.response.output.rates,
        code=script_code("outcomes"),
        lock=LOCK,
    output:
        percent_change="results/{cohort}/percent_change.csv",
        safety="results/{cohort}/safety.csv",
        flow="results/{cohort}/flow.csv",
        time_to_response="results/{cohort}/time_to_response.csv",
        time_on_drug="results/{cohort}/time_on_drug.csv",
    log:
        "logs/outcomes/{cohort}.log",
    benchmark:
        "benchmarks/outcomes/{cohort}.tsv"
    priority: CRITICAL_PATH
    conda:
        "../envs/stats.yaml"
    params:
        baseline_visit=cohort_setting("baseline_visit"),
        endpoint_visit=cohort_setting("endpoint_visit"),
        missing=cohort_setting("missing"),
        events_recorded=lambda wildcards: "events" in cohort_entry(wildcards),
        confidence_level=config["stats"]["confidence_level"],
        outcomes=cohort_outcomes,
        arms=cohort_arms,
    script:
        "../workflow_scripts/outcomes.py"
