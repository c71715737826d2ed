"""The chart registry: every entry has its module and caption, the plan follows the visits, and
the workflow names no chart outside it."""

import importlib
import re
from pathlib import Path

import pytest

from pppflow.charts.registry import (
    BY_NAME,
    CHARTS,
    INPUTS,
    Chart,
    Cohorts,
    charts_for,
    inputs_of,
    planned_charts,
)

ROOT = Path(__file__).resolve().parents[1]
EVERY = ["paired_pppasi", "improvement_waterfall", "response_rates", "pga_shift"]
OVER_TIME = ["response_rates_over_time", "pppasi_over_time"]


def test_each_entry_has_its_module_and_caption():
    assert [chart.name for chart in CHARTS] == EVERY + OVER_TIME
    assert len(BY_NAME) == len(CHARTS)
    for chart in CHARTS:
        assert callable(chart.builder()), chart.name
        assert chart.builder() is importlib.import_module(f"pppflow.charts.{chart.name}").build
        assert (ROOT / chart.caption).is_file(), chart.caption
        assert set(chart.inputs) <= set(INPUTS)


def test_the_plan_adds_the_charts_over_the_weeks_beyond_two_visits():
    assert planned_charts(1) == EVERY
    assert planned_charts(2) == EVERY
    assert planned_charts(3) == EVERY + OVER_TIME
    assert [chart.name for chart in charts_for(Cohorts.MORE_THAN_TWO_VISITS)] == OVER_TIME


def test_inputs_of_several_charts_are_their_union_in_registry_order():
    assert inputs_of(charts_for(Cohorts.EVERY)) == [
        "pppasi",
        "per_patient",
        "rates",
        "patients",
        "claims",
    ]
    assert inputs_of(charts_for(Cohorts.MORE_THAN_TWO_VISITS)) == ["pppasi", "rates"]
    assert inputs_of([BY_NAME["pga_shift"]]) == ["pppasi", "per_patient"]


def test_an_entry_naming_an_unknown_input_is_refused():
    with pytest.raises(ValueError, match=r"chart x: unknown inputs \['visits'\]"):
        Chart("x", "X", Cohorts.EVERY, ("pppasi", "visits"))


def test_the_workflow_names_no_chart_outside_the_registry():
    # A new chart is a module, a caption and a registry entry: no rule or script lists charts.
    files = [ROOT / "rules/charts.smk", *ROOT.glob("workflow_scripts/chart*.py")]
    assert len(files) >= 4
    for path in files:
        text = path.read_text()
        named = [
            chart.name
            for chart in CHARTS
            # As a chart would be named: quoted, as a file under charts/, or an output's name
            # (response_rates.csv is a table of the same name, not the chart).
            if re.search(
                rf"[\"']{chart.name}[\"']|charts/{chart.name}\b|{chart.name}_(svg|png|html)", text
            )
        ]
        assert named == [], f"{path.relative_to(ROOT)} names {named}"


def test_the_registry_loads_without_altair_or_polars():
    # Snakemake imports it while it parses the rules, and the plan step runs on it.
    import subprocess
    import sys

    code = (
        "import sys; import pppflow.charts.registry; "
        "print(sorted(m for m in ('altair', 'polars') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
