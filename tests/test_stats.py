"""Tests and descriptives against hand calculations, first principles, and independent
implementations (statsmodels, scipy's permutation test); subgroup rates on fixture frames."""

import csv
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from scipy import integrate, optimize
from scipy import stats as sps
from statsmodels.stats.weightstats import ttest_ind as sm_ttest_ind

from pppflow import constants, stats, subgroup_rates
from pppflow.consistency import quantile
from pppflow.derive import with_prior_biologic

# The letter's Table 2, typed from the paper here (not read from resources/): PPPASI before
# treatment and at 12 weeks, cases 1..20, then PGA.
PAPER_PPPASI_BASELINE = [10.8, 6.2, 48.6, 6.4, 5.4, 22.2, 11.2, 11, 10.8, 8.8,
                         12, 6.2, 24, 8.4, 24, 32, 25.8, 21, 27, 32]  # fmt: skip
PAPER_PPPASI_WEEK12 = [0, 0, 3.8, 0, 0, 1.1, 0, 0, 1.2, 1.1,
                       2, 0, 2.2, 1.2, 2.6, 5.2, 1.2, 0, 1.2, 2.6]  # fmt: skip
PAPER_PGA_BASELINE = [2, 2, 5, 2, 2, 4, 2, 3, 2, 2, 2, 2, 3, 2, 4, 4, 3, 2, 3, 3]
PAPER_PGA_WEEK12 = [0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 2, 2, 0, 0, 0, 1]


def scores_frame(baseline_pppasi, endpoint_pppasi, baseline_pga, endpoint_pga) -> pl.DataFrame:
    """A pppasi.parquet-contract frame: PPPASI in integer tenths."""
    n = len(baseline_pppasi)
    ids = [str(i + 1) for i in range(n)]
    rows = []
    for visit, week, pppasi, pga in (
        ("baseline", 0.0, baseline_pppasi, baseline_pga),
        ("week12", 12.0, endpoint_pppasi, endpoint_pga),
    ):
        for pid, p, g in zip(ids, pppasi, pga, strict=True):
            tenths = None if p is None else int(Fraction(str(p)) * 10)
            rows.append(
                {
                    "patient_id": pid,
                    "visit": visit,
                    "week": week,
                    "pppasi_recorded_tenths": tenths,
                    "pppasi_recomputed_tenths": None,
                    "pppasi_tenths": tenths,
                    "pga": g,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "patient_id": pl.Utf8,
            "visit": pl.Utf8,
            "week": pl.Float64,
            "pppasi_recorded_tenths": pl.Int64,
            "pppasi_recomputed_tenths": pl.Int64,
            "pppasi_tenths": pl.Int64,
            "pga": pl.Int64,
        },
    )


@pytest.fixture(scope="module")
def paper_scores() -> pl.DataFrame:
    return scores_frame(
        PAPER_PPPASI_BASELINE, PAPER_PPPASI_WEEK12, PAPER_PGA_BASELINE, PAPER_PGA_WEEK12
    )


@pytest.fixture(scope="module")
def paper_tests(paper_scores) -> pl.DataFrame:
    return stats.outcome_tests(stats.paired_outcomes(paper_scores, "baseline", "week12"), 0.95)


def row(tests: pl.DataFrame, outcome: str, test: str) -> dict:
    return tests.filter((pl.col("outcome") == outcome) & (pl.col("test") == test)).row(
        0, named=True
    )


# --- descriptives -------------------------------------------------------------------------------


def test_descriptives_of_the_paper_by_hand(paper_scores):
    d = stats.descriptives(paper_scores)
    assert d["outcome"].to_list() == ["PPPASI", "PPPASI", "PGA", "PGA"]
    base = d.filter((pl.col("outcome") == "PPPASI") & (pl.col("visit") == "baseline")).row(
        0, named=True
    )
    # Hand sums of Table 2: 353.8 / 20 and 25.4 / 20.
    assert base["n"] == 20 and base["mean"] == 17.69
    assert base["sd"] == pytest.approx(float(np.std(PAPER_PPPASI_BASELINE, ddof=1)), abs=1e-12)
    assert base["sd_population"] == pytest.approx(11.2926, abs=1e-4)
    # Sorted baseline: ... 10.8, 11, 11.2, 12 ... the 10th and 11th are 11.2 and 12.
    assert base["median"] == 11.6
    # type 7: h = 19/4 = 4.75 -> x5 + 0.75 (x6 - x5) = 8.4 + 0.75 * 0.4 = 8.7
    assert base["q1"] == 8.7
    assert (base["min"], base["max"]) == (5.4, 48.6)
    week12 = d.filter((pl.col("outcome") == "PPPASI") & (pl.col("visit") == "week12")).row(
        0, named=True
    )
    assert week12["mean"] == 1.27 and week12["sd_population"] == 1.41
    pga = d.filter((pl.col("outcome") == "PGA") & (pl.col("visit") == "week12")).row(0, named=True)
    # nine grades summing to 9 (five 1s, two 2s): mean 0.45, sum of squares 13.
    assert pga["mean"] == 0.45
    assert pga["sd"] == pytest.approx(math.sqrt((13 - 81 / 20) / 19))


# --- t tests ------------------------------------------------------------------------------------


