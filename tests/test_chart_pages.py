"""A patient ID or visit label that is markup stays text in every chart page.

The charts of a small cohort whose one patient ID and endpoint visit label read
``</script><script>alert(1)</script>`` are built from the registry, as the chart jobs build
them, written as pages, and parsed as a browser would split them into elements.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

from pppflow.arm_settings import ArmDesign
from pppflow.charts.captions import caption_paragraphs
from pppflow.charts.common import ChartSettings, ChartSize
from pppflow.charts.registry import CHARTS, planned_charts
from pppflow.pages import IndexedChart, chart_index_html
from pppflow.render import javascript_library, render_chart, script_safe_json

ROOT = Path(__file__).resolve().parents[1]
EVIL = "</script><script>alert(1)</script>"
SETTINGS = ChartSettings(
    cohort="evil",
    size=ChartSize(300, 200),
    baseline_visit="baseline",
    endpoint_visit=EVIL,
    pga_max=5,
    confidence_level=0.95,
    # The arms of the patients file's `arm` column (the time-on-drug chart draws one per arm).
    arms=ArmDesign("arm", "placebo"),
)


def evil_frames() -> dict[str, pl.DataFrame]:
    """Patients EVIL and "2", seen at baseline, week 4 and the endpoint visit EVIL; arms EVIL
    and placebo compared there."""
    pppasi = pl.DataFrame(
        {
            "patient_id": [EVIL, EVIL, EVIL, "2", "2", "2"],
            "visit": ["baseline", "week4", EVIL, "baseline", "week4", EVIL],
            "week": [0.0, 4.0, 12.0, 0.0, 4.0, 12.0],
            "pppasi_tenths": [120, 80, 30, 60, 50, 60],
        }
    )
    # Patient EVIL in arm EVIL stops at week 6 for an adverse event; "2" (placebo) does not.
    patients = pl.DataFrame(
        {
            "patient_id": [EVIL, "2"],
            "dose_mg": [15.0, 30.0],
            "arm": [EVIL, "placebo"],
            "stop_week": [6.0, None],
            "stop_reason": ["adverse_event", None],
        }
    )
    per_patient = pl.DataFrame(
        {
            "patient_id": [EVIL, "2"],
            "improvement_pct": [75.0, 0.0],
            **{f"pppasi{t}": [t <= 75, False] for t in (50, 75, 90, 100)},
            "pga_baseline": [3, 2],
            "pga_endpoint": [1, 2],
        }
    )
    rates = pl.DataFrame(
        {
            "endpoint": ["PPPASI50", "PPPASI50"],
            "visit": ["week4", EVIL],
            "week": [4.0, 12.0],
            "responders": [0, 1],
            "evaluable": [2, 2],
            "rate": [0.0, 0.5],
            "ci_low": [0.0, 0.012579],
            "ci_high": [0.841886, 0.987421],
            "arm": pl.Series([None, None], dtype=pl.Utf8),
        }
    )
    # Two arms, one of them named EVIL, at the endpoint visit EVIL.
    rates = pl.concat(
        [
            rates,
            rates.filter(pl.col("visit") == EVIL).with_columns(pl.lit(EVIL).alias("arm")),
            rates.filter(pl.col("visit") == EVIL).with_columns(pl.lit("placebo").alias("arm")),
        ]
    )
    between = {"visit": [EVIL], "arm": [EVIL], "reference_arm": ["placebo"]}
    comparisons = pl.DataFrame(
        {
            "endpoint": ["PPPASI50"],
            **between,
            "evaluable": [1],
            "reference_evaluable": [1],
            "rate_difference": [1.0],
            "difference_ci_low": [-0.2],
            "difference_ci_high": [1.0],
        }
    )
    subgroup_comparisons = pl.DataFrame(
        {
            "endpoint": ["PPPASI50", "PPPASI50"],
            "visit": [EVIL, EVIL],
            "subgroup_column": [EVIL, EVIL],
            "subgroup": [EVIL, "false"],
            "arm": [EVIL, EVIL],
            "reference_arm": ["placebo", "placebo"],
            "patients": [1, 1],
            "evaluable": [0, 1],
            "reference_evaluable": [1, 1],
            "rate_difference": [None, 1.0],
            "ci_low": [None, -0.2],
            "ci_high": [None, 1.0],
            "p_interaction": pl.Series([None, None], dtype=pl.Float64),
            "estimable": [False, True],
        }
    )
    change = {"outcome": ["PPPASI change"], **between, "ci_low": [-9.0], "ci_high": [-1.0]}
    continuous = pl.DataFrame(
        {**change, "n": [1], "reference_n": [1], "ls_mean_difference": [-5.0], "p_value": [0.1]}
    )
    repeated = pl.DataFrame({**change, "difference": [-4.0], "p_value": [0.1], "patients": [2]})
    claims = pl.DataFrame(
        {"endpoint": ["PPPASI50"], "visit": [EVIL], "reported_rate": [0.6], "claim_id": [EVIL]}
    )
    audit = pl.DataFrame({"claim_id": [EVIL], "verdict": ["mismatch"], "decisive": ["true"]})
    # One arm named EVIL: the time-to-response chart names arms, not visits or patients.
    responses = pl.DataFrame(
        {
            "patient_id": [EVIL, EVIL, "2", "2"],
            "arm": [EVIL, EVIL, "2", "2"],
            "visit": ["week4", EVIL, "week4", EVIL],
            "week": [4.0, 12.0, 4.0, 12.0],
            "observed": [True] * 4,
            "pppasi50": [False, True, False, False],
            "pppasi75": [False, True, False, False],
        }
    )
    percent_change = pl.DataFrame(
        {
            "visit": ["week4", EVIL],
            "arm": pl.Series([None, None], dtype=pl.Utf8),
            "n": [2, 2],
            "mean": [-25.0, -37.5],
            "mean_ci_low": [-60.0, -90.0],
            "mean_ci_high": [10.0, 15.0],
            "median": [-25.0, -37.5],
        }
    )
    descriptives = pl.DataFrame(
        {
            "outcome": ["PPPASI", "dlqi", "dlqi", EVIL, EVIL],
            "visit": ["baseline", "baseline", EVIL, "baseline", EVIL],
            "week": [0.0, 0.0, 12.0, 0.0, 12.0],
            "n": [2, 2, 2, 2, 2],
            "mean": [9.0, 12.0, 5.0, 6.0, 3.0],
            "median": [9.0, 12.0, 5.0, 6.0, 3.0],
            "q1": [7.5, 10.0, 4.0, 5.0, 2.0],
            "q3": [10.5, 14.0, 6.0, 7.0, 4.0],
        }
    )
    return {
        "responses": responses,
        "percent_change_summary": percent_change,
        "descriptives": descriptives,
        "pppasi": pppasi,
        "patients": patients,
        "visits": pppasi.select("patient_id", "visit", "week"),
        "per_patient": per_patient,
        "rates": rates,
        "claims": claims,
        "audit": audit,
        "comparisons": comparisons,
        "subgroup_comparisons": subgroup_comparisons,
        "continuous_comparisons": continuous,
        "repeated_measures": repeated,
        # Each arm's mean change at the visit EVIL, the arms EVIL and placebo (reference first).
        "mean_change": pl.DataFrame(
            {
                "outcome": ["PPPASI change"] * 2,
                "visit": [EVIL, EVIL],
                "arm": ["placebo", EVIL],
                "week": [12.0, 12.0],
                "n": [1, 1],
                "mean": [-2.0, -6.0],
                "sd": [None, None],
                "ci_low": [None, None],
                "ci_high": [None, None],
                "method": [EVIL, EVIL],
            },
            schema_overrides={"sd": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64},
        ),
        "arm_responses": responses.with_columns(
            pl.Series("arm", [EVIL, EVIL, "placebo", "placebo"])
        ),
    }


class Elements(HTMLParser):
    """The start tags of a page, with their attributes, and the text and script contents."""

    def __init__(self, page: str):
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.data: list[str] = []
        self._in: list[str] = []
        self.scripts: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in.append(tag)
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if self._in and self._in[-1] == "script":
            self.scripts[-1] += data
        else:
            self.data.append(data)

    def named(self, tag: str) -> list[list[tuple[str, str | None]]]:
        return [attrs for name, attrs in self.tags if name == tag]


def strings(value) -> list[str]:
    """Every string in a JSON value, keys and values."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    """Each chart's page and the index, written to files and read back."""
    folder = tmp_path_factory.mktemp("charts")
    frames = evil_frames()
    library = javascript_library()
    assert planned_charts(
        frames["pppasi"].get_column("visit").n_unique(),
        declared_outcomes=True,
        arms=2,
        stops=True,
    ) == [c.name for c in CHARTS]
    indexed = []
    for chart in CHARTS:
        drawn = chart.builder()({name: frames[name] for name in chart.inputs}, SETTINGS)
        rendered = render_chart(drawn, png_scale=1, library=library, title=chart.title)
        (folder / f"{chart.name}.html").write_text(rendered.html, encoding="utf-8")
        caption = caption_paragraphs(
            (ROOT / chart.caption).read_text(encoding="utf-8"),
            cohort=SETTINGS.cohort,
            params={"endpoint_visit": EVIL, "baseline_visit": EVIL, "confidence_level": 0.95},
        )
        indexed.append(IndexedChart(chart.name, chart.title, rendered.svg, tuple(caption)))
    (folder / "index.html").write_text(chart_index_html("evil", indexed), encoding="utf-8")
    return {path.stem: path.read_text(encoding="utf-8") for path in folder.glob("*.html")}


