"""Is a printed summary statistic consistent with data? Rounding, GRIM, GRIMMER, DEBIT, and the
SD convention (n-1 or n) that reproduces a printed SD.

Everything is exact. A printed value is read from its digits as a Fraction; summaries of data
are Fractions; an SD is compared through its square, never through a float square root. A
printed value stands for every value that rounds to it, rounding half up or half down as the
reported-statistics checkers accept (statcheck; scrutiny's "up_or_down"): 2.70 stands for the
closed interval [2.695, 2.705].

References: Brown & Heathers (2017) for GRIM; Anaya (2016) for GRIMMER, in the analytic form of
Allard (2018) that scrutiny implements (a GRIM step, then three tests); Heathers & Brown (2019)
for DEBIT, in its exact form (only means k/n of k ones among n values).
"""

import math
import re
from dataclasses import dataclass
from fractions import Fraction

_PRINTED = re.compile(r"^\s*(-?)(\d+)(?:\.(\d+))?\s*$")

# Denominator offsets of the two SD conventions: the sample SD divides by n - 1, the
# population SD by n.
SD_CONVENTIONS: dict[str, int] = {"n-1": 1, "n": 0}


@dataclass(frozen=True)
class Printed:
    """A number as a paper prints it: its exact value and its number of decimals."""

    text: str
    value: Fraction
    decimals: int

    @property
    def half_unit(self) -> Fraction:
        return Fraction(1, 2 * 10**self.decimals)

    @property
    def low(self) -> Fraction:
        return self.value - self.half_unit

    @property
    def high(self) -> Fraction:
        return self.value + self.half_unit


def parse_printed(text: str) -> Printed:
    """'2.70' -> 270/100 with 2 decimals (the trailing zero counts)."""
    match = _PRINTED.match(str(text))
    if match is None:
        raise ValueError(f"not a printed decimal number: {text!r}")
    sign, whole, frac = match.groups()
    frac = frac or ""
    value = Fraction(int(whole + frac), 10 ** len(frac))
    return Printed(str(text).strip(), -value if sign else value, len(frac))


def as_printed(printed: str | Printed) -> Printed:
    return printed if isinstance(printed, Printed) else parse_printed(printed)


def rounds_to(value: Fraction | int, printed: str | Printed) -> bool:
    """Does `value` round to the printed number, half up or half down?"""
    p = as_printed(printed)
    return p.low <= Fraction(value) <= p.high


def sqrt_rounds_to(square: Fraction | int, printed: str | Printed) -> bool:
    """Does sqrt(square) round to the printed (non-negative) number? Compared through squares."""
    p = as_printed(printed)
    if p.value < 0 or square < 0:
        return False
    low = max(p.low, Fraction(0))
    return low * low <= Fraction(square) <= p.high * p.high


def round_half_up(value: Fraction | int, decimals: int) -> str:
    """Exact decimal rounding of a rational, ties away from zero, as text with `decimals`."""
    value = Fraction(value)
    scaled = abs(value) * 10**decimals
    units = math.floor(scaled + Fraction(1, 2))
    return _digits(-units if value < 0 else units, decimals)


def sqrt_round_half_up(square: Fraction | int, decimals: int) -> str:
    """sqrt(square) rounded exactly (ties up) to `decimals`, without a float square root."""
    square = Fraction(square)
    if square < 0:
        raise ValueError(f"square root of a negative number: {square}")
    scaled = square * 100**decimals
    floor_root = math.isqrt(math.floor(scaled))  # floor(sqrt(x)) == isqrt(floor(x))
    half_up = Fraction(2 * floor_root + 1, 2)
    units = floor_root + 1 if scaled >= half_up * half_up else floor_root
    return _digits(units, decimals)


def _digits(units: int, decimals: int) -> str:
    sign = "-" if units < 0 else ""
    text = str(abs(units)).rjust(decimals + 1, "0")
    if decimals == 0:
        return sign + text
    return f"{sign}{text[:-decimals]}.{text[-decimals:]}"


# Exact summaries of data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Moments:
    """n, sum and sum of squares of a sample, exactly: everything a mean and SD need."""

    n: int
    total: Fraction
    sum_squares: Fraction

    @classmethod
    def of(cls, values) -> "Moments":
        values = [Fraction(v) for v in values]
        return cls(len(values), sum(values, Fraction(0)), sum((v * v for v in values), Fraction(0)))

    @classmethod
    def of_integers(
        cls, n: int, total: int, sum_squares: int, unit: Fraction | int = 1
    ) -> "Moments":
        """From integer sums of values counted in `unit` (PPPASI tenths: unit 1/10)."""
        unit = Fraction(unit)
        return cls(n, Fraction(total) * unit, Fraction(sum_squares) * unit * unit)

    @property
    def mean(self) -> Fraction:
        return self.total / self.n

    def variance(self, convention: str) -> Fraction:
        """Exact variance with the convention's denominator: 'n-1' (sample) or 'n'."""
        denominator = self.n - SD_CONVENTIONS[convention]
        if denominator <= 0:
            raise ValueError(f"variance with {convention} needs more than {self.n} values")
        return (self.sum_squares - self.total * self.total / self.n) / denominator


def quantile(values, probability: Fraction | float, presorted: bool = False) -> Fraction:
    """The quantile by linear interpolation between order statistics (Hyndman & Fan type 7,
    the default of R, numpy and polars), exactly: h = (n - 1) p, x[floor h] + frac(h) * gap.
    With `presorted`, `values` (a list or a numpy array) is taken as sorted and only the two
    order statistics needed are read, so a large sample costs one sort."""
    ordered = values if presorted else sorted(Fraction(v) for v in values)
    if len(ordered) == 0:
        raise ValueError("quantile of no values")
    h = (len(ordered) - 1) * Fraction(probability)
    low = math.floor(h)
    below = _exact(ordered[low])
    if low + 1 >= len(ordered):
        return below
    return below + (h - low) * (_exact(ordered[low + 1]) - below)


