"""Checks of printed summaries alone: hand-worked small cases, brute force over every sample,
and scipy / statsmodels called directly on constructed data."""

import itertools
import math
import statistics
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats as st
from statsmodels.stats.proportion import proportion_confint

from pppflow.consistency import parse_printed
from pppflow.pppasi import attainable_totals_tenths
from pppflow.summary_checks import (
    Group,
    Scale,
    grim_mean,
    lattice_sums,
    mean_ci_check,
    mean_totals,
    paired_check,
    paired_p_range,
    percent_check,
    proportion_ci_check,
    sd_check,
    sprite,
    statistic_check,
    statistic_p_range,
    two_sample_check,
    two_sample_p_range,
)

ALPHA = Fraction(1, 20)
LIKERT = Scale.of({"min": 1, "max": 7, "step": 1})
PGA = Scale.of({"min": 0, "max": 5, "step": 1})
TENTHS = Scale.of({"min": 0, "max": 10, "step": 0.1})
PPPASI = Scale.of({"min": 0, "max": 72, "step": 0.1, "lattice": "pppasi"})
BINARY = Scale.of({"min": 0, "max": 1, "step": 1})


def group(mean: str, sd: str, n: int) -> Group:
    return Group(parse_printed(mean), parse_printed(sd), n)


# --- scales -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        {"min": 0, "max": 5, "step": 0.3},
        {"min": 5, "max": 0, "step": 1},
        {"min": 0, "max": 30, "step": 1, "lattice": "pppasi"},
        {"min": 0, "max": 72, "step": 0.1, "lattice": "dlqi"},
    ],
)
def test_a_malformed_scale_is_refused(spec):
    with pytest.raises(ValueError):
        Scale.of(spec)


# --- GRIM -------------------------------------------------------------------------------------


def test_grim_on_an_integer_scale_by_hand():
    # 25 values: 3.48 x 25 = 87 exactly; 3.49 needs a total in [87.125, 87.375], no integer.
    assert grim_mean("3.48", 25, LIKERT).verdict == "match"
    check = grim_mean("3.49", 25, LIKERT)
    assert (check.verdict, check.decisive) == ("mismatch", True)
    assert "[87.125, 87.375]" in check.note


def test_grim_on_a_tenth_scale_by_hand():
    # 3 values in tenths: 0.37 -> total in [1.095, 1.125] -> 1.1 (11 tenths); 0.35 -> [1.035,
    # 1.065], no multiple of 0.1.
    assert mean_totals("0.37", 3, TENTHS) == [11]
    assert grim_mean("0.35", 3, TENTHS).verdict == "mismatch"


def test_a_mean_outside_the_scale_is_a_decisive_mismatch():
    check = grim_mean("7.20", 10, LIKERT)
    assert (check.verdict, check.decisive) == ("mismatch", True)
    assert "outside the scale" in check.note


def test_grim_on_the_pppasi_lattice_sees_its_gaps():
    # No PPPASI total is 0.1 (the smallest region term is 0.2), so 10 scores with mean 0.01
    # (total 0.05 to 0.15, i.e. 1 tenth) cannot exist, though 10 values in tenths can.
    assert grim_mean("0.01", 10, TENTHS).verdict == "match"
    assert grim_mean("0.01", 10, PPPASI).verdict == "mismatch"
    # One score of 71.9 is not attainable (the largest below 72 is 70.8); 72.0 is.
    assert grim_mean("71.9", 1, PPPASI).verdict == "mismatch"
    assert grim_mean("72.0", 1, PPPASI).verdict == "match"
    assert grim_mean("70.8", 1, PPPASI).verdict == "match"


def test_lattice_sums_equal_brute_force_over_pairs_and_triples():
    totals = attainable_totals_tenths().to_list()
    levels = tuple(totals)
    pairs = {a + b for a in totals for b in totals}
    mask = lattice_sums(levels, 2)
    assert {t for t in range(2 * 720 + 1) if mask >> t & 1} == pairs
    top = totals[-12:]  # the sparse top of the lattice, where triples still have gaps
    triples = {a + b + c for a, b, c in itertools.product(totals, top, top)}
    mask3 = lattice_sums(levels, 3)
    assert all(mask3 >> t & 1 for t in triples)
    assert not mask3 >> (3 * 720 - 1) & 1  # 215.9: two scores of 72 and one of 71.9
    assert mask3 >> (3 * 720) & 1


