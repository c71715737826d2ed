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

# Labels of the response endpoints, as response_rates.csv and claims.yaml (refers_to.endpoint)
# spell them.
PPPASI_ENDPOINT_PREFIX: Final[str] = "PPPASI"
PGA_CLEAR_ENDPOINT: Final[str] = "PGA0/1"
PGA_IMPROVED_ENDPOINT: Final[str] = "PGA≥2"
PGA_ENDPOINTS: Final[tuple[str, ...]] = (PGA_CLEAR_ENDPOINT, PGA_IMPROVED_ENDPOINT)
# Endpoint names as response_rates.csv spells them -> as a reader reads them.
ENDPOINT_LABELS: Final[dict[str, str]] = {
    **{f"{PPPASI_ENDPOINT_PREFIX}{t}": f"PPPASI {t}" for t in PPPASI_RESPONSE_THRESHOLDS},
    PGA_CLEAR_ENDPOINT: "PGA 0/1",
    PGA_IMPROVED_ENDPOINT: "PGA ≥2 grades better",
}

# Statistics, baseline table and audit.
# Outcomes compared between the baseline and the endpoint visit, as tests.csv names them.
PPPASI_OUTCOME: Final[str] = "PPPASI"
PGA_OUTCOME: Final[str] = "PGA"
# Exact (conditional) Wilcoxon signed-rank P values enumerate the sign patterns of the non-zero
# differences by a count over rank sums: cheap at any n, but beyond this n the normal
# approximation is what every package reports and the exact one adds nothing.
WILCOXON_EXACT_MAX_N: Final[int] = 50
# The Hodges-Lehmann estimate takes the median of n (n + 1) / 2 Walsh averages: kept to
# cohorts where that is a few million numbers.
HODGES_LEHMANN_MAX_N: Final[int] = 2000
# Cohen's dz interval. Up to this many pairs it is the exact one: the noncentralities whose
# noncentral t puts the observed t at the interval's tail quantiles. Beyond, the noncentral t's
# large-df normal limit, ncp = t +- z sqrt(1 + t^2 / (2 df)): its ends differ from the exact ones
# by O(1 / n) (under 3e-5 in dz for dz up to 10 at n = 10 000), while scipy's noncentral t CDF
# gets slower as t = dz sqrt(n) grows and is NaN everywhere from t of about 3e5.
COHENS_DZ_EXACT_CI_MAX_N: Final[int] = 10_000
# The exact inversion steps out from the observed t, in steps of that large-df standard error
# doubled each time, until the CDF crosses the tail probability: the CDF is only evaluated
# within about twice the root's distance from t, where it is finite (scipy's nct.cdf returns NaN
# in its far tails, e.g. at df = 928, t = 34.24, ncp = 78.48). 2^60 standard errors is beyond
# any finite root.
COHENS_DZ_BRACKET_MAX_DOUBLINGS: Final[int] = 60
# Biologics whose mention in a patient's previous treatments counts as prior biologic exposure
# (matched as whole words, case-insensitively). TNF, IL-17, IL-23, IL-12/23, IL-36, IL-4/13,
# IL-6, CD20, CTLA-4 and integrin antibodies and fusion proteins.
BIOLOGIC_AGENTS: Final[tuple[str, ...]] = (
    "adalimumab",
    "infliximab",
    "etanercept",
    "certolizumab",
    "golimumab",
    "secukinumab",
    "ixekizumab",
    "brodalumab",
    "bimekizumab",
    "ustekinumab",
    "guselkumab",
    "risankizumab",
    "tildrakizumab",
    "spesolimab",
    "dupilumab",
    "tralokinumab",
    "tocilizumab",
    "rituximab",
    "abatacept",
    "vedolizumab",
)
PRIOR_BIOLOGIC_COLUMN: Final[str] = "prior_biologic"
PREVIOUS_TREATMENTS_COLUMN: Final[str] = "previous_treatments"
# Columns the pipeline adds to each patient's row (prior_biologic where the validated patients are
# written, the baseline scores for Table 1): a patients file may not have them, or the
# user's value and the derived one would silently replace each other.
BASELINE_PPPASI_COLUMN: Final[str] = "baseline_pppasi"
BASELINE_PGA_COLUMN: Final[str] = "baseline_pga"
# The week treatment stopped (the patients file's optional column; empty while on the drug).
STOP_WEEK_COLUMN: Final[str] = "stop_week"
# validated/outcomes.parquet holds each declared outcome's units in the column "<name>:units"
# (no patient column can be named so: outcome names are [a-z0-9_]).
OUTCOME_UNITS_SUFFIX: Final[str] = ":units"
# Why treatment stopped (the patients file's stop_reason, time_on_drug.csv's reasons); a reason
# is given exactly when a stop_week is.
STOP_REASONS: Final[tuple[str, ...]] = ("inefficacy", "adverse_event", "other")
RESERVED_PATIENT_COLUMNS: Final[tuple[str, ...]] = (
    PRIOR_BIOLOGIC_COLUMN,
    BASELINE_PPPASI_COLUMN,
    BASELINE_PGA_COLUMN,
)
# Table 1: a text column with at most this many distinct values is tabulated as categorical;
# one with more is free text and left out (it is listed under the table).
TABLE1_MAX_LEVELS: Final[int] = 5
TABLE1_DECIMALS: Final[int] = 2
TABLE1_PERCENT_DECIMALS: Final[int] = 1
# Table 1's labels of the documented patient columns and of the derived ones; a config's
# stats.table1_labels adds to and overrides them, and any other column reads as its name does
# ("joint_pain" as "Joint pain").
TABLE1_DEFAULT_LABELS: Final[dict[str, str]] = {
    "sex": "Sex",
    "age_years": "Age (years)",
    "dose_mg": "Dose (mg)",
    PRIOR_BIOLOGIC_COLUMN: "Prior biologic",
    "baseline_pppasi": "PPPASI at baseline",
    "baseline_pga": "PGA at baseline",
}
# Table 1's labels of the levels of documented columns (the data contract's codes).
TABLE1_LEVEL_LABELS: Final[dict[str, dict[str, str]]] = {"sex": {"F": "Female", "M": "Male"}}
# How Table 1's HTML shows continuous variables (the CSV has both).
TABLE1_CONTINUOUS_STATISTICS: Final[dict[str, str]] = {
    "mean_sd": "mean (SD)",
    "median_iqr": "median [Q1, Q3]",
}

