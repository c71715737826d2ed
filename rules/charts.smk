# Stage: charts. Each chart of a cohort as SVG (shown in the report), PNG and a standalone HTML
# page that works offline, built with altair and rendered in-process by vl-convert; and an index
# page per cohort showing them all with their captions.
#
# The charts are those of pppflow/charts/registry.py: the rules below, the plan and the index are
# made from it, so that a chart is its module, its caption and its registry entry, and nothing
# here names one.
#
# The charts over the weeks exist only for a cohort with more than two visits, the PGA shift
# only for a cohort with a PGA grade, the declared outcomes' chart only for a cohort with a value
# of one, and the charts between arms only for a cohort with arms in its config and two or more
# arms among its patients, and the drug survival chart only for a cohort whose patients file gives
# a stop week, which the data tell: the checkpoint chart_plan reads the cohort's validated visits,
# declared outcomes and patients and lists the charts it gets, and chart_index asks for exactly
# those.
from pppflow.charts.registry import CHARTS, INPUTS, Cohorts, charts_for, inputs_of
from pppflow.tables import TEMPLATE_FILES

# vega, vega-lite and vega-embed, inline in every chart's HTML page. Bundling them takes over a
# second and gives the same script for every chart, so one job builds it for the whole run,
# beside validation, rather than every chart job on its critical path.
CHART_LIBRARY = "results/vega_library.js"

# The file behind each input a registry entry can name.
CHART_INPUT_FILES = {
    "pppasi": rules.pppasi.output.pppasi,
    "per_patient": rules.response.output.per_patient,
    "rates": rules.response.output.rates,
    "patients": rules.validate.output.patients,
    # The checked claims (null where the cohort has none): the rates the paper reports.
    "claims": rules.validate.output.claims,
    "audit": rules.audit.output.audit,
    "responses": rules.response.output.responses,
    "percent_change_summary": rules.outcomes.output.percent_change,
    "descriptives": rules.stats.output.descriptives,
    # The between-arm results (a cohort with arms; rules/comparisons.smk).
    "comparisons": rules.comparisons.output.comparisons,
    "subgroup_comparisons": rules.comparisons.output.subgroups,
    "continuous_comparisons": rules.comparisons.output.continuous,
    "repeated_measures": rules.comparisons.output.repeated,
    "mean_change": rules.comparisons.output.mean_change,
    "arm_responses": rules.comparisons.output.arm_responses,
    "visits": rules.validate.output.visits,
}
assert set(CHART_INPUT_FILES) == set(
    INPUTS
), "an input of the chart registry has no file here"

# What a chart is drawn with besides its data; also what its caption is filled in with, in the
# report and on the index page alike.
CHART_SETTINGS = {
    "baseline_visit": cohort_setting("baseline_visit"),
    "endpoint_visit": cohort_setting("endpoint_visit"),
    "pga_max": cohort_setting("pga_max"),
    "confidence_level": config["stats"]["confidence_level"],
    "width": config["charts"]["width"],
    "height": config["charts"]["height"],
    "png_scale": config["charts"]["png_scale"],
}


# Each chart's three files, by the output names the script writes them to: the SVG in the
# cohort's Charts section of the report, under the chart's title and caption.
CHART_OUTPUTS = {
    chart.name: {
        f"{chart.name}_svg": report(
            f"results/{{cohort}}/charts/{chart.name}.svg",
            caption=f"../{chart.caption}",
            category="{cohort}",
            subcategory="Charts",
            labels={"chart": chart.title},
        ),
        f"{chart.name}_png": f"results/{{cohort}}/charts/{chart.name}.png",
        f"{chart.name}_html": f"results/{{cohort}}/charts/{chart.name}.html",
    }
    for chart in CHARTS
}

