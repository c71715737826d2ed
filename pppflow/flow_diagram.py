"""The patient flow (flow.csv) as a CONSORT-style diagram: inline SVG for the summary page.

A column of boxes, one per step, joined by arrows (the patients of the files, those with a
baseline PPPASI, those scored at each follow-up visit, then one box of those analysed per
endpoint at the endpoint visit); beside each arrow, in a box of its own, who is not counted at
the next step and why. A cohort with arms gets one column per arm. Every text from the data is
escaped; the SVG draws no script and fetches nothing.
"""

import textwrap
from dataclasses import dataclass

import polars as pl
from markupsafe import Markup, escape

from pppflow.constants import ENDPOINT_LABELS

ANALYSED_PREFIX = "analysed for "
FONT_PX = 13
LINE_PX = 17
PAD_PX = 8
# Characters per line of a box: the text is wrapped to this, the box sized to fit it.
MAIN_CHARS = 34
SIDE_CHARS = 44
CHAR_PX = 7.2  # width of a character at FONT_PX, generously
MAIN_W = MAIN_CHARS * CHAR_PX + 2 * PAD_PX
SIDE_W = SIDE_CHARS * CHAR_PX + 2 * PAD_PX
GAP_X = 36  # from a column's boxes to its side boxes
MIN_GAP_Y = 30  # between two boxes of a column
COLUMN_GAP = 40
HEADER_PX = 26  # an arm's name above its column


@dataclass(frozen=True)
class FlowBox:
    """A box of the diagram: its lines of text and, beside the arrow into it, who is not
    counted there (None: nobody)."""

    lines: tuple[str, ...]
    excluded: tuple[str, ...] | None


@dataclass(frozen=True)
class FlowColumn:
    arm: str | None
    boxes: tuple[FlowBox, ...]


def _endpoint_of(step: str) -> tuple[str, str]:
    """("PPPASI50", "week12") of "analysed for PPPASI50 at week12"."""
    endpoint, _, visit = step[len(ANALYSED_PREFIX) :].rpartition(" at ")
    return endpoint, visit


def _wrap(text: str, width: int) -> tuple[str, ...]:
    return tuple(textwrap.wrap(text, width, break_long_words=True)) or ("",)


def flow_columns(flow: pl.DataFrame) -> tuple[FlowColumn, ...]:
    """flow.csv as the diagram's columns (one per arm, in the file's order): a box per step
    before the analyses, then one box of every endpoint analysed, whose side box groups the
    endpoints by why patients are not counted."""
    columns = []
    for (arm,), rows in flow.group_by("arm", maintain_order=True):
        boxes: list[FlowBox] = []
        analysed: list[tuple[str, str, int, str | None]] = []
        for step, patients, reason in rows.select("step", "patients", "reason").iter_rows():
            if step.startswith(ANALYSED_PREFIX):
                endpoint, visit = _endpoint_of(step)
                analysed.append((ENDPOINT_LABELS.get(endpoint, endpoint), visit, patients, reason))
                continue
            lines = _wrap(f"{step[0].upper()}{step[1:]}: n = {patients}", MAIN_CHARS)
            excluded = _wrap(reason, SIDE_CHARS) if reason else None
            boxes.append(FlowBox(lines, excluded))
        if analysed:
            visits = list(dict.fromkeys(visit for _, visit, _, _ in analysed))
            lines = [f"Analysed at {', '.join(visits)}:"]
            for label, _, patients, _ in analysed:
                lines += _wrap(f"{label}: n = {patients}", MAIN_CHARS)
            by_reason: dict[str, list[str]] = {}
            for label, _, _, reason in analysed:
                if reason:
                    by_reason.setdefault(reason, []).append(label)
            side: list[str] = []
            bullet = "• " if len(by_reason) > 1 else ""
            for reason, labels in by_reason.items():
                side += _wrap(f"{bullet}{', '.join(labels)}: {reason}", SIDE_CHARS)
            boxes.append(FlowBox(tuple(lines), tuple(side) if side else None))
        columns.append(FlowColumn(arm, tuple(boxes)))
    return tuple(columns)


def _height(lines: tuple[str, ...]) -> float:
    return len(lines) * LINE_PX + 2 * PAD_PX


def _text(lines: tuple[str, ...], x: float, y: float, anchor: str) -> str:
    spans = "".join(
        f'<tspan x="{x:g}" y="{y + PAD_PX + (i + 1) * LINE_PX - 4:g}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text text-anchor="{anchor}" font-size="{FONT_PX}" {TEXT_STYLE}>{spans}</text>'


# Presentation attributes, not a <style> element: a style element of an inline SVG applies to
# the whole page.
BOX_STYLE = {
    "main": 'fill="#eef2f6" stroke="#333333"',
    "side": 'fill="#ffffff" stroke="#777777" stroke-dasharray="4 2"',
}
LINE_STYLE = 'stroke="#333333" stroke-width="1.5"'
TEXT_STYLE = (
    'fill="#1a1a1a" font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"'
)


def _box(x: float, y: float, width: float, lines: tuple[str, ...], css: str) -> str:
    rect = (
        f'<rect class="{css}" x="{x:g}" y="{y:g}" width="{width:g}" '
        f'height="{_height(lines):g}" rx="3" {BOX_STYLE[css]}/>'
    )
    if css == "main":
        return rect + _text(lines, x + width / 2, y, "middle")
    return rect + _text(lines, x + PAD_PX, y, "start")


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" {LINE_STYLE} '
        'marker-end="url(#flow-arrow)"/>'
    )


def flow_diagram_svg(flow: pl.DataFrame) -> Markup:
    """The diagram (see module doc) as an <svg> element; empty where flow.csv has no row."""
    columns = flow_columns(flow)
    if not columns:
        return Markup("")
    shapes: list[str] = []
    column_w = MAIN_W + GAP_X + SIDE_W
    arms = any(column.arm for column in columns)
    bottom = 0.0
    for index, column in enumerate(columns):
        x = index * (column_w + COLUMN_GAP)
        y = HEADER_PX if arms else 0.0
        if arms:
            shapes.append(
                f'<text x="{x + MAIN_W / 2:g}" y="{FONT_PX + 4}" text-anchor="middle" '
                f'font-size="{FONT_PX + 1}" font-weight="bold" {TEXT_STYLE}>'
                f"{escape(column.arm or '')}</text>"
            )
        centre = x + MAIN_W / 2
        for i, box in enumerate(column.boxes):
            if i:
                side_h = _height(box.excluded) if box.excluded else 0.0
                gap = max(MIN_GAP_Y, side_h + 20)
                if box.excluded:
                    side_y = y + (gap - side_h) / 2
                    shapes.append(_box(x + MAIN_W + GAP_X, side_y, SIDE_W, box.excluded, "side"))
                    shapes.append(
                        _arrow(centre, side_y + side_h / 2, x + MAIN_W + GAP_X, side_y + side_h / 2)
                    )
                shapes.append(_arrow(centre, y, centre, y + gap))
                y += gap
            shapes.append(_box(x, y, MAIN_W, box.lines, "main"))
            y += _height(box.lines)
        bottom = max(bottom, y)
    width = len(columns) * column_w + (len(columns) - 1) * COLUMN_GAP + 2
    height = bottom + 2
    defs = (
        '<defs><marker id="flow-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>'
    )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow" role="img" '
        f'aria-label="Patient flow" width="{width:g}" height="{height:g}" '
        f'viewBox="-1 -1 {width:g} {height:g}">{defs}{"".join(shapes)}</svg>'
    )
