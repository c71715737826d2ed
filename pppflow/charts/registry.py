"""Every chart the workflow draws, one entry each.

An entry names the chart (its module ``pppflow/charts/<name>.py``, whose ``build(frames,
settings)`` draws it, and its caption ``report/charts/<name>.rst``), titles it, says which
cohorts get it and which of the stage outputs (INPUTS) it draws from. The rules, the chart plan
and the chart index are made from this list, so a new chart is its module, its caption and one
entry here.

Plain Python only: Snakemake imports this while it parses the rules, and the plan step runs
before any chart, so neither should wait for altair or polars to load.
"""

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: importing them loads altair
    from pppflow.charts.common import ChartSettings, Frames


class Cohorts(Enum):
    """Which cohorts get a chart."""

    EVERY = "every cohort"
    # With only a baseline and an endpoint, the paired chart already shows everything a chart
    # over the weeks would.
    MORE_THAN_TWO_VISITS = "cohorts with more than two visit labels"
    # A cohort whose files record no PGA grade has no shift to draw.
    WITH_PGA = "cohorts with a PGA grade recorded"
    # Declared outcomes (config `outcomes:`) with at least one value in the visits file.
    WITH_DECLARED_OUTCOMES = "cohorts with a declared outcome recorded"
    # A trial: the cohort's config names its arm column (`arms:`) and its patients have two or
    # more arms, so there are between-arm comparisons to draw.
    WITH_ARMS = "cohorts with two or more arms"
    # The patients file gives stop weeks (a `stop_week` column with at least one value): drug
    # survival to draw.
    WITH_STOPS = "cohorts whose patients file gives stop weeks"


# The stage outputs a chart can draw from; rules/charts.smk names the file of each.
INPUTS: dict[str, str] = {
    "pppasi": "PPPASI per patient and visit",
    "per_patient": "per-patient results at the endpoint",
    "rates": "response rates per endpoint and visit",
    "patients": "the validated patients (their doses)",
    "claims": "the response rates the paper reports (none where the cohort has no claims)",
    "audit": "the audit's verdicts (a decisive mismatch is marked on the chart)",
    "responses": "the response per patient and follow-up visit (times to first response)",
    "percent_change_summary": "percent change in PPPASI per follow-up visit (percent_change.csv)",
    "descriptives": "descriptives per outcome and visit (the declared outcomes' among them)",
    "comparisons": "responder endpoints between arms (rate difference, RR, OR, P)",
    "subgroup_comparisons": "the between-arm rate difference per subgroup level",
    "continuous_comparisons": "PPPASI change between arms per visit (ANCOVA, Hodges-Lehmann)",
    "repeated_measures": "PPPASI change between arms per visit (mixed model over all visits)",
    "mean_change": "each arm's mean PPPASI change from baseline per visit, with its CI",
    "arm_responses": "the responses per patient and visit with the arm, over the randomised period",
    "visits": "the validated visits (each patient's last visit week)",
}


# The inputs whose tables stack a trial's per-arm rows under the whole cohort's (`arm` empty):
# a chart of the whole cohort reads only the latter. The others (the validated patients, whose
# arm column may itself be named `arm`, the PPPASI table, the comparisons) are read as they are.
STACKED_INPUTS = frozenset({"rates", "descriptives", "percent_change_summary"})


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    cohorts: Cohorts
    inputs: tuple[str, ...]
    # The summary page's section that shows the chart beside its table (its id); None: the
    # page's Charts section.
    section: str | None = None

    def __post_init__(self) -> None:
        unknown = [name for name in self.inputs if name not in INPUTS]
        if unknown:
            raise ValueError(f"chart {self.name}: unknown inputs {unknown}")

    @property
    def module(self) -> str:
        return f"pppflow.charts.{self.name}"

    @property
    def caption(self) -> str:
        """The caption file, from the workflow's folder."""
        return f"report/charts/{self.name}.rst"

    def builder(self) -> "Callable[[Frames, ChartSettings], Any]":
        """The chart's ``build``; imported only when asked for."""
        return importlib.import_module(self.module).build


