# Stage: charts. Each chart of a cohort as SVG (shown in the report), PNG and a standalone HTML
# page that works offline, built with altair and rendered in-process by vl-convert; and an index
# page per cohort showing them all.
#
# The charts over the weeks exist only for a cohort with more than two visits, which the data
# tell, not the config: the checkpoint chart_plan reads the cohort's PPPASI table and lists the
# charts it gets, and chart_index asks for exactly those.
CHART_TITLES = {
    "paired_pppasi": "PPPASI per patient, baseline to endpoint",
    "improvement_waterfall": "Improvement in PPPASI per patient",
    "response_rates": "Response rates, recomputed and reported",
    "pga_shift": "PGA shift, baseline to endpoint",
    "response_rates_over_time": "Response rates over the weeks",
    "pppasi_over_time": "Mean PPPASI over the weeks",
}
CHARTS = ("paired_pppasi", "improvement_waterfall", "response_rates", "pga_shift")
TREND_CHARTS = ("response_rates_over_time", "pppasi_over_time")
CHART_FORMATS = ("svg", "png", "html")

# vega, vega-lite and vega-embed, inline in every chart's HTML page. Bundling them takes over a
# second and gives the same script for every chart, so one job builds it for the whole run,
# beside validation, rather than every chart job on its critical path.
CHART_LIBRARY = "results/vega_library.js"


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


rule charts:
    input:
        library=CHART_LIBRARY,
        pppasi=rules.pppasi.output.pppasi,
        per_patient=rules.response.output.per_patient,
        rates=rules.response.output.rates,
        patients=rules.validate.output.patients,
        # The response chart marks the rates the paper reports, where the cohort has claims.
        claims=lambda wc: [
            p for p in [cohort_entry(wc).get("claims")] if p and Path(p).exists()
        ],
        code=script_code("charts"),
        lock=LOCK,
    output:
        paired_pppasi_svg=report(
            "results/{cohort}/charts/paired_pppasi.svg",
            caption="../report/charts/paired_pppasi.rst",
            category="{cohort}",
            subcategory="Charts",
            labels={"chart": CHART_TITLES["paired_pppasi"]},
        ),
        paired_pppasi_png="results/{cohort}/charts/paired_pppasi.png",
        paired_pppasi_html="results/{cohort}/charts/paired_pppasi.html",
        improvement_waterfall_svg=report(
            "results/{cohort}/charts/improvement_waterfall.svg",
            caption="../report/charts/improvement_waterfall.rst",
            category="{cohort}",
            subcategory="Charts",
            labels={"chart": CHART_TITLES["improvement_waterfall"]},
        ),
        improvement_waterfall_png="results/{cohort}/charts/improvement_waterfall.png",
        improvement_waterfall_html="results/{cohort}/charts/improvement_waterfall.html",
        response_rates_svg=report(
            "results/{cohort}/charts/response_rates.svg",
            caption="../report/charts/response_rates.rst",
            category="{cohort}",
            subcategory="Charts",
            labels={"chart": CHART_TITLES["response_rates"]},
        ),
        response_rates_png="results/{cohort}/charts/response_rates.png",
        response_rates_html="results/{cohort}/charts/response_rates.html",
        pga_shift_svg=report(
            "results/{cohort}/charts/pga_shift.svg",
            caption="../report/charts/pga_shift.rst",
            category="{cohort}",
            subcategory="Charts",
            labels={"chart": CHART_TITLES["pga_shift"]},
        ),
        pga_shift_png="results/{cohort}/charts/pga_shift.png",
        pga_shift_html="results/{cohort}/charts/pga_shift.html",
    log:
        "logs/charts/{cohort}.log",
    benchmark:
        "benchmarks/charts/{cohort}.tsv"
    conda:
        "../envs/charts.yaml"
    params:
        baseline_visit=cohort_setting("baseline_visit"),
        endpoint_visit=cohort_setting("endpoint_visit"),
        pga_max=cohort_setting("pga_max"),
        confidence_level=config["stats"]["confidence_level"],
        width=config["charts"]["width"],
        height=config["charts"]["height"],
        png_scale=config["charts"]["png_scale"],
    script:
        "../workflow_scripts/charts.py"


rule trend_charts:
    input:
        library=CHART_LIBRARY,
        pppasi=rules.pppasi.output.pppasi,
        rates=rules.response.output.rates,
        code=script_code("trend_charts"),
        lock=LOCK,
    output:
        response_rates_over_time_svg=report(
            "results/{cohort}/charts/response_rates_over_time.svg",
            caption="../report/charts/response_rates_over_time.rst",
            category="{cohort}",
            subcategory="Charts",
            labels={"chart": CHART_TITLES["response_rates_over_time"]},
        ),
        response_rates_over_time_png="results/{cohort}/charts/response_rates_over_time.png",
        response_rates_over_time_html="results/{cohort}/charts/response_rates_over_time.html",
        pppasi_over_time_svg=report(
            "results/{cohort}/charts/pppasi_over_time.svg",
            caption="../report/charts/pppasi_over_time.rst",
            category="{cohort}",
            subcategory="Charts",
            labels={"chart": CHART_TITLES["pppasi_over_time"]},
        ),
        pppasi_over_time_png="results/{cohort}/charts/pppasi_over_time.png",
        pppasi_over_time_html="results/{cohort}/charts/pppasi_over_time.html",
    log:
        "logs/trend_charts/{cohort}.log",
    benchmark:
        "benchmarks/trend_charts/{cohort}.tsv"
    conda:
        "../envs/charts.yaml"
    params:
        confidence_level=config["stats"]["confidence_level"],
        width=config["charts"]["width"],
        height=config["charts"]["height"],
        png_scale=config["charts"]["png_scale"],
    script:
        "../workflow_scripts/trend_charts.py"


checkpoint chart_plan:
    input:
        pppasi=rules.pppasi.output.pppasi,
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
        charts=CHARTS,
        trend_charts=TREND_CHARTS,
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
        code=script_code("chart_index"),
        lock=LOCK,
    output:
        "results/{cohort}/charts/index.html",
    log:
        "logs/chart_index/{cohort}.log",
    benchmark:
        "benchmarks/chart_index/{cohort}.tsv"
    conda:
        "../envs/core.yaml"
    params:
        titles=CHART_TITLES,
    script:
        "../workflow_scripts/chart_index.py"
