"""A real headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by Selenium.

    with headless_chromium(tmp_path) as driver:
        driver.get(page.as_uri())

No browser is downloaded: Selenium is pointed at /usr/bin/chromium and /usr/bin/chromedriver
(`make chromium` installs them). Without them the tests that need a browser are skipped,
except in CI (``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.redis_server import in_ci

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1400,1800",
)


def require_chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver; skips the test when absent (fails in CI)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        message = "chromium and chromium-driver are not installed (make chromium)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return browser, driver


@contextmanager
def headless_chromium(profile: Path) -> Iterator[Any]:
    """A Selenium driver of a fresh headless Chromium whose profile lives in ``profile``;
    the browser's console is recorded (``driver.get_log("browser")``)."""
    browser, driver_path = require_chromium()
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in FLAGS:
        options.add_argument(flag)
    profile.mkdir(parents=True, exist_ok=True)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()
