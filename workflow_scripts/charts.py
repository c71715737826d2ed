"""Draw the cohort's charts the rule names (params ``charts``) and write each as SVG, PNG and an
offline HTML page, with the run's chart library (input ``library``) inline in the pages."""

from pathlib import Path

import polars as pl
from _shim import start_logging

from pppflow.arm_settings import design_from_lines
from pppflow.arms import pooled_rows
from pppflow.charts.common import ChartSettings, ChartSize, reported_rates
from pppflow.charts.registry import BY_NAME, inputs_of, reads_pooled_rows
from pppflow.claims import claims_from_json
from pppflow.io import write_atomic, write_text
from pppflow.render import render_chart

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params


def read_input(name: str) -> pl.DataFrame:
    if name == "claims":
        return reported_rates(claims_from_json(Path(inp.claims).read_text(encoding="utf-8")))
    path = inp[name]
    if path.endswith(".parquet"):
        return pl.read_parquet(path)
    # Text stays text: an ID or a printed value such as "007" is never read as a number.
    return pl.read_csv(path, infer_schema=name != "audit")


charts = [BY_NAME[name] for name in params.charts]
frames = {name: read_input(name) for name in inputs_of(charts)}
settings = ChartSettings(
    cohort=cohort,
    size=ChartSize(params.width, params.height),
    baseline_visit=params.baseline_visit,
    endpoint_visit=params.endpoint_visit,
    pga_max=params.pga_max,
    confidence_level=params.confidence_level,
    # Only the rules of charts drawn per arm from the validated patients give the arms.
    arms=design_from_lines(getattr(params, "arms", [])),
)
library = Path(inp.library).read_text(encoding="utf-8")
for chart in charts:
    # Only the frames its entry names: a chart drawing from an undeclared input fails here.
    drawn = chart.builder()(
        {
            name: pooled_rows(frames[name]) if reads_pooled_rows(chart, name) else frames[name]
            for name in chart.inputs
        },
        settings,
    )
    rendered = render_chart(
        drawn, png_scale=params.png_scale, library=library, title=f"{chart.title} — {cohort}"
    )
    write_text(rendered.svg, out[f"{chart.name}_svg"])
    write_atomic(lambda tmp, png=rendered.png: Path(tmp).write_bytes(png), out[f"{chart.name}_png"])
    write_text(rendered.html, out[f"{chart.name}_html"])
log.info("cohort %s: %d charts drawn: %s", cohort, len(charts), ", ".join(params.charts))
