"""Rounding, GRIM, GRIMMER, DEBIT and the SD conventions, against published examples and hand
calculations, and against brute force over real integer samples."""

import itertools
import statistics
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pppflow.consistency import (
    Moments,
    debit,
    grim_informative,
    grim_percent,
    grim_totals,
    grimmer,
    parse_printed,
    quantile,
    round_half_up,
    rounds_to,
    sd_conventions_matching,
    sqrt_round_half_up,
    sqrt_rounds_to,
)

# --- printed numbers and rounding ----------------------------------------------------------------


def test_a_printed_number_keeps_its_trailing_zero():
    p = parse_printed("2.70")
    assert (p.value, p.decimals) == (Fraction(27, 10), 2)
    assert (p.low, p.high) == (Fraction("2.695"), Fraction("2.705"))


def test_the_unrounded_interval_is_closed_on_both_ends():
    # 2.695 rounds half up to 2.70, 2.705 half down to 2.70: both are accepted.
    assert rounds_to(Fraction("2.695"), "2.70")
    assert rounds_to(Fraction("2.705"), "2.70")
    assert not rounds_to(Fraction("2.6949"), "2.70")
    assert not rounds_to(Fraction("2.7051"), "2.70")
    # A half-way value matches both neighbours; decimal, not binary: 2.675 is exact here,
    # while the float 2.675 is 2.67499999... and Python's round gives 2.67.
    assert rounds_to(Fraction("2.675"), "2.68") and rounds_to(Fraction("2.675"), "2.67")
    assert round(2.675, 2) == 2.67


def test_round_half_up_is_exact_decimal_rounding():
    assert round_half_up(Fraction(1, 8), 2) == "0.13"
    assert round_half_up(Fraction("2.675"), 2) == "2.68"
    assert round_half_up(Fraction(-5, 2), 0) == "-3"
    assert round_half_up(Fraction(994, 20), 2) == "49.70"
    assert round_half_up(Fraction(1, 3), 0) == "0"
    assert round_half_up(Fraction(7, 200), 3) == "0.035"


def test_sqrt_rounding_never_takes_a_float_square_root():
    assert sqrt_round_half_up(2, 4) == "1.4142"  # sqrt 2 = 1.41421356...
    assert sqrt_round_half_up(Fraction(1, 16), 1) == "0.3"  # exactly 0.25: a tie, up
    assert sqrt_round_half_up(Fraction(81, 100), 2) == "0.90"
    assert sqrt_rounds_to(Fraction(81, 100), "0.90")
    assert sqrt_rounds_to(Fraction(81, 100), "0.9")
    assert not sqrt_rounds_to(Fraction(81, 100), "0.91")
    # 0.905^2 = 0.819025 is the top of the interval of 0.90, included.
    assert sqrt_rounds_to(Fraction("0.819025"), "0.90")
    assert not sqrt_rounds_to(Fraction("0.819026"), "0.90")


def test_quantile_is_type_7_as_numpy():
    assert quantile([1, 2, 3, 4], Fraction(1, 4)) == Fraction(7, 4)  # h = 0.75: 1 + 0.75
    assert quantile([1, 2, 3, 4], Fraction(1, 2)) == Fraction(5, 2)
    assert quantile([5], Fraction(3, 4)) == 5
    rng = np.random.default_rng(7)
    for _ in range(20):
        data = rng.integers(0, 100, size=rng.integers(1, 15)).tolist()
        for p in (0.25, 0.5, 0.75):
            assert float(quantile(data, Fraction(p))) == pytest.approx(np.percentile(data, p * 100))


# --- SD conventions ------------------------------------------------------------------------------


def test_moments_give_both_sd_conventions_exactly():
    # The letter's PGA at baseline (Table 2): eleven 2s, five 3s, three 4s and one 5.
    pga = [2] * 11 + [3] * 5 + [4] * 3 + [5]
    m = Moments.of(pga)
    assert (m.n, m.total, m.sum_squares) == (20, 54, 44 + 45 + 48 + 25)
    # squared deviations: 162 - 54^2 / 20 = 16.2
    assert m.variance("n") == Fraction(81, 100)
    assert m.variance("n-1") == Fraction(162, 190)
    assert float(m.variance("n-1")) == pytest.approx(statistics.variance(pga))
    assert float(m.variance("n")) == pytest.approx(statistics.pvariance(pga))
    # The letter prints 0.90: the population SD (0.9 exactly); the sample SD is 0.9234.
    assert sd_conventions_matching(m, "0.90") == ("n",)
    assert sd_conventions_matching(m, "0.92") == ("n-1",)
    assert sd_conventions_matching(m, "0.9") == ("n-1", "n")
    assert sd_conventions_matching(m, "0.95") == ()


