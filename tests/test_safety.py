"""The events file's validation and safety.csv, against hand counts."""

from pathlib import Path

import polars as pl
import pytest

from pppflow.safety import safety_table
from pppflow.validate import CohortFiles, CohortInvalid, validate_cohort

DEMO = Path(__file__).parent / "cohorts" / "outcomes_demo"


def demo_files(events: str) -> CohortFiles:
    return CohortFiles(
        patients=str(DEMO / "patients.csv"),
        visits=str(DEMO / "visits.csv"),
        components=None,
        baseline_visit="baseline",
        endpoint_visit="week12",
        pga_max=4,
        events=events,
    )


def test_demo_safety_table_by_hand():
    validated = validate_cohort(demo_files(str(DEMO / "events.csv")))
    table = safety_table(validated.events, validated.visits, validated.patients)
    rows = {r["term"]: r for r in table.iter_rows(named=True)}
    assert table["term"].to_list()[0] == "any"
    # o01, o02, o05, o08 of 8 patients; 7 events; o05's zoster was serious and stopped the drug
    assert (rows["any"]["patients"], rows["any"]["events"]) == (4, 7)
    assert rows["any"]["percent"] == 50.0
    assert (rows["any"]["serious_patients"], rows["any"]["discontinued_patients"]) == (1, 1)
    # URTI: o01, o05, o08 (twice)
    assert (
        rows["Upper respiratory tract infection"]["patients"],
        rows["Upper respiratory tract infection"]["events"],
    ) == (3, 4)
    # exposure: last visit weeks 12 x 6 and 13 (o06), o05's stop week 4.5: 89.5 weeks
    years = 89.5 * 7 / 365.25
    assert rows["any"]["events_per_100py"] == pytest.approx(7 * 100 / years, rel=1e-12)
    assert rows["Acne"]["events_per_100py"] == pytest.approx(2 * 100 / years, rel=1e-12)


def test_equal_exposure_gives_no_exposure_adjusted_rate():
    events = pl.DataFrame(
        {"patient_id": ["a"], "term": ["x"], "serious": [None], "led_to_discontinuation": [None]},
        schema_overrides={"serious": pl.Boolean, "led_to_discontinuation": pl.Boolean},
    )
    visits = pl.DataFrame({"patient_id": ["a", "b"], "week": [12.0, 12.0]})
    table = safety_table(events, visits, pl.DataFrame({"patient_id": ["a", "b"]}))
    assert table["events_per_100py"].to_list() == [None, None]
    assert table["percent"].to_list() == [50.0, 50.0]


def test_bad_events_are_failure_lines(tmp_path):
    bad = tmp_path / "events.csv"
    bad.write_text("patient_id,Term,onset_week,serious\no01,Acne,-1,maybe\nzz,Acne,2,no\n")
    with pytest.raises(CohortInvalid) as err:
        validate_cohort(demo_files(str(bad)))
    found = set(err.value.failures.select("row", "column", "check").rows())
    assert (None, "term", "header_spelling") in found
    assert (1, "onset_week", "number_in_range(low=0, high=inf)") in found
    assert (1, "serious", "isin(['yes', 'no'])") in found
    assert (2, "patient_id", "patient_in_patients_file") in found


def test_zheng2024_events_transcribe_table_2():
    root = Path(__file__).parents[1]
    events = pl.read_csv(root / "resources/zheng2024/events.csv", infer_schema=False)
    patients = pl.read_csv(root / "resources/zheng2024/patients.csv", infer_schema=False)
    printed = patients.filter(pl.col("adverse_events").is_not_null()).select(
        "patient_id", pl.col("adverse_events").alias("term")
    )
    assert events.select("patient_id", "term").rows() == printed.rows()


def test_a_stop_week_ends_the_exposure():
    events = pl.DataFrame(
        {"patient_id": ["a"], "term": ["x"]},
    ).with_columns(
        pl.lit(None, pl.Boolean).alias("serious"),
        pl.lit(None, pl.Boolean).alias("led_to_discontinuation"),
    )
    visits = pl.DataFrame({"patient_id": ["a", "b"], "week": [12.0, 12.0]})
    patients = pl.DataFrame({"patient_id": ["a", "b"], "stop_week": [6.0, None]})
    row = safety_table(events, visits, patients).row(0, named=True)
    # 6 + 12 weeks of exposure, one event
    assert row["events_per_100py"] == pytest.approx(100 / (18 * 7 / 365.25), rel=1e-12)
