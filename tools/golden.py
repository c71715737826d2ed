"""Regenerate the golden outputs under tests/golden/ on purpose: `make golden`.

Runs the workflow on a fresh copy (default cohort + the component-level test cohort) and copies
the CSVs that carry results. Review the diff (`git diff tests/golden`) before committing it.
"""

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from workflow import copy_workflow, snakemake  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
# Merged into config/config.yaml (the default cohort): the component-level test cohort, the
# study letter's summary statements as a cohort without patient data, and the cohort with
# declared outcomes and adverse events, and the randomised two-arm cohort.
GOLDEN_CONFIGS = (
    "tests/cohorts/components_demo/config.yaml",
    "tests/cohorts/zheng2024_summary/config.yaml",
    "tests/cohorts/outcomes_demo/config.yaml",
    "tests/cohorts/two_arm/config.yaml",
)
GOLDEN_COHORTS = ("zheng2024", "components_demo", "outcomes_demo", "two_arm")
GOLDEN_FILES = (
    "pppasi_check.csv",
    "per_patient.csv",
    "response_rates.csv",
    "tests.csv",
    "descriptives.csv",
    "subgroup_rates.csv",
    "table1.csv",
    "audit.csv",
    "percent_change.csv",
    "safety.csv",
    "flow.csv",
    "time_to_response.csv",
    "time_on_drug.csv",
)
# A cohort without patient data has only its audit.
SUMMARY_GOLDEN_COHORTS = ("zheng2024_summary",)
SUMMARY_GOLDEN_FILES = ("audit.csv",)
# A randomised cohort has its between-arm comparisons too (rules/comparisons.smk).
ARM_GOLDEN_COHORTS = ("two_arm",)
ARM_GOLDEN_FILES = (
    "comparisons.csv",
    "continuous_comparisons.csv",
    "subgroup_comparisons.csv",
    "repeated_measures.csv",
    "mean_change.csv",
)


def golden_pairs() -> list[tuple[str, str]]:
    """(cohort, file) of every golden."""
    return (
        [(c, name) for c in GOLDEN_COHORTS for name in GOLDEN_FILES]
        + [(c, name) for c in SUMMARY_GOLDEN_COHORTS for name in SUMMARY_GOLDEN_FILES]
        + [(c, name) for c in ARM_GOLDEN_COHORTS for name in ARM_GOLDEN_FILES]
    )


def run_golden_workflow(workdir: Path, copy: bool = True) -> Path:
    """Run the workflow as the goldens were made (on a fresh copy of this checkout unless
    `copy` is False: the caller has prepared `workdir`); returns the results folder."""
    if copy:
        copy_workflow(workdir)
    targets = [f"results/{c}/{name}" for c, name in golden_pairs()]
    # Targets before --configfile: that option takes every argument after it.
    snakemake(workdir, *targets, "--configfile", *GOLDEN_CONFIGS)
    return workdir / "results"


def present_golden_files(cohort: str) -> list[str]:
    return [name for name in GOLDEN_FILES if (GOLDEN / cohort / name).exists()]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pppflow-golden-") as tmp:
        results = run_golden_workflow(Path(tmp))
        for cohort, name in golden_pairs():
            (GOLDEN / cohort).mkdir(parents=True, exist_ok=True)
            shutil.copy2(results / cohort / name, GOLDEN / cohort / name)
            print(f"wrote tests/golden/{cohort}/{name}")


if __name__ == "__main__":
    main()