# --- GRIM ----------------------------------------------------------------------------------------


def test_grim_brown_and_heathers_example():
    # Brown & Heathers (2017): a mean of 5.19 from 28 integer responses is impossible:
    # 145 / 28 = 5.1786 and 146 / 28 = 5.2143.
    assert not grim("5.19", 28)
    assert grim("5.18", 28) and grim("5.21", 28)


def test_grim_scrutiny_reference_vector():
    # scrutiny's test-grim.R: 5.19 ... 5.30 with n = 28.
    means = [f"5.{k}" for k in range(19, 31)]
    expected = [False, False, True, False, False, False, True, False, False, False, True, False]
    assert [grim(m, 28) for m in means] == expected


def test_grim_with_items_scrutiny_reference():
    # scrutiny: 0.150 ... 0.159, n = 120, items = 3 (means of 3 integer items).
    means = [f"0.15{k}" for k in range(10)]
    expected = [True, False, False, True, False, False, True, False, True, False]
    assert [grim(m, 120, items=3) for m in means] == expected


def test_grim_percentages_scrutiny_reference():
    # scrutiny: 6 % ... 16 % with n = 50 alternate, since each person is 2 %.
    assert [bool(grim_percent(str(p), 50)) for p in range(6, 17)] == [
        p % 2 == 0 for p in range(6, 17)
    ]
    assert list(grim_percent("50", 20)) == [10]
    assert list(grim_percent("33", 20)) == []  # 6/20 = 30 %, 7/20 = 35 %


def test_grim_apgar_and_allard_examples():
    # INSPECT-SR check 4.8: Apgar means 8.96 and 9.96 are impossible for 30 infants.
    assert not grim("8.96", 30) and not grim("9.96", 30)
    assert grim("9.93", 30)  # 298 / 30
    # Allard (2018), after Brown & Heathers: 3.45 from 10 participants (34.5 is no total).
    assert not grim("3.45", 10)


def grim(mean: str, n: int, items: int = 1) -> bool:
    """GRIM (Brown & Heathers 2017): can n integer responses (each the mean of ``items``
    integer items) have the printed mean? The audit asks grim_totals for the totals."""
    return len(grim_totals(mean, n * items)) > 0


def test_grim_is_informative_only_when_the_means_of_n_are_coarser_than_the_printed_step():
    # Means of n integers are multiples of 1/n. At 1/n equal to the printed step (0.1 for
    # n = 10, 0.01 for n = 100) every printed mean is some total's: GRIM cannot fail.
    assert not grim_informative("5.2", 10) and grim_informative("5.2", 9)
    assert not grim_informative("5.19", 100) and grim_informative("5.19", 99)
    assert all(grim(f"5.{k}", 10) for k in range(10))
    assert not all(grim(f"5.{k}", 9) for k in range(10))
    # In tenths (PPPASI): means of 10 are multiples of 0.01, the printed step; of 9, coarser.
    assert not grim_informative("17.69", 10, Fraction(1, 10))
    assert grim_informative("17.69", 9, Fraction(1, 10))


def test_grim_in_tenths_and_when_it_is_uninformative():
    # PPPASI is a multiple of 0.1: 20 of them have a mean on a 0.005 grid, finer than 0.01.
    assert list(grim_totals("17.69", 20, Fraction(1, 10))) == [3537, 3538, 3539]
    assert not grim_informative("17.69", 20, Fraction(1, 10))
    assert grim_informative("49.50", 20) and grim("49.50", 20)
    assert not grim_informative("5.19", 200)


# --- GRIMMER -------------------------------------------------------------------------------------


def test_grimmer_rsprite2_examples():
    # rsprite2's GRIMMER tests: (5.21, 1.6, 28) possible; (3.44, 2.47, 18) fails on parity:
    # total 62 (even) but the only sum of squares in range, 317, is odd.
    assert grimmer("5.21", "1.6", 28).consistent
    result = grimmer("3.44", "2.47", 18)
    assert (result.consistent, result.failed) == (False, "test 3")


def test_grimmer_apgar_example():
    # INSPECT-SR: mean 9.93, SD 0.18, n 30. Total 298; Q in 29 * [0.175^2, 0.185^2] + 298^2/30
    # = [2961.02, 2961.13]: no integer, test 1 fails.
    result = grimmer("9.93", "0.18", 30)
    assert (result.consistent, result.failed) == (False, "test 1")


