"""percent_change.csv against scipy called directly and a hand count."""

import numpy as np
import polars as pl
import pytest
from scipy import stats

from pppflow.percent_change import median_interval, percent_change_summary, sign_test_rank


def responses() -> pl.LazyFrame:
    # baseline 10.0 for all; week 12: -100 %, -50 %, -20 %, +10 %, one not seen, one baseline 0
    base = [100, 100, 100, 100, 100, 0]
    at = [0, 50, 80, 110, None, 0]
    return pl.LazyFrame(
        {
            "patient_id": list("abcdef"),
            "visit": ["week12"] * 6,
            "week": [12.0, 12.0, 12.0, 12.0, None, 12.0],
            "observed": [True, True, True, True, False, True],
            "pppasi_baseline_tenths": base,
            "pppasi_visit_tenths": at,
        }
    )


def test_summary_by_hand_and_by_scipy():
    row = percent_change_summary(responses(), 0.95).row(0, named=True)
    values = np.array([-100.0, -50.0, -20.0, 10.0])
    assert row["visit"] == "week12" and row["arm"] is None and row["n"] == 4
    assert row["mean"] == pytest.approx(-40.0, rel=1e-12)
    assert row["median"] == pytest.approx(-35.0, rel=1e-12)
    ci = stats.ttest_1samp(values, 0).confidence_interval(0.95)
    assert (row["mean_ci_low"], row["mean_ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-12)
    # n = 4: even the widest order-statistic interval covers only 1 - 2/16 = 87.5 %.
    assert row["median_ci_low"] is None and row["median_ci_high"] is None


@pytest.mark.parametrize("n", [6, 7, 11, 20, 33, 100])
def test_median_interval_is_scipy_quantile_test(n):
    values = np.random.default_rng(n).normal(size=n).round(3)
    expected = stats.quantile_test(values).confidence_interval(0.95)
    assert median_interval(values, 0.95) == (expected.low, expected.high)


def test_sign_test_rank_by_hand():
    # Binomial(11, 1/2): P(X <= 1) = 12/2048 <= 0.025 < P(X <= 2) = 67/2048
    assert sign_test_rank(11, 0.95) == 2
    # Binomial(20, 1/2): P(X <= 5) = 0.0207 <= 0.025 < P(X <= 6) = 0.0577
    assert sign_test_rank(20, 0.95) == 6
