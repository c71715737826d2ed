"""The charts: the frames they draw (values worked out by hand below), their Vega-Lite specs
(marks, encodings, rows of data), a size that stops growing with the cohort, offline rendering,
and the pages beside them."""

import base64
import re

import polars as pl
import pytest
import vl_convert as vlc

from pppflow.charts import (
    common,
    declared_outcomes,
    improvement_waterfall,
    paired_pppasi,
    percent_change,
    pga_shift,
    pppasi_over_time,
    response_rates,
    response_rates_over_time,
    time_on_drug,
    time_to_response,
)
from pppflow.charts.common import ChartSettings, ChartSize
from pppflow.charts.response_rates import RECOMPUTED, REPORTED
from pppflow.constants import CHART_MAX_PAIRED_LINES, CHART_WATERFALL_GROUPS
from pppflow.pages import IndexedChart, chart_index_html, table_html
from pppflow.render import external_references, javascript_library, offline_page, render_chart

SIZE = ChartSize(300, 200)


def datasets(spec: dict) -> dict[str, list[dict]]:
    return spec.get("datasets", {})


def only_dataset(spec: dict) -> list[dict]:
    (rows,) = datasets(spec).values()
    return rows


def layer_marks(spec: dict) -> list[str]:
    return [
        layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"]
        for layer in spec["layer"]
    ]


def pppasi_frame(rows: list[tuple[str, str, float, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "patient_id": pl.Utf8,
            "visit": pl.Utf8,
            "week": pl.Float64,
            "pppasi_tenths": pl.Int64,
        },
        orient="row",
    )


def patients_frame(doses: dict[str, float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"patient_id": list(doses), "dose_mg": list(doses.values())},
        schema={"patient_id": pl.Utf8, "dose_mg": pl.Float64},
    )


# --- labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visit", "weeks", "label", "phrase"),
    [
        ("week12", [12.0, 12.0], "Week 12", "week 12"),
        ("baseline", [0.0], "Week 0 (baseline)", "baseline (week 0)"),
        ("week12", [12.0, 13.0, None], "Week 12–13 (week12)", "week12 (weeks 12–13)"),
        ("v2", [None], "v2", "v2"),
    ],
)
def test_visit_labels(visit, weeks, label, phrase):
    assert common.time_point_label(visit, weeks) == label
    assert common.visit_phrase(visit, weeks) == phrase


def test_small_text_helpers():
    assert response_rates.percent_text(0.5) == "50%"
    assert response_rates.percent_text(0.355) == "35.5%"
    assert response_rates.percent_text(1.0) == "100%"
    assert response_rates.wrapped("PGA ≥2 grades better") == "PGA ≥2 grades\nbetter"
    assert response_rates.wrapped("PPPASI 100") == "PPPASI 100"
    assert common.patients_text(1) == "1 patient"
    assert common.patients_text(1_000_000) == "1,000,000 patients"
    assert paired_pppasi.dose_label(15.0) == "15 mg"
    assert paired_pppasi.dose_label(None) == "not recorded"


def test_common_helpers():
    assert common.endpoint_label("PPPASI75") == "PPPASI 75"
    assert common.endpoint_label("PGA≥2") == "PGA ≥2 grades better"
    assert common.endpoint_label("other") == "other"
    pppasi = pppasi_frame(
        [("1", "baseline", 0, 10), ("1", "week12", 12, 5), ("2", "week12", 13, 5)]
    )
    assert common.endpoint_phrase(pppasi, "week12") == "week12 (weeks 12–13)"
    assert common.endpoint_phrase(pppasi, "baseline") == "baseline (week 0)"


# --- paired PPPASI -------------------------------------------------------------------------

PAIRED_PPPASI = pppasi_frame(
    [
        ("1", "baseline", 0, 108),
        ("1", "week4", 4, 50),  # not drawn: neither baseline nor endpoint
        ("1", "week12", 12, 0),
        ("2", "baseline", 0, 62),  # no endpoint visit: a lone point
        ("12", "baseline", 0, 486),
        ("12", "week12", 12, 38),
        ("12", "week4", 4, None),
    ]
)
PAIRED_PATIENTS = patients_frame({"1": 15.0, "2": 30.0, "12": None})


def test_paired_frame_has_one_row_per_patient_and_time_point():
    frame = paired_pppasi.paired_pppasi_frame(
        PAIRED_PPPASI, PAIRED_PATIENTS, baseline_visit="baseline", endpoint_visit="week12"
    )
    assert frame.select("line_id", "time_point", "pppasi", "dose", "patients").rows() == [
        ("1", "Week 0 (baseline)", 10.8, "15 mg", 1),
        ("1", "Week 12", 0.0, "15 mg", 1),
        ("12", "Week 0 (baseline)", 48.6, "not recorded", 1),
        ("12", "Week 12", 3.8, "not recorded", 1),
        ("2", "Week 0 (baseline)", 6.2, "30 mg", 1),
    ]
    assert not frame.get_column("grouped").any()