def test_paired_t_from_first_principles(paper_tests):
    diff = [
        Fraction(str(b)) - Fraction(str(e))
        for b, e in zip(PAPER_PPPASI_BASELINE, PAPER_PPPASI_WEEK12, strict=True)
    ]
    n = len(diff)
    mean = sum(diff) / n
    assert mean == Fraction("16.42")  # (353.8 - 25.4) / 20
    sd = math.sqrt(sum((d - mean) ** 2 for d in diff) / (n - 1))
    t = float(mean) / (sd / math.sqrt(n))
    r = row(paper_tests, "PPPASI", "paired_t")
    assert r["statistic"] == pytest.approx(t, rel=1e-12)
    assert r["df"] == 19
    assert r["p_value"] == pytest.approx(2 * sps.t.sf(t, 19), rel=1e-9)
    half = sps.t.ppf(0.975, 19) * sd / math.sqrt(n)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((16.42 - half, 16.42 + half))
    assert r["statistic"] == pytest.approx(6.9833, abs=5e-5)


def test_independent_t_agrees_with_statsmodels(paper_tests):
    for outcome, base, end in (
        ("PPPASI", PAPER_PPPASI_BASELINE, PAPER_PPPASI_WEEK12),
        ("PGA", PAPER_PGA_BASELINE, PAPER_PGA_WEEK12),
    ):
        t, p, df = sm_ttest_ind(np.array(base, float), np.array(end, float), usevar="pooled")
        r = row(paper_tests, outcome, "independent_t")
        assert (r["statistic"], r["p_value"], r["df"]) == pytest.approx((t, p, df), rel=1e-9)
    # And from the printed-style summaries by hand: pooled SD of two groups of 20.
    b, e = np.array(PAPER_PGA_BASELINE, float), np.array(PAPER_PGA_WEEK12, float)
    pooled = math.sqrt((b.var(ddof=1) + e.var(ddof=1)) / 2)
    t = (b.mean() - e.mean()) / (pooled * math.sqrt(2 / 20))
    assert row(paper_tests, "PGA", "independent_t")["statistic"] == pytest.approx(t)


def test_mean_difference_and_cohens_dz(paper_tests):
    md = row(paper_tests, "PGA", "mean_difference")
    pt = row(paper_tests, "PGA", "paired_t")
    assert md["estimate"] == 2.25
    assert (md["ci_low"], md["ci_high"]) == pytest.approx((pt["ci_low"], pt["ci_high"]), rel=1e-12)
    diff = np.array(PAPER_PGA_BASELINE, float) - np.array(PAPER_PGA_WEEK12, float)
    dz = row(paper_tests, "PGA", "cohens_dz")
    assert dz["estimate"] == pytest.approx(diff.mean() / diff.std(ddof=1))
    # The interval's ends are the noncentrality parameters putting the observed t at 97.5 %
    # and 2.5 % of the noncentral t (its definition), divided by sqrt(n).
    t_obs = dz["estimate"] * math.sqrt(20)
    assert sps.nct.cdf(t_obs, 19, dz["ci_low"] * math.sqrt(20)) == pytest.approx(0.975)
    assert sps.nct.cdf(t_obs, 19, dz["ci_high"] * math.sqrt(20)) == pytest.approx(0.025)
    # ...and near the usual large-sample interval dz +- 1.96 sqrt(1/n + dz^2 / 2n).
    p = row(paper_tests, "PPPASI", "cohens_dz")
    se = math.sqrt(1 / 20 + p["estimate"] ** 2 / 40)
    assert p["ci_low"] == pytest.approx(p["estimate"] - 1.96 * se, abs=0.05)
    assert p["ci_high"] == pytest.approx(p["estimate"] + 1.96 * se, abs=0.05)


# --- Cohen's dz interval -------------------------------------------------------------------------

# The PGA differences (baseline - week 12) of `tools/synth.py --patients 1000 --seed 0`, in
# patient order, each written as difference + 2 (so -2..4 is 0..6): the data on which the stats
# rule crashed, its bracket for the noncentrality reaching ncp = 78.48 where scipy's nct.cdf is
# NaN. Counts: -2: 4, -1: 52, 0: 164, 1: 338, 2: 267, 3: 94, 4: 10.
SYNTH_N1000_PGA_DIFFERENCES = (
    "233323133434442353445433254133433533343345223423443443433243144343232323334235424243345443"
    "133333435334552223335432243162432434234532542433453323344325254243343544231245542234323441"
    "434314532344434254323342222313343243212231306314544545323434244315335163345423344233445433"
    "322335535345432335334414234254443345232233523334633342632322334414241453513322234443412543"
    "344432343525443332345323554324533552444451345244135334243364241242434341323331333345313443"
    "334252313334434414234454223144342253324243332434324332520221243433443455354444346343333440"
    "344343332344322552433243263333431333441444233233134513243433433331331443433242344323354334"
    "242332124234314543233452222422454243533511332244244433233244343545312412624444244234244323"
    "263345324253244325345334234233433544123235331433535233443353542234333511212235234544442422"
    "244233431444340423354335524344343434233533542335523333333344533131444335234333234223134423"
    "35433454144344443133523243343"
)
Z_975 = 1.959963984540054


