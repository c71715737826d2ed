"""The charts between arms (issue 14), as pure functions of hand-made comparison frames: the rows
each draws (every subgroup level, the non-estimable ones without an interval), its encodings,
and that each renders offline to SVG and PNG."""

import polars as pl
import pytest

from pppflow.charts import change_by_arm, forest_plot, mean_change_by_arm, response_rates_by_arm
from pppflow.charts.common import ChartSettings, ChartSize
from pppflow.charts.forest_plot import INDENT_PX, NOT_ESTIMABLE
from pppflow.render import render_chart

SIZE = ChartSize(300, 200)
SETTINGS = ChartSettings("trial", SIZE, "baseline", "week16", 5, 0.95)

COMPARISON_COLUMNS = {
    "endpoint": pl.Utf8,
    "visit": pl.Utf8,
    "arm": pl.Utf8,
    "reference_arm": pl.Utf8,
    "responders": pl.Int64,
    "evaluable": pl.Int64,
    "reference_responders": pl.Int64,
    "reference_evaluable": pl.Int64,
    "rate_difference": pl.Float64,
    "difference_ci_low": pl.Float64,
    "difference_ci_high": pl.Float64,
    "p_fisher": pl.Float64,
}
COMPARISONS = pl.DataFrame(
    [
        ("PPPASI75", "week16", "drug", "placebo", 12, 20, 4, 20, 0.4, 0.11, 0.62, 0.02),
        ("PPPASI75", "week8", "drug", "placebo", 8, 20, 3, 20, 0.25, -0.02, 0.48, 0.155),
        ("PPPASI50", "week16", "drug", "placebo", 15, 20, 7, 20, 0.4, 0.09, 0.63, 0.025),
    ],
    schema=COMPARISON_COLUMNS,
    orient="row",
)
SUBGROUP_COLUMNS = {
    "endpoint": pl.Utf8,
    "visit": pl.Utf8,
    "subgroup_column": pl.Utf8,
    "subgroup": pl.Utf8,
    "arm": pl.Utf8,
    "reference_arm": pl.Utf8,
    "patients": pl.Int64,
    "rate_difference": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_interaction": pl.Float64,
    "estimable": pl.Boolean,
    "evaluable": pl.Int64,
    "reference_evaluable": pl.Int64,
}
SUBGROUPS = pl.DataFrame(
    [
        ("PPPASI75", "week16", "joint_pain", "false", "drug", "placebo", 26, 0.385, 0.03, 0.64)
        + (0.61, True)
        + (12, 12),
        ("PPPASI75", "week16", "joint_pain", "true", "drug", "placebo", 14, 0.43, -0.02, 0.73)
        + (0.61, True)
        + (6, 6),
        ("PPPASI75", "week16", "prior_biologic", "false", "drug", "placebo", 36, 0.444, 0.14)
        + (0.66, None, True)
        + (17, 17),
        # An arm without an evaluable patient: no difference, not estimable.
        ("PPPASI75", "week16", "prior_biologic", "true", "drug", "placebo", 2, None, None, None)
        + (None, False)
        + (0, 2),
        ("PPPASI75", "week16", "prior_biologic", "missing", "drug", "placebo", 2, None, None)
        + (None, None, False)
        + (1, 0),
        # Another visit: not drawn.
        ("PPPASI75", "week8", "joint_pain", "true", "drug", "placebo", 14, 0.1, -0.2, 0.4)
        + (0.5, True)
        + (6, 6),
    ],
    schema=SUBGROUP_COLUMNS,
    orient="row",
)


def values_of(spec: dict) -> list[dict]:
    """The rows of a concatenated chart: every part draws from the same inline values."""
    return spec["hconcat"][1]["layer"][1]["data"]["values"]


# --- forest plot ---------------------------------------------------------------------------


