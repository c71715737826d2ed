"""The chart registry: every entry has its module and caption, the plan follows the visits, and
the workflow names no chart outside it. And the captions as the index page shows them."""

import importlib
import re
from pathlib import Path

import pytest

from pppflow.charts.captions import caption_paragraphs
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
OVER_TIME = ["response_rates_over_time", "pppasi_over_time", "percent_change", "time_to_response"]
DECLARED = ["declared_outcomes"]
BETWEEN_ARMS = [
    "forest_plot",
    "response_rates_by_arm",
    "mean_change_by_arm",
    "change_by_arm",
    "time_to_response_by_arm",
]
STOPS = ["time_on_drug"]
# What rules/charts.smk gives a chart job and the index (CHART_SETTINGS), zheng2024's values.
PARAMS = {
    "baseline_visit": "baseline",
    "endpoint_visit": "week12",
    "pga_max": 5,
    "confidence_level": 0.95,
    "width": 520,
    "height": 340,
    "png_scale": 2,
}


def test_each_entry_has_its_module_and_caption():
    assert [chart.name for chart in CHARTS] == EVERY + OVER_TIME + DECLARED + BETWEEN_ARMS + STOPS
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


def test_the_plan_adds_the_declared_outcomes_chart_where_one_has_a_value():
    assert planned_charts(2, declared_outcomes=True) == EVERY + DECLARED
    assert planned_charts(3, pga_recorded=False, declared_outcomes=True) == [
        name for name in EVERY + OVER_TIME + DECLARED if name != "pga_shift"
    ]
    assert [chart.name for chart in charts_for(Cohorts.WITH_DECLARED_OUTCOMES)] == DECLARED


def test_the_charts_beside_a_table_name_their_summary_section():
    assert {chart.name: chart.section for chart in CHARTS if chart.section} == {
        "percent_change": "percent-change",
        "time_to_response": "time-to-response",
        "declared_outcomes": "declared-outcomes",
        "time_on_drug": "time-on-drug",
        "forest_plot": "subgroups",
        "response_rates_by_arm": "between-arms-responders",
        "mean_change_by_arm": "between-arms-change",
        "change_by_arm": "between-arms-change",
        "time_to_response_by_arm": "between-arms-time",
    }
    template = (ROOT / "pppflow/templates/summary.html.j2").read_text()
    for chart in CHARTS:
        if chart.section:
            assert f'id="{chart.section}"' in template, chart.name


def test_the_plan_leaves_out_the_pga_shift_without_a_pga_grade():
    without_pga = [name for name in EVERY if name != "pga_shift"]
    assert planned_charts(2, pga_recorded=False) == without_pga
    assert planned_charts(3, pga_recorded=False) == without_pga + OVER_TIME
    assert [chart.name for chart in charts_for(Cohorts.WITH_PGA)] == ["pga_shift"]
    assert [chart.name for chart in charts_for(Cohorts.MORE_THAN_TWO_VISITS)] == OVER_TIME


def test_inputs_of_several_charts_are_their_union_in_registry_order():
    assert inputs_of(charts_for(Cohorts.EVERY)) == [
        "pppasi",
        "per_patient",
        "rates",
        "patients",
        "claims",
        "audit",
    ]
    assert inputs_of(charts_for(Cohorts.WITH_PGA)) == ["pppasi", "per_patient"]
    assert inputs_of(charts_for(Cohorts.MORE_THAN_TWO_VISITS)) == [
        "pppasi",
        "rates",
        "responses",
        "percent_change_summary",
    ]
    assert inputs_of(charts_for(Cohorts.WITH_DECLARED_OUTCOMES)) == ["descriptives"]
    assert inputs_of(charts_for(Cohorts.WITH_STOPS)) == ["patients", "visits"]
    assert inputs_of([BY_NAME["pga_shift"]]) == ["pppasi", "per_patient"]


def test_an_entry_naming_an_unknown_input_is_refused():
    with pytest.raises(ValueError, match=r"chart x: unknown inputs \['events'\]"):
        Chart("x", "X", Cohorts.EVERY, ("pppasi", "events"))


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


