"""Writing a rendered chart to the rule's three outputs, ``<name>_svg``, ``_png`` and ``_html``."""

from pathlib import Path

import _shim  # noqa: F401  (puts the pppflow package on the path, whatever the import order)

from pppflow.io import write_atomic, write_text
from pppflow.render import RenderedChart


def write_rendered(rendered: RenderedChart, outputs, name: str) -> None:
    write_text(rendered.svg, outputs[f"{name}_svg"])
    write_atomic(lambda tmp: Path(tmp).write_bytes(rendered.png), outputs[f"{name}_png"])
    write_text(rendered.html, outputs[f"{name}_html"])
