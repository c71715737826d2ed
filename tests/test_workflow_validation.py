"""A bad cohort stops the run: non-zero exit, every failure on stderr, nothing written."""

from pathlib import Path

from workflow import copy_workflow, snakemake


def test_bad_cohort_stops_the_run_with_every_failure(tmp_path: Path):
    wf = copy_workflow(tmp_path)
    visits = wf / "resources/zheng2024/visits.csv"
    text = visits.read_text()
    text = text.replace("3,baseline,0,48.6,5", "3,baseline,0,48.65,6")
    text = text.replace("7,week12,12,0,0", "77,week12,12,0,0")
    visits.write_text(text)

    proc = snakemake(wf, check=False)

    assert proc.returncode != 0
    expected = [
        "resources/zheng2024/visits.csv | row 3 | patient_id 3 | column pga | "
        "check number_in_range(low=0, high=5) | value '6'",
        "resources/zheng2024/visits.csv | row 3 | patient_id 3 | column pppasi | "
        "check at_most_one_decimal | value '48.65'",
        "resources/zheng2024/visits.csv | row 27 | patient_id 77 | column patient_id | "
        "check patient_in_patients_file | value '77'",
    ]
    for line in expected:
        assert line in proc.stderr
    assert "3 validation failure(s)" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (wf / "results").exists() or not any((wf / "results").rglob("*.parquet"))
    assert "3 validation failure(s)" in (wf / "logs/validate/zheng2024.log").read_text()