def test_caption_paragraphs_fill_the_placeholders_and_drop_the_markup():
    template = (
        "**Response rates** (cohort ``{{ snakemake.wildcards.cohort }}``,\n"
        "visit ``{{ snakemake.params.endpoint_visit }}``).\n"
        "\n"
        "An exact {{ (snakemake.params.confidence_level * 100) | round(1) }} % interval,\n"
        "*not* a normal one.\n"
    )
    assert caption_paragraphs(template, cohort="demo", params=PARAMS) == [
        "Response rates (cohort demo, visit week12).",
        "An exact 95.0 % interval, not a normal one.",
    ]


def test_a_caption_naming_a_missing_param_is_an_error():
    with pytest.raises(Exception, match="dose"):
        caption_paragraphs("{{ snakemake.params.dose }}", cohort="demo", params=PARAMS)


def test_every_caption_fills_in_with_the_chart_settings():
    for chart in CHARTS:
        text = (ROOT / chart.caption).read_text(encoding="utf-8")
        paragraphs = caption_paragraphs(text, cohort="zheng2024", params=PARAMS)
        joined = "\n".join(paragraphs)
        assert "zheng2024" in paragraphs[0], chart.name
        assert not re.search(r"\{\{|\{%|\*\*|``", joined), chart.name
        assert "How to read" in joined, chart.name


def _run_plan(
    tmp_path, monkeypatch, scores, outcomes=None, patients=None, arm_column=None
) -> list[str]:
    """workflow_scripts/chart_plan.py as Snakemake runs it, on validated visits, declared
    outcomes (by default none) and patients (by default the table's, without an arm column)
    written here; `arm_column` as the config's `arms: column` gives it (None: no arms)."""
    import runpy
    from types import SimpleNamespace

    import polars as pl

    from pppflow.outcomes import UNITS_KEY_SCHEMA

    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT / "workflow_scripts"))
    scores.write_parquet(tmp_path / "visits.parquet")
    (pl.DataFrame(schema=UNITS_KEY_SCHEMA) if outcomes is None else outcomes).write_parquet(
        tmp_path / "outcomes.parquet"
    )
    if patients is None:
        patients = scores.select("patient_id").unique()
    patients.write_parquet(tmp_path / "patients.parquet")
    stand_in = SimpleNamespace(
        input=SimpleNamespace(
            visits=str(tmp_path / "visits.parquet"),
            outcomes=str(tmp_path / "outcomes.parquet"),
            patients=str(tmp_path / "patients.parquet"),
        ),
        params=SimpleNamespace(arm_column=arm_column),
        output=[str(tmp_path / "plan.txt")],
        wildcards=SimpleNamespace(cohort="demo"),
        rule="chart_plan",
        log=[str(tmp_path / "plan.log")],
    )
    runpy.run_path(
        str(ROOT / "workflow_scripts/chart_plan.py"), init_globals={"snakemake": stand_in}
    )
    return (tmp_path / "plan.txt").read_text().split()


def test_the_plan_reads_whether_any_pga_grade_is_recorded(tmp_path, monkeypatch):
    import polars as pl

    scores = pl.DataFrame(
        {
            "patient_id": ["1", "1"],
            "visit": ["baseline", "week12"],
            "pga": pl.Series([None, None], dtype=pl.Int64),
        }
    )
    without_pga = [name for name in EVERY if name != "pga_shift"]
    assert _run_plan(tmp_path, monkeypatch, scores) == without_pga
    assert _run_plan(tmp_path, monkeypatch, scores.drop("pga")) == without_pga
    graded = scores.with_columns(pl.Series("pga", [3, None], dtype=pl.Int64))
    assert _run_plan(tmp_path, monkeypatch, graded) == EVERY


def test_the_plan_reads_whether_any_declared_outcome_has_a_value(tmp_path, monkeypatch):
    import polars as pl

    from pppflow.outcomes import units_column

    scores = pl.DataFrame(
        {"patient_id": ["1", "1"], "visit": ["baseline", "week12"], "pga": [3, 1]}
    )
    assert _run_plan(tmp_path, monkeypatch, scores) == EVERY
    # Declared, but no value at any visit: nothing to chart
    dlqi = scores.select(
        "patient_id",
        "visit",
        pl.Series("week", [0.0, 12.0]),
        pl.Series(units_column("dlqi"), [None, None], dtype=pl.Int64),
    )
    assert _run_plan(tmp_path, monkeypatch, scores, dlqi) == EVERY
    recorded = dlqi.with_columns(pl.Series(units_column("dlqi"), [7, None], dtype=pl.Int64))
    assert _run_plan(tmp_path, monkeypatch, scores, recorded) == EVERY + DECLARED


