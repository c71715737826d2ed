"""Rendering a chart to SVG, PNG and a standalone HTML page, offline, with vl-convert.

vl-convert runs the Vega-Lite compiler and the Vega renderer in-process (no browser, no
network). The HTML page carries vega, vega-lite and vega-embed inline, so it shows its chart
with no network at view time; ``external_references`` is the check of that promise.

The inline library is vl-convert's own bundle (``javascript_library``). Building it takes a
process over a second, and it is the same for every chart, so the workflow builds it once, in a
job of its own that runs beside validation, and every chart job puts it in its pages: the page
is then exactly what ``vegalite_to_html(spec, bundle=True)`` gives (tests/test_charts.py).

The spec, data included, is JSON inside the page's ``<script>``; a value such as a patient ID
reading ``</script><script>...`` would end that block and run as a script of its own. So the
page carries the spec with ``<``, ``>``, ``&`` and the two JavaScript line ends as JSON escapes,
which read back as the same text.
"""

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import vl_convert as vlc

if TYPE_CHECKING:  # only a type here: the library job need not import altair
    import altair as alt

# An attribute that makes a browser fetch something as the page loads (a script, a stylesheet,
# an image, a frame), pointing at the network. Plain strings inside the bundled JavaScript (the
# spec's $schema, vega-embed's "open in editor" link) are not fetched and do not count.
_FETCHING_ATTRIBUTE = re.compile(
    r"<(?:script|link|img|iframe|source|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*"
    r"[\"']?\s*(?:https?:)?//[^\"'\s>]*",
    re.IGNORECASE,
)
_CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)


# vl-convert's page embeds the chart with these options; ours drop the "Open in Vega Editor"
# action, which would post the chart's data (patient-level, for some charts) to a web site.
_VL_CONVERT_EMBED_OPTIONS = 'const opts = {"renderer":"svg"}'
_EMBED_OPTIONS = (
    'const opts = {"renderer":"svg",'
    '"actions":{"export":true,"source":true,"compiled":false,"editor":false}}'
)


# vl-convert's page declares the spec, as compact JSON (no raw line break), and then the options.
_SPEC = re.compile(r"(const spec = )(.*?)(;\n\s*const opts = )", re.DOTALL)
# vl-convert titles every page "Chart"; a tab or a bookmark of ours names its chart.
_VL_CONVERT_TITLE = "<title>Chart</title>"

# What can close or open markup in a <script> block (<, >, &), and what ends a line of
# JavaScript though not of JSON (U+2028, U+2029), as the JSON escapes of the same characters.
_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_safe_json(json_text: str) -> str:
    """JSON text that can sit in an HTML ``<script>`` block and parses to the same value.

    Those characters can only be inside JSON strings, where an escape stands for the character.
    """
    return json_text.translate(_SCRIPT_ESCAPES)


def _replaced_once(page: str, old: str, new: str, what: str) -> str:
    if page.count(old) != 1:
        raise ValueError(f"vl-convert's HTML no longer {what} as expected")
    return page.replace(old, new)


def _page_with_safe_spec(page: str) -> str:
    found = list(_SPEC.finditer(page))
    if len(found) != 1:
        raise ValueError("vl-convert's HTML no longer declares its spec as expected")
    match = found[0]
    return page[: match.start(2)] + script_safe_json(match.group(2)) + page[match.end(2) :]


# The library tags of vl-convert's page without the bundle: each fetches from a CDN.
_CDN_SCRIPTS = re.compile(
    r'<script src="https://[^"]+"></script>(?:\s*<script src="https://[^"]+"></script>)*'
)


def javascript_library() -> str:
    """vega, vega-lite and vega-embed as one script, as vl-convert bundles them into a page."""
    return vlc.javascript_bundle()


def offline_page(page: str, library: str) -> str:
    """vl-convert's CDN page with its library tags replaced by ``library``, inline."""
    tags = _CDN_SCRIPTS.findall(page)
    if len(tags) != 1:
        raise ValueError("vl-convert's HTML no longer loads its libraries as expected")
    # str.replace, not re.sub: the library's backslashes stay as they are.
    return page.replace(tags[0], f'<script type="text/javascript">{library}</script>', 1)


@dataclass(frozen=True)
class RenderedChart:
    svg: str
    png: bytes
    html: str


class NotOffline(ValueError):
    """A page that would fetch something from the network when opened."""


def external_references(html: str) -> list[str]:
    """Every tag attribute or CSS import in ``html`` that fetches from the network on load."""
    return [m.group(0) for m in _FETCHING_ATTRIBUTE.finditer(html)] + [
        m.group(0) for m in _CSS_IMPORT.finditer(html)
    ]


def render_chart(
    chart: "alt.TopLevelMixin", *, png_scale: float, library: str, title: str
) -> RenderedChart:
    """SVG, PNG (at ``png_scale`` times the chart's pixel size) and offline HTML of a chart,
    with ``library`` (``javascript_library()``) inline in the page and ``title`` as its title."""
    spec = chart.to_dict()
    page = _page_with_safe_spec(vlc.vegalite_to_html(spec, bundle=False))
    page = _replaced_once(page, _VL_CONVERT_EMBED_OPTIONS, _EMBED_OPTIONS, "sets its embed options")
    page = _replaced_once(
        page, _VL_CONVERT_TITLE, f"<title>{html.escape(title)}</title>", "titles its page"
    )
    page = offline_page(page, library)
    found = external_references(page)
    if found:
        raise NotOffline(f"the chart's HTML would fetch from the network: {found[:3]}")
    svg = vlc.vegalite_to_svg(spec)
    # The PNG rasterised from that SVG: the same bytes as vegalite_to_png(spec) gives (tested),
    # without compiling and rendering the chart a second time.
    return RenderedChart(svg=svg, png=vlc.svg_to_png(svg, scale=png_scale), html=page)