def test_the_study_letters_pppasi_means_are_grim_consistent_on_the_lattice():
    assert mean_totals("17.69", 20, PPPASI) == [3537, 3538, 3539]
    assert grim_mean("1.27", 20, PPPASI).verdict == "match"


# --- percentages --------------------------------------------------------------------------------


def test_percentages_against_n_by_hand():
    assert percent_check("35", 20).recomputed == "7"
    # 33% of 20: 20 x [32.5, 33.5] / 100 = [6.5, 6.7], no integer.
    check = percent_check("33", 20)
    assert check.verdict == "mismatch" and "[6.5, 6.7]" in check.note
    assert percent_check("70", 20, count=14).verdict == "match"
    assert percent_check("50", 20, count=14).verdict == "mismatch"
    assert percent_check("33.3", 3, count=1).verdict == "match"


# --- SDs: GRIMMER, DEBIT, SPRITE ----------------------------------------------------------------


def test_the_letters_pga_week12_sd_is_impossible_under_n_and_possible_under_n_minus_1():
    # Mean 0.45 of 20 grades: total 9. SD 0.60 with n - 1: sum of squares in 19 x [0.595²,
    # 0.605²] + 81/20 = [10.78, 11.00], so 11 (parity of 11 - 9 even). With n: 20 x [0.354025,
    # 0.366025] + 4.05 = [11.13, 11.37], no integer.
    check = sd_check("0.45", "0.60", 20, PGA)
    assert check.verdict == "match" and not check.decisive
    assert "n: GRIMMER-inconsistent (test 1)" in check.note
    assert "n-1: GRIMMER-consistent, SPRITE found" in check.note
    found = sprite("0.45", "0.60", 20, PGA, "n-1")
    assert found.exhaustive
    sample = [float(v) for v in found.found]
    assert len(sample) == 20 and all(v in range(6) for v in sample)
    assert round(statistics.mean(sample), 2) == 0.45
    assert round(statistics.stdev(sample), 2) == 0.60  # independent: the n - 1 SD
    assert sprite("0.45", "0.60", 20, PGA, "n").found is None


def test_the_letters_pga_baseline_sd_holds_only_under_n():
    # Total 54; n - 1: 19 x [0.801025, 0.819025] + 145.8 = [161.02, 161.36], no integer.
    check = sd_check("2.70", "0.90", 20, PGA)
    assert check.verdict == "match"
    assert "n-1: GRIMMER-inconsistent (test 1)" in check.note
    sample = [float(v) for v in sprite("2.70", "0.90", 20, PGA, "n").found]
    assert round(statistics.pstdev(sample), 2) == 0.90 and round(statistics.mean(sample), 2) == 2.7


def test_sprite_proves_by_exhaustive_search_that_no_sample_exists():
    # 5 values on 1..5 with mean 3.00: the widest spread is {1, 1, 3, 5, 5}, sum of squares 61,
    # SD sqrt(16 / 4) = 2.00. SD 2.12 passes GRIMMER with n - 1 (sum of squares 63, same parity
    # as 15) but needs a spread the scale does not have.
    scale = Scale.of({"min": 1, "max": 5, "step": 1})
    found = sprite("3.00", "2.12", 5, scale, "n-1")
    assert found.exhaustive and found.found is None
    brute = [
        xs
        for xs in itertools.combinations_with_replacement(range(1, 6), 5)
        if round(statistics.mean(xs), 2) == 3.0 and abs(statistics.stdev(xs) - 2.12) <= 0.005
    ]
    assert brute == []
    check = sd_check("3.00", "2.12", 5, scale)
    assert (check.verdict, check.decisive) == ("mismatch", True)
    assert "n-1: GRIMMER-consistent, no sample exists (exhaustive search" in check.note
    # 2.00 is possible, and the search finds the one sample.
    assert sprite("3.00", "2.00", 5, scale, "n-1").found == (1, 1, 3, 5, 5)


