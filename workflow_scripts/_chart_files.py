"""Rendering a job's charts and writing each to the rule's three outputs, ``<name>_svg``,
``_png`` and ``_html``, with the run's chart library (input ``library``) inline in the pages."""

from pathlib import Path

import _shim  # noqa: F401  (puts the pppflow package on the path, whatever the import order)
import altair as alt

from pppflow.io import write_atomic, write_text
from pppflow.render import RenderedChart, render_chart


def write_rendered(rendered: RenderedChart, outputs, name: str) -> None:
    write_text(rendered.svg, outputs[f"{name}_svg"])
    write_atomic(lambda tmp: Path(tmp).write_bytes(rendered.png), outputs[f"{name}_png"])
    write_text(rendered.html, outputs[f"{name}_html"])


def render_and_write(drawn: dict[str, alt.TopLevelMixin], snakemake) -> None:
    library = Path(snakemake.input.library).read_text(encoding="utf-8")
    for name, chart in drawn.items():
        rendered = render_chart(chart, png_scale=snakemake.params.png_scale, library=library)
        write_rendered(rendered, snakemake.output, name)