def nct_cdf_by_quadrature(t: float, df: int, ncp: float) -> float:
    """P(T <= t) for T = (Z + ncp) / sqrt(V / df), V ~ chi2(df): the mean over V of
    Phi(t sqrt(V / df) - ncp), by quadrature (no use of scipy's noncentral t)."""

    def integrand(v: float) -> float:
        return sps.norm.cdf(t * math.sqrt(v / df) - ncp) * sps.chi2.pdf(v, df)

    low, high = sps.chi2.ppf([1e-16, 1 - 1e-16], df)
    return integrate.quad(integrand, low, high, points=[df], epsabs=1e-14, limit=500)[0]


def dz_interval_by_quadrature(diff: np.ndarray) -> tuple[float, float]:
    """The exact 95 % interval of dz from the quadrature CDF, on a bracket far wider than the
    interval (the quadrature is finite everywhere)."""
    n = len(diff)
    t = diff.mean() / diff.std(ddof=1) * math.sqrt(n)
    width = 50 * math.sqrt(1 + t * t / (2 * (n - 1)))

    def ncp_at(tail: float) -> float:
        return optimize.brentq(
            lambda ncp: nct_cdf_by_quadrature(t, n - 1, ncp) - tail,
            t - width,
            t + width,
            xtol=1e-12,
        )

    return ncp_at(0.975) / math.sqrt(n), ncp_at(0.025) / math.sqrt(n)


def normal_dz_interval(dz: float, n: int) -> tuple[float, float]:
    half = Z_975 * math.sqrt(1 / n + dz * dz / (2 * n))
    return dz - half, dz + half


def synth_pga_differences() -> np.ndarray:
    return np.array([int(ch) - 2 for ch in SYNTH_N1000_PGA_DIFFERENCES], dtype=float)


def test_cohens_dz_of_the_cohort_that_crashed_the_stats_rule():
    diff = synth_pga_differences()
    counts = dict(zip(*np.unique(diff, return_counts=True), strict=True))
    assert counts == {-2: 4, -1: 52, 0: 164, 1: 338, 2: 267, 3: 94, 4: 10}
    r = stats.cohens_dz(diff, 0.95)
    # Sum -8 - 52 + 338 + 534 + 282 + 40 = 1134 over 929; sum of squares
    # 16 + 52 + 338 + 1068 + 846 + 160 = 2480 (by hand from the counts).
    mean = 1134 / 929
    dz = mean / math.sqrt((2480 - 929 * mean**2) / 928)
    assert r.estimate == pytest.approx(dz, rel=1e-12)
    assert r.estimate == pytest.approx(1.12334, abs=1e-5)
    assert r.method.endswith("95% interval by inverting the noncentral t")
    t = dz * math.sqrt(929)
    assert sps.nct.cdf(t, 928, r.ci_low * math.sqrt(929)) == pytest.approx(0.975, abs=1e-9)
    assert sps.nct.cdf(t, 928, r.ci_high * math.sqrt(929)) == pytest.approx(0.025, abs=1e-9)
    exact = dz_interval_by_quadrature(diff)
    assert (r.ci_low, r.ci_high) == pytest.approx(exact, abs=1e-7)
    # At n = 929 the large-sample interval is within about 2e-4 of the exact one.
    assert (r.ci_low, r.ci_high) == pytest.approx(normal_dz_interval(dz, 929), abs=1e-3)
    # The quadrature's figures, for the reader: 1.041018 to 1.205288 (normal: 1.041222 to
    # 1.205467).
    assert (r.ci_low, r.ci_high) == pytest.approx((1.041018, 1.205288), abs=1e-6)


def test_cohens_dz_interval_at_large_n_near_the_normal_approximation():
    # The synthetic counts with k more differences of 1: 17 of these 41 samples crashed the
    # former bracket (t +- (10 + |t|)) on a NaN of scipy's noncentral t CDF.
    base = {-2: 4, -1: 52, 0: 164, 1: 338, 2: 267, 3: 94, 4: 10}
    for extra in range(41):
        counts = {**base, 1: base[1] + extra}
        diff = np.repeat(np.array(list(counts), dtype=float), list(counts.values()))
        n = len(diff)
        r = stats.cohens_dz(diff, 0.95)
        assert r.ci_low is not None and r.ci_high is not None, (extra, r.method)
        t = r.estimate * math.sqrt(n)
        assert sps.nct.cdf(t, n - 1, r.ci_low * math.sqrt(n)) == pytest.approx(0.975, abs=1e-9)
        assert sps.nct.cdf(t, n - 1, r.ci_high * math.sqrt(n)) == pytest.approx(0.025, abs=1e-9)
        low, high = normal_dz_interval(r.estimate, n)
        assert r.ci_low == pytest.approx(low, abs=1e-3) and r.ci_high == pytest.approx(
            high, abs=1e-3
        )
        assert r.ci_low < r.estimate < r.ci_high


