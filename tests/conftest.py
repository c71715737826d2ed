from pathlib import Path

import pytest

from pppflow.validate import CohortFiles, ValidatedCohort, validate_cohort

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def letter_cohort() -> ValidatedCohort:
    """The study letter's cohort as the validate stage gives it."""
    return validate_cohort(
        CohortFiles(
            str(ROOT / "resources/zheng2024/patients.csv"),
            str(ROOT / "resources/zheng2024/visits.csv"),
            None,
            "baseline",
            "week12",
            5,
        )
    )