def test_sprite_agrees_with_brute_force_on_every_small_case():
    scale = Scale.of({"min": 0, "max": 4, "step": 1})
    n = 6
    samples = list(itertools.combinations_with_replacement(range(5), n))
    printed = {
        (f"{statistics.mean(xs):.2f}", f"{statistics.stdev(xs):.2f}")
        for xs in samples
        if len(set(xs)) > 1
    }
    for mean, sd in sorted(printed)[::7] + [("2.00", "1.99"), ("1.50", "0.30"), ("0.50", "1.90")]:
        exists = any(
            f"{statistics.mean(xs):.2f}" == mean and abs(statistics.stdev(xs) - float(sd)) <= 0.005
            for xs in samples
        )
        found = sprite(mean, sd, n, scale, "n-1")
        assert found.exhaustive and (found.found is not None) == exists, (mean, sd)


def test_debit_on_a_true_false_scale():
    # 10 of 20: SD with n - 1 sqrt(100 / 380) = 0.513; with n exactly 0.5.
    check = sd_check("0.50", "0.51", 20, BINARY)
    assert check.verdict == "match"
    assert "n-1: DEBIT-consistent (10 ones of 20)" in check.note
    assert "n: DEBIT-inconsistent" in check.note
    assert sd_check("0.50", "0.40", 20, BINARY).decisive


def test_sprite_on_the_pppasi_lattice_finds_a_sample_with_the_letters_mean_and_sd():
    found = sprite("1.27", "1.41", 20, PPPASI, "n-1")
    assert not found.exhaustive
    sample = [float(v) for v in found.found]
    attainable = set(attainable_totals_tenths().to_list())
    assert all(round(v * 10) in attainable for v in sample)
    assert round(statistics.mean(sample), 2) == 1.27
    assert abs(statistics.stdev(sample) - 1.41) <= 0.005


# --- P values -----------------------------------------------------------------------------------


def test_p_from_a_t_statistic_against_scipy():
    low, high = statistic_p_range("t", "2.31", (19,))
    assert low == pytest.approx(2 * st.t.sf(2.315, 19)) and high == pytest.approx(
        2 * st.t.sf(2.305, 19)
    )
    assert statistic_check("t", "2.31", (19,), "P = 0.03", ALPHA).verdict == "match"
    wrong = statistic_check("t", "2.31", (19,), "P = 0.01", ALPHA)
    assert (wrong.verdict, wrong.decisive) == ("mismatch", False)
    across = statistic_check("t", "2.31", (19,), "P = 0.06", ALPHA)
    assert (across.verdict, across.decisive) == ("mismatch", True)


def test_p_from_f_chi2_z_and_r_against_independent_computations():
    low, high = statistic_p_range("F", "4.50", (2, 30))
    assert low <= st.f.sf(4.50, 2, 30) <= high
    assert statistic_check("F", "4.50", (2, 30), "P > 0.05", ALPHA).decisive
    low, high = statistic_p_range("chi2", "6.63", (1,))
    assert low <= 0.01 <= high  # the 0.99 quantile of chi2(1) is 6.635
    low, high = statistic_p_range("z", "1.96", ())
    assert low <= 2 * (1 - st.norm.cdf(1.96)) <= high
    # r with df = n - 2 = 28: its exact null distribution is a beta on [-1, 1] (as pearsonr).
    null = st.beta(30 / 2 - 1, 30 / 2 - 1, loc=-1, scale=2)
    low, high = statistic_p_range("r", "0.45", (28,))
    assert low == pytest.approx(2 * null.sf(0.455)) and high == pytest.approx(2 * null.sf(0.445))
    assert statistic_check("r", "0.45", (28,), "P < 0.05", ALPHA).verdict == "match"


def test_two_sample_t_and_welch_contain_scipy_on_the_data_that_print_those_summaries():
    a, b = [1, 2, 3, 4, 5], [2, 4, 6, 8, 10]
    ga = group(f"{np.mean(a):.2f}", f"{np.std(a, ddof=1):.2f}", 5)
    gb = group(f"{np.mean(b):.2f}", f"{np.std(b, ddof=1):.2f}", 5)
    for equal_var in (True, False):
        low, high = two_sample_p_range(ga, gb, equal_var)
        assert low <= st.ttest_ind(a, b, equal_var=equal_var).pvalue <= high
    assert two_sample_check(ga, gb, True, "P = 0.10", ALPHA).verdict == "match"  # P = 0.0993
    check = two_sample_check(ga, gb, True, "P < 0.05", ALPHA)
    assert (check.verdict, check.decisive) == ("mismatch", True)


