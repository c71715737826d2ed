"""The summary: the audit grouped decisive first, the terminal lines, Table 1 as papers print
it, and the summary page escaping whatever the data hold."""

import polars as pl

from pppflow.pages import summary_html, text_table
from pppflow.summary import (
    audit_view,
    data_checks,
    endpoint_rates,
    methods_paragraphs,
    terminal_summary,
)
from pppflow.table1 import table1_view

AUDIT = pl.DataFrame(
    {
        "claim_id": ["size", "p", "rate90", "prev", "sd"],
        "quote": ["20 patients", "P < 0.05", "<b>50%</b> & more", "rare", "SD 0.6"],
        "reported": ["20", "P < 0.05", "50%", "1%", "0.60"],
        "recomputed": ["20", "P = 0.001", "70% (14/20)", "", "0.69"],
        "verdict": ["match", "match", "mismatch", "not_checkable", "mismatch"],
        "decisive": [False, False, True, False, False],
        "note": ["", "", "off by 4 patient(s)", "not checkable: literature", "GRIMMER"],
    }
)
RATES = pl.DataFrame(
    {
        "endpoint": ["PPPASI90", "PGA0/1", "PPPASI90"],
        "visit": ["week12", "week12", "week4"],
        "responders": [14, 18, 3],
        "evaluable": [20, 20, 20],
        "rate": [0.7, 0.9, 0.15],
        "ci_low": [0.457211, 0.683017, 0.03],
        "ci_high": [0.881068, 0.987651, 0.4],
    }
)
TABLE1 = pl.DataFrame(
    {
        "variable": ["n", "sex", "sex", "age_years", "age_years", "joint_pain", "joint_pain"],
        "level": ["", "F", "M", "", "", "true", "missing"],
        "statistic": ["n", "n (%)", "n (%)", "mean (SD)", "median [Q1, Q3]", "n (%)", "n (%)"],
        "overall": [
            "20",
            "14 (70.0)",
            "6 (30.0)",
            "49.70 (11.05)",
            "50.50 [43.00, 57.25]",
            "10 (52.6)",
            "1 (5.0)",
        ],
        "dose_mg=15": [
            "16",
            "11 (68.8)",
            "5 (31.3)",
            "48.63 (11.98)",
            "45.50 [39.50, 57.25]",
            "7 (46.7)",
            "1 (6.3)",
        ],
        "dose_mg=30": [
            "4",
            "3 (75.0)",
            "1 (25.0)",
            "54.33 (6.03)",
            "55.00 [51.50, 57.50]",
            "3 (75.0)",
            "0 (0.0)",
        ],
    }
)


def test_audit_groups_decisive_first_and_counts():
    view = audit_view(AUDIT)
    assert [g.key for g in view.groups] == ["decisive", "mismatch", "match", "not_checkable"]
    assert [r.claim_id for g in view.groups for r in g.rows] == [
        "rate90",
        "sd",
        "size",
        "p",
        "prev",
    ]
    assert (view.claims, view.match, view.mismatch, view.decisive, view.not_checkable) == (
        5,
        2,
        2,
        1,
        1,
    )
    assert (
        view.counts_line
        == "5 claims: 2 of 4 checkable match, 2 mismatch (1 decisive), 1 not checkable."
    )
    assert view.headline.startswith("1 decisive mismatch:")
    no_decisive = audit_view(AUDIT.with_columns(pl.lit(False).alias("decisive")))
    assert [g.key for g in no_decisive.groups] == ["mismatch", "match", "not_checkable"]
    assert no_decisive.headline.startswith("No decisive mismatch")
    assert audit_view(AUDIT.clear()).groups == ()


def test_terminal_summary_lines():
    checks = data_checks(
        20, 40, pl.DataFrame({"agrees": [True, False, None], "attainable": [True, True, False]})
    )
    assert checks.contradicted == 2
    # As read from a CSV without components: agrees empty throughout, so a text column.
    no_components = pl.DataFrame(
        {"agrees": pl.Series([None, None], dtype=pl.Utf8), "attainable": [True, False]}
    )
    assert data_checks(20, 40, no_components).contradicted == 1
    text = terminal_summary(
        "demo",
        checks=checks,
        endpoint_visit="week12",
        rates=endpoint_rates(RATES, "week12"),
        audit=audit_view(AUDIT),
        audit_rows=AUDIT,
        paths={"Summary page": "results/demo/summary.html"},
        confidence_level=0.95,
    )
    assert text.splitlines() == [
        "── demo ──",
        "  20 patients and 40 visits validated; 2 recorded PPPASI total(s) contradicted by the formula.",
        "  Response at week12 (responders/evaluable, rate, 95 % CI):",
        "    PPPASI 90    14/20  70 % (46–88)",
        "    PGA 0/1      18/20  90 % (68–99)",
        "  Audit: 5 claims: 2 of 4 checkable match, 2 mismatch (1 decisive), 1 not checkable.",
        "    DECISIVE rate90: reported 50%, recomputed 70% (14/20)",
        "  Summary page: results/demo/summary.html",
    ]


