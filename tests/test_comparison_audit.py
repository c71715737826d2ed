"""Claims about a trial's arms (issue 14), audited against hand-made comparison frames: each kind
matching, a mismatch that changes nothing, one decisive because the P crosses alpha or the
direction flips, and a P exactly at alpha; and the claims file's rules for the kinds."""

import polars as pl
import pytest

from pppflow import audit
from pppflow.claims import ClaimsInvalid, estimate_and_interval, parse_claims

COMPARISONS = pl.DataFrame(
    [
        # 12/20 vs 4/20: a difference of exactly 40 points.
        ("PPPASI75", "week16", "drug", "placebo", 12, 20, 4, 20, 0.4, 0.1102, 0.6204)
        + (3.0, 1.18, 7.63, 6.0, 1.46, 24.7, 0.0202, None, "observed"),
        # A Fisher P exactly at alpha.
        ("PPPASI50", "week16", "drug", "placebo", 15, 20, 7, 20, 0.4, 0.0871, 0.6318)
        + (2.14, 1.13, 4.05, 5.57, 1.4, 22.1, 0.05, 0.031, "observed"),
        # The same endpoint and visit under two missing-data rules.
        ("PPPASI90", "week16", "drug", "placebo", 5, 20, 1, 20, 0.2, -0.02, 0.42)
        + (5.0, 0.64, 39.0, 6.33, 0.67, 60.0, 0.18, None, "observed"),
        ("PPPASI90", "week16", "drug", "placebo", 5, 22, 1, 22, 0.1818, -0.03, 0.39)
        + (5.0, 0.63, 39.5, 6.18, 0.66, 58.0, 0.19, None, "nri"),
    ],
    schema={
        "endpoint": pl.Utf8,
        "visit": pl.Utf8,
        "arm": pl.Utf8,
        "reference_arm": pl.Utf8,
        "responders": pl.Int64,
        "evaluable": pl.Int64,
        "reference_responders": pl.Int64,
        "reference_evaluable": pl.Int64,
        "rate_difference": pl.Float64,
        "difference_ci_low": pl.Float64,
        "difference_ci_high": pl.Float64,
        "risk_ratio": pl.Float64,
        "risk_ratio_ci_low": pl.Float64,
        "risk_ratio_ci_high": pl.Float64,
        "odds_ratio": pl.Float64,
        "odds_ratio_ci_low": pl.Float64,
        "odds_ratio_ci_high": pl.Float64,
        "p_fisher": pl.Float64,
        "p_cmh": pl.Float64,
        "missing": pl.Utf8,
    },
    orient="row",
)
CONTINUOUS = pl.DataFrame(
    [("PPPASI change", "week16", "drug", "placebo", 27, 25, -6.2, -9.04, -3.36, 0.0001)],
    schema={
        "outcome": pl.Utf8,
        "visit": pl.Utf8,
        "arm": pl.Utf8,
        "reference_arm": pl.Utf8,
        "n": pl.Int64,
        "reference_n": pl.Int64,
        "ls_mean_difference": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
        "p_value": pl.Float64,
    },
    orient="row",
)
TIME_TO_RESPONSE = pl.DataFrame(
    [
        ("PPPASI75", "placebo", 20, 4, None, 16.0, None, 0.004),
        ("PPPASI75", "drug", 20, 12, 8.0, 4.0, 12.0, 0.004),
    ],
    schema={
        "endpoint": pl.Utf8,
        "arm": pl.Utf8,
        "n": pl.Int64,
        "events": pl.Int64,
        "median_weeks": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
        "p_logrank": pl.Float64,
    },
    orient="row",
)
EMPTY = pl.DataFrame()


def inputs(with_arms: bool = True) -> audit.AuditInputs:
    arms = (COMPARISONS, CONTINUOUS, TIME_TO_RESPONSE) if with_arms else (None, None, None)
    return audit.AuditInputs(EMPTY, EMPTY, EMPTY, EMPTY, 0.05, *arms)


def claim(cid: str, kind: str, reported: str, refers_to: str) -> str:
    return f'  - {{id: {cid}, quote: "q", reported: "{reported}", kind: {kind}, refers_to: {refers_to}}}\n'


def run(claims_yaml: str, with_arms: bool = True) -> dict[str, dict]:
    claims = parse_claims("cohort: trial\nsource: a trial\nclaims:\n" + claims_yaml, "trial")
    return {
        r["claim_id"]: r
        for r in audit.audit_claims(claims, inputs(with_arms)).iter_rows(named=True)
    }


PPPASI75 = "{endpoint: PPPASI75, visit: week16, arm: drug, reference_arm: placebo}"
PPPASI50 = "{endpoint: PPPASI50, visit: week16, arm: drug}"


def verdicts(rows: dict[str, dict]) -> dict[str, tuple[str, bool]]:
    return {cid: (row["verdict"], row["decisive"]) for cid, row in rows.items()}


