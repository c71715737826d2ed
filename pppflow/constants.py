"""The one source of truth for scales, weights and thresholds."""

from typing import Final

# PPPASI (Table 2 footnote of the study letter): per region,
# (erythema + pustules + desquamation) x area x weight. Weights are kept in tenths so the
# index is computed exactly as an integer number of tenths.
REGION_WEIGHT_TENTHS: Final[dict[str, int]] = {
    "right_palm": 2,
    "left_palm": 2,
    "right_sole": 3,
    "left_sole": 3,
}
REGIONS: Final[tuple[str, ...]] = tuple(REGION_WEIGHT_TENTHS)
SEVERITY_ITEMS: Final[tuple[str, ...]] = ("erythema", "pustules", "desquamation")
SEVERITY_MIN: Final[int] = 0
SEVERITY_MAX: Final[int] = 4
AREA_MIN: Final[int] = 0
AREA_MAX: Final[int] = 6
PPPASI_MIN_TENTHS: Final[int] = 0
# 3 items x 4 x 6 x (0.2 + 0.2 + 0.3 + 0.3) = 72.0
PPPASI_MAX_TENTHS: Final[int] = (
    len(SEVERITY_ITEMS) * SEVERITY_MAX * AREA_MAX * sum(REGION_WEIGHT_TENTHS.values())
)
TENTHS_PER_POINT: Final[int] = 10

# Response endpoints: PPPASI-X means an improvement of at least X % (inclusive).
PPPASI_RESPONSE_THRESHOLDS: Final[tuple[int, ...]] = (50, 75, 90, 100)
# PGA: "clear or almost clear" is a grade at or below this; an improvement of at least
# this many grades is the other PGA endpoint.
PGA_CLEAR_MAX_GRADE: Final[int] = 1
PGA_MIN_IMPROVEMENT_GRADES: Final[int] = 2
PGA_MIN: Final[int] = 0

SEXES: Final[tuple[str, ...]] = ("F", "M")
AGE_MAX_YEARS: Final[int] = 130

MISSING_RULES: Final[tuple[str, ...]] = ("observed", "nri")
DISAGREEMENT_ACTIONS: Final[tuple[str, ...]] = ("warn", "error")