def test_paired_chart_writes_how_many_patients_end_cleared():
    frame = paired_pppasi.paired_pppasi_frame(
        pppasi_frame(
            [
                ("1", "baseline", 0.0, 108),
                ("1", "week12", 12.0, 0),
                ("2", "baseline", 0.0, 62),
                ("2", "week12", 12.0, 0),
                ("3", "baseline", 0.0, 62),
                ("3", "week12", 12.0, 10),
            ]
        ),
        patients_frame({"1": 15.0, "2": 15.0, "3": 30.0}),
        baseline_visit="baseline",
        endpoint_visit="week12",
    )
    # Two baselines at 6.2 meet too, but only the cleared ends pile up on the axis.
    assert paired_pppasi.pile_labels(frame).rows() == [("Week 12", 0.0, "2 patients at 0")]


def test_paired_chart_of_a_patients_file_without_doses_has_no_dose_key():
    ids = PAIRED_PATIENTS.select("patient_id")
    spec = paired_pppasi.paired_pppasi_chart(
        PAIRED_PPPASI,
        ids,
        baseline_visit="baseline",
        endpoint_visit="week12",
        cohort="demo",
        size=SIZE,
    ).to_dict()
    encoding = spec["layer"][0]["encoding"]
    assert encoding["color"] == {"value": paired_pppasi.PALETTE[0]}
    assert "not recorded" not in str(spec)
    assert "coloured by dose" not in spec["title"]["subtitle"][0]


def test_paired_chart_spec():
    spec = paired_pppasi.paired_pppasi_chart(
        PAIRED_PPPASI,
        PAIRED_PATIENTS,
        baseline_visit="baseline",
        endpoint_visit="week12",
        cohort="demo",
        size=SIZE,
    ).to_dict()
    assert layer_marks(spec) == ["line", "circle"]  # no two ends coincide
    encoding = spec["layer"][0]["encoding"]
    assert (encoding["x"]["field"], encoding["x"]["type"]) == ("time_point", "nominal")
    assert encoding["x"]["sort"] == ["Week 0 (baseline)", "Week 12"]
    assert (encoding["y"]["field"], encoding["y"]["type"]) == ("pppasi", "quantitative")
    assert "PPPASI" in encoding["y"]["title"]
    assert encoding["color"]["field"] == "dose"
    # Legend in dose order, the patient without a dose last.
    assert encoding["color"]["scale"]["domain"] == ["15 mg", "30 mg", "not recorded"]
    assert encoding["detail"]["field"] == "line_id"
    assert len(only_dataset(spec)) == 5
    assert (spec["width"], spec["height"]) == (SIZE.width, SIZE.height)
    assert spec["title"]["text"] == "PPPASI per patient — demo"
    assert any("1 patient seen at one of the two visits" in s for s in spec["title"]["subtitle"])


def test_paired_frame_groups_a_large_cohort_rounding_half_up():
    pppasi = pl.concat(
        [PAIRED_PPPASI, pppasi_frame([("3", "baseline", 0, 105), ("3", "week12", 12, 4)])]
    )
    patients = patients_frame({"1": 15.0, "2": 30.0, "12": None, "3": 15.0})
    frame = paired_pppasi.paired_pppasi_frame(
        pppasi, patients, baseline_visit="baseline", endpoint_visit="week12", max_patients=3
    )
    assert frame.get_column("grouped").all()
    lines = {
        (row["dose"], row["position"]): (row["pppasi"], row["patients"])
        for row in frame.iter_rows(named=True)
    }
    # Patient 1: 10.8 -> 11, 0.0 -> 0; patient 3: 10.5 -> 11 (half up), 0.4 -> 0: one line of
    # two. Patient 12: 48.6 -> 49, 3.8 -> 4. Patient 2 has no endpoint: not drawn.
    assert lines == {
        ("15 mg", 0): (11.0, 2),
        ("15 mg", 1): (0.0, 2),
        ("not recorded", 0): (49.0, 1),
        ("not recorded", 1): (4.0, 1),
    }
    assert frame.get_column("rounding_points").unique().to_list() == [1]


def test_paired_frame_coarsens_until_the_lines_fit():
    pppasi = pppasi_frame(
        [("1", "baseline", 0, 108), ("1", "week12", 12, 0)]
        + [("3", "baseline", 0, 93), ("3", "week12", 12, 0)]
    )
    patients = patients_frame({"1": 15.0, "3": 15.0})
    frame = paired_pppasi.paired_pppasi_frame(
        pppasi,
        patients,
        baseline_visit="baseline",
        endpoint_visit="week12",
        max_patients=1,
        max_lines=1,
    )
    # Whole points give two lines (11 and 9); multiples of 2 points give one (10.8 and 9.3
    # both round to 10).
    assert frame.select("pppasi", "patients", "rounding_points").rows() == [
        (10.0, 2, 2),
        (0.0, 2, 2),
    ]


# --- waterfall -----------------------------------------------------------------------------


def per_patient_frame(rows: list[tuple[str, float | None]]) -> pl.DataFrame:
    """Response flags worked out from each improvement (None: not evaluable)."""
    frame = pl.DataFrame(
        rows, schema={"patient_id": pl.Utf8, "improvement_pct": pl.Float64}, orient="row"
    )
    return frame.with_columns(
        [
            pl.when(pl.col("improvement_pct").is_null())
            .then(None)
            .otherwise(pl.col("improvement_pct") >= t)
            .alias(f"pppasi{t}")
            for t in (50, 75, 90, 100)
        ]
    )