def test_table1_as_papers_print_it():
    view = table1_view(
        TABLE1,
        group_column="dose_mg",
        labels={"joint_pain": "Joint pain (PsA)"},
        continuous="median_iqr",
    )
    assert view.overall_header == "Overall, N = 20"
    assert view.group_label == "Dose (mg)"
    assert view.group_headers == ("15, N = 16", "30, N = 4")
    assert [(r.label, r.indent, r.cells[0]) for r in view.rows] == [
        ("Sex, n (%)", False, ""),
        ("Female", True, "14 (70.0)"),
        ("Male", True, "6 (30.0)"),
        ("Age (years), median [Q1, Q3]", False, "50.50 [43.00, 57.25]"),
        ("Joint pain (PsA), n (%)", False, "10 (52.6)"),
        ("Missing", True, "1 (5.0)"),
    ]
    never_recorded = pl.DataFrame(
        {
            "variable": ["n", "baseline_pga", "baseline_pga", "baseline_pga"],
            "level": ["", "", "", "missing"],
            "statistic": ["n", "mean (SD)", "median [Q1, Q3]", "n (%)"],
            "overall": ["20", "-", "-", "20 (100.0)"],
        }
    )
    assert table1_view(never_recorded, group_column=None, labels={}).rows == ()
    overall_only = table1_view(
        TABLE1.select("variable", "level", "statistic", "overall"), group_column=None, labels={}
    )
    assert overall_only.group_label is None and overall_only.group_headers == ()
    assert overall_only.rows[3].label == "Age (years), mean (SD)"


def outcome_sections(**changed) -> dict:
    """The summary page's outcome sections, from the hand-made tables of test_outcome_pages."""
    from test_outcome_pages import FLOW, SAFETY

    from pppflow.flow_diagram import flow_diagram_svg
    from pppflow.summary_outcomes import NO_EVENTS_FILE, flow_table, safety_view

    sections = {
        "pga_sentence": None,
        "flow_svg": flow_diagram_svg(FLOW),
        "flow": flow_table(FLOW),
        "percent_change": text_table(pl.DataFrame({"Visit": ["week12"], "n": ["7"]})),
        "time_to_response": text_table(pl.DataFrame({"Endpoint": ["PPPASI 50"]})),
        "declared": None,
        "safety": safety_view(SAFETY),
        "no_events": NO_EVENTS_FILE,
        "time_on_drug": None,
    }
    return {**sections, **changed}


def test_summary_page_puts_the_audit_first_and_escapes_the_data():
    methods = methods_paragraphs(
        baseline_visit="baseline",
        endpoint_visit="week12",
        pga_max=5,
        missing="nri",
        confidence_level=0.9,
        alpha=0.05,
        table1_group_column="dose_mg",
        table1_continuous="mean_sd",
    )
    page = summary_html(
        cohort="demo",
        source="A <script>alert(1)</script> paper",
        checks=data_checks(20, 40, pl.DataFrame({"agrees": [True], "attainable": [True]})),
        audit=audit_view(AUDIT),
        endpoint_visit="week12",
        rates=endpoint_rates(RATES, "week12"),
        level="90 %",
        t1=table1_view(TABLE1, group_column="dose_mg", labels={}),
        tests=text_table(pl.DataFrame({"test": ["paired_t"], "P": ["< 0.001"]})),
        charts=[],
        methods=methods,
        report_href="../report.html",
        **outcome_sections(),
    )
    assert "<script>" not in page
    assert "&lt;b&gt;50%&lt;/b&gt; &amp; more" in page
    assert (
        page.index('id="audit-decisive"')
        < page.index('id="audit-mismatch"')
        < page.index('id="audit-match"')
        < page.index('id="flow"')
        < page.index('id="response"')
        < page.index('id="percent-change"')
        < page.index('id="time-to-response"')
        < page.index('id="safety"')
        < page.index('id="table1"')
        < page.index('id="methods"')
    )
    assert "counted as non-responders (NRI)" in page
    assert "Clopper–Pearson 90 % confidence intervals" in page
    assert '<td class="num">70 % (46–88)</td>' in page
    assert "@media print" in page
    # The safety table's term and the flow diagram's endpoint, from the data: text, not markup.
    assert "</script>" not in page and "<b>" not in page
    assert "<td>&lt;/script&gt;&lt;b&gt;Acne&lt;/b&gt;</td>" in page
    assert "dlqi:&lt;b&gt;0/1&lt;/b&gt;: n = 5" in page
    assert "4 patients (50.0 %) had at least one adverse event" in page
    # Sections that have nothing to show are absent, not empty.
    assert 'id="declared-outcomes"' not in page and 'id="time-on-drug"' not in page


