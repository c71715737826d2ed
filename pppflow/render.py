"""Rendering a chart to SVG, PNG and a standalone HTML page, offline, with vl-convert.

vl-convert runs the Vega-Lite compiler and the Vega renderer in-process (no browser, no
network). The HTML page carries vega, vega-lite and vega-embed inline, so it shows its chart
with no network at view time; ``external_references`` is the check of that promise.

The inline library is vl-convert's own bundle (``javascript_library``). Building it takes a
process over a second, and it is the same for every chart, so the workflow builds it once, in a
job of its own that runs beside validation, and every chart job puts it in its pages: the page
is then exactly what ``vegalite_to_html(spec, bundle=True)`` gives (tests/test_charts.py).
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


# vl-convert titles every page "Chart"; a tab or a bookmark of ours names its chart.
_VL_CONVERT_TITLE = "<title>Chart</title>"


def _replaced_once(page: str, old: str, new: str, what: str) -> str:
    if page.count(old) != 1:
        raise ValueError(f"vl-convert's HTML no longer {what} as expected")
    return page.replace(old, new)


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
    page = vlc.vegalite_to_html(spec, bundle=False)
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