def test_cohens_dz_interval_at_small_n_is_the_exact_inversion():
    for diff in (
        np.array([1.0, 2.0, 3.0, 5.0, 9.0]),  # n = 5, dz = 4 / sqrt(10)
        np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0]),
        np.array([0.1, -0.4, 0.3, 0.2, 0.0, 0.5]),
    ):
        r = stats.cohens_dz(diff, 0.95)
        assert (r.ci_low, r.ci_high) == pytest.approx(dz_interval_by_quadrature(diff), abs=1e-7)
    r = stats.cohens_dz(np.array([1.0, 2.0, 3.0, 5.0, 9.0]), 0.95)
    assert r.estimate == pytest.approx(4 / math.sqrt(10), rel=1e-12)
    # At n = 5 the exact interval is wider than the normal one and shifted down, far beyond the
    # tolerance above: the comparison tells the two apart.
    low, high = normal_dz_interval(r.estimate, 5)
    assert r.ci_low < low - 0.05 and r.ci_high - r.ci_low > high - low


def test_cohens_dz_interval_beyond_the_exact_limit_is_the_normal_limit():
    n = constants.COHENS_DZ_EXACT_CI_MAX_N + 10_000
    rng = np.random.default_rng(5)
    diff = rng.integers(-20, 60, size=n) / 10
    r = stats.cohens_dz(diff, 0.95)
    dz = diff.mean() / diff.std(ddof=1)
    assert r.estimate == pytest.approx(dz, rel=1e-12)
    assert "normal limit" in r.method and f"n > {constants.COHENS_DZ_EXACT_CI_MAX_N}" in r.method
    half = Z_975 * math.sqrt(1 / n + dz * dz / (2 * (n - 1)))
    assert (r.ci_low, r.ci_high) == pytest.approx((dz - half, dz + half), abs=1e-12)
    assert (r.ci_low, r.ci_high) == pytest.approx(normal_dz_interval(dz, n), abs=1e-6)
    # ...and within 1e-4 of the exact interval, which the limit stands in for.
    assert (r.ci_low, r.ci_high) == pytest.approx(dz_interval_by_quadrature(diff), abs=1e-4)


def test_cohens_dz_interval_only_evaluates_the_cdf_near_its_root(monkeypatch):
    # scipy's noncentral t CDF returns NaN in parts of its far tails: a CDF that is NaN beyond
    # 6 large-sample standard errors of t must still give the interval.
    diff = synth_pga_differences()
    expected = stats.cohens_dz(diff, 0.95)
    t = expected.estimate * math.sqrt(929)
    se = math.sqrt(1 + t * t / (2 * 928))
    cdf = sps.nct.cdf

    def nan_in_the_tails(x, df, ncp):
        return math.nan if abs(ncp - t) > 6 * se else cdf(x, df, ncp)

    monkeypatch.setattr(stats.stats.nct, "cdf", nan_in_the_tails)
    r = stats.cohens_dz(diff, 0.95)
    assert (r.ci_low, r.ci_high) == pytest.approx((expected.ci_low, expected.ci_high), rel=1e-12)


def test_cohens_dz_interval_that_cannot_be_computed_is_empty_with_a_note(monkeypatch):
    monkeypatch.setattr(stats.stats.nct, "cdf", lambda x, df, ncp: math.nan)
    scores = scores_frame(
        PAPER_PPPASI_BASELINE, PAPER_PPPASI_WEEK12, PAPER_PGA_BASELINE, PAPER_PGA_WEEK12
    )
    tests = stats.outcome_tests(stats.paired_outcomes(scores, "baseline", "week12"), 0.95)
    r = row(tests, "PGA", "cohens_dz")
    diff = np.array(PAPER_PGA_BASELINE, float) - np.array(PAPER_PGA_WEEK12, float)
    assert r["estimate"] == pytest.approx(diff.mean() / diff.std(ddof=1))
    assert r["ci_low"] is None and r["ci_high"] is None and r["df"] == 19
    assert "95% interval not computed: the noncentral t CDF is not finite" in r["method"]
    assert "df = 19" in r["method"]
    # The other tests of the row set are untouched.
    assert row(tests, "PGA", "mean_difference")["ci_low"] is not None


def test_t_tests_not_computed_without_variation():
    scores = scores_frame([1.0, 2.0], [0.5, 1.5], [2, 3], [1, 2])  # differences all equal
    tests = stats.outcome_tests(stats.paired_outcomes(scores, "baseline", "week12"), 0.95)
    r = row(tests, "PPPASI", "paired_t")
    assert r["statistic"] is None and r["method"].startswith("not computed")


# --- Wilcoxon -----------------------------------------------------------------------------------


def test_signed_rank_all_one_sign_is_two_over_two_to_the_n(paper_tests):
    # Every PPPASI and PGA difference is positive: only the all-plus and all-minus sign
    # patterns are as extreme, so the exact P is 2 / 2^20 whatever the ties.
    for outcome in ("PPPASI", "PGA"):
        r = row(paper_tests, outcome, "wilcoxon_signed_rank")
        assert r["statistic"] == 0 and r["p_value"] == 2 / 2**20
        assert "exact conditional" in r["method"] and "ties" in r["method"]


def test_signed_rank_exact_matches_scipy_without_ties():
    d = [Fraction(x) for x in (1, -2, 3, 4, -5, 6, 7, 8, 9, -10, 11, 12)]
    w, p, m = stats.signed_rank_exact(d)
    reference = sps.wilcoxon([float(x) for x in d], method="exact")
    assert (float(w), float(p), m) == (reference.statistic, pytest.approx(reference.pvalue), 12)
    r = stats.wilcoxon_exact(np.array([int(x) for x in d]))
    assert r.method.startswith("exact (scipy") and r.p_value == pytest.approx(reference.pvalue)


