"""A chart's caption as plain text, for the pages beside the charts.

The caption files are what the Snakemake report shows under each chart: reStructuredText with
Jinja placeholders filled from the rule's wildcards and params. Here they are filled the same
way, and the little inline markup they use is dropped, leaving paragraphs of text.
"""

import re
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import jinja2

# **strong**, *emphasis* and ``literal``: the text inside is kept.
_INLINE_MARKUP = re.compile(r"\*\*(.+?)\*\*|``(.+?)``|\*(.+?)\*", re.DOTALL)


def _without_markup(text: str) -> str:
    return _INLINE_MARKUP.sub(lambda m: next(g for g in m.groups() if g is not None), text)


def caption_paragraphs(template: str, *, cohort: str, params: Mapping[str, Any]) -> list[str]:
    """The caption's paragraphs, each on one line, filled in for ``cohort`` with ``params``.

    A placeholder naming a param not given is an error, not an empty gap in the text.
    """
    context = SimpleNamespace(
        wildcards=SimpleNamespace(cohort=cohort), params=SimpleNamespace(**params)
    )
    filled = (
        jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
        .from_string(template)
        .render(snakemake=context)
    )
    blocks = re.split(r"\n\s*\n", filled.strip())
    return [
        _without_markup(" ".join(line.strip() for line in block.splitlines())) for block in blocks
    ]
