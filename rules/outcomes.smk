# Stage: outcomes. The summaries PPP papers report beside the response rates: percent change in
# PPPASI per visit, the adverse events table, the patient flow, time to first response.


rule percent_change:
    input:
        responses=rules.response.output.responses,
        code=script_code("percent_change"),
        lock=LOCK,
    output:
        percent_change="results/{cohort}/percent_change.csv",
    log:
        "logs/percent_change/{cohort}.log",
    benchmark:
        "benchmarks/percent_change/{cohort}.tsv"
    conda:
        "../envs/stats.yaml"
    params:
        confidence_level=config["stats"]["confidence_level"],
    script:
        "../workflow_scripts/percent_change.py"


rule safety:
    input:
        events=rules.validate.output.events,
        visits=rules.validate.output.visits,
        patients=rules.validate.output.patients,
        code=script_code("safety"),
        lock=LOCK,
    output:
        safety="results/{cohort}/safety.csv",
    log:
        "logs/safety/{cohort}.log",
    benchmark:
        "benchmarks/safety/{cohort}.tsv"
    conda:
        "../envs/core.yaml"
    params:
        recorded=lambda wildcards: "events" in cohort_entry(wildcards),
    script:
        "../workflow_scripts/safety.py"


rule flow:
    input:
        patients=rules.validate.output.patients,
        pppasi=rules.pppasi.output.pppasi,
        responses=rules.response.output.responses,
        rates=rules.response.output.rates,
        code=script_code("flow"),
        lock=LOCK,
    output:
        flow="results/{cohort}/flow.csv",
    log:
        "logs/flow/{cohort}.log",
    benchmark:
        "benchmarks/flow/{cohort}.tsv"
    conda:
        "../envs/core.yaml"
    params:
        baseline_visit=cohort_setting("baseline_visit"),
        endpoint_visit=cohort_setting("endpoint_visit"),
        missing=cohort_setting("missing"),
    script:
        "../workflow_scripts/flow.py"


rule time_to_response:
    input:
        responses=rules.response.output.responses,
        code=script_code("time_to_response"),
        lock=LOCK,
    output:
        time_to_response="results/{cohort}/time_to_response.csv",
    log:
        "logs/time_to_response/{cohort}.log",
    benchmark:
        "benchmarks/time_to_response/{cohort}.tsv"
    conda:
        "../envs/stats.yaml"
    params:
        confidence_level=config["stats"]["confidence_level"],
    script:
        "../workflow_scripts/time_to_response.py"
