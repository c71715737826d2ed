"""Each kind of bad input is reported exactly: file, row, patient_id, column, check, value."""

from pathlib import Path

import polars as pl
import pytest

from pppflow.validate import CohortFiles, CohortInvalid, validate_cohort

PATIENTS = "patient_id,sex,age_years,dose_mg\np1,F,40,15\np2,M,51,30\n"
VISITS = (
    "patient_id,visit,week,pppasi,pga\n"
    "p1,baseline,0,10.8,3\np1,week12,12,2.7,1\n"
    "p2,baseline,0,,2\np2,week12,12,,0\n"
)
COMPONENTS = "patient_id,visit,region,erythema,pustules,desquamation,area\n" + "".join(
    f"p2,{visit},{region},1,2,1,{area}\n"
    for visit, area in (("baseline", 3), ("week12", 1))
    for region in ("right_palm", "left_palm", "right_sole", "left_sole")
)


def write_cohort(
    tmp_path: Path, patients=PATIENTS, visits=VISITS, components=COMPONENTS, pga_max=4
):
    for name, text in (("patients", patients), ("visits", visits), ("components", components)):
        if text is not None:
            (tmp_path / f"{name}.csv").write_text(text)
    return CohortFiles(
        patients=str(tmp_path / "patients.csv"),
        visits=str(tmp_path / "visits.csv"),
        components=str(tmp_path / "components.csv") if components is not None else None,
        baseline_visit="baseline",
        endpoint_visit="week12",
        pga_max=pga_max,
    )


def failures_of(files: CohortFiles) -> list[tuple]:
    with pytest.raises(CohortInvalid) as err:
        validate_cohort(files)
    frame = err.value.failures.with_columns(pl.col("file").str.split("/").list.last()).sort(
        ["file", "row", "column", "check"], nulls_last=False
    )
    return frame.rows()


def test_valid_cohort_gives_typed_tables_in_exact_tenths(tmp_path):
    cohort = validate_cohort(write_cohort(tmp_path))
    visits = cohort.visits.sort("patient_id", "visit")
    assert visits["pppasi_tenths"].to_list() == [108, 27, None, None]
    assert visits["pga"].to_list() == [3, 1, 2, 0]
    assert cohort.visits.schema["pppasi_tenths"] == pl.Int64
    assert cohort.patients["age_years"].to_list() == [40.0, 51.0]
    assert cohort.components.height == 8
    assert cohort.components["area"].to_list()[:4] == [3, 3, 3, 3]


def test_values_outside_scale_and_malformed_values(tmp_path):
    visits = VISITS.replace("p1,week12,12,2.7,1", "p1,week12,-3,72.5,5").replace(
        "p1,baseline,0,10.8,3", "p1,baseline,0,10.85,x"
    )
    components = COMPONENTS.replace(
        "p2,baseline,left_palm,1,2,1,3", "p2,baseline,left_palm,5,2,1,7"
    )
    patients = PATIENTS.replace("p2,M,51,30", "p2,X,abc,30")
    assert failures_of(write_cohort(tmp_path, patients, visits, components)) == [
        ("components.csv", 2, "p2", "area", "number_in_range(low=0, high=6)", "7"),
        ("components.csv", 2, "p2", "erythema", "number_in_range(low=0, high=4)", "5"),
        ("patients.csv", 2, "p2", "age_years", "is_number", "abc"),
        ("patients.csv", 2, "p2", "sex", "isin(['F', 'M'])", "X"),
        ("visits.csv", 1, "p1", "pga", "is_integer", "x"),
        ("visits.csv", 1, "p1", "pppasi", "at_most_one_decimal", "10.85"),
        ("visits.csv", 2, "p1", "pga", "number_in_range(low=0, high=4)", "5"),
        ("visits.csv", 2, "p1", "pppasi", "number_in_range(low=0.0, high=72.0)", "72.5"),
        ("visits.csv", 2, "p1", "week", "number_in_range(low=0, high=inf)", "-3"),
    ]


def test_pga_scale_comes_from_config(tmp_path):
    visits = VISITS.replace("p1,baseline,0,10.8,3", "p1,baseline,0,10.8,5")
    assert failures_of(write_cohort(tmp_path, visits=visits, pga_max=4)) == [
        ("visits.csv", 1, "p1", "pga", "number_in_range(low=0, high=4)", "5")
    ]
    assert (
        validate_cohort(write_cohort(tmp_path, visits=visits, pga_max=5)).visits["pga"].max() == 5
    )