def test_signed_rank_exact_with_ties_matches_full_permutation():
    d = [Fraction(x) for x in (1, 1, 2, -2, 3, 3, 3, 4, -1, 5)]
    _, p, _ = stats.signed_rank_exact(d)
    reference = sps.wilcoxon(
        [float(x) for x in d], method=sps.PermutationMethod(n_resamples=np.inf)
    )
    assert float(p) == pytest.approx(reference.pvalue, rel=1e-12)


def test_signed_rank_zeros_by_hand():
    # [0, 1, 2, -3]: the zero is dropped; ranks 1, 2, 3; W+ = 3 = W-. W+ over the 8 sign
    # patterns: 0, 1, 2, 3, 3, 4, 5, 6, so P(W+ <= 3) = 5/8 and P = min(1, 10/8) = 1.
    w, p, m = stats.signed_rank_exact([Fraction(x) for x in (0, 1, 2, -3)])
    assert (w, p, m) == (3, 1, 3)
    # [1, 2, 3, 4, 5]: P = 2 / 32.
    assert stats.signed_rank_exact([Fraction(x) for x in range(1, 6)])[1] == Fraction(1, 16)
    r = stats.wilcoxon_exact(np.array([0, 1, 2, -3]))
    assert "1 zero difference(s) dropped" in r.method and r.p_value == 1


def test_midranks_and_hodges_lehmann():
    assert stats.midranks_doubled([Fraction(1), Fraction(1), Fraction(2)]) == [3, 3, 6]
    assert stats.midranks_doubled([Fraction(5), Fraction(1), Fraction(5), Fraction(5)]) == [
        6,
        2,
        6,
        6,
    ]
    # Walsh averages of 1, 2, 3: 1, 1.5, 2, 2, 2.5, 3 -> median 2.
    assert stats.hodges_lehmann(np.array([1, 2, 3])) == 2
    assert stats.hodges_lehmann(np.array([1, 5])) == 3
    # Walsh averages of 1, 2: 1, 1.5, 2 -> 1.5.
    assert stats.hodges_lehmann(np.array([1, 2])) == Fraction(3, 2)
    rng = np.random.default_rng(3)
    for _ in range(10):
        d = rng.integers(-20, 20, size=rng.integers(1, 30))
        walsh = [(d[i] + d[j]) / 2 for i in range(len(d)) for j in range(i, len(d))]
        assert float(stats.hodges_lehmann(d)) == np.median(walsh)


def test_signed_rank_normal_approximation_by_hand():
    # 1..5 all positive: T = min(W+, W-) = 0, mean 7.5, variance 5 * 6 * 11 / 24 = 13.75,
    # continuity correction 0.5: z = (0 - 7.5 + 0.5) / sqrt(13.75).
    r = stats.wilcoxon_normal(np.arange(1, 6))
    z = -7 / math.sqrt(13.75)
    assert r.p_value == pytest.approx(math.erfc(-z / math.sqrt(2)))
    assert f"z = {z:.4f}" in r.method


# --- Shapiro-Wilk -------------------------------------------------------------------------------


def test_shapiro_wilk_original_example():
    # Shapiro & Wilk (1965): weights of 11 men, W = 0.79 as the paper prints it.
    weights = np.array([148, 154, 158, 160, 161, 162, 166, 170, 182, 195, 236], float)
    r = stats.shapiro_wilk(weights)
    assert round(r.statistic, 2) == 0.79 and r.p_value < 0.01


def test_paired_outcomes_needs_both_visits(paper_scores):
    with pytest.raises(stats.StatsInputError, match="endpoint visit 'week24'"):
        stats.paired_outcomes(paper_scores, "baseline", "week24")
    partial = scores_frame([10.0, 20.0, 30.0], [None, 5.0, 0.0], [3, None, 2], [1, 1, 0])
    pairs = stats.paired_outcomes(partial, "baseline", "week12")
    assert pairs.filter(pl.col("outcome") == "PPPASI")["patient_id"].to_list() == ["2", "3"]
    assert pairs.filter(pl.col("outcome") == "PGA")["patient_id"].to_list() == ["1", "3"]


# --- subgroups ----------------------------------------------------------------------------------


