"""Rerun only what changed: asserted on the jobs Snakemake plans (`--summary`), never on timings.

One full run is made for this file; the rest are dry runs. A test makes one real change, on its
own copy of that finished run or in place and put back, and reads the plan.
"""

import os
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from workflow import ROOT, copy_workflow, snakemake

from pppflow.charts.registry import Cohorts, charts_for
from pppflow.tables import TEMPLATE_FILES
from pppflow.wiring import project_imports

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


SUMMARY_HEADER = ["output_file", "date", "rule", "log-file(s)", "status", "plan"]


def summary(wf: Path, *args: str) -> list[dict[str, str]]:
    """One row per output of `snakemake --summary`. The header is checked first, so that a
    change of the format fails here instead of making every plan look empty."""
    lines = snakemake(wf, "--configfile", DEMO_CONFIG, "--summary", *args).stdout.splitlines()
    assert lines[0].split("\t") == SUMMARY_HEADER
    rows = [dict(zip(SUMMARY_HEADER, line.split("\t"), strict=True)) for line in lines[1:]]
    assert rows, "the summary lists no outputs"
    return rows


def planned(wf: Path) -> set[tuple[str, str]]:
    """(rule, cohort) of every output Snakemake would make now; cohort '*' for global ones."""
    jobs = set()
    for row in summary(wf):
        if row["plan"] == "no update":
            continue
        match = re.match(r"results/([a-z0-9_]+)/", row["output_file"])
        cohort = match.group(1) if match and row["output_file"].count("/") > 1 else "*"
        jobs.add((row["rule"], cohort))
    return jobs


DETAILED_HEADER = [*SUMMARY_HEADER[:4], "input-file(s)", "shellcmd", *SUMMARY_HEADER[4:]]


def recorded_inputs(wf: Path, *args: str) -> dict[str, set[str]]:
    """rule -> the input files its jobs last ran with, as Snakemake recorded them."""
    lines = snakemake(
        wf, "--configfile", DEMO_CONFIG, "--detailed-summary", *args
    ).stdout.splitlines()
    assert lines[0].split("\t") == DETAILED_HEADER
    inputs: dict[str, set[str]] = {}
    for line in lines[1:]:
        row = dict(zip(DETAILED_HEADER, line.split("\t"), strict=True))
        inputs.setdefault(row["rule"], set()).update(row["input-file(s)"].split(","))
    return inputs


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
    # The statistics read the scores, not the responses: they run beside the response job.
    assert rules_of(jobs).isdisjoint({"validate", "pppasi", "stats", "table1", "chart_plan"})
    assert {"outcomes", "audit", "charts", "report_tables"} <= rules_of(jobs)


def test_upgrading_a_pinned_dependency_reruns_every_stage_with_numbers(run: Path):
    lock = run / "requirements.lock"
    text = lock.read_text()
    scipy = next(line for line in text.splitlines() if line.startswith("scipy=="))
    lock.write_text(text.replace(scipy, scipy + ".post1"))
    jobs = planned(run)
    assert {"validate", "pppasi", "response", "stats", "table1", "audit", "charts"} <= rules_of(
        jobs
    )


# Every module of the package (sub-packages included) and every helper of the workflow scripts.
PROJECT_MODULES = sorted(
    str(path.relative_to(ROOT))
    for path in [*(ROOT / "pppflow").rglob("*.py"), *(ROOT / "workflow_scripts").glob("_*.py")]
    if "__pycache__" not in path.parts
)


@pytest.fixture(scope="module")
def inputs_run(finished_run: Path) -> dict[str, set[str]]:
    # A finished checkpoint (chart_plan) is listed only when it would rerun, and the jobs its
    # output asks for (trend_charts) only when it would not: both plans together list them all.
    inputs = recorded_inputs(finished_run)
    for rule, files in recorded_inputs(finished_run, "--forceall").items():
        inputs.setdefault(rule, set()).update(files)
    scripts = {path.stem for path in (ROOT / "workflow_scripts").glob("[!_]*.py")}
    assert set(inputs) == scripts - SUMMARY_ONLY_SCRIPTS - ARM_ONLY_SCRIPTS | set(SCRIPT_OF)
    return inputs


@pytest.fixture(scope="module")
def reads(finished_run: Path, inputs_run: dict[str, set[str]]) -> dict[str, set[str]]:
    """rule -> the rules whose outputs it reads."""
    made_by = {row["output_file"]: row["rule"] for row in summary(finished_run, "--forceall")}
    reads = {
        rule: {made_by[f] for f in files if f in made_by} for rule, files in inputs_run.items()
    }
    # The chart index and the summary page read the chart plan through the checkpoint, not as
    # an input, and the planned charts' SVGs, which a forced plan lists before the plan has run.
    for reader in ("chart_index", "summary"):
        reads[reader] |= {"chart_plan", *PLANNED_CHARTS}
    return reads