def test_forest_frame_has_the_overall_row_then_every_level_under_its_column():
    frame = forest_plot.forest_frame(COMPARISONS, SUBGROUPS, "PPPASI75", "week16")
    assert frame.select("row", "kind", "label", "patients", "rate_difference").rows() == [
        (0, "overall", "Overall", 40, 0.4),
        (1, "heading", "joint_pain", None, None),
        (2, "level", "false", 24, 0.385),
        (3, "level", "true", 12, 0.43),
        (4, "heading", "prior_biologic", None, None),
        (5, "level", "false", 34, 0.444),
        (6, "level", "true", 2, None),
        (7, "level", "missing", 1, None),
    ]
    # The overall interval is comparisons.csv's, the levels' subgroup_comparisons.csv's.
    assert frame.select("ci_low", "ci_high").row(0) == (0.11, 0.62)
    assert frame.select("ci_low", "ci_high").row(3) == (-0.02, 0.73)
    # Non-estimable levels: no interval, labelled so.
    for row in (6, 7):
        assert frame.select("estimable", "ci_low", "ci_high", "difference_text").row(row) == (
            False,
            None,
            None,
            NOT_ESTIMABLE,
        )
    assert frame["p_text"].to_list() == ["", "P = 0.61", "", "", "P not estimable", "", "", ""]
    assert frame["difference_text"][0] == "+40.0 (+11.0 to +62.0)"
    assert frame["difference_text"][3] == "+43.0 (-2.0 to +73.0)"


def test_forest_frame_names_the_arm_on_each_part_when_several_are_compared():
    third = COMPARISONS.filter(pl.col("visit") == "week16").with_columns(
        pl.lit("high").alias("arm")
    )
    frame = forest_plot.forest_frame(
        pl.concat([COMPARISONS, third]), SUBGROUPS, "PPPASI75", "week16"
    )
    overall = frame.filter(pl.col("kind") == "overall")["label"].to_list()
    assert overall == ["Overall: drug vs placebo", "Overall: high vs placebo"]
    assert "joint_pain (drug)" in frame["label"].to_list()


def test_forest_plot_picks_the_endpoint_visit_then_the_files_first():
    assert forest_plot.chosen_endpoint_visit(SUBGROUPS, "week16") == ("PPPASI75", "week16")
    assert forest_plot.chosen_endpoint_visit(SUBGROUPS, "week52") == ("PPPASI75", "week16")
    assert forest_plot.chosen_endpoint_visit(SUBGROUPS.clear(), "week16") is None


@pytest.mark.parametrize(
    ("p", "text"),
    [(None, "P not estimable"), (0.61, "P = 0.61"), (0.004, "P = 0.004"), (0.0004, "P < 0.001")],
)
def test_interaction_p_text(p, text):
    assert forest_plot.p_text(p) == text


def test_forest_plot_spec():
    spec = forest_plot.build(
        {"comparisons": COMPARISONS, "subgroup_comparisons": SUBGROUPS}, SETTINGS
    ).to_dict()
    labels, plot, patients, differences, interaction = spec["hconcat"]
    zero, interval, point, missing = plot["layer"]
    # A line at 0, across the plot.
    assert zero["mark"]["type"] == "rule"
    assert zero["data"]["values"] == [{"zero": 0}]
    assert "y" not in zero["encoding"]
    # Intervals and points only for the estimable rows; the others as text.
    assert interval["transform"] == [{"filter": "datum.estimable"}]
    assert (interval["encoding"]["x"]["field"], interval["encoding"]["x2"]["field"]) == (
        "ci_low",
        "ci_high",
    )
    assert point["encoding"]["x"]["field"] == "rate_difference"
    assert point["encoding"]["shape"]["condition"]["value"] == "diamond"
    assert missing["mark"]["type"] == "text"
    assert missing["encoding"]["text"] == {"value": NOT_ESTIMABLE}
    # Every part keyed by the row's position, over every row: they line up.
    rows = values_of(spec)
    assert len(rows) == 8
    for part in (labels, patients, differences, interaction):
        for layer in part["layer"]:
            assert layer["encoding"]["y"]["field"] == "row"
            assert layer["encoding"]["y"]["scale"]["domain"] == list(range(8))
    assert point["encoding"]["y"]["scale"]["domain"] == list(range(8))
    assert labels["layer"][0]["encoding"]["text"]["field"] == "label"
    assert patients["layer"][0]["encoding"]["text"]["field"] == "patients_text"
    assert interaction["layer"][0]["encoding"]["text"]["field"] == "p_text"
    # Each subgroup level drawn, the non-estimable ones with their label and no interval.
    levels = [r for r in rows if r["kind"] == "level"]
    assert labels["layer"][0]["mark"]["dx"] == INDENT_PX  # the levels, under their heading
    assert [r["label"] for r in levels] == [
        "false",
        "true",
        "false",
        "true",
        "missing",
    ]
    assert [r["patients_text"] for r in levels] == ["24", "12", "34", "2", "1"]
    unestimated = [r for r in levels if not r["estimable"]]
    assert len(unestimated) == 2
    assert all(r["ci_low"] is None and r["difference_text"] == NOT_ESTIMABLE for r in unestimated)
    assert spec["title"]["text"].startswith("PPPASI 75 at week16")
    assert "Arm − placebo" in spec["title"]["subtitle"][0]


