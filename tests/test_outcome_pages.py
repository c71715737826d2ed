"""The outcome tables as a reader sees them: the Kaplan-Meier curve the chart draws (checked
against lifelines), the patient flow's diagram, the summary page's sections of percent change,
time to response, the declared outcomes, safety and time on drug (values worked out by hand
below), and the closing lines of a run."""

import polars as pl
import pytest

from pppflow.flow_diagram import flow_columns, flow_diagram_svg
from pppflow.summary_outcomes import (
    NO_EVENTS_FILE,
    declared_outcomes,
    flow_table,
    outcome_lines,
    percent_change_table,
    pga_absent_sentence,
    safety_view,
    time_on_drug_view,
    time_to_response_table,
)
from pppflow.time_to_response import (
    at_risk_by_week,
    cumulative_response_curve,
    first_response,
    product_limit,
)

# Five patients, PPPASI 50: a and d respond at week 4; b at week 12 (seen at 13 too); c is last
# scored at week 4 without a response (censored at 4; its week 12 is missed); e never responds
# (censored at 12). PPPASI 75: only b, at week 13.
RESPONSES = pl.DataFrame(
    {
        "patient_id": ["a", "a", "b", "b", "b", "c", "c", "d", "d", "e", "e"],
        "visit": ["week4", "week12", "week4", "week12", "week13", "week4", "week12"]
        + ["week4", "week12", "week4", "week12"],
        "week": [4.0, 12.0, 4.0, 12.0, 13.0, 4.0, 12.0, 4.0, 12.0, 4.0, 12.0],
        "observed": [True] * 6 + [False] + [True] * 4,
        "pppasi50": [True, True, False, True, True, False, None, True, True, False, False],
        "pppasi75": [False, False, False, False, True, False, None, False, False, False, False],
    }
)


def test_the_curve_is_the_product_limit_estimate_worked_by_hand():
    curve = cumulative_response_curve(RESPONSES.lazy(), (50,))
    # week 4: 5 at risk, 2 respond, S = 3/5 (c censored at 4 after them); week 12: b and e at
    # risk, b responds, S = 3/5 * 1/2 = 0.3
    assert curve.select("week", "at_risk", "events", "censored").rows() == [
        (0.0, 5, 0, 0),
        (4.0, 5, 2, 1),
        (12.0, 2, 1, 1),
    ]
    assert curve["cumulative"].to_list() == pytest.approx([0.0, 0.4, 0.7])
    assert set(curve["endpoint"]) == {"PPPASI50"} and curve["arm"].null_count() == 3


def test_the_curve_agrees_with_lifelines():
    from lifelines import KaplanMeierFitter

    for threshold in (50, 75):
        patients = first_response(RESPONSES.lazy(), threshold)
        fitted = KaplanMeierFitter().fit(patients["weeks"].to_list(), patients["responded"])
        expected = 1 - fitted.survival_function_.iloc[:, 0]
        ours = cumulative_response_curve(RESPONSES.lazy(), (threshold,))
        assert ours["week"].to_list() == [float(t) for t in expected.index]
        assert ours["cumulative"].to_list() == pytest.approx(expected.to_list())
        assert ours["at_risk"].to_list() == fitted.event_table["at_risk"].to_list()


def test_a_curve_starting_with_an_event_at_week_0_has_one_row_there():
    curve = product_limit(pl.Series([0.0, 2.0]), pl.Series([True, False]))
    assert curve.select("week", "at_risk", "events", "cumulative").rows() == [
        (0.0, 2, 1, 0.5),
        (2.0, 1, 0, 0.5),
    ]


def test_the_numbers_at_risk_at_the_visit_weeks():
    at_risk = at_risk_by_week(RESPONSES.lazy())
    assert at_risk.filter(pl.col("endpoint") == "PPPASI50").select("week", "at_risk").rows() == [
        (0.0, 5),
        (4.0, 5),
        (12.0, 2),
        (13.0, 0),
    ]
    # PPPASI 75: c leaves at 4, a d e at 12, b at 13
    assert at_risk.filter(pl.col("endpoint") == "PPPASI75")["at_risk"].to_list() == [5, 5, 4, 1]


