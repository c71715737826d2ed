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
include: "rules/audit.smk"
include: "rules/charts.smk"
include: "rules/report.smk"
include: "rules/summary.smk"


rule all:
    default_target: True
    input:
        all_outputs(),
