"""PPPASI recomputation, attainability and the agreement check, against independent arithmetic.

The reference formula here is written from the study letter's Table 2 footnote with Fractions
(0.2 per palm, 0.3 per sole), not from pppflow.constants, so a wrong constant or a float
slip in the package shows up as a mismatch.
"""

import itertools
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pppflow.pppasi import (
    PppasiDisagreement,
    attainable_totals_tenths,
    combine_pppasi,
    enforce_agreement,
    points_from_tenths,
    pppasi_check,
    recompute_pppasi,
)

# Each example runs polars queries, whose time varies on a loaded machine: no deadline.
QUERIES = settings(deadline=None)
PAPER_WEIGHTS = {
    "right_palm": Fraction("0.2"),
    "left_palm": Fraction("0.2"),
    "right_sole": Fraction("0.3"),
    "left_sole": Fraction("0.3"),
}
REGIONS = list(PAPER_WEIGHTS)
ITEMS = ("erythema", "pustules", "desquamation", "area")

severity = st.integers(0, 4)
area = st.integers(0, 6)
region_scores = st.tuples(severity, severity, severity, area)
visit_scores = st.fixed_dictionaries({r: region_scores for r in REGIONS})


def reference_pppasi(scores: dict[str, tuple[int, int, int, int]]) -> Fraction:
    return sum(
        ((e + p + d) * a * PAPER_WEIGHTS[r] for r, (e, p, d, a) in scores.items()), Fraction(0)
    )


def components_frame(visits: dict[tuple[str, str], dict]) -> pl.DataFrame:
    rows = [
        {"patient_id": pid, "visit": visit, "region": r, **dict(zip(ITEMS, s, strict=True))}
        for (pid, visit), scores in visits.items()
        for r, s in scores.items()
    ]
    schema = {"patient_id": pl.Utf8, "visit": pl.Utf8, "region": pl.Utf8}
    schema |= {item: pl.Int8 for item in ITEMS}  # as validation writes them
    return pl.DataFrame(rows, schema=schema)


def recomputed_tenths(scores: dict) -> int:
    frame = components_frame({("p", "v"): scores})
    out = recompute_pppasi(frame.lazy()).collect()
    assert out.schema["pppasi_recomputed_tenths"] == pl.Int64
    return out.item(0, "pppasi_recomputed_tenths")


@QUERIES
@given(visit_scores)
def test_recomputed_is_the_exact_formula_in_tenths(scores):
    expected = reference_pppasi(scores) * 10
    assert expected.denominator == 1  # the index always lands on a tenth
    assert recomputed_tenths(scores) == expected


@QUERIES
@given(visit_scores)
def test_recomputed_stays_within_0_and_72(scores):
    assert 0 <= recomputed_tenths(scores) <= 720


def test_range_ends_are_reached():
    assert recomputed_tenths({r: (0, 0, 0, 6) for r in REGIONS}) == 0
    assert recomputed_tenths({r: (4, 4, 4, 0) for r in REGIONS}) == 0
    # 12 x 6 x (0.2 + 0.2 + 0.3 + 0.3) = 72.0; a single sole term alone is 216 tenths, beyond
    # the Int8 the scores arrive in.
    assert recomputed_tenths({r: (4, 4, 4, 6) for r in REGIONS}) == 720


@QUERIES
@given(st.sampled_from(REGIONS), region_scores)
def test_each_region_carries_its_weight(region, scores):
    alone = {r: (scores if r == region else (0, 0, 0, 0)) for r in REGIONS}
    e, p, d, a = scores
    weight_tenths = 2 if region.endswith("palm") else 3
    assert recomputed_tenths(alone) == (e + p + d) * a * weight_tenths


