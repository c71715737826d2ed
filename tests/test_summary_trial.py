"""A trial's "Between arms" section of the summary page and its closing lines
(pppflow/summary_trial.py), on hand-made comparison tables whose printed values are worked out
by hand below; and, end to end, the fixed two-arm cohort's page and summary.txt against the
numbers of its own comparisons.csv."""

import csv
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest
from test_summary import AUDIT, TABLE1, outcome_sections
from workflow import copy_workflow, snakemake

from pppflow.pages import summary_html, text_table
from pppflow.summary import audit_view, data_checks
from pppflow.summary_trial import (
    continuous_table,
    repeated_table,
    responder_comparisons,
    subgroup_view,
    time_to_response_by_arm,
    trial_lines,
    trial_section,
)
from pppflow.table1 import table1_view

METHOD = "difference: Newcombe hybrid score 95% CI; Fisher exact two-sided"
ZERO_CELL = "RR and OR with 0.5 added to every cell (a zero cell)"


def comparisons_frame(arm: str = "active", cmh: bool = True) -> pl.DataFrame:
    """PPPASI 75 at week16 (5/11 vs 0/10, a zero cell), PGA 0/1 at week16 (10/11 vs 1/10) and
    PPPASI 75 at week12 (0/11 vs 0/11, ratios not estimable)."""
    return pl.DataFrame(
        {
            "endpoint": ["PPPASI75", "PGA0/1", "PPPASI75"],
            "visit": ["week16", "week16", "week12"],
            "arm": [arm] * 3,
            "reference_arm": ["placebo"] * 3,
            "responders": [5, 10, 0],
            "evaluable": [11, 11, 11],
            "reference_responders": [0, 1, 0],
            "reference_evaluable": [10, 10, 11],
            "rate_difference": [0.454545, 0.809091, 0.0],
            "difference_ci_low": [0.0856, 0.3893, -0.2588],
            "difference_ci_high": [0.7212, 0.9237, 0.2588],
            "risk_ratio": [10.08, 9.09, None],
            "risk_ratio_ci_low": [0.63, 1.4, None],
            "risk_ratio_ci_high": [162.06, 58.91, None],
            "odds_ratio": [17.77, 90.0, None],
            "odds_ratio_ci_low": [0.84, 4.88, None],
            "odds_ratio_ci_high": [377.4, 1659.44, None],
            "p_fisher": [0.0372, 0.000316, 1.0],
            "p_cmh": [0.0186, 0.00032, None] if cmh else [None, None, None],
            "missing": ["observed"] * 3,
            "method": [f"{METHOD}; {ZERO_CELL}", METHOD, METHOD],
        },
        schema_overrides={"p_cmh": pl.Float64},
    )