def test_rate_difference():
    rows = run(
        claim("match", "rate_difference", "40.0% (95% CI 11.0 to 62.0)", PPPASI75)
        + claim("plain", "rate_difference", "40%", PPPASI75)
        + claim("rd_off", "rate_difference", "38.0%", PPPASI75)
        + claim("flipped", "rate_difference", "-40.0%", PPPASI75)
        + claim("ci_crosses_0", "rate_difference", "40.0 (−5.0 to 62.0)", PPPASI75)
        + claim("ci_off", "rate_difference", "40.0 (12.0 to 62.0)", PPPASI75)
    )
    assert verdicts(rows) == {
        "match": ("match", False),
        "plain": ("match", False),
        "rd_off": ("mismatch", False),
        "flipped": ("mismatch", True),
        "ci_crosses_0": ("mismatch", True),
        "ci_off": ("mismatch", False),
    }
    # Exact, from the counts, and the CI from the file, at the printed decimals.
    assert rows["match"]["recomputed"] == "40.0 (11.0 to 62.0)"
    assert "12/20 vs 4/20" in rows["match"]["note"]
    assert "the direction differs" in rows["flipped"]["note"]
    assert "one CI leaves out 0, the other does not" in rows["ci_crosses_0"]["note"]
    assert "the CI differs" in rows["ci_off"]["note"]


def test_risk_and_odds_ratios_flip_on_the_other_side_of_1():
    rows = run(
        claim("rr", "risk_ratio", "3.00 (1.18 to 7.63)", PPPASI75)
        + claim("rr_off", "risk_ratio", "3.2", PPPASI75)
        + claim("rr_below_1", "risk_ratio", "0.33", PPPASI75)
        + claim("or", "odds_ratio", "6.0 (1.5 to 24.7)", PPPASI75)
        + claim("or_ci_over_1", "odds_ratio", "6.0 (0.9 to 24.7)", PPPASI75)
    )
    assert verdicts(rows) == {
        "rr": ("match", False),
        "rr_off": ("mismatch", False),
        "rr_below_1": ("mismatch", True),
        "or": ("match", False),
        "or_ci_over_1": ("mismatch", True),
    }
    assert rows["rr"]["recomputed"] == "3.00 (1.18 to 7.63)"


def test_comparison_p_values_decisive_across_alpha_and_exactly_at_it():
    fisher = "{endpoint: PPPASI75, visit: week16, arm: drug, test: fisher}"
    at_alpha = "{endpoint: PPPASI50, visit: week16, arm: drug, test: fisher}"
    rows = run(
        claim("p", "comparison_p_value", "P = 0.02", fisher)
        + claim("p_below", "comparison_p_value", "P < 0.05", fisher)
        + claim("p_off", "comparison_p_value", "P = 0.03", fisher)
        + claim("p_across", "comparison_p_value", "P > 0.05", fisher)
        + claim("at_alpha", "comparison_p_value", "P = 0.05", at_alpha)
        + claim("at_alpha_as_below", "comparison_p_value", "P < 0.05", at_alpha)
        + claim("at_alpha_as_above", "comparison_p_value", "P ≥ 0.05", at_alpha)
        + claim(
            "cmh",
            "comparison_p_value",
            "P = 0.03",
            "{endpoint: PPPASI50, visit: week16, arm: drug, test: cmh}",
        )
        + claim(
            "no_cmh",
            "comparison_p_value",
            "P = 0.03",
            "{endpoint: PPPASI75, visit: week16, arm: drug, test: cmh}",
        )
    )
    assert verdicts(rows) == {
        "p": ("match", False),
        "p_below": ("match", False),
        # Still below alpha: a wrong number, the same conclusion.
        "p_off": ("mismatch", False),
        "p_across": ("mismatch", True),
        # P < alpha is significant: a P of exactly alpha is not.
        "at_alpha": ("match", False),
        "at_alpha_as_below": ("mismatch", True),
        "at_alpha_as_above": ("match", False),
        "cmh": ("match", False),
        "no_cmh": ("not_checkable", False),
    }
    assert rows["p"]["recomputed"] == "P = 0.02"
    assert "on the other side of alpha = 0.05" in rows["p_across"]["note"]
    assert "no cmh P" in rows["no_cmh"]["note"]


def test_ls_mean_difference():
    change = "{outcome: PPPASI change, visit: week16, arm: drug}"
    rows = run(
        claim("ls", "ls_mean_difference", "-6.2 (-9.0 to -3.4)", change)
        + claim("ls_off", "ls_mean_difference", "-6.0", change)
        + claim("ls_flipped", "ls_mean_difference", "6.2", change)
        + claim(
            "ls_percent",
            "ls_mean_difference",
            "-40",
            "{outcome: PPPASI percent change, visit: week16, arm: drug}",
        )
    )
    assert verdicts(rows) == {
        "ls": ("match", False),
        "ls_off": ("mismatch", False),
        "ls_flipped": ("mismatch", True),
        "ls_percent": ("not_checkable", False),
    }
    assert rows["ls"]["recomputed"] == "-6.2 (-9.0 to -3.4)"