def test_unknown_patient_and_duplicate_keys(tmp_path):
    patients = PATIENTS + "p1,F,41,15\n"
    visits = VISITS + "p3,baseline,0,4,1\np1,week12,12,2.5,1\n"
    assert failures_of(write_cohort(tmp_path, patients, visits)) == [
        ("patients.csv", 1, "p1", "patient_id", "unique(patient_id)", "p1"),
        ("patients.csv", 3, "p1", "patient_id", "unique(patient_id)", "p1"),
        ("visits.csv", 2, "p1", "visit", "unique(patient_id, visit)", "p1, week12"),
        ("visits.csv", 5, "p3", "patient_id", "patient_in_patients_file", "p3"),
        ("visits.csv", 6, "p1", "visit", "unique(patient_id, visit)", "p1, week12"),
    ]


def test_empty_patient_id_is_reported(tmp_path):
    patients = PATIENTS + ",F,41,15\n"
    assert failures_of(write_cohort(tmp_path, patients)) == [
        ("patients.csv", 3, None, "patient_id", "not_nullable", None),
    ]


def test_missing_baseline_and_endpoint_visits(tmp_path):
    visits = VISITS.replace("p1,baseline,0,10.8,3\n", "").replace("week12", "week8")
    assert failures_of(write_cohort(tmp_path, visits=visits, components=None)) == [
        (
            "visits.csv",
            None,
            None,
            "visit",
            "endpoint_visit_present",
            "no row has 'week12'; the file's visits: 'week8', 'baseline'",
        ),
        (
            "visits.csv",
            None,
            "p1",
            "visit",
            "has_baseline_visit",
            "no 'baseline'; this patient's visits: 'week8'",
        ),
        ("visits.csv", 2, "p2", "pppasi", "pppasi_or_components", None),
        ("visits.csv", 3, "p2", "pppasi", "pppasi_or_components", None),
    ]


def test_incomplete_duplicate_and_orphan_regions(tmp_path):
    components = (
        COMPONENTS.replace("p2,week12,left_sole,1,2,1,1\n", "")
        + "p2,baseline,right_palm,0,0,0,0\n"
        + "p2,week4,right_palm,0,0,0,0\n"
        + "p2,baseline,nose,0,0,0,0\n"
    )
    assert failures_of(write_cohort(tmp_path, components=components)) == [
        (
            "components.csv",
            1,
            "p2",
            "region",
            "unique(patient_id, visit, region)",
            "p2, baseline, right_palm",
        ),
        (
            "components.csv",
            5,
            "p2",
            "region",
            "all_regions_present",
            "visit week12 lacks left_sole",
        ),
        (
            "components.csv",
            8,
            "p2",
            "region",
            "unique(patient_id, visit, region)",
            "p2, baseline, right_palm",
        ),
        (
            "components.csv",
            9,
            "p2",
            "region",
            "all_regions_present",
            "visit week4 lacks left_palm, left_sole, right_sole",
        ),
        ("components.csv", 9, "p2", "visit", "visit_in_visits_file", "week4"),
        (
            "components.csv",
            10,
            "p2",
            "region",
            "isin(['right_palm', 'left_palm', 'right_sole', 'left_sole'])",
            "nose",
        ),
    ]


def test_missing_column_is_named(tmp_path):
    visits = "patient_id,visit,pppasi,pga\np1,baseline,3,1\n"
    rows = failures_of(write_cohort(tmp_path, visits=visits, components=None))
    assert rows == [("visits.csv", None, None, "week", "column_in_dataframe", None)]


def test_config_pointing_at_missing_file(tmp_path):
    files = write_cohort(tmp_path, components=None)
    files = CohortFiles(**{**files.__dict__, "components": str(tmp_path / "nowhere.csv")})
    assert failures_of(files) == [
        ("nowhere.csv", None, None, "components", "file_exists", str(tmp_path / "nowhere.csv"))
    ]


def test_parquet_inputs_are_read_like_csv(tmp_path):
    files = write_cohort(tmp_path)
    for name in ("patients", "visits", "components"):
        frame = pl.read_csv(tmp_path / f"{name}.csv")
        frame.write_parquet(tmp_path / f"{name}.parquet")
    parquet = CohortFiles(
        **{
            **files.__dict__,
            "patients": str(tmp_path / "patients.parquet"),
            "visits": str(tmp_path / "visits.parquet"),
            "components": str(tmp_path / "components.parquet"),
        }
    )
    from_csv, from_parquet = validate_cohort(files), validate_cohort(parquet)
    assert from_parquet.visits.equals(from_csv.visits)
    assert from_parquet.components.equals(from_csv.components)
