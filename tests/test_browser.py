"""The pages in a real browser: headless Chromium (offline) opens a cohort's summary page, a
chart page and the Snakemake report, as a reader would. Every chart drawn, no console error,
the audit's decisive mismatches first, the report's title in view on a small laptop screen.

One workflow run and one browser for the module: the test stays a few seconds beyond the run.
"""

from pathlib import Path

import pytest
from workflow import copy_workflow, snakemake

from pppflow.browser import (
    SMALL_SCREEN,
    browser_missing,
    chromium,
    console_errors,
    element_box,
    open_page,
    set_viewport,
    wait_for,
)

COHORT = "zheng2024"
# Everything a page draws: inline SVG figures, and the charts vega-embed draws from the spec.
DRAWN = "document.querySelectorAll('figure svg, .vega-embed svg').length"


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    assert browser_missing() == [], "make test installs chromium and chromium-driver"
    wf = copy_workflow(tmp_path_factory.mktemp("browser"))
    snakemake(wf)
    snakemake(wf, "--report", "results/report.html")
    return wf / "results"


@pytest.fixture(scope="module")
def browser():
    with chromium(SMALL_SCREEN) as driver:
        yield driver


def test_summary_page_draws_every_chart_and_puts_the_decisive_mismatches_first(results, browser):
    open_page(browser, results / COHORT / "summary.html")
    charts = len((results / COHORT / "charts/plan.txt").read_text().split())
    assert wait_for(browser, f"{DRAWN} >= {charts} && {DRAWN}") == charts
    groups = browser.execute_script(
        "return [...document.querySelectorAll('table.audit tbody tr')].map(r => r.className)"
    )
    assert groups[:2] == ["decisive", "decisive"]
    assert "decisive" not in groups[2:]
    first = browser.execute_script(
        "return document.querySelector('table.audit tbody tr').innerText"
    )
    assert "pppasi90_rate_week12" in first and "70% (14/20)" in first
    # The verdict is in words as well as colour.
    assert "Decisive mismatch" in first
    assert console_errors(browser) == []


def test_chart_page_draws_its_chart_offline(results, browser):
    open_page(browser, results / COHORT / "charts/response_rates.html")
    assert wait_for(browser, DRAWN) >= 1
    text = browser.execute_script("return document.querySelector('.vega-embed svg').textContent")
    assert "Response rates at week 12" in text
    assert console_errors(browser) == []


@pytest.mark.parametrize("size", [SMALL_SCREEN, (1920, 960)])
def test_report_title_is_in_view(results, browser, size):
    set_viewport(browser, *size)
    try:
        open_page(browser, results / "report.html")
        assert "pppflow" in wait_for(browser, "document.querySelector('h1.title')?.innerText")
        assert element_box(browser, "h1.title").inside_viewport
        # The landing page names the verdict without a click.
        assert "Decisive mismatch" in browser.execute_script("return document.body.innerText")
        assert console_errors(browser) == []
    finally:
        set_viewport(browser, *SMALL_SCREEN)