def test_the_plan_reads_the_arms_from_the_patients_column_the_config_names(tmp_path, monkeypatch):
    import polars as pl

    scores = pl.DataFrame(
        {
            "patient_id": ["1", "1", "2", "2"],
            "visit": ["baseline", "week12", "baseline", "week12"],
            "pga": [3, 1, 2, 2],
        }
    )
    one_arm = pl.DataFrame({"patient_id": ["1", "2"], "group": ["drug", None]})
    assert _run_plan(tmp_path, monkeypatch, scores, patients=one_arm, arm_column="group") == EVERY
    two_arms = pl.DataFrame({"patient_id": ["1", "2"], "group": ["drug", "placebo"]})
    assert (
        _run_plan(tmp_path, monkeypatch, scores, patients=two_arms, arm_column="group")
        == EVERY + BETWEEN_ARMS
    )
    # A column of arms the config does not name is no trial.
    assert _run_plan(tmp_path, monkeypatch, scores, patients=two_arms) == EVERY


def test_the_plan_adds_the_time_on_drug_chart_where_a_stop_week_is_given(tmp_path, monkeypatch):
    import polars as pl

    assert planned_charts(2, stops=True) == EVERY + STOPS
    assert planned_charts(3, arms=2, stops=True) == EVERY + OVER_TIME + BETWEEN_ARMS + STOPS
    assert [chart.name for chart in charts_for(Cohorts.WITH_STOPS)] == STOPS
    scores = pl.DataFrame(
        {
            "patient_id": ["1", "1", "2", "2"],
            "visit": ["baseline", "week12", "baseline", "week12"],
            "pga": [3, 1, 2, 2],
        }
    )
    stopped = pl.DataFrame({"patient_id": ["1", "2"], "stop_week": [None, 8.0]})
    assert _run_plan(tmp_path, monkeypatch, scores, patients=stopped) == EVERY + STOPS
    # A stop_week column without a value, or none: no stops to draw.
    never = stopped.with_columns(pl.lit(None, pl.Float64).alias("stop_week"))
    assert _run_plan(tmp_path, monkeypatch, scores, patients=never) == EVERY
    assert _run_plan(tmp_path, monkeypatch, scores, patients=stopped.drop("stop_week")) == EVERY


def test_zheng2024_and_components_demo_get_no_time_on_drug_chart(tmp_path, monkeypatch):
    # Their patients files give no stop weeks (test_report expects their charts without it).
    import polars as pl

    scores = pl.DataFrame(
        {"patient_id": ["1", "1"], "visit": ["baseline", "week12"], "pga": [3, 1]}
    )
    for path in ("resources/zheng2024/patients.csv", "tests/cohorts/components_demo/patients.csv"):
        patients = pl.read_csv(ROOT / path, infer_schema=False)
        assert "time_on_drug" not in _run_plan(tmp_path, monkeypatch, scores, patients=patients)
    demo = pl.read_csv(ROOT / "tests/cohorts/outcomes_demo/patients.csv")
    assert "time_on_drug" in _run_plan(tmp_path, monkeypatch, scores, patients=demo)


def test_a_chart_of_the_whole_cohort_reads_the_pooled_rows_of_stacked_tables_only():
    import polars as pl

    from pppflow.arms import pooled_rows
    from pppflow.charts.registry import reads_pooled_rows

    def frame_for(chart, name, frame):  # as workflow_scripts/charts.py reads each input
        return pooled_rows(frame) if reads_pooled_rows(chart, name) else frame

    rates = pl.DataFrame({"endpoint": ["PPPASI50"] * 3, "arm": [None, "placebo", "active"]})
    # The validated patients: a trial's arm column may be named `arm` too; it is no stacking.
    patients = pl.DataFrame({"patient_id": ["1", "2"], "arm": ["placebo", "active"]})
    whole, per_arm = BY_NAME["response_rates"], BY_NAME["response_rates_by_arm"]
    assert frame_for(whole, "rates", rates)["arm"].to_list() == [None]
    assert frame_for(per_arm, "rates", rates).height == 3
    assert frame_for(whole, "patients", patients).height == 2
    assert frame_for(whole, "rates", rates.drop("arm")).height == 3