@pytest.mark.parametrize("name", [chart.name for chart in CHARTS])
def test_chart_page_runs_only_its_own_scripts_and_keeps_the_id(pages, name):
    page = Elements(pages[name])
    # The library, then the script that embeds the spec: nothing else.
    assert page.named("script") == [[("type", "text/javascript")]] * 2
    assert "vegaEmbed(" in page.scripts[1]
    spec_json = re.search(r"const spec = (.*?);\n\s*const opts = ", page.scripts[1], re.S)
    spec = json.loads(spec_json.group(1))
    # As a value (an ID, a visit) or inside a title naming the endpoint visit.
    assert any(EVIL in s for s in strings(spec))
    assert "<" not in spec_json.group(1)
    chart = next(c for c in CHARTS if c.name == name)
    assert page.named("title") == [[]]
    assert chart.title in page.data


def test_the_patient_id_reaches_the_page_where_the_chart_shows_patients(pages):
    for name in ("paired_pppasi", "improvement_waterfall"):
        spec_json = re.search(r"const spec = (.*?);\n", pages[name]).group(1)
        rows = [row for rows in json.loads(spec_json)["datasets"].values() for row in rows]
        assert EVIL in {row.get("line_id", row.get("patient_id")) for row in rows}, name


def test_index_page_has_no_script_and_shows_the_id_and_label_as_text(pages):
    page = Elements(pages["index"])
    assert page.named("script") == []
    text = "".join(page.data)
    # The endpoint visit in a caption, the patient ID on the waterfall's axis in its SVG.
    assert f"the endpoint visit ({EVIL})" in text
    assert text.count(EVIL) >= 2


@pytest.mark.parametrize(
    "value",
    [EVIL, "a & b <!-- c -->", "line\u2028and\u2029paragraph", {"k<": ["</SCRIPT>", 1.5, None]}],
)
def test_script_safe_json_reads_back_the_same_and_has_no_markup(value):
    safe = script_safe_json(json.dumps(value, ensure_ascii=False))
    assert json.loads(safe) == value
    assert not re.search("[<>&\u2028\u2029]", safe)