EVERY_COHORT_CHARTS = charts_for(Cohorts.EVERY)
TREND_CHARTS = charts_for(Cohorts.MORE_THAN_TWO_VISITS)
PGA_CHARTS = charts_for(Cohorts.WITH_PGA)
OUTCOME_CHARTS = charts_for(Cohorts.WITH_DECLARED_OUTCOMES)
ARM_CHARTS = charts_for(Cohorts.WITH_ARMS)
STOP_CHARTS = charts_for(Cohorts.WITH_STOPS)


rule chart_library:
    input:
        code=script_code("chart_library"),
        lock=LOCK,
    output:
        CHART_LIBRARY,
    log:
        "logs/chart_library/run.log",
    benchmark:
        "benchmarks/chart_library/run.tsv"
    conda:
        "../envs/charts.yaml"
    script:
        "../workflow_scripts/chart_library.py"


# The charts every cohort gets.
rule charts:
    input:
        **{name: CHART_INPUT_FILES[name] for name in inputs_of(EVERY_COHORT_CHARTS)},
        library=CHART_LIBRARY,
        code=chart_code(EVERY_COHORT_CHARTS),
        lock=LOCK,
    output:
        **{
            name: path
            for chart in EVERY_COHORT_CHARTS
            for name, path in CHART_OUTPUTS[chart.name].items()
        },
    log:
        "logs/charts/{cohort}.log",
    benchmark:
        "benchmarks/charts/{cohort}.tsv"
    priority: CRITICAL_PATH
    conda:
        "../envs/charts.yaml"
    params:
        **CHART_SETTINGS,
        charts=[chart.name for chart in EVERY_COHORT_CHARTS],
    script:
        "../workflow_scripts/charts.py"


# The charts over the weeks, asked for only where the plan lists them.
rule trend_charts:
    input:
        **{name: CHART_INPUT_FILES[name] for name in inputs_of(TREND_CHARTS)},
        library=CHART_LIBRARY,
        code=chart_code(TREND_CHARTS),
        lock=LOCK,
    output:
        **{
            name: path
            for chart in TREND_CHARTS
            for name, path in CHART_OUTPUTS[chart.name].items()
        },
    log:
        "logs/trend_charts/{cohort}.log",
    benchmark:
        "benchmarks/trend_charts/{cohort}.tsv"
    conda:
        "../envs/charts.yaml"
    params:
        **CHART_SETTINGS,
        charts=[chart.name for chart in TREND_CHARTS],
    script:
        "../workflow_scripts/charts.py"


# The charts of PGA grades, asked for only where the plan lists them (a cohort with a grade).
rule pga_charts:
    input:
        **{name: CHART_INPUT_FILES[name] for name in inputs_of(PGA_CHARTS)},
        library=CHART_LIBRARY,
        code=chart_code(PGA_CHARTS),
        lock=LOCK,
    output:
        **{
            name: path
            for chart in PGA_CHARTS
            for name, path in CHART_OUTPUTS[chart.name].items()
        },
    log:
        "logs/pga_charts/{cohort}.log",
    benchmark:
        "benchmarks/pga_charts/{cohort}.tsv"
    conda:
        "../envs/charts.yaml"
    params:
        **CHART_SETTINGS,
        charts=[chart.name for chart in PGA_CHARTS],
    script:
        "../workflow_scripts/charts.py"


# The charts of the declared outcomes, asked for only where the plan lists them (a cohort with
# a value of a declared outcome).
rule outcome_charts:
    input:
        **{name: CHART_INPUT_FILES[name] for name in inputs_of(OUTCOME_CHARTS)},
        library=CHART_LIBRARY,
        code=chart_code(OUTCOME_CHARTS),
        lock=LOCK,
    output:
        **{
            name: path
            for chart in OUTCOME_CHARTS
            for name, path in CHART_OUTPUTS[chart.name].items()
        },
    log:
        "logs/outcome_charts/{cohort}.log",
    benchmark:
        "benchmarks/outcome_charts/{cohort}.tsv"
    conda:
        "../envs/charts.yaml"
    params:
        **CHART_SETTINGS,
        charts=[chart.name for chart in OUTCOME_CHARTS],
    script:
        "../workflow_scripts/charts.py"