@QUERIES
@given(visit_scores, st.sampled_from(REGIONS), st.integers(0, 3))
def test_raising_any_component_never_lowers_the_total(scores, region, item):
    e, p, d, a = scores[region]
    top = 6 if item == 3 else 4
    values = [e, p, d, a]
    if values[item] == top:
        values[item] -= 1  # raise from one below the top instead
    lower = {**scores, region: tuple(values)}
    values[item] += 1
    higher = {**scores, region: tuple(values)}
    gain = recomputed_tenths(higher) - recomputed_tenths(lower)
    assert gain >= 0
    # It rises strictly exactly when the raised factor multiplies something non-zero.
    other_factor = values[3] if item < 3 else sum(values[:3])
    assert (gain > 0) == (other_factor > 0)


@QUERIES
@given(st.lists(visit_scores, min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_many_visits_in_any_row_order(visits, rng):
    keyed = {(f"p{i % 5}", f"v{i}"): s for i, s in enumerate(visits)}
    frame = components_frame(keyed)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=rng.randint(0, 2**31))
    out = recompute_pppasi(shuffled.lazy()).collect()
    got = {(r["patient_id"], r["visit"]): r["pppasi_recomputed_tenths"] for r in out.to_dicts()}
    assert got == {k: reference_pppasi(s) * 10 for k, s in keyed.items()}


# --- attainability -------------------------------------------------------------------------


def brute_force_totals(severity_max: int, area_max: int) -> set[int]:
    """Every total (tenths) over every score tuple of all four regions: no shortcut."""
    per_region = [
        (e + p + d) * a
        for e, p, d in itertools.product(range(severity_max + 1), repeat=3)
        for a in range(area_max + 1)
    ]
    return {
        2 * (rp + lp) + 3 * (rs + ls) for rp, lp, rs, ls in itertools.product(per_region, repeat=4)
    }


@pytest.mark.parametrize("severity_max, area_max", [(1, 2), (2, 1), (1, 3)])
def test_attainable_totals_match_brute_force_on_small_scales(severity_max, area_max):
    got = attainable_totals_tenths(severity_max, area_max).to_list()
    assert got == sorted(brute_force_totals(severity_max, area_max))


def test_attainable_totals_on_the_real_scales():
    # T = 2X + 3Y with X a sum of two palm terms, Y of two sole terms, a term being s x a
    # (s = e + p + d in 0..12, a in 0..6): built here from the distinct terms directly.
    terms = {s * a for s in range(13) for a in range(7)}
    pair_sums = {t1 + t2 for t1 in terms for t2 in terms}
    expected = sorted({2 * x + 3 * y for x in pair_sums for y in pair_sums})
    assert attainable_totals_tenths().to_list() == expected
    # By hand: 0.1 needs 2X + 3Y = 1, impossible; 0.2 (X = 1) and 0.3 (Y = 1) are fine;
    # 72.0 is every score at its top; 71.9 would need X = 144 (both palms at 72) and
    # 3Y = 431, not a multiple of 3, or X <= 138 (the next pair sum, 72 + 66) and Y > 144.
    assert {1, 719} & set(expected) == set()
    assert {0, 2, 3, 720} <= set(expected)


@QUERIES
@given(visit_scores)
def test_every_recomputed_total_is_attainable(scores):
    assert recomputed_tenths(scores) in set(attainable_totals_tenths().to_list())


# --- tenths for people -----------------------------------------------------------------------


def test_points_are_the_nearest_double_to_each_tenth():
    tenths = list(range(-7300, 7301))
    # Several chunks, as frames read lazily or concatenated arrive.
    series = pl.concat([pl.Series("t", tenths[:5]), pl.Series("t", tenths[5:])], rechunk=False)
    got = pl.DataFrame(series).select(points_from_tenths(pl.col("t")))["t"].to_list()
    assert got == [float(Fraction(t, 10)) for t in tenths]
    assert 28 / 10 == 2.8 and 28 * 0.1 != 2.8  # the slip a division that multiplies makes
    # A missing value stays missing (not NaN), beside exact ones.
    with_null = pl.DataFrame({"t": [28, None, -3]}, schema={"t": pl.Int64})
    assert with_null.select(points_from_tenths(pl.col("t")))["t"].to_list() == [2.8, None, -0.3]


# --- combining and checking ----------------------------------------------------------------

VISITS_SCHEMA = {
    "patient_id": pl.Utf8,
    "visit": pl.Utf8,
    "week": pl.Float64,
    "pppasi_tenths": pl.Int64,
    "pga": pl.Int64,
}


def test_recomputed_total_is_used_where_components_exist():
    visits = pl.DataFrame(
        [
            ("a", "baseline", 0.0, 110, 3),  # components give 12.0: disagrees
            ("a", "week12", 12.0, None, 1),  # components only
            ("b", "baseline", 0.0, 28, 2),  # totals only
        ],
        schema=VISITS_SCHEMA,
        orient="row",
    )
    palm_10x3 = {"right_palm": (4, 3, 3, 3)}  # 10 x 3 x 0.2 = 6.0
    sole_5x4 = {"right_sole": (2, 2, 1, 4)}  # 5 x 4 x 0.3 = 6.0
    zeros = {r: (0, 0, 0, 0) for r in REGIONS}
    components = components_frame(
        {
            ("a", "week12"): zeros | {"left_palm": (1, 0, 0, 1)},  # 0.2
            ("a", "baseline"): zeros | palm_10x3 | sole_5x4,
        }
    )
    pppasi = combine_pppasi(visits.lazy(), components.lazy()).collect()
    assert pppasi.select("patient_id", "visit").rows() == [
        ("a", "baseline"),
        ("a", "week12"),
        ("b", "baseline"),
    ]
    assert pppasi["pppasi_recorded_tenths"].to_list() == [110, None, 28]
    assert pppasi["pppasi_recomputed_tenths"].to_list() == [120, 2, None]
    assert pppasi["pppasi_tenths"].to_list() == [120, 2, 28]
    assert pppasi["pppasi_source"].to_list() == ["recomputed", "recomputed", "recorded"]
    assert pppasi["pga"].to_list() == [3, 1, 2]

    check = pppasi_check(pppasi.lazy()).collect()
    assert check.columns[:5] == [
        "patient_id",
        "visit",
        "pppasi_recorded",
        "pppasi_recomputed",
        "agrees",
    ]
    assert check.rows() == [
        ("a", "baseline", 11.0, 12.0, False, -1.0, True),
        ("a", "week12", None, 0.2, None, None, None),
        ("b", "baseline", 2.8, None, None, None, True),
    ]


def check_of(rows: list[tuple]) -> pl.DataFrame:
    pppasi = pl.DataFrame(
        rows,
        schema={
            "patient_id": pl.Utf8,
            "visit": pl.Utf8,
            "pppasi_recorded_tenths": pl.Int64,
            "pppasi_recomputed_tenths": pl.Int64,
        },
        orient="row",
    )
    return pppasi_check(pppasi.lazy()).collect()


def test_totals_only_are_checked_for_attainability():
    check = check_of(
        [
            ("1", "baseline", 108, None),
            ("2", "baseline", 1, None),  # 0.1: no scores give it
            ("3", "baseline", 719, None),  # 71.9: no scores give it
            ("4", "baseline", 720, None),
            ("5", "baseline", 730, None),  # out of range (validation stops it first)
            ("6", "baseline", None, None),
        ]
    )
    assert check["attainable"].to_list() == [True, False, False, True, False, None]
    assert check["pppasi_recomputed"].is_null().all()
    assert check["agrees"].is_null().all()


def test_warn_lists_each_contradicted_total_and_error_stops():
    check = check_of(
        [
            ("p1", "baseline", 110, 120),
            ("p1", "week12", 12, 12),
            ("p2", "week4", 1, None),
            ("p3", "week4", 12, None),
        ]
    )
    found = enforce_agreement(check, "warn")
    assert [(f.patient_id, f.visit) for f in found] == [("p1", "baseline"), ("p2", "week4")]
    assert "recorded PPPASI 11.0 disagrees with its components, which give 12.0" in (
        found[0].message
    )
    assert "recorded PPPASI 0.1 is not attainable" in found[1].message

    with pytest.raises(PppasiDisagreement) as err:
        enforce_agreement(check, "error")
    text = str(err.value)
    assert text.startswith("2 recorded PPPASI total(s) contradict the formula:")
    assert "patient p1 visit baseline" in text and "patient p2 visit week4" in text
    assert "p3" not in text

    assert enforce_agreement(check.filter(pl.col("patient_id") == "p3"), "error") == []
    with pytest.raises(ValueError, match="pppasi_disagreement 'stop'"):
        enforce_agreement(check, "stop")


@settings(QUERIES, max_examples=50)
@given(st.lists(st.tuples(st.integers(0, 720), st.integers(0, 720)), min_size=1, max_size=30))
def test_agrees_is_exact_equality_of_tenths(pairs):
    check = check_of([(str(i), "v", rec, recomp) for i, (rec, recomp) in enumerate(pairs)])
    assert check["agrees"].to_list() == [rec == recomp for rec, recomp in pairs]
    assert check["difference"].to_list() == [float(Fraction(r - q, 10)) for r, q in pairs]


def test_recompute_handles_a_cohort_without_components():
    visits = pl.DataFrame([("a", "baseline", 0.0, 50, None)], schema=VISITS_SCHEMA, orient="row")
    empty = components_frame({})
    pppasi = combine_pppasi(visits.lazy(), empty.lazy()).collect()
    assert pppasi["pppasi_tenths"].to_list() == [50]
    assert pppasi["pppasi_recomputed_tenths"].to_list() == [None]


def _validated_synthetic(tmp_path):
    from pppflow.synth import SynthSpec, generate_cohort
    from pppflow.validate import CohortFiles, validate_cohort

    cohort = generate_cohort(SynthSpec(n_patients=400, seed=5))
    paths = {}
    for role in ("patients", "visits", "components"):
        paths[role] = str(tmp_path / f"{role}.parquet")
        getattr(cohort, role).write_parquet(paths[role])
    return validate_cohort(
        CohortFiles(**paths, baseline_visit="baseline", endpoint_visit="week12", pga_max=4)
    )


def test_positional_recomputation_equals_the_grouped_one(tmp_path):
    from pppflow.fast_paths.pppasi import pppasi_table, recomputed_by_position

    cohort = _validated_synthetic(tmp_path)
    visits, components = cohort.visits, cohort.components
    grouped = pppasi_table(visits, components, fast_paths=False)
    assert grouped.equals(combine_pppasi(visits.lazy(), components.lazy()).collect())
    # The generator writes each visit's four regions together, in the visits' order.
    assert recomputed_by_position(visits, components) is not None
    assert pppasi_table(visits, components, fast_paths=True).equals(grouped)
    # Another order of the same rows: no longer positional, the grouped path, the same table.
    shuffled = components.sample(fraction=1.0, shuffle=True, seed=3)
    assert recomputed_by_position(visits, shuffled) is None
    assert pppasi_table(visits, shuffled, fast_paths=True).equals(grouped)


def test_positional_path_refuses_a_block_that_mixes_two_visits(tmp_path):
    from pppflow.fast_paths.pppasi import recomputed_by_position

    cohort = _validated_synthetic(tmp_path)
    visits, components = cohort.visits, cohort.components
    # Swap the last row of block 0 with the first row of block 1: counts and block starts
    # stay, but block 0 now holds a row of another visit.
    order = list(range(components.height))
    order[3], order[4] = order[4], order[3]
    swapped = components[order]
    assert recomputed_by_position(visits, swapped) is None
    # Visits in another order than the blocks: refused too.
    assert recomputed_by_position(visits.reverse(), components) is None


def test_a_total_that_disagrees_and_is_unattainable_is_listed_once_as_a_disagreement():
    """0.1 is no total the scales can give, and the components give 12.0: one contradiction of
    that visit, stated against its components."""
    check = check_of([("p1", "baseline", 1, 120)])
    assert check.row(0, named=True)["attainable"] is False
    found = enforce_agreement(check, "warn")
    assert len(found) == 1
    assert "recorded PPPASI 0.1 disagrees with its components, which give 12.0" in (
        found[0].message
    )
    with pytest.raises(PppasiDisagreement, match="^1 recorded PPPASI total"):
        enforce_agreement(check, "error")