def test_with_arms_each_arm_has_its_curve():
    arms = RESPONSES.with_columns(
        pl.col("patient_id")
        .replace_strict({"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"})
        .alias("arm")
    )
    curve = cumulative_response_curve(arms.lazy(), (50,))
    x = curve.filter(pl.col("arm") == "x")
    y = curve.filter(pl.col("arm") == "y")
    assert x["cumulative"].to_list() == pytest.approx([0.0, 0.5, 1.0])  # a at 4, b at 12
    assert y["cumulative"].to_list() == pytest.approx([0.0, 1 / 3, 1 / 3])  # d at 4; c, e censored


# --- patient flow -------------------------------------------------------------------------------

FLOW = pl.DataFrame(
    {
        "arm": pl.Series([None] * 6, dtype=pl.Utf8),
        "step": [
            "in the files",
            "with a baseline PPPASI",
            "scored at week4",
            "scored at week12",
            "analysed for PPPASI50 at week12",
            "analysed for dlqi:<b>0/1</b> at week12",
        ],
        "patients": [8, 7, 6, 7, 7, 5],
        "reason": [
            None,
            "1 without a baseline PPPASI",
            "2 without a score at week4",
            None,
            None,
            "2 not evaluable",
        ],
    }
)


def test_the_flow_diagram_has_a_box_per_step_and_one_of_the_analyses():
    (column,) = flow_columns(FLOW)
    assert column.arm is None
    assert [box.lines for box in column.boxes] == [
        ("In the files: n = 8",),
        ("With a baseline PPPASI: n = 7",),
        ("Scored at week4: n = 6",),
        ("Scored at week12: n = 7",),
        ("Analysed at week12:", "PPPASI 50: n = 7", "dlqi:<b>0/1</b>: n = 5"),
    ]
    assert [box.excluded for box in column.boxes] == [
        None,
        ("1 without a baseline PPPASI",),
        ("2 without a score at week4",),
        None,
        ("dlqi:<b>0/1</b>: 2 not evaluable",),
    ]
    svg = str(flow_diagram_svg(FLOW))
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    # five boxes, three beside an arrow; four arrows down, three to the side boxes
    assert svg.count('class="main"') == 5 and svg.count('class="side"') == 3
    assert svg.count("<line ") == 7
    assert ">In the files: n = 8</tspan>" in svg
    assert "<b>" not in svg and "dlqi:&lt;b&gt;0/1&lt;/b&gt;: n = 5" in svg
    assert "<style" not in svg  # a style element would restyle the whole page
    assert str(flow_diagram_svg(FLOW.clear())) == ""


def test_the_flow_diagram_of_two_arms_has_a_column_each():
    two = pl.concat(
        [FLOW.with_columns(pl.lit("A").alias("arm")), FLOW.with_columns(pl.lit("B").alias("arm"))]
    )
    assert [c.arm for c in flow_columns(two)] == ["A", "B"]
    svg = str(flow_diagram_svg(two))
    assert svg.count('class="main"') == 10 and ">A</text>" in svg and ">B</text>" in svg
    assert flow_table(two).columns == ["Arm", "Step", "Patients", "Not counted"]


def test_the_flow_table():
    table = flow_table(FLOW)
    assert table.columns == ["Step", "Patients", "Not counted"]
    assert table.rows[1] == ("With a baseline PPPASI", "7", "1 without a baseline PPPASI")
    assert table.rows[3] == ("Scored at week12", "7", "")


# --- percent change and time to response --------------------------------------------------------


def test_percent_change_table():
    summary = pl.DataFrame(
        {
            "visit": ["week4", "week12", "week24"],
            "arm": pl.Series([None, None, None], dtype=pl.Utf8),
            "n": [7, 7, 0],
            "mean": [-42.50223, -73.03241, None],
            "mean_ci_low": [-59.00528, -89.77526, None],
            "mean_ci_high": [-25.99918, -56.28957, None],
            "median": [-39.80263, -73.68421, None],
            "median_ci_low": [-75.58140, -100.0, None],
            "median_ci_high": [-25.0, -46.66667, None],
        }
    )
    table = percent_change_table(summary, 0.95)
    assert table.columns == [
        "Visit",
        "n",
        "Mean change, % (95 % CI)",
        "Median change, % (95 % CI)",
    ]
    assert table.rows == [
        ("week4", "7", "-42.5 (-59.0 to -26.0)", "-39.8 (-75.6 to -25.0)"),
        ("week12", "7", "-73.0 (-89.8 to -56.3)", "-73.7 (-100.0 to -46.7)"),
        ("week24", "0", "—", "—"),
    ]
    # five patients: the sign test reaches no 95 % interval of the median
    five = summary.head(1).with_columns(
        pl.lit(None, pl.Float64).alias("median_ci_low"),
        pl.lit(None, pl.Float64).alias("median_ci_high"),
    )
    assert percent_change_table(five, 0.95).rows[0][-1] == (
        "-39.8 (too few patients for an interval)"
    )
    with_arms = percent_change_table(summary.with_columns(pl.lit("15 mg").alias("arm")), 0.9)
    assert with_arms.columns[0] == "Arm" and with_arms.rows[0][0] == "15 mg"
    assert with_arms.columns[-1] == "Median change, % (90 % CI)"