def test_waterfall_frame_sorts_best_first_with_ties_in_natural_order():
    per_patient = per_patient_frame(
        [("12", 100.0), ("7", 75.0), ("5", -50.0), ("3", None), ("2", 100.0)]
    )
    frame = improvement_waterfall.waterfall_frame(per_patient)
    assert frame.select("patient_id", "rank", "best_response").rows() == [
        ("2", 1, "PPPASI 100"),
        ("12", 2, "PPPASI 100"),
        ("7", 3, "PPPASI 75"),
        ("5", 4, "Below PPPASI 50"),
    ]


def test_waterfall_best_response_comes_from_the_flags_not_the_float():
    # 2.8 -> 0.7 is exactly 75 %: the flag says so even where a float prints 74.99999.
    per_patient = per_patient_frame([("1", 74.99999)]).with_columns(pl.lit(True).alias("pppasi75"))
    assert improvement_waterfall.waterfall_frame(per_patient).get_column(
        "best_response"
    ).to_list() == ["PPPASI 75"]


def test_waterfall_chart_spec():
    per_patient = per_patient_frame(
        [("12", 100.0), ("7", 75.0), ("5", -50.0), ("3", None), ("2", 100.0)]
    )
    spec = improvement_waterfall.improvement_waterfall_chart(
        per_patient, endpoint_label_text="week 12", cohort="demo", size=SIZE
    ).to_dict()
    assert layer_marks(spec) == ["bar", "rule", "text"]
    bars = spec["layer"][0]
    assert bars["encoding"]["x"]["field"] == "patient_id"
    assert bars["encoding"]["x"]["sort"] == {"field": "rank", "order": "ascending"}
    assert bars["encoding"]["y"]["field"] == "improvement_pct"
    # Worst improvement -50 %: the axis runs from -50 to 100.
    assert bars["encoding"]["y"]["scale"]["domain"] == [-50.0, 100]
    assert bars["encoding"]["color"]["field"] == "best_response"
    rows = {name: len(values) for name, values in datasets(spec).items()}
    assert sorted(rows.values()) == [3, 4]
    (thresholds,) = [values for values in datasets(spec).values() if len(values) == 3]
    assert [row["threshold_pct"] for row in thresholds] == [50, 75, 90]
    assert any("1 patient without an improvement" in s for s in spec["title"]["subtitle"])


def test_waterfall_of_many_patients_shows_the_middle_patient_of_equal_runs():
    per_patient = per_patient_frame([(f"p{i}", 100.0 - 10 * i) for i in range(10)])
    frame = improvement_waterfall.waterfall_frame(per_patient, max_bars=4, groups=4)
    # Runs of ranks 1-2, 3-5, 6-7, 8-10; their middles are ranks 1, 4, 6 and 9.
    assert frame.select("rank", "improvement_pct", "share_from", "share_to").rows() == [
        (1, 100.0, 0.0, 20.0),
        (4, 70.0, 20.0, 50.0),
        (6, 50.0, 50.0, 70.0),
        (9, 20.0, 70.0, 100.0),
    ]
    assert frame.get_column("best_response").to_list() == [
        "PPPASI 100",
        "PPPASI 50",
        "PPPASI 50",
        "Below PPPASI 50",
    ]


# --- response rates ------------------------------------------------------------------------

RATES = pl.DataFrame(
    {
        "endpoint": ["PPPASI50", "PGA≥2", "PPPASI50"],
        "visit": ["week12", "week12", "week4"],
        "week": [12.0, 12.0, 4.0],
        "responders": [4, 2, 1],
        "evaluable": [5, 5, 5],
        "rate": [0.8, 0.4, 0.2],
        "ci_low": [0.283582, 0.052745, 0.005051],
        "ci_high": [0.994949, 0.853367, 0.716418],
    }
)
REPORTED_RATES = pl.DataFrame(
    {
        "endpoint": ["PPPASI50", "PPPASI90", "PPPASI50"],
        "visit": ["week12", "week12", "week4"],
        "reported_rate": [0.5, 0.2, 0.9],
    }
)


def test_response_rates_frame_puts_reported_beside_recomputed():
    frame = response_rates.response_rates_frame(RATES, REPORTED_RATES, visit="week12")
    assert frame.select("endpoint", "source", "rate", "rate_text", "axis_label").rows() == [
        ("PPPASI50", RECOMPUTED, 0.8, "4/5", "PPPASI 50\n4/5"),
        ("PPPASI50", REPORTED, 0.5, "50%", "PPPASI 50\n4/5"),
        ("PGA≥2", RECOMPUTED, 0.4, "2/5", "PGA ≥2 grades\nbetter\n2/5"),
        # Reported, never recomputed: its own column, without counts.
        ("PPPASI90", REPORTED, 0.2, "20%", "PPPASI 90"),
    ]
    reported = frame.filter(pl.col("source") == REPORTED)
    assert reported.get_column("ci_low").null_count() == reported.height
    assert not frame.get_column("decisive").any()
    # A cohort without PGA grades: no PGA endpoint, even where the paper prints a PGA rate.
    printed_pga = pl.DataFrame(
        {
            "endpoint": ["PGA0/1", "PPPASI90"],
            "visit": ["week12", "week12"],
            "reported_rate": [0.9, 0.2],
        }
    )
    no_pga = response_rates.response_rates_frame(
        RATES.filter(pl.col("endpoint") != "PGA≥2"), printed_pga, visit="week12"
    )
    assert no_pga.select("endpoint", "source").rows() == [
        ("PPPASI50", RECOMPUTED),
        ("PPPASI90", REPORTED),
    ]