# --- response rates by arm -----------------------------------------------------------------

RATES = pl.DataFrame(
    [
        ("PPPASI75", "week8", 8.0, "drug", 8, 20, 0.4, 0.19, 0.64),
        ("PPPASI75", "week16", 16.0, "drug", 12, 20, 0.6, 0.36, 0.81),
        ("PPPASI75", "week8", 8.0, "placebo", 3, 20, 0.15, 0.03, 0.38),
        ("PPPASI75", "week16", 16.0, "placebo", 4, 20, 0.2, 0.06, 0.44),
        ("PPPASI50", "week16", 16.0, "placebo", 7, 20, 0.35, 0.15, 0.59),
        ("PPPASI50", "week16", 16.0, "drug", 15, 20, 0.75, 0.51, 0.91),
        # The whole cohort (no arm) and a PGA endpoint: not drawn.
        ("PPPASI75", "week16", 16.0, None, 16, 40, 0.4, 0.25, 0.57),
        ("PGA0/1", "week16", 16.0, "drug", 9, 20, 0.45, 0.23, 0.68),
    ],
    schema={
        "endpoint": pl.Utf8,
        "visit": pl.Utf8,
        "week": pl.Float64,
        "arm": pl.Utf8,
        "responders": pl.Int64,
        "evaluable": pl.Int64,
        "rate": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
    },
    orient="row",
)


def test_rates_by_arm_frame_keeps_the_pppasi_rows_of_an_arm():
    frame = response_rates_by_arm.rates_by_arm_frame(RATES)
    assert frame.select("endpoint_label", "arm", "week", "rate").rows() == [
        ("PPPASI 75", "drug", 8.0, 0.4),
        ("PPPASI 75", "drug", 16.0, 0.6),
        ("PPPASI 75", "placebo", 8.0, 0.15),
        ("PPPASI 75", "placebo", 16.0, 0.2),
        ("PPPASI 50", "drug", 16.0, 0.75),
        ("PPPASI 50", "placebo", 16.0, 0.35),
    ]
    # A single-arm cohort's file (arm empty, or no arm column yet): nothing to draw.
    assert response_rates_by_arm.rates_by_arm_frame(RATES.drop("arm")).is_empty()


