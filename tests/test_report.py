"""The Snakemake report: every chart and table of every cohort, in a category per cohort, with a
caption, and nothing fetched from the network. Runs the workflow and `--report` once, on a copy
of the workflow holding the default cohort and the component-level test cohort (which has a
third visit, so it also gets the charts over the weeks)."""

import base64
import json
import re
from pathlib import Path

import pytest
import yaml
from workflow import copy_workflow, snakemake

from pppflow.charts.registry import BY_NAME
from pppflow.formatting import HEADERS
from pppflow.render import external_references

CONFIG = "both_cohorts.yaml"
BASE_CHARTS = ["improvement_waterfall", "paired_pppasi", "pga_shift", "response_rates"]
TREND_CHARTS = [
    "percent_change",
    "pppasi_over_time",
    "response_rates_over_time",
    "time_to_response",
]
TABLES = [
    "audit",
    "descriptives",
    "per_patient",
    "pppasi_check",
    "response_rates",
    "subgroup_rates",
    "table1",
    "tests",
]
EXPECTED = {
    "zheng2024": {"Charts": BASE_CHARTS, "Tables": TABLES, "Summary": ["summary"]},
    "components_demo": {
        "Charts": sorted(BASE_CHARTS + TREND_CHARTS),
        "Tables": TABLES,
        "Summary": ["summary"],
    },
}
COHORT_CATEGORIES = set(EXPECTED)


def script_json(html: str, name: str):
    match = re.search(rf'<script id="{name}">\s*var \w+ = (.*?);\s*</script>', html, re.S)
    assert match, f"no {name} in the report"
    return json.loads(match.group(1))


def decoded(data_uri: str) -> bytes:
    header, _, payload = data_uri.partition(",")
    assert header.startswith("data:") and header.endswith(";base64"), header
    return base64.b64decode(payload)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, str]:
    wf = copy_workflow(tmp_path_factory.mktemp("report"))
    config = yaml.safe_load((wf / "config/config.yaml").read_text())
    demo = yaml.safe_load((wf / "tests/cohorts/components_demo/config.yaml").read_text())
    config["cohorts"].update(demo["cohorts"])
    (wf / CONFIG).write_text(yaml.safe_dump(config, allow_unicode=True))
    snakemake(wf, "--configfile", CONFIG)
    proc = snakemake(wf, "--configfile", CONFIG, "--report", "results/report.html")
    # A broken caption does not stop the report: docutils only prints "(ERROR/3)" and goes on.
    assert not re.search(r"\((ERROR|WARNING|SEVERE)/\d\)", proc.stderr), proc.stderr
    return wf, (wf / "results/report.html").read_text(encoding="utf-8")


def test_every_chart_and_table_in_a_category_per_cohort(report):
    _, html = report
    categories = script_json(html, "categories")
    found = {
        cohort: {
            subcategory: sorted(Path(path).stem for path in paths)
            for subcategory, paths in subcategories.items()
        }
        for cohort, subcategories in categories.items()
    }
    assert found == {**EXPECTED, "Methods": {"Other": ["methods"]}}