def test_response_rates_frame_marks_what_the_audit_finds_decisive():
    reported = REPORTED_RATES.with_columns(pl.Series("claim_id", ["r50", "r90", "r50w4"]))
    audit = pl.DataFrame(
        {
            "claim_id": ["r50", "r90", "r50w4"],
            "verdict": ["mismatch", "mismatch", "mismatch"],
            "decisive": ["true", "false", "true"],
        }
    )
    frame = response_rates.response_rates_frame(RATES, reported, visit="week12", audit=audit)
    assert frame.filter(pl.col("decisive")).select("endpoint", "source").rows() == [
        ("PPPASI50", REPORTED)
    ]
    spec = response_rates.response_rates_chart(
        RATES,
        reported,
        visit="week12",
        visit_label="week 12",
        confidence_level=0.95,
        cohort="demo",
        size=SIZE,
        audit=audit,
    ).to_dict()
    ring, label = spec["layer"][-2:]
    assert ring["transform"] == [{"filter": "datum.decisive"}]
    assert label["mark"]["type"] == "text"
    assert any("decisive" in line for line in spec["title"]["subtitle"])


def test_response_rates_chart_spec():
    spec = response_rates.response_rates_chart(
        RATES,
        REPORTED_RATES,
        visit="week12",
        visit_label="week 12",
        confidence_level=0.95,
        cohort="demo",
        size=SIZE,
    ).to_dict()
    assert layer_marks(spec) == ["rule", "tick", "tick", "point", "text", "text", "point", "text"]
    interval, _, _, points, labels, printed, _, _ = spec["layer"]
    assert labels["transform"][-1] == {"calculate": "format(datum.rate, '.0%')", "as": "rate_label"}
    assert (interval["encoding"]["y"]["field"], interval["encoding"]["y2"]["field"]) == (
        "ci_low",
        "ci_high",
    )
    assert points["encoding"]["x"]["field"] == "axis_label"
    assert points["encoding"]["xOffset"]["field"] == "source"
    assert points["encoding"]["y"]["field"] == "rate"
    assert points["encoding"]["y"]["scale"]["domain"] == [0, 1]
    assert points["encoding"]["shape"]["scale"]["domain"] == [RECOMPUTED, REPORTED]
    assert printed["encoding"]["text"]["field"] == "rate_text"
    assert len(only_dataset(spec)) == 4
    assert "95 % CI" in " ".join(spec["title"]["subtitle"])


def test_response_rates_chart_without_claims_has_no_reported_series():
    empty = REPORTED_RATES.clear()
    spec = response_rates.response_rates_chart(
        RATES,
        empty,
        visit="week12",
        visit_label="week 12",
        confidence_level=0.95,
        cohort="demo",
        size=SIZE,
    ).to_dict()
    points = spec["layer"][3]["encoding"]
    assert points["color"]["scale"]["domain"] == [RECOMPUTED]
    assert points["color"]["legend"] is None
    assert len(only_dataset(spec)) == 2
    assert not any("Diamonds" in s for s in spec["title"]["subtitle"])


# --- PGA shift -----------------------------------------------------------------------------

PGA = pl.DataFrame(
    {
        "patient_id": ["a", "b", "c", "d", "e", "f"],
        "pga_baseline": [2, 2, 3, 1, None, 0],
        "pga_endpoint": [0, 0, 1, 1, 0, 2],
    },
    schema={"patient_id": pl.Utf8, "pga_baseline": pl.Int64, "pga_endpoint": pl.Int64},
)


def test_pga_shift_frame_counts_every_grade_pair():
    frame = pga_shift.pga_shift_frame(PGA, pga_max=5)
    assert frame.height == 36
    counted = {
        (b, e): n for b, e, n in frame.select("pga_baseline", "pga_endpoint", "patients").rows()
    }
    assert {pair: n for pair, n in counted.items() if n} == {
        (2, 0): 2,
        (3, 1): 1,
        (1, 1): 1,
        (0, 2): 1,
    }
    assert frame.filter((pl.col("pga_baseline") == 0) & (pl.col("pga_endpoint") == 2)).get_column(
        "grades_better"
    ).to_list() == [-2]