def test_time_to_response_table_says_not_reached():
    table = time_to_response_table(
        pl.DataFrame(
            {
                "endpoint": ["PPPASI50", "PPPASI75"],
                "arm": pl.Series([None, None], dtype=pl.Utf8),
                "n": [8, 8],
                "events": [6, 3],
                "median_weeks": [12.0, None],
                "ci_low": [3.0, 4.0],
                "ci_high": [12.0, None],
                "p_logrank": pl.Series([None, None], dtype=pl.Float64),
            }
        ),
        0.95,
        0.05,
    )
    assert table.columns == [
        "Endpoint",
        "Patients",
        "Responded",
        "Median weeks to response (95 % CI)",
    ]
    assert table.rows == [
        ("PPPASI 50", "8", "6", "12 (3 to 12)"),
        ("PPPASI 75", "8", "3", "not reached (4 to not reached)"),
    ]


# --- declared outcomes --------------------------------------------------------------------------

DESCRIPTIVES = pl.DataFrame(
    {
        "outcome": ["PPPASI", "dlqi", "dlqi"],
        "visit": ["baseline", "baseline", "week12"],
        "week": [0.0, 0.0, 12.0],
        "n": [8, 7, 7],
        "mean": [15.1, 15.142857, 4.857143],
        "sd": [7.77, 7.057586, 5.209881],
        "median": [13.8, 14.0, 3.0],
        "q1": [9.8, 10.0, 1.5],
        "q3": [18.5, 20.5, 6.5],
    }
)
TESTS = pl.DataFrame(
    {
        "outcome": ["PPPASI", "dlqi", "dlqi", "dlqi"],
        "test": ["paired_t", "paired_t", "wilcoxon_signed_rank", "shapiro_wilk"],
        "n": [7, 6, 6, 6],
        "p_value": [0.0003, 0.0012867, 0.03125, 0.49],
        "estimate": [9.29, 8.666667, 9.0, None],
        "ci_low": [6.29, 5.239224, None, None],
        "ci_high": [12.28, 12.094109, None, None],
    }
)
RATES = pl.DataFrame(
    {
        "endpoint": ["PPPASI50", "dlqi:0/1", "dlqi:improvement >= 4", "dlqis:x"],
        "visit": ["week12"] * 4,
        "responders": [6, 2, 5, 1],
        "evaluable": [7, 7, 6, 7],
        "rate": [6 / 7, 2 / 7, 5 / 6, 1 / 7],
        "ci_low": [0.421277, 0.036693, 0.358765, 0.0036],
        "ci_high": [0.99639, 0.709579, 0.995789, 0.5787],
    }
)


def test_declared_outcomes_take_only_the_declared_rows():
    view = declared_outcomes(["dlqi"], DESCRIPTIVES, TESTS, RATES, 0.05)
    assert view.names == ("dlqi",)
    assert view.descriptives.rows == [
        ("dlqi", "baseline", "0", "7", "15.14 (7.06)", "14 [10, 20.50]"),
        ("dlqi", "week12", "12", "7", "4.86 (5.21)", "3 [1.50, 6.50]"),
    ]
    assert view.tests.rows == [
        ("dlqi", "paired t", "6", "8.67", "5.24 to 12.09", "0.001"),
        ("dlqi", "wilcoxon signed rank", "6", "9", "", "0.03"),
    ]
    # "dlqis:x" is another outcome's endpoint, not dlqi's
    assert view.responders.rows == [
        ("dlqi:0/1", "week12", "2/7", "29 % (4–71)"),
        ("dlqi:improvement >= 4", "week12", "5/6", "83 % (36–100)"),
    ]
    assert declared_outcomes([], DESCRIPTIVES, TESTS, RATES, 0.05) is None
    assert declared_outcomes(["itch"], DESCRIPTIVES, TESTS, RATES, 0.05) is None


