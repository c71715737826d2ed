"""Time to first PPPASI 50 and 75 response per arm: the Kaplan-Meier curves of the time to
response chart, one per endpoint and arm, over the randomised period (to the switch visit: a
placebo patient's response after switching to the active drug is not the placebo arm's), with
the numbers at risk per arm under the axis. The log-rank P is in time_to_response.csv."""

import altair as alt

from pppflow.charts.common import ChartSettings, Frames
from pppflow.charts.time_to_response import time_to_response_chart


def build(frames: Frames, settings: ChartSettings) -> alt.VConcatChart:
    return time_to_response_chart(
        frames["arm_responses"].lazy(),
        cohort=settings.cohort,
        size=settings.size,
        period="per arm, over the randomised period",
    )