CHARTS: tuple[Chart, ...] = (
    Chart(
        "paired_pppasi",
        "PPPASI per patient, baseline to endpoint",
        Cohorts.EVERY,
        ("pppasi", "patients"),
    ),
    Chart(
        "improvement_waterfall",
        "Improvement in PPPASI per patient",
        Cohorts.EVERY,
        ("pppasi", "per_patient"),
    ),
    Chart(
        "response_rates",
        "Response rates, recomputed and reported",
        Cohorts.EVERY,
        ("pppasi", "rates", "claims", "audit"),
    ),
    Chart(
        "pga_shift",
        "PGA shift, baseline to endpoint",
        Cohorts.WITH_PGA,
        ("pppasi", "per_patient"),
    ),
    Chart(
        "response_rates_over_time",
        "Response rates over the weeks",
        Cohorts.MORE_THAN_TWO_VISITS,
        ("rates",),
    ),
    Chart(
        "pppasi_over_time",
        "Mean PPPASI over the weeks",
        Cohorts.MORE_THAN_TWO_VISITS,
        ("pppasi",),
    ),
    Chart(
        "percent_change",
        "Percent change in PPPASI over the weeks",
        Cohorts.MORE_THAN_TWO_VISITS,
        ("percent_change_summary",),
        section="percent-change",
    ),
    Chart(
        "time_to_response",
        "Time to first PPPASI 50 and 75 response",
        Cohorts.MORE_THAN_TWO_VISITS,
        ("responses",),
        section="time-to-response",
    ),
    Chart(
        "declared_outcomes",
        "Declared outcomes over the weeks",
        Cohorts.WITH_DECLARED_OUTCOMES,
        ("descriptives",),
        section="declared-outcomes",
    ),
    Chart(
        "forest_plot",
        "Response difference between arms by subgroup",
        Cohorts.WITH_ARMS,
        ("comparisons", "subgroup_comparisons"),
        section="subgroups",
    ),
    Chart(
        "response_rates_by_arm",
        "Response rates per arm over the weeks",
        Cohorts.WITH_ARMS,
        ("rates", "comparisons"),
        section="between-arms-responders",
    ),
    # Before the difference between arms: each arm's own course first, then how far apart.
    Chart(
        "mean_change_by_arm",
        "Mean PPPASI change from baseline per arm",
        Cohorts.WITH_ARMS,
        ("mean_change",),
        section="between-arms-change",
    ),
    Chart(
        "change_by_arm",
        "Difference in PPPASI change between arms",
        Cohorts.WITH_ARMS,
        ("pppasi", "continuous_comparisons", "repeated_measures"),
        section="between-arms-change",
    ),
    Chart(
        "time_to_response_by_arm",
        "Time to first PPPASI 50 and 75 response, per arm",
        Cohorts.WITH_ARMS,
        ("arm_responses",),
        section="between-arms-time",
    ),
    Chart(
        "time_on_drug",
        "Time on drug and stopping per reason",
        Cohorts.WITH_STOPS,
        ("patients", "visits"),
        section="time-on-drug",
    ),
)

BY_NAME: dict[str, Chart] = {chart.name: chart for chart in CHARTS}


def charts_for(cohorts: Cohorts) -> tuple[Chart, ...]:
    return tuple(chart for chart in CHARTS if chart.cohorts is cohorts)


def inputs_of(charts: Iterable[Chart]) -> list[str]:
    """The inputs the charts draw from together, in INPUTS order."""
    needed = {name for chart in charts for name in chart.inputs}
    return [name for name in INPUTS if name in needed]


def planned_charts(
    visit_labels: int,
    pga_recorded: bool = True,
    declared_outcomes: bool = False,
    arms: int = 0,
    stops: bool = False,
) -> list[str]:
    """The charts a cohort gets, in the registry's order: by its number of distinct visit
    labels, whether it has any PGA grade and any value of a declared outcome, its number of
    arms (0: a cohort without arms) and whether its patients file gives any stop week."""
    cohorts = {Cohorts.EVERY}
    if declared_outcomes:
        cohorts.add(Cohorts.WITH_DECLARED_OUTCOMES)
    if visit_labels > 2:
        cohorts.add(Cohorts.MORE_THAN_TWO_VISITS)
    if pga_recorded:
        cohorts.add(Cohorts.WITH_PGA)
    if arms >= 2:
        cohorts.add(Cohorts.WITH_ARMS)
    if stops:
        cohorts.add(Cohorts.WITH_STOPS)
    return [chart.name for chart in CHARTS if chart.cohorts in cohorts]


# The charts drawn per arm: from each arm's rows, or (drug survival) from the validated patients
# and visits, whose arm column is each patient's own.
PER_ARM = (Cohorts.WITH_ARMS, Cohorts.WITH_STOPS)


def reads_pooled_rows(chart: Chart, name: str) -> bool:
    """Whether the chart reads only the whole cohort's rows (arms.pooled_rows) of its input
    `name`: a chart not drawn per arm, of a table stacking a trial's per-arm rows under the
    whole cohort's. Every other input is read as it is."""
    return chart.cohorts not in PER_ARM and name in STACKED_INPUTS