def test_subgroup_rates_count_over_evaluable_with_exact_intervals():
    responses = pl.DataFrame(
        {
            "patient_id": ["1", "2", "3", "4", "5"],
            "visit": ["week12"] * 5,
            "week": [12.0] * 5,
            "pppasi50": [True, True, False, None, True],
            "pppasi75": [True, False, False, None, False],
            "pppasi90": [False, False, False, None, False],
            "pppasi100": [False, False, False, None, False],
            "pga_clear_or_almost_clear": [True, True, False, True, None],
            "pga_improved_2_grades": [True, False, False, True, None],
        }
    )
    patients = pl.DataFrame(
        {
            "patient_id": ["1", "2", "3", "4", "5"],
            "dose_mg": [15.0, 15.0, 30.0, 15.0, None],
            "previous_treatments": ["Adalimumab 40 mg", None, "TCM", "ixekizumab", "untreated"],
        }
    )
    rates = subgroup_rates.subgroup_response_rates(
        responses, with_prior_biologic(patients), ["dose_mg", "prior_biologic", "absent"], 0.95
    )
    assert set(rates["grouping"]) == {"dose_mg", "prior_biologic"}
    dose15 = rates.filter((pl.col("grouping") == "dose_mg") & (pl.col("group") == "15"))
    p50 = dose15.filter(pl.col("endpoint") == "PPPASI50").row(0, named=True)
    # Patients 1, 2, 4 on 15 mg; 4 is not evaluable (null): 2 of 2.
    assert (p50["responders"], p50["evaluable"], p50["rate"]) == (2, 2, 1.0)
    pga = dose15.filter(pl.col("endpoint") == "PGA0/1").row(0, named=True)
    assert (pga["responders"], pga["evaluable"]) == (3, 3)
    assert rates.filter(pl.col("grouping") == "dose_mg")["group"].unique(
        maintain_order=True
    ).to_list() == ["15", "30", "missing"]
    biologic = rates.filter(
        (pl.col("grouping") == "prior_biologic")
        & (pl.col("group") == "true")
        & (pl.col("endpoint") == "PPPASI75")
    ).row(0, named=True)
    # Patients 1 and 4 had a biologic; 4 not evaluable: 1 of 1.
    assert (biologic["responders"], biologic["evaluable"]) == (1, 1)
    low, high = sps.binomtest(2, 3).proportion_ci(0.95, method="exact")
    no_bio = rates.filter(
        (pl.col("grouping") == "prior_biologic")
        & (pl.col("group") == "false")
        & (pl.col("endpoint") == "PPPASI50")
    ).row(0, named=True)
    assert (no_bio["responders"], no_bio["evaluable"]) == (2, 3)
    assert (no_bio["ci_low"], no_bio["ci_high"]) == pytest.approx((low, high), abs=1e-6)
    assert subgroup_rates.absent_group_columns(patients, ["dose_mg", "absent"]) == ["absent"]


def test_prior_biologic_is_whole_word_and_case_insensitive():
    patients = pl.DataFrame(
        {
            "patient_id": ["1", "2", "3", "4"],
            "previous_treatments": ["ADALIMUMAB", "Secukinumab, then MTX", "xadalimumabx", None],
        }
    )
    assert with_prior_biologic(patients)["prior_biologic"].to_list() == [True, True, False, False]
    assert "prior_biologic" not in with_prior_biologic(patients.drop("previous_treatments")).columns


def test_a_registry_sized_cohort_takes_the_large_sample_paths():
    rng = np.random.default_rng(11)
    n = 6000
    baseline = rng.integers(50, 400, size=n) / 10
    endpoint = np.minimum(baseline, rng.integers(0, 100, size=n) / 10)
    pga_base = rng.integers(2, 5, size=n)
    scores = scores_frame(
        baseline.tolist(), endpoint.tolist(), pga_base.tolist(), (pga_base - 1).tolist()
    )
    tests = stats.outcome_tests(stats.paired_outcomes(scores, "baseline", "week12"), 0.95)
    exact = row(tests, "PPPASI", "wilcoxon_signed_rank")
    assert exact["p_value"] is None and "exact P not computed" in exact["method"]
    assert exact["estimate"] is None and "no Hodges-Lehmann estimate" in exact["method"]
    assert row(tests, "PPPASI", "wilcoxon_signed_rank_normal")["p_value"] < 1e-10
    assert "N > 5000" in row(tests, "PPPASI", "shapiro_wilk")["method"]
    d = stats.descriptives(scores)
    base = d.filter((pl.col("outcome") == "PPPASI") & (pl.col("visit") == "baseline")).row(
        0, named=True
    )
    assert base["mean"] == pytest.approx(baseline.mean(), rel=1e-12)
    assert base["q3"] == pytest.approx(np.percentile(baseline, 75), rel=1e-12)


def test_every_table_dates_a_visit_by_the_median_of_its_recorded_weeks():
    """Week 12 seen at weeks 10 and 12 (15 mg) and 13 and 16 (30 mg): every table dates it
    12.5 (the cohort's median), not 10 (the minimum), 12.75 (the mean), nor each group's own
    median (11 and 14.5)."""
    from pppflow.response import classify_responses, response_rates

    ids = ["1", "2", "3", "4"]
    scores = pl.DataFrame(
        {
            "patient_id": ids * 2,
            "visit": ["baseline"] * 4 + ["week12"] * 4,
            "week": [0, 0, 0, 0, 10, 12, 13, 16],
            "pppasi_tenths": [100, 80, 60, 40, 10, 70, 20, 40],
            "pga": [4, 3, 3, 2, 1, 3, 0, 2],
        },
        schema_overrides={"pppasi_tenths": pl.Int64, "pga": pl.Int64},
    )
    patients = pl.DataFrame({"patient_id": ids, "dose_mg": [15.0, 15.0, 30.0, 30.0]})
    responses = classify_responses(scores.lazy(), "baseline", "observed").collect()
    rates = response_rates(responses.lazy(), "observed", 0.95)
    subgroups = subgroup_rates.subgroup_response_rates(responses, patients, ["dose_mg"], 0.95)
    described = stats.descriptives(scores).filter(pl.col("visit") == "week12")
    assert set(rates.filter(pl.col("visit") == "week12")["week"]) == {12.5}
    assert set(subgroups["week"]) == {12.5}
    assert set(subgroups["group"]) == {"15", "30"}
    assert described["week"].to_list() == [12.5, 12.5]


