"""Claims drafted from a paper's text, and the paper's numbers no claim covers.

A draft is every number of the paper's prose (tables are the data, not claims) with its sentence
as the quote and a guessed kind; `refers_to` is left for the reviewer, and the file is marked
`draft: true`, which validation refuses until it is reviewed. The same reading of the text
lists, for the audit, the numbers that no claim covers ("not audited").
"""

import re
from dataclasses import dataclass

import yaml

from pppflow.claims import Claims

NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
).split()
# A number standing alone: not part of a name (IL-17, α4β7, S1), not a reference marker glued
# to the end of a sentence ("PPP.2"), not a panel label ("1a"). Number words are read too.
NUMBER = re.compile(
    r"(?<![\w.\-/])(\d+(?:\.\d+)?)(?![\w])|\b(" + "|".join(NUMBER_WORDS) + r")\b",
    re.IGNORECASE,
)
# Numbers that name a thing rather than state a value: the endpoints, tables, figures.
LABEL_BEFORE = re.compile(r"(PPPASI|PASI|Table|Tables|Figure|Figures|Supplementary Table S)\s*$")
TABLE_START = re.compile(r"^\s*Table\s*\d")
LEGEND_START = re.compile(r"^\s*Figure\s*\d")
REFERENCE_MARKER = re.compile(r"\.\d{1,2}(?=\s+[A-Z])")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
P_VALUE = re.compile(r"\b[Pp]\s*(<=|>=|<|>|=|≤|≥)\s*$")
STATISTIC = re.compile(r"(\bt|\bF|χ2|χ²|chi2|\bz|\br)\s*(\(\s*\d+(?:\s*,\s*\d+)?\s*\))?\s*=\s*$")
PLUS_MINUS = re.compile(r"^\s*±")
# A comparison between arms named just before its estimate ("risk ratio 2.5", "OR, 3.1",
# "difference of 25%"), in the order tried. Case matters for the abbreviations only.
_NAMED = r"[\s,:=(]*(?:of|was|were|is)?[\s,:=(]*$"
BETWEEN_ARMS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"(?i:risk ratio|relative risk)" + _NAMED + r"|\bRR" + _NAMED), "risk_ratio"),
    (re.compile(r"(?i:odds ratio)" + _NAMED + r"|\bOR" + _NAMED), "odds_ratio"),
    (
        re.compile(r"(?i:(?:LS|least[- ]squares)[- ]mean difference)" + _NAMED),
        "ls_mean_difference",
    ),
    (
        re.compile(r"(?i:median time to (?:first )?response)\b[^\d]{0,30}$"),
        "median_time_to_response",
    ),
    (re.compile(r"(?i:difference)\b[^.%]{0,40}?" + _NAMED), "rate_difference"),
)
MIN_PREFIX_WORDS = 4


@dataclass(frozen=True)
class Number:
    text: str  # as printed: "49.50", "50%", "two", "P < 0.05"
    value: str  # the number alone, lower case: "49.50", "50", "two"
    start: int  # offset in the prose
    sentence: str
    kind: str  # guessed


def prose(text: str) -> str:
    """The paper's running text: table blocks (a 'Table N' line up to the next figure legend)
    left out, figure legends (a 'Figure N' line up to a blank line) moved to the end, so that a
    sentence the typesetting breaks with them reads whole; reference markers glued to a
    sentence's end ('PPP.2 In') dropped; every run of whitespace one space."""
    kept, legends, block = [], [], None
    for line in text.splitlines():
        if TABLE_START.match(line):
            block = "table"
        elif LEGEND_START.match(line):
            block = "legend"
        elif block == "legend" and not line.strip():
            block = None
        if block is None:
            kept.append(line)
        elif block == "legend":
            legends.append(line)
    body = normalise(" ".join([*kept, *legends]))
    return REFERENCE_MARKER.sub(".", body)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _sentences(text: str) -> list[tuple[int, str]]:
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        spans.append((start, text[start : match.start()]))
        start = match.end()
    spans.append((start, text[start:]))
    return spans


