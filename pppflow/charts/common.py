"""What the charts share: the palette, the type scale, the settings every chart takes and the
labels of visits, endpoints and patient counts."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import altair as alt
import polars as pl

from pppflow.arm_settings import ArmDesign
from pppflow.claims import Claims, reported_response_rates
from pppflow.constants import ENDPOINT_LABELS

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

PPPASI_AXIS = "PPPASI (points, scale 0–72)"


@dataclass(frozen=True)
class ChartSize:
    """Width and height of the plotting area, in pixels (before the PNG scale)."""

    width: int
    height: int


@dataclass(frozen=True)
class ChartSettings:
    """What a chart takes besides its frames: the cohort's visits and scale, the run's
    confidence level, and the size to draw at."""

    cohort: str
    size: ChartSize
    baseline_visit: str
    endpoint_visit: str
    pga_max: int
    confidence_level: float
    # The cohort's arms (the config's `arms:`), for a chart drawing one curve per arm from the
    # validated patients; None: a cohort without arms, or a chart job that does not ask.
    arms: ArmDesign | None = None


# A chart's frames by the names of the registry's inputs (pppflow.charts.registry.INPUTS).
Frames = Mapping[str, pl.DataFrame]


def endpoint_label(endpoint: str) -> str:
    return ENDPOINT_LABELS.get(endpoint, endpoint)


def _week_text(week: float) -> str:
    return f"{week:g}"


def time_point_label(visit: str, weeks: Sequence[float | None]) -> str:
    """An axis label for a visit: its week, plus the visit's own label where that says more.

    ``week12`` at week 12 reads "Week 12"; ``baseline`` at week 0 reads "Week 0 (baseline)".
    Where patients were seen at different weeks for one visit, the range is given.
    """
    known = sorted({w for w in weeks if w is not None})
    if not known:
        return visit
    span = _week_text(known[0]) if len(known) == 1 else f"{known[0]:g}–{known[-1]:g}"
    plain = f"Week {span}"
    if visit.lower().replace(" ", "").replace("_", "") == f"week{span}":
        return plain
    return f"{plain} ({visit})"


def visit_phrase(visit: str, weeks: Sequence[float | None]) -> str:
    """A visit as a sentence names it: "week 12"; "baseline (week 0)"; "week12 (weeks 12–13)"
    where patients were seen at different weeks."""
    known = sorted({w for w in weeks if w is not None})
    if not known:
        return visit
    if len(known) > 1:
        return f"{visit} (weeks {known[0]:g}–{known[-1]:g})"
    plain = f"week {known[0]:g}"
    if visit.lower().replace(" ", "").replace("_", "") == plain.replace(" ", ""):
        return plain
    return f"{visit} ({plain})"


def patients_text(count: int) -> str:
    return f"{count:,} patient{'' if count == 1 else 's'}"


def endpoint_phrase(pppasi: pl.DataFrame, endpoint_visit: str) -> str:
    """The endpoint visit as the charts' sentences name it, from the weeks it was held at."""
    weeks = pppasi.filter(pl.col("visit") == endpoint_visit).get_column("week")
    return visit_phrase(endpoint_visit, weeks.to_list())


def weeks_axis(weeks: Sequence[float]) -> alt.X:
    """The x axis of a chart over the weeks: from week 0, a tick at each visit's week."""
    return alt.X(
        "week:Q",
        title="Weeks since baseline",
        scale=alt.Scale(zero=True, nice=False, padding=12),
        axis=alt.Axis(values=weeks, grid=False),
    )


def share_y(field: str, title: str) -> alt.Y:
    """A y axis of a share of patients, 0 to 100 %."""
    return alt.Y(
        f"{field}:Q", title=title, axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])
    )


def rate_tooltips(level: str, *before_visit: alt.Tooltip) -> list[alt.Tooltip]:
    """A response rate's tooltip: the endpoint, `before_visit` (an arm), the visit, the rate
    with its interval and the counts."""
    return [
        alt.Tooltip("endpoint_label:N", title="Endpoint"),
        *before_visit,
        alt.Tooltip("visit:N", title="Visit"),
        alt.Tooltip("week:Q", title="Week"),
        alt.Tooltip("rate:Q", title="Rate", format=".1%"),
        alt.Tooltip("ci_low:Q", title=f"{level} % CI low", format=".1%"),
        alt.Tooltip("ci_high:Q", title=f"{level} % CI high", format=".1%"),
        alt.Tooltip("responders:Q", title="Responders"),
        alt.Tooltip("evaluable:Q", title="Evaluable"),
    ]


def styled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A type scale that stays legible in the PNG at scale 1 and above."""
    return (
        chart.configure_title(fontSize=16, subtitleFontSize=12, subtitleColor="#444444", offset=10)
        .configure_axis(labelFontSize=12, titleFontSize=13, titleFontWeight="normal")
        .configure_legend(labelFontSize=12, titleFontSize=12, labelLimit=320)
        .configure_view(strokeWidth=0)
    )


def titled(
    chart: alt.TopLevelMixin, title: str, subtitle: Sequence[str], size: ChartSize
) -> alt.TopLevelMixin:
    """Title, size and the shared style."""
    return styled(
        chart.properties(
            title=alt.Title(title, subtitle=list(subtitle), anchor="start"),
            width=size.width,
            height=size.height,
        )
    )


def reported_rates(claims: Claims | None) -> pl.DataFrame:
    """The response rates the paper reports (``reported_response_rates``), each with the
    claim_id the audit judges it under."""
    ids = [claim.id for claim in (claims.claims if claims else ()) if claim.kind == "response_rate"]
    return reported_response_rates(claims).with_columns(pl.Series("claim_id", ids, dtype=pl.Utf8))
