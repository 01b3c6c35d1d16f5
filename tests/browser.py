"""Real headless Chromium (Debian's package) driven by Playwright, for the back office's pages.

Playwright's own browser download is not used: it launches the system's chromium. Where that is
missing the page tests are skipped, unless ESS_REQUIRE_BROWSER is set (CI sets it, after
installing chromium), in which case they fail."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]


def chromium_path() -> str | None:
    return os.environ.get("ESS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    path = chromium_path()
    if path is None:
        if os.environ.get("ESS_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed; the page tests need it (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="th-TH", timezone_id="Asia/Bangkok")
    page = await context.new_page()
    page.set_default_timeout(10_000)
    yield page
    await context.close()