# The charts between arms, asked for only where the plan lists them (a cohort with arms).
rule arm_charts:
    input:
        **{name: CHART_INPUT_FILES[name] for name in inputs_of(ARM_CHARTS)},
        library=CHART_LIBRARY,
        code=chart_code(ARM_CHARTS),
        lock=LOCK,
    output:
        **{
            name: path
            for chart in ARM_CHARTS
            for name, path in CHART_OUTPUTS[chart.name].items()
        },
    log:
        "logs/arm_charts/{cohort}.log",
    benchmark:
        "benchmarks/arm_charts/{cohort}.tsv"
    conda:
        "../envs/charts.yaml"
    params:
        **CHART_SETTINGS,
        charts=[chart.name for chart in ARM_CHARTS],
    script:
        "../workflow_scripts/charts.py"


# The drug survival charts, asked for only where the plan lists them (a cohort with a stop week);
# one curve per arm where the cohort has arms (`arms`, as pppflow.arms.design_lines writes
# them).
rule stop_charts:
    input:
        **{name: CHART_INPUT_FILES[name] for name in inputs_of(STOP_CHARTS)},
        library=CHART_LIBRARY,
        code=chart_code(STOP_CHARTS),
        lock=LOCK,
    output:
        **{
            name: path
            for chart in STOP_CHARTS
            for name, path in CHART_OUTPUTS[chart.name].items()
        },
    log:
        "logs/stop_charts/{cohort}.log",
    benchmark:
        "benchmarks/stop_charts/{cohort}.tsv"
    conda:
        "../envs/charts.yaml"
    params:
        **CHART_SETTINGS,
        charts=[chart.name for chart in STOP_CHARTS],
        arms=cohort_arm_lines,
    script:
        "../workflow_scripts/charts.py"


checkpoint chart_plan:
    input:
        # The validated visits (their labels and PGA grades), not the PPPASI table: the plan is
        # made beside the recomputation, so that the charts it unlocks (drug survival, from the
        # validated files alone) can fill a core early.
        visits=rules.validate.output.visits,
        outcomes=rules.validate.output.outcomes,
        # Its arm column (the config's `arms: column`), if any: the charts between arms; its
        # stop weeks, if any: the drug survival chart.
        patients=rules.validate.output.patients,
        code=script_code("chart_plan"),
        lock=LOCK,
    output:
        "results/{cohort}/charts/plan.txt",
    log:
        "logs/chart_plan/{cohort}.log",
    benchmark:
        "benchmarks/chart_plan/{cohort}.tsv"
    conda:
        "../envs/charts.yaml"
    params:
        arm_column=lambda wildcards: (cohort_arms(wildcards).get("arms") or {}).get(
            "column"
        ),
    script:
        "../workflow_scripts/chart_plan.py"


rule chart_index:
    input:
        # Every chart the plan lists: this is what brings the charts over the weeks into the run.
        svgs=lambda wc: [
            f"results/{wc.cohort}/charts/{name}.svg"
            for name in Path(checkpoints.chart_plan.get(cohort=wc.cohort).output[0])
            .read_text()
            .split()
        ],
        # Every caption, not only the planned ones: a few bytes, and no second look at the plan.
        captions=[chart.caption for chart in CHARTS],
        templates=TEMPLATE_FILES,
        code=script_code("chart_index"),
        lock=LOCK,
    output:
        "results/{cohort}/charts/index.html",
    log:
        "logs/chart_index/{cohort}.log",
    benchmark:
        "benchmarks/chart_index/{cohort}.tsv"
    # The captions are Jinja templates: jinja2 comes with altair.
    conda:
        "../envs/charts.yaml"
    params:
        **CHART_SETTINGS,
    script:
        "../workflow_scripts/chart_index.py"
