"""Claims checked from the printed numbers alone: every claim of a cohort without patient data,
and the summary kinds (percentage, statistic, p_from_summaries, confidence_interval) of any
cohort. Each kind maps its claim onto a check of pppflow.summary_checks."""

import re
from fractions import Fraction
from functools import cache

from pppflow.claims import Claim, Claims, percent_value, summary_key
from pppflow.consistency import SD_CONVENTIONS, parse_printed
from pppflow.summary_checks import (
    MISMATCH,
    NOT_CHECKABLE,
    Check,
    Group,
    Scale,
    grim_mean,
    mean_ci_check,
    paired_check,
    percent_check,
    proportion_ci_check,
    sd_check,
    statistic_check,
    two_sample_check,
)

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
DEFAULT_LEVEL = Fraction(95, 100)
NEEDS_DATA = "needs the patient data, which this cohort does not have"


class MissingKey(Exception):
    """A summary check needs a key the claim does not give (a cohort with data may omit it)."""


def _n(claim: Claim, claims: Claims) -> int:
    n = summary_key(claim, claims, "n")
    if n is None:
        raise MissingKey(f"claim {claim.id} gives no n (refers_to.n)")
    return int(n)


def _scale(claim: Claim, claims: Claims) -> Scale:
    spec = summary_key(claim, claims, "scale")
    if spec is None:
        raise MissingKey(f"claim {claim.id} gives no scale (refers_to.scale)")
    return Scale.of(spec)


def _group(sd_claim: Claim, claims: Claims) -> Group:
    mean = claims.by_id(sd_claim.refers_to["mean_claim"])
    return Group(
        parse_printed(mean.reported), parse_printed(sd_claim.reported), _n(sd_claim, claims)
    )


def check_mean(claim: Claim, claims: Claims, alpha: Fraction) -> Check:
    return grim_mean(claim.reported, _n(claim, claims), _scale(claim, claims))


@cache
def _sd_check(mean: str, sd: str, n: int, scale: Scale) -> Check:
    return sd_check(mean, sd, n, scale)


def _sd_of(claim: Claim, claims: Claims) -> Check:
    mean = claims.by_id(claim.refers_to["mean_claim"]).reported
    return _sd_check(mean, claim.reported, _n(claim, claims), _scale(claim, claims))


def _only_convention(check: Check) -> str | None:
    """The one SD convention under which the printed SD is possible, if only one is."""
    possible = [c for c in SD_CONVENTIONS if f"{c}: possible" in check.recomputed.split("; ")]
    return possible[0] if len(possible) == 1 else None


def check_sd(claim: Claim, claims: Claims, alpha: Fraction) -> Check:
    """GRIMMER / DEBIT and SPRITE; and, since a paper computes its SDs one way, the other SD
    claims of the file possible only under the other convention."""
    check = _sd_of(claim, claims)
    only = _only_convention(check)
    if only is None:
        return check
    others = []
    for other in claims.claims:
        if other.kind != "sd" or other.id == claim.id:
            continue
        try:
            other_only = _only_convention(_sd_of(other, claims))
        except MissingKey:
            continue
        if other_only not in (None, only):
            others.append(f"{other.id} (only {other_only})")
    if not others:
        return check
    note = f"possible only with {only}, unlike {', '.join(others)}: no one SD convention gives both"
    return Check(check.verdict, check.decisive, f"{check.note}; {note}", check.recomputed)


def check_percentage(claim: Claim, claims: Claims, alpha: Fraction) -> Check:
    n = int(claim.refers_to["n"])
    count = claim.refers_to.get("count")
    check = percent_check(percent_value(claim.reported), n, count)
    if check.verdict == MISMATCH and count is not None:
        off = abs(Fraction(count) - parse_printed(percent_value(claim.reported)).value * n / 100)
        return Check(check.verdict, off >= 1, check.note, check.recomputed)
    return check


def check_statistic(claim: Claim, claims: Claims, alpha: Fraction) -> Check:
    r = claim.refers_to
    return statistic_check(
        r["test"], str(r["statistic"]), tuple(r.get("df", ())), claim.reported, alpha
    )


def _comparison(test: str, a: Group, b: Group, printed: str, alpha: Fraction) -> Check:
    if test == "paired_t":
        return paired_check(a, b, printed, alpha)
    return two_sample_check(a, b, test == "independent_t", printed, alpha)


def check_p_from_summaries(claim: Claim, claims: Claims, alpha: Fraction) -> Check:
    """The first test is the one the paper names and gives the verdict; any other is a reading
    shown for information only (a two-sample test of paired data is not a valid reading)."""
    a, b = (_group(claims.by_id(i), claims) for i in claim.refers_to["sd_claims"])
    first, *others = claim.refers_to["tests"]
    if "paired_t" in claim.refers_to["tests"] and a.n != b.n:
        raise MissingKey(f"a paired comparison has one n, the SDs give {a.n} and {b.n}")
    main = _comparison(first, a, b, claim.reported, alpha)
    informational = [
        f"for information only, {_comparison(t, a, b, claim.reported, alpha).note}" for t in others
    ]
    return Check(
        main.verdict, main.decisive, "; ".join([main.note, *informational]), main.recomputed
    )


def check_confidence_interval(claim: Claim, claims: Claims, alpha: Fraction) -> Check:
    r = claim.refers_to
    low, high = NUMBER.findall(claim.reported)
    level = Fraction(str(r.get("level", DEFAULT_LEVEL)))
    if r["of"] == "mean":
        group = _group(claims.by_id(r["sd_claim"]), claims)
        return mean_ci_check(group.mean.text, group.sd.text, group.n, low, high, level)
    percent = "%" in claim.reported
    return proportion_ci_check(int(r["count"]), int(r["n"]), low, high, level, percent)


def check_response_rate(claim: Claim, claims: Claims, alpha: Fraction) -> Check:
    if "n" not in claim.refers_to:
        return Check(NOT_CHECKABLE, False, f"not checkable: {NEEDS_DATA} (or an n)")
    return percent_check(percent_value(claim.reported), int(claim.refers_to["n"]))


SUMMARY_CHECKS = {
    "mean": check_mean,
    "sd": check_sd,
    "percentage": check_percentage,
    "statistic": check_statistic,
    "p_from_summaries": check_p_from_summaries,
    "confidence_interval": check_confidence_interval,
    "response_rate": check_response_rate,
}


def check_summary_claim(claim: Claim, claims: Claims, alpha: Fraction) -> Check:
    if claim.kind == "not_checkable":
        return Check(NOT_CHECKABLE, False, f"not checkable: {claim.reason}")
    check = SUMMARY_CHECKS.get(claim.kind)
    if check is None:
        return Check(NOT_CHECKABLE, False, f"not checkable: a {claim.kind} claim {NEEDS_DATA}")
    try:
        return check(claim, claims, alpha)
    except MissingKey as reason:
        return Check(NOT_CHECKABLE, False, f"not checkable: {reason}")
