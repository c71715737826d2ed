"""Subgroup comparisons: counts by hand, the Newcombe difference against statsmodels on the raw
counts, the interaction P against a likelihood-ratio test of two logistic formula fits on the raw
rows; rows that cannot be estimated kept with the reason."""

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from pppflow.subgroup_comparisons import SUBGROUP_COMPARISONS_SCHEMA, subgroup_comparisons

ENDPOINT = ("PPPASI75", "pppasi75")

# (arm, joint_pain, dose_mg, responded at w12 (None: not evaluable), patients)
GROUPS = [
    ("P", "yes", 150.0, True, 2),
    ("P", "yes", 150.0, False, 6),
    ("P", "no", 300.0, True, 3),
    ("P", "no", 300.0, False, 4),
    ("P", None, 300.0, False, 1),
    ("T", "yes", 150.0, True, 7),
    ("T", "yes", 300.0, False, 2),
    ("T", "no", 150.0, True, 4),
    ("T", "no", 300.0, False, 3),
    ("T", "no", 300.0, None, 2),
    ("T", None, 150.0, True, 1),
]


def frame(groups=GROUPS) -> pl.DataFrame:
    rows = []
    for arm, pain, dose, value, count in groups:
        for i in range(count):
            pid = f"{arm}{pain}{dose}{value}{i}"
            rows.append((pid, arm, pain, dose, "w12", 12.0, value))
            rows.append((pid, arm, pain, dose, "w4", 4.0, None))  # another visit: not counted
    return pl.DataFrame(
        rows,
        schema=["patient_id", "arm", "joint_pain", "dose_mg", "visit", "week", "pppasi75"],
        orient="row",
    )


def raw(column: str, groups=GROUPS) -> pd.DataFrame:
    """Evaluable patients, one row each, with a non-missing level."""
    rows = [
        {"arm": arm, "g": str(level), "y": int(value)}
        for arm, pain, dose, value, count in groups
        for level in [{"joint_pain": pain, "dose_mg": dose}[column]]
        for _ in range(count)
        if value is not None and level is not None
    ]
    return pd.DataFrame(rows)


def lrt_p(data: pd.DataFrame) -> float:
    reduced = smf.logit("y ~ C(arm, Treatment('P')) + C(g)", data).fit(disp=0)
    full = smf.logit("y ~ C(arm, Treatment('P')) * C(g)", data).fit(disp=0)
    return stats.chi2.sf(2 * (full.llf - reduced.llf), full.df_model - reduced.df_model)


def test_rows_counts_and_differences():
    got = subgroup_comparisons(frame(), ENDPOINT, "w12", ["joint_pain", "dose_mg"], "P")
    assert got.columns == list(SUBGROUP_COMPARISONS_SCHEMA)
    assert got.select(
        "subgroup_column", "subgroup", "patients", "responders", "evaluable",
        "reference_responders", "reference_evaluable",
    ).rows() == [
        ("joint_pain", "no", 16, 4, 7, 3, 7),
        ("joint_pain", "yes", 17, 7, 9, 2, 8),
        ("joint_pain", "missing", 2, 1, 1, 0, 1),
        ("dose_mg", "150", 20, 12, 12, 2, 8),
        ("dose_mg", "300", 15, 0, 5, 3, 8),
    ]  # fmt: skip
    assert got["estimable"].all()
    for row in got.iter_rows(named=True):
        k1, n1, k0, n0 = (row[k] for k in ("responders", "evaluable", "reference_responders", "reference_evaluable"))  # fmt: skip
        low, high = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff")
        assert row["rate_difference"] == pytest.approx(k1 / n1 - k0 / n0)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))


def test_interaction_p_is_the_likelihood_ratio_of_two_logistic_fits():
    got = subgroup_comparisons(frame(), ENDPOINT, "w12", ["joint_pain"], "P")
    expected = lrt_p(raw("joint_pain"))
    assert got["p_interaction"].to_list() == pytest.approx([expected] * 3, rel=1e-6)
    # The missing level has its row but is not in the test.
    missing = got.filter(pl.col("subgroup") == "missing").row(0, named=True)
    assert "left out of the interaction test" in missing["note"]
    assert "df 1, over no, yes" in missing["note"]


def test_separation_makes_the_interaction_not_estimable_and_keeps_the_rows():
    # T: 12 of 12 at dose 150, 0 of 5 at 300: the interaction model's coefficients are infinite.
    got = subgroup_comparisons(frame(), ENDPOINT, "w12", ["dose_mg"], "P")
    assert got["p_interaction"].null_count() == 2
    assert got["estimable"].to_list() == [True, True]
    assert all("perfect separation (all responders in the arm at 150)" in n for n in got["note"])
    assert got["rate_difference"].to_list() == pytest.approx([12 / 12 - 2 / 8, 0 / 5 - 3 / 8])


def test_a_level_without_reference_patients_is_kept_not_estimable():
    groups = [
        *GROUPS,
        ("T", "unsure", 150.0, True, 2),
        ("T", "unsure", 150.0, False, 1),
    ]
    got = subgroup_comparisons(frame(groups), ENDPOINT, "w12", ["joint_pain"], "P")
    unsure = got.filter(pl.col("subgroup") == "unsure").row(0, named=True)
    assert (unsure["responders"], unsure["evaluable"], unsure["reference_evaluable"]) == (2, 3, 0)
    assert unsure["estimable"] is False
    assert unsure["rate_difference"] is None and unsure["ci_low"] is None
    assert "no evaluable patient in P" in unsure["note"]
    # The test runs over the levels with both arms, the same P as without "unsure".
    assert unsure["p_interaction"] == pytest.approx(lrt_p(raw("joint_pain")), rel=1e-6)


def test_one_testable_level_and_a_single_arm():
    groups = [g for g in GROUPS if g[1] != "no"]
    got = subgroup_comparisons(frame(groups), ENDPOINT, "w12", ["joint_pain"], "P")
    assert got["subgroup"].to_list() == ["yes", "missing"]
    assert got["p_interaction"].null_count() == 2
    assert "fewer than two subgroups" in got["note"][0]
    single = subgroup_comparisons(frame([g for g in GROUPS if g[0] == "P"]), ENDPOINT, "w12", ["joint_pain"], "P")  # fmt: skip
    assert single.height == 0 and single.columns == list(SUBGROUP_COMPARISONS_SCHEMA)
    with pytest.raises(ValueError, match="prior_biologic"):
        subgroup_comparisons(frame(), ENDPOINT, "w12", ["prior_biologic"], "P")


def test_three_arms_each_with_its_own_interaction_test():
    groups = [*GROUPS, *(("H", *g[1:]) for g in GROUPS if g[0] == "T")]
    groups = [g if not (g[0] == "H" and g[1] == "yes" and g[3]) else (*g[:4], 4) for g in groups]
    got = subgroup_comparisons(frame(groups), ENDPOINT, "w12", ["joint_pain"], "P")
    assert got.select("arm", "subgroup").rows() == [
        ("H", "no"), ("H", "yes"), ("H", "missing"), ("T", "no"), ("T", "yes"), ("T", "missing"),
    ]  # fmt: skip
    for arm in ("H", "T"):
        data = raw("joint_pain", groups)
        data = data[data["arm"].isin(["P", arm])]
        p = got.filter(pl.col("arm") == arm)["p_interaction"].to_numpy()
        assert p == pytest.approx(np.full(3, lrt_p(data)), rel=1e-6)