# --- safety, time on drug, PGA ------------------------------------------------------------------

SAFETY = pl.DataFrame(
    {
        "arm": pl.Series([None, None, None], dtype=pl.Utf8),
        "term": ["any", "</script><b>Acne</b>", "Herpes zoster"],
        "patients": [4, 2, 1],
        "percent": [50.0, 25.0, 12.5],
        "events": [7, 2, 1],
        "serious_patients": [1, 0, 1],
        "discontinued_patients": [1, 0, 1],
        "events_per_100py": [408.10056, 116.60016, 58.30008],
    }
)


def test_safety_view():
    view = safety_view(SAFETY)
    assert view.headline == (
        "4 patients (50.0 %) had at least one adverse event (7 events); 1 had a serious one; "
        "1 had one leading to discontinuation."
    )
    assert view.table.rows == [
        ("Any adverse event", "4 (50.0 %)", "7", "1", "1", "408.1"),
        ("</script><b>Acne</b>", "2 (25.0 %)", "2", "0", "0", "116.6"),
        ("Herpes zoster", "1 (12.5 %)", "1", "1", "1", "58.3"),
    ]
    assert "same exposure" not in view.rate_note
    equal = safety_view(SAFETY.with_columns(pl.lit(None, pl.Float64).alias("events_per_100py")))
    assert equal.table.rows[0][-1] == "—" and "same exposure" in equal.rate_note
    assert safety_view(SAFETY.clear()) is None


def test_time_on_drug_view():
    frame = pl.DataFrame(
        {
            "arm": pl.Series([None, None, None], dtype=pl.Utf8),
            "reason": ["any", "adverse_event", "adverse_event"],
            "week": [None, 12.0, 24.0],
            "n": [20, 20, 20],
            "stops": [5, 1, 2],
            "median_weeks": [None, None, None],
            "ci_low": [30.0, None, None],
            "ci_high": [None, None, None],
            "cumulative_incidence": [None, 0.05, 0.1],
            "ci_low_incidence": [None, 0.001, 0.02],
            "ci_high_incidence": [None, 0.2, 0.3],
        }
    )
    view = time_on_drug_view(frame, 0.95)
    assert view.medians.columns == [
        "Patients",
        "Stopped",
        "Median weeks on drug, Kaplan–Meier (95 % CI)",
    ]
    assert view.medians.rows == [("20", "5", "not reached (30 to not reached)")]
    assert view.incidence.rows == [
        ("adverse event", "12", "20", "1", "5 % (0–20)"),
        ("adverse event", "24", "20", "2", "10 % (2–30)"),
    ]
    armed = time_on_drug_view(frame.with_columns(pl.lit("A").alias("arm")), 0.95)
    assert armed.medians.rows[0] == ("A", "20", "5", "not reached (30 to not reached)")
    # A cohort without stop weeks: no section.
    assert time_on_drug_view(frame.clear(), 0.95) is None


def test_the_missing_pga_is_said_once():
    assert pga_absent_sentence(RATES).startswith("This cohort's visits record no PGA grade")
    assert pga_absent_sentence(RATES.with_columns(pl.lit("PGA0/1").alias("endpoint"))) is None


def test_outcome_lines_of_the_closing_summary():
    lines = outcome_lines(
        flow=FLOW,
        percent_change=pl.DataFrame(
            {
                "visit": ["week12"],
                "arm": pl.Series([None], dtype=pl.Utf8),
                "n": [7],
                "mean": [-73.03241],
                "mean_ci_low": [-89.77526],
                "mean_ci_high": [-56.28957],
            }
        ),
        time_to_response=pl.DataFrame(
            {
                "endpoint": ["PPPASI50", "PPPASI75"],
                "arm": pl.Series([None, None], dtype=pl.Utf8),
                "median_weeks": [12.0, None],
            }
        ),
        safety=SAFETY.clear(),
        endpoint_visit="week12",
        confidence_level=0.95,
        pga_sentence=None,
    )
    assert lines == [
        "Flow: 8 in the files; 7 with a baseline PPPASI; 6 scored at week4; 7 scored at week12.",
        "Percent change in PPPASI at week12: mean -73.0 % (95 % CI -89.8 to -56.3), n = 7.",
        "Median weeks to first response: PPPASI 50 12; PPPASI 75 not reached.",
        "Safety: no events file given.",
    ]
    assert NO_EVENTS_FILE.startswith("No events file was given")
