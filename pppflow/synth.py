"""Seeded synthetic cohorts at registry scale, under the cohort input contract.

One call draws every patient, visit and region at once (numpy arrays of shape patients x visits x
regions), so a million patients take seconds. The frames are typed as a registry export would be
(integers as integers, PPPASI as a one-decimal float); the validation stage reads them like any
cohort. `plant_errors` then breaks a copy in a few known ways and says exactly which failures the
validation must report, so the generator doubles as a test of the validation.

The numbers are plausible, not fitted to any study: baseline item scores centre on "moderate"
(2 of 4) with a right skew of milder patients, area on about 2 of 6; most patients improve by
the endpoint at a patient-specific rate, some do not or get worse, a few drop out, and very
rarely a patient is clear at baseline.
"""

from dataclasses import dataclass

import numpy as np
import polars as pl

from pppflow import constants as c
from pppflow.validate import no_baseline_value

DEFAULT_VISITS: tuple[tuple[str, int], ...] = (("baseline", 0), ("week4", 4), ("week12", 12))

# Shapes of the draws (Beta parameters, shares). Kept here, not in constants.py: they describe
# the synthetic population, not the PPPASI scale.
BASELINE_SEVERITY_BETA = (3.0, 4.0)  # per-patient item probability (before the floor)
BASELINE_AREA_BETA = (2.5, 4.0)  # per-patient area probability (before the floor)
# Patients start treatment with active disease: both probabilities are at least this, so a
# baseline of 0 comes (almost) only from baseline_clear_share.
BASELINE_FLOOR = 0.12
REGION_SPREAD_SD = 0.35  # log-scale spread of one region around the patient's severity
RESPONDER_GAIN_BETA = (3.0, 1.3)  # endpoint improvement share of a responder, mean ~0.70
NON_RESPONDER_SHARE = 0.12  # patients whose disease stays put or worsens
NON_RESPONDER_GAIN = (-0.3, 0.2)  # uniform range of their endpoint improvement share
VISIT_GAIN_SD = 0.08  # visit-to-visit noise around the patient's improvement curve
PGA_NOISE_SD = 0.45  # grades
PGA_MISSING_SHARE = 0.01  # follow-up visits with no PGA recorded
# Declared outcomes: DLQI and itch NRS follow the item severity with noise; a few follow-up
# values are not recorded. Adverse events: a Poisson count per patient, terms from a short list.
DLQI_PER_SEVERITY, DLQI_NOISE_SD = 40.0, 3.0
ITCH_PER_SEVERITY, ITCH_NOISE_SD = 16.0, 1.5
OUTCOME_MISSING_SHARE = 0.02
EVENTS_PER_PATIENT = 0.3
EVENT_TERMS = ("Acne", "Upper respiratory tract infection", "Headache", "Herpes zoster")
EVENT_TERM_SHARES = (0.35, 0.4, 0.2, 0.05)
SERIOUS_SHARE, DISCONTINUED_SHARE, RESOLVED_SHARE = 0.03, 0.02, 0.8
# Treatment stops: a share of patients stop at a week uniform up to their last visit (one
# decimal), for a reason drawn with these shares (the order of constants.STOP_REASONS).
STOP_SHARE = 0.12
STOP_REASON_SHARES = (0.5, 0.3, 0.2)
# The config entry of the outcomes the generator writes (tools/synth.py puts it in the config).
SYNTH_OUTCOMES = {
    "dlqi": {
        "column": "dlqi",
        "scale": {"min": 0, "max": 30, "step": 1},
        "better": "lower",
        "responders": {"0/1": {"at_most": 1}, "improvement >= 4": {"improves_by": 4}},
    },
    "itch": {
        "column": "itch_nrs",
        "scale": {"min": 0, "max": 10, "step": 1},
        "better": "lower",
        "responders": {"improvement >= 4": {"improves_by": 4}},
    },
}


