"""claims.yaml: the quantitative claims a paper makes about its cohort, parsed and checked.

The kinds and what each `refers_to` holds are documented in the header of
resources/zheng2024/claims.yaml; `REFERS_TO` below is the same list as code. Parsing collects
every problem (claim id, field, what is wrong) before it raises, as validation does.
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl
import yaml

from pppflow import constants as c
from pppflow.consistency import parse_printed
from pppflow.summary_checks import P_TEXT, STATISTIC_DF, Scale

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")

# Per kind: (required refers_to keys, optional refers_to keys).
REFERS_TO: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "count": (frozenset(), frozenset({"where"})),
    "exists": (frozenset({"where"}), frozenset()),
    "mentions": (frozenset({"column", "terms"}), frozenset({"where"})),
    "patient_value": (frozenset({"column", "where"}), frozenset()),
    "value_set": (frozenset({"column"}), frozenset()),
    "mean": (frozenset({"variable"}), frozenset({"visit", "n", "scale"})),
    "sd": (frozenset({"variable", "mean_claim"}), frozenset({"visit", "n", "scale"})),
    "median": (frozenset({"variable"}), frozenset({"visit"})),
    "range": (frozenset({"variable"}), frozenset({"visit"})),
    "response_rate": (frozenset({"endpoint", "visit"}), frozenset({"n"})),
    "p_value": (frozenset({"outcome", "tests"}), frozenset()),
    "all_patients": (
        frozenset({"variable", "visit"}),
        frozenset({"where", "at_most", "improved_by_at_least", "from_visit"}),
    ),
    # Kinds checked from the printed numbers alone (pppflow.summary_checks), with or without data.
    "percentage": (frozenset({"n"}), frozenset({"count", "variable", "visit"})),
    "statistic": (frozenset({"test", "statistic"}), frozenset({"df"})),
    "p_from_summaries": (frozenset({"sd_claims", "tests"}), frozenset()),
    "confidence_interval": (frozenset({"of"}), frozenset({"sd_claim", "count", "n", "level"})),
    # Kinds about a trial's arms (issue 14), checked against the between-arm results
    # (comparisons.csv, continuous_comparisons.csv, time_to_response.csv).
    "rate_difference": (
        frozenset({"endpoint", "visit", "arm"}),
        frozenset({"reference_arm", "missing"}),
    ),
    "risk_ratio": (
        frozenset({"endpoint", "visit", "arm"}),
        frozenset({"reference_arm", "missing"}),
    ),
    "odds_ratio": (
        frozenset({"endpoint", "visit", "arm"}),
        frozenset({"reference_arm", "missing"}),
    ),
    "comparison_p_value": (
        frozenset({"endpoint", "visit", "arm", "test"}),
        frozenset({"reference_arm", "missing"}),
    ),
    "median_time_to_response": (frozenset({"endpoint"}), frozenset({"arm"})),
    "ls_mean_difference": (frozenset({"outcome", "visit", "arm"}), frozenset({"reference_arm"})),
    "not_checkable": (frozenset(), frozenset()),
}
SUMMARY_KINDS = ("percentage", "statistic", "p_from_summaries", "confidence_interval")
# Tests p_from_summaries recomputes from two groups' printed means, SDs and n.
SUMMARY_TESTS = ("paired_t", "independent_t", "welch_t")
CI_OF = ("mean", "proportion")
KINDS = tuple(REFERS_TO)
# The between-arm kinds printing an estimate, optionally with its CI ("25.0 (11.0 to 62.0)"),
# and the value of no difference each is compared with.
COMPARISON_ESTIMATES: dict[str, int] = {
    "rate_difference": 0,
    "risk_ratio": 1,
    "odds_ratio": 1,
    "ls_mean_difference": 0,
}
# The tests of comparisons.csv a comparison_p_value names, by their P column.
COMPARISON_TESTS: dict[str, str] = {"fisher": "p_fisher", "cmh": "p_cmh"}
# The missing-data rules a comparison may have been judged under (comparisons.csv's `missing`).
COMPARISON_MISSING = ("observed", "nri", "locf")
NOT_REACHED = "not reached"
_ESTIMATE_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def estimate_and_interval(reported: str) -> tuple[str, tuple[str, str] | None]:
    """A printed estimate and its CI as printed numbers: "25.0" -> ("25.0", None);
    "25.0% (95% CI 11.0 to 62.0)" -> ("25.0", ("11.0", "62.0")): the first number and, with
    three or more, the last two (a "95%" in between is the level). A minus sign (U+2212) reads
    as "-". Raises ValueError for no number or exactly two."""
    numbers = _ESTIMATE_NUMBER.findall(reported.replace("\u2212", "-"))
    if len(numbers) == 1:
        return numbers[0], None
    if len(numbers) >= 3:
        return numbers[0], (numbers[-2], numbers[-1])
    raise ValueError(
        f"an estimate, or an estimate and its CI ('25.0 (11.0 to 62.0)'), got {reported!r}"
    )


# Operators of a `where` condition: {column: <name>, <operator>: <operand>}.
CONDITION_OPERATORS = ("equals", "in", "contains_any", "contains_none", "not_empty", "is_empty")


@dataclass(frozen=True)
class Claim:
    id: str
    quote: str
    reported: str
    kind: str
    refers_to: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    # Context the audit adds to its note (how the claim was read), e.g. "PsA = joint pain".
    comment: str | None = None


@dataclass(frozen=True)
class Claims:
    cohort: str
    source: str
    claims: tuple[Claim, ...]

    def by_id(self, claim_id: str) -> Claim:
        return next(claim for claim in self.claims if claim.id == claim_id)


DRAFT_PROBLEM = (
    "field draft | a draft written by `make claims`: review every claim (kind, reported, "
    "refers_to), delete the ones that are not claims, then remove `draft: true`"
)

# A problem quotes at most this much: a value pasted in by mistake (or a YAML bomb's
# expansion) never floods the log, and the list of every claim kind still fits.
PROBLEM_MAX_CHARS = 500


def _short(problem: str) -> str:
    if len(problem) <= PROBLEM_MAX_CHARS:
        return problem
    return problem[:PROBLEM_MAX_CHARS] + f"… ({len(problem)} characters)"


class ClaimsInvalid(ValueError):
    def __init__(self, source: str, problems: list[str]):
        problems = [_short(p) for p in problems]
        self.source = source
        self.problems = problems
        lines = [f"{source}: {len(problems)} problem(s) in the claims file:"]
        lines += [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


def _condition_problems(where: Any, where_label: str) -> list[str]:
    if not isinstance(where, list) or not where:
        return [f"{where_label}: must be a non-empty list of conditions"]
    problems = []
    for i, condition in enumerate(where):
        label = f"{where_label}[{i}]"
        if not isinstance(condition, dict) or not isinstance(condition.get("column"), str):
            problems.append(f"{label}: a condition is a mapping with a `column`")
            continue
        operators = [k for k in condition if k != "column"]
        if len(operators) != 1 or operators[0] not in CONDITION_OPERATORS:
            problems.append(
                f"{label}: needs exactly one operator of {', '.join(CONDITION_OPERATORS)}, "
                f"got {operators}"
            )
            continue
        operator, operand = operators[0], condition[operators[0]]
        if operator in ("in", "contains_any", "contains_none") and (
            not isinstance(operand, list) or not operand
        ):
            problems.append(f"{label}: `{operator}` takes a non-empty list")
        if operator in ("not_empty", "is_empty") and operand is not True:
            problems.append(f"{label}: `{operator}` takes `true`")
    return problems


def _claim_problems(raw: Any, index: int) -> tuple[Claim | None, list[str]]:
    if not isinstance(raw, dict):
        return None, [f"claims[{index}]: a claim is a mapping"]
    cid = raw.get("id")
    label = f"claim {cid}" if isinstance(cid, str) else f"claims[{index}]"
    problems = []
    if not isinstance(cid, str) or not ID_PATTERN.match(cid):
        problems.append(f"{label} | field id | must be snake_case text, got {cid!r}")
    for name in ("quote", "reported"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            problems.append(f"{label} | field {name} | must be non-empty text (quote it in YAML)")
    kind = raw.get("kind")
    if kind not in REFERS_TO:
        problems.append(f"{label} | field kind | {kind!r} is not one of {', '.join(KINDS)}")
        return None, problems
    unknown = set(raw) - {"id", "quote", "reported", "kind", "refers_to", "reason", "comment"}
    if unknown:
        problems.append(f"{label} | unknown field(s) {sorted(unknown)}")
    refers_to = raw.get("refers_to") or {}
    if not isinstance(refers_to, dict):
        problems.append(f"{label} | field refers_to | must be a mapping")
        refers_to = {}
    required, optional = REFERS_TO[kind]
    missing = required - set(refers_to)
    extra = set(refers_to) - required - optional
    if missing:
        problems.append(f"{label} | field refers_to | kind {kind} needs {sorted(missing)}")
    if extra:
        problems.append(f"{label} | field refers_to | kind {kind} does not take {sorted(extra)}")
    if "where" in refers_to:
        problems += [f"{label} | {p}" for p in _condition_problems(refers_to["where"], "where")]
    if kind == "not_checkable" and not (isinstance(raw.get("reason"), str) and raw["reason"]):
        problems.append(f"{label} | field reason | a not_checkable claim says why")
    if kind in ("response_rate", "percentage") and isinstance(raw.get("reported"), str):
        if not PERCENT.match(raw["reported"]):
            problems.append(
                f"{label} | field reported | a {kind.replace('_', ' ')} is a percentage, "
                f"got {raw['reported']!r}"
            )
    if kind in ("mean", "sd") and isinstance(raw.get("reported"), str):
        try:
            parse_printed(raw["reported"])
        except ValueError:
            problems.append(
                f"{label} | field reported | a {kind} is a plain decimal number, "
                f"got {raw['reported']!r}"
            )
    problems += [f"{label} | {p}" for p in _summary_kind_problems(kind, raw, refers_to)]
    problems += [f"{label} | {p}" for p in _comparison_kind_problems(kind, raw, refers_to)]
    if kind == "all_patients" and len({"at_most", "improved_by_at_least"} & set(refers_to)) != 1:
        problems.append(f"{label} | field refers_to | one of at_most, improved_by_at_least")
    if kind == "p_value" and not (isinstance(refers_to.get("tests"), list) and refers_to["tests"]):
        problems.append(f"{label} | field refers_to.tests | a non-empty list of test names")
    if kind == "mentions" and not (isinstance(refers_to.get("terms"), list) and refers_to["terms"]):
        problems.append(f"{label} | field refers_to.terms | a non-empty list")
    if problems:
        return None, problems
    claim = Claim(
        id=cid,
        quote=raw["quote"],
        reported=raw["reported"],
        kind=kind,
        refers_to=refers_to,
        reason=raw.get("reason"),
        comment=raw.get("comment"),
    )
    return claim, []


def _summary_kind_problems(kind: str, raw: dict, refers_to: dict) -> list[str]:
    """What the summary kinds, and the summary keys of mean and sd, must hold."""
    problems = []
    reported = raw.get("reported") if isinstance(raw.get("reported"), str) else ""
    if "scale" in refers_to:
        try:
            Scale.of(refers_to["scale"])
        except (KeyError, ValueError, TypeError, ZeroDivisionError) as err:
            problems.append(f"field refers_to.scale | {{min, max, step, lattice?}}: {err}")
    if kind in ("statistic", "p_from_summaries") and not P_TEXT.match(reported):
        problems.append(
            f"field reported | a P reads like 'P < 0.05' or 'P = 0.031', got {reported!r}"
        )
    if kind == "statistic":
        test, df = refers_to.get("test"), refers_to.get("df", [])
        if test not in STATISTIC_DF:
            problems.append(
                f"field refers_to.test | one of {', '.join(STATISTIC_DF)}, got {test!r}"
            )
        elif len(df) != STATISTIC_DF[test]:
            problems.append(
                f"field refers_to.df | a {test} takes {STATISTIC_DF[test]} df, got {df}"
            )
        try:
            parse_printed(str(refers_to.get("statistic")))
        except ValueError:
            problems.append("field refers_to.statistic | the printed statistic, e.g. '2.31'")
    if kind == "p_from_summaries":
        if len(refers_to.get("sd_claims", [])) != 2:
            problems.append("field refers_to.sd_claims | the ids of two sd claims")
        unknown = [t for t in refers_to.get("tests", []) if t not in SUMMARY_TESTS]
        if not refers_to.get("tests") or unknown:
            problems.append(
                f"field refers_to.tests | a non-empty list of {', '.join(SUMMARY_TESTS)}"
            )
    if kind == "confidence_interval":
        of = refers_to.get("of")
        if of not in CI_OF:
            problems.append(f"field refers_to.of | one of {', '.join(CI_OF)}, got {of!r}")
        needs = {"mean": {"sd_claim"}, "proportion": {"count", "n"}}.get(of, set())
        if needs - set(refers_to):
            problems.append(f"field refers_to | a CI of a {of} needs {sorted(needs)}")
        numbers = re.findall(r"-?\d+(?:\.\d+)?", reported)
        if len(numbers) != 2:
            problems.append(f"field reported | a CI prints two bounds, got {reported!r}")
    return problems


def _comparison_kind_problems(kind: str, raw: dict, refers_to: dict) -> list[str]:
    """What the between-arm kinds must hold: a printed estimate (and CI, low to high), a P, a
    known test and missing-data rule."""
    problems = []
    reported = raw.get("reported") if isinstance(raw.get("reported"), str) else ""
    if "missing" in refers_to and refers_to["missing"] not in COMPARISON_MISSING:
        problems.append(
            f"field refers_to.missing | one of {', '.join(COMPARISON_MISSING)}, "
            f"got {refers_to['missing']!r}"
        )
    if kind == "comparison_p_value":
        if not P_TEXT.match(reported):
            problems.append(
                f"field reported | a P reads like 'P < 0.05' or 'P = 0.031', got {reported!r}"
            )
        if refers_to.get("test") not in COMPARISON_TESTS:
            problems.append(
                f"field refers_to.test | one of {', '.join(COMPARISON_TESTS)}, "
                f"got {refers_to.get('test')!r}"
            )
    wants_estimate = kind in COMPARISON_ESTIMATES or (
        kind == "median_time_to_response" and reported.strip().lower() != NOT_REACHED
    )
    if wants_estimate and reported:
        try:
            _, interval = estimate_and_interval(reported)
        except ValueError as err:
            return [*problems, f"field reported | {err}"]
        if interval is not None and float(interval[0]) > float(interval[1]):
            problems.append(
                f"field reported | the CI's low bound is above its high one in {reported!r} "
                "(write it 'low to high')"
            )
    return problems


# The kinds whose refers_to.endpoint names a responder endpoint (response_rates.csv's,
# comparisons.csv's, time_to_response.csv's), and p_value's outcome (tests.csv's).
ENDPOINT_KINDS = (
    "response_rate",
    "rate_difference",
    "risk_ratio",
    "odds_ratio",
    "comparison_p_value",
    "median_time_to_response",
)
BUILT_IN_ENDPOINTS: tuple[str, ...] = (
    *(f"{c.PPPASI_ENDPOINT_PREFIX}{x}" for x in c.PPPASI_RESPONSE_THRESHOLDS),
    *c.PGA_ENDPOINTS,
)
BUILT_IN_OUTCOMES: tuple[str, ...] = (c.PPPASI_OUTCOME, c.PGA_OUTCOME)
ENDPOINT_SEPARATOR = ":"  # `<outcome>:<responder>`, as pppflow.outcomes names them


def _listed(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "none"


def name_problems(
    claims: "Claims",
    declared: Mapping[str, Sequence[str]],
    derived_outcomes: Sequence[str] = (),
) -> list[str]:
    """The endpoints and outcomes the claims name that the cohort's results cannot have: an
    endpoint is a built-in one (PPPASI50 ... PGA≥2) or `<outcome>:<responder>` of an outcome
    the cohort declares (`declared`: outcome -> its responders' names); a p_value's outcome is
    PPPASI, PGA, a declared outcome or one derived from the components (`derived_outcomes`).
    Spelt exactly as the results files spell them."""
    endpoints = [
        *BUILT_IN_ENDPOINTS,
        *(f"{o}{ENDPOINT_SEPARATOR}{r}" for o, rs in declared.items() for r in rs),
    ]
    outcomes = [*BUILT_IN_OUTCOMES, *declared, *derived_outcomes]
    problems = []
    for claim in claims.claims:
        if claim.kind in ENDPOINT_KINDS:
            endpoint = str(claim.refers_to.get("endpoint"))
            if endpoint in endpoints:
                continue
            outcome, _, responder = endpoint.partition(ENDPOINT_SEPARATOR)
            if outcome in declared:
                what = (
                    f"{endpoint!r}: outcome {outcome} declares no responder {responder!r}; its "
                    f"responders: {_listed([repr(r) for r in declared[outcome]])}"
                )
            else:
                what = (
                    f"{endpoint!r} is no endpoint of this cohort; its endpoints: "
                    f"{_listed(endpoints)} (a declared outcome's as <outcome>:<responder>)"
                )
            problems.append(f"claim {claim.id} | field refers_to.endpoint | {what}")
        elif claim.kind == "p_value" and str(claim.refers_to.get("outcome")) not in outcomes:
            problems.append(
                f"claim {claim.id} | field refers_to.outcome | "
                f"{claim.refers_to.get('outcome')!r} is no outcome of tests.csv of this cohort; "
                f"its outcomes: {_listed(outcomes)}"
            )
    return problems


def summary_only_problems(claims: "Claims") -> list[str]:
    """A cohort without patient data checks means and SDs from the claims alone: each needs
    its n and scale (an sd may take them from its mean_claim)."""
    problems = []
    for claim in claims.claims:
        if claim.kind not in ("mean", "sd"):
            continue
        for key in ("n", "scale"):
            if summary_key(claim, claims, key) is None:
                problems.append(
                    f"claim {claim.id} | field refers_to.{key} | a cohort without patient data "
                    f"needs the {key} of every mean and SD"
                )
    return problems


def summary_key(claim: Claim, claims: "Claims", key: str) -> Any:
    """refers_to[key] of the claim, or of its mean_claim (an SD shares its mean's n, scale)."""
    if key in claim.refers_to:
        return claim.refers_to[key]
    mean_id = claim.refers_to.get("mean_claim")
    if mean_id is not None:
        return claims.by_id(mean_id).refers_to.get(key)
    return None


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without aliases: a claims file needs none, and a few hundred bytes of nested
    aliases expand to gigabytes."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "a YAML alias (*name): claims files take none, write the value out",
                self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)


_TEXT = {"type": "string"}
_LIST = {"type": "array"}
# The claims file's shape as JSON Schema: every value of the type the checks below read it
# as. What a kind means (which refers_to keys, which printed forms) is checked in Python,
# where a problem can say it in the kind's own words.
CLAIMS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["cohort", "source", "claims"],
    "properties": {
        "cohort": _TEXT,
        "source": _TEXT,
        "draft": {"type": "boolean"},
        "claims": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": _TEXT,
                    "quote": _TEXT,
                    "reported": _TEXT,
                    "kind": _TEXT,
                    "reason": _TEXT,
                    "comment": _TEXT,
                    "refers_to": {
                        "type": ["object", "null"],
                        "properties": {
                            "where": {"type": "array", "items": {"type": "object"}},
                            "terms": _LIST,
                            "tests": {"type": "array", "items": _TEXT},
                            "column": _TEXT,
                            "variable": _TEXT,
                            "visit": _TEXT,
                            "endpoint": _TEXT,
                            "outcome": _TEXT,
                            "arm": _TEXT,
                            "reference_arm": _TEXT,
                            "missing": _TEXT,
                            "mean_claim": _TEXT,
                            "n": {"type": "integer", "minimum": 1},
                            "count": {"type": "integer", "minimum": 0},
                            "scale": {
                                "type": "object",
                                "required": ["min", "max", "step"],
                                "properties": {
                                    "min": {"type": "number"},
                                    "max": {"type": "number"},
                                    "step": {"type": "number", "exclusiveMinimum": 0},
                                    "lattice": {"enum": ["pppasi"]},
                                },
                                "additionalProperties": False,
                            },
                            "test": _TEXT,
                            "statistic": _TEXT,
                            "df": {"type": "array", "items": {"type": "integer", "minimum": 1}},
                            "sd_claims": {"type": "array", "items": _TEXT},
                            "sd_claim": _TEXT,
                            "of": _TEXT,
                            "at_most": {"type": "number"},
                            "improved_by_at_least": {"type": "number"},
                            "from_visit": _TEXT,
                            "level": {
                                "type": "number",
                                "exclusiveMinimum": 0,
                                "exclusiveMaximum": 1,
                            },
                        },
                    },
                },
            },
        },
    },
}


