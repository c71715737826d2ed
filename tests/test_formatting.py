"""Numbers as a reader reads them: P values, rates with their CI, decimals; and a result CSV
made readable without touching its labels."""

import polars as pl
import pytest

from pppflow.formatting import decimal_text, p_text, rate_ci_text, readable_frame


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (1.1858692715964878e-6, "< 0.001"),
        (0.000999, "< 0.001"),
        (0.001, "0.001"),
        (0.0043, "0.004"),
        (0.0496, "0.050"),  # near alpha: three decimals, so it does not read 0.05
        (0.0504, "0.050"),
        (0.054, "0.054"),
        (0.057, "0.06"),
        (0.125, "0.13"),  # half up on the decimal, not on the binary double
        (0.457211, "0.46"),
        (0.995, "> 0.99"),
        (None, "—"),
        (float("nan"), "—"),
    ],
)
def test_p_values_as_journals_print_them(p, text):
    assert p_text(p) == text


def test_rates_with_their_interval_and_decimals():
    assert rate_ci_text(0.7, 0.457211, 0.881068) == "70 % (46–88)"
    assert rate_ci_text(1.0, 0.831567, 1.0) == "100 % (83–100)"
    assert rate_ci_text(0.5, None, None) == "50 %"
    assert decimal_text(11.975000000000001) == "11.98"
    assert decimal_text(2.675) == "2.68"  # the double is 2.67499999...; the decimal is not
    assert decimal_text(-0.001) == "0.00"


def test_readable_frame_formats_numbers_and_keeps_labels():
    csv = pl.DataFrame(
        {
            "patient_id": ["007", "1.50"],
            "endpoint": ["PPPASI90", "PGA0/1"],
            "week": ["12.0", "12.0"],
            "rate": ["0.7", "0.9"],
            "ci_low": ["0.457211", "0.683017"],
            "ci_high": ["0.881068", "0.987651"],
            "p_value": ["1.1858692715964878e-6", "0.457211"],
            "pppasi_baseline": ["10.8", "0.0"],
            "mean": ["11.975000000000001", "2"],
            "agrees": ["true", ""],
            "confidence_level": ["0.95", "0.95"],
        }
    )
    shown = readable_frame(csv)
    assert shown.columns == [
        "patient_id",
        "endpoint",
        "week",
        "rate (95 % CI)",
        "P",
        "pppasi_baseline",
        "mean",
        "agrees",
    ]
    assert shown.row(0) == (
        "007",
        "PPPASI90",
        "12",
        "70 % (46–88)",
        "< 0.001",
        "10.8",
        "11.98",
        "yes",
    )
    assert shown.row(1) == ("1.50", "PGA0/1", "12", "90 % (68–99)", "0.46", "0.0", "2.00", "")