# A randomised two-arm trial (`SynthSpec(arms=2)`, `make synth ARMS=2`): placebo or active 1:1,
# by permuted halves within each region (the stratum), visits every 4 weeks to the week-16
# endpoint, where placebo patients switch to the active drug, and a week-20 visit after it.
# The known effect at week 16 (patients seen): PPPASI 75 in about 42 % of the active arm and 8 %
# of the placebo arm, PPPASI 50 in about 66 % and 29 % (tests/test_synth.py measures them on a
# large draw); at week 20, after the switch, the placebo arm's PPPASI 75 is about 15 %.
TRIAL_VISITS: tuple[tuple[str, int], ...] = (
    ("baseline", 0),
    ("week4", 4),
    ("week8", 8),
    ("week12", 12),
    ("week16", 16),
    ("week20", 20),
)
TRIAL_ENDPOINT = TRIAL_SWITCH_VISIT = "week16"
TRIAL_ARMS = ("placebo", "active")  # the reference first
TRIAL_REGIONS = ("Europe", "Asia", "North America")
TRIAL_REGION_SHARES = (0.55, 0.3, 0.15)
# Share of baseline severity gone at the endpoint: active like the single-arm cohort's
# responders, placebo much less; after the switch a placebo patient moves from its placebo gain
# towards its drawn active gain as the single-arm curve does from baseline.
ACTIVE_GAIN_BETA = (2.2, 1.6)
ACTIVE_NON_RESPONDER_SHARE = 0.15
PLACEBO_GAIN_BETA = (1.2, 4.2)


def trial_config(column: str = "arm") -> dict:
    """The config keys of a synthetic trial's cohort entry (tools/synth.py)."""
    return {
        "endpoint_visit": TRIAL_ENDPOINT,
        "arms": {"column": column, "reference": TRIAL_ARMS[0], "levels": list(TRIAL_ARMS)},
        "strata": ["region"],
        "switch_visit": TRIAL_SWITCH_VISIT,
    }


@dataclass(frozen=True)
class SynthSpec:
    n_patients: int
    seed: int = 0
    visits: tuple[tuple[str, int], ...] = DEFAULT_VISITS  # (label, week); the first is baseline
    pga_max: int = 4
    dropout_share: float = 0.04  # chance to be lost before each follow-up visit
    baseline_clear_share: float = 0.001  # patients with every baseline score 0
    record_pppasi: bool = True  # also write the PPPASI total, as registries usually do
    week_jitter_sd: float = 0.5  # follow-ups happen around their nominal week (one decimal)
    arms: int = 1  # 2: a randomised placebo/active trial on TRIAL_VISITS (see TRIAL_ARMS)


@dataclass(frozen=True)
class SyntheticCohort:
    patients: pl.DataFrame
    visits: pl.DataFrame
    components: pl.DataFrame
    events: pl.DataFrame | None = None


def patient_ids(n_patients: int) -> pl.Series:
    """P0001, P0002, ...: zero-padded so that text order is numeric order."""
    width = len(str(n_patients))
    return pl.select(
        (pl.lit("P") + pl.int_range(1, n_patients + 1).cast(pl.Utf8).str.zfill(width)).alias(
            "patient_id"
        )
    ).to_series()


def _improvement_shares(spec: SynthSpec, rng: np.random.Generator) -> np.ndarray:
    """Share of baseline severity gone at each visit, patients x visits (0 at baseline)."""
    n = spec.n_patients
    weeks = np.array([w for _, w in spec.visits], dtype=float)
    endpoint_gain = rng.beta(*RESPONDER_GAIN_BETA, size=n)
    non_responder = rng.random(n) < NON_RESPONDER_SHARE
    endpoint_gain[non_responder] = rng.uniform(*NON_RESPONDER_GAIN, size=non_responder.sum())
    # Improvement builds up fast then levels off: a concave curve in time to the last visit.
    progress = (weeks / weeks[-1]) ** 0.6 if weeks[-1] > 0 else np.zeros_like(weeks)
    gain = endpoint_gain[:, None] * progress[None, :]
    gain += rng.normal(0.0, VISIT_GAIN_SD, size=gain.shape) * (progress > 0)[None, :]
    return np.clip(gain, -0.5, 1.0)