def test_pga_shift_chart_spec():
    spec = pga_shift.pga_shift_chart(
        PGA, pga_max=4, endpoint_label_text="week 12", cohort="demo", size=SIZE
    ).to_dict()
    assert layer_marks(spec) == ["rect", "rect", "text", "text"]
    cells, diagonal, counts, totals = spec["layer"]
    assert cells["encoding"]["x"]["field"] == "pga_endpoint"
    assert cells["encoding"]["y"]["field"] == "pga_baseline"
    assert cells["encoding"]["x"]["scale"]["domain"] == ["0", "1", "2", "3", "4", "Total"]
    assert cells["encoding"]["color"]["condition"]["field"] == "patients"
    assert cells["encoding"]["color"]["condition"]["legend"]["values"] == [0, 1, 2]
    assert diagonal["transform"] == [{"filter": "(datum.grades_better === 0)"}]
    assert counts["encoding"]["text"]["field"] == "patients"
    assert len(only_dataset(spec)) == 25
    # Row totals, column totals and the grand total, in the margin.
    margin = {
        (t["pga_baseline"], t["pga_endpoint"]): t["patients"] for t in totals["data"]["values"]
    }
    assert len(margin) == 5 + 5 + 1
    assert margin[("Total", "Total")] == 5
    assert sum(margin[(str(g), "Total")] for g in range(5)) == 5
    assert sum(margin[("Total", str(g))] for g in range(5)) == 5
    assert "5 patients graded at both" in spec["title"]["subtitle"][0]
    assert spec["title"]["subtitle"][-1] == "1 patient missing a grade not counted"
    # Square cells: the heatmap takes the smaller side of the configured size.
    assert spec["width"] == spec["height"] == 200


# --- over the weeks ------------------------------------------------------------------------


def test_response_rates_over_time_spec():
    spec = response_rates_over_time.response_rates_over_time_chart(
        RATES, confidence_level=0.95, cohort="demo", size=SIZE
    ).to_dict()
    assert spec["facet"]["field"] == "endpoint_label"
    assert spec["facet"]["sort"] == ["PPPASI 50", "PGA ≥2 grades better"]
    assert [layer["mark"]["type"] for layer in spec["spec"]["layer"]] == ["area", "line"]
    band, line = spec["spec"]["layer"]
    assert (band["encoding"]["y"]["field"], band["encoding"]["y2"]["field"]) == (
        "ci_low",
        "ci_high",
    )
    assert line["encoding"]["x"]["field"] == "week"
    assert line["encoding"]["x"]["axis"]["values"] == [4.0, 12.0]
    assert len(only_dataset(spec)) == 3


def test_pppasi_by_visit_frame_means_exact_tenths():
    pppasi = pppasi_frame(
        [
            ("a", "baseline", 0, 28),
            ("b", "baseline", 0, 120),
            ("c", "baseline", 0, 0),
            ("a", "week4", 4, 60),
            ("a", "week12", 12, 7),
            ("b", "week12", 12, 12),
            ("c", "week12", 13, None),
        ]
    )
    frame = pppasi_over_time.pppasi_by_visit_frame(pppasi)
    assert frame.get_column("visit").to_list() == ["baseline", "week4", "week12"]
    assert frame.get_column("n").to_list() == [3, 1, 2]
    # (2.8 + 12.0 + 0.0) / 3; (0.7 + 1.2) / 2; SD of 0.7 and 1.2 is 0.5 / sqrt(2).
    assert frame.get_column("mean_pppasi").to_list() == pytest.approx([148 / 30, 6.0, 0.95])
    assert frame.get_column("sd_pppasi").to_list()[1] is None
    assert frame.get_column("sd_pppasi").to_list()[2] == pytest.approx(0.5 / 2**0.5)
    # The patient seen at week 13 for week12 has no PPPASI: the visit's week is the median of
    # the patients with a value.
    assert frame.get_column("week").to_list() == [0.0, 4.0, 12.0]


def test_pppasi_over_time_spec_labels_each_visit_with_its_n():
    pppasi = pppasi_frame(
        [("a", "baseline", 0, 28), ("b", "baseline", 0, 120), ("a", "week4", 4, 60)]
    )
    spec = pppasi_over_time.pppasi_over_time_chart(pppasi, cohort="demo", size=SIZE).to_dict()
    assert layer_marks(spec) == ["errorbar", "line"]
    x = spec["layer"][1]["encoding"]["x"]
    assert x["axis"]["values"] == [0.0, 4.0]
    assert "'0': 'n = 2'" in x["axis"]["labelExpr"]
    assert "'4': 'n = 1'" in x["axis"]["labelExpr"]
    assert len(only_dataset(spec)) == 2


# --- size: what the chart shows, not how many patients -------------------------------------


