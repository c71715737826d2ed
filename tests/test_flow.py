"""flow.csv of the outcomes demo cohort, counted by hand from its files."""

import polars as pl

from pppflow.flow import patient_flow
from pppflow.response import classify_responses, response_rates

BASE = [("o1", 100, 10), ("o2", 80, 0), ("o3", 0, 0), ("o4", 50, None)]


def frames():
    patients = pl.DataFrame({"patient_id": ["o1", "o2", "o3", "o4", "o5"]})
    rows = []
    for pid, base, week12 in BASE:
        rows.append((pid, "baseline", 0.0, base, 3))
        if week12 is not None:
            rows.append((pid, "week12", 12.0, week12, 1))
    # o5 has a baseline row without any score: no baseline PPPASI
    rows.append(("o5", "baseline", 0.0, None, None))
    scores = pl.DataFrame(
        rows, schema=["patient_id", "visit", "week", "pppasi_tenths", "pga"], orient="row"
    )
    return patients, scores


def flow(missing_rule: str) -> dict[str, tuple]:
    patients, scores = frames()
    responses = classify_responses(scores.lazy(), "baseline", missing_rule).collect()
    rates = response_rates(responses.lazy(), missing_rule, 0.95)
    table = patient_flow(patients, scores, responses, rates, "baseline", "week12", missing_rule)
    assert table["arm"].null_count() == table.height
    return {step: (n, reason) for _, step, n, reason in table.rows()}


def test_flow_by_hand_observed():
    steps = flow("observed")
    assert steps["in the files"] == (5, None)
    assert steps["with a baseline PPPASI"] == (4, "1 without a baseline PPPASI")
    # o1, o2, o3 scored at week 12; o4 not seen; o5 (no baseline PPPASI) not seen either
    assert steps["scored at week12"] == (3, "2 without a score at week12")
    # o3's baseline is 0: not evaluable; o4 missing and left out; o5 has no baseline
    n, reason = steps["analysed for PPPASI75 at week12"]
    assert n == 2
    assert "1 without the visit, observed: left out" in reason
    assert steps["analysed for PGA0/1 at week12"][0] == 3


def test_flow_under_nri_counts_the_missing():
    steps = flow("nri")
    n, reason = steps["analysed for PPPASI75 at week12"]
    assert n == 3
    assert "counted as non-responders" in reason