ARM_RATES = pl.DataFrame(
    {
        "endpoint": ["PPPASI75", "PPPASI75"],
        "visit": ["week16", "week16"],
        "arm": ["placebo", "active"],
        "responders": [0, 5],
        "evaluable": [10, 11],
        "rate": [0.0, 0.454545],
        "ci_low": [0.0, 0.167488],
        "ci_high": [0.308497, 0.766206],
    }
)
CONTINUOUS = pl.DataFrame(
    {
        "outcome": ["PPPASI change", "PPPASI change"],
        "visit": ["week12", "week16"],
        "arm": ["active", "active"],
        "reference_arm": ["placebo", "placebo"],
        "n": [11, 11],
        "reference_n": [11, 10],
        "ls_mean_difference": [-8.49, -10.6509],
        "ci_low": [-11.7, -14.6937],
        "ci_high": [-5.3, -6.6081],
        "p_value": [0.00003, 0.0000296],
        "hodges_lehmann": [-7.1, -9.1],
        "hl_ci_low": [-11.8, -15.5],
        "hl_ci_high": [-2.9, -4.7],
        "p_mann_whitney": [0.018, 0.0101],
        "method": ["ANCOVA, df 19", "ANCOVA (OLS), df 18"],
    }
)
REPEATED = pl.DataFrame(
    {
        "outcome": ["PPPASI change", "PPPASI change"],
        "visit": ["week4", "week16"],
        "arm": ["active", "active"],
        "reference_arm": ["placebo", "placebo"],
        "difference": [-4.655, None],
        "ci_low": [-7.3514, None],
        "ci_high": [-1.9585, None],
        "p_value": [0.000716, None],
        "patients": [24, 24],
        "observations": [89, None],
        "method": ["linear mixed model", "linear mixed model"],
    },
    schema_overrides={"observations": pl.Int64},
)
TIME_TO_RESPONSE = pl.DataFrame(
    {
        "endpoint": ["PPPASI50", "PPPASI50", "PPPASI50"],
        "arm": [None, "placebo", "active"],
        "n": [24, 12, 12],
        "events": [16, 0, 9],
        "median_weeks": [20.0, None, 12.0],
        "ci_low": [12.0, None, 12.0],
        "ci_high": [20.0, None, 16.0],
        "p_logrank": [None, 0.000113, 0.000113],
    },
    schema_overrides={"arm": pl.Utf8},
)
SUBGROUPS = pl.DataFrame(
    {
        "endpoint": ["PPPASI50", "PPPASI50", "PPPASI50", "PPPASI50"],
        "visit": ["week16"] * 4,
        "subgroup_column": ["joint_pain", "joint_pain", "sex", "sex"],
        "subgroup": ["false", "true", "F", "M"],
        "arm": ["active"] * 4,
        "reference_arm": ["placebo"] * 4,
        "patients": [18, 6, 12, 12],
        "responders": [8, 1, 4, 5],
        "evaluable": [9, 2, 5, 6],
        "reference_responders": [0, 0, 1, 0],
        "reference_evaluable": [7, 3, 5, 5],
        "rate_difference": [0.8889, 0.5, 0.6, 0.8333],
        "ci_low": [0.4088, -0.1926, 0.05, 0.3],
        "ci_high": [0.9801, 0.9055, 0.88, 0.97],
        "p_interaction": [None, None, 0.4321, 0.4321],
        "estimable": [True, False, True, True],
        "note": ["p_interaction not estimable: perfect separation"] * 2 + [None, None],
    }
)


def test_responders_reference_first_with_the_printed_comparisons():
    view = responder_comparisons(
        comparisons_frame(), ARM_RATES, "week16", confidence_level=0.95, alpha=0.05,
        strata=["region"],
    )  # fmt: skip
    assert view.table.columns == [
        "Endpoint",
        "Arm",
        "Responders / evaluable",
        "Rate (Clopper–Pearson 95 % CI)",
        "Difference vs placebo, pp (Newcombe 95 % CI)",
        "Risk ratio (Katz 95 % CI)",
        "Odds ratio (Woolf 95 % CI)",
        "P, Fisher exact",
        "P, CMH by region",
        "Note",
    ]
    assert view.table.rows == [
        ("PPPASI 75", "placebo (reference)", "0/10", "0 % (0–31)", "", "", "", "", "", ""),
        (
            "",
            "active",
            "5/11",
            "45 % (17–77)",
            "45 (9 to 72)",
            "10.08 (0.63 to 162.06)",
            "17.77 (0.84 to 377.40)",
            "0.04",
            "0.02",
            "a",
        ),
        # No rate in ARM_RATES: the rate alone, from the counts.
        ("PGA 0/1", "placebo (reference)", "1/10", "10 %", "", "", "", "", "", ""),
        (
            "",
            "active",
            "10/11",
            "91 %",
            "81 (39 to 92)",
            "9.09 (1.40 to 58.91)",
            "90.00 (4.88 to 1659.44)",
            "< 0.001",
            "< 0.001",
            "",
        ),
    ]
    assert view.notes == (f"a: {ZERO_CELL}.",)
    assert view.method == f"{METHOD}."
    assert view.missing_rule.startswith("observed cases")


def test_without_strata_there_is_no_cmh_column_and_a_ratio_may_be_not_estimable():
    view = responder_comparisons(
        comparisons_frame(cmh=False), ARM_RATES, "week12", confidence_level=0.9, alpha=0.05
    )
    assert not view.cmh
    assert not any("CMH" in column for column in view.table.columns)
    assert view.table.rows[1] == (
        "",
        "active",
        "0/11",
        "0 %",
        "0 (-26 to 26)",
        "not estimable",
        "not estimable",
        "> 0.99",
        "",
    )
    assert "Difference vs placebo, pp (Newcombe 90 % CI)" in view.table.columns