def big_cohort(n: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    ids = [f"s{i:05d}" for i in range(n)]
    baseline = [(i * 37) % 700 + 10 for i in range(n)]
    endpoint = [(b * ((i * 13) % 11)) // 10 for i, b in enumerate(baseline)]
    pppasi = pl.DataFrame(
        {
            "patient_id": ids * 2,
            "visit": ["baseline"] * n + ["week12"] * n,
            "week": [0.0] * n + [12.0] * n,
            "pppasi_tenths": baseline + endpoint,
        }
    )
    patients = patients_frame({pid: [15.0, 30.0, 45.0][i % 3] for i, pid in enumerate(ids)})
    per_patient = per_patient_frame(
        [(pid, 100 * (b - e) / b) for pid, b, e in zip(ids, baseline, endpoint, strict=True)]
    ).with_columns(
        pl.Series("pga_baseline", [i % 6 for i in range(n)]),
        pl.Series("pga_endpoint", [(i * 7) % 6 for i in range(n)]),
    )
    return pppasi, patients, per_patient


@pytest.mark.parametrize("n", [1_000, 20_000])
def test_summarising_charts_carry_the_same_rows_whatever_the_cohort_size(n):
    pppasi, patients, per_patient = big_cohort(n)
    waterfall = improvement_waterfall.improvement_waterfall_chart(
        per_patient, endpoint_label_text="week 12", cohort="big", size=SIZE
    ).to_dict()
    assert sorted(len(rows) for rows in datasets(waterfall).values()) == [
        3,
        CHART_WATERFALL_GROUPS,
    ]
    pga = pga_shift.pga_shift_chart(
        per_patient, pga_max=5, endpoint_label_text="week 12", cohort="big", size=SIZE
    ).to_dict()
    assert len(only_dataset(pga)) == 36
    paired = paired_pppasi.paired_pppasi_chart(
        pppasi,
        patients,
        baseline_visit="baseline",
        endpoint_visit="week12",
        cohort="big",
        size=SIZE,
    ).to_dict()
    assert "facet" in paired  # one panel per dose
    lines = only_dataset(paired)
    assert len(lines) <= 2 * CHART_MAX_PAIRED_LINES
    assert sum(row["patients"] for row in lines) == 2 * n  # each patient twice: both ends


# --- the outcome tables' charts ------------------------------------------------------------

PERCENT_CHANGE = pl.DataFrame(
    {
        "visit": ["week4", "week12", "week24"],
        "arm": pl.Series([None, None, None], dtype=pl.Utf8),
        "n": [7, 6, 0],
        "mean": [-42.5, -73.0, None],
        "mean_ci_low": [-59.0, -89.8, None],
        "mean_ci_high": [-26.0, -56.3, None],
        "median": [-39.8, -73.7, None],
    }
)


def test_percent_change_spec_draws_the_mean_and_its_interval_per_visit():
    spec = percent_change.percent_change_chart(
        PERCENT_CHANGE, confidence_level=0.95, cohort="demo", size=SIZE
    ).to_dict()
    assert layer_marks(spec) == ["rule", "errorbar", "line", "point"]
    bars = spec["layer"][1]["encoding"]
    assert (bars["y"]["field"], bars["y2"]["field"]) == ("mean_ci_low", "mean_ci_high")
    x = spec["layer"][3]["encoding"]["x"]
    # visits in the table's (time) order; a visit with no patient is left out
    assert x["sort"] == ["week4", "week12"]
    assert '"week4": "n = 7"' in x["axis"]["labelExpr"]
    rows = [r for r in datasets(spec).values() if len(r) == 2][0]
    assert [(r["visit"], r["arm"], r["mean"]) for r in rows] == [
        ("week4", "All patients", -42.5),
        ("week12", "All patients", -73.0),
    ]
    assert spec["layer"][3]["encoding"]["color"]["legend"] is None  # one series


def test_percent_change_spec_has_a_series_per_arm():
    arms = pl.concat(
        [
            PERCENT_CHANGE.with_columns(pl.lit("15 mg").alias("arm")),
            PERCENT_CHANGE.with_columns(pl.lit("30 mg").alias("arm")),
        ]
    )
    spec = percent_change.percent_change_chart(
        arms, confidence_level=0.95, cohort="demo", size=SIZE
    ).to_dict()
    assert layer_marks(spec) == ["rule", "errorbar", "point"]  # no line zigzagging across arms
    encoding = spec["layer"][2]["encoding"]
    assert encoding["color"]["scale"]["domain"] == ["15 mg", "30 mg"]
    assert encoding["xOffset"]["field"] == "arm"
    assert '"week4": "15 mg 7 · 30 mg 7"' in encoding["x"]["axis"]["labelExpr"]


def test_time_to_response_spec_steps_and_counts_at_risk():
    from test_outcome_pages import RESPONSES

    spec = time_to_response.time_to_response_chart(
        RESPONSES.lazy(), cohort="demo", size=SIZE
    ).to_dict()
    curves, table = spec["vconcat"]
    steps = curves["layer"][0]
    assert steps["mark"]["type"] == "line" and steps["mark"]["interpolate"] == "step-after"
    assert steps["encoding"]["y"]["field"] == "cumulative"
    assert steps["encoding"]["color"]["scale"]["domain"] == ["PPPASI 50", "PPPASI 75"]
    assert curves["layer"][1]["mark"]["shape"] == "cross"  # the censored patients
    assert table["mark"]["type"] == "text" and table["encoding"]["text"]["field"] == "at_risk"
    assert table["encoding"]["x"]["axis"]["values"] == [0.0, 4.0, 12.0, 13.0]
    rows = {len(r): r for r in datasets(spec).values()}
    at_risk = rows[8]
    assert [(r["series"], r["week"], r["at_risk"]) for r in at_risk[:4]] == [
        ("PPPASI 50", 0.0, 5),
        ("PPPASI 50", 4.0, 5),
        ("PPPASI 50", 12.0, 2),
        ("PPPASI 50", 13.0, 0),
    ]


def test_time_on_drug_spec_curves_per_arm_and_counts_at_risk():
    from pppflow.arm_settings import ArmDesign

    # placebo: a stops at 2 (inefficacy), c at 4 (adverse event), b censored at 6;
    # active: d stops at 3 (other), e and f censored at 8.
    patients = pl.DataFrame(
        {
            "patient_id": ["a", "b", "c", "d", "e", "f"],
            "group": ["placebo"] * 3 + ["active"] * 3,
            "stop_week": [2.0, None, 4.0, 3.0, None, None],
            "last_seen_week": [None, 6.0, None, None, 8.0, 8.0],
            "stop_reason": ["inefficacy", None, "adverse_event", "other", None, None],
        }
    )
    visits = patients.select("patient_id", visit=pl.lit("baseline"), week=pl.lit(0.0))
    settings = ChartSettings(
        "demo", SIZE, "baseline", "week8", 4, 0.95, ArmDesign("group", "placebo")
    )
    spec = time_on_drug.time_on_drug_chart(patients, visits, settings).to_dict()
    left, right = spec["hconcat"]
    curves, table = left["vconcat"]
    steps, censored = curves["layer"]
    assert steps["mark"]["type"] == "line" and steps["mark"]["interpolate"] == "step-after"
    assert steps["encoding"]["y"]["field"] == "on_drug"
    # One dash per arm, the reference arm first.
    assert steps["encoding"]["strokeDash"]["scale"]["domain"] == ["placebo", "active"]
    assert censored["mark"]["shape"] == "cross"
    assert table["encoding"]["text"]["field"] == "at_risk"
    assert table["encoding"]["x"]["axis"]["values"] == [float(w) for w in range(9)]
    # The incidence: a stacked step area per arm, one colour per reason.
    assert [panel["title"]["text"] for panel in right["hconcat"]] == ["placebo", "active"]
    area = right["hconcat"][0]
    assert area["mark"]["type"] == "area" and area["mark"]["interpolate"] == "step-after"
    assert area["encoding"]["y"]["stack"] == "zero"
    assert area["encoding"]["color"]["scale"]["domain"] == ["Inefficacy", "Adverse event", "Other"]
    rows = {len(r): r for r in datasets(spec).values()}
    assert sorted(rows) == [7, 9, 12, 18]
    assert [(r["series"], r["week"], round(r["on_drug"], 4), r["censored"]) for r in rows[7]] == [
        ("placebo", 0.0, 1.0, 0),
        ("placebo", 2.0, 0.6667, 0),
        ("placebo", 4.0, 0.3333, 0),
        ("placebo", 6.0, 0.3333, 1),
        ("active", 0.0, 1.0, 0),
        ("active", 3.0, 0.6667, 0),
        ("active", 8.0, 0.6667, 2),
    ]
    at_risk = [(r["series"], r["at_risk"]) for r in rows[18]]
    assert at_risk == [("placebo", n) for n in (3, 3, 3, 2, 2, 1, 1, 0, 0)] + [
        ("active", n) for n in (3, 3, 3, 3, 2, 2, 2, 2, 2)
    ]
    # placebo: at 0, 2, 4, 6 per reason; inefficacy 1/3 from week 2, adverse event
    # 2/3 x 1/2 = 1/3 from week 4, other 0.
    placebo = {(r["reason"], r["week"]): r["cumulative_incidence"] for r in rows[12]}
    assert placebo[("inefficacy", 2.0)] == pytest.approx(1 / 3)
    assert placebo[("adverse_event", 2.0)] == 0 and placebo[
        ("adverse_event", 4.0)
    ] == pytest.approx(1 / 3)
    assert {w for r, w in placebo if r == "other"} == {0.0, 2.0, 4.0, 6.0}
    active = {(r["reason"], r["week"]): r["cumulative_incidence"] for r in rows[9]}
    assert active[("other", 3.0)] == pytest.approx(1 / 3) and active[
        ("other", 8.0)
    ] == pytest.approx(1 / 3)


def test_time_on_drug_spec_without_arms_or_reasons_is_one_curve():
    patients = pl.DataFrame({"patient_id": ["a", "b"], "stop_week": [2.0, None]})
    visits = pl.DataFrame(
        {"patient_id": ["a", "b", "b"], "visit": ["b", "b", "w4"], "week": [0, 0, 4]}
    )
    settings = ChartSettings("demo", SIZE, "b", "w4", 4, 0.95)
    spec = time_on_drug.time_on_drug_chart(patients, visits, settings).to_dict()
    # No stop reasons: the Kaplan-Meier panel alone, its one row labelled for all patients.
    curves, table = spec["vconcat"]
    assert curves["layer"][0]["encoding"]["strokeDash"]["legend"] is None
    rows = {len(r): r for r in datasets(spec).values()}
    assert [(r["series"], r["week"], r["at_risk"]) for r in rows[5]] == [
        ("All patients", float(w), n) for w, n in zip(range(5), (2, 2, 2, 1, 1), strict=True)
    ]
    assert "No stop reasons recorded" in spec["title"]["subtitle"][1]


def test_declared_outcomes_spec_has_a_panel_per_declared_outcome():
    descriptives = pl.DataFrame(
        {
            "outcome": ["PPPASI", "PGA", "dlqi", "dlqi", "itch"],
            "visit": ["baseline", "baseline", "baseline", "week12", "baseline"],
            "week": [0.0, 0.0, 0.0, 12.0, 0.0],
            "n": [8, 8, 7, 7, 8],
            "mean": [15.1, 3.1, 15.1, 4.9, 7.4],
            "median": [13.8, 3.0, 14.0, 3.0, 7.5],
            "q1": [9.8, 3.0, 10.0, 1.5, 6.0],
            "q3": [18.5, 3.25, 20.5, 6.5, 8.25],
        }
    )
    frame = declared_outcomes.declared_frame(descriptives)
    assert frame.select("outcome", "visit", "median", "q1", "q3").rows() == [
        ("dlqi", "baseline", 14.0, 10.0, 20.5),
        ("dlqi", "week12", 3.0, 1.5, 6.5),
        ("itch", "baseline", 7.5, 6.0, 8.25),
    ]
    spec = declared_outcomes.declared_outcomes_chart(
        descriptives, cohort="demo", size=SIZE
    ).to_dict()
    assert spec["facet"]["field"] == "outcome" and spec["facet"]["sort"] == ["dlqi", "itch"]
    assert spec["resolve"]["scale"]["y"] == "independent"
    spread, line = spec["spec"]["layer"]
    assert (spread["encoding"]["y"]["field"], spread["encoding"]["y2"]["field"]) == ("q1", "q3")
    assert line["encoding"]["y"]["field"] == "median"
    assert len(only_dataset(spec)) == 3


# --- rendering and pages -------------------------------------------------------------------


@pytest.fixture(scope="module")
def library() -> str:
    return javascript_library()


def test_offline_page_is_vl_converts_bundled_page(library):
    # The workflow bundles the library once and inlines it in every page: each page must be
    # byte for byte the one vl-convert bundles itself.
    spec = pga_shift.pga_shift_chart(
        PGA, pga_max=4, endpoint_label_text="week 12", cohort="demo", size=SIZE
    ).to_dict()
    cdn_page = vlc.vegalite_to_html(spec, bundle=False)
    assert "cdn.jsdelivr.net" in cdn_page
    assert offline_page(cdn_page, library) == vlc.vegalite_to_html(spec, bundle=True)
    with pytest.raises(ValueError, match="no longer loads its libraries"):
        offline_page(cdn_page.replace("<script src=", "<script defer src="), library)


def test_render_chart_gives_svg_png_at_scale_and_offline_html(library):
    spec_chart = pga_shift.pga_shift_chart(
        PGA, pga_max=4, endpoint_label_text="week 12", cohort="demo", size=SIZE
    )
    rendered = render_chart(
        spec_chart, png_scale=2, library=library, title="PGA shift, baseline to endpoint — demo"
    )
    assert rendered.svg.lstrip().startswith("<svg")
    svg_width = float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', rendered.svg).group(1))
    assert rendered.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert rendered.png == vlc.vegalite_to_png(spec_chart.to_dict(), scale=2)
    png_width = int.from_bytes(rendered.png[16:20], "big")
    assert png_width == round(2 * svg_width)
    assert external_references(rendered.html) == []
    assert "<script src" not in rendered.html
    assert "vegaEmbed(" in rendered.html
    # No "Open in Vega Editor": it would send the chart's data to a web site.
    assert '"editor":false' in rendered.html
    assert "PGA shift — demo" in rendered.html
    assert "<title>PGA shift, baseline to endpoint — demo</title>" in rendered.html
    assert "<title>Chart</title>" not in rendered.html
    assert library in rendered.html


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>', 1),
        ('<script type="text/javascript" src="//cdn.example.org/x.js"></script>', 1),
        ('<link rel="stylesheet" href="https://fonts.example.org/a.css">', 1),
        ("<style>@import url('https://fonts.example.org/a.css');</style>", 1),
        ('<script>var editor = "https://vega.github.io/editor/";</script>', 0),
        ('<img src="data:image/png;base64,AAAA">', 0),
        ('<a href="https://example.org">a link, fetched only if followed</a>', 0),
    ],
)
def test_external_references(html, found):
    assert len(external_references(html)) == found


