"""Disease duration as clinical tables print it ("3 months", "10 years") in weeks."""

import re
from fractions import Fraction

WEEKS_PER_UNIT: dict[str, Fraction] = {
    "week": Fraction(1),
    "month": Fraction(52, 12),
    "year": Fraction(52),
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+(week|month|year)s?\s*$", re.IGNORECASE)


def duration_weeks(text: str) -> Fraction:
    """'3 months' -> 13 weeks; '4 month' (singular, as printed) is accepted too."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration in weeks, months or years: {text!r}")
    amount, unit = match.groups()
    return Fraction(amount) * WEEKS_PER_UNIT[unit.lower()]
