"""Checks of printed summary statistics alone, for papers that publish no patient data.

Each check takes printed numbers (as text, so their decimals count) and what the paper says
about the sample (n, the scale), and returns a `Check`: `match` (the printed numbers can all be
true), `mismatch` (they cannot), or `not_checkable`, with the arithmetic in the note. A
mismatch is decisive when a reader's conclusion about that number changes: no data on the
scale can give the printed mean or SD, a confidence interval excludes its own estimate, or a P
is on the other side of alpha for every value the printed inputs allow.

Means, SDs and percentages are checked exactly (Fractions, values counted in units of the
scale's step); P values and confidence intervals are recomputed with scipy over every value the
printed inputs stand for (a printed 2.31 is any value in [2.305, 2.315]), as statcheck does.

References: GRIM, GRIMMER and DEBIT as in pppflow.consistency; SPRITE (Heathers et al. 2018)
for the search, CORVIDS (Wilner et al. 2018) for an exhaustive proof that no sample exists.
"""

import math
import random
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from itertools import product

from pppflow import constants as c
from pppflow.consistency import (
    SD_CONVENTIONS,
    Moments,
    Printed,
    as_printed,
    debit,
    grim_informative,
    grim_percent,
    grimmer,
    round_half_up,
    rounds_to,
    sqrt_round_half_up,
)

MATCH, MISMATCH, NOT_CHECKABLE = "match", "mismatch", "not_checkable"


@cache
def _scipy_stats():
    """scipy.stats, loaded on first use: importing it takes most of a second, and every stage
    that reads the claims imports this module while few of them test a printed P."""
    from scipy import stats

    return stats


LATTICES = ("pppasi",)
P_TEXT = re.compile(r"^\s*[Pp]\s*(<=|>=|<|>|=|≤|≥)\s*(\d*\.?\d+)\s*$")
# An exhaustive search keeps a table of (values used, total) cells per scale level; past this
# many cells it is too slow for a check run on every claim, and the random search takes over.
EXHAUSTIVE_MAX_CELLS = 400_000
SPRITE_ITERATIONS = 20_000
SPRITE_SEED = 0


@dataclass(frozen=True)
class Check:
    verdict: str
    decisive: bool
    note: str
    recomputed: str = ""


@dataclass(frozen=True)
class Scale:
    """A bounded scale: every value is min + k * step up to max, or, with a lattice, one of
    the lattice's values (PPPASI: the totals some component scores give)."""

    min: Fraction
    max: Fraction
    step: Fraction
    lattice: str | None = None

    @classmethod
    def of(cls, spec: dict) -> "Scale":
        """From a claim's `scale: {min, max, step, lattice?}` (numbers read from their text)."""
        scale = cls(
            Fraction(str(spec["min"])),
            Fraction(str(spec["max"])),
            Fraction(str(spec["step"])),
            spec.get("lattice"),
        )
        problems = scale.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return scale

    def problems(self) -> list[str]:
        found = []
        if self.step <= 0 or self.max <= self.min:
            found.append("a scale has step > 0 and max > min")
        elif (self.min / self.step).denominator != 1 or (self.max / self.step).denominator != 1:
            found.append("min and max must be multiples of step")
        if self.lattice is not None and self.lattice not in LATTICES:
            found.append(f"lattice {self.lattice!r} is not one of {', '.join(LATTICES)}")
        if self.lattice == "pppasi" and (self.min, self.max, self.step) != (
            Fraction(c.PPPASI_MIN_TENTHS, c.TENTHS_PER_POINT),
            Fraction(c.PPPASI_MAX_TENTHS, c.TENTHS_PER_POINT),
            Fraction(1, c.TENTHS_PER_POINT),
        ):
            found.append("the pppasi lattice is the scale {min: 0, max: 72, step: 0.1}")
        return found

    @property
    def binary(self) -> bool:
        return self.lattice is None and (self.min, self.max) == (0, 1) and self.step == 1

    def levels(self) -> tuple[int, ...]:
        """Every value on the scale in counts of `step`, ascending."""
        if self.lattice == "pppasi":
            return pppasi_levels()
        return tuple(range(int(self.min / self.step), int(self.max / self.step) + 1))

    def text(self) -> str:
        lattice = f", {self.lattice} lattice" if self.lattice else ""
        return f"{_num(self.min)} to {_num(self.max)} by {_num(self.step)}{lattice}"


