"""The charts a page shows (the chart index, the summary page): each drawn chart's SVG with
its title and its caption filled in as the report fills it."""

from pathlib import Path

from pppflow.charts.captions import caption_paragraphs
from pppflow.charts.registry import BY_NAME
from pppflow.pages import IndexedChart


def charts_with_captions(svgs, cohort: str, params) -> list[IndexedChart]:
    charts = []
    for svg in svgs:
        chart = BY_NAME[Path(svg).stem]
        template = Path(chart.caption).read_text(encoding="utf-8")
        caption = caption_paragraphs(template, cohort=cohort, params=dict(params.items()))
        charts.append(
            IndexedChart(
                chart.name, chart.title, Path(svg).read_text(), tuple(caption), chart.section
            )
        )
    return charts