# --- subgroup rates of declared responders (tests/cohorts/outcomes_demo) -----------------------

OUTCOMES_DEMO = Path(__file__).resolve().parent / "cohorts" / "outcomes_demo"
# The cohort's responder rules, written out again: (outcome column, at_most, improves_by).
DEMO_RULES = {
    "dlqi:0/1": ("dlqi", 1, None),
    "dlqi:improvement >= 4": ("dlqi", None, 4),
    "itch:improvement >= 4": ("itch_nrs", None, 4),
    "itch:0/1 and improvement >= 4": ("itch_nrs", 1, 4),
}


def _demo_rows(name: str) -> list[dict]:
    with open(OUTCOMES_DEMO / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def demo_subgroup_counts(rule: str, grouping: str, arm_of=None) -> dict:
    """(group, endpoint, visit) -> [responders, evaluable] of the declared responders, counted
    in plain Python from the CSVs: a patient with a baseline row, at each follow-up visit; the
    value at the visit (under locf the last one seen at a follow-up visit), a rule with
    improves_by needs the baseline value; observed leaves a patient without the value out, nri
    counts them as non-responders when the rule can be judged. `arm_of`: keep one arm's
    patients, (column, value)."""
    patients = {p["patient_id"]: p for p in _demo_rows("patients.csv")}
    value = {}
    for v in _demo_rows("visits.csv"):
        for column in ("dlqi", "itch_nrs"):
            value[v["patient_id"], v["visit"], column] = int(v[column]) if v[column] else None
    counts: dict = {}
    for pid, patient in patients.items():
        if arm_of is not None and patient[arm_of[0]] != arm_of[1]:
            continue
        group = patient[grouping] or "missing"
        for endpoint, (column, at_most, improves_by) in DEMO_RULES.items():
            base = value.get((pid, "baseline", column))
            carried = None
            for visit in ("week4", "week12"):
                at = value.get((pid, visit, column))
                carried = at if at is not None else carried
                if rule == "locf":
                    at = carried
                tally = counts.setdefault((group, endpoint, visit), [0, 0])
                if improves_by is not None and base is None:
                    continue  # not evaluable
                if at is None:
                    if rule == "nri":
                        tally[1] += 1
                    continue
                ok = (at_most is None or at <= at_most) and (
                    improves_by is None or base - at >= improves_by
                )
                tally[0] += ok
                tally[1] += 1
    return counts


def demo_subgroup_rates(rule: str, assignment: pl.DataFrame | None = None) -> pl.DataFrame:
    """subgroup_rates.csv of outcomes_demo as the response job makes it: the built-in endpoints
    judged from the scores, the declared responders by outcomes.declared_judgements on the
    responses' rows (as the response job writes them), per arm when `assignment` is given."""
    from pppflow.arms import per_arm_rows
    from pppflow.locf import carry_forward
    from pppflow.outcomes import (
        declared_judgements,
        outcome_units,
        outcome_wide,
        outcomes_from_config,
    )
    from pppflow.response import classify_responses

    config = yaml.safe_load((OUTCOMES_DEMO / "config.yaml").read_text(encoding="utf-8"))
    declared = outcomes_from_config(config["cohorts"]["outcomes_demo"]["outcomes"])
    visits = pl.read_csv(OUTCOMES_DEMO / "visits.csv", schema_overrides={"patient_id": pl.Utf8})
    scores = visits.select(
        "patient_id",
        "visit",
        pl.col("week").cast(pl.Float64),
        (pl.col("pppasi") * 10).round(0).cast(pl.Int64).alias("pppasi_tenths"),
        pl.col("pga").cast(pl.Int64),
    )
    patients = pl.read_csv(OUTCOMES_DEMO / "patients.csv")
    # As the response job: locf judges as observed, then carries the last follow-up visit.
    responses = classify_responses(
        scores.lazy(), "baseline", "observed" if rule == "locf" else rule
    ).collect()
    if rule == "locf":
        responses = carry_forward(responses)
    wide = outcome_wide(scores, outcome_units(visits, declared), declared)
    judged = declared_judgements(
        wide, responses.select("patient_id", "visit"), declared, "baseline", rule
    )
    more = [o.endpoint(r) for o in declared for r in o.responders]
    joined = responses.with_columns(judged.select(more))
    assert more == list(DEMO_RULES)
    return per_arm_rows(
        lambda keep, arm: subgroup_rates.subgroup_response_rates(
            keep(joined), patients, ["dose_mg", "sex"], 0.95, more
        ),
        assignment,
        "F" if assignment is not None else None,
        after="visit",
    )


@pytest.mark.parametrize("rule", ["observed", "nri", "locf"])
def test_subgroup_rates_of_declared_responders_count_as_by_hand(rule):
    rates = demo_subgroup_rates(rule)
    declared = rates.filter(pl.col("endpoint").is_in(list(DEMO_RULES)))
    for grouping in ("dose_mg", "sex"):
        expected = demo_subgroup_counts(rule, grouping)
        got = {
            (r["group"], r["endpoint"], r["visit"]): [r["responders"], r["evaluable"]]
            for r in declared.filter(pl.col("grouping") == grouping).iter_rows(named=True)
        }
        assert got == expected
    # After the built-in endpoints, in the config's order; each rate with its exact interval.
    assert rates["endpoint"].unique(maintain_order=True).to_list()[-4:] == list(DEMO_RULES)
    row = declared.filter(
        (pl.col("grouping") == "dose_mg")
        & (pl.col("group") == "15")
        & (pl.col("endpoint") == "dlqi:0/1")
        & (pl.col("visit") == "week12")
    ).row(0, named=True)
    low, high = sps.binomtest(row["responders"], row["evaluable"]).proportion_ci(
        0.95, method="exact"
    )
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-6)