def test_summary_page_says_why_a_section_is_empty_and_places_the_charts_in_their_sections():
    from pppflow.pages import IndexedChart
    from pppflow.summary_outcomes import time_on_drug_view

    on_drug = time_on_drug_view(
        pl.DataFrame(
            {
                "arm": pl.Series([None, None], dtype=pl.Utf8),
                "reason": ["any", "adverse_event"],
                "week": [None, 12.0],
                "n": [8, 8],
                "stops": [1, 1],
                "median_weeks": [None, None],
                "ci_low": [None, None],
                "ci_high": [None, None],
                "cumulative_incidence": [None, 0.125],
                "ci_low_incidence": [None, 0.003],
                "ci_high_incidence": [None, 0.53],
            }
        ),
        0.95,
    )
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>KM</text></svg>'
    page = summary_html(
        cohort="demo",
        source=None,
        checks=data_checks(8, 24, pl.DataFrame({"agrees": [True], "attainable": [True]})),
        audit=audit_view(AUDIT.clear()),
        endpoint_visit="week12",
        rates=(),
        level="95 %",
        t1=table1_view(TABLE1, group_column=None, labels={}),
        tests=text_table(pl.DataFrame({"test": ["paired_t"]})),
        charts=[
            IndexedChart("time_to_response", "Time to response", svg, (), "time-to-response"),
            IndexedChart("paired_pppasi", "Paired", svg, ()),
        ],
        methods=[],
        report_href="../report.html",
        **outcome_sections(
            safety=None,
            pga_sentence="No PGA grade is recorded.",
            time_on_drug=on_drug,
        ),
    )
    assert "No events file was given for this cohort" in page
    assert '<p class="note">No PGA grade is recorded.</p>' in page
    assert page.index('id="safety"') < page.index('id="time-on-drug"') < page.index('id="table1"')
    assert '<td class="num">13 % (0–53)</td>' in page  # 12.5 % half up
    # The KM chart in its section, once; the paired chart in the Charts section.
    assert page.count('id="chart-time_to_response"') == 1
    assert (
        page.index('id="time-to-response"')
        < page.index('id="chart-time_to_response"')
        < page.index('id="safety"')
        < page.index('id="charts"')
        < page.index('id="chart-paired_pppasi"')
    )


def test_landing_rst_escapes_markup_and_names_the_decisive_mismatch():
    from pppflow.summary import landing_rst

    rows = AUDIT.with_columns(pl.lit("*x* `y` {{ z }}").alias("reported"))
    text = landing_rst(
        "demo", audit=audit_view(rows), audit_rows=rows, rates=endpoint_rates(RATES, "week12")
    )
    assert (
        "- **Decisive mismatch** rate90: printed \\*x\\* \\`y\\` \\{\\{ z \\}\\}, recomputed"
        in text
    )
    assert "PPPASI 90 14/20 = 70 \\% (46–88)" in text  # rst renders \\% as %
    assert landing_rst(
        "demo", audit=audit_view(AUDIT.clear()), audit_rows=AUDIT.clear(), rates=()
    ) == ("**demo**\n\n- No claims given: nothing audited.\n\n")


def test_the_run_prints_the_summaries_that_exist(tmp_path):
    from pppflow.terminal import summaries_text

    (tmp_path / "a.txt").write_text("── a ──\n  line\n", encoding="utf-8")
    assert summaries_text([tmp_path / "a.txt", tmp_path / "missing.txt"]) == (
        "\npppflow summary\n── a ──\n  line\n"
    )
    assert summaries_text([tmp_path / "missing.txt"]) == ""