def test_grimmer_grim_step_first():
    assert grimmer("5.19", "1.00", 28).failed == "GRIM"


def test_grimmer_by_hand_for_the_letters_pga():
    # PGA at week 12, printed 0.45 +- 0.60, n 20: total 9, T^2/n = 4.05.
    # n-1: Q in 19 * [0.595^2, 0.605^2] + 4.05 = [10.776, 11.004]: Q = 11, odd like 9: possible.
    sample = grimmer("0.45", "0.60", 20, convention="n-1")
    assert sample.consistent and sample.solutions == ((9, 11),)
    # n: Q in 20 * [0.354025, 0.366025] + 4.05 = [11.13, 11.37]: no integer.
    assert grimmer("0.45", "0.60", 20, convention="n").failed == "test 1"
    # PGA at baseline, 2.70 +- 0.90: n-1 gives Q in 19 * [0.801025, 0.819025] + 145.8 =
    # [161.02, 161.36]: none; n gives [161.82, 162.18]: Q = 162, even like 54.
    assert grimmer("2.70", "0.90", 20, convention="n-1").failed == "test 1"
    assert grimmer("2.70", "0.90", 20, convention="n").solutions == ((54, 162),)


def test_grimmer_scales_by_unit():
    # PPPASI 17.69 +- 11.29 in points is 176.9 +- 112.9 in tenths: same verdicts.
    for convention in ("n-1", "n"):
        in_points = grimmer("17.69", "11.29", 20, Fraction(1, 10), convention)
        in_tenths = grimmer("176.9", "112.9", 20, 1, convention)
        assert in_points == in_tenths


def _printed(value: Fraction, decimals: int) -> str:
    return round_half_up(value, decimals)


@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(st.integers(min_value=0, max_value=10), min_size=2, max_size=40),
    decimals=st.integers(min_value=1, max_value=3),
)
def test_grimmer_never_rejects_real_integer_data(data, decimals):
    m = Moments.of(data)
    mean = _printed(m.mean, decimals)
    for convention in ("n-1", "n"):
        sd = sqrt_round_half_up(m.variance(convention), decimals)
        assert grimmer(mean, sd, len(data), convention=convention).consistent, (mean, sd)


def test_grimmer_rejections_have_no_sample_by_brute_force():
    # Every multiset of 4 values in 0..6: which printed (mean, SD) pairs exist? A GRIMMER
    # rejection must be absent from this set (GRIMMER's conditions are necessary).
    achievable = set()
    for sample in itertools.combinations_with_replacement(range(7), 4):
        m = Moments.of(sample)
        achievable.add((_printed(m.mean, 2), sqrt_round_half_up(m.variance("n-1"), 2)))
    rejected = 0
    for total in range(0, 25):
        mean = _printed(Fraction(total, 4), 2)
        for sd_hundredths in range(0, 360):
            sd = _printed(Fraction(sd_hundredths, 100), 2)
            if not grimmer(mean, sd, 4).consistent:
                rejected += 1
                assert (mean, sd) not in achievable
    assert rejected > 5000  # the check did run over a real grid


# --- DEBIT ---------------------------------------------------------------------------------------


def test_debit_scrutiny_examples():
    # scrutiny test-debit.R: 1 of 20 has SD sqrt(1 * 19 / (20 * 19)) = 0.2236 -> 0.22, not 0.21.
    assert debit("0.05", "0.21", 20) == ()
    assert debit("0.05", "0.22", 20) == (1,)
    # 884 / 1683 = 0.5253 ... 900 / 1683 = 0.5348 all print 0.53, with SD 0.50.
    assert debit("0.53", "0.50", 1683) == tuple(range(884, 901))
    # 50 ones in 100: SD 0.5025 -> 0.503.
    assert 50 in debit("0.50", "0.503", 100)


def test_debit_accepts_every_real_binary_sample():
    for n in (5, 8, 20, 37):
        for k in range(n + 1):
            mean = _printed(Fraction(k, n), 2)
            sd = sqrt_round_half_up(Fraction(k * (n - k), n * (n - 1)), 2)
            assert k in debit(mean, sd, n), (k, n)


def test_debit_population_convention():
    # 10 of 20: population SD is exactly 0.5, sample SD 0.5130 -> 0.51.
    assert 10 in debit("0.50", "0.50", 20, convention="n")
    assert 10 not in debit("0.50", "0.50", 20, convention="n-1")
