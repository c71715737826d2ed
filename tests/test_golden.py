"""CI regression: the result CSVs of the default cohort and the component-level test cohort, and
the audit of the summary-only cohort, equal their goldens (numbers within golden_compare.REL_TOL, text exactly).

After an intended change, regenerate with `make golden` and review `git diff tests/golden`.
"""

from pathlib import Path

import polars as pl
import pytest
from golden_compare import csv_differences
from workflow import copy_workflow

from tools.golden import GOLDEN, GOLDEN_FILES, golden_pairs, run_golden_workflow


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    return run_golden_workflow(tmp_path_factory.mktemp("golden"))


def test_every_golden_file_is_committed():
    missing = [
        f"{cohort}/{name}"
        for cohort, name in golden_pairs()
        if not (GOLDEN / cohort / name).is_file()
    ]
    assert missing == [], "run `make golden` and commit tests/golden/"


@pytest.mark.parametrize(("cohort", "name"), golden_pairs())
def test_output_equals_golden(results: Path, cohort: str, name: str):
    differences = csv_differences(GOLDEN / cohort / name, results / cohort / name)
    assert not differences, "\n".join(
        [f"{cohort}/{name} differs from its golden (make golden, then review):", *differences]
    )


def test_the_goldens_hold_every_pppasi_and_pga_value_of_the_inputs():
    """Why one changed value turns the regression red: every recorded PPPASI appears, as it is
    written, in pppasi_check.csv; every PGA is in its visit's mean in descriptives.csv, which
    moves by at least 1/n when one grade changes (far beyond the tolerance)."""
    for cohort, visits_csv in (
        ("zheng2024", "resources/zheng2024/visits.csv"),
        ("components_demo", "tests/cohorts/components_demo/visits.csv"),
    ):
        visits = pl.read_csv(GOLDEN.parents[1] / visits_csv, infer_schema=False)
        check = pl.read_csv(GOLDEN / cohort / "pppasi_check.csv", infer_schema=False)
        recorded = visits.filter(pl.col("pppasi").is_not_null()).select(
            "patient_id", "visit", pl.col("pppasi").cast(pl.Float64)
        )
        joined = recorded.join(check, on=["patient_id", "visit"], how="left")
        assert joined["pppasi_recorded"].cast(pl.Float64).to_list() == recorded["pppasi"].to_list()
        descriptives = pl.read_csv(GOLDEN / cohort / "descriptives.csv").filter(
            pl.col("outcome") == "PGA"
        )
        graded = visits.filter(pl.col("pga").is_not_null()).group_by("visit").len()
        n_by_visit = dict(zip(descriptives["visit"], descriptives["n"], strict=True))
        assert n_by_visit == dict(zip(graded["visit"], graded["len"], strict=True))


def test_one_changed_pppasi_or_pga_value_turns_the_regression_red(tmp_path: Path):
    """A real run on inputs with one PPPASI and one PGA value changed."""
    copy_workflow(tmp_path)
    zheng = tmp_path / "resources/zheng2024/visits.csv"
    zheng.write_text(zheng.read_text().replace("9,week12,12,1.2,0", "9,week12,12,1.3,0"))
    demo = tmp_path / "tests/cohorts/components_demo/visits.csv"
    demo.write_text(demo.read_text().replace("p02,week4,4,6.0,3", "p02,week4,4,6.0,2"))

    results = run_golden_workflow(tmp_path, copy=False)

    zheng_diffs = [
        line
        for name in GOLDEN_FILES
        for line in csv_differences(GOLDEN / "zheng2024" / name, results / "zheng2024" / name)
    ]
    assert any("pppasi_check.csv" in d and "pppasi_recorded" in d for d in zheng_diffs)
    assert any("per_patient.csv" in d and "(patient_id=9," in d for d in zheng_diffs)
    demo_diffs = csv_differences(
        GOLDEN / "components_demo" / "descriptives.csv",
        results / "components_demo" / "descriptives.csv",
    )
    assert any("outcome=PGA, visit=week4" in d for d in demo_diffs)
