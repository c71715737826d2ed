"""Table 1 by hand on a fixture, and against the tableone package on the letter's cohort."""

import re
import warnings
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest

from pppflow.derive import derive_patient_columns
from pppflow.table1 import (
    baseline_characteristics,
    classify_columns,
    free_text_columns,
    table1,
    table1_markdown,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fixture_patients() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "patient_id": ["1", "2", "3", "4", "5"],
            "sex": ["F", "M", "F", None, "F"],
            "age_years": [40.0, 50.0, 61.0, 35.0, None],
            "dose_mg": [15.0, 15.0, 30.0, 15.0, 30.0],
            "joint_pain": [True, False, True, None, False],
            "topical": ["Calcipotriol", None, "Calcipotriol", "Urea", None],
            "notes": ["a", "b", "c", "d", "e"],
        }
    )


def cell(table: pl.DataFrame, variable: str, statistic: str, column: str, level: str = "") -> str:
    return table.filter(
        (pl.col("variable") == variable)
        & (pl.col("statistic") == statistic)
        & (pl.col("level") == level)
    )[column].item()


def test_table1_by_hand(fixture_patients):
    t = table1(fixture_patients, "dose_mg", max_levels=3)
    assert t.columns == ["variable", "level", "statistic", "overall", "dose_mg=15", "dose_mg=30"]
    assert cell(t, "n", "n", "overall") == "5" and cell(t, "n", "n", "dose_mg=30") == "2"
    # Ages 40, 50, 61, 35: mean 46.5, SD sqrt(((-6.5)^2 + 3.5^2 + 14.5^2 + (-11.5)^2) / 3)
    # = sqrt(397 / 3) = 11.504
    assert cell(t, "age_years", "mean (SD)", "overall") == "46.50 (11.50)"
    # type-7 quartiles of 35, 40, 50, 61: median 45, Q1 at h = 0.75: 38.75, Q3 at 2.25: 52.75.
    assert cell(t, "age_years", "median [Q1, Q3]", "overall") == "45.00 [38.75, 52.75]"
    assert cell(t, "age_years", "n (%)", "overall", "missing") == "1 (20.0)"
    # 15 mg: ages 40, 50, 35 -> 41.67 (7.64): sqrt(((-5/3)^2 + (25/3)^2 + (-20/3)^2) / 2)
    assert cell(t, "age_years", "mean (SD)", "dose_mg=15") == "41.67 (7.64)"
    # One 30 mg patient with an age: no SD.
    assert cell(t, "age_years", "mean (SD)", "dose_mg=30") == "61.00 (-)"
    # true/false: percent of those recorded (4 of 5 recorded).
    assert cell(t, "joint_pain", "n (%)", "overall", "true") == "2 (50.0)"
    assert cell(t, "joint_pain", "n (%)", "overall", "missing") == "1 (20.0)"
    # Categorical: every level, percent of all patients; an empty sex is missing, an empty
    # free-text cell is none.
    assert cell(t, "sex", "n (%)", "overall", "F") == "3 (60.0)"
    assert cell(t, "sex", "n (%)", "overall", "missing") == "1 (20.0)"
    assert cell(t, "topical", "n (%)", "overall", "none") == "2 (40.0)"
    assert cell(t, "topical", "n (%)", "dose_mg=15", "Urea") == "1 (33.3)"
    assert "notes" not in t["variable"].to_list()
    assert "dose_mg" not in t["variable"].to_list()
    assert free_text_columns(fixture_patients, "dose_mg", max_levels=3) == ("notes",)


def test_table1_without_groups_and_with_a_bad_group(fixture_patients):
    t = table1(fixture_patients, None)
    assert t.columns == ["variable", "level", "statistic", "overall"]
    assert cell(t, "dose_mg", "mean (SD)", "overall") == "21.00 (8.22)"
    with pytest.raises(ValueError, match="'arm' is not a patient column"):
        table1(fixture_patients, "arm")


def test_a_trials_reference_arm_is_the_first_group():
    patients = pl.DataFrame(
        {
            "patient_id": ["1", "2", "3", "4"],
            "arm": ["placebo", "active", "placebo", None],
            "age_years": [40, 50, 60, 70],
        }
    )
    assert table1(patients, "arm").columns[4:] == ["arm=active", "arm=placebo", "arm=missing"]
    t = table1(patients, "arm", first_group="placebo")
    assert t.columns[4:] == ["arm=placebo", "arm=active", "arm=missing"]
    assert cell(t, "n", "n", "arm=placebo") == "2"
    assert cell(t, "age_years", "mean (SD)", "arm=placebo") == "50.00 (14.14)"


def test_classify_columns(fixture_patients):
    kinds = classify_columns(fixture_patients, ["patient_id"], max_levels=3)
    assert kinds.continuous == ("age_years", "dose_mg")
    assert kinds.boolean == ("joint_pain",)
    assert kinds.categorical == ("sex", "topical")
    assert kinds.free_text == ("notes",)


def test_markdown_rendering(fixture_patients):
    t = table1(fixture_patients, "dose_mg", max_levels=3)
    md = table1_markdown(t, "Table 1", ["notes"])
    lines = md.splitlines()
    assert lines[0] == "# Table 1"
    assert "| Characteristic | overall | dose_mg=15 | dose_mg=30 |" in lines
    assert "| age_years, mean (SD) | 46.50 (11.50) | 41.67 (7.64) | 61.00 (-) |" in lines
    assert "Free-text columns not tabulated: notes." in lines