def test_each_result_is_embedded_whole_with_a_caption(report):
    wf, html = report
    results = script_json(html, "results")
    per_cohort = sum(len(items) for c in EXPECTED.values() for items in c.values())
    assert len(results) == per_cohort + 1  # and the methods page
    for path, result in results.items():
        cohort = path.split("/")[1]
        if cohort not in COHORT_CATEGORIES:
            assert path == "results/methods.html" and result["caption"], path
            continue
        assert decoded(result["data_uri"]) == (wf / path).read_bytes(), path
        assert cohort in result["caption"], path
        assert "How to read" in result["caption"] or "how to read" in result["caption"], path
        assert result["labels"], path
    chart = results["results/zheng2024/charts/response_rates.svg"]
    assert chart["mime_type"] == "image/svg+xml"
    svg = decoded(chart["data_uri"]).decode()
    assert "Response rates at week 12 — zheng2024" in svg
    # The paper's reported rates are marked: 50 % for PPPASI 90 among them.
    assert ">50%<" in svg
    table = results["results/zheng2024/report/per_patient.html"]
    assert table["mime_type"] == "text/html"
    page = decoded(table["data_uri"]).decode()
    header = (wf / "results/zheng2024/per_patient.csv").read_text().splitlines()[0]
    for column in header.split(","):
        assert f"<th>{HEADERS.get(column, column)}</th>" in page
    # Formatted for reading: the rate and its CI in one cell, the audit's decisive rows first.
    rates = decoded(results["results/zheng2024/report/response_rates.html"]["data_uri"]).decode()
    assert '<td class="num">70 % (46–88)</td>' in rates
    audit = decoded(results["results/zheng2024/report/audit.html"]["data_uri"]).decode()
    assert audit.index("pppasi90_rate_week12") < audit.index("cohort_size")
    assert "# Audit" not in audit and "**decisive**" not in audit


def test_the_report_and_everything_in_it_work_offline(report):
    wf, html = report
    assert external_references(html) == []
    assert "<script src" not in html
    for path, result in script_json(html, "results").items():
        if result["mime_type"] in ("text/html", "image/svg+xml"):
            assert external_references(decoded(result["data_uri"]).decode()) == [], path
    for page in (wf / "results").glob("*/charts/*.html"):
        text = page.read_text(encoding="utf-8")
        assert external_references(text) == [], page
        assert "<script src" not in text, page


def test_workflow_description_names_the_cohorts(report):
    _, html = report
    description = script_json(html, "workflow-desc")
    assert "reproduced and audited" in description
    assert "zheng2024" in description and "components_demo" in description
    # The verdict on the landing page: the decisive mismatches of the study letter.
    assert "pppasi90_rate_week12" in description.replace("\\_", "_")
    # Short: the details are on the methods page.
    assert len(re.sub(r"<[^>]+>", "", description)) < 2500


def test_chart_files_and_index(report):
    wf, _ = report
    for cohort, expected in EXPECTED.items():
        folder = wf / "results" / cohort / "charts"
        for name in expected["Charts"]:
            for suffix in ("svg", "png", "html"):
                assert (folder / f"{name}.{suffix}").stat().st_size > 0
        assert sorted((folder / "plan.txt").read_text().split()) == expected["Charts"]
        index = (folder / "index.html").read_text(encoding="utf-8")
        assert index.count("<svg") >= len(expected["Charts"])
        # Each chart under its caption, filled in for the cohort as in the report.
        assert index.count('<div class="caption"><p>') == len(expected["Charts"])
        assert index.count(f"(cohort {cohort}") == len(expected["Charts"])
        for name in expected["Charts"]:
            page = (folder / f"{name}.html").read_text(encoding="utf-8")
            assert f"<title>{BY_NAME[name].title} — {cohort}</title>" in page, name


def test_no_job_parameter_is_a_python_dict(report):
    _, html = report
    params = re.findall(r'"params": "([^"]*)"', html)
    assert params, "no job parameters in the report"
    assert [p for p in params if "{" in p] == []


def test_each_cohort_ends_the_run_with_its_summary(report):
    wf, _ = report
    demo = (wf / "results/components_demo/summary.txt").read_text(encoding="utf-8")
    assert "7 patients and 20 visits validated; 2 recorded PPPASI total(s) contradicted" in demo
    assert "    PPPASI 90                 2/5  40 % (5–85)" in demo
    zheng = (wf / "results/zheng2024/summary.txt").read_text(encoding="utf-8")
    assert (
        "    DECISIVE pppasi90_rate_week12: reported 50%, recomputed 70% (14/20)\n"
        "    DECISIVE pppasi100_rate_week12: reported 20%, recomputed 40% (8/20)\n"
    ) in zheng
    assert "Audit: 52 claims: 31 of 41 checkable match, 10 mismatch (2 decisive)" in zheng