def test_rates_by_arm_spec():
    spec = response_rates_by_arm.build(
        {"rates": RATES, "comparisons": COMPARISONS}, SETTINGS
    ).to_dict()
    assert spec["facet"]["field"] == "endpoint_label"
    assert spec["facet"]["sort"] == ["PPPASI 75", "PPPASI 50"]
    band, line = spec["spec"]["layer"]
    assert (band["encoding"]["y"]["field"], band["encoding"]["y2"]["field"]) == (
        "ci_low",
        "ci_high",
    )
    colour = line["encoding"]["color"]
    assert colour["field"] == "arm"
    # The reference first, in grey.
    assert colour["scale"]["domain"] == ["placebo", "drug"]
    assert colour["scale"]["range"][0] == response_rates_by_arm.REFERENCE_COLOUR
    assert line["encoding"]["y"]["field"] == "rate"
    (rows,) = spec["datasets"].values()
    assert len(rows) == 6
    assert {(r["arm"], r["visit"], r["rate"]) for r in rows if r["endpoint"] == "PPPASI75"} == {
        ("drug", "week8", 0.4),
        ("drug", "week16", 0.6),
        ("placebo", "week8", 0.15),
        ("placebo", "week16", 0.2),
    }


# --- change by arm -------------------------------------------------------------------------

PPPASI = pl.DataFrame(
    {
        "patient_id": ["1", "1", "1", "2", "2"],
        "visit": ["baseline", "week8", "week16", "baseline", "week16"],
        "week": [0.0, 8.0, 16.0, 0.0, 16.0],
    }
)
REPEATED = pl.DataFrame(
    [
        ("PPPASI change", "week8", "drug", "placebo", -4.5, -6.8, -2.2, 0.001, 60),
        # Not estimated: no mark.
        ("PPPASI change", "week16", "drug", "placebo", None, None, None, None, 60),
        ("PPPASI percent change", "week8", "drug", "placebo", -20.0, -30.0, -10.0, 0.001, 60),
    ],
    schema={
        "outcome": pl.Utf8,
        "visit": pl.Utf8,
        "arm": pl.Utf8,
        "reference_arm": pl.Utf8,
        "difference": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
        "p_value": pl.Float64,
        "patients": pl.Int64,
    },
    orient="row",
)
CONTINUOUS = pl.DataFrame(
    [
        ("PPPASI change", "week8", "drug", "placebo", 29, 27, -4.9, -7.5, -2.3, 0.0004),
        ("PPPASI change", "week16", "drug", "placebo", 27, 25, -6.2, -9.0, -3.4, 0.0001),
    ],
    schema={
        "outcome": pl.Utf8,
        "visit": pl.Utf8,
        "arm": pl.Utf8,
        "reference_arm": pl.Utf8,
        "n": pl.Int64,
        "reference_n": pl.Int64,
        "ls_mean_difference": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
        "p_value": pl.Float64,
    },
    orient="row",
)


def test_change_by_arm_frame_has_both_analyses_of_the_change_in_points():
    frame = change_by_arm.change_by_arm_frame(REPEATED, CONTINUOUS, PPPASI)
    assert frame.select("method", "panel", "label", "difference", "ci_low", "n").rows() == [
        (change_by_arm.ANCOVA, "drug vs placebo", "Week 8", -4.9, -7.5, 56),
        (change_by_arm.MIXED_MODEL, "drug vs placebo", "Week 8", -4.5, -6.8, 60),
        (change_by_arm.ANCOVA, "drug vs placebo", "Week 16", -6.2, -9.0, 52),
    ]


def test_change_by_arm_spec():
    spec = change_by_arm.build(
        {"pppasi": PPPASI, "repeated_measures": REPEATED, "continuous_comparisons": CONTINUOUS},
        SETTINGS,
    ).to_dict()
    assert spec["facet"]["field"] == "panel"
    zero, interval, point = spec["spec"]["layer"]
    assert zero["mark"]["type"] == "rule"
    assert zero["encoding"]["y"] == {"datum": 0}
    assert (interval["encoding"]["y"]["field"], interval["encoding"]["y2"]["field"]) == (
        "ci_low",
        "ci_high",
    )
    assert point["encoding"]["y"]["field"] == "difference"
    assert point["encoding"]["x"]["sort"] == ["Week 8", "Week 16"]
    assert point["encoding"]["xOffset"]["field"] == "method"
    assert point["encoding"]["color"]["scale"]["domain"] == list(change_by_arm.METHODS)
    (rows,) = spec["datasets"].values()
    assert len(rows) == 3