def test_median_time_to_response_per_arm():
    drug = "{endpoint: PPPASI75, arm: drug}"
    placebo = "{endpoint: PPPASI75, arm: placebo}"
    rows = run(
        claim("median", "median_time_to_response", "8 weeks", drug)
        + claim("median_ci", "median_time_to_response", "8.0 (4.0 to 12.0) weeks", drug)
        + claim("median_off", "median_time_to_response", "10 weeks", drug)
        + claim("not_reached", "median_time_to_response", "not reached", placebo)
        + claim("reached", "median_time_to_response", "16 weeks", placebo)
        + claim("said_not_reached", "median_time_to_response", "not reached", drug)
    )
    assert verdicts(rows) == {
        "median": ("match", False),
        "median_ci": ("match", False),
        "median_off": ("mismatch", False),
        "not_reached": ("match", False),
        "reached": ("mismatch", True),
        "said_not_reached": ("mismatch", True),
    }
    assert rows["median_ci"]["recomputed"] == "8.0 (4.0 to 12.0)"
    assert rows["reached"]["recomputed"] == "not reached"


def test_a_row_is_chosen_by_the_missing_rule_when_there_are_several():
    observed = "{endpoint: PPPASI90, visit: week16, arm: drug, missing: observed}"
    rows = run(
        claim(
            "ambiguous", "rate_difference", "20.0", "{endpoint: PPPASI90, visit: week16, arm: drug}"
        )
        + claim("observed", "rate_difference", "20.0", observed)
        + claim("nri", "rate_difference", "18.2", observed.replace("observed", "nri"))
    )
    assert verdicts(rows) == {
        "ambiguous": ("not_checkable", False),
        "observed": ("match", False),
        "nri": ("match", False),
    }
    assert "name the reference_arm or the missing rule" in rows["ambiguous"]["note"]


def test_claims_about_arms_are_not_checkable_without_the_comparison_files():
    rows = run(
        claim("rd", "rate_difference", "40.0", PPPASI75)
        + claim("median", "median_time_to_response", "8", "{endpoint: PPPASI75, arm: drug}")
        + claim("other_arm", "rate_difference", "40.0", PPPASI75.replace("drug", "high")),
        with_arms=False,
    )
    assert verdicts(rows) == {
        "rd": ("not_checkable", False),
        "median": ("not_checkable", False),
        "other_arm": ("not_checkable", False),
    }
    assert (
        rows["rd"]["note"] == "not checkable: no comparisons.csv: the cohort has no arms configured"
    )
    assert (
        "no row of comparisons.csv"
        in run(claim("x", "rate_difference", "1", PPPASI75.replace("drug", "high")))["x"]["note"]
    )


@pytest.mark.parametrize(
    ("reported", "parsed"),
    [
        ("25.0", ("25.0", None)),
        ("25.0% (95% CI 11.0 to 62.0)", ("25.0", ("11.0", "62.0"))),
        ("−4.5 (−6.8 to −2.2)", ("-4.5", ("-6.8", "-2.2"))),
        ("3 (1.2–7.6)", ("3", ("1.2", "7.6"))),
    ],
)
def test_estimate_and_interval(reported, parsed):
    assert estimate_and_interval(reported) == parsed


@pytest.mark.parametrize(
    ("kind", "reported", "refers_to", "problem"),
    [
        ("comparison_p_value", "P = 0.03", f"{PPPASI75[:-1]}, test: chi2}}", "one of fisher, cmh"),
        ("comparison_p_value", "0.03", f"{PPPASI75[:-1]}, test: fisher}}", "a P reads like"),
        ("rate_difference", "40 to 62", PPPASI75, "an estimate, or an estimate and its CI"),
        ("rate_difference", "40 (62 to 11)", PPPASI75, "write it 'low to high'"),
        ("risk_ratio", "3.0", f"{PPPASI75[:-1]}, missing: lofc}}", "one of observed, nri, locf"),
        ("odds_ratio", "3.0", "{endpoint: PPPASI75, visit: week16}", "needs ['arm']"),
        ("ls_mean_difference", "-6", "{outcome: PPPASI change, arm: drug}", "needs ['visit']"),
        ("median_time_to_response", "soon", "{endpoint: PPPASI75}", "an estimate"),
    ],
)
def test_claims_file_rules_of_the_kinds_about_arms(kind, reported, refers_to, problem):
    with pytest.raises(ClaimsInvalid, match=problem.replace("[", r"\[").replace("(", r"\(")):
        parse_claims("cohort: t\nsource: s\nclaims:\n" + claim("c", kind, reported, refers_to), "t")