def test_table_page_shows_the_text_given_escaped_and_embeds_the_csv():
    csv_bytes = b"claim,value,note\nx<1>,0.50,\ny,2.70,a & b\n"
    table = pl.DataFrame(
        {"claim": ["x<1>", "y"], "value": ["0.50", "2.70"], "note": [None, "a & b"]}
    )
    page = table_html(
        table,
        title="Audit",
        description="Claims.",
        csv_name="audit.csv",
        csv_bytes=csv_bytes,
    )
    assert "<td>x&lt;1&gt;</td>" in page
    assert '<td class="num">0.50</td>' in page  # as written, not 0.5
    assert '<td class="empty"></td>' in page
    assert "<td>a &amp; b</td>" in page
    encoded = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(encoded) == csv_bytes
    assert "(2 rows.)" in page
    assert external_references(page) == []


def test_chart_index_page_inlines_each_chart_under_its_caption():
    svg = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10"></svg>'
    page = chart_index_html(
        "demo",
        [
            IndexedChart("pga_shift", "PGA shift", svg, ("First <b>.", "Second & last.")),
            IndexedChart("x", "X & Y", svg, ()),
        ],
    )
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" width="10"></svg>') == 2
    assert "<?xml" not in page
    assert '<a href="pga_shift.html">interactive</a>' in page
    assert "<h2>X &amp; Y</h2>" in page
    assert '<div class="caption"><p>First &lt;b&gt;.</p><p>Second &amp; last.</p></div>' in page
    assert '<div class="caption"></div>' in page
    assert external_references(page) == []