def test_continuous_repeated_and_time_to_response_tables():
    table, methods = continuous_table(CONTINUOUS, "week16", 0.95, 0.05)
    assert table.rows == [
        (
            "PPPASI change",
            "active vs placebo",
            "11 / 10",
            "-10.7 (-14.7 to -6.6)",
            "< 0.001",
            "-9.1 (-15.5 to -4.7)",
            "0.01",
        )
    ]
    assert methods == ("PPPASI change, active vs placebo: ANCOVA (OLS), df 18.",)
    repeated, method = repeated_table(REPEATED, 0.95, 0.05)
    assert repeated.rows == [
        (
            "PPPASI change",
            "week4",
            "active vs placebo",
            "-4.7 (-7.4 to -2.0)",
            "< 0.001",
            "24 / 89",
        ),
        ("PPPASI change", "week16", "active vs placebo", "not fitted", "—", "24 / —"),
    ]
    assert method == "linear mixed model."
    by_arm = time_to_response_by_arm(TIME_TO_RESPONSE, 0.95, 0.05)
    assert by_arm.rows == [
        ("PPPASI 50", "placebo", "12", "0", "not reached", "< 0.001"),
        ("", "active", "12", "9", "12 (12 to 16)", ""),
    ]


def test_subgroups_say_the_interaction_p_or_why_there_is_none():
    view = subgroup_view(SUBGROUPS, "week16", 0.95)
    assert view.sentences == (
        "Arm × joint_pain interaction for PPPASI 50 at week16 (active vs placebo): "
        "not estimable; perfect separation.",
        "Arm × sex interaction for PPPASI 50 at week16 (active vs placebo): P = 0.43 "
        "(likelihood-ratio test).",
    )
    assert view.table.rows[0] == (
        "joint_pain", "false", "active vs placebo", "8/9 vs 0/7", "89 (41 to 98)"
    )  # fmt: skip
    assert view.table.rows[1][-1] == "not estimable"


def test_trial_lines_give_the_rates_per_arm_and_the_primary_comparisons():
    lines = trial_lines(comparisons_frame(), "week16", 0.95, 0.05)
    assert lines[0] == "Response at week16 by arm (responders/evaluable, rate):"
    assert lines[1].split() == ["placebo", "active"]
    assert lines[2].split() == ["PPPASI", "75", "0/10", "0", "%", "5/11", "45", "%"]
    assert lines[-1] == (
        "PPPASI 75 at week16: active 5/11 45 % vs placebo 0/10 0 %, difference 45 pp "
        "(95 % CI 9 to 72), Fisher P 0.04"
    )
    # PGA 0/1 has its rates, not a comparison line.
    assert sum("Fisher" in line for line in lines) == 1


def _page(trial) -> str:
    return summary_html(
        cohort="demo",
        source=None,
        checks=data_checks(21, 80, pl.DataFrame({"agrees": [True], "attainable": [True]})),
        audit=audit_view(AUDIT.clear()),
        endpoint_visit="week16",
        rates=(),
        level="95 %",
        t1=table1_view(TABLE1, group_column=None, labels={}),
        tests=text_table(pl.DataFrame({"test": ["paired_t"]})),
        charts=[],
        methods=[],
        report_href="../report.html",
        trial=trial,
        **outcome_sections(),
    )


def test_the_section_sits_after_the_flow_and_escapes_an_arm_name():
    arm = "<b>x</b>"
    trial = trial_section(
        comparisons=comparisons_frame(arm=arm),
        arm_rates=ARM_RATES,
        continuous=CONTINUOUS.with_columns(pl.lit(arm).alias("arm")),
        repeated=REPEATED.with_columns(pl.lit(arm).alias("arm")),
        subgroups=SUBGROUPS.with_columns(pl.lit(arm).alias("arm")),
        time_to_response=TIME_TO_RESPONSE,
        endpoint_visit="week16",
        confidence_level=0.95,
        alpha=0.05,
        strata=["region"],
        switch_visit="week16",
    )
    page = _page(trial)
    assert "<b>" not in page
    assert "<td>&lt;b&gt;x&lt;/b&gt;</td>" in page
    assert "&lt;b&gt;x&lt;/b&gt; vs placebo" in page
    assert (
        page.index('id="flow"')
        < page.index('id="between-arms"')
        < page.index('id="between-arms-responders"')
        < page.index('id="subgroups"')
        < page.index('id="response"')
    )
    assert "45 (9 to 72)" in page and "P, CMH by region" in page
    assert 'href="#between-arms"' in page
    # Without arms: no section and no link to it.
    single = _page(None)
    assert "between-arms" not in single and 'id="subgroups"' not in single


