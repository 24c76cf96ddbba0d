"""Browser tests: Playwright drives Debian's chromium (never `playwright install`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

CHROMIUM = os.environ.get("ZHIDU_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`); .ci/run does")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN")
    p = context.new_page()
    p.set_default_timeout(15000)
    yield p
    context.close()


PHONE = {"width": 390, "height": 844}


def fits(page) -> bool:  # type: ignore[no-untyped-def]
    """The page needs no sideways scrolling on a phone."""
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"])


@dataclass
class Phone:
    context: Any
    page: Any
    errors: list[str]  # JavaScript errors the page raised


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    """A zh-CN page at 390×844, as in WeCom's in-app browser on a phone."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    p = context.new_page()
    p.set_default_timeout(15000)
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    yield Phone(context, p, errors)
    context.close()