def _trial_arms(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Region (index into TRIAL_REGIONS) and active (bool) per patient: within each region the
    patients in a random order, alternately placebo and active (1:1 in every stratum)."""
    region = rng.choice(len(TRIAL_REGIONS), size=n, p=TRIAL_REGION_SHARES)
    order = np.lexsort((rng.random(n), region))  # by region, randomly within it
    first_of_region = np.searchsorted(region[order], region[order])
    active = np.empty(n, dtype=bool)
    active[order] = (np.arange(n) - first_of_region) % 2 == 1
    return region, active


def _trial_improvement_shares(
    spec: SynthSpec, active: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """_improvement_shares of a trial: by arm to the switch visit, then placebo patients on the
    active drug (module constants)."""
    n = spec.n_patients
    weeks = np.array([w for _, w in spec.visits], dtype=float)
    switch = dict(spec.visits)[TRIAL_SWITCH_VISIT]
    on_drug_gain = rng.beta(*ACTIVE_GAIN_BETA, size=n)
    non_responder = rng.random(n) < ACTIVE_NON_RESPONDER_SHARE
    on_drug_gain[non_responder] = rng.uniform(*NON_RESPONDER_GAIN, size=non_responder.sum())
    placebo_gain = rng.beta(*PLACEBO_GAIN_BETA, size=n)
    progress = np.minimum(weeks / switch, 1.0) ** 0.6
    after = np.clip((weeks - switch) / switch, 0.0, 1.0) ** 0.6  # time on drug after switching
    gain = np.where(
        active[:, None],
        on_drug_gain[:, None] * progress[None, :],
        placebo_gain[:, None] * progress[None, :]
        + (on_drug_gain - placebo_gain)[:, None] * after[None, :],
    )
    gain += rng.normal(0.0, VISIT_GAIN_SD, size=gain.shape) * (progress > 0)[None, :]
    return np.clip(gain, -0.5, 1.0)


def generate_cohort(spec: SynthSpec) -> SyntheticCohort:
    """Draw a cohort: patients, visits (PPPASI recorded or not) and region components."""
    if spec.n_patients < 1 or len(spec.visits) < 2:
        raise ValueError("a synthetic cohort needs at least one patient and two visits")
    rng = np.random.default_rng(spec.seed)
    n, n_visits, n_regions = spec.n_patients, len(spec.visits), len(c.REGIONS)

    def at_least_floor(draw: np.ndarray) -> np.ndarray:
        return BASELINE_FLOOR + (1.0 - BASELINE_FLOOR) * draw

    severity = at_least_floor(rng.beta(*BASELINE_SEVERITY_BETA, size=n))
    area = at_least_floor(rng.beta(*BASELINE_AREA_BETA, size=n))
    clear_at_baseline = rng.random(n) < spec.baseline_clear_share
    if spec.arms == 2:
        region, active = _trial_arms(n, rng)
        gain = _trial_improvement_shares(spec, active, rng)
    elif spec.arms == 1:
        gain = _improvement_shares(spec, rng)  # n x visits
    else:
        raise ValueError(f"a synthetic cohort has 1 or 2 arms, not {spec.arms}")
    region_factor = np.exp(rng.normal(0.0, REGION_SPREAD_SD, size=(n, 1, n_regions)))
    remaining = (1.0 - gain)[:, :, None]  # n x visits x 1
    item_p = np.clip(severity[:, None, None] * region_factor * remaining, 0.0, 1.0)
    area_p = np.clip(area[:, None, None] * region_factor * (0.4 + 0.6 * remaining), 0.0, 1.0)
    item_p[clear_at_baseline, 0, :] = 0.0
    area_p[clear_at_baseline, 0, :] = 0.0

    shape = (n, n_visits, n_regions)
    items = {
        name: rng.binomial(c.SEVERITY_MAX, item_p, size=shape).astype(np.int8)
        for name in c.SEVERITY_ITEMS
    }
    areas = rng.binomial(c.AREA_MAX, area_p, size=shape).astype(np.int8)

    # Dropout: lost before a follow-up visit means absent from it and every later one.
    lost = rng.random((n, n_visits - 1)) < spec.dropout_share
    present = np.ones((n, n_visits), dtype=bool)
    present[:, 1:] = ~np.logical_or.accumulate(lost, axis=1)

    weights = np.array([c.REGION_WEIGHT_TENTHS[r] for r in c.REGIONS], dtype=np.int64)
    item_sum = sum(items[name].astype(np.int64) for name in c.SEVERITY_ITEMS)
    pppasi_tenths = (item_sum * areas.astype(np.int64) * weights).sum(axis=2)  # n x visits
    mean_item = item_sum.sum(axis=2) / (len(c.SEVERITY_ITEMS) * n_regions * c.SEVERITY_MAX)
    pga = np.clip(
        np.rint(mean_item * spec.pga_max + rng.normal(0.0, PGA_NOISE_SD, size=(n, n_visits))),
        c.PGA_MIN,
        spec.pga_max,
    ).astype(np.int64)
    pga_missing = rng.random((n, n_visits)) < PGA_MISSING_SHARE
    pga_missing[:, 0] = False

    ids = patient_ids(n)
    labels = pl.Series([label for label, _ in spec.visits], dtype=pl.Utf8)
    nominal = np.array([w for _, w in spec.visits], dtype=float)
    jitter = np.round(rng.normal(0.0, spec.week_jitter_sd, size=(n, n_visits)), 1)
    jitter[:, 0] = 0.0  # the baseline defines week 0
    weeks = np.maximum(nominal[None, :] + jitter, nominal[None, :] / 2)

    patients = pl.DataFrame(
        {
            "patient_id": ids,
            "sex": np.where(rng.random(n) < 0.75, "F", "M"),  # PPP is mostly seen in women
            "age_years": np.clip(np.rint(rng.normal(50, 12, size=n)), 18, 90).astype(np.int64),
            "dose_mg": np.where(rng.random(n) < 0.8, 15, 30).astype(np.int64),
        }
    )
    if spec.arms == 2:
        patients = patients.with_columns(
            pl.Series("arm", np.array(TRIAL_ARMS)[active.astype(int)]),
            pl.Series("region", np.array(TRIAL_REGIONS)[region]),
        )

    # Drawn after every other draw, so a seed's PPPASI and PGA stay what they were.
    dlqi = _score_of(mean_item, DLQI_PER_SEVERITY, DLQI_NOISE_SD, 30, rng)
    itch = _score_of(mean_item, ITCH_PER_SEVERITY, ITCH_NOISE_SD, 10, rng)
    events = _events(ids, weeks[:, -1], rng)
    stop_week, stop_reason = _stops(np.where(present, weeks, 0.0).max(axis=1), rng)

    patients = patients.with_columns(
        pl.Series("stop_week", stop_week), pl.Series("stop_reason", stop_reason, dtype=pl.Utf8)
    )

    visit_patient, visit_index = np.nonzero(present)  # row-major: patient, then visit order
    visits = pl.DataFrame(
        {
            "patient_id": ids.gather(visit_patient),
            "visit": labels.gather(visit_index),
            "week": np.round(weeks[visit_patient, visit_index], 1),
            "pppasi": pl.Series(pppasi_tenths[visit_patient, visit_index] / c.TENTHS_PER_POINT),
            "pga": pl.Series(pga[visit_patient, visit_index]),
            "dlqi": pl.Series(dlqi[visit_patient, visit_index]),
            "itch_nrs": pl.Series(itch[visit_patient, visit_index]),
        }
    ).with_columns(
        pl.when(pl.Series(pga_missing[visit_patient, visit_index]))
        .then(None)
        .otherwise(pl.col("pga"))
        .alias("pga"),
        pl.col("pppasi") if spec.record_pppasi else pl.lit(None, pl.Float64).alias("pppasi"),
    )

    row_patient = np.repeat(visit_patient, n_regions)
    row_visit = np.repeat(visit_index, n_regions)
    row_region = np.tile(np.arange(n_regions), len(visit_patient))
    regions = pl.Series(list(c.REGIONS), dtype=pl.Utf8)
    components = pl.DataFrame(
        {
            "patient_id": ids.gather(row_patient),
            "visit": labels.gather(row_visit),
            "region": regions.gather(row_region),
            **{
                name: values[row_patient, row_visit, row_region]
                for name, values in (*items.items(), ("area", areas))
            },
        }
    )
    return SyntheticCohort(patients=patients, visits=visits, components=components, events=events)


def _score_of(
    severity: np.ndarray, per_unit: float, noise_sd: float, top: int, rng: np.random.Generator
) -> np.ndarray:
    """An integer score 0..top following the severity share, a few follow-ups not recorded
    (a masked array's holes become nulls in polars)."""
    score = np.clip(
        np.rint(severity * per_unit + rng.normal(0.0, noise_sd, severity.shape)), 0, top
    )
    unrecorded = rng.random(severity.shape) < OUTCOME_MISSING_SHARE
    unrecorded[:, 0] = False
    return np.ma.masked_array(score.astype(np.int64), mask=unrecorded)


def _stops(last_week: np.ndarray, rng: np.random.Generator) -> tuple[pl.Series, pl.Series]:
    """stop_week (null while on the drug) and stop_reason of every patient."""
    n = len(last_week)
    stopped = rng.random(n) < STOP_SHARE
    week = np.round(rng.random(n) * last_week, 1)
    reason = np.array(c.STOP_REASONS)[rng.choice(len(c.STOP_REASONS), size=n, p=STOP_REASON_SHARES)]
    return (
        pl.Series(week).set(pl.Series(~stopped), None),
        pl.Series(reason).set(pl.Series(~stopped), None),
    )


def _events(ids: pl.Series, last_week: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    """Adverse events: a Poisson count per patient, onset uniform over the patient's follow-up."""
    count = rng.poisson(EVENTS_PER_PATIENT, size=ids.len())
    patient = np.repeat(np.arange(ids.len()), count)
    n = len(patient)
    yes_no = np.array(["no", "yes"])
    return pl.DataFrame(
        {
            "patient_id": ids.gather(patient),
            "term": np.array(EVENT_TERMS)[
                rng.choice(len(EVENT_TERMS), size=n, p=EVENT_TERM_SHARES)
            ],
            "onset_week": np.round(rng.random(n) * last_week[patient], 1),
            "serious": yes_no[(rng.random(n) < SERIOUS_SHARE).astype(int)],
            "led_to_discontinuation": yes_no[(rng.random(n) < DISCONTINUED_SHARE).astype(int)],
            "resolved": yes_no[(rng.random(n) < RESOLVED_SHARE).astype(int)],
        }
    )


# --- planted errors ------------------------------------------------------------------------

PLANT = "__planted"
ROW = "__row"
PLANTED_KINDS = (
    "invalid_sex",
    "duplicate_patient",
    "malformed_pga",
    "pppasi_two_decimals",
    "orphan_visit",
    "missing_baseline",
    "score_out_of_range",
    "missing_region",
    "unknown_region",
)
EXPECTED_SCHEMA = {
    "file": pl.Utf8,  # the file's role: patients, visits or components
    "row": pl.Int64,
    "patient_id": pl.Utf8,
    "column": pl.Utf8,
    "check": pl.Utf8,
    "value": pl.Utf8,
}


def _mark(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.lit(None, pl.Utf8).alias(PLANT))


def _set(frame: pl.DataFrame, where: pl.Expr, kind: str, **values) -> pl.DataFrame:
    """Set columns on the rows `where` selects and tag those rows with the error kind."""
    return frame.with_columns(
        *[
            pl.when(where).then(pl.lit(v, frame.schema[k])).otherwise(pl.col(k)).alias(k)
            for k, v in values.items()
        ],
        pl.when(where).then(pl.lit(kind)).otherwise(pl.col(PLANT)).alias(PLANT),
    )


def _rows_of(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    return (
        frame.with_row_index(ROW, offset=1)
        .filter(pl.col(PLANT) == kind)
        .with_columns(pl.col(ROW).cast(pl.Int64))
    )


def plant_errors(
    cohort: SyntheticCohort, spec: SynthSpec, seed: int = 1
) -> tuple[SyntheticCohort, pl.DataFrame]:
    """Break the cohort once in each of PLANTED_KINDS, each on its own patient.

    Returns the broken cohort and the failures the validation must report, exactly: file (as
    the role patients/visits/components), 1-based data row (null where no row is at fault),
    patient_id, column, check and offending value as written.
    """
    baseline, endpoint = spec.visits[0][0], spec.visits[-1][0]
    middle = spec.visits[1][0]
    complete = (
        cohort.visits.group_by("patient_id")
        .len()
        .filter(pl.col("len") == len(spec.visits))
        .sort("patient_id")["patient_id"]
    )
    if complete.len() < len(PLANTED_KINDS):
        raise ValueError(f"planting errors needs at least {len(PLANTED_KINDS)} complete patients")
    rng = np.random.default_rng(seed)
    picked = complete.gather(rng.choice(complete.len(), len(PLANTED_KINDS), replace=False))
    victim = dict(zip(PLANTED_KINDS, picked.to_list(), strict=True))
    orphan_id = "X" + victim["orphan_visit"]  # no generated id starts with X

    # Text where the planted value cannot be stored in the column's type.
    patients = _mark(cohort.patients)
    visits = _mark(cohort.visits).with_columns(pl.col("pga", "pppasi").cast(pl.Utf8))
    components = _mark(cohort.components)

    def is_patient(kind: str) -> pl.Expr:
        return pl.col("patient_id") == victim[kind]

    patients = _set(patients, is_patient("invalid_sex"), "invalid_sex", sex="X")
    duplicate = patients.filter(is_patient("duplicate_patient"))
    patients = pl.concat([patients, duplicate]).pipe(
        _set, is_patient("duplicate_patient"), "duplicate_patient"
    )

    visits = _set(
        visits,
        is_patient("malformed_pga") & (pl.col("visit") == middle),
        "malformed_pga",
        pga="2.5",
    )
    visits = _set(
        visits,
        is_patient("pppasi_two_decimals") & (pl.col("visit") == baseline),
        "pppasi_two_decimals",
        pppasi="12.35",
    )
    orphan = visits.filter(is_patient("orphan_visit") & (pl.col("visit") == baseline)).with_columns(
        pl.lit(orphan_id).alias("patient_id"),
        pl.lit("5.0").alias("pppasi"),  # scored, so only the unknown patient is at fault
        pl.lit("orphan_visit").alias(PLANT),
    )
    visits = pl.concat([visits, orphan])
    no_baseline = is_patient("missing_baseline") & (pl.col("visit") == baseline)
    visits = visits.filter(~no_baseline)
    components = components.filter(~no_baseline)

    components = _set(
        components,
        is_patient("score_out_of_range")
        & (pl.col("visit") == endpoint)
        & (pl.col("region") == c.REGIONS[-1]),
        "score_out_of_range",
        erythema=c.SEVERITY_MAX + 1,
    )
    lacking = c.REGIONS[2]
    in_group = is_patient("missing_region") & (pl.col("visit") == middle)
    components = components.filter(~(in_group & (pl.col("region") == lacking))).pipe(
        _set, in_group, "missing_region"
    )
    stray = components.filter(is_patient("unknown_region") & (pl.col("visit") == endpoint)).head(1)
    components = pl.concat(
        [
            components,
            stray.with_columns(
                pl.lit("nose").alias("region"), pl.lit("unknown_region").alias(PLANT)
            ),
        ]
    )

    def failure(file: str, row, kind: str, column: str, check: str, value) -> dict:
        return {
            "file": file,
            "row": row,
            "patient_id": orphan_id if kind == "orphan_visit" else victim[kind],
            "column": column,
            "check": check,
            "value": value,
        }

    def one_row(frame: pl.DataFrame, kind: str) -> int:
        (row,) = _rows_of(frame, kind)[ROW].to_list()
        return row

    sexes = ", ".join(repr(s) for s in c.SEXES)
    regions = ", ".join(repr(r) for r in c.REGIONS)
    pid = victim["duplicate_patient"]
    expected = [
        failure(
            "patients",
            one_row(patients, "invalid_sex"),
            "invalid_sex",
            "sex",
            f"isin([{sexes}])",
            "X",
        ),
        *[
            failure("patients", row, "duplicate_patient", "patient_id", "unique(patient_id)", pid)
            for row in _rows_of(patients, "duplicate_patient")[ROW].to_list()
        ],
        failure(
            "visits", one_row(visits, "malformed_pga"), "malformed_pga", "pga", "is_integer", "2.5"
        ),
        failure(
            "visits",
            one_row(visits, "pppasi_two_decimals"),
            "pppasi_two_decimals",
            "pppasi",
            "at_most_one_decimal",
            "12.35",
        ),
        failure(
            "visits",
            one_row(visits, "orphan_visit"),
            "orphan_visit",
            "patient_id",
            "patient_in_patients_file",
            orphan_id,
        ),
        failure(
            "visits",
            None,
            "missing_baseline",
            "visit",
            "has_baseline_visit",
            no_baseline_value(
                baseline,
                visits.filter(pl.col("patient_id") == victim["missing_baseline"])["visit"]
                .unique(maintain_order=True)
                .to_list(),
            ),
        ),
        failure(
            "components",
            one_row(components, "score_out_of_range"),
            "score_out_of_range",
            "erythema",
            f"number_in_range(low=0, high={c.SEVERITY_MAX})",
            str(c.SEVERITY_MAX + 1),
        ),
        failure(
            "components",
            _rows_of(components, "missing_region")[ROW].min(),
            "missing_region",
            "region",
            "all_regions_present",
            f"visit {middle} lacks {lacking}",
        ),
        failure(
            "components",
            one_row(components, "unknown_region"),
            "unknown_region",
            "region",
            f"isin([{regions}])",
            "nose",
        ),
    ]
    broken = SyntheticCohort(
        patients=patients.drop(PLANT),
        visits=visits.drop(PLANT),
        components=components.drop(PLANT),
        events=cohort.events,
    )
    return broken, pl.DataFrame(expected, schema=EXPECTED_SCHEMA)