def test_subgroup_rates_of_declared_responders_per_arm():
    """Each arm's rows count that arm's patients alone (here the sexes stand for two arms)."""
    patients = pl.read_csv(OUTCOMES_DEMO / "patients.csv")
    assignment = patients.select(pl.col("patient_id").cast(pl.Utf8), pl.col("sex").alias("arm"))
    rates = demo_subgroup_rates("nri", assignment)
    assert rates["arm"].unique(maintain_order=True).to_list() == [None, "F", "M"]
    for arm in ("F", "M"):
        expected = demo_subgroup_counts("nri", "dose_mg", arm_of=("sex", arm))
        got = {
            (r["group"], r["endpoint"], r["visit"]): [r["responders"], r["evaluable"]]
            for r in rates.filter(
                (pl.col("arm") == arm)
                & (pl.col("grouping") == "dose_mg")
                & pl.col("endpoint").is_in(list(DEMO_RULES))
            ).iter_rows(named=True)
        }
        assert got == expected


def test_subgroup_rates_golden_of_outcomes_demo_has_the_declared_responders_by_hand():
    """The workflow's own subgroup_rates.csv (its golden, which test_golden checks the
    workflow against) counts the declared responders as the plain count does."""
    golden = pl.read_csv(
        Path(__file__).resolve().parent / "golden" / "outcomes_demo" / "subgroup_rates.csv",
        schema_overrides={"group": pl.Utf8},
    )
    rows = golden.filter(
        pl.col("grouping") == "dose_mg", pl.col("endpoint").is_in(list(DEMO_RULES))
    )
    got = {
        (r["group"], r["endpoint"], r["visit"]): [r["responders"], r["evaluable"]]
        for r in rows.iter_rows(named=True)
    }
    assert got == demo_subgroup_counts("observed", "dose_mg")


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 100, 1001])
def test_order_statistics_place_what_the_quartiles_min_and_max_read(n):
    """The descriptives' partial sort: every quartile, the minimum and the maximum as a full
    sort and numpy's type-7 quantile give them."""
    rng = np.random.default_rng(n)
    values = rng.integers(0, 50, n)
    placed = stats.order_statistics(values.copy(), stats.QUARTILES)
    ordered = np.sort(values)
    assert placed[0] == ordered[0] and placed[-1] == ordered[-1]
    for p in stats.QUARTILES:
        assert quantile(placed, p, presorted=True) == quantile(ordered, p, presorted=True)
        assert float(quantile(placed, p, presorted=True)) == pytest.approx(
            np.quantile(values, float(p)), abs=1e-12
        )
    assert sorted(placed.tolist()) == ordered.tolist()


@pytest.mark.parametrize(
    "n, low, high",
    # Scores narrower than the sample (the counting sort, negative changes too), and wider
    # (the partial sort).
    [(1000, -300, 300), (200, 0, 7), (50, -(10**6), 10**6), (3, 5, 5)],
)
def test_order_statistics_sort_integers_of_any_spread_as_numpy_does(n, low, high):
    values = np.random.default_rng(n).integers(low, high + 1, n)
    placed = stats.order_statistics(values.copy(), stats.QUARTILES)
    assert placed.dtype == values.dtype
    assert sorted(placed.tolist()) == sorted(values.tolist())
    assert placed[0] == values.min() and placed[-1] == values.max()
    for p in stats.QUARTILES:
        assert float(quantile(placed, p, presorted=True)) == pytest.approx(
            np.quantile(values, float(p)), abs=1e-9
        )


@pytest.mark.parametrize(
    "n, low, high", [(12, -3, 4), (40, -2, 3), (300, -50, 60), (5000, -30, 40), (30, 0, 5)]
)
def test_signed_rank_normal_is_scipys_to_the_last_bit(n, low, high):
    """Ranks counted instead of sorted: the statistic, z and P scipy gives, on differences
    with ties and zeros (and, over the counting span, scipy itself)."""
    rng = np.random.default_rng(n)
    units = rng.integers(low, high, n)
    expected = sps.wilcoxon(
        units.astype(float), zero_method="wilcox", correction=True, method="asymptotic"
    )
    statistic, z, p_value = stats.signed_rank_normal(units)
    assert (statistic, z, p_value) == (
        float(expected.statistic),
        float(expected.zstatistic),
        float(expected.pvalue),
    )
    spread = units * 10**9  # a span no count array should be allocated for
    assert stats.signed_rank_normal(spread)[2] == pytest.approx(p_value, rel=1e-12)