def _guess(before: str, after: str, value: str, sentence: str) -> tuple[str, str]:
    """The kind and the printed text of a number from its neighbours."""
    if P_VALUE.search(before):
        operator = P_VALUE.search(before).group(1)
        return "p_value", f"P {operator} {value}"
    if STATISTIC.search(before):
        return "statistic", value
    for pattern, kind in BETWEEN_ARMS:
        if pattern.search(before):
            if kind == "rate_difference" and not after.lstrip().startswith("%"):
                break  # a difference of means, or of something else: guessed below
            return kind, value
    if after.lstrip().startswith("%"):
        kind = "response_rate" if re.search(r"PPPASI|PGA", sentence) else "percentage"
        return kind, f"{value}%"
    if PLUS_MINUS.match(after):
        return "mean", value
    if re.search(r"±\s*$", before):
        return "sd", value
    if re.search(r"\b(range|to)\b[:\s]*$", before, re.IGNORECASE) or re.match(
        r"\s*(to|–|-)\s*\d", after
    ):
        return "range", value
    if re.search(r"\bmedian\b[:\s]*$", before, re.IGNORECASE):
        return "median", value
    return ("mean" if "." in value else "count"), value


def paper_numbers(text: str) -> list[Number]:
    """Every number of the paper's prose, in order, with its sentence and a guessed kind."""
    body = prose(text)
    found = []
    for start, sentence in _sentences(body):
        for match in NUMBER.finditer(sentence):
            before = sentence[: match.start()]
            if LABEL_BEFORE.search(before):
                continue
            value = (match.group(1) or match.group(2)).lower()
            kind, printed = _guess(before, sentence[match.end() :], value, sentence)
            found.append(Number(printed, value, start + match.start(), sentence, kind))
    return found


def draft_claims(text: str, cohort: str, source: str) -> str:
    """A draft claims file (YAML text): one claim per number of the prose."""
    claims = []
    for i, number in enumerate(paper_numbers(text), start=1):
        slug = re.sub(r"[^a-z0-9]+", "_", number.value.lower()).strip("_")
        claims.append(
            {
                "id": f"n{i:03d}_{number.kind}_{slug}",
                "quote": number.sentence,
                "reported": number.text,
                "kind": number.kind,
                "refers_to": {},
            }
        )
    header = (
        f"# Draft claims of {source}, written by `make claims`: one per number of the text\n"
        "# (tables left out). Review each: delete what is not a claim, correct kind and reported,\n"
        "# complete refers_to (see the kinds in resources/zheng2024/claims.yaml), then remove\n"
        "# `draft: true`; the audit refuses a draft.\n"
    )
    document = {"cohort": cohort, "source": source, "draft": True, "claims": claims}
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _values(text: str) -> set[str]:
    return {(m.group(1) or m.group(2)).lower() for m in NUMBER.finditer(text)}


def _quote_span(body: str, quote: str) -> tuple[int, int] | None:
    """Where a claim's quote is in the prose: the longest prefix of at least a few words found
    (a sentence the text copy breaks with a table is found up to the break)."""
    words = normalise(quote).split(" ")
    for length in range(len(words), MIN_PREFIX_WORDS - 1, -1):
        prefix = " ".join(words[:length])
        at = body.find(prefix)
        if at >= 0:
            return at, at + len(prefix)
    return None


def covered(text: str, claims: Claims) -> list[tuple[Number, bool]]:
    """Each number of the prose, and whether a claim covers it: the number is inside the
    claim's quote and is one of the numbers the claim reports."""
    body = prose(text)
    spans = []
    for claim in claims.claims:
        span = _quote_span(body, claim.quote)
        if span is not None:
            spans.append((span, _values(claim.reported)))
    return [
        (
            number,
            any(lo <= number.start < hi and number.value in values for (lo, hi), values in spans),
        )
        for number in paper_numbers(text)
    ]


def not_audited(text: str, claims: Claims) -> list[Number]:
    """The numbers of the paper's prose that no claim covers."""
    return [number for number, is_covered in covered(text, claims) if not is_covered]


@dataclass(frozen=True)
class Coverage:
    claim_numbers: int  # numbers the claims report (one per claim and number)
    found: int  # of them, the ones a draft has (same number, in the claim's quote)
    drafts: int
    drafts_not_claims: int  # drafts whose number no claim reports at that place


def coverage(text: str, claims: Claims) -> Coverage:
    """How well the drafts of a text match a reviewed claims file."""
    numbers = paper_numbers(text)
    body = prose(text)
    wanted, found = 0, 0
    for claim in claims.claims:
        span = _quote_span(body, claim.quote)
        for value in _values(claim.reported):
            wanted += 1
            if span is not None and any(
                span[0] <= n.start < span[1] and n.value == value for n in numbers
            ):
                found += 1
    not_claims = sum(1 for _, is_covered in covered(text, claims) if not is_covered)
    return Coverage(wanted, found, len(numbers), not_claims)
