"""What a run prints at its end: each cohort's summary (``results/<cohort>/summary.txt``, written
by the summary job), rather than Snakemake's job list. Plain Python: the workflow's onsuccess
handler calls it."""

from collections.abc import Iterable
from pathlib import Path


def summaries_text(paths: Iterable[str]) -> str:
    """The summaries that exist, under one heading; empty if none does (a run that stopped
    before any summary, or one that asked only for other targets)."""
    texts = [Path(p).read_text(encoding="utf-8") for p in paths if Path(p).exists()]
    return "\npppflow summary\n" + "".join(texts) if texts else ""
