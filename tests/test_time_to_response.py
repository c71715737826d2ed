"""time_to_response.csv: the Kaplan-Meier median and its CI worked by hand (product-limit,
Greenwood on the log(-log) scale) and the median against statsmodels."""

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight

from pppflow.time_to_response import first_response, kaplan_meier_median, time_to_response

# PPPASI 50 per patient and visit: (patient, week, observed, pppasi50)
ROWS = [
    ("a", 4.0, True, True),
    ("a", 12.0, True, True),
    ("b", 4.0, True, False),
    ("b", 12.0, True, True),
    ("c", 3.0, True, True),
    ("c", 12.0, True, True),
    ("d", 4.0, True, True),
    ("d", 12.0, True, True),
    ("e", 5.0, True, False),  # then lost: censored at 5
    ("e", None, False, None),
    ("f", 4.0, True, False),
    ("f", 13.0, True, False),  # never: censored at 13
    ("g", 4.0, False, None),  # missed week 4
    ("g", 12.0, True, True),
    ("h", 4.0, True, False),
    ("h", 12.0, True, True),
]


def responses() -> pl.LazyFrame:
    frame = pl.DataFrame(ROWS, schema=["patient_id", "week", "observed", "pppasi50"], orient="row")
    return frame.with_columns(pl.col("pppasi50").alias("pppasi75")).lazy()


def test_first_response_and_censoring():
    got = first_response(responses(), 50).rows()
    assert got == [
        ("a", 4.0, True),
        ("b", 12.0, True),
        ("c", 3.0, True),
        ("d", 4.0, True),
        ("e", 5.0, False),
        ("f", 13.0, False),
        ("g", 12.0, True),
        ("h", 12.0, True),
    ]


def by_hand(times, events, level):
    """Product-limit S(t) and its log(-log) Greenwood band at each event time."""
    times, events = np.asarray(times), np.asarray(events)
    z = stats.norm.ppf(1 - (1 - level) / 2)
    s, greenwood, rows = 1.0, 0.0, []
    for t in sorted(set(times[events])):
        at_risk = int((times >= t).sum())
        d = int(((times == t) & events).sum())
        s *= 1 - d / at_risk
        greenwood += d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
        if 0 < s < 1:
            half = z * math.sqrt(greenwood) / abs(math.log(s))
            low, high = s ** math.exp(half), s ** math.exp(-half)
        else:
            low = high = s
        rows.append((t, s, low, high))
    return rows


def test_median_and_ci_by_hand_and_statsmodels():
    table = time_to_response(responses(), 0.95).row(0, named=True)
    patients = first_response(responses(), 50)
    times = patients["weeks"].to_numpy()
    events = patients["responded"].to_numpy()
    curve = by_hand(times, events, 0.95)
    # S: 7/8 at 3, 5/8 at 4, 5/32 at 12
    assert [round(s, 12) for _, s, _, _ in curve] == [0.875, 0.625, 0.15625]
    median = next(t for t, s, _, _ in curve if s <= 0.5)
    # the CI: where the band's lower and upper curves reach 0.5 (None: never, an open end)
    ci_low = next((t for t, _, low, _ in curve if low <= 0.5), None)
    ci_high = next((t for t, _, _, high in curve if high <= 0.5), None)
    assert (table["n"], table["events"]) == (8, 6)
    assert table["median_weeks"] == median == 12.0
    assert table["median_weeks"] == SurvfuncRight(times, events.astype(int)).quantile(0.5)
    assert (table["ci_low"], table["ci_high"]) == (ci_low, ci_high)
    assert table["arm"] is None and table["p_logrank"] is None


def test_nobody_entering_gives_empty_numbers():
    empty = pl.LazyFrame(
        {"patient_id": ["a"], "week": [None], "observed": [False], "pppasi50": [None]},
        schema={
            "patient_id": pl.Utf8,
            "week": pl.Float64,
            "observed": pl.Boolean,
            "pppasi50": pl.Boolean,
        },
    ).with_columns(pl.col("pppasi50").alias("pppasi75"))
    row = time_to_response(empty, 0.95).row(0, named=True)
    assert (row["n"], row["events"], row["median_weeks"]) == (0, 0, None)


@pytest.mark.parametrize("level", [0.9, 0.95])
def test_band_matches_the_hand_formula(level):
    from lifelines import KaplanMeierFitter

    patients = first_response(responses(), 50)
    fitter = KaplanMeierFitter(alpha=1 - level).fit(
        patients["weeks"].to_list(), patients["responded"].to_list()
    )
    band = fitter.confidence_interval_
    for t, _, low, high in by_hand(
        patients["weeks"].to_numpy(), patients["responded"].to_numpy(), level
    ):
        assert band.loc[t].iloc[0] == pytest.approx(low, rel=1e-9)
        assert band.loc[t].iloc[1] == pytest.approx(high, rel=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kaplan_meier_median_by_counts_is_lifelines_patient_by_patient(seed):
    """Fitted on each distinct (week, event) weighted by its count, the median and its CI are
    lifelines' fit of the patients one by one (ties in weeks and censoring at the same week as
    events, as visit weeks give them)."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    rng = np.random.default_rng(seed)
    weeks = rng.choice([4.0, 8.0, 12.0, 16.0, 24.0], size=400)
    events = rng.random(400) < 0.45
    direct = KaplanMeierFitter(alpha=0.05).fit(weeks, events)
    band = median_survival_times(direct.confidence_interval_)
    expected = (direct.median_survival_time_, band.iloc[0, 0], band.iloc[0, 1])
    found = kaplan_meier_median(pl.Series(weeks), pl.Series(events), 0.95)
    assert found == pytest.approx(expected, rel=1e-12)
    assert found[0] in (8.0, 12.0, 16.0, 24.0)
