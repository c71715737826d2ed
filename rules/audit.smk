# Stage: audit. Every claim of the cohort's claims file (optional) recomputed from its data.


def comparison_inputs(wildcards):
    """The between-arm results a cohort with arms (an `arms` entry in its config) has, which
    its claims about arms are checked against; nothing for any other cohort, whose claims about
    arms are then not checkable."""
    if not cohort_entry(wildcards).get("arms"):
        return {}
    return {
        "comparisons": rules.comparisons.output.comparisons,
        "continuous_comparisons": rules.comparisons.output.continuous,
        "time_to_response": rules.outcomes.output.time_to_response,
    }


rule audit:
    input:
        unpack(paper_input),
        unpack(comparison_inputs),
        claims=rules.validate.output.claims,
        patients=rules.validate.output.patients,
        pppasi=rules.pppasi.output.pppasi,
        outcomes=rules.validate.output.outcomes,
        rates=rules.response.output.rates,
        tests=rules.stats.output.tests,
        code=script_code("audit"),
        lock=LOCK,
    output:
        audit="results/{cohort}/audit.csv",
        markdown="results/{cohort}/audit.md",
    log:
        "logs/audit/{cohort}.log",
    benchmark:
        "benchmarks/audit/{cohort}.tsv"
    conda:
        "../envs/core.yaml"
    params:
        alpha=config["stats"]["alpha"],
        outcomes=cohort_outcomes,
    script:
        "../workflow_scripts/audit.py"
