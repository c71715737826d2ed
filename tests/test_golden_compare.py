"""The golden comparison itself: tolerant on numbers, exact on text, readable on failure."""

from golden_compare import REL_TOL, cells_agree, csv_differences


def test_numbers_within_tolerance_agree_and_beyond_do_not():
    assert cells_agree("0.7", "0.7000000000000001")
    assert cells_agree("17.69", str(17.69 * (1 + REL_TOL / 10)))
    assert not cells_agree("17.69", "17.7")
    assert not cells_agree("0.5", "0.5000001")


def test_text_must_match_exactly():
    assert cells_agree("true", "true")
    assert not cells_agree("true", "false")
    assert not cells_agree("match", "Match")
    assert not cells_agree("", "0")


def test_differences_name_file_row_key_and_column(tmp_path):
    golden = tmp_path / "golden.csv"
    actual = tmp_path / "per_patient.csv"
    golden.write_text("patient_id,visit,pppasi\n1,week12,0.7\n2,week12,1.1\n")
    actual.write_text("patient_id,visit,pppasi\n1,week12,0.7\n2,week12,1.2\n")
    assert csv_differences(golden, actual) == [
        "per_patient.csv row 2 (patient_id=2, visit=week12) pppasi: golden '1.1', now '1.2'"
    ]


def test_row_count_and_columns_are_checked(tmp_path):
    golden = tmp_path / "golden.csv"
    actual = tmp_path / "rates.csv"
    golden.write_text("endpoint,rate\nPPPASI50,1.0\nPPPASI75,1.0\n")
    actual.write_text("endpoint,rate\nPPPASI50,1.0\n")
    assert csv_differences(golden, actual) == ["rates.csv: 2 rows in golden, 1 now"]
    actual.write_text("endpoint,share\nPPPASI50,1.0\n")
    assert csv_differences(golden, actual)[0].startswith("rates.csv: columns differ")