# End to end: the fixed two-arm cohort ------------------------------------------------------------


@pytest.fixture(scope="module")
def two_arm(tmp_path_factory) -> Path:
    workdir = copy_workflow(tmp_path_factory.mktemp("two_arm"))
    snakemake(
        workdir,
        "results/two_arm/summary.html",
        "--configfile",
        "tests/cohorts/two_arm/config.yaml",
        "--replace-workflow-config",
    )
    return workdir / "results" / "two_arm"


def _whole(value: str, scale: int = 100) -> str:
    """A fraction as whole percentage points, half up, worked out here."""
    rounded = (Decimal(value) * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return str(rounded + 0) if rounded else "0"


def test_the_two_arm_page_shows_its_comparisons(two_arm: Path):
    page = (two_arm / "summary.html").read_text(encoding="utf-8")
    with (two_arm / "comparisons.csv").open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["visit"] == "week16"]
    section = page[page.index('id="between-arms"') : page.index('id="response"')]
    assert rows
    for r in rows:
        difference = (
            f"{_whole(r['rate_difference'])} ({_whole(r['difference_ci_low'])} to "
            f"{_whole(r['difference_ci_high'])})"
        )
        counts = f"{r['responders']}/{r['evaluable']}"
        reference = f"{r['reference_responders']}/{r['reference_evaluable']}"
        assert re.search(rf"<td>{counts}</td>.*?<td>{re.escape(difference)}</td>", section, re.S), (
            r["endpoint"],
            difference,
        )
        assert f"<td>{reference}</td>" in section
    assert "P, CMH by region" in section
    # The arm charts in the section, drawn (the forest plot under Subgroups).
    for chart in (
        "response_rates_by_arm",
        "mean_change_by_arm",
        "change_by_arm",
        "time_to_response_by_arm",
        "forest_plot",
    ):
        assert section.count(f'id="chart-{chart}"') == 1, chart
    # Each arm's course above the difference between the arms, under the change tables.
    assert (
        section.index('id="between-arms-change"')
        < section.index('id="chart-mean_change_by_arm"')
        < section.index('id="chart-change_by_arm"')
    )
    assert section.index('id="subgroups"') < section.index('id="chart-forest_plot"')
    svg = (two_arm / "charts" / "response_rates_by_arm.svg").read_text()
    assert svg.count("<path") > 10, "the chart draws the arms' rates"
    # summary.txt: the rates per arm and the PPPASI 75 comparison, read from comparisons.csv.
    text = (two_arm / "summary.txt").read_text(encoding="utf-8")
    (p75,) = [r for r in rows if r["endpoint"] == "PPPASI75"]
    assert (
        f"PPPASI 75 at week16: active {p75['responders']}/{p75['evaluable']} "
        f"{_whole(str(int(p75['responders']) / int(p75['evaluable'])))} % vs placebo "
        f"{p75['reference_responders']}/{p75['reference_evaluable']}"
    ) in text
    assert "Response at week16 by arm" in text


def test_a_trials_safety_is_one_short_line():
    from pppflow.summary_outcomes import arm_safety_line

    safety = pl.DataFrame(
        {
            "arm": [None, None, "placebo", "<b>x</b>"],
            "term": ["any", "Headache", "any", "any"],
            "patients": [3, 2, 1, 2],
            "percent": [30.0, 20.0, 20.0, 40.0],
            "events": [4, 2, 1, 3],
            "serious_patients": [1, 0, 0, 1],
            "discontinued_patients": [0, 0, 0, 0],
            "events_per_100py": [None, None, None, None],
        },
        schema_overrides={"arm": pl.Utf8, "events_per_100py": pl.Float64},
    )
    assert arm_safety_line(safety) == (
        "Safety: patients with an adverse event: all 3 (30.0 %), placebo 1 (20.0 %), "
        "<b>x</b> 2 (40.0 %); serious: all 1, <b>x</b> 1; leading to discontinuation: none."
    )


def test_the_other_visits_are_compact():
    from pppflow.summary_trial import other_visits_table

    table = other_visits_table(comparisons_frame(), "week16", 0.95, 0.05)
    assert table.rows == [
        ("PPPASI 75", "week12", "active vs placebo", "0/11 vs 0/11", "0 (-26 to 26)", "> 0.99")
    ]
    assert (
        other_visits_table(
            comparisons_frame().filter(pl.col("visit") == "week16"), "week16", 0.95, 0.05
        )
        is None
    )