# --- mean change per arm ----------------------------------------------------------------------

# mean_change.csv's rows: the reference arm (placebo) first at each visit; week 12 of the drug arm
# had nobody (no mean: no mark); a single patient has a mean but no interval.
MEAN_CHANGE = pl.DataFrame(
    [
        ("PPPASI change", "week4", "placebo", 4.0, 20, -1.5, -2.9, -0.1),
        ("PPPASI change", "week4", "drug", 4.0, 21, -4.2, -5.6, -2.8),
        ("PPPASI change", "week12", "placebo", 12.0, 18, -2.0, -3.8, -0.2),
        ("PPPASI change", "week12", "drug", 12.0, 0, None, None, None),
        ("PPPASI change", "week16", "placebo", 16.0, 1, -3.0, None, None),
        ("PPPASI change", "week16", "drug", 16.0, 19, -9.5, -11.9, -7.1),
        # Percent change: not drawn.
        ("PPPASI percent change", "week4", "placebo", 4.0, 20, -8.0, -14.0, -2.0),
    ],
    schema={
        "outcome": pl.Utf8,
        "visit": pl.Utf8,
        "arm": pl.Utf8,
        "week": pl.Float64,
        "n": pl.Int64,
        "mean": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
    },
    orient="row",
)


def test_mean_change_by_arm_frame_starts_each_arm_at_0_at_baseline():
    frame = mean_change_by_arm.mean_change_by_arm_frame(MEAN_CHANGE, "baseline")
    assert frame.select("arm", "visit", "week", "n", "mean", "ci_low", "ci_high").rows() == [
        ("placebo", "baseline", 0.0, None, 0.0, None, None),
        ("placebo", "week4", 4.0, 20, -1.5, -2.9, -0.1),
        ("placebo", "week12", 12.0, 18, -2.0, -3.8, -0.2),
        ("placebo", "week16", 16.0, 1, -3.0, None, None),
        ("drug", "baseline", 0.0, None, 0.0, None, None),
        ("drug", "week4", 4.0, 21, -4.2, -5.6, -2.8),
        ("drug", "week16", 16.0, 19, -9.5, -11.9, -7.1),
    ]
    # The two arms' marks at a visit apart by DODGE_SHARE of the 16 weeks, around the week.
    shift = mean_change_by_arm.DODGE_SHARE * 16
    assert frame.filter(pl.col("visit") == "week4")["x"].to_list() == [
        pytest.approx(4 - shift / 2),
        pytest.approx(4 + shift / 2),
    ]


def test_mean_change_by_arm_spec():
    spec = mean_change_by_arm.build({"mean_change": MEAN_CHANGE}, SETTINGS).to_dict()
    zero, bars, line = spec["layer"]
    assert zero["mark"]["type"] == "rule"
    assert zero["encoding"]["y"] == {"datum": 0}
    assert (bars["encoding"]["y"]["field"], bars["encoding"]["y2"]["field"]) == (
        "ci_low",
        "ci_high",
    )
    assert line["mark"]["type"] == "line"
    assert line["encoding"]["y"]["field"] == "mean"
    assert "points" in line["encoding"]["y"]["title"]
    assert line["encoding"]["x"]["axis"]["values"] == [0.0, 4.0, 12.0, 16.0]
    colour = line["encoding"]["color"]
    # The reference first, in grey.
    assert colour["scale"]["domain"] == ["placebo", "drug"]
    assert colour["scale"]["range"][0] == response_rates_by_arm.REFERENCE_COLOUR
    assert "improvement" in " ".join(spec["title"]["subtitle"])
    (rows,) = spec["datasets"].values()
    assert {(r["arm"], r["visit"]): (r["mean"], r["ci_low"], r["ci_high"]) for r in rows} == {
        ("placebo", "baseline"): (0.0, None, None),
        ("placebo", "week4"): (-1.5, -2.9, -0.1),
        ("placebo", "week12"): (-2.0, -3.8, -0.2),
        ("placebo", "week16"): (-3.0, None, None),
        ("drug", "baseline"): (0.0, None, None),
        ("drug", "week4"): (-4.2, -5.6, -2.8),
        ("drug", "week16"): (-9.5, -11.9, -7.1),
    }