@cache
def pppasi_levels() -> tuple[int, ...]:
    from pppflow.pppasi import attainable_totals_tenths

    return tuple(attainable_totals_tenths().to_list())


def _num(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    for decimals in range(1, 7):
        if (value * 10**decimals).denominator == 1:
            return round_half_up(value, decimals)
    return f"{float(value):.6g}"


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


# GRIM on a mean ------------------------------------------------------------------------------


@cache
def lattice_sums(levels: tuple[int, ...], n: int) -> int:
    """The totals of n values drawn from `levels` (with repetition), as a bitmask: bit t is
    set when some n values sum to t. Built by doubling (sums of 2k values are sums of two sums
    of k values), so n = 1000 costs about ten steps."""
    if n == 1:
        mask = 0
        for level in levels:
            mask |= 1 << level
        return mask
    half = lattice_sums(levels, n // 2)
    total = _sumset(half, half)
    return _sumset(total, lattice_sums(levels, 1)) if n % 2 else total


def _sumset(a: int, b: int) -> int:
    out, shift = 0, 0
    while b:
        if b & 1:
            out |= a << shift
        b >>= 1
        shift += 1
    return out


def mean_totals(mean: str | Printed, n: int, scale: Scale) -> list[int]:
    """Totals of n values on the scale (in counts of its step) whose mean rounds to `mean`."""
    p = as_printed(mean)
    levels = scale.levels()
    low = max(math.ceil(p.low * n / scale.step), n * levels[0])
    high = min(math.floor(p.high * n / scale.step), n * levels[-1])
    if low > high:
        return []
    if scale.lattice is None:
        return list(range(low, high + 1))
    sums = lattice_sums(levels, n)
    return [t for t in range(low, high + 1) if sums >> t & 1]


def grim_mean(mean: str | Printed, n: int, scale: Scale) -> Check:
    """GRIM on the scale: can n values on it have a mean that rounds to the printed one?"""
    p = as_printed(mean)
    totals = mean_totals(p, n, scale)
    rounded_range = f"[{_num(p.low)}, {_num(p.high)}]"
    if not totals:
        if p.high < scale.min or p.low > scale.max:
            why = f"the mean {p.text} is outside the scale ({scale.text()})"
        else:
            what = "attainable totals" if scale.lattice else "values"
            why = (
                f"GRIM-inconsistent: no {n} {what} on {scale.text()} have a total in "
                f"{rounded_range} x {n} = [{_num(p.low * n)}, {_num(p.high * n)}]"
            )
        return Check(MISMATCH, True, why, "no total")
    sums = ", ".join(_num(t * scale.step) for t in totals[:5]) + (
        ", ..." if len(totals) > 5 else ""
    )
    if scale.lattice is None and grim_informative(p, n, scale.step):
        note = f"GRIM-consistent: {n} values on {scale.text()} summing to {sums} give {p.text}"
    elif scale.lattice is None:
        note = f"GRIM uninformative: every mean of {n} values by {_num(scale.step)} is printable"
    else:
        note = f"GRIM on the {scale.lattice} lattice: {n} attainable totals summing to {sums} give {p.text}"
    return Check(MATCH, False, note, f"total {sums}")


# Percentages ---------------------------------------------------------------------------------


def percent_check(percent: str | Printed, n: int, count: int | None = None) -> Check:
    """A printed percentage of n: some count k of n gives it (and the printed count, if any)."""
    p = as_printed(percent)
    counts = list(grim_percent(p, n))
    if not counts:
        return Check(
            MISMATCH,
            False,
            f"no count out of {n} gives {p.text}%: {n} x [{_num(p.low)}, {_num(p.high)}] / 100 "
            f"= [{_num(p.low * n / 100)}, {_num(p.high * n / 100)}] holds no integer",
        )
    implied = ", ".join(str(k) for k in counts)
    if count is None:
        return Check(MATCH, False, f"{p.text}% of {n} is {implied} (100 x k / {n})", implied)
    if count in counts:
        return Check(
            MATCH,
            False,
            f"{count}/{n} = {round_half_up(Fraction(100 * count, n), p.decimals)}%",
            str(count),
        )
    return Check(
        MISMATCH,
        False,
        f"{count}/{n} = {round_half_up(Fraction(100 * count, n), p.decimals)}%, not {p.text}%; "
        f"{p.text}% of {n} is {implied}",
        str(count),
    )


# SDs: GRIMMER / DEBIT, SPRITE -----------------------------------------------------------------


def _q_range(total: int, sd: Printed, n: int, step: Fraction, ddof: int) -> range:
    """Sums of squares (in counts of step, squared) that, with `total`, give an SD that rounds
    to `sd` with the n - ddof denominator."""
    low = max(sd.low, Fraction(0)) / step
    high = sd.high / step
    offset = Fraction(total * total, n)
    return range(
        math.ceil((n - ddof) * low * low + offset),
        math.floor((n - ddof) * high * high + offset) + 1,
    )


@dataclass(frozen=True)
class Sprite:
    found: tuple[Fraction, ...] | None  # a sample with the printed mean and SD
    exhaustive: bool  # the search covered every sample: `found is None` proves none exists
    note: str


def sprite(
    mean: str | Printed, sd: str | Printed, n: int, scale: Scale, convention: str = "n-1"
) -> Sprite:
    """One sample of n values on the scale whose mean and SD (with the convention's
    denominator) round to the printed ones, or a proof that none exists.

    Exhaustive (CORVIDS-style) where the table of (count, total) per level is small enough:
    every multiset of n levels is covered by a knapsack over the levels, each cell holding the
    reachable sums of squares as a bitmask. Otherwise a seeded random search (SPRITE), which can
    find a sample but proves nothing when it does not."""
    m, s = as_printed(mean), as_printed(sd)
    ddof = SD_CONVENTIONS[convention]
    if n - ddof < 1:
        raise ValueError(f"an SD with the {convention} denominator needs n > {ddof}")
    levels = scale.levels()
    totals = mean_totals(m, n, scale)
    if not totals:
        return Sprite(None, True, "no total of n values on the scale gives the mean")
    # SDs do not change when every value moves by the same amount: count from the lowest level.
    base = levels[0]
    shifted = [v - base for v in levels]
    targets = {t - n * base: _q_range(t - n * base, s, n, scale.step, ddof) for t in totals}
    targets = {t: q for t, q in targets.items() if len(q)}
    if not targets:
        return Sprite(None, True, "no sum of squares gives the SD with any total")
    t_max = max(targets)
    cells = len(shifted) * (n + 1) * (t_max + 1)
    if cells <= EXHAUSTIVE_MAX_CELLS:
        sample = _exhaustive(shifted, n, targets)
        note = f"exhaustive search over every {n} values on {scale.text()}"
        return Sprite(_values(sample, base, scale), True, note)
    sample = _random_search(shifted, n, targets)
    note = f"random search ({SPRITE_ITERATIONS} steps, seed {SPRITE_SEED}) on {scale.text()}"
    return Sprite(_values(sample, base, scale), False, note)


def _values(sample: list[int] | None, base: int, scale: Scale) -> tuple[Fraction, ...] | None:
    if sample is None:
        return None
    return tuple(sorted((v + base) * scale.step for v in sample))


def _exhaustive(levels: list[int], n: int, targets: dict[int, range]) -> list[int] | None:
    t_max = max(targets)
    q_max = max(q.stop - 1 for q in targets.values())
    keep = (1 << (q_max + 1)) - 1
    # reach[c][t]: bitmask of the sums of squares of c values with total t, from the levels
    # seen so far; one snapshot per level, to walk back from a target to a sample.
    reach = [[0] * (t_max + 1) for _ in range(n + 1)]
    reach[0][0] = 1
    snapshots = []
    for v in levels:
        if v <= t_max:
            for count in range(n):
                row, up = reach[count], reach[count + 1]
                for t in range(t_max - v + 1):
                    if row[t]:
                        up[t + v] |= (row[t] << (v * v)) & keep
        snapshots.append([row[:] for row in reach])
    for t, qs in sorted(targets.items()):
        cell = reach[n][t]
        for q in qs:
            if cell >> q & 1:
                return _walk_back(levels, snapshots, n, t, q)
    return None


def _walk_back(levels, snapshots, count, t, q) -> list[int]:
    sample, i = [], len(levels) - 1
    while count:
        if i > 0 and snapshots[i - 1][count][t] >> q & 1:
            i -= 1
            continue
        v = levels[i]
        sample.append(v)
        count, t, q = count - 1, t - v, q - v * v
    return sample


def _random_search(levels: list[int], n: int, targets: dict[int, range]) -> list[int] | None:
    """Hill-climbing from an even spread: move one value, or two in opposite directions, one
    level at a time, keeping moves that bring the total and the sum of squares no further from
    a target pair."""
    rng = random.Random(SPRITE_SEED)
    wanted = sorted(targets)
    t_goal = wanted[len(wanted) // 2]
    index = {v: i for i, v in enumerate(levels)}
    start = min(levels, key=lambda v: abs(v * n - t_goal))
    xs = [start] * n

    def distance(total: int, squares: int) -> float:
        best = math.inf
        for t, qs in targets.items():
            dq = (
                0
                if qs.start <= squares < qs.stop
                else min(abs(squares - qs.start), abs(squares - qs.stop + 1))
            )
            best = min(best, abs(total - t) * (1 + t_goal) + dq)
        return best

    total, squares = sum(xs), sum(v * v for v in xs)
    current = distance(total, squares)
    for _ in range(SPRITE_ITERATIONS):
        if current == 0:
            return xs
        i = rng.randrange(n)
        moves = [(i, rng.choice((-1, 1)))]
        if rng.random() < 0.7:
            j = rng.randrange(n)
            if j != i:
                moves.append((j, -moves[0][1]))
        trial = {}
        ok = True
        for k, direction in moves:
            pos = index[xs[k]] + direction
            if not 0 <= pos < len(levels):
                ok = False
                break
            trial[k] = levels[pos]
        if not ok:
            continue
        new_total = total + sum(trial[k] - xs[k] for k in trial)
        new_squares = squares + sum(trial[k] ** 2 - xs[k] ** 2 for k in trial)
        d = distance(new_total, new_squares)
        if d <= current:
            for k, v in trial.items():
                xs[k] = v
            total, squares, current = new_total, new_squares, d
    return xs if current == 0 else None


def sd_check(mean: str | Printed, sd: str | Printed, n: int, scale: Scale) -> Check:
    """Can n values on the scale have the printed mean and SD? Under each SD convention:
    GRIMMER (DEBIT on a 0/1 scale), then SPRITE. A mismatch when no convention allows it."""
    m, s = as_printed(mean), as_printed(sd)
    parts, possible, impossible = [], [], []
    for convention, ddof in SD_CONVENTIONS.items():
        if n - ddof < 1:
            parts.append(f"{convention}: needs n > {ddof}")
            continue
        if scale.binary:
            counts = debit(m, s, n, convention)
            if counts:
                possible.append(convention)
                parts.append(f"{convention}: DEBIT-consistent ({counts[0]} ones of {n})")
            else:
                impossible.append(convention)
                parts.append(f"{convention}: DEBIT-inconsistent")
            continue
        pre = ""
        if scale.lattice is None:
            g = grimmer(m, s, n, scale.step, convention)
            if not g.consistent:
                impossible.append(convention)
                parts.append(f"{convention}: GRIMMER-inconsistent ({g.failed})")
                continue
            pre = "GRIMMER-consistent, "
        found = sprite(m, s, n, scale, convention)
        if found.found is not None:
            possible.append(convention)
            moments = Moments.of(found.found)
            sample = _sample_text(found.found)
            parts.append(
                f"{convention}: {pre}SPRITE found {sample} (mean "
                f"{_num(moments.mean)}, SD {sqrt_round_half_up(moments.variance(convention), s.decimals + 2)})"
            )
        elif found.exhaustive:
            impossible.append(convention)
            parts.append(f"{convention}: {pre}no sample exists ({found.note})")
        else:
            parts.append(f"{convention}: {pre}SPRITE found no sample ({found.note}; not a proof)")
    head = f"mean {m.text}, SD {s.text}, n = {n} on {scale.text()}"
    recomputed = "; ".join(
        f"{conv}: {'possible' if conv in possible else 'impossible' if conv in impossible else 'unsettled'}"
        for conv in SD_CONVENTIONS
    )
    if possible:
        return Check(MATCH, False, _join(head, *parts), recomputed)
    if impossible and len(impossible) == len(SD_CONVENTIONS):
        return Check(
            MISMATCH, True, _join(head, *parts, "no data on the scale give both"), recomputed
        )
    return Check(NOT_CHECKABLE, False, _join(head, *parts), recomputed)


def _sample_text(values) -> str:
    runs: dict[Fraction, int] = {}
    for v in values:
        runs[v] = runs.get(v, 0) + 1
    return "{" + ", ".join(f"{_num(v)} x{k}" if k > 1 else _num(v) for v, k in runs.items()) + "}"


# P values -------------------------------------------------------------------------------------


def parse_p(text: str) -> tuple[str, Printed]:
    match = P_TEXT.match(text)
    if match is None:
        raise ValueError(f"a P reads like 'P < 0.05' or 'P = 0.031', got {text!r}")
    operator = {"≤": "<=", "≥": ">="}.get(match.group(1), match.group(1))
    return operator, as_printed(match.group(2))


def p_range_check(p_low: float, p_high: float, printed_p: str, alpha: Fraction, how: str) -> Check:
    """Is the printed P (or bound) true of some P in [p_low, p_high], the P values the printed
    inputs allow? Decisive when every allowed P is on the other side of alpha from it."""
    operator, threshold = parse_p(printed_p)
    lo, hi = Fraction(p_low), Fraction(p_high)
    if operator == "=":
        ok = lo <= threshold.high and hi >= threshold.low
        claimed_significant: bool | None = threshold.value < alpha
    elif operator in ("<", "<="):
        ok = lo < threshold.value or (operator == "<=" and lo <= threshold.value)
        claimed_significant = True if threshold.value <= alpha else None
    else:
        ok = hi > threshold.value or (operator == ">=" and hi >= threshold.value)
        claimed_significant = False if threshold.value >= alpha else None
    recomputed = (
        f"P = {_p_text(p_low)}"
        if p_low == p_high
        else f"P in [{_p_text(p_low)}, {_p_text(p_high)}]"
    )
    decisive = False
    if not ok and claimed_significant is not None:
        decisive = (lo >= alpha) if claimed_significant else (hi < alpha)
    note = f"{how}: {recomputed}, printed {printed_p.strip()}"
    return Check(MATCH if ok else MISMATCH, decisive, note, recomputed)


def _p_text(p: float) -> str:
    return f"{p:.3g}" if p >= 1e-4 else f"{p:.2e}"


# The statistics a P is recomputed from, and how many df each takes.
STATISTIC_DF = {"t": 1, "F": 2, "chi2": 1, "z": 0, "r": 1}


def statistic_p_range(test: str, value: str | Printed, df: tuple[int, ...]) -> tuple[float, float]:
    """The two-sided P of a printed t, z or r, or the upper-tail P of F and chi2, over every
    value the printed statistic stands for. df: (df,) for t, chi2 and r (r's df is n - 2),
    (df1, df2) for F, () for z."""
    v = as_printed(value)
    if test not in STATISTIC_DF:
        raise ValueError(f"test {test!r} is not one of {', '.join(STATISTIC_DF)}")
    need = STATISTIC_DF[test]
    if len(df) != need:
        raise ValueError(f"a {test} statistic takes {need} df, got {list(df)}")
    low, high = float(v.low), float(v.high)
    if test in ("t", "z", "r"):
        if low <= 0 <= high:
            small = 0.0
        else:
            small = min(abs(low), abs(high))
        big = max(abs(low), abs(high))
        if test == "r":
            return _r_p(big, df[0]), _r_p(small, df[0])
        dist = _scipy_stats().t(df[0]) if test == "t" else _scipy_stats().norm()
        return 2 * dist.sf(big), 2 * dist.sf(small)
    dist = _scipy_stats().f(df[0], df[1]) if test == "F" else _scipy_stats().chi2(df[0])
    return dist.sf(max(high, 0.0)), dist.sf(max(low, 0.0))


def _r_p(r: float, df: int) -> float:
    if r >= 1:
        return 0.0
    t = r * math.sqrt(df / (1 - r * r))
    return 2 * _scipy_stats().t(df).sf(t)


def statistic_check(
    test: str, value: str, df: tuple[int, ...], printed_p: str, alpha: Fraction
) -> Check:
    low, high = statistic_p_range(test, value, df)
    dfs = f"({', '.join(str(d) for d in df)})" if df else ""
    return p_range_check(low, high, printed_p, alpha, f"{test}{dfs} = {value}")


@dataclass(frozen=True)
class Group:
    """A group's printed mean and SD, and its size."""

    mean: Printed
    sd: Printed
    n: int


def two_sample_p_range(a: Group, b: Group, equal_var: bool) -> tuple[float, float]:
    """Student's (equal_var) or Welch's two-sample t-test P over the corners of the printed
    means' and SDs' rounding intervals: |t| is monotone in each mean and each SD, so its
    extremes, and P's, are at corners."""
    ps = [
        _scipy_stats()
        .ttest_ind_from_stats(m1, max(s1, 1e-300), a.n, m2, max(s2, 1e-300), b.n, equal_var)
        .pvalue
        for m1, m2, s1, s2 in product(
            (float(a.mean.low), float(a.mean.high)),
            (float(b.mean.low), float(b.mean.high)),
            (float(max(a.sd.low, 0)), float(a.sd.high)),
            (float(max(b.sd.low, 0)), float(b.sd.high)),
        )
    ]
    return min(ps), max(ps)


def two_sample_check(a: Group, b: Group, equal_var: bool, printed_p: str, alpha: Fraction) -> Check:
    low, high = two_sample_p_range(a, b, equal_var)
    name = "Student's two-sample t" if equal_var else "Welch's t"
    how = (
        f"{name} from {a.mean.text} ± {a.sd.text} (n = {a.n}) and {b.mean.text} ± {b.sd.text} "
        f"(n = {b.n}), over the printed values' rounding"
    )
    return p_range_check(low, high, printed_p, alpha, how)


def paired_p_range(before: Group, after: Group) -> tuple[float, float]:
    """The paired t-test's P over every correlation r in [-1, 1] between before and after, and
    the printed values' rounding. The SD of the differences is sqrt(s1² + s2² - 2 r s1 s2):
    smallest |s1 - s2| (r = 1), largest s1 + s2 (r = -1)."""
    if before.n != after.n:
        raise ValueError(f"a paired comparison has one n, got {before.n} and {after.n}")
    n = before.n
    diff_low, diff_high = before.mean.low - after.mean.high, before.mean.high - after.mean.low
    smallest_diff = (
        Fraction(0) if diff_low <= 0 <= diff_high else min(abs(diff_low), abs(diff_high))
    )
    largest_diff = max(abs(diff_low), abs(diff_high))
    s1_low, s2_low = max(before.sd.low, Fraction(0)), max(after.sd.low, Fraction(0))
    gap = max(s1_low - after.sd.high, s2_low - before.sd.high, Fraction(0))
    widest = before.sd.high + after.sd.high
    dist = _scipy_stats().t(n - 1)

    def p(diff: Fraction, sd_diff: Fraction) -> float:
        if sd_diff == 0:
            return 0.0 if diff else 1.0
        return 2 * dist.sf(float(abs(diff) * math.sqrt(n) / sd_diff))

    return p(largest_diff, gap), p(smallest_diff, widest)


def paired_check(before: Group, after: Group, printed_p: str, alpha: Fraction) -> Check:
    low, high = paired_p_range(before, after)
    how = (
        f"paired t from {before.mean.text} ± {before.sd.text} to {after.mean.text} ± "
        f"{after.sd.text} (n = {before.n}), over every correlation in [-1, 1]"
    )
    return p_range_check(low, high, printed_p, alpha, how)


# Confidence intervals ------------------------------------------------------------------------


def _bound_check(interval: tuple[float, float], low: Printed, high: Printed) -> bool:
    """Do the printed bounds fit an interval whose bounds lie in the given (lo, hi) boxes?"""
    (lo_min, lo_max), (hi_min, hi_max) = interval
    return (
        Fraction(lo_min) <= low.high
        and Fraction(lo_max) >= low.low
        and Fraction(hi_min) <= high.high
        and Fraction(hi_max) >= high.low
    )


def mean_ci_check(
    mean: str, sd: str, n: int, low: str, high: str, level: Fraction = Fraction(95, 100)
) -> Check:
    """A CI of a mean against the mean, SD and n: mean ± q x SD / sqrt(n) with q from t(n - 1)
    or the normal, over the printed mean's and SD's rounding. Decisive: the CI excludes the
    mean."""
    m, s, lo, hi = (as_printed(x) for x in (mean, sd, low, high))
    if not lo.value <= m.value <= hi.value:
        return Check(
            MISMATCH, True, f"the interval [{lo.text}, {hi.text}] excludes the mean {m.text}"
        )
    tail = (1 + float(level)) / 2
    found, shown = [], []
    for name, q in (
        ("t", _scipy_stats().t(n - 1).ppf(tail)),
        ("normal", _scipy_stats().norm.ppf(tail)),
    ):
        half = (float(s.low) * q / math.sqrt(n), float(s.high) * q / math.sqrt(n))
        box = (
            (float(m.low) - half[1], float(m.high) - half[0]),
            (float(m.low) + half[0], float(m.high) + half[1]),
        )
        centre = float(s.value) * q / math.sqrt(n)
        shown.append(
            f"{name}: {float(m.value) - centre:.{lo.decimals}f} to {float(m.value) + centre:.{hi.decimals}f}"
        )
        if _bound_check(box, lo, hi):
            found.append(name)
    note = f"{_num(level * 100)}% CI of a mean, mean ± q x SD / sqrt({n}): " + "; ".join(shown)
    if found:
        return Check(
            MATCH,
            False,
            _join(note, f"reproduced with the {' and '.join(found)} quantile"),
            "; ".join(shown),
        )
    return Check(
        MISMATCH, False, _join(note, "neither reproduces the printed bounds"), "; ".join(shown)
    )


def proportion_ci_check(
    count: int,
    n: int,
    low: str,
    high: str,
    level: Fraction = Fraction(95, 100),
    percent: bool = True,
) -> Check:
    """A CI of a proportion k / n: Clopper-Pearson, Wilson or Wald bounds round to the printed
    ones. Decisive: the CI excludes k / n."""
    lo, hi = as_printed(low), as_printed(high)
    scale = 100 if percent else 1
    estimate = Fraction(count * scale, n)
    if not lo.low <= estimate <= hi.high:
        return Check(
            MISMATCH,
            True,
            f"the interval [{lo.text}, {hi.text}] excludes {count}/{n} = {_num(estimate)}",
        )
    alpha = 1 - float(level)
    z = _scipy_stats().norm.ppf(1 - alpha / 2)
    phat = count / n
    exact = (
        _scipy_stats().beta.ppf(alpha / 2, count, n - count + 1) if count > 0 else 0.0,
        _scipy_stats().beta.ppf(1 - alpha / 2, count + 1, n - count) if count < n else 1.0,
    )
    centre = (phat + z * z / (2 * n)) / (1 + z * z / n)
    spread = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    wald_half = z * math.sqrt(phat * (1 - phat) / n)
    methods = {
        "Clopper-Pearson": exact,
        "Wilson": (centre - spread, centre + spread),
        "Wald": (max(phat - wald_half, 0.0), min(phat + wald_half, 1.0)),
    }
    shown, found = [], []
    for name, (a, b) in methods.items():
        a, b = a * scale, b * scale
        shown.append(f"{name} {a:.{lo.decimals}f} to {b:.{hi.decimals}f}")
        if rounds_to(Fraction(a), lo) and rounds_to(Fraction(b), hi):
            found.append(name)
    note = f"{_num(level * 100)}% CI of {count}/{n}: " + "; ".join(shown)
    if found:
        return Check(MATCH, False, _join(note, f"reproduced by {' and '.join(found)}"))
    return Check(MISMATCH, False, _join(note, "no method reproduces the printed bounds"))
