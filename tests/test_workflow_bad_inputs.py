"""Awkward inputs end to end: optional columns left out, a missed visit counted as missing, a
cohort that turns invalid loses its earlier results, and a killed run's lock says what to do."""

import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from workflow import SNAKEMAKE, copy_workflow, snakemake

LETTER = Path(__file__).resolve().parents[1] / "resources/zheng2024"
CONFIG = """
cohorts:
  nopga:
    patients: {data}/nopga/patients.csv
    visits: {data}/nopga/visits.csv
    baseline_visit: baseline
    endpoint_visit: week12
    pga_max: 5
  sparse:
    patients: {data}/sparse/patients.parquet
    visits: {data}/sparse/visits.csv
    baseline_visit: baseline
    endpoint_visit: week12
    pga_max: 5
"""


def read_csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema_length=None)


@pytest.fixture(scope="module")
def workflow_run(tmp_path_factory) -> Path:
    wf = copy_workflow(tmp_path_factory.mktemp("bad_inputs_wf"))
    data = wf / "data"
    visits = read_csv(LETTER / "visits.csv")
    patients = read_csv(LETTER / "patients.csv")
    (data / "nopga").mkdir(parents=True)
    shutil.copy(LETTER / "patients.csv", data / "nopga/patients.csv")
    visits.drop("pga").write_csv(data / "nopga/visits.csv")
    (data / "sparse").mkdir()
    patients.select(
        "patient_id",
        pl.concat_list("dose_mg", "age_years").alias("doses_and_age"),
        pl.struct("sex", "joint_pain").alias("profile"),
    ).write_parquet(data / "sparse/patients.parquet")
    # Patient 1's week-4 visit was missed; the export kept the row with every score empty.
    (data / "sparse/visits.csv").write_text((LETTER / "visits.csv").read_text() + "1,week4,4,,\n")
    (wf / "cohorts.yaml").write_text(CONFIG.format(data=data))
    snakemake(wf, "--configfile", "cohorts.yaml", "--replace-workflow-config")
    return wf


def test_a_cohort_without_pga_gets_no_pga_endpoints_or_tests(workflow_run):
    results = workflow_run / "results/nopga"
    assert read_csv(results / "response_rates.csv")["endpoint"].to_list() == [
        "PPPASI50",
        "PPPASI75",
        "PPPASI90",
        "PPPASI100",
    ]
    assert set(read_csv(results / "tests.csv")["outcome"]) == {"PPPASI"}
    assert set(read_csv(results / "descriptives.csv")["outcome"]) == {"PPPASI"}
    log = (workflow_run / "logs/validate/nopga.log").read_text()
    assert "no pga column; the PGA endpoints and tests are left out" in log


def test_table1_shows_only_what_the_patients_file_has(workflow_run):
    results = workflow_run / "results/sparse"
    table = read_csv(results / "table1.csv")
    assert table.columns == ["variable", "level", "statistic", "overall"]
    assert table["variable"].unique(maintain_order=True).to_list() == [
        "n",
        "baseline_pppasi",
        "baseline_pga",
    ]
    markdown = (results / "table1.md").read_text()
    assert "Columns not tabulated (not one value per patient): doses_and_age, profile." in markdown
    assert "missing" not in markdown


def test_a_missed_visit_counts_as_missing(workflow_run):
    rates = read_csv(workflow_run / "results/sparse/response_rates.csv")
    week4 = rates.filter(pl.col("visit") == "week4", pl.col("endpoint") == "PPPASI50").row(
        0, named=True
    )
    assert (week4["evaluable"], week4["not_evaluable"], week4["missing"]) == (0, 0, 20)
    week12 = rates.filter(pl.col("visit") == "week12", pl.col("endpoint") == "PPPASI90").row(
        0, named=True
    )
    assert (week12["responders"], week12["evaluable"], week12["missing"]) == (14, 20, 0)
    log = (workflow_run / "logs/validate/sparse.log").read_text()
    assert "1 visit row(s) with every score empty (rows 41)" in log


def test_an_invalid_cohort_loses_its_earlier_results(workflow_run):
    visits = workflow_run / "data/sparse/visits.csv"
    original = visits.read_text()
    results = workflow_run / "results/sparse"
    assert (results / "response_rates.csv").exists()
    try:
        visits.write_text(original.replace("1,baseline,0,10.8,2", "1,baseline,0,10.8,9"))
        proc = snakemake(
            workflow_run, "--configfile", "cohorts.yaml", "--replace-workflow-config", check=False
        )
        assert proc.returncode != 0
        assert "column pga | check number_in_range(low=0, high=5) | value '9'" in proc.stderr
        assert not results.exists()
        assert "result files of an earlier run were removed" in proc.stderr
        # The other cohort's results are its own, and current.
        assert (workflow_run / "results/nopga/response_rates.csv").exists()
    finally:
        visits.write_text(original)


def test_a_killed_runs_lock_names_make_unlock(workflow_run):
    shutil.copy(Path(__file__).resolve().parents[1] / "Makefile", workflow_run / "Makefile")
    locks = workflow_run / ".snakemake/locks"
    locks.mkdir(parents=True, exist_ok=True)
    # What a run killed while writing the default cohort leaves: its outputs, locked.
    (locks / "0.output.lock").write_text("results/zheng2024/validated/patients.parquet\n")
    make = ["make", "-o", ".venv/.installed", f"SNAKEMAKE={SNAKEMAKE}"]
    run = subprocess.run([*make, "run"], cwd=workflow_run, capture_output=True, text=True)
    assert run.returncode != 0
    assert "remove the lock with: make unlock" in run.stderr
    unlock = subprocess.run([*make, "unlock"], cwd=workflow_run, capture_output=True, text=True)
    assert unlock.returncode == 0, unlock.stderr
    assert not any(locks.glob("*.lock"))