# --- rendering -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "frames"),
    [
        (forest_plot, {"comparisons": COMPARISONS, "subgroup_comparisons": SUBGROUPS}),
        (response_rates_by_arm, {"rates": RATES, "comparisons": COMPARISONS}),
        (
            change_by_arm,
            {"pppasi": PPPASI, "repeated_measures": REPEATED, "continuous_comparisons": CONTINUOUS},
        ),
        (mean_change_by_arm, {"mean_change": MEAN_CHANGE}),
    ],
)
def test_each_arm_chart_renders_offline(module, frames):
    rendered = render_chart(
        module.build(frames, SETTINGS), png_scale=1, library="/* library */", title="t"
    )
    assert rendered.svg.startswith("<svg")
    assert rendered.png.startswith(b"\x89PNG")
    assert "/* library */" in rendered.html


# --- time to response per arm -----------------------------------------------------------------


def test_time_to_response_by_arm_draws_one_curve_and_one_at_risk_row_per_endpoint_and_arm():
    from lifelines import KaplanMeierFitter

    from pppflow.charts import time_to_response_by_arm

    # active: a responds at 4, b at 8, c never (censored at 8); placebo: d at 8, e and f never.
    rows = [
        ("a", "active", "week4", 4.0, True, True),
        ("a", "active", "week8", 8.0, True, True),
        ("b", "active", "week4", 4.0, True, False),
        ("b", "active", "week8", 8.0, True, True),
        ("c", "active", "week4", 4.0, True, False),
        ("c", "active", "week8", 8.0, True, False),
        ("d", "placebo", "week4", 4.0, True, False),
        ("d", "placebo", "week8", 8.0, True, True),
        ("e", "placebo", "week4", 4.0, True, False),
        ("e", "placebo", "week8", 8.0, True, False),
        ("f", "placebo", "week4", 4.0, True, False),
        ("f", "placebo", "week8", None, False, None),
    ]
    frame = pl.DataFrame(
        rows,
        schema=["patient_id", "arm", "visit", "week", "observed", "pppasi50"],
        orient="row",
    ).with_columns(pl.col("pppasi50").alias("pppasi75"))
    spec = time_to_response_by_arm.build({"arm_responses": frame}, SETTINGS).to_dict()
    data = [row for rows in spec["datasets"].values() for row in rows]
    curves = {
        (row["series"], row["week"]): row["cumulative"] for row in data if "cumulative" in row
    }
    assert {series for series, _ in curves} == {
        "PPPASI 50 — active",
        "PPPASI 50 — placebo",
        "PPPASI 75 — active",
        "PPPASI 75 — placebo",
    }
    # Against lifelines on each arm's times: active (4, 8, 8c), placebo (8, 8c, 4c).
    for arm, weeks, responded in (
        ("active", [4, 8, 8], [True, True, False]),
        ("placebo", [8, 8, 4], [True, False, False]),
    ):
        fitter = KaplanMeierFitter().fit(weeks, responded)
        for week in (4.0, 8.0):
            expected = 1 - float(fitter.survival_function_at_times(week).iloc[0])
            assert curves[(f"PPPASI 50 — {arm}", week)] == pytest.approx(expected)
    at_risk = {
        (row["series"], row["week"]): row["at_risk"]
        for row in data
        if "at_risk" in row and "cumulative" not in row
    }
    assert at_risk[("PPPASI 50 — active", 0.0)] == 3
    assert at_risk[("PPPASI 50 — placebo", 8.0)] == 2
    assert "per arm, over the randomised period" in spec["title"]["subtitle"][0]
