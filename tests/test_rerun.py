"""Rerun only what changed: asserted on the jobs Snakemake plans (`--summary`), never on timings.

One full run is made per module; each test works on its own copy of that finished run, makes
one real change, and reads the plan.
"""

import re
import shutil
from pathlib import Path

import pytest
from workflow import copy_workflow, snakemake

DEMO_CONFIG = "tests/cohorts/components_demo/config.yaml"


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    wf = copy_workflow(tmp_path_factory.mktemp("rerun") / "wf")
    snakemake(wf, "--configfile", DEMO_CONFIG)
    return wf


@pytest.fixture
def run(finished_run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "wf"
    shutil.copytree(finished_run, copy, symlinks=True)  # copy2 keeps the mtimes
    return copy


def planned(wf: Path) -> set[tuple[str, str]]:
    """(rule, cohort) of every output Snakemake would make now; cohort '*' for global ones."""
    summary = snakemake(wf, "--configfile", DEMO_CONFIG, "--summary").stdout
    jobs = set()
    for line in summary.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) < 6 or fields[5] == "no update":
            continue
        match = re.match(r"results/([a-z0-9_]+)/", fields[0])
        cohort = match.group(1) if match and fields[0].count("/") > 1 else "*"
        jobs.add((fields[2], cohort))
    return jobs


def rules_of(jobs: set[tuple[str, str]]) -> set[str]:
    return {rule for rule, _ in jobs}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_second_run_does_nothing(run: Path):
    assert planned(run) == set()
    proc = snakemake(run, "--configfile", DEMO_CONFIG)
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_touch_is_not_a_change(run: Path):
    (run / "resources/zheng2024/visits.csv").touch()
    assert planned(run) == set()


def test_editing_one_cohort_reruns_its_chain_and_nothing_of_another(run: Path):
    edit(run / "resources/zheng2024/visits.csv", "16,week12,12,5.2,2", "16,week12,12,5.3,2")
    jobs = planned(run)
    # The report's landing page gives every cohort's verdict: it is the one shared job.
    assert {job for job in jobs if job[1] == "*"} == {("report_landing", "*")}
    assert {cohort for _, cohort in jobs} - {"*"} == {"zheng2024"}
    assert {"validate", "pppasi", "response", "stats", "audit", "charts"} <= rules_of(jobs)


def test_chart_setting_reruns_only_the_charts(run: Path):
    edit(run / "config/config.yaml", "width: 520", "width: 600")
    jobs = planned(run)
    # The chart jobs, and the pages that show the charts (the summary shows them inline).
    assert rules_of(jobs) == {
        "charts",
        "trend_charts",
        "pga_charts",
        "chart_index",
        "summary",
        "report_landing",
    }
    assert {cohort for _, cohort in jobs} - {"*"} == {"zheng2024", "components_demo"}


def test_changing_a_workflow_script_reruns_its_rule_and_what_depends_on_it(run: Path):
    script = run / "workflow_scripts/response.py"
    script.write_text(script.read_text() + "\n# a change\n")
    jobs = planned(run)
    assert "response" in rules_of(jobs)
    assert rules_of(jobs).isdisjoint({"validate", "pppasi", "table1", "chart_plan"})
    assert {"stats", "audit", "charts", "report_tables"} <= rules_of(jobs)


def test_changing_a_package_module_reruns_the_rules_that_use_it(run: Path):
    module = run / "pppflow/table1.py"
    module.write_text(module.read_text() + "\n# a change\n")
    jobs = planned(run)
    assert {"table1", "stats", "audit"} <= rules_of(jobs)
    assert rules_of(jobs).isdisjoint({"validate", "pppasi", "response"})


def test_upgrading_a_pinned_dependency_reruns_every_stage_with_numbers(run: Path):
    lock = run / "requirements.lock"
    text = lock.read_text()
    scipy = next(line for line in text.splitlines() if line.startswith("scipy=="))
    lock.write_text(text.replace(scipy, scipy + ".post1"))
    jobs = planned(run)
    assert {"validate", "pppasi", "response", "stats", "table1", "audit", "charts"} <= rules_of(
        jobs
    )