# Charts. A chart that draws patients draws each one up to this many; beyond, it draws
# groups of them, so that its size stops growing with the cohort's.
CHART_MAX_PATIENT_MARKS: Final[int] = 200
# Lines a paired chart draws at most beyond CHART_MAX_PATIENT_MARKS patients, each a group of
# patients with the same (rounded) baseline and endpoint PPPASI.
CHART_MAX_PAIRED_LINES: Final[int] = 1000
# Groups of equal size a waterfall shows beyond CHART_MAX_PATIENT_MARKS patients.
CHART_WATERFALL_GROUPS: Final[int] = 200
# Past this many bars the waterfall drops its patient-ID axis labels: they would overlap.
CHART_MAX_LABELLED_PATIENTS: Final[int] = 40

# Report table pages (pppflow/pages.py). A page shows at most this many rows of its CSV, so that
# its size and the time to write it stop growing with the cohort's; it says how many the CSV has.
REPORT_TABLE_MAX_ROWS: Final[int] = 1000
# A page embeds its CSV (base64, as a download link) only up to this size; a larger CSV is named
# by its path instead, as the report embeds each page whole once more.
REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES: Final[int] = 5_000_000

# What a reader reads on the pages and in the terminal summary (the CSVs keep full precision).
DISPLAY_DECIMALS: Final[int] = 2
DISPLAY_RATE_DECIMALS: Final[int] = 0
# P values below this print as "< 0.001"; within DISPLAY_P_NEAR_ALPHA of alpha they get three
# decimals, so that 0.0496 does not print as 0.05.
DISPLAY_P_FLOOR: Final[float] = 0.001
DISPLAY_P_NEAR_ALPHA: Final[float] = 0.005
