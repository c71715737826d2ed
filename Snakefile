# pppflow: wiring only. The rules live in rules/, the logic in the pppflow package.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "config/schema.yaml")


include: "rules/common.smk"
include: "rules/validate.smk"
include: "rules/pppasi.smk"
include: "rules/response.smk"
include: "rules/stats.smk"
# Before the charts and the summary, which read its tables.
include: "rules/outcomes.smk"
include: "rules/comparisons.smk"
include: "rules/audit.smk"
include: "rules/charts.smk"
include: "rules/report.smk"
include: "rules/summary.smk"
include: "rules/summary_only.smk"


# Every output of the rules a full run ends with; the rest are made on the way. The charts over
# the weeks come in through chart_index, as the cohort's chart plan asks for them. A summary-only
# cohort (claims, no patient data) gets its claims checked and audited (rules/summary_only.smk);
# a randomised cohort (`arms:`) also gets its between-arm comparisons (rules/comparisons.smk).
rule all:
    default_target: True
    input:
        per_cohort_outputs(
            rules.validate,
            rules.pppasi,
            rules.response,
            rules.stats,
            rules.table1,
            rules.audit,
            rules.charts,
            rules.chart_index,
            rules.report_tables,
            rules.summary,
            rules.outcomes,
        ),
        rules.report_landing.output,
        rules.report_methods.output,
        expand(SUMMARY_OUTPUTS, cohort=SUMMARY_COHORTS),
        expand(rules.comparisons.output, cohort=ARM_COHORTS),