def test_paired_p_range_over_every_correlation():
    rng = np.random.default_rng(1)
    before = rng.normal(10, 2, 12)
    for r in (-0.9, 0.0, 0.5, 0.95):
        after = before * r + rng.normal(0, 2, 12) * math.sqrt(1 - r * r) + 7
        gb = group(f"{before.mean():.2f}", f"{before.std(ddof=1):.2f}", 12)
        ga = group(f"{after.mean():.2f}", f"{after.std(ddof=1):.2f}", 12)
        low, high = paired_p_range(gb, ga)
        assert low <= st.ttest_rel(before, after).pvalue <= high
    # Hand-worked: 10.0 ± 2.0 to 9.0 ± 2.0, n = 5. The widest SD of differences is 2.05 + 2.05
    # = 4.1 and the smallest difference 0.9: t = 0.9 sqrt(5) / 4.1 = 0.491, P = 0.649; the SDs
    # overlap, so the differences may all be equal and P can be as small as 0.
    low, high = paired_p_range(group("10.0", "2.0", 5), group("9.0", "2.0", 5))
    assert low == 0 and high == pytest.approx(2 * st.t.sf(0.9 * math.sqrt(5) / 4.1, 4))
    assert (
        paired_check(group("10.0", "2.0", 5), group("9.0", "2.0", 5), "P = 0.80", ALPHA).verdict
        == "mismatch"
    )
    # 5.0 ± 4.0 to 4.5 ± 0.5: the SD of differences is at least 3.95 - 0.55 = 3.4, the mean
    # difference at most 0.6, so P >= 0.71: "P < 0.05" cannot be true.
    check = paired_check(group("5.0", "4.0", 5), group("4.5", "0.5", 5), "P < 0.05", ALPHA)
    assert (check.verdict, check.decisive) == ("mismatch", True)
    assert check.recomputed.startswith("P in [0.713")


def test_the_letters_paired_comparisons_are_significant_for_every_correlation():
    check = paired_check(group("17.69", "11.29", 20), group("1.27", "1.41", 20), "P < 0.05", ALPHA)
    assert check.verdict == "match"
    # PGA: the smallest difference 2.695 - 0.455 = 2.24, the widest SD 0.905 + 0.605 = 1.51.
    _, high = paired_p_range(group("2.70", "0.90", 20), group("0.45", "0.60", 20))
    assert high == pytest.approx(2 * st.t.sf(2.24 * math.sqrt(20) / 1.51, 19))
    assert high < 1e-5


# --- confidence intervals -----------------------------------------------------------------------


def test_a_mean_ci_tells_the_t_from_the_normal_quantile():
    # n = 5, 10.0 ± 2.0: t(4) gives 10 ± 2.776 x 2 / sqrt 5 = 7.5 to 12.5; the normal 8.2 to 11.8.
    half_t = st.t.ppf(0.975, 4) * 2 / math.sqrt(5)
    assert f"{10 - half_t:.1f}" == "7.5"
    assert "reproduced with the t quantile" in mean_ci_check("10.0", "2.0", 5, "7.5", "12.5").note
    assert "with the normal quantile" in mean_ci_check("10.0", "2.0", 5, "8.2", "11.8").note
    assert mean_ci_check("10.0", "2.0", 5, "9.0", "11.0").verdict == "mismatch"
    excluded = mean_ci_check("10.0", "2.0", 5, "10.5", "12.0")
    assert (excluded.verdict, excluded.decisive) == ("mismatch", True)


def test_a_proportion_ci_against_statsmodels():
    low, high = proportion_confint(14, 20, method="beta")
    printed = (f"{100 * low:.1f}", f"{100 * high:.1f}")
    assert "reproduced by Clopper-Pearson" in proportion_ci_check(14, 20, *printed).note
    low, high = proportion_confint(14, 20, method="wilson")
    assert "Wilson" in proportion_ci_check(14, 20, f"{100 * low:.1f}", f"{100 * high:.1f}").note
    assert proportion_ci_check(14, 20, "30.0", "60.0").decisive