def _schema_problems(document: Any) -> list[str]:
    # Imported here: only the validation of a claims file needs it; the audit and the summary
    # read the checked claims back from JSON (jsonschema: about 0.05 s of a job).
    import jsonschema

    validator = jsonschema.Draft202012Validator(CLAIMS_SCHEMA)
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        path = list(error.absolute_path)
        where = "the file"
        if len(path) >= 2 and path[0] == "claims" and isinstance(path[1], int):
            claim = document["claims"][path[1]]
            cid = claim.get("id") if isinstance(claim, dict) else None
            where = f"claim {cid}" if isinstance(cid, str) else f"claims[{path[1]}]"
            path = path[2:]
        field = ".".join(str(p) for p in path) or "-"
        problems.append(f"{where} | field {field} | {error.message}")
    return problems


def read_claims_file(data: bytes, source: str) -> Claims:
    """Parse and check a claims file's bytes: UTF-8, YAML without aliases, the schema, then
    the kinds' own rules. Every problem is in the ClaimsInvalid it raises."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise ClaimsInvalid(
            source,
            [
                f"not UTF-8 at line {line} (byte {data[err.start : err.start + 1].hex()}): "
                "save the file as UTF-8"
            ],
        ) from err
    return parse_claims(text, source)


def read_summary_claims_file(data: bytes, source: str) -> Claims:
    """A summary-only cohort's claims file: as read_claims_file, and every mean and SD has
    the n and scale its checks need."""
    claims = read_claims_file(data, source)
    problems = summary_only_problems(claims)
    if problems:
        raise ClaimsInvalid(source, problems)
    return claims


def claims_to_json(claims: "Claims | None") -> str:
    """The checked claims as the typed file every later step reads (null: no claims file)."""
    if claims is None:
        return "null\n"
    return json.dumps(asdict(claims), ensure_ascii=False, indent=1) + "\n"


def claims_from_json(text: str) -> "Claims | None":
    document = json.loads(text)
    if document is None:
        return None
    return Claims(
        cohort=document["cohort"],
        source=document["source"],
        claims=tuple(Claim(**claim) for claim in document["claims"]),
    )


def parse_claims(text: str, source: str) -> Claims:
    """Parse and check the text of a claims file; `source` names it in error messages."""
    try:
        document = yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as err:
        raise ClaimsInvalid(source, [f"not valid YAML: {err}"]) from err
    if not isinstance(document, dict):
        raise ClaimsInvalid(source, ["the file must be a mapping with cohort, source, claims"])
    if document.get("draft") is True:
        raise ClaimsInvalid(source, [DRAFT_PROBLEM])
    schema = _schema_problems(document)
    if schema:
        raise ClaimsInvalid(source, schema)
    problems = [
        f"field {name} | missing or not text"
        for name in ("cohort", "source")
        if not isinstance(document.get(name), str)
    ]
    raw_claims = document.get("claims")
    if not isinstance(raw_claims, list):
        raise ClaimsInvalid(source, [*problems, "field claims | must be a list"])
    parsed = []
    for index, raw in enumerate(raw_claims):
        claim, found = _claim_problems(raw, index)
        problems += found
        if claim is not None:
            parsed.append(claim)
    ids = [claim.id for claim in parsed]
    problems += [
        f"claim {i} | field id | used more than once" for i in sorted(set(ids)) if ids.count(i) > 1
    ]
    kinds = {claim.id: claim for claim in parsed}
    for claim in parsed:
        referenced = [*claim.refers_to.get("sd_claims", [])]
        if claim.kind == "confidence_interval" and "sd_claim" in claim.refers_to:
            referenced.append(claim.refers_to["sd_claim"])
        for ref in referenced:
            if ref not in kinds or kinds[ref].kind != "sd":
                problems.append(
                    f"claim {claim.id} | field refers_to | {ref!r} is not the id of an sd claim"
                )
    for claim in parsed:
        if claim.kind != "sd":
            continue
        target = kinds.get(claim.refers_to["mean_claim"])
        if target is None or target.kind != "mean":
            problems.append(
                f"claim {claim.id} | field refers_to.mean_claim | "
                f"{claim.refers_to['mean_claim']!r} is not the id of a mean claim"
            )
        elif (target.refers_to.get("variable"), target.refers_to.get("visit")) != (
            claim.refers_to.get("variable"),
            claim.refers_to.get("visit"),
        ):
            problems.append(
                f"claim {claim.id} | field refers_to.mean_claim | "
                f"{target.id} is the mean of another variable or visit"
            )
    if problems:
        raise ClaimsInvalid(source, problems)
    return Claims(document["cohort"], document["source"], tuple(parsed))


def percent_value(reported: str) -> str:
    """'50%' -> '50' (the printed percentage, decimals kept)."""
    match = PERCENT.match(reported)
    if match is None:
        raise ValueError(f"not a percentage: {reported!r}")
    return match.group(1)


def reported_response_rates(claims: Claims | None) -> pl.DataFrame:
    """endpoint, visit, reported_rate (0-1, Float64): the response rates a paper prints, for
    marking them beside the recomputed ones. Empty (same columns) when there are none."""
    rows = [
        {
            "endpoint": claim.refers_to["endpoint"],
            "visit": claim.refers_to["visit"],
            "reported_rate": float(parse_printed(percent_value(claim.reported)).value / 100),
        }
        for claim in (claims.claims if claims else ())
        if claim.kind == "response_rate"
    ]
    return pl.DataFrame(
        rows, schema={"endpoint": pl.Utf8, "visit": pl.Utf8, "reported_rate": pl.Float64}
    )
