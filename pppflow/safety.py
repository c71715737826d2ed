"""The adverse events table: safety.csv.

Per term (and a first row `any`: patients with at least one event): patients with the event, as
a percent of every patient of the cohort, number of events, patients with a serious one, patients
whose event led to discontinuation, and, when exposure differs between patients, the events per
100 patient-years of exposure. A patient's exposure runs from week 0 to the patients file's
`stop_week`, or without one to the last visit week.
"""

import polars as pl

ANY_TERM = "any"
# Julian year: 365.25 days.
WEEKS_PER_YEAR = 365.25 / 7
PER_PATIENT_YEARS = 100

SAFETY_SCHEMA = {
    "arm": pl.Utf8,
    "term": pl.Utf8,
    "patients": pl.Int64,
    "percent": pl.Float64,
    "events": pl.Int64,
    "serious_patients": pl.Int64,
    "discontinued_patients": pl.Int64,
    "events_per_100py": pl.Float64,
}


def exposure_weeks(visits: pl.DataFrame, patients: pl.DataFrame) -> pl.DataFrame:
    """patient_id, exposure_weeks: the patient's `stop_week` where the patients file gives one,
    else the last visit week (0 for a patient with neither)."""
    last = visits.group_by("patient_id").agg(pl.col("week").max().alias("last_visit"))
    stop = pl.col("stop_week") if "stop_week" in patients.columns else pl.lit(None, pl.Float64)
    return (
        patients.select("patient_id", stop.cast(pl.Float64).alias("stop_week"))
        .join(last, on="patient_id", how="left")
        .select(
            "patient_id",
            pl.coalesce("stop_week", "last_visit", pl.lit(0.0)).alias("exposure_weeks"),
        )
    )


def safety_table(
    events: pl.DataFrame, visits: pl.DataFrame, patients: pl.DataFrame
) -> pl.DataFrame:
    """safety.csv (see module doc); `arm` empty: one arm. Terms by patients, then name."""
    exposure = exposure_weeks(visits, patients)
    cohort_size = exposure.height
    weeks = exposure["exposure_weeks"]
    varies = weeks.n_unique() > 1
    patient_years = float(weeks.sum()) / WEEKS_PER_YEAR
    serious = pl.col("serious").fill_null(False)
    stopped = pl.col("led_to_discontinuation").fill_null(False)

    def counts(frame: pl.LazyFrame, by: list[str]) -> pl.LazyFrame:
        aggregations = [
            pl.col("patient_id").n_unique().cast(pl.Int64).alias("patients"),
            pl.len().cast(pl.Int64).alias("events"),
            pl.col("patient_id")
            .filter(serious)
            .n_unique()
            .cast(pl.Int64)
            .alias("serious_patients"),
            pl.col("patient_id")
            .filter(stopped)
            .n_unique()
            .cast(pl.Int64)
            .alias("discontinued_patients"),
        ]
        return frame.group_by(by).agg(aggregations) if by else frame.select(aggregations)

    lazy = events.lazy()
    overall = counts(lazy, []).with_columns(pl.lit(ANY_TERM).alias("term"))
    per_term = counts(lazy, ["term"]).sort(
        [pl.col("patients"), pl.col("term")], descending=[True, False]
    )
    table = pl.concat([overall.select(per_term.collect_schema().names()), per_term]).collect()
    rate = (
        pl.col("events").cast(pl.Float64) * PER_PATIENT_YEARS / patient_years
        if varies and patient_years > 0
        else pl.lit(None, pl.Float64)
    )
    return table.select(
        pl.lit(None, pl.Utf8).alias("arm"),
        "term",
        "patients",
        (pl.col("patients").cast(pl.Float64) * 100 / cohort_size).alias("percent"),
        "events",
        "serious_patients",
        "discontinued_patients",
        rate.alias("events_per_100py"),
    ).cast(SAFETY_SCHEMA)
