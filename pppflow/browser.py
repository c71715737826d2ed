"""The pages as a reader's browser shows them: headless Chromium (Debian's ``chromium`` and
``chromium-driver``) driven by Selenium, offline, for the browser test and ``make screenshots``.

Selenium is imported only here, and only when a browser is started: the workflow never needs it.
"""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Chromium started as the issue asks: no sandbox (root in CI), no GPU, and nothing that would
# reach the network on its own (the machine has none).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
CHROMIUM = "chromium"
CHROMEDRIVER = "chromedriver"
# The smallest laptop screen the report must work on.
SMALL_SCREEN = (1366, 768)
# How long a page's scripts get to draw its charts.
RENDER_TIMEOUT_S = 20


def browser_missing() -> list[str]:
    """The programs the browser needs that are not on the PATH."""
    return [name for name in (CHROMIUM, CHROMEDRIVER) if shutil.which(name) is None]


@contextmanager
def chromium(size: tuple[int, int] = SMALL_SCREEN) -> Iterator[Any]:
    """A headless Chromium window of ``size`` with a fresh profile, its console logged."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = browser_missing()
    if missing:
        raise RuntimeError(
            f"not installed: {', '.join(missing)} (apt-get install chromium chromium-driver)"
        )
    with tempfile.TemporaryDirectory(prefix="pppflow-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which(CHROMIUM)
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={size[0]},{size[1]}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(shutil.which(CHROMEDRIVER)))
        set_viewport(driver, *size)
        try:
            yield driver
        finally:
            driver.quit()


def set_viewport(driver: Any, width: int, height: int) -> None:
    """The page's viewport exactly ``width`` x ``height`` (a window's size includes its frame)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def open_page(driver: Any, path: Path) -> None:
    driver.get(path.resolve().as_uri())


def wait_for(driver: Any, script: str, timeout_s: float = RENDER_TIMEOUT_S) -> Any:
    """Wait until the JavaScript expression ``script`` (returned) is truthy; return it."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout_s).until(lambda d: d.execute_script(f"return {script}"))


def console_errors(driver: Any) -> list[str]:
    """What the page wrote to the console at level SEVERE (errors) since the last call."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


@dataclass(frozen=True)
class Box:
    top: float
    bottom: float
    viewport_height: float

    @property
    def inside_viewport(self) -> bool:
        return self.top >= 0 and self.bottom <= self.viewport_height


def element_box(driver: Any, css: str) -> Box:
    top, bottom, height = driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return [r.top, r.bottom, window.innerHeight];",
        css,
    )
    return Box(top, bottom, height)


def screenshot(driver: Any, path: Path, full_page: bool = True, max_height: int = 8000) -> None:
    """The page as shown, or the whole page (up to ``max_height`` pixels) at the same width."""
    width, height = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if full_page:
        whole = driver.execute_script("return document.documentElement.scrollHeight")
        set_viewport(driver, width, min(max(whole, height), max_height))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(path))
    finally:
        set_viewport(driver, width, height)