# The scripts of summary-only cohorts (rules/summary_only.smk), which this run's cohorts do not have.
SUMMARY_ONLY_SCRIPTS = {"validate_claims", "audit_from_claims"}
# The scripts of randomised cohorts (`arms:`, rules/comparisons.smk), which this run's cohorts
# do not have; they declare their code as every other rule does (script_code).
ARM_ONLY_SCRIPTS = {"comparisons"}
# Rules that run another rule's script; every other rule runs workflow_scripts/<rule>.py.
SCRIPT_OF = {"trend_charts": "charts", "pga_charts": "charts"}
# The chart modules a chart job loads by name from the registry: code its script's text does
# not import.
CHART_MODULES = {
    "charts": charts_for(Cohorts.EVERY),
    "trend_charts": charts_for(Cohorts.MORE_THAN_TWO_VISITS),
    "pga_charts": charts_for(Cohorts.WITH_PGA),
    # Not in this run: its cohorts declare no outcome.
    "outcome_charts": charts_for(Cohorts.WITH_DECLARED_OUTCOMES),
}
# The chart jobs a cohort's chart plan asks for: planned only once the plan has run.
PLANNED_CHARTS = {"trend_charts", "pga_charts", "outcome_charts"}


def script_imports(rule: str) -> set[str]:
    """The project code the rule runs: what its script imports, and the chart modules a chart
    job loads with what they import."""
    script = ROOT / "workflow_scripts" / f"{SCRIPT_OF.get(rule, rule)}.py"
    loaded = {f"pppflow/charts/{chart.name}.py" for chart in CHART_MODULES.get(rule, ())}
    loaded |= {path for module in loaded for path in project_imports(ROOT / module, ROOT)}
    return set(project_imports(script, ROOT)) | loaded


def after(rules: set[str], reads: dict[str, set[str]]) -> set[str]:
    """The rules that read, directly or not, an output of one of ``rules``."""
    reached: set[str] = set()
    while grown := {rule for rule, read in reads.items() if read & (rules | reached)} - reached:
        reached |= grown
    return reached


def test_every_job_ran_with_the_project_modules_its_script_imports(inputs_run):
    templates = set(TEMPLATE_FILES)
    for rule, files in inputs_run.items():
        code = {f for f in files if f.endswith(".py")}
        declared = {f for f in code if f.startswith(("pppflow/", "workflow_scripts/"))}
        assert declared == script_imports(rule), rule
        # A page's job has every template a page may include among its inputs.
        if "pppflow/pages.py" in declared:
            assert templates <= files, rule


@pytest.mark.parametrize("module", PROJECT_MODULES)
def test_editing_a_module_reruns_the_rules_that_use_it_and_only_what_follows(
    finished_run: Path, reads: dict[str, set[str]], module: str
):
    users = {rule for rule in reads if module in script_imports(rule)}
    downstream = after(users, reads)
    expected, fresh = users | downstream, users - downstream
    if "chart_plan" in expected:  # which planned charts there are is known once the plan reruns
        expected, fresh = expected - PLANNED_CHARTS, fresh - PLANNED_CHARTS
    # Edited in place and put back as it was (contents and times): a dry run changes nothing.
    path = finished_run / module
    original, stat = path.read_bytes(), path.stat()
    try:
        path.write_bytes(original + b"\n# an edit\n")
        rows = summary(finished_run)
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert {row["rule"] for row in rows if row["plan"] != "no update"} == expected
    # A user with no rerun before it is rerun for the edited module itself. (A user after
    # another one is planned for the rerun before it, and Snakemake reports only that.)
    assert {row["rule"] for row in rows if row["status"] == "updated input files"} == fresh


def test_the_files_hand_kept_lists_missed_are_inputs_of_the_rules_that_run_them(inputs_run):
    for rule in ("chart_library", "chart_plan", "chart_index"):
        assert "pppflow/io.py" in inputs_run[rule]
    assert "pppflow/derive.py" in inputs_run["validate"]
    assert {rule for rule, files in inputs_run.items() if "workflow_scripts/_shim.py" in files} == (
        set(inputs_run)
    )
    assert {
        rule for rule, files in inputs_run.items() if "pppflow/charts/pga_shift.py" in files
    } == {"pga_charts"}
    assert {
        rule for rule, files in inputs_run.items() if "pppflow/charts/paired_pppasi.py" in files
    } == {"charts"}
    assert {
        rule for rule, files in inputs_run.items() if "pppflow/charts/pppasi_over_time.py" in files
    } == {"trend_charts"}
    # What a chart module imports beyond the chart script's own imports: the Kaplan-Meier curve.
    assert {
        rule for rule, files in inputs_run.items() if "pppflow/time_to_response.py" in files
    } == {"outcomes", "trend_charts"}


def test_editing_a_chart_module_reruns_its_chart_job_and_the_index(run: Path):
    with (run / "pppflow/charts/pga_shift.py").open("a") as file:
        file.write("\n# an edit\n")
    assert planned(run) == {
        (rule, cohort)
        for rule in ("pga_charts", "chart_index", "summary")
        for cohort in ("zheng2024", "components_demo")
    } | {("report_landing", "*")}


def test_without_the_fast_paths_the_same_stages_rerun_to_the_same_results(
    finished_run: Path, run: Path
):
    edit(run / "config/config.yaml", "fast_paths: true", "fast_paths: false")
    jobs = planned(run)
    assert {"validate", "pppasi", "response"} <= rules_of(jobs)
    assert {cohort for _, cohort in jobs if cohort != "*"} == {"zheng2024", "components_demo"}
    snakemake(run, "--configfile", DEMO_CONFIG)
    tables = sorted(p.relative_to(run) for p in (run / "results").rglob("*.csv"))
    assert Path("results/components_demo/pppasi_check.csv") in tables
    for table in tables:
        assert (run / table).read_bytes() == (finished_run / table).read_bytes(), table
    for frame in sorted((run / "results").rglob("*.parquet")):
        table = frame.relative_to(run)
        assert pl.read_parquet(frame).equals(pl.read_parquet(finished_run / table)), table