# --- against tableone ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def letter_frame(letter_cohort) -> pl.DataFrame:
    cohort = letter_cohort
    return baseline_characteristics(
        derive_patient_columns(cohort.patients), cohort.visits, "baseline"
    )


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _tableone(frame: pl.DataFrame, **kwargs):
    from tableone import TableOne

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TableOne(frame.to_pandas(), groupby="dose_mg", pval=False, **kwargs).tableone


def _agrees(mine: str, theirs: str) -> None:
    """Each of my printed numbers is a correct rounding of tableone's (printed to 6 decimals,
    so itself within 5e-7): within half a unit of my last decimal. Equal strings would be too
    strict: tableone rounds binary floats half-even (48.625 -> 48.62) where Table 1 rounds
    exact values half up (48.63)."""
    mine_numbers, their_numbers = NUMBER.findall(mine), NUMBER.findall(theirs)
    assert len(mine_numbers) == len(their_numbers), (mine, theirs)
    for m, t in zip(mine_numbers, their_numbers, strict=True):
        decimals = len(m.split(".")[1]) if "." in m else 0
        tolerance = Fraction(5, 10 ** (decimals + 1)) + Fraction(5, 10**7)
        assert abs(Fraction(t) - Fraction(m)) <= tolerance, (mine, theirs)


def test_table1_agrees_with_tableone(letter_frame):
    mine = table1(letter_frame, "dose_mg")
    groups = {
        "overall": "Overall",
        "dose_mg=15": "15.0",
        "dose_mg=30": "30.0",
        "dose_mg=45": "45.0",
    }
    continuous = ["age_years", "disease_duration_weeks", "baseline_pppasi", "baseline_pga"]
    booleans = [
        "joint_pain",
        "nail_disease",
        "family_history",
        "psoriasis",
        "atopic_dermatitis",
        "prior_biologic",
    ]
    normal = _tableone(letter_frame, columns=continuous, decimals=6)
    nonnormal = _tableone(letter_frame, columns=continuous, nonnormal=continuous, decimals=6)
    categorical = _tableone(
        letter_frame, columns=["sex", *booleans], categorical=["sex", *booleans], decimals=6
    )
    compared = 0
    for column, group in groups.items():

        def theirs(table, index, group=group):
            return table.loc[index, ("Grouped by dose_mg", group)]

        assert cell(mine, "n", "n", column) == str(theirs(normal, ("n", "")))
        for variable in continuous:
            mean_sd = cell(mine, variable, "mean (SD)", column)
            if column != "dose_mg=45":  # one patient: no SD here, 0 in tableone
                _agrees(mean_sd, theirs(normal, (f"{variable}, mean (SD)", "")))
                compared += 1
            _agrees(
                cell(mine, variable, "median [Q1, Q3]", column),
                theirs(nonnormal, (f"{variable}, median [Q1,Q3]", "")),
            )
            compared += 1
        for level in ("F", "M"):
            _agrees(
                cell(mine, "sex", "n (%)", column, level),
                theirs(categorical, ("sex, n (%)", level)),
            )
            compared += 1
        for variable in booleans:
            _agrees(
                cell(mine, variable, "n (%)", column, "true"),
                theirs(categorical, (f"{variable}, n (%)", "True")),
            )
            compared += 1
    assert compared == 4 * 4 + 3 * 4 + 4 * (2 + 6)


def test_table1_of_the_letter_by_hand(letter_frame):
    t = table1(letter_frame, "dose_mg")
    # 20 ages sum to 994 (Table 1): 49.70, not the 49.50 the text prints.
    assert cell(t, "age_years", "mean (SD)", "overall").startswith("49.70 (")
    # 16 / 3 / 1 patients on 15 / 30 / 45 mg; 6 men (cases 3, 6, 8, 9, 10, 15).
    assert [cell(t, "n", "n", g) for g in ("dose_mg=15", "dose_mg=30", "dose_mg=45")] == [
        "16",
        "3",
        "1",
    ]
    assert cell(t, "sex", "n (%)", "overall", "M") == "6 (30.0)"
    # 5 / 16 = 31.25 %: half up to 31.3.
    assert cell(t, "sex", "n (%)", "dose_mg=15", "M") == "5 (31.3)"
    # Biologics in Table 1's previous treatments: cases 3, 4, 11, 13, 15; the 30 mg cases are
    # 3, 11, 13.
    assert cell(t, "prior_biologic", "n (%)", "overall", "true") == "5 (25.0)"
    assert cell(t, "prior_biologic", "n (%)", "dose_mg=30", "true") == "3 (100.0)"
    assert cell(t, "baseline_pppasi", "mean (SD)", "overall") == "17.69 (11.59)"


def test_floats_are_summarised_as_the_decimals_they_print():
    from pppflow.table1 import decimal_places, exact_moments

    values = pl.Series([10.7, 8.4, 2.675])
    assert decimal_places(values) == 3
    m = exact_moments(values)
    # 10.7 + 8.4 + 2.675 = 21.775 exactly; the doubles would not sum to it.
    assert m.total == Fraction("21.775") and 10.7 + 8.4 + 2.675 != 21.775
    assert decimal_places(pl.Series([1 / 3])) is None
    assert exact_moments(pl.Series([1 / 3, 1.0])).total == Fraction(1 / 3) + 1
    # 2.675 is half-way at 2 decimals: half up gives 2.68 (the double 2.675 is 2.67499...).
    t = table1(pl.DataFrame({"patient_id": ["1", "2"], "x": [2.675, 2.675]}), None)
    assert cell(t, "x", "mean (SD)", "overall") == "2.68 (0.00)"
    assert cell(t, "x", "median [Q1, Q3]", "overall") == "2.68 [2.68, 2.68]"
