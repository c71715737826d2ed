"""Screenshots of the pages a reader opens, as headless Chromium shows them offline: each
cohort's summary page (the top at 1366x768, and the whole page), its chart index and a chart
page, and the Snakemake report's landing page at 1366x768 and 1920x960; and each summary page
printed to PDF as a browser prints it. Written to results/screenshots/.

    .venv/bin/python tools/screenshots.py            # after `make report`
"""

import argparse
import base64
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pppflow.browser import (  # noqa: E402
    SMALL_SCREEN,
    chromium,
    console_errors,
    open_page,
    screenshot,
    set_viewport,
    wait_for,
)

DRAWN = "document.querySelectorAll('figure svg, .vega-embed svg').length"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=Path("results"))
    args = parser.parse_args()
    out = args.results / "screenshots"
    cohorts = sorted(p.parent.name for p in args.results.glob("*/summary.html"))
    if not cohorts:
        print("no results/<cohort>/summary.html: run `make run` first", file=sys.stderr)
        return 1
    problems = []
    with chromium(SMALL_SCREEN) as driver:

        def shot(page: Path, name: str, full_page: bool, draws: bool = False) -> None:
            open_page(driver, page)
            if draws:
                wait_for(driver, DRAWN)
            screenshot(driver, out / f"{name}.png", full_page=full_page)
            problems.extend(f"{page}: {message}" for message in console_errors(driver))
            print(out / f"{name}.png")

        for cohort in cohorts:
            folder = args.results / cohort
            shot(folder / "summary.html", f"{cohort}-summary-top", full_page=False)
            shot(folder / "summary.html", f"{cohort}-summary", full_page=True)
            pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
            (out / f"{cohort}-summary.pdf").write_bytes(base64.b64decode(pdf["data"]))
            print(out / f"{cohort}-summary.pdf")
            shot(folder / "charts/index.html", f"{cohort}-charts", full_page=True)
            shot(
                folder / "charts/response_rates.html",
                f"{cohort}-chart-response_rates",
                full_page=False,
                draws=True,
            )
        report = args.results / "report.html"
        if report.exists():
            for width, height in (SMALL_SCREEN, (1920, 960)):
                set_viewport(driver, width, height)
                open_page(driver, report)
                wait_for(driver, "document.querySelector('h1.title')")
                screenshot(driver, out / f"report-{width}x{height}.png", full_page=False)
                print(out / f"report-{width}x{height}.png")
        else:
            print(f"no {report}: `make report` writes it", file=sys.stderr)
    for problem in problems:
        print(f"console error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