def _exact(value) -> Fraction:
    # numpy scalars: integers through int (exact), floats through float (exact binary value).
    if isinstance(value, Fraction):
        return value
    number = value.item() if hasattr(value, "item") else value
    return Fraction(number)


def sd_conventions_matching(moments: Moments, printed_sd: str | Printed) -> tuple[str, ...]:
    """The SD conventions ('n-1', 'n') under which the data give the printed SD."""
    return tuple(
        convention
        for convention, ddof in SD_CONVENTIONS.items()
        if moments.n - ddof > 0 and sqrt_rounds_to(moments.variance(convention), printed_sd)
    )


# GRIM -----------------------------------------------------------------------------------------


def grim_totals(mean: str | Printed, n: int, unit: Fraction | int = 1) -> range:
    """Totals T (in counts of `unit`) of n values, each a multiple of `unit`, whose mean
    T * unit / n rounds to the printed mean. Empty: the mean is GRIM-inconsistent."""
    if n < 1:
        raise ValueError(f"GRIM needs n >= 1, got {n}")
    p = as_printed(mean)
    unit = Fraction(unit)
    return range(math.ceil(p.low * n / unit), math.floor(p.high * n / unit) + 1)


def grim_percent(percent: str | Printed, n: int) -> range:
    """Counts k of n whose percentage 100 k / n rounds to the printed percentage."""
    p = as_printed(percent)
    return range(math.ceil(p.low * n / 100), math.floor(p.high * n / 100) + 1)


def grim_informative(mean: str | Printed, n: int, unit: Fraction | int = 1) -> bool:
    """GRIM can only fail when the means of n values are coarser than the printed precision."""
    return Fraction(unit) / n > 2 * as_printed(mean).half_unit


# GRIMMER --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grimmer:
    consistent: bool
    # None when consistent; otherwise the first check failed: "GRIM", "test 1", "test 2", "test 3".
    failed: str | None
    # (total, sum of squares) pairs, in counts of `unit`, that pass every test.
    solutions: tuple[tuple[int, int], ...]


def grimmer(
    mean: str | Printed,
    sd: str | Printed,
    n: int,
    unit: Fraction | int = 1,
    convention: str = "n-1",
) -> Grimmer:
    """GRIMMER (Anaya 2016; Allard 2018): can n values, each an integer multiple of `unit`, have
    the printed mean and the printed SD (with the convention's denominator)?

    GRIM step: some integer total T gives the printed mean (every such T is tried, not only the
    nearest, so n larger than the mean's precision is handled).
    Test 1: the SD's interval maps to an interval of sums of squares Q = (n - ddof) * sd^2 +
    T^2 / n that contains an integer.
    Test 2: one of those integers gives back an SD that rounds to the printed one. In exact
    arithmetic this follows from test 1; it is kept so the three published tests stay visible.
    Test 3: parity. x^2 and x have the same parity, so Q and T must too.
    """
    m, s = as_printed(mean), as_printed(sd)
    unit = Fraction(unit)
    ddof = SD_CONVENTIONS[convention]
    if n - ddof < 1:
        raise ValueError(f"GRIMMER needs n > {ddof} for the {convention} convention, got {n}")
    totals = grim_totals(m, n, unit)
    if not totals:
        return Grimmer(False, "GRIM", ())
    # In counts of `unit`: the SD interval scales by 1 / unit.
    sd_low = max(s.low, Fraction(0)) / unit
    sd_high = s.high / unit
    candidates: list[tuple[int, int]] = []
    for total in totals:
        offset = Fraction(total * total, n)
        q_low = math.ceil((n - ddof) * sd_low * sd_low + offset)
        q_high = math.floor((n - ddof) * sd_high * sd_high + offset)
        candidates += [(total, q) for q in range(q_low, q_high + 1)]
    if not candidates:
        return Grimmer(False, "test 1", ())
    reproduced = [
        (total, q)
        for total, q in candidates
        if sqrt_rounds_to((q - Fraction(total * total, n)) / (n - ddof) * unit * unit, s)
    ]
    if not reproduced:
        return Grimmer(False, "test 2", ())
    same_parity = tuple((total, q) for total, q in reproduced if (q - total) % 2 == 0)
    if not same_parity:
        return Grimmer(False, "test 3", ())
    return Grimmer(True, None, same_parity)


# DEBIT ----------------------------------------------------------------------------------------


def debit(
    mean: str | Printed, sd: str | Printed, n: int, convention: str = "n-1"
) -> tuple[int, ...]:
    """DEBIT (Heathers & Brown 2019), exact form: the counts k of ones among n binary values
    whose mean k / n rounds to the printed mean and whose SD, sqrt(k (n - k) / (n (n - ddof))),
    rounds to the printed SD. Empty: mean and SD of a proportion are inconsistent."""
    ddof = SD_CONVENTIONS[convention]
    if n - ddof < 1:
        raise ValueError(f"DEBIT needs n > {ddof} for the {convention} convention, got {n}")
    m = as_printed(mean)
    return tuple(
        k
        for k in range(n + 1)
        if rounds_to(Fraction(k, n), m)
        and sqrt_rounds_to(Fraction(k * (n - k), n * (n - ddof)), sd)
    )
